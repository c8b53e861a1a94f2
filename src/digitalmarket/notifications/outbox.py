"""The e-mail side of the notification outbox.

``send_pending`` takes a batch of due rows and sends them:

1. **Claim** (one short transaction): pending rows whose next attempt is due and that no live worker
   holds are locked (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite's single writer, as write
   transactions begin ``IMMEDIATE``) and stamped with this batch's random token. Rows of users who do
   not receive that kind by e-mail, or whose account is closed, are marked ``skipped`` instead.
2. **Send** outside any transaction, so a slow mail server never holds a lock the web app waits for.
3. **Record** each result in its own transaction, only where the row still carries this batch's token:
   ``sent``, or a failed attempt with its error and the time of the next one (exponential backoff).

A worker that stops between 2 and 3 leaves claims older than ``CLAIM_LEASE``; another worker takes the
rows again then. Nothing is ever given up: a row stays pending until a server accepts it.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy import and_, case, or_, select, update

from ..accounts.tables import User
from ..core.database import Database
from ..core.notifications import MailStatus, Notification
from ..core.settings import Settings
from ..core.tables import utcnow
from .mailer import Sender, compose, sender_for
from .preferences import choices_of
from .rules import CLAIM_LEASE, MAX_ERROR_LENGTH, retry_delay

log = logging.getLogger("digitalmarket.mail")

DEFAULT_BATCH = 50


@dataclass
class Batch:
    """What one call did: ids sent, failed (to be retried) and skipped."""

    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)

    @property
    def claimed(self) -> int:
        return len(self.sent) + len(self.failed)


@dataclass(frozen=True)
class Claimed:
    id: int
    attempts: int
    mail: EmailMessage


def _due(now: datetime):
    return and_(
        Notification.mail_status == MailStatus.PENDING,
        or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now),
        or_(Notification.claimed_at.is_(None), Notification.claimed_at < now - CLAIM_LEASE),
    )


def claim(db: Database, settings: Settings, token: str, now: datetime, limit: int) -> tuple[list[Claimed], list[int]]:
    """Claim up to ``limit`` due rows for the batch ``token``; returns their e-mails and the ids skipped."""
    claimed, skipped = [], []
    with db.transaction() as session:
        query = (
            select(Notification)
            .where(_due(now))
            .order_by(Notification.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        for row in session.scalars(query).all():
            if row.to_email is not None:
                claimed.append(_claim_account_mail(session, settings, row, token, now))
                continue
            user = session.get(User, row.user_id)
            choices = choices_of(session, row.user_id)
            if user is None or not user.is_active or not choices.wants(row.kind):
                row.mail_status = MailStatus.SKIPPED
                row.claimed_at = row.claim_token = None
                skipped.append(row.id)
                continue
            row.claimed_at = now
            row.claim_token = token
            mail = compose(
                notification_id=row.id,
                message=row.text,
                link=row.link,
                to_email=user.email,
                to_name=user.name,
                language=choices.language,
                settings=settings,
            )
            claimed.append(Claimed(row.id, row.attempts, mail))
    return claimed, skipped


def _claim_account_mail(session, settings: Settings, row: Notification, token: str, now: datetime) -> Claimed:
    """An account e-mail (a password reset link, an invitation) goes to its address whatever the e-mail
    choices, greeting the account's holder by name when the address has one."""
    holder = session.scalar(select(User).where(User.email == row.to_email))
    row.claimed_at = now
    row.claim_token = token
    mail = compose(
        notification_id=row.id,
        message=row.text,
        link=row.link,
        to_email=row.to_email,
        to_name=holder.name if holder is not None else row.to_email,
        language=row.language or "ko",
        settings=settings,
    )
    return Claimed(row.id, row.attempts, mail)


def _record_sent(db: Database, item: Claimed, token: str, now: datetime) -> None:
    with db.transaction() as session:
        session.execute(
            update(Notification)
            .where(Notification.id == item.id, Notification.claim_token == token)
            .values(
                mail_status=MailStatus.SENT,
                emailed_at=utcnow(),
                attempts=item.attempts + 1,
                last_error=None,
                next_attempt_at=None,
                claimed_at=None,
                claim_token=None,
                # the link of an account e-mail is a secret: forgotten once the mail is sent
                link=case((Notification.to_email.is_(None), Notification.link), else_=None),
            )
        )


def _record_failure(db: Database, item: Claimed, token: str, now: datetime, error: BaseException) -> None:
    attempts = item.attempts + 1
    problem = f"{type(error).__name__}: {error}"[:MAX_ERROR_LENGTH]
    with db.transaction() as session:
        session.execute(
            update(Notification)
            .where(Notification.id == item.id, Notification.claim_token == token)
            .values(
                attempts=attempts,
                last_error=problem,
                next_attempt_at=now + retry_delay(attempts),
                claimed_at=None,
                claim_token=None,
            )
        )
    log.warning("E-mail of notification %s failed (attempt %s): %s", item.id, attempts, problem)


def send_pending(
    db: Database,
    settings: Settings,
    *,
    sender: Sender | None = None,
    now: datetime | None = None,
    limit: int = DEFAULT_BATCH,
) -> Batch:
    """Send one batch of due e-mails; call again while it returns a full batch."""
    now = now or utcnow()
    token = secrets.token_hex(16)
    claimed, skipped = claim(db, settings, token, now, limit)
    batch = Batch(skipped=skipped)
    if not claimed:
        return batch
    sender = sender or sender_for(settings)
    try:
        connection = sender.__enter__()
    except Exception as error:  # noqa: BLE001 - the server is down or refuses us: every mail waits
        for item in claimed:
            _record_failure(db, item, token, now, error)
            batch.failed.append(item.id)
        return batch
    try:
        for item in claimed:
            try:
                connection.send(item.mail)
            except Exception as error:  # noqa: BLE001 - this mail waits; the others go on
                _record_failure(db, item, token, now, error)
                batch.failed.append(item.id)
            else:
                _record_sent(db, item, token, now)
                batch.sent.append(item.id)
    finally:
        with contextlib.suppress(Exception):  # closing a connection that is gone already
            sender.__exit__(None, None, None)
    return batch


def drain(db: Database, settings: Settings, *, sender: Sender | None = None, now: datetime | None = None) -> Batch:
    """Send every due e-mail, batch after batch, until none is left that is due now."""
    total = Batch()
    while True:
        batch = send_pending(db, settings, sender=sender, now=now)
        total.sent += batch.sent
        total.failed += batch.failed
        total.skipped += batch.skipped
        if batch.claimed + len(batch.skipped) < DEFAULT_BATCH:
            return total


def pending_count(db: Database) -> int:
    from sqlalchemy import func

    with db.reading() as session:
        query = select(func.count()).where(Notification.mail_status == MailStatus.PENDING)
        return session.scalar(query) or 0
