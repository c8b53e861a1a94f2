"""Public JSON routes under /api/v1/verify (no sign-in): check a PDF's signatures or look a document up by
its SHA-256, and the platform's CA certificate and revocation list for checking offline. See
docs/documents.md."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from ..accounts.access import api_access, database
from ..accounts.permissions import PUBLIC
from ..accounts.schemas import ErrorOut
from ..core.errors import NotFound
from ..core.files import read_limited
from ..core.i18n import N_
from .authority import authority, revocation_list
from .checking import MAX_BYTES, check_digest, check_file
from .keys import certificate_pem

router = APIRouter(tags=["documents"], responses={s: {"model": ErrorOut} for s in (404, 413, 422)})

NO_AUTHORITY = N_("This installation has not signed any document yet.")


class SignatureOut(BaseModel):
    field: str = Field(description="The signature field (Agency, Supplier, PlatformTimestamp ...)")
    kind: str = Field(description="signature or timestamp (the platform's document timestamp)")
    signer: str = Field(description="Who the certificate names: organisation / name")
    signer_name: str | None = Field(description="The person the signature names")
    reason: str | None
    signed_at: str | None = Field(description="When it was signed (ISO 8601, UTC)")
    intact: bool = Field(description="The signed bytes are unchanged")
    valid: bool = Field(description="The signature itself is cryptographically valid")
    trusted: bool = Field(description="The certificate chains to the platform's CA, not revoked or expired then")
    revoked: bool
    covers_whole_file: bool
    changes_after: str = Field(
        description="What changed after it: none, timestamps, signatures, annotations, or other (altered)"
    )
    ok: bool


class SignatureVerificationOut(BaseModel):
    readable: bool = Field(description="pyHanko could read the file as a PDF")
    ok: bool = Field(description="Signed, and every signature holds with nothing but signatures after it")
    size: int
    signatures: list[SignatureOut]


class KnownOut(BaseModel):
    sha256: str
    title: str = Field(description="Which document it is")
    family: str
    revision: int = Field(description="The version of the document (변경차수)")
    kind: str = Field(description="draft, signature (a signed revision) or timestamp (complete, sealed)")
    signer: str | None
    organisation: str | None
    made_at: str
    is_latest: bool = Field(description="It is the latest complete version of this document")
    latest_sha256: str | None
    latest_title: str | None


class CheckOut(BaseModel):
    sha256: str
    known: KnownOut | None = Field(description="What the platform knows of this document, if it made it")
    verification: SignatureVerificationOut | None = Field(description="The signatures, when a file was sent")


@router.get("/verify", response_model=CheckOut, summary="Look a document up by its SHA-256")
def verify_digest(
    request: Request,
    sha256: str = Query(..., max_length=100, description="The document's SHA-256 (64 hexadecimal digits)"),
    _=Depends(api_access(PUBLIC)),
):
    with database(request).reading() as session:
        return check_digest(session, sha256)


@router.post("/verify", response_model=CheckOut, summary="Check a PDF's signatures (up to 20 MB)")
def verify_file(request: Request, file: UploadFile = File(...), _=Depends(api_access(PUBLIC))):
    """Nothing is stored. The answer says which document it is, who signed and when, whether anything
    changed after each signature, and whether it is the latest version."""
    data = read_limited(file.file, "file", MAX_BYTES)
    with database(request).reading() as session:
        return check_file(session, data)


@router.get("/verify/ca.pem", summary="The platform's CA certificate (PEM), to verify documents offline")
def ca_certificate(request: Request, _=Depends(api_access(PUBLIC))):
    with database(request).reading() as session:
        ca = authority(session)
        if ca is None:
            raise NotFound(NO_AUTHORITY)
        pem = certificate_pem(ca)
    return Response(
        pem,
        media_type="application/x-pem-file",
        headers={"Content-Disposition": 'attachment; filename="digitalmarket-ca.pem"'},
    )


@router.get("/verify/crl", summary="The CA's certificate revocation list (DER), made now")
def crl(request: Request, _=Depends(api_access(PUBLIC))):
    with database(request).reading() as session:
        if authority(session) is None:
            raise NotFound(NO_AUTHORITY)
        data = revocation_list(session)
    return Response(
        data,
        media_type="application/pkix-crl",
        headers={"Content-Disposition": 'attachment; filename="digitalmarket-ca.crl"'},
    )
