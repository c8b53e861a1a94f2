"""Colleagues: an organisation's own administrator (조직 관리자) invites colleagues by e-mail and removes
them; the system administrator finds any user and closes or reopens the account.

An invitation is a link (stored as its SHA-256) that works once within 7 days: the invitee sets a name and
a password and joins with the organisation's role. A removed (deactivated) user cannot sign in, and their
browsers and API tokens stop working at once. Another organisation's users are never visible (404).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from ..core.i18n import N_
from ..core.notifications import mail_to
from ..core.tables import utcnow
from . import rules
from .checks import _email_taken, _flush_or_conflict, fail_if
from .permissions import Actor
from .rules import OrganisationKind
from .secrets import hash_password, new_token, token_digest
from .tables import ApiToken, Invitation, Organisation, User, WebSession

INVITATION_PATH = "/invitations/"
INVITATION_MAIL = N_(
    "%(inviter)s invites you to %(organisation)s on the digital service market. Set your name and password "
    "with the link below within %(days)s days.",
)


# --- who is an organisation administrator --------------------------------------------------------------


def _admin_user(session: Session, actor: Actor) -> User:
    """The caller, who must be an active administrator of their organisation."""
    user = session.get(User, actor.user_id)
    if user is None or not user.is_active or not user.is_org_admin:
        raise PermissionDenied(N_("Only an administrator of your organisation can do this."))
    return user


def is_org_admin(session: Session, actor: Actor) -> bool:
    user = session.get(User, actor.user_id)
    return bool(user and user.is_active and user.is_org_admin)


def colleagues_of(session: Session, actor: Actor) -> list[User]:
    """Everyone of the caller's organisation, active first, by name."""
    query = select(User).where(User.organisation_id == actor.organisation_id)
    return list(session.scalars(query.order_by(User.is_active.desc(), User.name, User.id)))


def pending_invitations(session: Session, actor: Actor, now: datetime | None = None) -> list[Invitation]:
    """The organisation's invitations not yet accepted, withdrawn or expired."""
    now = now or utcnow()
    query = select(Invitation).where(
        Invitation.organisation_id == actor.organisation_id,
        Invitation.accepted_at.is_(None),
        Invitation.withdrawn_at.is_(None),
        Invitation.expires_at > now,
    )
    return list(session.scalars(query.order_by(Invitation.id.desc())))


# --- invitations -------------------------------------------------------------------------------------------------


def invite_colleague(
    session: Session, actor: Actor, email: str, *, language: str, now: datetime | None = None
) -> Invitation:
    """An organisation administrator invites a colleague by e-mail; inviting an address again replaces its
    earlier invitation. The e-mail goes out through the outbox in this transaction."""
    now = now or utcnow()
    inviter = _admin_user(session, actor)
    email = rules.normalise_email(email)
    fail_if({"email": rules.email_problem(email)})
    if _email_taken(session, email):
        raise Conflict(
            N_("Some details are already registered."),
            fields={"email": N_("An account with this e-mail address already exists.")},
        )
    org = session.get(Organisation, actor.organisation_id)
    session.execute(
        update(Invitation)
        .where(
            Invitation.organisation_id == org.id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.withdrawn_at.is_(None),
        )
        .values(withdrawn_at=now)
        .execution_options(synchronize_session=False)
    )
    token = new_token("dmi")
    invitation = Invitation(
        organisation_id=org.id,
        email=email,
        role=rules.INVITED_ROLE[OrganisationKind(org.kind)],
        token_hash=token_digest(token),
        invited_by=inviter.id,
        created_at=now,
        expires_at=now + rules.INVITATION_LIFETIME,
    )
    session.add(invitation)
    session.flush()
    message = N_(
        INVITATION_MAIL.msgid, inviter=inviter.name, organisation=org.name, days=rules.INVITATION_LIFETIME.days
    )
    mail_to(session, email, message, INVITATION_PATH + token, language=language)
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="account.colleague_invited",
        object_type="invitation",
        object_id=invitation.id,
        details={"organisation_id": org.id, "email": email, "role": invitation.role},
    )
    return invitation


def withdraw_invitation(session: Session, actor: Actor, invitation_id: int) -> None:
    """An organisation administrator withdraws an invitation not yet accepted (a wrong address, say):
    its link stops working at once."""
    _admin_user(session, actor)
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.organisation_id != actor.organisation_id:
        raise NotFound()
    if invitation.accepted_at is not None:
        raise Conflict(N_("This invitation has been accepted already; remove the colleague instead."))
    if invitation.withdrawn_at is not None:
        return
    invitation.withdrawn_at = utcnow()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="account.invitation_withdrawn",
        object_type="invitation",
        object_id=invitation.id,
        details={"organisation_id": invitation.organisation_id, "email": invitation.email},
    )


def _invitation_of(session: Session, token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return session.scalar(select(Invitation).where(Invitation.token_hash == token_digest(token)))


def open_invitation(session: Session, token: str, now: datetime | None = None) -> Invitation:
    """The invitation of a live link; ValidationFailed says why a link no longer works."""
    now = now or utcnow()
    invitation = _invitation_of(session, token)
    if invitation is None or invitation.withdrawn_at is not None:
        raise ValidationFailed(N_("This link is not valid."))
    problem = rules.link_problem(invitation.expires_at, invitation.accepted_at, now)
    if problem is not None:
        raise ValidationFailed(problem)
    return invitation


def organisation_name(session: Session, invitation: Invitation) -> str:
    return session.get(Organisation, invitation.organisation_id).name


@dataclass
class Acceptance:
    token: str
    name: str
    password: str


def check_acceptance(form: Acceptance) -> None:
    """ValidationFailed naming every problem of the name and the password."""
    fail_if(
        {
            "name": rules.required_text_problem(form.name, 100),
            "password": rules.password_problem(form.password, (form.name,)),
        }
    )


def accept_invitation(session: Session, form: Acceptance, now: datetime | None = None) -> User:
    """The invitee sets a name and a password and joins the organisation with its role."""
    now = now or utcnow()
    invitation = open_invitation(session, form.token, now)
    check_acceptance(form)
    if _email_taken(session, invitation.email):
        raise Conflict(N_("An account with this e-mail address already exists."))
    spent = session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None))
        .values(accepted_at=now)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        raise ValidationFailed(N_("This link has been used already."))
    user = User(
        organisation_id=invitation.organisation_id,
        email=invitation.email,
        name=form.name.strip(),
        role=invitation.role,
        password_hash=hash_password(form.password),
    )
    session.add(user)
    _flush_or_conflict(session)
    session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id)
        .values(user_id=user.id)
        .execution_options(synchronize_session=False)
    )
    audit.record(
        session,
        actor_user_id=user.id,
        action="account.invitation_accepted",
        object_type="user",
        object_id=user.id,
        details={"invitation_id": invitation.id, "organisation_id": invitation.organisation_id, "role": user.role},
    )
    return user


# --- removing and reopening accounts -------------------------------------------------------------------------


def _close(session: Session, user: User, now: datetime) -> None:
    """A closed account cannot sign in; its browsers are signed out and its API tokens revoked."""
    user.is_active = False
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )


def _active_admins(session: Session, organisation_id: int) -> int:
    query = select(func.count()).where(
        User.organisation_id == organisation_id, User.is_active, User.is_org_admin.is_(True)
    )
    return session.scalar(query) or 0


def remove_colleague(session: Session, actor: Actor, user_id: int) -> User:
    """An organisation administrator removes (deactivates) a colleague of the same organisation."""
    _admin_user(session, actor)
    user = session.get(User, user_id)
    if user is None or user.organisation_id != actor.organisation_id:
        raise NotFound()
    if not user.is_active:
        return user
    problem = rules.removal_problem(
        actor.user_id, user.id, user.is_org_admin, _active_admins(session, user.organisation_id)
    )
    if problem is not None:
        raise Conflict(problem)
    _close(session, user, utcnow())
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="account.deactivated",
        object_type="user",
        object_id=user.id,
        details={"by": "organisation_admin"},
    )
    return user


def set_active(session: Session, actor: Actor, user_id: int, active: bool) -> User:
    """The system administrator closes (deactivates) or reopens any account but their own."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    if user.id == actor.user_id:
        raise Conflict(N_("You cannot deactivate your own account."))
    if user.is_active == active:
        return user
    if active:
        user.is_active = True
        user.failed_logins, user.locked_until = 0, None
    else:
        _close(session, user, utcnow())
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="account.reactivated" if active else "account.deactivated",
        object_type="user",
        object_id=user.id,
        details={"by": "admin"},
    )
    return user


def set_org_admin(session: Session, actor: Actor, user_id: int, is_admin: bool) -> User:
    """The system administrator makes an active user an administrator of their organisation, or not."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    if user.is_org_admin == is_admin:
        return user
    if is_admin and not user.is_active:
        raise Conflict(N_("A deactivated account cannot administer its organisation."))
    user.is_org_admin = is_admin
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="account.org_admin_set",
        object_type="user",
        object_id=user.id,
        details={"is_org_admin": is_admin},
    )
    return user


def search_users(session: Session, query: str = "", limit: int = 200) -> list[User]:
    """Users whose name, e-mail address or organisation contains the words (all of them), by id."""
    statement = select(User).join(Organisation, Organisation.id == User.organisation_id)
    for word in (query or "").split()[:5]:
        escaped = word.lower()[:100].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        statement = statement.where(
            or_(
                func.lower(User.name).like(pattern, escape="\\"),
                func.lower(User.email).like(pattern, escape="\\"),
                func.lower(Organisation.name).like(pattern, escape="\\"),
            )
        )
    return list(session.scalars(statement.order_by(User.id).limit(limit)))
