"""selection: supplement requests (보완 요청) keep what the application held when the operator asked (its
fields and its list of documents) and the supplier's reply, so that the operator sees what changed since

Requests made before this migration get their row without a snapshot (what they held is not known).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import digitalmarket.core.tables

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "supplement_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=True),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("replied_by", sa.Integer(), nullable=True),
        sa.Column("replied_at", digitalmarket.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_supplement_requests_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["application_events.id"],
            name=op.f("fk_supplement_requests_event_id_application_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["replied_by"], ["users.id"], name=op.f("fk_supplement_requests_replied_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplement_requests")),
        sa.UniqueConstraint("event_id", name=op.f("uq_supplement_requests_event_id")),
    )
    with op.batch_alter_table("supplement_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supplement_requests_application_id"), ["application_id"], unique=False)
    op.execute(
        "INSERT INTO supplement_requests (application_id, event_id) "
        "SELECT application_id, id FROM application_events WHERE action = 'request_supplement' ORDER BY id"
    )


def downgrade() -> None:
    with op.batch_alter_table("supplement_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supplement_requests_application_id"))
    op.drop_table("supplement_requests")
