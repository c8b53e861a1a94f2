"""JSON routes of who a company is under /api/v1: a supplier's verification and its evidence, identity change
requests, and the operator's queue of reviews with their decisions."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import FileResponse

from ..core.clock import today_kst
from ..core.files import DocumentStore, StoredFile, attachment, read_limited
from ..core.paging import DEFAULT_LIMIT, Cursor, Limit, Page, page_in_order
from ..core.paths import Id
from . import company_reviews, identity_changes, verification
from .access import api_access, database
from .permissions import OPERATORS, SIGNED_IN, SUPPLIERS, Actor
from .review_schemas import RefuseIn, ReviewOut, VerificationOut
from .schemas import ErrorOut
from .tables import Organisation

router = APIRouter(tags=["accounts"], responses={s: {"model": ErrorOut} for s in (400, 401, 403, 404, 409, 422)})


def _out(session, review) -> ReviewOut:
    return ReviewOut.of(review, session.get(Organisation, review.organisation_id))


def _verification(session, org: Organisation) -> VerificationOut:
    return VerificationOut(
        verification=org.verification,
        label=verification.VERIFICATION_LABELS[org.verification].render(),
        verified_at=org.verified_at,
        sme_valid_until=org.sme_valid_until,
        credit_rated_on=org.credit_rated_on,
        reviews=[_out(session, r) for r in company_reviews.reviews_of(session, org.id)],
    )


@router.get("/supplier/verification", response_model=VerificationOut, summary="The company's verification")
def supplier_verification(request: Request, actor: Actor = Depends(api_access(SUPPLIERS))):
    with database(request).reading() as session:
        return _verification(session, session.get(Organisation, actor.organisation_id))


def _stored(request: Request, upload: UploadFile | None, field: str) -> StoredFile | None:
    if upload is None or not upload.filename:
        return None
    data = read_limited(upload.file, field)
    return DocumentStore.of_request(request).accept(data, upload.filename, field)


@router.post(
    "/supplier/verification",
    status_code=201,
    response_model=ReviewOut,
    summary="Send the business registration certificate (사업자등록증명) and the representative for the check",
)
def submit_evidence(
    request: Request,
    representative: str = Form(max_length=100),
    file: UploadFile | None = File(None),
    actor: Actor = Depends(api_access(SUPPLIERS)),
):
    stored = _stored(request, file, "file")
    with database(request).transaction() as session:
        return _out(session, verification.submit_evidence(session, actor, representative, stored))


@router.post(
    "/supplier/identity-changes",
    status_code=201,
    response_model=ReviewOut,
    summary="Ask to change the legal name, representative, size or credit rating, with evidence",
    description="The values change when the operator approves. A new name or representative needs "
    "`registration_file` (사업자등록증명); SME status `sme_file` (중소기업확인서) and `sme_valid_until`; a credit "
    "rating `credit_file` and `credit_rated_on`.",
)
def request_identity_change(
    request: Request,
    name: str = Form("", max_length=200),
    representative: str = Form("", max_length=100),
    size: str = Form("", max_length=16),
    credit_rating: str = Form("", max_length=16),
    sme_valid_until: date | None = Form(None),
    credit_rated_on: date | None = Form(None),
    registration_file: UploadFile | None = File(None),
    sme_file: UploadFile | None = File(None),
    credit_file: UploadFile | None = File(None),
    actor: Actor = Depends(api_access(SUPPLIERS)),
):
    uploads = {"registration": registration_file, "sme": sme_file, "credit": credit_file}
    documents = {}
    for kind, upload in uploads.items():
        stored = _stored(request, upload, f"{kind}_file")
        if stored is not None:
            documents[kind] = stored
    change = identity_changes.IdentityChange(
        name, representative, size, credit_rating, sme_valid_until=sme_valid_until, credit_rated_on=credit_rated_on
    )
    with database(request).transaction() as session:
        review = identity_changes.request_identity_change(session, actor, change, documents, today_kst())
        return _out(session, review)


@router.get("/operator/company-reviews", response_model=Page[ReviewOut], summary="Reviews waiting (operator)")
def pending(
    request: Request,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    _: Actor = Depends(api_access(OPERATORS)),
):
    with database(request).reading() as session:
        rows = list(company_reviews.pending_reviews(session))
        chosen, next_cursor = page_in_order(rows, lambda r: r.id, cursor, limit)
        return Page(items=[_out(session, r) for r in chosen], next_cursor=next_cursor)


@router.get("/company-reviews/{review_id}", response_model=ReviewOut, summary="A review: the operator's or your own")
def read(review_id: Id, request: Request, actor: Actor = Depends(api_access(SIGNED_IN))):
    with database(request).reading() as session:
        return _out(session, company_reviews.visible_review(session, actor, review_id))


@router.post(
    "/operator/company-reviews/{review_id}/approve", response_model=ReviewOut, summary="Approve a review (operator)"
)
def approve(review_id: Id, request: Request, actor: Actor = Depends(api_access(OPERATORS))):
    with database(request).transaction() as session:
        return _out(session, company_reviews.approve(session, actor, review_id))


@router.post(
    "/operator/company-reviews/{review_id}/refuse",
    response_model=ReviewOut,
    summary="Refuse a review with a reason the company reads (operator)",
)
def refuse(review_id: Id, body: RefuseIn, request: Request, actor: Actor = Depends(api_access(OPERATORS))):
    with database(request).transaction() as session:
        return _out(session, company_reviews.refuse(session, actor, review_id, body.reason))


@router.get(
    "/company-reviews/{review_id}/documents/{document_id}",
    summary="Download a review's document (the operator, or the company's own)",
    response_class=FileResponse,
)
def download(review_id: Id, document_id: Id, request: Request, actor: Actor = Depends(api_access(SIGNED_IN))):
    with database(request).reading() as session:
        document = company_reviews.visible_document(session, actor, review_id, document_id)
        path = DocumentStore.of_request(request).path_of(document.sha256)
        filename, media_type = document.filename, document.media_type
    return attachment(path, filename, media_type)
