"""What the use cases of accounts check alike: a form's problems, raised together so that each shows next to
its field; a choice among the options; an e-mail address already in use; and a unique index lost to a
concurrent writer, which is a conflict, not a crash."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..core.errors import Conflict, ValidationFailed
from ..core.i18n import N_, Text
from .tables import User

#: The longest address (주소) an organisation keeps.
MAX_ADDRESS = 300


def fail_if(problems: dict[str, Text | None]) -> None:
    found = {name: text for name, text in problems.items() if text is not None}
    if found:
        raise ValidationFailed(fields=found)


def _choice_problem(value: str | None, choices: type) -> Text | None:
    allowed = [c.value for c in choices]
    if value not in allowed:  # named, for a caller of the API who sees no list to choose from
        return N_("Choose one of: %(choices)s.", choices=", ".join(allowed))
    return None


def _email_taken(session: Session, email: str) -> bool:
    return session.scalar(select(User.id).where(User.email == email)) is not None


def _flush_or_conflict(session: Session) -> None:
    """A unique index lost to a concurrent writer is a conflict, not a crash."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as error:
        raise Conflict(N_("Some details are already registered.")) from error
