"""The operator's queue of company reviews: business registration evidence (after which a company is
verified) and identity change requests (whose values take effect only when approved). The operator approves
or refuses each with a reason; the company's users are told either way. A supplier sees its own reviews and
their documents; the operator sees every one. Each runs inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import Conflict, NotFound
from ..core.i18n import N_
from ..core.notifications import notify
from ..core.tables import utcnow
from . import claims, rules
from .checks import fail_if
from .identity_changes import IDENTITY_FIELDS, apply_change
from .permissions import OPERATORS, Actor
from .review_tables import CompanyReview, ReviewDocument
from .tables import Organisation
from .verification import PROFILE_PATH, member_ids

#: The audit event of an approval; an approved change is the organisation's update search follows.
APPROVED_ACTIONS = {
    "registration": "organisation.verified",
    "change": "organisation.updated",
    "claim": "organisation.claim_approved",
}


def pending_reviews(session: Session) -> list[CompanyReview]:
    """What waits for the operator, oldest first."""
    query = select(CompanyReview).where(CompanyReview.status == "pending").order_by(CompanyReview.requested_at)
    return list(session.scalars(query))


def reviews_of(session: Session, organisation_id: int, limit: int = 20) -> list[CompanyReview]:
    """A company's own reviews, newest first (a claim on its number is another company's: not listed)."""
    query = select(CompanyReview).where(CompanyReview.organisation_id == organisation_id, CompanyReview.kind != "claim")
    return list(session.scalars(query.order_by(CompanyReview.id.desc()).limit(limit)))


def visible_review(session: Session, actor: Actor, review_id: int) -> CompanyReview:
    """The operator sees every review; a supplier only its own, never a claim on its number (404 otherwise)."""
    review = session.get(CompanyReview, review_id)
    own = review is not None and review.organisation_id == actor.organisation_id and review.kind != "claim"
    if review is None or not (OPERATORS.allows(actor) or own):
        raise NotFound()
    return review


def visible_document(session: Session, actor: Actor, review_id: int, document_id: int) -> ReviewDocument:
    review = visible_review(session, actor, review_id)
    document = session.get(ReviewDocument, document_id)
    if document is None or document.review_id != review.id:
        raise NotFound()
    return document


def _pending(session: Session, actor: Actor, review_id: int) -> tuple[CompanyReview, Organisation]:
    OPERATORS.check(actor)
    review = session.get(CompanyReview, review_id)
    if review is None:
        raise NotFound()
    if review.status != "pending":
        raise Conflict(N_("This request has been decided already."))
    return review, session.get(Organisation, review.organisation_id)


def approve(session: Session, actor: Actor, review_id: int, now: datetime | None = None) -> CompanyReview:
    """Verify the company (its representative as checked), or write its approved identity change."""
    now = now or utcnow()
    review, org = _pending(session, actor, review_id)
    if review.kind == "claim":
        before = claims.approve_claim(session, review, org, now)
        message = N_(
            "Your claim is approved: %(company)s is verified and yours; you can apply, quote and sign. Its size "
            "(SME) and credit rating are not confirmed: send them with their evidence through a change request.",
            company=org.name,
        )
    elif review.kind == "registration":
        before = {"verification": org.verification, "representative": org.representative}
        org.verification, org.verified_at = "verified", now
        org.representative = review.representative or org.representative
        message = N_("%(company)s is verified: you can apply, quote and sign.", company=org.name)
    else:
        before = apply_change(org, review)
        message = N_("The change of the company details of %(company)s is approved.", company=org.name)
    review.status, review.decided_by, review.decided_at = "approved", actor.user_id, now
    session.flush()
    notify(session, member_ids(session, org.id), message, PROFILE_PATH)
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action=APPROVED_ACTIONS[review.kind],
        object_type="organisation",
        object_id=org.id,
        details={"review_id": review.id, "before": before},
    )
    if review.kind == "claim":  # a new name, no size nor rating: the update search and the catalog follow
        identity = {name: before[name] for name in IDENTITY_FIELDS}
        audit.record(
            session,
            actor_user_id=actor.user_id,
            action="organisation.updated",
            object_type="organisation",
            object_id=org.id,
            details={"review_id": review.id, "before": identity, "claim": True},
        )
    return review


def refuse(session: Session, actor: Actor, review_id: int, reason: str, now: datetime | None = None) -> CompanyReview:
    """Refuse with a reason the company reads; a refused registration may be sent again."""
    now = now or utcnow()
    fail_if({"reason": rules.required_text_problem(reason, 500)})
    review, org = _pending(session, actor, review_id)
    review.status, review.decided_by, review.decided_at, review.reason = "refused", actor.user_id, now, reason.strip()
    if review.kind == "claim":
        claims.refuse_claim(session, review, org)
        message = N_("The claim on your business registration number is refused; you can trade again.")
    elif review.kind == "registration":
        org.verification = "refused"
        message = N_("The operator did not accept the business registration evidence: %(reason)s", reason=review.reason)
    else:
        message = N_("The operator did not accept the change of the company details: %(reason)s", reason=review.reason)
    session.flush()
    notify(session, member_ids(session, org.id), message, PROFILE_PATH)
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="organisation.review_refused",
        object_type="organisation",
        object_id=org.id,
        details={"review_id": review.id, "kind": review.kind, "reason": review.reason},
    )
    return review
