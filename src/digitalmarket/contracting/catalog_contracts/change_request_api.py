"""JSON routes of the catalog contracts' change requests (변경 요청) under /api/v1/catalog-contracts: the supplier
asks for an extension or a price cut and may withdraw it; the contracting officer approves or refuses it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, Field

from ...accounts.access import api_access, database
from ...accounts.permissions import CONTRACTING_OFFICERS, SUPPLIERS, Actor, roles
from ...accounts.rules import Role
from ...accounts.schemas import ErrorOut
from ...core.paging import DEFAULT_LIMIT, Cursor, Limit, Page, page
from ...core.paths import LARGEST_ID
from ..tables import CatalogContractChangeRequest
from . import change_requests as changes
from .api import CONTRACT_READERS, ContractId, Strict

router = APIRouter(
    tags=["catalog contracts"], responses={s: {"model": ErrorOut} for s in (400, 401, 403, 404, 409, 422)}
)


# --- change requests (변경 요청) --------------------------------------------------------------------------------


class PriceIn(Strict):
    price_plan_id: int = Field(gt=0, le=LARGEST_ID)
    unit_price: int = Field(gt=0, le=1_000_000_000_000, description="KRW without VAT, below the price in force")


class ChangeRequestIn(Strict):
    kind: str = Field(description="extension (a later end of the period) | price_cut (lower unit prices)")
    period_end: date | None = Field(None, description="An extension: the new end, after the current one")
    prices: list[PriceIn] | None = Field(None, max_length=50, description="A price cut: the items to lower")
    reason: str = Field(max_length=2000)


class ChangeVersionIn(Strict):
    version: int = Field(description="The change request's version, as read")


class ChangeReasonIn(ChangeVersionIn):
    reason: str = Field(max_length=2000)


class PriceChangeOut(BaseModel):
    price_plan_id: int
    before: int
    unit_price: int


class ChangeRequestOut(BaseModel):
    id: int
    contract_id: int
    kind: str
    state: Literal["pending", "approved", "refused", "withdrawn"]
    period_end_before: date
    period_end: date | None
    prices: list[PriceChangeOut]
    reason: str
    requested_at: datetime
    decided_at: datetime | None
    decision_reason: str | None
    change_seq: int | None
    version: int

    @classmethod
    def of(cls, request: CatalogContractChangeRequest) -> ChangeRequestOut:
        return cls(
            id=request.id,
            contract_id=request.contract_id,
            kind=request.kind,
            state=request.status,
            period_end_before=request.period_end_before,
            period_end=request.period_end,
            prices=[PriceChangeOut(**p) for p in request.prices or []],
            reason=request.reason,
            requested_at=request.requested_at,
            decided_at=request.decided_at,
            decision_reason=request.decision_reason,
            change_seq=request.change_seq,
            version=request.version,
        )


RequestId = Path(gt=0, le=LARGEST_ID)


@router.get(
    "/catalog-change-requests",
    response_model=Page[ChangeRequestOut],
    summary="PPS's queue of change requests waiting for a decision, the longest waiting first",
)
def pending_change_requests(
    request: Request,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    actor: Actor = Depends(api_access(roles(Role.CONTRACTING_OFFICER, Role.ADMIN))),
):
    with database(request).reading() as session:
        found = changes.pending_change_requests(session)
        chosen, next_cursor = page(found, lambda r: (r.requested_at, r.id), cursor, limit, newest_first=False)
        return Page(items=[ChangeRequestOut.of(r) for r in chosen], next_cursor=next_cursor)


@router.get(
    "/catalog-contracts/{contract_id}/change-requests",
    response_model=Page[ChangeRequestOut],
    summary="The change requests of a contract, the latest first",
)
def change_requests(
    request: Request,
    contract_id: int = ContractId,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    actor: Actor = Depends(api_access(CONTRACT_READERS)),
):
    with database(request).reading() as session:
        found = changes.visible_change_requests(session, actor, contract_id)
        chosen, next_cursor = page(found, lambda r: (r.id,), cursor, limit)
        return Page(items=[ChangeRequestOut.of(r) for r in chosen], next_cursor=next_cursor)


@router.post(
    "/catalog-contracts/{contract_id}/change-requests",
    status_code=201,
    response_model=ChangeRequestOut,
    summary="Ask PPS for an extension of the period or for lower prices (변경 요청), with a reason",
)
def request_change(
    body: ChangeRequestIn,
    request: Request,
    contract_id: int = ContractId,
    actor: Actor = Depends(api_access(SUPPLIERS)),
):
    prices = [changes.PriceInput(p.price_plan_id, p.unit_price) for p in body.prices or []]
    with database(request).transaction() as session:
        found = changes.request_change(session, actor, contract_id, body.kind, body.reason, body.period_end, prices)
        return ChangeRequestOut.of(found)


@router.post(
    "/catalog-contracts/{contract_id}/change-requests/{request_id}/withdraw",
    response_model=ChangeRequestOut,
    summary="Withdraw one's pending change request",
)
def withdraw_change_request(
    body: ChangeVersionIn,
    request: Request,
    contract_id: int = ContractId,
    request_id: int = RequestId,
    actor: Actor = Depends(api_access(SUPPLIERS)),
):
    with database(request).transaction() as session:
        found = changes.withdraw_change_request(session, actor, contract_id, request_id, body.version)
        return ChangeRequestOut.of(found)


@router.post(
    "/catalog-contracts/{contract_id}/change-requests/{request_id}/approve",
    response_model=ChangeRequestOut,
    summary="Approve a change request: the contract is amended (변경차수 + 1)",
)
def approve_change_request(
    body: ChangeVersionIn,
    request: Request,
    contract_id: int = ContractId,
    request_id: int = RequestId,
    actor: Actor = Depends(api_access(CONTRACTING_OFFICERS)),
):
    with database(request).transaction() as session:
        found = changes.approve_change_request(session, actor, contract_id, request_id, body.version)
        return ChangeRequestOut.of(found)


@router.post(
    "/catalog-contracts/{contract_id}/change-requests/{request_id}/refuse",
    response_model=ChangeRequestOut,
    summary="Refuse a change request, with a reason the supplier reads",
)
def refuse_change_request(
    body: ChangeReasonIn,
    request: Request,
    contract_id: int = ContractId,
    request_id: int = RequestId,
    actor: Actor = Depends(api_access(CONTRACTING_OFFICERS)),
):
    with database(request).transaction() as session:
        found = changes.refuse_change_request(session, actor, contract_id, request_id, body.version, body.reason)
        return ChangeRequestOut.of(found)
