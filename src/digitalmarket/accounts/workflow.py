"""Use cases of accounts. Each runs inside the caller's transaction: load, ask the rules, write, audit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..core import audit
from ..core.clock import today_kst
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.i18n import N_, Text
from . import rules
from .permissions import STAFF, Actor
from .rules import AgencyKind, OrganisationKind, Role, SupplierSize
from .secrets import (
    hash_password,
)
from .tables import Organisation, User

#: The longest address (주소) an organisation keeps.
MAX_ADDRESS = 300


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


def fail_if(problems: dict[str, Text | None]) -> None:
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
    address: str = ""
    password_confirm: str | None = None  # the password typed again, when the form asks for it


def sign_up_supplier(session: Session, form: SupplierSignUp) -> User:
    """Every field is checked at once, so the form shows each problem next to its field in one go."""
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
        "address": rules.optional_text_problem(form.address, MAX_ADDRESS),
        "password_confirm": N_("The two passwords are not the same.")
        if form.password_confirm is not None and form.password_confirm != form.password
        else None,
    }
    duplicates = {}
    if problems["business_number"] is None and session.scalar(
        select(Organisation.id).where(Organisation.business_number == number)
    ):
        duplicates["business_number"] = N_("A company with this business registration number already exists.")
    if problems["email"] is None and _email_taken(session, email):
        duplicates["email"] = N_("An account with this e-mail address already exists.")
    if any(problem is not None for problem in problems.values()):
        fail_if({**problems, **duplicates})
    if duplicates:
        raise Conflict(N_("Some details are already registered."), fields=duplicates)
    org = Organisation(
        kind=OrganisationKind.SUPPLIER,
        name=form.company_name.strip(),
        business_number=number,
        representative=form.representative.strip(),
        address=form.address.strip() or None,
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
        is_org_admin=True,  # whoever signs the company up administers its accounts
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
    is_org_admin: bool = False  # 조직 관리자: invites and removes the organisation's users


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


@dataclass
class NewAgency:
    agency_code: str
    name: str
    agency_kind: str
    contact_phone: str = ""
    representative: str = ""  # the agency's head (기관장)
    address: str = ""


def create_agency(session: Session, actor: Actor | None, form: NewAgency) -> Organisation:
    code = (form.agency_code or "").strip()
    problems = {
        "agency_code": None
        if code.isascii() and code.isalnum() and 3 <= len(code) <= 16
        else N_("Enter the agency code: 3 to 16 letters or digits."),
        "name": rules.required_text_problem(form.name),
        "agency_kind": _choice_problem(form.agency_kind, AgencyKind),
        "representative": rules.optional_text_problem(form.representative, 100),
        "address": rules.optional_text_problem(form.address, MAX_ADDRESS),
    }
    fail_if(problems)
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
        representative=form.representative.strip() or None,
        address=form.address.strip() or None,
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


def register_supplier(
    session: Session, actor_user_id: int | None, business_number: str, name: str, size: str
) -> Organisation:
    """A supplier known by its business number (matched, or created without users, e.g. by an import)."""
    number = supplier_number(business_number, name, size)
    existing = suppliers_by_number(session, [number]).get(number)
    if existing is not None:
        return existing
    org = new_supplier(number, name, size)
    session.add(org)
    session.flush()
    audit.record(session, **supplier_registered(actor_user_id, org))
    return org


def supplier_number(business_number: str, name: str, size: str) -> str:
    """The normalised business number of a supplier to match or register, once its details are
    checked; ValidationFailed names every wrong one."""
    number = rules.normalise_business_number(business_number)
    fail_if(
        {
            "business_number": None
            if rules.is_valid_business_number(number)
            else N_("Enter a valid 10-digit business registration number (e.g. 120-81-47521)."),
            "name": rules.required_text_problem(name),
            "size": _choice_problem(size, SupplierSize),
        }
    )
    return number


def suppliers_by_number(session: Session, numbers: Iterable[str]) -> dict[str, Organisation]:
    """The organisations holding these (normalised) business numbers, by number, in one query a
    thousand numbers."""
    wanted = list(dict.fromkeys(numbers))
    found: dict[str, Organisation] = {}
    for start in range(0, len(wanted), 1000):
        query = select(Organisation).where(Organisation.business_number.in_(wanted[start : start + 1000]))
        found.update((org.business_number, org) for org in session.scalars(query))
    return found


def new_supplier(number: str, name: str, size: str) -> Organisation:
    """A supplier organisation without users, not yet in the session (see `register_supplier`)."""
    return Organisation(kind=OrganisationKind.SUPPLIER, name=name.strip(), business_number=number, size=size)


def supplier_registered(actor_user_id: int | None, org: Organisation) -> dict:
    """The audit event of a supplier registered by `register_supplier` (or an import), once it has an id."""
    return dict(
        actor_user_id=actor_user_id,
        action="organisation.created",
        object_type="organisation",
        object_id=org.id,
        details={"kind": "supplier", "business_number": org.business_number, "registered_by": "import"},
    )


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
    address: str = ""


def update_supplier_profile(session: Session, actor: Actor, change: SupplierProfileChange) -> Organisation:
    """A supplier edits its own company profile; the business number never changes."""
    org = organisation_of(session, actor)
    contact_email = rules.normalise_email(change.contact_email)
    fail_if(
        {
            "name": rules.required_text_problem(change.name),
            "representative": rules.required_text_problem(change.representative, 100),
            "size": _choice_problem(change.size, SupplierSize),
            "contact_email": rules.email_problem(contact_email) if contact_email else None,
            "address": rules.optional_text_problem(change.address, MAX_ADDRESS),
        }
    )
    if org.version != change.version:
        raise Conflict()
    before = {
        "name": org.name,
        "representative": org.representative,
        "address": org.address,
        "size": org.size,
        "credit_rating": org.credit_rating,
    }
    org.name = change.name.strip()
    org.representative = change.representative.strip()
    org.address = change.address.strip() or None
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


def contract_party_gaps(org: Organisation) -> list[str]:
    """What a contract document needs of the organisation and its profile lacks (`rules.contract_party_gaps`)."""
    values = {name: getattr(org, name) for name in rules.CONTRACT_PARTY_LABELS}
    return rules.contract_party_gaps(org.kind, values)


@dataclass
class AgencyProfileChange:
    """What an agency's buyers keep up to date: the head of the agency (기관장, the 대표자 of its contract
    documents), its address and phone. Its name, code and kind are registered by an administrator."""

    version: int
    representative: str
    address: str
    contact_phone: str = ""


def update_agency_profile(session: Session, actor: Actor, change: AgencyProfileChange) -> Organisation:
    """A buyer edits its own agency's details; the contract documents of its orders print them."""
    org = organisation_of(session, actor)
    if org.kind != OrganisationKind.AGENCY:
        raise NotFound()
    fail_if(
        {
            "representative": rules.required_text_problem(change.representative, 100),
            "address": rules.required_text_problem(change.address, MAX_ADDRESS),
            "contact_phone": rules.optional_text_problem(change.contact_phone, 32),
        }
    )
    if org.version != change.version:
        raise Conflict()
    before = {"representative": org.representative, "address": org.address, "contact_phone": org.contact_phone}
    org.representative = change.representative.strip()
    org.address = change.address.strip()
    org.contact_phone = change.contact_phone.strip() or None
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
    fail_if(problems)
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
