"""Organisation profiles: the caller's own organisation and which ones a caller may see, a supplier's company
profile (its business number never changes), the agency details its buyers keep up to date, and what a
contract document needs of a profile that it lacks. Each runs inside the caller's transaction: load, ask the
rules, write, audit."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import Conflict, NotFound
from . import rules
from .checks import MAX_ADDRESS, _choice_problem, fail_if
from .permissions import STAFF, Actor
from .rules import OrganisationKind, SupplierSize
from .tables import Organisation


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
