"""selection committee months

Extra committee rounds (수시 심사위원회): a round has a kind, only regular rounds are one a month, and an
application can be placed in a given round by the operator.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import digitalmarket.core.tables  # noqa: F401

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

REGULAR = sa.text("kind = 'regular'")


def upgrade() -> None:
    with op.batch_alter_table("committee_rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=8), server_default="regular", nullable=False))
        batch_op.drop_constraint(op.f("uq_committee_rounds_month"), type_="unique")
        batch_op.create_check_constraint(op.f("ck_committee_rounds_kind"), "kind IN ('regular', 'extra')")
    op.create_index(
        "uq_committee_rounds_regular_month",
        "committee_rounds",
        ["month"],
        unique=True,
        sqlite_where=REGULAR,
        postgresql_where=REGULAR,
    )
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("committee_round_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_applications_committee_round_id_committee_rounds"),
            "committee_rounds",
            ["committee_round_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_applications_committee_round_id_committee_rounds"), type_="foreignkey")
        batch_op.drop_column("committee_round_id")
    op.drop_index("uq_committee_rounds_regular_month", table_name="committee_rounds")
    with op.batch_alter_table("committee_rounds", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_committee_rounds_kind"), type_="check")
        batch_op.create_unique_constraint(op.f("uq_committee_rounds_month"), ["month"])
        batch_op.drop_column("kind")
