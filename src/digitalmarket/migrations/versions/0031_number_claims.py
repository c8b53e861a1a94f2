"""accounts: claims on a business number

A company that finds its business number taken files a claim with evidence (a company review of kind
``claim`` with the claimant's details); the organisation holding the number is frozen while it is decided.

Revision ID: 0031
Revises: 0030
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import digitalmarket.core.tables

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("frozen_at", digitalmarket.core.tables.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("company_reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimant", sa.JSON(), nullable=True))
        batch_op.drop_constraint(op.f("ck_company_reviews_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_company_reviews_kind"), "kind IN ('registration', 'change', 'claim')")


def downgrade() -> None:
    with op.batch_alter_table("company_reviews", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_company_reviews_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_company_reviews_kind"), "kind IN ('registration', 'change')")
        batch_op.drop_column("claimant")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("frozen_at")
