"""User accounts: the caller as an `Actor`, an account an administrator (or the command line) creates in an
organisation, a user's role changed, and the list and count of users. Each runs inside the caller's
transaction: load, ask the rules, write, audit."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.i18n import N_, Text
from . import rules
from .checks import _choice_problem, _email_taken, _flush_or_conflict, fail_if
from .permissions import Actor
from .rules import OrganisationKind, Role
from .secrets import hash_password
from .tables import Organisation, User


def actor_of(user: User) -> Actor:
    org = user.organisation
    return Actor(
        user_id=user.id,
        email=user.email,
        name=user.name,
        role=Role(user.role),
        organisation_id=org.id,
        organisation_name=org.name,
        organisation_kind=org.kind,
        is_org_admin=user.is_org_admin,
    )


@dataclass
class NewUser:
    email: str
    name: str
    role: str
    organisation_id: int | None
    password: str
    is_org_admin: bool = False  # 조직 관리자: invites and removes the organisation's users


def create_user(session: Session, actor: Actor | None, form: NewUser) -> User:
    """An admin (or the command line, with no actor) creates an account in an organisation."""
    email = rules.normalise_email(form.email)
    problems: dict[str, Text | None] = {
        "email": rules.email_problem(email),
        "name": rules.required_text_problem(form.name, 100),
        "role": _choice_problem(form.role, Role),
        "password": rules.password_problem(form.password, (email, form.name)),
    }
    org = session.get(Organisation, form.organisation_id) if form.organisation_id else None
    if org is None:
        problems["organisation_id"] = N_("Choose an organisation.")
    elif problems["role"] is None and not rules.role_fits_organisation(Role(form.role), OrganisationKind(org.kind)):
        problems["role"] = N_("This role does not belong to that kind of organisation.")
    fail_if(problems)
    if _email_taken(session, email):
        raise Conflict(
            N_("Some details are already registered."),
            fields={"email": N_("An account with this e-mail address already exists.")},
        )
    user = User(
        organisation=org,
        email=email,
        name=form.name.strip(),
        role=form.role,
        password_hash=hash_password(form.password),
        is_org_admin=bool(form.is_org_admin),
    )
    session.add(user)
    _flush_or_conflict(session)
    audit.record(
        session,
        actor_user_id=actor.user_id if actor else None,
        action="account.user_created",
        object_type="user",
        object_id=user.id,
        details={"role": form.role, "organisation_id": org.id, "org_admin": bool(form.is_org_admin)},
    )
    return user


def change_role(session: Session, actor: Actor, user_id: int, role: str, version: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    fail_if({"role": _choice_problem(role, Role)})
    if not rules.role_fits_organisation(Role(role), OrganisationKind(user.organisation.kind)):
        raise ValidationFailed(fields={"role": N_("This role does not belong to that kind of organisation.")})
    if user.version != version:
        raise Conflict()
    if user.id == actor.user_id:
        raise Conflict(N_("You cannot change your own role."))
    previous = user.role
    user.role = role
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="account.role_changed",
        object_type="user",
        object_id=user.id,
        details={"from": previous, "to": role},
    )
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.id)))


def count_users(session: Session) -> int:
    return session.scalar(select(func.count(User.id))) or 0
