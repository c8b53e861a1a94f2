"""JSON routes of catalog contracts under /api/v1/catalog-contracts: the same workflows as the pages."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from ...accounts.access import api_access, database
from ...accounts.permissions import CONTRACTING_OFFICERS, SUPPLIERS, Actor, roles
from ...accounts.rules import Role
from ...accounts.schemas import ErrorOut
from ...catalog.papers import papers_of
from ...core.files import DocumentStore, attachment
from ...core.ids import ocid_of
from ...core.paging import DEFAULT_LIMIT, Cursor, Limit, Page, page
from ...core.paths import LARGEST_ID
from ..states import CatalogState
from ..tables import CatalogContract
from . import applying, contract_items, officer_steps, queries

#: Who has catalog contracts to see: suppliers their own, PPS (and admins) all of them.
CONTRACT_READERS = roles(Role.SUPPLIER, Role.CONTRACTING_OFFICER, Role.ADMIN)
ContractId = Path(gt=0, le=LARGEST_ID)
router = APIRouter(
    tags=["catalog contracts"], responses={s: {"model": ErrorOut} for s in (400, 401, 403, 404, 409, 422)}
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ItemIn(Strict):
    price_plan_id: int = Field(gt=0, le=LARGEST_ID)
    unit_price: int = Field(gt=0, le=1_000_000_000_000, description="KRW without VAT, <= the plan's catalog price")
    product_id: str | None = Field(None, max_length=40, description="물품식별번호; defaults to <service code>-NN")
    item: str | None = Field(None, max_length=200, description="Item name; defaults to the service and plan names")

    def value(self) -> contract_items.ItemInput:
        return contract_items.ItemInput(self.price_plan_id, self.unit_price, self.product_id, self.item)


class ApplyIn(Strict):
    service_id: int = Field(gt=0, le=LARGEST_ID)
    period_start: date
    period_end: date
    items: list[ItemIn] = Field(min_length=1, max_length=50)


class CatalogContractVersionIn(Strict):
    version: int


class ReasonIn(CatalogContractVersionIn):
    reason: str = Field(max_length=2000)


class ProposalIn(CatalogContractVersionIn):
    """Items and period as resubmitted (supplier) or contracted (officer); omitted: as proposed."""

    items: list[ItemIn] | None = Field(None, min_length=1, max_length=50)
    period_start: date | None = None
    period_end: date | None = None


class AmendIn(CatalogContractVersionIn):
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


class CatalogContractDocumentOut(BaseModel):
    id: int
    kind: str
    filename: str
    sha256: str
    size: int


class ContractOut(BaseModel):
    id: int
    number: str | None
    ocid: str | None = Field(description="Its open contracting id once signed (its number): GET /ocds/records/{ocid}")
    state: CatalogState
    service_id: int
    service_code: str
    service_name: str
    supplier: str
    change_seq: int
    period_start: date
    period_end: date
    state_reason: str | None = Field(description="The reason of its last suspension, resumption or supplement request")
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
            ocid=ocid_of(contract.number) if contract.number else None,
            state=contract.status,
            service_id=contract.service_id,
            service_code=contract.service.code,
            service_name=contract.service.name,
            supplier=contract.supplier.name,
            change_seq=contract.change_seq,
            period_start=contract.period_start,
            period_end=contract.period_end,
            state_reason=contract.status_reason,
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
                    items=[_item(i) for i in contract_items.items_of(contract, v.seq)],
                )
                for v in contract.versions
            ],
            version=contract.version,
        )


class ContractDetailOut(ContractOut):
    documents: list[CatalogContractDocumentOut]


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
    papers = papers_of(session, contract.service_id)
    documents = [
        CatalogContractDocumentOut(id=d.id, kind=d.kind, filename=d.filename, sha256=d.sha256, size=d.size)
        for d in (papers.documents if papers else ())
    ]
    return ContractDetailOut(**ContractOut.of(contract).model_dump(), documents=documents)


@router.get(
    "/catalog-contracts",
    response_model=Page[ContractOut],
    summary="A supplier's own catalog contracts, or PPS's queue (applied, under review, supplement requested); "
    "the newest first",
)
def list_contracts(
    request: Request,
    state: CatalogState | None = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    actor: Actor = Depends(api_access(CONTRACT_READERS)),
):
    with database(request).reading() as session:
        found = queries.contracts_for(session, actor, state)
        chosen, next_cursor = page(found, lambda c: (c.id,), cursor, limit)
        return Page(items=[ContractOut.of(c) for c in chosen], next_cursor=next_cursor)


@router.post(
    "/catalog-contracts",
    status_code=201,
    response_model=ContractDetailOut,
    summary="Apply for a catalog contract of a published service, from its price plans",
)
def apply(body: ApplyIn, request: Request, actor: Actor = Depends(api_access(SUPPLIERS))):
    with database(request).transaction() as session:
        contract = applying.apply(
            session, actor, body.service_id, [i.value() for i in body.items], body.period_start, body.period_end
        )
        return _detail(session, contract)


@router.get("/catalog-contracts/{contract_id}", response_model=ContractDetailOut, summary="One catalog contract")
def read(request: Request, contract_id: int = ContractId, actor: Actor = Depends(api_access(CONTRACT_READERS))):
    with database(request).reading() as session:
        return _detail(session, queries.visible_contract(session, actor, contract_id))


@router.get("/catalog-contracts/{contract_id}/timeline", response_model=list[StepOut], summary="Every step so far")
def timeline(request: Request, contract_id: int = ContractId, actor: Actor = Depends(api_access(CONTRACT_READERS))):
    with database(request).reading() as session:
        contract = queries.visible_contract(session, actor, contract_id)
        return [StepOut(**{k: s[k] for k in StepOut.model_fields}) for s in queries.timeline(session, contract)]


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
        contract = queries.visible_contract(session, actor, contract_id)
        after_seq = contract.change_seq if after is None else after
        before_seq = max(after_seq - 1, 0) if before is None else before
        found = queries.diff(contract, before_seq, after_seq)
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
    document_id: int = Path(gt=0, le=LARGEST_ID),
    actor: Actor = Depends(api_access(CONTRACT_READERS)),
):
    with database(request).reading() as session:
        found = queries.contract_document(session, actor, contract_id, document_id)
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
        contract = applying.resubmit(
            session, actor, contract_id, body.version, items, body.period_start, body.period_end
        )
        return _detail(session, contract)


@router.post(
    "/catalog-contracts/{contract_id}/start-review", response_model=ContractDetailOut, summary="Start the PPS review"
)
def start_review(
    body: CatalogContractVersionIn,
    request: Request,
    contract_id: int = ContractId,
    actor: Actor = Depends(api_access(CONTRACTING_OFFICERS)),
):
    with database(request).transaction() as session:
        return _detail(session, officer_steps.start_review(session, actor, contract_id, body.version))


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
        return _detail(
            session, officer_steps.request_supplement(session, actor, contract_id, body.version, body.reason)
        )


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
        contract = officer_steps.sign(
            session, actor, contract_id, body.version, items, body.period_start, body.period_end
        )
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
        contract = officer_steps.amend(session, actor, contract_id, body.version, items, body.period_end, body.reason)
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
        return _detail(session, officer_steps.suspend(session, actor, contract_id, body.version, body.reason))


@router.post("/catalog-contracts/{contract_id}/resume", response_model=ContractDetailOut, summary="Resume trade")
def resume(
    body: ReasonIn,
    request: Request,
    contract_id: int = ContractId,
    actor: Actor = Depends(api_access(CONTRACTING_OFFICERS)),
):
    with database(request).transaction() as session:
        return _detail(session, officer_steps.resume(session, actor, contract_id, body.version, body.reason))
