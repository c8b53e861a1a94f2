"""Use cases of accounts. Each runs inside the caller's transaction: load, ask the rules, write, audit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..core import audit
from ..core.clock import today_kst
from ..core.errors import Conflict, NotFound, TooManyAttempts, ValidationFailed
from ..core.i18n import N_, Text
from ..core.tables import utcnow
from . import rules
from .permissions import STAFF, Actor
from .rules import AgencyKind, OrganisationKind, Role, SupplierSize
from .secrets import (
    hash_password,
    new_token,
    spend_verification_time,
    token_digest,
    verify_password,
)
from .tables import ApiToken, Organisation, User, WebSession

LOCKOUT = rules.LockoutPolicy()
SESSION_LIFETIME = timedelta(days=14)


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
    )


def _fail_if(problems: dict[str, Text | None]) -> None:
    found = {name: text for name, text in problems.items() if text is not None}
    if found:
        raise ValidationFailed(fields=found)


def _choice_problem(value: str | None, choices: type) -> Text | None:
    if value not in {c.value for c in choices}:
        return N_("Choose one of the options.")
    return None


# --- sign-up and user administration ---------------------------------------------------------------


@dataclass
class SupplierSignUp:
    """A company signs itself up: the company and its first user."""

    business_number: str
    company_name: str
    representative: str
    size: str
    name: str
    email: str
    password: str
    credit_rating: str = ""
    contact_phone: str = ""


def sign_up_supplier(session: Session, form: SupplierSignUp) -> User:
    number = rules.normalise_business_number(form.business_number)
    email = rules.normalise_email(form.email)
    problems = {
        "business_number": None
        if rules.is_valid_business_number(number)
        else N_("Enter a valid 10-digit business registration number (e.g. 120-81-47521)."),
        "company_name": rules.required_text_problem(form.company_name),
        "representative": rules.required_text_problem(form.representative, 100),
        "size": _choice_problem(form.size, SupplierSize),
        "name": rules.required_text_problem(form.name, 100),
        "email": rules.email_problem(email),
        "password": rules.password_problem(form.password),
    }
    _fail_if(problems)
    duplicates = {}
    if session.scalar(select(Organisation.id).where(Organisation.business_number == number)):
        duplicates["business_number"] = N_("A company with this business registration number already exists.")
    if _email_taken(session, email):
        duplicates["email"] = N_("An account with this e-mail address already exists.")
    if duplicates:
        raise Conflict(N_("Some details are already registered."), fields=duplicates)
    org = Organisation(
        kind=OrganisationKind.SUPPLIER,
        name=form.company_name.strip(),
        business_number=number,
        representative=form.representative.strip(),
        size=form.size,
        credit_rating=form.credit_rating.strip() or None,
        contact_phone=form.contact_phone.strip() or None,
        contact_email=email,
    )
    user = User(
        organisation=org,
        email=email,
        name=form.name.strip(),
        role=Role.SUPPLIER,
        password_hash=hash_password(form.password),
    )
    session.add_all([org, user])
    _flush_or_conflict(session)
    audit.record(
        session,
        actor_user_id=user.id,
        action="account.signed_up",
        object_type="organisation",
        object_id=org.id,
        details={"business_number": number, "user_id": user.id},
    )
    return user


def _email_taken(session: Session, email: str) -> bool:
    return session.scalar(select(User.id).where(User.email == email)) is not None


def _flush_or_conflict(session: Session) -> None:
    """A unique index lost to a concurrent writer is a conflict, not a crash."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as error:
        raise Conflict(N_("Some details are already registered.")) from error


@dataclass
class NewUser:
    email: str
    name: str
    role: str
    organisation_id: int | None
    password: str


def create_user(session: Session, actor: Actor | None, form: NewUser) -> User:
    """An admin (or the command line, with no actor) creates an account in an organisation."""
    email = rules.normalise_email(form.email)
    problems: dict[str, Text | None] = {
        "email": rules.email_problem(email),
        "name": rules.required_text_problem(form.name, 100),
        "role": _choice_problem(form.role, Role),
        "password": rules.password_problem(form.password),
    }
    org = session.get(Organisation, form.organisation_id) if form.organisation_id else None
    if org is None:
        problems["organisation_id"] = N_("Choose an organisation.")
    elif problems["role"] is None and not rules.role_fits_organisation(Role(form.role), OrganisationKind(org.kind)):
        problems["role"] = N_("This role does not belong to that kind of organisation.")
    _fail_if(problems)
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
    )
    session.add(user)
    _flush_or_conflict(session)
    audit.record(
        session,
        actor_user_id=actor.user_id if actor else None,
        action="account.user_created",
        object_type="user",
        object_id=user.id,
        details={"role": form.role, "organisation_id": org.id},
    )
    return user


def change_role(session: Session, actor: Actor, user_id: int, role: str, version: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    _fail_if({"role": _choice_problem(role, Role)})
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


@dataclass
class NewAgency:
    agency_code: str
    name: str
    agency_kind: str
    contact_phone: str = ""


def create_agency(session: Session, actor: Actor | None, form: NewAgency) -> Organisation:
    code = (form.agency_code or "").strip()
    problems = {
        "agency_code": None
        if code.isascii() and code.isalnum() and 3 <= len(code) <= 16
        else N_("Enter the agency code: 3 to 16 letters or digits."),
        "name": rules.required_text_problem(form.name),
        "agency_kind": _choice_problem(form.agency_kind, AgencyKind),
    }
    _fail_if(problems)
    if session.scalar(select(Organisation.id).where(Organisation.agency_code == code)):
        raise Conflict(
            N_("Some details are already registered."),
            fields={"agency_code": N_("An agency with this code already exists.")},
        )
    org = Organisation(
        kind=OrganisationKind.AGENCY,
        name=form.name.strip(),
        agency_code=code,
        agency_kind=form.agency_kind,
        contact_phone=form.contact_phone.strip() or None,
    )
    session.add(org)
    _flush_or_conflict(session)
    audit.record(
        session,
        actor_user_id=actor.user_id if actor else None,
        action="organisation.created",
        object_type="organisation",
        object_id=org.id,
        details={"kind": "agency", "agency_code": code},
    )
    return org


def create_staff_organisation(session: Session, kind: OrganisationKind, name: str) -> Organisation:
    """The operator (NIA) or PPS side; created once at set-up."""
    org = Organisation(kind=kind, name=name)
    session.add(org)
    session.flush()
    audit.record(
        session,
        actor_user_id=None,
        action="organisation.created",
        object_type="organisation",
        object_id=org.id,
        details={"kind": str(kind)},
    )
    return org


# --- log-in, sessions, tokens ------------------------------------------------------------------------


def authenticate(session: Session, email: str, password: str, now: datetime | None = None) -> User:
    """Check a log-in. Failures are counted and audited; 5 in a row lock the account for 15 minutes.

    The caller must commit even when this raises, so that the failure count is kept.
    """
    now = now or utcnow()
    email = rules.normalise_email(email)
    user = session.scalar(select(User).where(User.email == email)) if email else None
    if user is None or not user.is_active:
        spend_verification_time(password or "")
        audit.record(
            session,
            actor_user_id=None,
            action="account.login_failed",
            object_type="user",
            object_id="unknown",
            details={"reason": "unknown_email"},
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
            details={"reason": "locked"},
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
            details={"reason": "wrong_password", "locked": user.locked_until is not None},
        )
        raise ValidationFailed(N_("The e-mail address or password is not correct."))
    user.failed_logins, user.locked_until = 0, None
    audit.record(session, actor_user_id=user.id, action="account.logged_in", object_type="user", object_id=user.id)
    return user


def start_web_session(session: Session, user: User, now: datetime | None = None) -> str:
    """A new session token for the browser cookie (a fresh one at every log-in)."""
    now = now or utcnow()
    token = new_token("dms")
    session.add(
        WebSession(token_hash=token_digest(token), user_id=user.id, created_at=now, expires_at=now + SESSION_LIFETIME)
    )
    return token


def end_web_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == token_digest(token)))


def user_for_session(session: Session, token: str, now: datetime | None = None) -> User | None:
    now = now or utcnow()
    row = session.scalar(select(WebSession).where(WebSession.token_hash == token_digest(token)))
    if row is None or row.expires_at <= now:
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.is_active else None


def create_api_token(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """A personal API token; the plain value is returned once and never stored."""
    _fail_if({"name": rules.required_text_problem(name, 100)})
    plain = new_token("dm")
    token = ApiToken(user_id=user.id, name=name.strip(), prefix=plain[:10], token_hash=token_digest(plain))
    session.add(token)
    session.flush()
    audit.record(
        session,
        actor_user_id=user.id,
        action="account.token_created",
        object_type="api_token",
        object_id=token.id,
        details={"name": token.name, "prefix": token.prefix},
    )
    return token, plain


def revoke_api_token(session: Session, actor: Actor, token_id: int) -> None:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != actor.user_id or token.revoked_at is not None:
        raise NotFound()
    token.revoked_at = utcnow()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="account.token_revoked",
        object_type="api_token",
        object_id=token.id,
    )


def api_token_owner(session: Session, plain: str) -> tuple[ApiToken, User] | None:
    """The live token and its active user, or None."""
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(plain)))
    if token is None or token.revoked_at is not None:
        return None
    user = session.get(User, token.user_id)
    return (token, user) if user is not None and user.is_active else None


TOKEN_USE_RESOLUTION = timedelta(minutes=10)


def token_use_is_stale(token: ApiToken, now: datetime | None = None) -> bool:
    """Record a token's last use at most every 10 minutes, so reads stay reads."""
    now = now or utcnow()
    return token.last_used_at is None or now - token.last_used_at > TOKEN_USE_RESOLUTION


def tokens_of(session: Session, actor: Actor) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == actor.user_id).order_by(ApiToken.id.desc())))


def change_password(session: Session, actor: Actor, current: str, new: str) -> None:
    """A new password signs every browser of this user out."""
    user = session.get(User, actor.user_id)
    if user is None:
        raise NotFound()
    if not verify_password(user.password_hash, current or ""):
        raise ValidationFailed(fields={"current_password": N_("The current password is not correct.")})
    _fail_if({"new_password": rules.password_problem(new)})
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    audit.record(
        session, actor_user_id=user.id, action="account.password_changed", object_type="user", object_id=user.id
    )


# --- organisations ------------------------------------------------------------------------------------


def organisation_of(session: Session, actor: Actor) -> Organisation:
    org = session.get(Organisation, actor.organisation_id)
    if org is None:
        raise NotFound()
    return org


def visible_organisation(session: Session, actor: Actor, organisation_id: int) -> Organisation:
    """Staff see every organisation; everyone else only their own."""
    org = session.get(Organisation, organisation_id)
    if org is None or not (STAFF.allows(actor) or org.id == actor.organisation_id):
        raise NotFound()
    return org


@dataclass
class SupplierProfileChange:
    version: int
    name: str
    representative: str
    size: str
    credit_rating: str = ""
    contact_phone: str = ""
    contact_email: str = ""


def update_supplier_profile(session: Session, actor: Actor, change: SupplierProfileChange) -> Organisation:
    """A supplier edits its own company profile; the business number never changes."""
    org = organisation_of(session, actor)
    contact_email = rules.normalise_email(change.contact_email)
    _fail_if(
        {
            "name": rules.required_text_problem(change.name),
            "representative": rules.required_text_problem(change.representative, 100),
            "size": _choice_problem(change.size, SupplierSize),
            "contact_email": rules.email_problem(contact_email) if contact_email else None,
        }
    )
    if org.version != change.version:
        raise Conflict()
    before = {
        "name": org.name,
        "representative": org.representative,
        "size": org.size,
        "credit_rating": org.credit_rating,
    }
    org.name = change.name.strip()
    org.representative = change.representative.strip()
    org.size = change.size
    org.credit_rating = change.credit_rating.strip() or None
    org.contact_phone = change.contact_phone.strip() or None
    org.contact_email = contact_email or None
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="organisation.updated",
        object_type="organisation",
        object_id=org.id,
        details={"before": before},
    )
    return org


def set_sanction(
    session: Session,
    actor: Actor,
    organisation_id: int,
    sanction_from: date | None,
    sanction_until: date | None,
    reason: str,
    version: int,
) -> Organisation:
    """부정당업자 제재: PPS records (or lifts, with both dates empty) a supplier's sanction period."""
    org = session.get(Organisation, organisation_id)
    if org is None or org.kind != OrganisationKind.SUPPLIER:
        raise NotFound()
    problems: dict[str, Text | None] = {"reason": rules.required_text_problem(reason, 500)}
    if (sanction_from is None) != (sanction_until is None):
        problems["sanction_until"] = N_("Give both the first and the last day, or neither.")
    elif sanction_from and sanction_until and sanction_from > sanction_until:
        problems["sanction_until"] = N_("The last day cannot be before the first day.")
    _fail_if(problems)
    if org.version != version:
        raise Conflict()
    org.sanction_from, org.sanction_until = sanction_from, sanction_until
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="organisation.sanction_set",
        object_type="organisation",
        object_id=org.id,
        details={
            "from": sanction_from.isoformat() if sanction_from else None,
            "until": sanction_until.isoformat() if sanction_until else None,
            "reason": reason.strip(),
        },
    )
    return org


def sanction_is_active(org: Organisation) -> bool:
    return rules.sanction_active(org.sanction_from, org.sanction_until, today_kst())


def list_organisations(session: Session, kind: str | None = None) -> list[Organisation]:
    query = select(Organisation).order_by(Organisation.kind, Organisation.name)
    if kind:
        query = query.where(Organisation.kind == kind)
    return list(session.scalars(query))


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.id)))


def count_users(session: Session) -> int:
    return session.scalar(select(func.count(User.id))) or 0


def touch_api_token(session: Session, token_id: int) -> None:
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utcnow()))
