"""JSON routes of a service's public documents under /api/v1: the list for anyone, the files for signed-in
users (agencies' buyers, suppliers, staff); a supplier's business documents are never among them."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from ..accounts.access import api_access, database
from ..accounts.permissions import PUBLIC, SIGNED_IN
from ..accounts.schemas import ErrorOut
from ..core.files import DocumentStore, attachment
from . import documents, queries
from .rules import PUBLIC_DOCUMENT_LABELS
from .tables import ServiceDocument

router = APIRouter(tags=["catalog"], responses={s: {"model": ErrorOut} for s in (401, 404)})


class ServiceDocumentOut(BaseModel):
    kind: str = Field(description="service_description | sla | price_list")
    label: str
    version: int = Field(description="1 for the document published with the service; later versions count up")
    filename: str
    media_type: str
    size: int
    sha256: str
    published_at: datetime
    download: str = Field(description="the path of the file (signed-in callers only)")

    @classmethod
    def of(cls, code: str, document: ServiceDocument) -> ServiceDocumentOut:
        return cls(
            kind=document.kind,
            label=PUBLIC_DOCUMENT_LABELS[document.kind].render(),
            version=document.version,
            filename=document.filename,
            media_type=document.media_type,
            size=document.size,
            sha256=document.sha256,
            published_at=document.published_at,
            download=f"/api/v1/services/{code}/documents/{document.kind}",
        )


@router.get(
    "/services/{code}/documents",
    response_model=list[ServiceDocumentOut],
    summary="The public documents of a service (service description, SLA, price list), latest versions",
)
def service_documents(code: str, request: Request, _=Depends(api_access(PUBLIC))):
    with database(request).reading() as session:
        service = queries.public_service(session, code)
        return [ServiceDocumentOut.of(service.code, d) for d in documents.latest_documents(session, service)]


@router.get(
    "/services/{code}/documents/{kind}",
    response_class=FileResponse,
    summary="Download the latest version of a public document (signed-in users)",
)
def service_document(code: str, kind: str, request: Request, _=Depends(api_access(SIGNED_IN))):
    with database(request).reading() as session:
        document = documents.latest_document(session, queries.public_service(session, code), kind)
        path = DocumentStore.of(request.app.state.settings).path_of(document.sha256)
        filename, media_type = document.filename, document.media_type
    return attachment(path, filename, media_type)
