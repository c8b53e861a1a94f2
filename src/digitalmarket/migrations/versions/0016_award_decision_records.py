"""award decision records: the buyers' logged searches and one frozen record per award

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import digitalmarket.core.tables  # noqa: F401

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "buyer_searches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("query", sa.String(length=200), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("result_count", sa.Integer(), nullable=False),
        sa.Column("codes", sa.JSON(), nullable=False),
        sa.Column("at", digitalmarket.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_buyer_searches_organisation_id_organisations")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_buyer_searches_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buyer_searches")),
    )
    with op.batch_alter_table("buyer_searches", schema=None) as batch_op:
        batch_op.create_index("ix_buyer_searches_user_at", ["user_id", "at"], unique=False)

    op.create_table(
        "award_decision_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("frozen_at", digitalmarket.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["organisations.id"], name=op.f("fk_award_decision_records_agency_id_organisations")
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_award_decision_records_order_id_orders")),
        sa.ForeignKeyConstraint(
            ["request_id"], ["quote_requests.id"], name=op.f("fk_award_decision_records_request_id_quote_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award_decision_records")),
        sa.UniqueConstraint("order_id", name=op.f("uq_award_decision_records_order_id")),
        sa.UniqueConstraint("request_id", name=op.f("uq_award_decision_records_request_id")),
    )
    with op.batch_alter_table("award_decision_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_award_decision_records_agency_id"), ["agency_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("award_decision_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_award_decision_records_agency_id"))
    op.drop_table("award_decision_records")
    with op.batch_alter_table("buyer_searches", schema=None) as batch_op:
        batch_op.drop_index("ix_buyer_searches_user_at")
    op.drop_table("buyer_searches")
