"""Organisations registered other than by signing up: an agency by an administrator, a supplier known by its
business number (matched, or registered without users, e.g. by an import), the operator's (NIA) and PPS's own
at set-up; and the list of organisations. Each runs inside the caller's transaction: load, ask the rules,
write, audit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import Conflict
from ..core.i18n import N_
from . import rules
from .checks import MAX_ADDRESS, _choice_problem, _flush_or_conflict, fail_if
from .permissions import Actor
from .rules import AgencyKind, OrganisationKind, SupplierSize
from .tables import Organisation


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


def complete_supplier(session: Session, org: Organisation, representative: str, size: str) -> Organisation:
    """The installation completes the identity of a supplier it registered without them (an import, the
    demo): an empty representative or size is filled in. A value already there changes only through a
    reviewed request (`identity_changes.py`)."""
    before = {"representative": org.representative, "size": org.size}
    org.representative = org.representative or representative.strip() or None
    org.size = org.size or size
    if before != {"representative": org.representative, "size": org.size}:
        session.flush()
        audit.record(
            session,
            actor_user_id=None,
            action="organisation.updated",
            object_type="organisation",
            object_id=org.id,
            details={"before": before, "by": "installation"},
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


def list_organisations(session: Session, kind: str | None = None) -> list[Organisation]:
    query = select(Organisation).order_by(Organisation.kind, Organisation.name)
    if kind:
        query = query.where(Organisation.kind == kind)
    return list(session.scalars(query))
