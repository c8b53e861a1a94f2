"""Tables of notifications: each user's e-mail choices, and the reminders already sent."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.tables import Base, UTCDateTime, utcnow


class NotificationPreference(Base):
    """What a user receives by e-mail: every kind except those listed in ``email_off``, in ``language``.

    A user without a row receives every kind in Korean."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    email_off: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    language: Mapped[str] = mapped_column(String(8), nullable=False, default="ko")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}


class AlertSent(Base):
    """One reminder sent: of a kind, about an object, at a threshold (60, 30 or 7 days ...). The unique
    constraint makes each reminder go out once however often the daily job runs; the row is written in
    the same transaction as the notification."""

    __tablename__ = "alerts_sent"
    __table_args__ = (UniqueConstraint("kind", "object_key", "threshold", name="uq_alerts_sent_once"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    object_key: Mapped[str] = mapped_column(String(120), nullable=False)
    threshold: Mapped[str] = mapped_column(String(20), nullable=False)
    sent_on: Mapped[date] = mapped_column(Date, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
