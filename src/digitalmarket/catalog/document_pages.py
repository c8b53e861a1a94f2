"""The download of a service's public document from its page: signed-in users only (anyone else is sent to
log in and comes back to the file), the latest version, never a business document (404)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from ..accounts.access import database, page_access
from ..accounts.permissions import SIGNED_IN
from ..core.files import DocumentStore, attachment
from ..core.templating import csrf_protect
from . import documents, queries

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


@router.get("/services/{code}/documents/{kind}")
def service_document(request: Request, code: str, kind: str, actor=Depends(page_access(SIGNED_IN))):
    with database(request).reading() as session:
        document = documents.latest_document(session, queries.public_service(session, code), kind)
        path = DocumentStore.of(request.app.state.settings).path_of(document.sha256)
        filename, media_type = document.filename, document.media_type
    return attachment(path, filename, media_type)
