"""Whether a company is who it says: a supplier that signed itself up is *unverified* until the operator has
checked its business registration evidence (an uploaded 사업자등록증명 and the representative's name). Until
then it cannot apply, quote or sign (`refuse_unless_verified`, called by those steps), and the message says
what to do next. Each use case runs inside the caller's transaction: load, ask the rules, write, audit."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import Conflict, NotFound, PermissionDenied
from ..core.files import StoredFile
from ..core.i18n import N_, Text
from ..core.notifications import notify
from . import rules
from .checks import fail_if
from .permissions import Actor
from .review_tables import CompanyReview, ReviewDocument
from .rules import OrganisationKind, Role
from .tables import Organisation, User

QUEUE_PATH = "/operator/company-reviews"
PROFILE_PATH = "/supplier/profile"

VERIFICATION_LABELS: dict[str, Text] = {
    "unverified": N_("Not verified: upload the business registration certificate"),
    "pending": N_("Waiting for the operator's check"),
    "verified": N_("Verified"),
    "refused": N_("Evidence refused: upload it again"),
}

#: What an unverified company reads when it tries to apply, quote or sign.
REFUSALS: dict[str, Text] = {
    "unverified": N_(
        "Your company is not verified yet. Upload its business registration certificate (사업자등록증명) and "
        "the representative's name on the company profile page (/supplier/profile); once the operator has "
        "checked them you can apply, quote and sign."
    ),
    "pending": N_(
        "Your company's business registration evidence is waiting for the operator's check. You can apply, "
        "quote and sign once it is verified; you will be notified."
    ),
    "refused": N_(
        "The operator did not accept your company's business registration evidence. Upload it again on the "
        "company profile page (/supplier/profile); you can apply, quote and sign once it is verified."
    ),
}


ATTACH_CERTIFICATE = N_("Attach the business registration certificate (사업자등록증명).")


FROZEN = N_(
    "Another company has claimed your company's business registration number; the operator is deciding the "
    "claim. Until then your company cannot apply, quote or sign. Ask the operator (운영기관) if you have questions."
)


def trade_block(org: Organisation | None) -> Text | None:
    """Why the supplier cannot apply, quote or sign now, with what to do next; None when it can (and for
    other organisations)."""
    if org is None or org.kind != OrganisationKind.SUPPLIER:
        return None
    if org.frozen_at is not None:
        return FROZEN
    return REFUSALS.get(org.verification)


def refuse_unless_verified(org: Organisation | None) -> None:
    """403 with what to do next, unless the supplier is verified; 409 while a claim on its number is decided
    (other organisations pass)."""
    block = trade_block(org)
    if block is FROZEN:
        raise Conflict(FROZEN)
    if block is not None:
        raise PermissionDenied(block)


def staff_ids(session: Session, role: Role) -> list[int]:
    return list(session.scalars(select(User.id).where(User.role == role, User.is_active)))


def member_ids(session: Session, organisation_id: int) -> list[int]:
    query = select(User.id).where(User.organisation_id == organisation_id, User.is_active)
    return list(session.scalars(query))


def attach(session: Session, review: CompanyReview, kind: str, stored: StoredFile) -> ReviewDocument:
    document = ReviewDocument(
        review=review,
        kind=kind,
        sha256=stored.sha256,
        filename=stored.filename[:200],
        media_type=stored.media_type,
        size=stored.size,
    )
    session.add(document)
    return document


def pending_review(session: Session, organisation_id: int, kind: str) -> CompanyReview | None:
    query = select(CompanyReview).where(
        CompanyReview.organisation_id == organisation_id, CompanyReview.kind == kind, CompanyReview.status == "pending"
    )
    return session.scalar(query)


def submit_evidence(session: Session, actor: Actor, representative: str, document: StoredFile | None) -> CompanyReview:
    """A supplier sends its 사업자등록증명 and its representative's name for the operator's check."""
    org = session.get(Organisation, actor.organisation_id)
    if org is None or org.kind != OrganisationKind.SUPPLIER:
        raise NotFound()
    fail_if(
        {
            "representative": rules.required_text_problem(representative, 100),
            "file": None if document is not None else ATTACH_CERTIFICATE,
        }
    )
    if org.verification == "verified":
        raise Conflict(N_("Your company is verified already."))
    if org.verification == "pending":
        raise Conflict(N_("Your company's evidence is waiting for the operator's check already."))
    review = CompanyReview(
        organisation_id=org.id, kind="registration", representative=representative.strip(), requested_by=actor.user_id
    )
    session.add(review)
    attach(session, review, "registration", document)
    org.verification = "pending"
    session.flush()
    notify(
        session,
        staff_ids(session, Role.OPERATOR),
        N_("%(company)s sent its business registration evidence for a check.", company=org.name),
        QUEUE_PATH,
    )
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="organisation.evidence_submitted",
        object_type="organisation",
        object_id=org.id,
        details={"review_id": review.id, "sha256": document.sha256},
    )
    return review
