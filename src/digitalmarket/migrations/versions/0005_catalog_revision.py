"""catalog revision token

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 08:30:00
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

import digitalmarket.core.tables  # noqa: F401

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "catalog_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_revision")),
    )
    op.bulk_insert(table, [{"id": 1, "token": uuid.uuid4().hex}])  # unique per database


def downgrade() -> None:
    op.drop_table("catalog_revision")
