"""Daily reminders (alerts), each sent once: who must act before a deadline is told, once per threshold.

Each job (`deadline_alerts`, `waiting_alerts`) takes the session of its own transaction and the day it
runs for (``today``, in KST), so tests and operators can run any day. A reminder is sent once per (kind,
object, threshold): the ``alerts_sent`` row is written in the same transaction as the notification, and
its unique constraint stops a second one, however often the job runs and however many run at once. The
object key carries the deadline itself (``service:12:2026-08-31``), so a renewed certificate or an
extended order starts afresh. `daily.run_daily` runs the jobs.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..accounts.tables import User
from ..core.i18n import Text
from ..core.notifications import notify
from .tables import AlertSent


def once(session: Session, kind: str, object_key: str, threshold: str, today: date) -> bool:
    """Reserve the reminder (kind, object, threshold); False when it was sent before. The row belongs to
    the caller's transaction, as the notification does."""
    taken = select(AlertSent.id).where(
        AlertSent.kind == kind, AlertSent.object_key == object_key, AlertSent.threshold == threshold
    )
    if session.scalar(taken) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(AlertSent(kind=kind, object_key=object_key, threshold=threshold, sent_on=today))
            session.flush()
    except IntegrityError:  # another run got there first
        return False
    return True


def alert(
    session: Session,
    today: date,
    *,
    kind: str,
    object_key: str,
    threshold: str,
    messages: Iterable[tuple[Iterable[int], Text, str]],
) -> int:
    """Send the messages (recipients, text, link) of one reminder unless it went out before."""
    if not once(session, kind, object_key, threshold, today):
        return 0
    return sum(notify(session, users, text, link, kind="alert") for users, text, link in messages)


def active_users(session: Session, *, role: str | None = None, organisation_id: int | None = None) -> list[int]:
    query = select(User.id).where(User.is_active)
    if role is not None:
        query = query.where(User.role == role)
    if organisation_id is not None:
        query = query.where(User.organisation_id == organisation_id)
    return list(session.scalars(query))
