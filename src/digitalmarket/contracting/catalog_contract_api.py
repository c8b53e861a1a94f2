"""JSON routes of catalog contracts under /api/v1/catalog-contracts: the same workflows as the pages."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from ..accounts.access import api_access, database
from ..accounts.permissions import CONTRACTING_OFFICERS, SUPPLIERS, Actor, roles
from ..accounts.rules import Role
from ..accounts.schemas import ErrorOut
from ..core.files import DocumentStore, attachment
from . import catalog_change_requests as changes
from . import catalog_contracts as cc
from .tables import CatalogContract, CatalogContractChangeRequest

#: Who has catalog contracts to see: suppliers their own, PPS (and admins) all of them.
CONTRACT_READERS = roles(Role.SUPPLIER, Role.CONTRACTING_OFFICER, Role.ADMIN)
ContractId = Path(gt=0, lt=2**31)
router = APIRouter(
    tags=["catalog contracts"], responses={s: {"model": ErrorOut} for s in (400, 401, 403, 404, 409, 422)}
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ItemIn(Strict):
    price_plan_id: int = Field(gt=0, lt=2**31)
    unit_price: int = Field(gt=0, le=1_000_000_000_000, description="KRW without VAT, <= the plan's catalog price")
    product_id: str | None = Field(None, max_length=40, description="물품식별번호; defaults to <service code>-NN")
    item: str | None = Field(None, max_length=200, description="Item name; defaults to the service and plan names")

    def value(self) -> cc.ItemInput:
        return cc.ItemInput(self.price_plan_id, self.unit_price, self.product_id, self.item)


class ApplyIn(Strict):
    service_id: int = Field(gt=0, lt=2**31)
    period_start: date
    period_end: date
    items: list[ItemIn] = Field(min_length=1, max_length=50)


class VersionIn(Strict):
    version: int


class ReasonIn(VersionIn):
    reason: str = Field(max_length=2000)


class ProposalIn(VersionIn):
    """Items and period as resubmitted (supplier) or contracted (officer); omitted: as proposed."""

    items: list[ItemIn] | None = Field(None, min_length=1, max_length=50)
    period_start: date | None = None
    period_end: date | None = None


class AmendIn(VersionIn):
    items: list[ItemIn] = Field(min_length=1, max_length=50)
    period_end: date | None = Field(None, description="A later end of the period; omitted: unchanged")
    reason: str = Field(max_length=2000)


class ItemOut(BaseModel):
    price_plan_id: int
    product_id: str
    item: str
    unit: str
    unit_price: int


class VersionOut(BaseModel):
    seq: int
    period_start: date
    period_end: date
    reason: str
    created_at: datetime
    items: list[ItemOut]


class DocumentOut(BaseModel):
    id: int
    kind: str
    filename: str
    sha256: str
    size: int


class ContractOut(BaseModel):
    id: int
    number: str | None
    status: str
    service_id: int
    service_code: str
    service_name: str
    supplier: str
    change_seq: int
    period_start: date
    period_end: date
    status_reason: str | None
    applied_at: datetime
    contracted_at: datetime | None
    items: list[ItemOut]
    versions: list[VersionOut]
    version: int

    @classmethod
    def of(cls, contract: CatalogContract) -> ContractOut:
        return cls(
            id=contract.id,
            number=contract.number,
            status=contract.status,
            service_id=contract.service_id,
            service_code=contract.service.code,
            service_name=contract.service.name,
            supplier=contract.supplier.name,
            change_seq=contract.change_seq,
            period_start=contract.period_start,
            period_end=contract.period_end,
            status_reason=contract.status_reason,
            applied_at=contract.applied_at,
            contracted_at=contract.contracted_at,
            items=[_item(i) for i in contract.current_items()],
            versions=[
                VersionOut(
                    seq=v.seq,
                    period_start=v.period_start,
                    period_end=v.period_end,
                    reason=v.reason,
                    created_at=v.created_at,
                    items=[_item(i) for i in cc.items_of(contract, v.seq)],
                )
                for v in contract.versions
            ],
            version=contract.version,
        )


class ContractDetailOut(ContractOut):
    documents: list[DocumentOut]


def _item(row) -> ItemOut:
    return ItemOut(
        price_plan_id=row.price_plan_id,
        product_id=row.product_id,
        item=row.item,
        unit=row.unit,
        unit_price=row.unit_price,
    )


class StepOut(BaseModel):
    action: str
    from_state: str | None
    to_state: str | None
    change_seq: int
    at: datetime
    actor: str | None
    actor_role: str | None
    reason: str | None
    details: dict


class ItemChangeOut(BaseModel):
    price_plan_id: int
    change: str
    before: ItemOut | None
    after: ItemOut | None


class DiffOut(BaseModel):
    from_seq: int
    to_seq: int
    reason: str
    period_before: tuple[date, date]
    period_after: tuple[date, date]
    period_changed: bool
    items: list[ItemChangeOut]


def _detail(session, contract: CatalogContract) -> ContractDetailOut:
    application = cc.selection_application(session, contract.service_id)
    documents = [
        DocumentOut(id=d.id, kind=d.kind, filename=d.filename, sha256=d.sha256, size=d.size)
        for d in (application.documents if application else [])
    ]
    return ContractDetailOut(**ContractOut.of(contract).model_dump(), documents=documents)


@router.get(
    "/catalog-contracts",
    response_model=list[ContractOut],
    summary="A supplier's own catalog contracts, or PPS's queue (applied, under review, supplement requested)",
)
def list_contracts(request: Request, state: str | None = None, actor: Actor = Depends(api_access(CONTRACT_READERS))):
    with database(request).reading() as session:
        return [ContractOut.of(c) for c in cc.contracts_for(session, actor, state)]


@router.post(
    "/catalog-contracts",
    status_code=201,
    response_model=ContractDetailOut,
    summary="Apply for a catalog contract of a published service, from its price plans",
)
def apply(body: ApplyIn, request: Request, actor: Actor = Depends(api_access(SUPPLIERS))):
    with database(request).transaction() as session:
        contract = cc.apply(
            session, actor, body.service_id, [i.value() for i in body.items], body.period_start, body.period_end
        )
        return _detail(session, contract)


@router.get("/catalog-contracts/{contract_id}", response_model=ContractDetailOut, summary="One catalog contract")
def read(request: Request, contract_id: int = ContractId, actor: Actor = Depends(api_access(CONTRACT_READERS))):
    with database(request).reading() as session:
        return _detail(session, cc.visible_contract(session, actor, contract_id))


@router.get("/catalog-contracts/{contract_id}/timeline", response_model=list[StepOut], summary="Every step so far")
def timeline(request: Request, contract_id: int = ContractId, actor: Actor = Depends(api_access(CONTRACT_READERS))):
    with database(request).reading() as session:
        contract = cc.visible_contract(session, actor, contract_id)
        return [StepOut(**{k: s[k] for k in StepOut.model_fields}) for s in cc.timeline(session, contract)]


@router.get(
    "/catalog-contracts/{contract_id}/diff",
    response_model=DiffOut,
    summary="Differences of items and period between two versions (변경차수); by default the last two",
)
def diff(
    request: Request,
    contract_id: int = ContractId,
    before: int | None = None,
    after: int | None = None,
    actor: Actor = Depends(api_access(CONTRACT_READERS)),
):
    with database(request).reading() as session:
        contract = cc.visible_contract(session, actor, contract_id)
        after_seq = contract.change_seq if after is None else after
        before_seq = max(after_seq - 1, 0) if before is None else before
        found = cc.diff(contract, before_seq, after_seq)
        changes = [
            ItemChangeOut(
                price_plan_id=c.price_plan_id,
                change=c.change,
                before=ItemOut(**vars(c.before)) if c.before else None,
                after=ItemOut(**vars(c.after)) if c.after else None,
            )
            for c in found["items"]
        ]
        return DiffOut(**{**found, "items": changes})


@router.get(
    "/catalog-contracts/{contract_id}/documents/{document_id}",
    summary="Download a document of the selection application behind the contract",
    response_class=FileResponse,
)
def document(
    request: Request,
    contract_id: int = ContractId,
    document_id: int = Path(gt=0, lt=2**31),
    actor: Actor = Depends(api_access(CONTRACT_READERS)),
):
    with database(request).reading() as session:
        found = cc.contract_document(session, actor, contract_id, document_id)
        path = DocumentStore.of(request.app.state.settings).path_of(found.sha256)
        filename, media_type = found.filename, found.media_type
    return attachment(path, filename, media_type)


@router.post(
    "/catalog-contracts/{contract_id}/resubmit",
    response_model=ContractDetailOut,
    summary="Resubmit after a supplement request, with changed items or period if given",
)
def resubmit(
    body: ProposalIn, request: Request, contract_id: int = ContractId, actor: Actor = Depends(api_access(SUPPLIERS))
):
    items = [i.value() for i in body.items] if body.items is not None else None
    with database(request).transaction() as session:
        contract = cc.resubmit(session, actor, contract_id, body.version, items, body.period_start, body.period_end)
        return _detail(session, contract)


@router.post(
    "/catalog-contracts/{contract_id}/start-review", response_model=ContractDetailOut, summary="Start the PPS review"
)
def start_review(
    body: VersionIn,
    request: Request,
    contract_id: int = ContractId,
    actor: Actor = Depends(api_access(CONTRACTING_OFFICERS)),
):
    with database(request).transaction() as session:
        return _detail(session, cc.start_review(session, actor, contract_id, body.version))


@router.post(
    "/catalog-contracts/{contract_id}/supplement-request",
    response_model=ContractDetailOut,
    summary="Request a supplement, with the reasons",
)
def supplement(
    body: ReasonIn,
    request: Request,
    contract_id: int = ContractId,
    actor: Actor = Depends(api_access(CONTRACTING_OFFICERS)),
):
    with database(request).transaction() as session:
        return _detail(session, cc.request_supplement(session, actor, contract_id, body.version, body.reason))


@router.post(
    "/catalog-contracts/{contract_id}/contract",
    response_model=ContractDetailOut,
    summary="Contract: a CC number, the period and the items (never above the plans' prices)",
)
def sign(
    body: ProposalIn,
    request: Request,
    contract_id: int = ContractId,
    actor: Actor = Depends(api_access(CONTRACTING_OFFICERS)),
):
    items = [i.value() for i in body.items] if body.items is not None else None
    with database(request).transaction() as session:
        contract = cc.sign(session, actor, contract_id, body.version, items, body.period_start, body.period_end)
        return _detail(session, contract)


@router.post(
    "/catalog-contracts/{contract_id}/amend",
    response_model=ContractDetailOut,
    summary="Amend (변경차수 + 1): prices down, items added or removed, the period extended",
)
def amend(
    body: AmendIn,
    request: Request,
    contract_id: int = ContractId,
    actor: Actor = Depends(api_access(CONTRACTING_OFFICERS)),
):
    items = [i.value() for i in body.items]
    with database(request).transaction() as session:
        contract = cc.amend(session, actor, contract_id, body.version, items, body.period_end, body.reason)
        return _detail(session, contract)


@router.post(
    "/catalog-contracts/{contract_id}/suspend", response_model=ContractDetailOut, summary="Suspend trade (거래정지)"
)
def suspend(
    body: ReasonIn,
    request: Request,
    contract_id: int = ContractId,
    actor: Actor = Depends(api_access(CONTRACTING_OFFICERS)),
):
    with database(request).transaction() as session:
        return _detail(session, cc.suspend(session, actor, contract_id, body.version, body.reason))


@router.post("/catalog-contracts/{contract_id}/resume", response_model=ContractDetailOut, summary="Resume trade")
def resume(
    body: ReasonIn,
    request: Request,
    contract_id: int = ContractId,
    actor: Actor = Depends(api_access(CONTRACTING_OFFICERS)),
):
    with database(request).transaction() as session:
        return _detail(session, cc.resume(session, actor, contract_id, body.version, body.reason))


# --- change requests (변경 요청) --------------------------------------------------------------------------------


class PriceIn(Strict):
    price_plan_id: int = Field(gt=0, lt=2**31)
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
    status: str
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
            status=request.status,
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


RequestId = Path(gt=0, lt=2**31)


@router.get(
    "/catalog-change-requests",
    response_model=list[ChangeRequestOut],
    summary="PPS's queue of change requests waiting for a decision, the longest waiting first",
)
def pending_change_requests(
    request: Request, actor: Actor = Depends(api_access(roles(Role.CONTRACTING_OFFICER, Role.ADMIN)))
):
    with database(request).reading() as session:
        return [ChangeRequestOut.of(r) for r in changes.pending_change_requests(session)]


@router.get(
    "/catalog-contracts/{contract_id}/change-requests",
    response_model=list[ChangeRequestOut],
    summary="The change requests of a contract, the latest first",
)
def change_requests(
    request: Request, contract_id: int = ContractId, actor: Actor = Depends(api_access(CONTRACT_READERS))
):
    with database(request).reading() as session:
        return [ChangeRequestOut.of(r) for r in changes.visible_change_requests(session, actor, contract_id)]


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
