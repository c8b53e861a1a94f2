"""search: the catalog's revision row is gone

Every step that changed what a search shows rewrote this one row in its transaction, so each such step
waited for the one before it to commit. The search facts now find the steps' events in the audit log
instead (`search.changes.news`), and nothing is written for them.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 23:00:00
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("catalog_revision")


def downgrade() -> None:
    table = op.create_table(
        "catalog_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_revision")),
    )
    op.bulk_insert(table, [{"id": 1, "token": uuid.uuid4().hex}])
