"""HTML routes of signing up: the form (a mail with a link goes out; the page says so), and the link's page,
whose button creates the company and its first user and signs them in. The link's page asks for a press
rather than acting on the visit, so a mail program that opens links to preview them registers nothing."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import UploadFile

from ..core import i18n
from ..core.errors import DomainError
from ..core.files import DocumentStore, read_limited
from ..core.forms import Form, MultipartForm, form_errors, options, redirect
from ..core.i18n import N_
from ..core.templating import csrf_protect, render
from . import claims, credentials, signing_up
from .access import database, page_access
from .pages import _caller_address, _sign_in_response
from .permissions import PUBLIC
from .rules import SIZE_LABELS

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


#: What the sign-up form hands on to the claim form when the number is taken.
CLAIM_FIELDS = ("business_number", "company_name", "representative", "name", "email")


def _signup_page(request: Request, values: dict, errors: dict, status: int = 200, sent: str | None = None):
    context = {"values": values, "errors": errors, "size_options": options(SIZE_LABELS), "sent": sent}
    if status == 409 and "business_number" in errors:  # taken: the claim is the way forward
        context["claim_link"] = "/signup/claim?" + urlencode({k: values.get(k, "") for k in CLAIM_FIELDS})
    answer = render(request, "signup.html", context, status_code=status)
    return answer


@router.get("/signup")
def signup_form(request: Request, actor=Depends(page_access(PUBLIC))):
    if actor is not None:
        return redirect(actor.home_path)
    return _signup_page(request, {}, {})


@router.post("/signup")
def signup(request: Request, form: Form, _=Depends(page_access(PUBLIC))):
    values = {k: v for k, v in form.items() if "password" not in k and k != "csrf_token"}
    fields = {name: form.get(name, "") for name in signing_up.SupplierSignUp.__dataclass_fields__}
    try:
        with database(request).transaction() as session:
            pending = signing_up.request_sign_up(
                session,
                signing_up.SupplierSignUp(**fields),
                language=i18n.current_locale.get(),
                address=_caller_address(request),
            )
            email = pending.email
    except DomainError as error:
        answer = _signup_page(request, values, form_errors(error), error.status)
        retry = getattr(error, "retry_after_seconds", None)
        if retry:
            answer.headers["Retry-After"] = str(retry)
        return answer
    return _signup_page(request, {}, {}, sent=signing_up.mail_sent(email).render())


def _confirm_page(request: Request, code: str, problem=None, status: int = 200, *, claim: bool = False):
    path = (claims.CONFIRM_PATH if claim else signing_up.CONFIRM_PATH) + code
    context = {"action": path, "claim": claim, "problem": problem.render() if problem is not None else None}
    return render(request, "signup_confirm.html", context, status_code=status)


@router.get("/signup/confirm/{code}")
def confirm_form(request: Request, code: str, _=Depends(page_access(PUBLIC))):
    with database(request).reading() as session:
        problem = signing_up.confirm_problem(session, code)
    return _confirm_page(request, code, problem, 200 if problem is None else 410)


@router.post("/signup/confirm/{code}")
def confirm(request: Request, code: str, _=Depends(page_access(PUBLIC))):
    try:
        with database(request).transaction() as session:
            user = signing_up.confirm_sign_up(session, code)
            token = credentials.start_web_session(session, user)
    except DomainError as error:
        field = error.fields.get("business_number") or error.fields.get("email") or error.message
        return _confirm_page(request, code, field, error.status)
    return _sign_in_response(request, token, "/supplier/profile?notice=signed_up")


# --- a claim on a business number -----------------------------------------------------------------------------


def _claim_page(request: Request, values: dict, errors: dict, status: int = 200, sent: str | None = None):
    return render(request, "signup_claim.html", {"values": values, "errors": errors, "sent": sent}, status_code=status)


@router.get("/signup/claim")
def claim_form(request: Request, _=Depends(page_access(PUBLIC))):
    values = {k: request.query_params.get(k, "")[:200] for k in CLAIM_FIELDS}  # from a sign-up that found it taken
    return _claim_page(request, values, {})


@router.post("/signup/claim")
def claim(request: Request, form: MultipartForm, _=Depends(page_access(PUBLIC))):
    text = {k: v for k, v in form.items() if isinstance(v, str)}
    values = {k: v for k, v in text.items() if "password" not in k and k != "csrf_token"}
    fields = {name: text.get(name, "") for name in claims.Claim.__dataclass_fields__}
    upload = form.get("file")
    try:
        stored = None
        if isinstance(upload, UploadFile) and upload.filename:
            data = read_limited(upload.file, "file")
            stored = DocumentStore.of_request(request).accept(data, upload.filename, "file")
        with database(request).transaction() as session:
            pending = claims.request_claim(
                session,
                claims.Claim(**fields),
                stored,
                language=i18n.current_locale.get(),
                address=_caller_address(request),
            )
            email = pending.email
    except DomainError as error:
        answer = _claim_page(request, values, form_errors(error), error.status)
        retry = getattr(error, "retry_after_seconds", None)
        if retry:
            answer.headers["Retry-After"] = str(retry)
        return answer
    return _claim_page(request, {}, {}, sent=claims.claim_sent(email).render())


@router.get("/signup/claims/confirm/{code}")
def claim_confirm_form(request: Request, code: str, _=Depends(page_access(PUBLIC))):
    with database(request).reading() as session:
        problem = signing_up.confirm_problem(session, code)
    return _confirm_page(request, code, problem, 200 if problem is None else 410, claim=True)


@router.post("/signup/claims/confirm/{code}")
def claim_confirm(request: Request, code: str, _=Depends(page_access(PUBLIC))):
    try:
        with database(request).transaction() as session:
            claims.confirm_claim(session, code)
    except DomainError as error:
        field = error.fields.get("email") or error.fields.get("code") or error.message
        return _confirm_page(request, code, field, error.status, claim=True)
    filed = N_("The claim is filed. The operator decides it with your evidence; you will get an e-mail either way.")
    return _claim_page(request, {}, {}, sent=filed.render())
