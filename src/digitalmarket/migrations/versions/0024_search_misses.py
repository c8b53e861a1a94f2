"""search: the searches that found nothing or little, per day in Korea (the demand radar)

One row per day, normalised query text and chosen filters, with how often it was asked (signed in or
not: no user and no address is kept), the result count and the suggestion of the last answer, and the
phrases read as filters.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import digitalmarket.core.tables

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_misses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("query", sa.String(length=200), nullable=False),
        sa.Column("filters_key", sa.String(length=400), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("signed_in", sa.Integer(), nullable=False),
        sa.Column("anonymous", sa.Integer(), nullable=False),
        sa.Column("first_at", digitalmarket.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_at", digitalmarket.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("result_count", sa.Integer(), nullable=False),
        sa.Column("did_you_mean", sa.Text(), nullable=True),
        sa.Column("understood", sa.JSON(), nullable=False),
        sa.CheckConstraint("count > 0", name=op.f("ck_search_misses_count")),
        sa.CheckConstraint(
            "signed_in >= 0 AND anonymous >= 0 AND signed_in + anonymous = count", name=op.f("ck_search_misses_askers")
        ),
        sa.CheckConstraint("result_count >= 0", name=op.f("ck_search_misses_result_count")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_misses")),
    )
    with op.batch_alter_table("search_misses", schema=None) as batch_op:
        batch_op.create_index("ix_search_misses_day_query_filters", ["day", "query", "filters_key"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("search_misses", schema=None) as batch_op:
        batch_op.drop_index("ix_search_misses_day_query_filters")
    op.drop_table("search_misses")
