"""search: what the search index was built by (the analyzer's fingerprint), so that `digitalmarket
migrate` indexes every service again after a change of the analyzer or its vocabulary

No row at first: the next `digitalmarket migrate` indexes every service once and records the fingerprint.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import digitalmarket.core.tables

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_index_state",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("indexed_at", digitalmarket.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_search_index_state")),
    )


def downgrade() -> None:
    op.drop_table("search_index_state")
