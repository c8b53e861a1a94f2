"""HTML routes of who a company is: the supplier's company profile (contacts at once; its verification, the
evidence it uploads and its identity change requests), and the operator's queue of company reviews."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import UploadFile

from ..core.clock import today_kst
from ..core.errors import DomainError, ValidationFailed
from ..core.files import DocumentStore, StoredFile, attachment, read_limited
from ..core.forms import Form, MultipartForm, form_errors, options, redirect, version_of
from ..core.i18n import N_
from ..core.paths import Id
from ..core.templating import csrf_protect, render
from . import company_reviews, identity_changes, profiles, verification
from .access import database, page_access
from .permissions import OPERATORS, SIGNED_IN, SUPPLIERS, Actor
from .rules import CONTRACT_PARTY_LABELS, SIZE_LABELS, format_business_number
from .tables import Organisation

NOTICES = {
    "signed_up": (
        "success",
        N_(
            "Your company is registered and you are signed in. Upload its business registration certificate "
            "below so that the operator can verify it."
        ),
    ),
    "evidence_sent": ("success", N_("The evidence is sent. The operator checks it; you will be notified.")),
    "change_requested": ("success", N_("The change request is sent. The current details stay until it is approved.")),
    "review_approved": ("success", N_("The request is approved.")),
    "review_refused": ("info", N_("The request is refused; the company is told why.")),
}
router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


def _gap_labels(org) -> list[str]:
    return [CONTRACT_PARTY_LABELS[name].render() for name in profiles.contract_party_gaps(org)]


def _profile_page(request: Request, actor: Actor, values=None, errors=None, status=200):
    with database(request).reading() as session:
        org = profiles.organisation_of(session, actor)
        values = values or {
            "version": org.version,
            "address": org.address or "",
            "contact_phone": org.contact_phone or "",
            "contact_email": org.contact_email or "",
            "representative": org.representative or "",
        }
        reviews = company_reviews.reviews_of(session, org.id)
        return render(
            request,
            "supplier_profile.html",
            {
                "organisation": org,
                "business_number": format_business_number(org.business_number or ""),
                "contract_gaps": _gap_labels(org),
                "values": values,
                "errors": errors or {},
                "size_options": options(SIZE_LABELS),
                "size_labels": SIZE_LABELS,
                "verification_label": verification.VERIFICATION_LABELS[org.verification],
                "refusal": verification.REFUSALS.get(org.verification),
                "frozen": verification.FROZEN,
                "reviews": reviews,
                "pending_change": any(r.kind == "change" and r.status == "pending" for r in reviews),
                "document_labels": identity_changes.DOCUMENT_LABELS,
            },
            actor=actor,
            status_code=status,
            notices=NOTICES,
        )


@router.get("/supplier/profile")
def supplier_profile(request: Request, actor: Actor = Depends(page_access(SUPPLIERS))):
    return _profile_page(request, actor)


@router.post("/supplier/profile")
def supplier_profile_save(request: Request, form: Form, actor: Actor = Depends(page_access(SUPPLIERS))):
    fields = {name: form.get(name, "") for name in ("address", "contact_phone", "contact_email")}
    try:
        with database(request).transaction() as session:
            change = profiles.SupplierProfileChange(version=version_of(form), **fields)
            profiles.update_supplier_profile(session, actor, change)
    except DomainError as error:
        return _profile_page(request, actor, form, form_errors(error), error.status)
    return redirect("/supplier/profile", "profile_saved")


def _upload(request: Request, form, field: str) -> StoredFile | None:
    upload = form.get(field)
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    return DocumentStore.of_request(request).accept(read_limited(upload.file, field), upload.filename, field)


def _text(form, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _day(form, name: str) -> date | None:
    text = _text(form, name).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(fields={name: N_("Enter a date as YYYY-MM-DD.")}) from None


@router.post("/supplier/verification")
def submit_evidence(request: Request, form: MultipartForm, actor: Actor = Depends(page_access(SUPPLIERS))):
    try:
        stored = _upload(request, form, "file")
        with database(request).transaction() as session:
            verification.submit_evidence(session, actor, _text(form, "representative"), stored)
    except DomainError as error:
        return _profile_page(request, actor, None, form_errors(error), error.status)
    return redirect("/supplier/profile", "evidence_sent")


@router.post("/supplier/identity-changes")
def request_change(request: Request, form: MultipartForm, actor: Actor = Depends(page_access(SUPPLIERS))):
    try:
        documents = {}
        for kind in ("registration", "sme", "credit"):
            stored = _upload(request, form, f"{kind}_file")
            if stored is not None:
                documents[kind] = stored
        change = identity_changes.IdentityChange(
            _text(form, "new_name"),
            _text(form, "new_representative"),
            _text(form, "new_size"),
            _text(form, "new_credit_rating"),
            sme_valid_until=_day(form, "sme_valid_until"),
            credit_rated_on=_day(form, "credit_rated_on"),
        )
        with database(request).transaction() as session:
            identity_changes.request_identity_change(session, actor, change, documents, today_kst())
    except DomainError as error:
        errors = {
            (f"new_{k}" if k in identity_changes.IDENTITY_FIELDS else k): v for k, v in form_errors(error).items()
        }
        return _profile_page(request, actor, None, errors, error.status)
    return redirect("/supplier/profile", "change_requested")


# --- the operator's queue -----------------------------------------------------------------------------------------


def _queue_page(request: Request, actor: Actor, errors=None, status=200):
    with database(request).reading() as session:
        reviews = company_reviews.pending_reviews(session)
        organisations = {r.organisation_id: session.get(Organisation, r.organisation_id) for r in reviews}
        return render(
            request,
            "company_reviews.html",
            {
                "reviews": reviews,
                "organisations": organisations,
                "format_business_number": format_business_number,
                "size_labels": SIZE_LABELS,
                "document_labels": identity_changes.DOCUMENT_LABELS,
                "errors": errors or {},
            },
            actor=actor,
            status_code=status,
            notices=NOTICES,
        )


@router.get("/operator/company-reviews")
def queue(request: Request, actor: Actor = Depends(page_access(OPERATORS))):
    return _queue_page(request, actor)


@router.post("/operator/company-reviews/{review_id}/approve")
def approve(request: Request, review_id: Id, actor: Actor = Depends(page_access(OPERATORS))):
    try:
        with database(request).transaction() as session:
            company_reviews.approve(session, actor, review_id)
    except DomainError as error:
        return _queue_page(request, actor, {"_form": error.message.render()}, error.status)
    return redirect("/operator/company-reviews", "review_approved")


@router.post("/operator/company-reviews/{review_id}/refuse")
def refuse(request: Request, review_id: Id, form: Form, actor: Actor = Depends(page_access(OPERATORS))):
    try:
        with database(request).transaction() as session:
            company_reviews.refuse(session, actor, review_id, form.get("reason", ""))
    except DomainError as error:
        errors = {f"reason-{review_id}": v for v in form_errors(error).values()}
        return _queue_page(request, actor, errors, error.status)
    return redirect("/operator/company-reviews", "review_refused")


@router.get("/company-reviews/{review_id}/documents/{document_id}")
def download(request: Request, review_id: Id, document_id: Id, actor: Actor = Depends(page_access(SIGNED_IN))):
    with database(request).reading() as session:
        document = company_reviews.visible_document(session, actor, review_id, document_id)
        path = DocumentStore.of_request(request).path_of(document.sha256)
        filename, media_type = document.filename, document.media_type
    return attachment(path, filename, media_type)
