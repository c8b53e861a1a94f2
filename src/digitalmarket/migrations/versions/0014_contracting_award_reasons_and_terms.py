"""contracting: the reason of an award, and of an award before the deadline; a
shorter period a supplier proposes per quote line

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import digitalmarket.core.tables  # noqa: F401

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("quote_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("award_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("early_award_reason", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("awarded_at", digitalmarket.core.tables.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("quote_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("offered_months", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_quote_lines_offered_months"), "offered_months IS NULL OR offered_months BETWEEN 1 AND months"
        )


def downgrade() -> None:
    with op.batch_alter_table("quote_lines", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_quote_lines_offered_months"), type_="check")
        batch_op.drop_column("offered_months")
    with op.batch_alter_table("quote_requests", schema=None) as batch_op:
        batch_op.drop_column("awarded_at")
        batch_op.drop_column("early_award_reason")
        batch_op.drop_column("award_reason")
