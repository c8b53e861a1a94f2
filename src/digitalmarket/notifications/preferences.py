"""Use cases of e-mail choices: what a user receives by e-mail, and in which language."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ..accounts.permissions import Actor
from ..core import audit
from ..core.errors import Conflict, ValidationFailed
from ..core.i18n import DEFAULT_LOCALE
from ..core.notifications import NOTIFICATION_KINDS
from ..core.tables import utcnow
from .rules import clean_choices
from .tables import NotificationPreference


@dataclass(frozen=True)
class Choices:
    """A user's e-mail choices as the pages and the API show them; ``version`` 0 means never saved."""

    email_kinds: tuple[str, ...]
    language: str
    version: int

    def wants(self, kind: str) -> bool:
        return kind in self.email_kinds


def choices_of(session: Session, user_id: int) -> Choices:
    row = session.get(NotificationPreference, user_id)
    if row is None:
        return Choices(NOTIFICATION_KINDS, DEFAULT_LOCALE, 0)
    off = set(row.email_off or [])
    return Choices(tuple(k for k in NOTIFICATION_KINDS if k not in off), row.language, row.version)


def save_choices(session: Session, actor: Actor, email_kinds: Iterable[str], language: str, version: int) -> Choices:
    """Replace the caller's choices. ``version`` is the one the caller read (0 before the first save);
    someone else's save in between is a 409."""
    email_off, language, problems = clean_choices(email_kinds, language)
    if problems:
        raise ValidationFailed(fields=problems)
    row = session.get(NotificationPreference, actor.user_id)
    if (row.version if row else 0) != version:
        raise Conflict()
    before = None
    if row is None:
        row = NotificationPreference(user_id=actor.user_id, email_off=email_off, language=language)
        session.add(row)
    else:
        before = {"email_off": list(row.email_off or []), "language": row.language}
        row.email_off = email_off
        row.language = language
        row.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="notification_preferences.saved",
        object_type="user",
        object_id=actor.user_id,
        details={"email_off": email_off, "language": language, "before": before},
    )
    return choices_of(session, actor.user_id)
