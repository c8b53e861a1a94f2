"""catalog: the public documents of a service (서비스 설명서, SLA, 요금표), copied from its application when it is
published and offered to signed-in buyers; business documents stay with selection

Services published before this migration get the public documents of the application they came from,
each kind numbered in the order it was attached (the latest is offered).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import digitalmarket.core.tables

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

PUBLIC_KINDS = "('service_description', 'sla', 'price_list')"


def upgrade() -> None:
    op.create_table(
        "service_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("published_at", digitalmarket.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"kind IN {PUBLIC_KINDS}", name=op.f("ck_service_documents_kind")),
        sa.CheckConstraint("version > 0", name=op.f("ck_service_documents_version")),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_service_documents_service_id_services"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_documents")),
        sa.UniqueConstraint("service_id", "kind", "version", name=op.f("uq_service_documents_service_kind_version")),
    )
    op.execute(
        "INSERT INTO service_documents (service_id, kind, version, filename, sha256, size, media_type, published_at) "
        "SELECT a.service_id, d.kind, "
        "(SELECT COUNT(*) FROM application_documents e WHERE e.application_id = d.application_id "
        "AND e.kind = d.kind AND e.id <= d.id), "
        "d.filename, d.sha256, d.size, d.media_type, s.published_at "
        "FROM application_documents d JOIN applications a ON a.id = d.application_id "
        f"JOIN services s ON s.id = a.service_id WHERE d.kind IN {PUBLIC_KINDS} ORDER BY d.id"
    )


def downgrade() -> None:
    op.drop_table("service_documents")
