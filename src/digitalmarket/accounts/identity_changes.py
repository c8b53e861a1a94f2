"""A supplier's identity fields (legal name, representative, size, credit rating) change only through a
request the operator approves, with evidence: the 사업자등록증명 for a new name or representative, the
중소기업확인서 with its validity for SME status, a credit rating certificate with its date for a rating. The
old values stay in force (catalog, exports, contract documents) until the approval. The daily run flags
SME evidence that has expired (`flag_expired_sme`). Each runs inside the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import Conflict, NotFound
from ..core.files import StoredFile
from ..core.i18n import N_, Text
from ..core.notifications import notify
from . import rules
from .checks import _choice_problem, fail_if
from .permissions import Actor
from .review_tables import CompanyReview
from .rules import OrganisationKind, Role, SupplierSize
from .tables import Organisation
from .verification import PROFILE_PATH, QUEUE_PATH, attach, member_ids, pending_review, staff_ids

#: The identity fields, as the profile and the queue name them.
IDENTITY_FIELDS = ("name", "representative", "size", "credit_rating")
#: Which evidence each kind of document is.
DOCUMENT_LABELS: dict[str, Text] = {
    "registration": N_("Business registration certificate (사업자등록증명)"),
    "sme": N_("SME confirmation (중소기업확인서)"),
    "credit": N_("Credit rating certificate"),
}


@dataclass
class IdentityChange:
    """The values asked for; a value equal to today's (or empty) is no change."""

    name: str = ""
    representative: str = ""
    size: str = ""
    credit_rating: str = ""
    sme_valid_until: date | None = None
    credit_rated_on: date | None = None


def changed_fields(org: Organisation, change: IdentityChange) -> dict[str, str]:
    """The identity fields the request would change, with their new values."""
    found = {}
    for name in IDENTITY_FIELDS:
        value = (getattr(change, name) or "").strip()
        if value and value != (getattr(org, name) or ""):
            found[name] = value
    return found


def _problems(changes: dict, change: IdentityChange, documents: dict[str, StoredFile], today: date) -> dict:
    problems: dict[str, Text | None] = {
        "name": rules.optional_text_problem(change.name, 200),
        "representative": rules.optional_text_problem(change.representative, 100),
        "size": _choice_problem(change.size, SupplierSize) if change.size else None,
        "credit_rating": rules.optional_text_problem(change.credit_rating, 16),
    }
    if not changes:
        problems["_form"] = N_("Nothing to change: enter a new value for at least one identity field.")
    if ("name" in changes or "representative" in changes) and "registration" not in documents:
        problems["registration_file"] = N_("Attach the business registration certificate (사업자등록증명).")
    if changes.get("size") == SupplierSize.SME:
        if "sme" not in documents:
            problems["sme_file"] = N_("Attach the SME confirmation (중소기업확인서).")
        if change.sme_valid_until is None:
            problems["sme_valid_until"] = N_("Enter the last day the SME confirmation is valid.")
        elif change.sme_valid_until < today:
            problems["sme_valid_until"] = N_("This SME confirmation has expired already.")
    if "credit_rating" in changes:
        if "credit" not in documents:
            problems["credit_file"] = N_("Attach the credit rating certificate.")
        if change.credit_rated_on is None:
            problems["credit_rated_on"] = N_("Enter the date of the credit rating certificate.")
        elif change.credit_rated_on > today:
            problems["credit_rated_on"] = N_("The certificate's date cannot be in the future.")
    return problems


def request_identity_change(
    session: Session, actor: Actor, change: IdentityChange, documents: dict[str, StoredFile], today: date
) -> CompanyReview:
    """A change request with its evidence, waiting for the operator; nothing of the profile changes yet."""
    org = session.get(Organisation, actor.organisation_id)
    if org is None or org.kind != OrganisationKind.SUPPLIER:
        raise NotFound()
    changes = changed_fields(org, change)
    fail_if(_problems(changes, change, documents, today))
    if pending_review(session, org.id, "change") is not None:
        raise Conflict(N_("A change request of your company is waiting for the operator already."))
    review = CompanyReview(
        organisation_id=org.id,
        kind="change",
        requested_by=actor.user_id,
        sme_valid_until=change.sme_valid_until if changes.get("size") == SupplierSize.SME else None,
        credit_rated_on=change.credit_rated_on if "credit_rating" in changes else None,
        **changes,
    )
    session.add(review)
    for kind, stored in documents.items():
        attach(session, review, kind, stored)
    session.flush()
    notify(
        session,
        staff_ids(session, Role.OPERATOR),
        N_("%(company)s asks to change its company details.", company=org.name),
        QUEUE_PATH,
    )
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="organisation.change_requested",
        object_type="organisation",
        object_id=org.id,
        details={"review_id": review.id, "changes": changes},
    )
    return review


def apply_change(org: Organisation, review: CompanyReview) -> dict:
    """Write an approved change on the organisation; returns the values it replaced."""
    before = {name: getattr(org, name) for name in IDENTITY_FIELDS}
    for name in IDENTITY_FIELDS:
        value = getattr(review, name)
        if value:
            setattr(org, name, value)
    if review.size:
        org.sme_valid_until = review.sme_valid_until if review.size == SupplierSize.SME else None
    if review.credit_rating:
        org.credit_rated_on = review.credit_rated_on
    return before


EXPIRED_SME = N_(
    "The SME confirmation (중소기업확인서) of %(company)s expired on %(day)s. Send a new one through a change "
    "request on the company profile page."
)


def flag_expired_sme(session: Session, today: date) -> int:
    """The daily run: an SME whose confirmation expired (the day before ``today`` or earlier, not flagged
    yet) is flagged to its users and the operator once; returns how many were flagged."""
    flagged = 0
    query = select(Organisation).where(
        Organisation.kind == OrganisationKind.SUPPLIER,
        Organisation.size == SupplierSize.SME,
        Organisation.sme_valid_until < today,
    )
    for org in session.scalars(query):
        seen = session.scalar(
            select(audit.AuditEvent.id).where(
                audit.AuditEvent.action == "organisation.sme_evidence_expired",
                audit.AuditEvent.object_type == "organisation",
                audit.AuditEvent.object_id == str(org.id),
                audit.AuditEvent.details["valid_until"].as_string() == org.sme_valid_until.isoformat(),
            )
        )
        if seen is not None:
            continue
        message = N_(EXPIRED_SME.msgid, company=org.name, day=org.sme_valid_until.isoformat())
        notify(session, member_ids(session, org.id), message, PROFILE_PATH, kind="alert")
        notify(session, staff_ids(session, Role.OPERATOR), message, QUEUE_PATH, kind="alert")
        audit.record(
            session,
            actor_user_id=None,
            action="organisation.sme_evidence_expired",
            object_type="organisation",
            object_id=org.id,
            details={"valid_until": org.sme_valid_until.isoformat()},
        )
        flagged += 1
    return flagged
