"""JSON routes of signing up under /api/v1: the request (202, a mail with a code goes out) and its
confirmation with the code (201, the company and its first user)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse

from ..core import i18n
from ..core.files import DocumentStore, read_limited
from . import claims, signing_up
from .access import api_access, database
from .pages import _caller_address
from .permissions import PUBLIC
from .review_schemas import ClaimOut, SignUpConfirmIn, SignUpRequestedOut
from .schemas import ErrorOut, OrganisationOut, SignUpIn, SignUpOut, UserOut

router = APIRouter(tags=["accounts"], responses={s: {"model": ErrorOut} for s in (400, 409, 422, 429)})


@router.post(
    "/signup",
    status_code=202,
    response_model=SignUpRequestedOut,
    summary="A company signs itself up (1/2): a confirmation code goes to the e-mail address",
    description="Nothing is registered yet. The e-mail carries a link `/signup/confirm/dms_...`; its last part "
    "is the code for `POST /api/v1/signup/confirm`. 429 with `Retry-After` after several sign-ups for one "
    "address or from one network address.",
)
def sign_up(body: SignUpIn, request: Request, _=Depends(api_access(PUBLIC))):
    language = i18n.current_locale.get()
    with database(request).transaction() as session:
        pending = signing_up.request_sign_up(
            session, signing_up.SupplierSignUp(**body.model_dump()), language=language, address=_caller_address(request)
        )
        email = pending.email
    answer = SignUpRequestedOut(
        status="mail_sent",
        email=email,
        message=signing_up.mail_sent(email).render(language),
        confirm="POST /api/v1/signup/confirm",
    )
    return JSONResponse(answer.model_dump(), status_code=202)


@router.post(
    "/signup/confirm",
    status_code=201,
    response_model=SignUpOut,
    summary="A company signs itself up (2/2): the code from the e-mail creates the company and its first user",
    description="The company starts unverified: upload its business registration certificate "
    "(`POST /api/v1/supplier/verification`) before it can apply, quote or sign.",
)
def confirm_sign_up(body: SignUpConfirmIn, request: Request, _=Depends(api_access(PUBLIC))):
    with database(request).transaction() as session:
        user = signing_up.confirm_sign_up(session, body.code.strip())
        return SignUpOut(user=UserOut.of(user), organisation=OrganisationOut.of(user.organisation))


@router.post(
    "/signup/claims",
    status_code=202,
    response_model=SignUpRequestedOut,
    summary="Claim a business number another organisation holds (1/2): a confirmation code goes to the e-mail",
    description="Multipart: the company, its representative, the claimant's name, e-mail and password, and "
    "`file`, the business registration certificate (사업자등록증명). Nothing is filed until the code is confirmed.",
)
def claim(
    request: Request,
    business_number: str = Form(max_length=20),
    company_name: str = Form(max_length=200),
    representative: str = Form(max_length=100),
    name: str = Form(max_length=100),
    email: str = Form(max_length=254),
    password: str = Form(max_length=256),
    file: UploadFile | None = File(None),
    _=Depends(api_access(PUBLIC)),
):
    language = i18n.current_locale.get()
    stored = None
    if file is not None and file.filename:
        stored = DocumentStore.of_request(request).accept(read_limited(file.file, "file"), file.filename, "file")
    form = claims.Claim(business_number, company_name, representative, name, email, password)
    with database(request).transaction() as session:
        pending = claims.request_claim(session, form, stored, language=language, address=_caller_address(request))
        email = pending.email
    answer = SignUpRequestedOut(
        status="mail_sent",
        email=email,
        message=claims.claim_sent(email).render(language),
        confirm="POST /api/v1/signup/claims/confirm",
    )
    return JSONResponse(answer.model_dump(), status_code=202)


@router.post(
    "/signup/claims/confirm",
    status_code=201,
    response_model=ClaimOut,
    summary="Claim a business number (2/2): the code from the e-mail files the claim with the operator",
)
def confirm_claim(body: SignUpConfirmIn, request: Request, _=Depends(api_access(PUBLIC))):
    with database(request).transaction() as session:
        review = claims.confirm_claim(session, body.code.strip())
        return ClaimOut(id=review.id, state=review.status)
