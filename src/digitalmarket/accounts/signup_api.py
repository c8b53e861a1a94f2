"""JSON routes of signing up under /api/v1: the request (202, a mail with a code goes out) and its
confirmation with the code (201, the company and its first user)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from ..core import i18n
from . import signing_up
from .access import api_access, database
from .pages import _caller_address
from .permissions import PUBLIC
from .review_schemas import SignUpConfirmIn, SignUpRequestedOut
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
