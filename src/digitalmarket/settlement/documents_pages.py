"""The documents of an order as a browser downloads them: ``/orders/{id}/paperwork/{sha256}`` for both
parties and the operator (anyone else: 404). The order page lists them in its implementation section
(`settlement_pages.order_page_section`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from ..accounts.access import database, page_access
from ..accounts.permissions import Actor, roles
from ..accounts.rules import Role
from ..core.files import DocumentStore, attachment
from ..core.templating import csrf_protect
from . import paperwork

PARTIES_AND_STAFF = roles(Role.AGENCY_BUYER, Role.SUPPLIER, Role.OPERATOR, Role.ADMIN)
Id = Annotated[int, Path(gt=0, lt=2**31)]
Sha256 = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]
router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


@router.get("/orders/{order_id}/paperwork/{sha256}")
def order_paperwork(
    request: Request, order_id: Id, sha256: Sha256, actor: Actor = Depends(page_access(PARTIES_AND_STAFF))
):
    with database(request).reading() as session:
        doc = paperwork.document_by_hash(session, actor, order_id, sha256)
    return attachment(DocumentStore.of_request(request).path_of(doc.sha256), doc.filename, doc.media_type)
