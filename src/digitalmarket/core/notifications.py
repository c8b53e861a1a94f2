"""Notifications: in-app messages to the people who must act next, kept as an outbox.

A notification is written in the same transaction as the change it announces. The page shows it at
once; the mail worker (``digitalmarket worker``, ``notifications/outbox.py``) sends the rows whose
``mail_status`` is ``pending`` and records each attempt on the row, so nothing is lost between the
change and the e-mail.

Each notification has a *kind* (a family of messages), so users can choose which kinds they receive by
e-mail. ``notify(kind=...)`` names it; without one it follows from the link the message points to.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, func, select, update
from sqlalchemy import Text as LongText
from sqlalchemy.orm import Mapped, Session, mapped_column

from .i18n import N_, Text
from .tables import Base, UTCDateTime, utcnow

#: The kinds of notification a user may choose to receive by e-mail, with their labels.
KIND_LABELS: dict[str, Text] = {
    "selection": N_("Selection applications and reviews"),
    "committee": N_("Committee rounds"),
    "catalog_contract": N_("Catalog contracts"),
    "quote": N_("Quote requests and quotes"),
    "order": N_("Orders and contract changes"),
    "payment": N_("Usage, invoices and payments"),
    "community": N_("Demand notices and inquiries"),
    "alert": N_("Reminders of deadlines: certificates, contract ends, overdue payments, waiting applications"),
    "other": N_("Other notifications"),
}
NOTIFICATION_KINDS = tuple(KIND_LABELS)

#: Where a link points tells the kind of a notification that does not name one (first match wins).
_LINK_KINDS = (
    ("/reviewer/rounds", "committee"),
    ("/operator/rounds", "committee"),
    ("/supplier/applications", "selection"),
    ("/operator/applications", "selection"),
    ("/applications", "selection"),
    ("/supplier/catalog-contracts", "catalog_contract"),
    ("/officer/catalog-contracts", "catalog_contract"),
    ("/catalog-contracts", "catalog_contract"),
    ("/supplier/quotes", "quote"),
    ("/agency/quote-requests", "quote"),
    ("/orders", "order"),
    ("/agency/orders", "order"),
    ("/supplier/orders", "order"),
    ("/invoices", "payment"),
    ("/usage", "payment"),
    ("/payments", "payment"),
    ("/settlement", "payment"),
    ("/agency/invoices", "payment"),
    ("/supplier/invoices", "payment"),
    ("/usage-reports", "payment"),
    ("/agency/usage", "payment"),
    ("/supplier/usage", "payment"),
    ("/demand-notices", "community"),
    ("/agency/demand-notices", "community"),
    ("/supplier/demand-notices", "community"),
    ("/notices", "community"),
    ("/inquiries", "community"),
    ("/helpdesk", "community"),
    ("/community", "community"),
)


def kind_of_link(link: str | None) -> str:
    """The kind of a notification from the page it links to; ``other`` when nothing matches."""
    path = (link or "").split("?", 1)[0]
    for prefix, kind in _LINK_KINDS:
        if path == prefix or path.startswith(prefix + "/"):
            return kind
    return "other"


class MailStatus:
    PENDING = "pending"  # waiting for the worker (again, after a failed attempt)
    SENT = "sent"
    SKIPPED = "skipped"  # the user does not receive this kind by e-mail, or has no active account


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_unread", "user_id", "read_at"),
        Index("ix_notifications_mail_queue", "mail_status", "next_attempt_at"),
        CheckConstraint("mail_status IN ('pending', 'sent', 'skipped')", name="mail_status"),
        CheckConstraint("attempts >= 0", name="attempts"),
        CheckConstraint("user_id IS NOT NULL OR to_email IS NOT NULL", name="addressed"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # A notification of a user; or, with ``to_email`` and no user, an account e-mail (see `mail_to`)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    to_email: Mapped[str | None] = mapped_column(String(254))
    language: Mapped[str | None] = mapped_column(String(8))
    msgid: Mapped[str] = mapped_column(String(300), nullable=False)
    params: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    link: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(32), nullable=False, default="other", server_default="other")
    # The e-mail outbox: state, attempts so far, when to try again, why the last attempt failed, and the
    # claim of the worker sending it now (a random token, so two workers never send the same row).
    mail_status: Mapped[str] = mapped_column(
        String(16), nullable=False, default=MailStatus.PENDING, server_default=MailStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(LongText)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(32))

    @property
    def text(self) -> Text:
        return Text(self.msgid, self.params or {})


def notify(
    session: Session, user_ids: Iterable[int], message: Text, link: str | None = None, *, kind: str | None = None
) -> int:
    """Notify each user once, in the caller's transaction (in the inbox at once, by e-mail through the
    outbox); returns how many were notified. ``kind`` defaults to the kind of the link."""
    kind = kind or kind_of_link(link)
    if kind not in KIND_LABELS:
        raise ValueError(f"unknown notification kind {kind!r}")
    ids = sorted(set(user_ids))
    for user_id in ids:
        session.add(
            Notification(
                user_id=user_id,
                msgid=message.msgid,
                params=dict(message.params),
                link=link,
                kind=kind,
                mail_status=MailStatus.PENDING,
            )
        )
    return len(ids)


#: The kind of account e-mails (a password reset link, an invitation): always sent, never in an inbox.
ACCOUNT_MAIL = "account"


def mail_to(session: Session, email: str, message: Text, link: str, *, language: str) -> None:
    """An account e-mail to an address, in the caller's transaction: a password reset link or an
    invitation. It is in no inbox, is sent whatever the e-mail choices, and its link (a secret) is
    forgotten once it is sent."""
    session.add(
        Notification(
            user_id=None,
            to_email=email,
            language=language,
            msgid=message.msgid,
            params=dict(message.params),
            link=link,
            kind=ACCOUNT_MAIL,
            read_at=utcnow(),
            mail_status=MailStatus.PENDING,
        )
    )


def notifications_of(session: Session, user_id: int, limit: int = 50) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user_id)
    return list(session.scalars(query.order_by(Notification.id.desc()).limit(limit)))


def unread_count(session: Session, user_id: int) -> int:
    query = select(func.count()).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    return session.scalar(query) or 0


def mark_all_read(session: Session, user_id: int) -> int:
    """Mark every unread notification of the user read; returns how many were unread."""
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount or 0


def open_notification(session: Session, user_id: int, notification_id: int) -> Notification | None:
    """The user's own notification, marked read (the user opened it); None when it is not theirs."""
    notification = session.get(Notification, notification_id)
    if notification is None or notification.user_id != user_id:
        return None
    if notification.read_at is None:
        notification.read_at = utcnow()
    return notification
