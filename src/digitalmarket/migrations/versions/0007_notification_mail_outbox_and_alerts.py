"""notification e-mail outbox, e-mail choices and reminders sent

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 08:41:39.679370
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import digitalmarket.core.tables  # noqa: F401

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alerts_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("object_key", sa.String(length=120), nullable=False),
        sa.Column("threshold", sa.String(length=20), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("created_at", digitalmarket.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts_sent")),
        sa.UniqueConstraint("kind", "object_key", "threshold", name="uq_alerts_sent_once"),
    )
    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("email_off", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("updated_at", digitalmarket.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notification_preferences_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notification_preferences")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=32), server_default="other", nullable=False))
        batch_op.add_column(sa.Column("mail_status", sa.String(length=16), server_default="pending", nullable=False))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(
            sa.Column("next_attempt_at", digitalmarket.core.tables.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("claimed_at", digitalmarket.core.tables.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("claim_token", sa.String(length=32), nullable=True))
        batch_op.create_index("ix_notifications_mail_queue", ["mail_status", "next_attempt_at"], unique=False)
        batch_op.create_check_constraint(
            op.f("ck_notifications_mail_status"), "mail_status IN ('pending', 'sent', 'skipped')"
        )
        batch_op.create_check_constraint(op.f("ck_notifications_attempts"), "attempts >= 0")
    # Notifications written before e-mail existed were read in the app; they are not mailed now.
    op.execute("UPDATE notifications SET mail_status = 'skipped'")


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_notifications_attempts"), type_="check")
        batch_op.drop_constraint(op.f("ck_notifications_mail_status"), type_="check")
        batch_op.drop_index("ix_notifications_mail_queue")
        batch_op.drop_column("claim_token")
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("last_error")
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("attempts")
        batch_op.drop_column("mail_status")
        batch_op.drop_column("kind")
    op.drop_table("notification_preferences")
    op.drop_table("alerts_sent")
