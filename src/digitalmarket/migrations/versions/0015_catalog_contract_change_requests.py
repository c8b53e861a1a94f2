"""catalog contract change requests (변경 요청): a supplier asks for an extension or a price cut

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import digitalmarket.core.tables  # noqa: F401

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catalog_contract_change_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("period_end_before", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("prices", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("requested_at", digitalmarket.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", digitalmarket.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("change_seq", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('extension', 'price_cut')", name=op.f("ck_catalog_contract_change_requests_kind")),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'refused', 'withdrawn')",
            name=op.f("ck_catalog_contract_change_requests_status"),
        ),
        sa.CheckConstraint(
            "kind <> 'extension' OR period_end IS NOT NULL",
            name=op.f("ck_catalog_contract_change_requests_extension_end"),
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["catalog_contracts.id"],
            name=op.f("fk_catalog_contract_change_requests_contract_id_catalog_contracts"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_catalog_contract_change_requests_decided_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["users.id"], name=op.f("fk_catalog_contract_change_requests_requested_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_contract_change_requests")),
    )
    with op.batch_alter_table("catalog_contract_change_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_contract_change_requests_contract_id"), ["contract_id"], unique=False
        )
        # at most one pending request per contract
        batch_op.create_index(
            "uq_catalog_contract_change_requests_pending",
            ["contract_id"],
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("catalog_contract_change_requests", schema=None) as batch_op:
        batch_op.drop_index("uq_catalog_contract_change_requests_pending")
        batch_op.drop_index(batch_op.f("ix_catalog_contract_change_requests_contract_id"))
    op.drop_table("catalog_contract_change_requests")
