"""JSON routes of the organisations' signing certificates: an organisation's administrator reads its
certificate and uploads its own (PKCS#12, password-protected); the operator and the platform's
administrators issue a new one or revoke one. A key is never returned. See docs/documents.md."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, File, Form, Path, Request, UploadFile
from pydantic import BaseModel, Field

from ..accounts.access import api_access, database
from ..accounts.permissions import ORGANISATION_ADMINS, Actor, roles
from ..accounts.rules import Role
from ..accounts.schemas import ErrorOut
from ..core.files import read_limited
from ..core.paths import LARGEST_ID
from . import certificates

router = APIRouter(tags=["documents"], responses={s: {"model": ErrorOut} for s in (401, 403, 404, 409, 422)})

CERTIFICATE_STAFF = roles(Role.OPERATOR, Role.ADMIN)
MAX_PKCS12_BYTES = 1024 * 1024


class CertificateOut(BaseModel):
    serial: str = Field(description="The certificate's serial number (hex)")
    subject: str
    source: str = Field(description="issued (by the platform's CA) or uploaded (the organisation's own)")
    not_before: datetime
    not_after: datetime
    revoked_at: datetime | None
    revoked_reason: str | None


class RevokeIn(BaseModel):
    reason: str = Field("", max_length=300)


@router.get(
    "/organisation/certificate",
    response_model=CertificateOut | None,
    summary="The signing certificate of the caller's organisation (null before its first signature)",
)
def own_certificate(request: Request, actor: Actor = Depends(api_access(ORGANISATION_ADMINS))):
    with database(request).reading() as session:
        return certificates.own_certificate(session, actor)


@router.post(
    "/organisation/certificate",
    response_model=CertificateOut,
    status_code=201,
    summary="Upload the organisation's own certificate and key (PKCS#12); it signs from now on",
)
def upload_certificate(
    request: Request,
    file: UploadFile = File(...),
    password: str = Form("", max_length=200),
    actor: Actor = Depends(api_access(ORGANISATION_ADMINS)),
):
    data = read_limited(file.file, "file", MAX_PKCS12_BYTES)
    with database(request).transaction() as session:
        return certificates.upload_own(session, actor, data, password)


@router.post(
    "/organisations/{organisation_id}/certificate",
    response_model=CertificateOut,
    status_code=201,
    summary="Issue a new signing certificate to an organisation from the platform's CA",
)
def issue_certificate(
    request: Request,
    organisation_id: int = Path(ge=1, le=LARGEST_ID),
    actor: Actor = Depends(api_access(CERTIFICATE_STAFF)),
):
    with database(request).transaction() as session:
        return certificates.issue_for(session, actor, organisation_id)


@router.post(
    "/organisations/{organisation_id}/certificate/revoke",
    response_model=CertificateOut,
    summary="Revoke an organisation's signing certificate: it signs nothing more",
)
def revoke_certificate(
    request: Request,
    body: RevokeIn,
    organisation_id: int = Path(ge=1, le=LARGEST_ID),
    actor: Actor = Depends(api_access(CERTIFICATE_STAFF)),
):
    with database(request).transaction() as session:
        return certificates.revoke_for(session, actor, organisation_id, body.reason)
