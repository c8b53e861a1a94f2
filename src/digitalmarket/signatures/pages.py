"""The page /verify (문서 검증), open to anyone: upload a PDF or paste its SHA-256, and read which document
it is, who signed and when, whether anything changed after each signature, and whether it is the latest
version; with the CA certificate to download for checking offline."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import UploadFile

from ..accounts.access import database, page_access
from ..accounts.permissions import PUBLIC
from ..core.errors import DomainError, ValidationFailed
from ..core.files import read_limited
from ..core.forms import MultipartForm, form_errors
from ..core.i18n import N_
from ..core.templating import csrf_protect, render
from .authority import authority
from .checking import MAX_BYTES, check_digest, check_file

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


def _page(request: Request, result=None, errors=None, values=None, status: int = 200):
    with database(request).reading() as session:
        has_ca = authority(session) is not None
    context = {
        "result": result,
        "errors": errors or {},
        "values": values or {},
        "has_ca": has_ca,
        "max_mb": MAX_BYTES // (1024 * 1024),
    }
    return render(request, "verify.html", context, status_code=status)


@router.get("/verify")
def verify_page(request: Request, _=Depends(page_access(PUBLIC))):
    return _page(request)


@router.post("/verify")
def verify_submit(request: Request, form: MultipartForm, _=Depends(page_access(PUBLIC))):
    upload = form.get("file")
    pasted = str(form.get("sha256") or "").strip()
    try:
        if isinstance(upload, UploadFile) and upload.filename:
            data = read_limited(upload.file, "file", MAX_BYTES)
            with database(request).reading() as session:
                result = check_file(session, data)
        elif pasted:
            with database(request).reading() as session:
                result = check_digest(session, pasted)
        else:
            raise ValidationFailed(fields={"file": N_("Choose a PDF file or paste its SHA-256.")})
    except DomainError as error:
        return _page(request, errors=form_errors(error), values={"sha256": pasted}, status=error.status)
    return _page(request, result=result, values={"sha256": pasted})
