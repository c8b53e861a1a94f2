"""Use cases of API tokens: create one with scopes and an expiry, list, revoke, rotate, and find the caller.

The plain token is returned once, at its creation or rotation, and never stored (only its SHA-256).
A user manages their own tokens; an organisation's administrator (조직 관리자) also sees and revokes
the tokens of their organisation's users. A password change revokes the user's tokens unless asked to
keep them (`credentials.change_password`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import NotFound, NotSignedIn
from ..core.i18n import N_
from ..core.tables import utcnow
from . import rules, token_rules
from .checks import fail_if
from .permissions import Actor
from .secrets import new_token, token_digest
from .tables import ApiToken, User


def create_api_token(
    session: Session,
    user: User,
    name: str,
    scopes: list[str] | None = None,
    expires_in_days: int | None = None,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A personal API token with the scopes asked for (by default all its user's role may give) for
    ``expires_in_days`` (90 by default, at most 365)."""
    now = now or utcnow()
    role = rules.Role(user.role)
    scopes = token_rules.normalise_scopes(scopes, role)
    fail_if(
        {
            "name": rules.required_text_problem(name, 100),
            "scopes": token_rules.scope_problem(scopes, role),
            "expires_in_days": token_rules.expiry_problem(expires_in_days),
        }
    )
    plain = new_token("dm")
    token = ApiToken(
        user_id=user.id,
        name=name.strip(),
        prefix=plain[:10],
        token_hash=token_digest(plain),
        scopes=" ".join(scopes),
        created_at=now,
        expires_at=token_rules.expires_at(now, expires_in_days),
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        actor_user_id=user.id,
        action="account.token_created",
        object_type="api_token",
        object_id=token.id,
        details={
            "name": token.name,
            "prefix": token.prefix,
            "scopes": scopes,
            "expires_at": token.expires_at.isoformat(),
        },
    )
    return token, plain


def _manageable(session: Session, actor: Actor, token_id: int) -> ApiToken:
    """A live token of the caller, or of a user of the organisation the caller administers."""
    token = session.get(ApiToken, token_id)
    if token is None or token.revoked_at is not None:
        raise NotFound()
    if token.user_id != actor.user_id:
        owner = session.get(User, token.user_id)
        if not actor.is_org_admin or owner is None or owner.organisation_id != actor.organisation_id:
            raise NotFound()
    return token


def revoke_api_token(session: Session, actor: Actor, token_id: int) -> None:
    token = _manageable(session, actor, token_id)
    token.revoked_at = utcnow()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="account.token_revoked",
        object_type="api_token",
        object_id=token.id,
        details={"owner_user_id": token.user_id},
    )


def rotate_api_token(
    session: Session, actor: Actor, token_id: int, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """Revoke a token and give its owner a new one with the same name and scopes (the scopes its user's
    role still permits) and a fresh expiry: as long as the old one was given, unless asked otherwise."""
    old = _manageable(session, actor, token_id)
    if old.user_id != actor.user_id:  # an administrator revokes a colleague's token, but never holds it
        raise NotFound()
    owner = session.get(User, old.user_id)
    now = utcnow()
    if expires_in_days is None and old.expires_at is not None:
        expires_in_days = max(1, min(token_rules.MAX_DAYS, (old.expires_at - old.created_at).days))
    allowed = token_rules.scopes_for_role(rules.Role(owner.role))
    scopes = [s for s in old.scopes.split() if s in allowed] or [token_rules.READ]
    old.revoked_at = now
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="account.token_revoked",
        object_type="api_token",
        object_id=old.id,
        details={"owner_user_id": old.user_id, "rotated": True},
    )
    return create_api_token(session, owner, old.name, scopes, expires_in_days, now)


def revoke_tokens_of_user(session: Session, user_id: int) -> int:
    """Revoke every live token of a user (their password changed); returns how many."""
    now = utcnow()
    result = session.execute(
        update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None)).values(revoked_at=now)
    )
    return result.rowcount or 0


def token_caller(session: Session, plain: str, now: datetime | None = None) -> tuple[ApiToken, User]:
    """The live token and its active user; an unknown, revoked or expired token is refused, each saying so."""
    now = now or utcnow()
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(plain)))
    if token is None:
        raise NotSignedIn(N_("The API token is not valid."))
    if token.revoked_at is not None:
        raise NotSignedIn(N_("The API token has been revoked. Create a new one."))
    if token.expires_at is not None and token.expires_at <= now:
        raise NotSignedIn(N_("The API token has expired. Create a new one or rotate it before it expires."))
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        raise NotSignedIn(N_("The API token is not valid."))
    return token, user


TOKEN_USE_RESOLUTION = timedelta(minutes=10)


def token_use_is_stale(token: ApiToken, now: datetime | None = None) -> bool:
    """Record a token's last use at most every 10 minutes, so reads stay reads."""
    now = now or utcnow()
    return token.last_used_at is None or now - token.last_used_at > TOKEN_USE_RESOLUTION


def touch_api_token(session: Session, token_id: int) -> None:
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utcnow()))


def tokens_of(session: Session, actor: Actor) -> list[ApiToken]:
    """The caller's own tokens, newest first."""
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == actor.user_id).order_by(ApiToken.id.desc())))


def organisation_tokens(session: Session, actor: Actor) -> list[tuple[ApiToken, User]]:
    """Every token of the users of the caller's organisation, with its user (for its administrator)."""
    rows = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(User.organisation_id == actor.organisation_id)
        .order_by(ApiToken.id.desc())
    ).all()
    return [(token, user) for token, user in rows]
