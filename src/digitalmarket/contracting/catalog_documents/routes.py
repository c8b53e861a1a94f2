"""Downloading a catalog contract's signed 카탈로그 계약서 (`making`): by the supplier of the
contract, PPS's contracting officers, the operator and admins, as JSON API (``GET
/api/v1/catalog-contracts/{id}/document``) and from the contract's page (``GET
/catalog-contracts/{id}/document``); ``?change_seq=N`` names a version (변경차수), the newest by default.
Anyone else gets 404, as if it did not exist; a version whose document is still being made is a 409 with
``Retry-After``."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import FileResponse

from ...accounts.access import api_access, database, page_access
from ...accounts.permissions import Actor, roles
from ...accounts.rules import Role
from ...accounts.schemas import ErrorOut
from ...core.errors import NotFound
from ...core.files import DocumentStore, attachment
from ...core.paths import LARGEST_ID
from ..tables import CatalogContract
from .making import document_of, filename_of

#: Who may ask; `readable_contract` decides per contract (404 otherwise).
ANYONE_SIGNED_IN = roles(*Role)
#: Who reads every catalog contract's document.
STAFF = {Role.CONTRACTING_OFFICER, Role.OPERATOR, Role.ADMIN}
ContractId = Path(gt=0, le=LARGEST_ID)
ChangeSeq = Query(None, ge=0, le=LARGEST_ID, description="변경차수; the newest version with a document by default")

api_router = APIRouter(tags=["catalog contracts"], responses={s: {"model": ErrorOut} for s in (401, 404, 422)})
page_router = APIRouter(include_in_schema=False)


def readable_contract(session, actor: Actor, contract_id: int) -> CatalogContract:
    contract = session.get(CatalogContract, contract_id)
    if contract is None:
        raise NotFound()
    if actor.role in STAFF or (actor.role == Role.SUPPLIER and contract.supplier_id == actor.organisation_id):
        return contract
    raise NotFound()


def _download(request: Request, actor: Actor, contract_id: int, change_seq: int | None):
    with database(request).reading() as session:
        contract = readable_contract(session, actor, contract_id)
        found, seq = document_of(session, contract, change_seq)
        path = DocumentStore.of(request.app.state.settings).path_of(found.sha256)
        filename = filename_of(contract, seq)
    return attachment(path, filename, "application/pdf")


@api_router.get(
    "/catalog-contracts/{contract_id}/document",
    summary="Download the signed catalog contract document (카탈로그 계약서) of a version",
    response_class=FileResponse,
)
def api_document(
    request: Request,
    contract_id: int = ContractId,
    change_seq: int | None = ChangeSeq,
    actor: Actor = Depends(api_access(ANYONE_SIGNED_IN)),
):
    return _download(request, actor, contract_id, change_seq)


@page_router.get("/catalog-contracts/{contract_id}/document")
def page_document(
    request: Request,
    contract_id: int = ContractId,
    change_seq: int | None = ChangeSeq,
    actor: Actor = Depends(page_access(ANYONE_SIGNED_IN)),
):
    return _download(request, actor, contract_id, change_seq)
