"""Organisation profiles: the caller's own organisation and which ones a caller may see, a supplier's company
profile (its business number never changes), the agency details its buyers keep up to date, and what a
contract document needs of a profile that it lacks. Each runs inside the caller's transaction: load, ask the
rules, write, audit."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import Conflict, NotFound
from ..core.i18n import N_
from . import rules
from .checks import MAX_ADDRESS, fail_if
from .permissions import STAFF, Actor
from .rules import OrganisationKind
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
    """The details a supplier changes at once. The identity fields (legal name, representative, size, credit
    rating) change only through a reviewed request (`identity_changes.py`): given here, they must equal
    today's values."""

    version: int
    name: str = ""
    representative: str = ""
    size: str = ""
    credit_rating: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    address: str = ""


#: What a supplier reads when it changes an identity field straight away.
THROUGH_REVIEW = N_(
    "This changes only through a change request with evidence that the operator approves (on the company "
    "profile page, or POST /api/v1/supplier/identity-changes)."
)


def update_supplier_profile(session: Session, actor: Actor, change: SupplierProfileChange) -> Organisation:
    """A supplier edits its own company's contacts and address at once; the business number never changes,
    and the identity fields only through an approved request."""
    org = organisation_of(session, actor)
    contact_email = rules.normalise_email(change.contact_email)
    fail_if(
        {
            "contact_phone": rules.optional_text_problem(change.contact_phone, 32),
            "contact_email": rules.email_problem(contact_email) if contact_email else None,
            "address": rules.optional_text_problem(change.address, MAX_ADDRESS),
        }
    )
    identity = {
        name: THROUGH_REVIEW
        for name in ("name", "representative", "size", "credit_rating")
        if (getattr(change, name) or "").strip() not in ("", getattr(org, name) or "")
    }
    if identity:
        raise Conflict(N_("Some details change only through the operator's review."), fields=identity)
    if org.version != change.version:
        raise Conflict()
    before = {"address": org.address, "contact_phone": org.contact_phone, "contact_email": org.contact_email}
    org.address = change.address.strip() or None
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
