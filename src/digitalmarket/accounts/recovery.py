"""비밀번호 찾기: a password reset link by e-mail, usable once within an hour.

Asking for a link always gets the same answer, whether an account has that address or not, so the form
tells nobody who has an account; the link goes out through the outbox in the same transaction
(`core.notifications.mail_to`). Only the link's SHA-256 is stored. Setting the new password marks the
link used, makes every other link of the account useless, and signs every browser of the account out,
as a password change does.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import TooManyAttempts, ValidationFailed
from ..core.i18n import N_
from ..core.notifications import mail_to
from ..core.tables import utcnow
from . import rules
from .api_tokens import revoke_tokens_of_user
from .checks import fail_if
from .credentials import ADDRESS_LIMIT, attempts_from
from .secrets import hash_password, new_token, token_digest
from .tables import PasswordReset, User, WebSession

#: What the asker reads, whether or not an account has the address.
REQUEST_ANSWER = N_("If an account is registered with that address, we have sent it a link to set a new password.")
RESET_MAIL = N_(
    "Set a new password for your account with the link below. The link works once, within %(minutes)s "
    "minutes. If you did not ask for it, you can ignore this e-mail.",
    minutes=int(rules.RESET_LINK_LIFETIME.total_seconds() // 60),
)
RESET_PATH = "/password-reset/"


def _requests_from(session: Session, address: str, now: datetime) -> int:
    return attempts_from(session, "account.password_reset_requested", address, now)


def request_password_reset(
    session: Session, email: str, *, language: str, address: str | None = None, now: datetime | None = None
) -> None:
    """Send a reset link to an active account with this address, if there is one (at most
    `RESET_LINKS_PER_ACCOUNT` an hour); the caller answers `REQUEST_ANSWER` either way."""
    now = now or utcnow()
    email = rules.normalise_email(email)
    fail_if({"email": rules.email_problem(email)})
    origin = {"address": address} if address else {}
    if address and ADDRESS_LIMIT.is_limited(_requests_from(session, address, now)):
        raise TooManyAttempts(
            N_(
                "Too many requests from your network address. Try again in %(minutes)s minutes.",
                minutes=ADDRESS_LIMIT.window_minutes,
            )
        )
    user = session.scalar(select(User).where(User.email == email))
    sent = False
    if user is not None and user.is_active:
        recent = session.scalar(
            select(func.count())
            .select_from(PasswordReset)
            .where(PasswordReset.user_id == user.id, PasswordReset.created_at > now - rules.RESET_LINK_LIFETIME)
        )
        if recent < rules.RESET_LINKS_PER_ACCOUNT:
            token = new_token("dmr")
            session.add(
                PasswordReset(
                    user_id=user.id,
                    token_hash=token_digest(token),
                    created_at=now,
                    expires_at=now + rules.RESET_LINK_LIFETIME,
                )
            )
            mail_to(session, user.email, RESET_MAIL, RESET_PATH + token, language=language)
            sent = True
    audit.record(
        session,
        actor_user_id=None,
        action="account.password_reset_requested",
        object_type="user",
        object_id=user.id if user is not None else "unknown",
        details={"sent": sent, **origin},
    )


def _reset_of(session: Session, token: str) -> PasswordReset | None:
    if not token or len(token) > 100:
        return None
    return session.scalar(select(PasswordReset).where(PasswordReset.token_hash == token_digest(token)))


def reset_link_problem(session: Session, token: str, now: datetime | None = None):
    """Why this link cannot set a password (unknown, used, expired, the account closed), or None."""
    now = now or utcnow()
    reset = _reset_of(session, token)
    if reset is None:
        return N_("This link is not valid.")
    user = session.get(User, reset.user_id)
    if user is None or not user.is_active:
        return N_("This link is not valid.")
    return rules.link_problem(reset.expires_at, reset.used_at, now)


def reset_password(session: Session, token: str, password: str, now: datetime | None = None) -> User:
    """Set a new password with a live link: the link is spent, the account's other links too, every
    browser of the account is signed out and its API tokens are revoked."""
    now = now or utcnow()
    problem = reset_link_problem(session, token, now)
    if problem is not None:
        raise ValidationFailed(problem)
    reset = _reset_of(session, token)
    user = session.get(User, reset.user_id)
    fail_if({"password": rules.password_problem(password, (user.email, user.name))})
    spent = session.execute(
        update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:  # another request used it a moment ago
        raise ValidationFailed(N_("This link has been used already."))
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    user.failed_logins, user.locked_until = 0, None
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    revoked = revoke_tokens_of_user(session, user.id)  # whoever had the old password may have made tokens
    audit.record(
        session,
        actor_user_id=user.id,
        action="account.password_reset",
        object_type="user",
        object_id=user.id,
        details={"reset_id": reset.id, "api_tokens_revoked": revoked},
    )
    return user
