"""audit trail: signed tree heads over the audit log

Each row is the Ed25519-signed root of the Merkle tree (RFC 9162) of the first ``tree_size`` audit entries,
made by `digitalmarket audit-head` and the daily jobs, published under /api/v1/audit and checked by
`digitalmarket audit-verify`. The signing key is not in the database.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import digitalmarket.core.tables

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_tree_heads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tree_size", sa.Integer(), nullable=False),
        sa.Column("root_hash", sa.String(length=64), nullable=False),
        sa.Column("made_at", digitalmarket.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("signature", sa.String(length=88), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_tree_heads")),
    )


def downgrade() -> None:
    op.drop_table("audit_tree_heads")
