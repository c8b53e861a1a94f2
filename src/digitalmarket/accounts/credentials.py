"""Use cases of credentials: log-in and lock-out, browser sessions, password changes (API tokens: `api_tokens`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import NotFound, TooManyAttempts, ValidationFailed
from ..core.i18n import N_
from ..core.settings import session_idle_minutes
from ..core.tables import utcnow
from . import rules
from .api_tokens import revoke_tokens_of_user
from .checks import fail_if
from .permissions import Actor
from .secrets import hash_password, new_token, spend_verification_time, token_digest, verify_password
from .tables import User, WebSession

LOCKOUT = rules.LockoutPolicy()
ADDRESS_LIMIT = rules.AddressLimit()
SESSION_LIFETIME = timedelta(days=14)  # the longest a browser stays signed in, however active
SESSION_TOUCH_RESOLUTION = timedelta(minutes=1)  # a session's idle deadline moves at most once a minute
PASSWORD_CHECKS = rules.LockoutPolicy()  # wrong current passwords on the password change, like log-ins


def session_idle() -> timedelta:
    """How long a browser stays signed in without a request (``DM_SESSION_IDLE_MINUTES``, 2 hours)."""
    return timedelta(minutes=session_idle_minutes())


def failed_logins_from(session: Session, address: str, now: datetime) -> int:
    """Failed log-ins from this address within the limit's window, counted from the audit trail."""
    return attempts_from(session, "account.login_failed", address, now)


def attempts_from(session: Session, action: str, address: str, now: datetime) -> int:
    """Audit events of ``action`` from this network address within the address limit's window."""
    return session.scalar(
        select(func.count())
        .select_from(audit.AuditEvent)
        .where(
            audit.AuditEvent.action == action,
            audit.AuditEvent.occurred_at >= ADDRESS_LIMIT.window_start(now),
            audit.AuditEvent.occurred_at <= now,
            audit.AuditEvent.details["address"].as_string() == address,
        )
    )


def authenticate(
    session: Session, email: str, password: str, now: datetime | None = None, address: str | None = None
) -> User:
    """Check a log-in. Failures are counted and audited with the caller's address; 5 in a row lock the
    account for 15 minutes, and 20 from one address within 15 minutes refuse that address whatever the account.

    The caller must commit even when this raises, so that the failure count is kept.
    """
    now = now or utcnow()
    email = rules.normalise_email(email)
    origin = {"address": address} if address else {}
    if address and ADDRESS_LIMIT.is_limited(failed_logins_from(session, address, now)):
        audit.record(
            session,
            actor_user_id=None,
            action="account.login_failed",
            object_type="user",
            object_id="unknown",
            details={"reason": "address_limited", **origin},
        )
        raise TooManyAttempts(
            N_(
                "Too many failed log-ins from your network address. Try again in %(minutes)s minutes.",
                minutes=ADDRESS_LIMIT.window_minutes,
            )
        )
    user = session.scalar(select(User).where(User.email == email)) if email else None
    if user is None or not user.is_active:
        spend_verification_time(password or "")
        audit.record(
            session,
            actor_user_id=None,
            action="account.login_failed",
            object_type="user",
            object_id="unknown",
            details={"reason": "unknown_email", **origin},
        )
        raise ValidationFailed(N_("The e-mail address or password is not correct."))
    if LOCKOUT.is_locked(user.locked_until, now):
        spend_verification_time(password or "")
        audit.record(
            session,
            actor_user_id=user.id,
            action="account.login_failed",
            object_type="user",
            object_id=user.id,
            details={"reason": "locked", **origin},
        )
        raise TooManyAttempts(
            N_(
                "This account is locked for %(minutes)s minutes after %(count)s failed log-ins.",
                minutes=LOCKOUT.lock_minutes,
                count=LOCKOUT.max_failures,
            )
        )
    if not verify_password(user.password_hash, password or ""):
        user.failed_logins, user.locked_until = LOCKOUT.after_failure(user.failed_logins, now)
        audit.record(
            session,
            actor_user_id=user.id,
            action="account.login_failed",
            object_type="user",
            object_id=user.id,
            details={"reason": "wrong_password", "locked": user.locked_until is not None, **origin},
        )
        raise ValidationFailed(N_("The e-mail address or password is not correct."))
    user.failed_logins, user.locked_until = 0, None
    audit.record(session, actor_user_id=user.id, action="account.logged_in", object_type="user", object_id=user.id)
    return user


def start_web_session(
    session: Session, user: User, now: datetime | None = None, *, replacing: str | None = None
) -> str:
    """A new session token for the browser cookie (a fresh one at every log-in). The session the browser
    presented (``replacing``: its cookie), whoever's it was, ends: one browser, one session. The session
    ends after `session_idle` without a request, and after `SESSION_LIFETIME` in any case."""
    now = now or utcnow()
    if replacing:
        end_web_session(session, replacing)
    token = new_token("dms")
    expires = min(now + session_idle(), now + SESSION_LIFETIME)
    session.add(WebSession(token_hash=token_digest(token), user_id=user.id, created_at=now, expires_at=expires))
    return token


def end_web_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == token_digest(token)))


def user_for_session(session: Session, token: str, now: datetime | None = None) -> User | None:
    found = session_and_user(session, token, now)
    return found[1] if found else None


def session_and_user(session: Session, token: str, now: datetime | None = None) -> tuple[WebSession, User] | None:
    """The live browser session of this cookie and its active user: neither idle past its deadline nor
    older than `SESSION_LIFETIME`."""
    now = now or utcnow()
    row = session.scalar(select(WebSession).where(WebSession.token_hash == token_digest(token)))
    if row is None or row.expires_at <= now or row.created_at + SESSION_LIFETIME <= now:
        return None
    user = session.get(User, row.user_id)
    return (row, user) if user is not None and user.is_active else None


def session_use_is_stale(row: WebSession, now: datetime | None = None) -> bool:
    """Whether a request should move the session's idle deadline (at most once a minute, so reads stay
    reads)."""
    now = now or utcnow()
    deadline = min(now + session_idle(), row.created_at + SESSION_LIFETIME)
    return deadline - row.expires_at >= SESSION_TOUCH_RESOLUTION


def touch_web_session(session: Session, session_id: int, now: datetime | None = None) -> None:
    """A request came: the session lives `session_idle` from now, never past its absolute lifetime."""
    now = now or utcnow()
    row = session.get(WebSession, session_id)
    if row is not None:
        row.expires_at = min(now + session_idle(), row.created_at + SESSION_LIFETIME)


def change_password(session: Session, actor: Actor, current: str, new: str, *, keep_api_tokens: bool = False) -> int:
    """A new password signs every browser of this user out and revokes their API tokens, unless asked to
    keep them; returns how many tokens were revoked."""
    user = session.get(User, actor.user_id)
    if user is None:
        raise NotFound()
    refuse_password_guessing(session, user)
    if not verify_password(user.password_hash, current or ""):
        audit.record(
            session,
            actor_user_id=user.id,
            action="account.password_check_failed",
            object_type="user",
            object_id=user.id,
        )  # kept when the caller commits the failure (the page does), and counted
        raise ValidationFailed(fields={"current_password": N_("The current password is not correct.")})
    fail_if({"new_password": rules.password_problem(new, (user.email, user.name))})
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    revoked = 0 if keep_api_tokens else revoke_tokens_of_user(session, user.id)
    audit.record(
        session,
        actor_user_id=user.id,
        action="account.password_changed",
        object_type="user",
        object_id=user.id,
        details={"api_tokens_revoked": revoked},
    )
    return revoked


def refuse_password_guessing(session: Session, user: User, now: datetime | None = None) -> None:
    """Five wrong current passwords on the password change within 15 minutes refuse it for 15 minutes, as
    failed log-ins lock an account: a stolen session cannot guess the password at leisure."""
    now = now or utcnow()
    since = now - timedelta(minutes=PASSWORD_CHECKS.lock_minutes)
    failures = session.scalar(
        select(func.count())
        .select_from(audit.AuditEvent)
        .where(
            audit.AuditEvent.action == "account.password_check_failed",
            audit.AuditEvent.object_type == "user",
            audit.AuditEvent.object_id == str(user.id),
            audit.AuditEvent.occurred_at >= since,
        )
    )
    if failures >= PASSWORD_CHECKS.max_failures:
        raise TooManyAttempts(
            N_(
                "The current password was wrong %(count)s times. Try again in %(minutes)s minutes.",
                count=PASSWORD_CHECKS.max_failures,
                minutes=PASSWORD_CHECKS.lock_minutes,
            )
        )
