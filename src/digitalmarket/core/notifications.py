"""Notifications: in-app messages to the people who must act next, kept as an outbox.

A notification is written in the same transaction as the change it announces. The page shows it at
once; a mail sender (a later stage) reads the same rows where ``emailed_at`` is empty.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from .i18n import Text
from .tables import Base, UTCDateTime, utcnow


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    msgid: Mapped[str] = mapped_column(String(300), nullable=False)
    params: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    link: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def text(self) -> Text:
        return Text(self.msgid, self.params or {})


def notify(session: Session, user_ids: Iterable[int], message: Text, link: str | None = None) -> int:
    """Notify each user once; returns how many were notified."""
    ids = sorted(set(user_ids))
    for user_id in ids:
        session.add(Notification(user_id=user_id, msgid=message.msgid, params=dict(message.params), link=link))
    return len(ids)


def notifications_of(session: Session, user_id: int, limit: int = 50) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user_id)
    return list(session.scalars(query.order_by(Notification.id.desc()).limit(limit)))


def unread_count(session: Session, user_id: int) -> int:
    query = select(func.count()).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    return session.scalar(query) or 0


def mark_all_read(session: Session, user_id: int) -> None:
    session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
