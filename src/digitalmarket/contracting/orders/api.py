"""JSON routes of orders (이용계약) under /api/v1: negotiated orders, confirmation, changes, termination,
and the contract documents. Only the two parties of an order see it; anyone else gets 404."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from ...accounts.access import api_access, database
from ...accounts.permissions import AGENCY_BUYERS, PUBLIC, Actor, roles
from ...accounts.rules import Role
from ...accounts.schemas import ErrorOut
from ...catalog.queries import public_service
from ...core.clock import today_kst
from ...core.files import DocumentStore, attachment
from ...core.ids import ocid_of
from ...core.paging import DEFAULT_LIMIT, Cursor, Limit, Page, page, within
from ...core.paths import LARGEST_ID, Id
from ..states import OrderState
from ..tables import Order, OrderLine, OrderVersion
from . import access, changing, confirming, documents, ending, making

PARTIES = roles(Role.AGENCY_BUYER, Role.SUPPLIER)
Seq = Annotated[int, Path(ge=0, lt=1000)]
router = APIRouter(tags=["orders"], responses={s: {"model": ErrorOut} for s in (401, 403, 404, 409, 422)})


class Loose(BaseModel):
    """Fields the server computes (totals, amounts) may be sent and are ignored."""

    model_config = ConfigDict(extra="ignore")


class OrderLineIn(Loose):
    price_plan_id: int = Field(gt=0, le=LARGEST_ID)
    quantity: int
    months: int
    unit_price: int = Field(description="KRW without VAT, at most the catalog price")


class NegotiatedIn(Loose):
    code: str = Field(max_length=20, description="The service's public code")
    start_date: date
    lines: list[OrderLineIn] = Field(min_length=1, max_length=making.MAX_LINES)


class OrderVersionIn(Loose):
    version: int


class ChangeLineIn(Loose):
    position: int = Field(ge=0, lt=100)
    quantity: int
    months: int
    unit_price: int


class ChangeIn(Loose):
    version: int
    reason: str = Field(max_length=4000)
    lines: list[ChangeLineIn] = Field(min_length=1, max_length=making.MAX_LINES)


class TerminateIn(Loose):
    version: int
    reason: str = Field(max_length=4000)


class OrderLineOut(BaseModel):
    position: int
    price_plan_id: int
    item: str
    unit: str
    billing: str
    quantity: int
    months: int
    catalog_unit_price: int
    unit_price: int
    amount: int

    @classmethod
    def of(cls, line: OrderLine) -> OrderLineOut:
        return cls(**{name: getattr(line, name) for name in cls.model_fields})


class OrderVersionOut(BaseModel):
    seq: int
    state: Literal["proposed", "confirmed", "withdrawn"] = Field(
        description="proposed: waiting for both confirmations; confirmed: in force from its change; withdrawn"
    )
    start_date: date
    end_date: date
    supply_amount: int
    vat: int
    total: int
    reason: str
    document_sha256: str | None = Field(
        description="SHA-256 of the version's contract document (PDF), what both sides confirm; null while the "
        "document is being made (`document_status` is `preparing`)"
    )
    document_status: Literal["preparing", "ready"] = Field(
        description="`preparing`: the document is made right after the step that called for it (an award, a "
        "direct order, a change proposal, the second confirmation), within seconds; confirming before it is "
        "`ready` is a 409 `document_preparing` with `Retry-After`. Read the order again until it is `ready`."
    )
    agency_confirmed_at: datetime | None
    supplier_confirmed_at: datetime | None
    lines: list[OrderLineOut]

    @classmethod
    def of(cls, version: OrderVersion, lines: list[OrderLine]) -> OrderVersionOut:
        own = {name for name in cls.model_fields if name not in ("lines", "document_status", "state")}
        fields = {name: getattr(version, name) for name in own}
        status = documents.document_status(version)
        return cls(
            **fields,
            state=version.status,
            document_status=status,
            lines=[OrderLineOut.of(line) for line in lines],
        )


class OrderOut(BaseModel):
    id: int
    code: str
    ocid: str = Field(description="Its open contracting id: GET /ocds/releases/{ocid} and /ocds/records/{ocid}")
    agency: str
    supplier: str
    service_code: str
    service: str
    method: str
    quote_id: int | None
    decision_record: str | None = Field(
        description="For an order awarded from a quote request: the path of the award's decision record "
        "(the searches, comparisons and quotes weighed, the reason)"
    )
    state: OrderState
    change_seq: int
    start_date: date
    end_date: date
    supply_amount: int
    vat: int
    total: int
    state_reason: str | None = Field(description="Why it was terminated, when it was")
    contracted_at: datetime | None
    lines: list[OrderLineOut]
    versions: list[OrderVersionOut]
    version: int

    @classmethod
    def of(cls, order: Order) -> OrderOut:
        return cls(
            id=order.id,
            code=order.code,
            ocid=ocid_of(order.code),
            agency=order.agency.name,
            supplier=order.supplier.name,
            service_code=order.service.code,
            service=order.service.name,
            method=order.method,
            quote_id=order.quote_id,
            decision_record=f"/api/v1/orders/{order.id}/decision-record" if order.quote_id else None,
            state=order.status,
            change_seq=order.change_seq,
            start_date=order.start_date,
            end_date=order.end_date,
            supply_amount=order.supply_amount,
            vat=order.vat,
            total=order.total,
            state_reason=order.status_reason,
            contracted_at=order.contracted_at,
            lines=[OrderLineOut.of(line) for line in order.current_lines()],
            versions=[OrderVersionOut.of(v, order.lines_of(v.seq)) for v in order.versions],
            version=order.version,
        )


def _store(request: Request) -> DocumentStore:
    return DocumentStore.of(request.app.state.settings)


@router.get("/orders", response_model=Page[OrderOut], summary="The caller's organisation's orders, the newest first")
def list_orders(
    request: Request,
    state: OrderState | None = None,
    created_from: date | None = Query(None, description="Made on or after this day (KST)"),
    created_to: date | None = Query(None, description="Made on or before this day (KST)"),
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    actor: Actor = Depends(api_access(PARTIES)),
):
    with database(request).reading() as session:
        found = [
            o
            for o in access.orders_of(session, actor)
            if (state is None or o.status == state) and within(o.created_at, created_from, created_to)
        ]
        chosen, next_cursor = page(found, lambda o: (o.id,), cursor, limit)
        return Page(items=[OrderOut.of(o) for o in chosen], next_cursor=next_cursor)


@router.post(
    "/orders", status_code=201, response_model=OrderOut, summary="A negotiated contract (수의계약) without a quote"
)
def create_order(body: NegotiatedIn, request: Request, actor: Actor = Depends(api_access(AGENCY_BUYERS))):
    data = making.NegotiatedIn(
        code=body.code,
        start_date=body.start_date,
        lines=[making.OrderLineIn(x.price_plan_id, x.quantity, x.months, x.unit_price) for x in body.lines],
    )
    with database(request).transaction() as session:
        return OrderOut.of(making.create_negotiated(session, actor, data))


@router.get("/orders/{order_id}", response_model=OrderOut, summary="One order with every version")
def read_order(order_id: Id, request: Request, actor: Actor = Depends(api_access(PARTIES))):
    with database(request).reading() as session:
        return OrderOut.of(access.visible_order(session, actor, order_id))


@router.get(
    "/orders/{order_id}/document",
    summary="The contract document (PDF) of a version (변경차수; the one in force by default)",
    response_class=FileResponse,
)
def document(
    order_id: Id,
    request: Request,
    seq: int | None = Query(None, ge=0, lt=1000),
    actor: Actor = Depends(api_access(PARTIES)),
):
    with database(request).reading() as session:
        order = access.visible_order(session, actor, order_id)
        chosen = access.version_of(order, order.change_seq if seq is None else seq)
        sha, filename = chosen.document_sha256, documents.document_filename(order, chosen.seq)
    if not sha:
        raise documents.DocumentPreparing()
    return attachment(_store(request).path_of(sha), filename, "application/pdf")


#: What a confirmation answers while the document it would confirm is still being made.
PREPARING = (
    "409 `document_preparing` (with `Retry-After: 2`) while the document is being made "
    "(`document_status: preparing`); 409 `conflict` when the version is stale or the state does not allow it."
)


@router.post(
    "/orders/{order_id}/confirm",
    response_model=OrderOut,
    summary="Confirm the contract document; the second side's confirmation contracts the order",
    responses={409: {"model": ErrorOut, "description": PREPARING}},
)
def confirm(order_id: Id, body: OrderVersionIn, request: Request, actor: Actor = Depends(api_access(PARTIES))):
    with database(request).transaction() as session:
        return OrderOut.of(confirming.confirm(session, actor, order_id, body.version))


@router.post(
    "/orders/{order_id}/changes",
    status_code=201,
    response_model=OrderOut,
    summary="Propose a contract change (quantity, months or price of every line, with a reason)",
)
def propose_change(order_id: Id, body: ChangeIn, request: Request, actor: Actor = Depends(api_access(PARTIES))):
    change = changing.ChangeIn(
        reason=body.reason,
        lines=[changing.ChangeLineIn(x.position, x.quantity, x.months, x.unit_price) for x in body.lines],
    )
    with database(request).transaction() as session:
        proposal = changing.propose_change(session, actor, order_id, body.version, change)
        return OrderOut.of(proposal.order)


@router.post(
    "/orders/{order_id}/changes/{seq}/confirm",
    response_model=OrderOut,
    summary="Confirm a proposed change: it becomes the version in force (변경차수 + 1)",
    responses={409: {"model": ErrorOut, "description": PREPARING}},
)
def confirm_change(
    order_id: Id, seq: Seq, body: OrderVersionIn, request: Request, actor: Actor = Depends(api_access(PARTIES))
):
    with database(request).transaction() as session:
        return OrderOut.of(changing.confirm_change(session, actor, order_id, body.version, seq))


@router.post(
    "/orders/{order_id}/changes/{seq}/withdraw",
    response_model=OrderOut,
    summary="Withdraw (proposer) or decline (other side) a proposed change",
)
def withdraw_change(
    order_id: Id, seq: Seq, body: OrderVersionIn, request: Request, actor: Actor = Depends(api_access(PARTIES))
):
    with database(request).transaction() as session:
        return OrderOut.of(changing.withdraw_change(session, actor, order_id, body.version, seq))


@router.post("/orders/{order_id}/terminate", response_model=OrderOut, summary="Terminate early, with a reason")
def terminate(order_id: Id, body: TerminateIn, request: Request, actor: Actor = Depends(api_access(AGENCY_BUYERS))):
    with database(request).transaction() as session:
        return OrderOut.of(ending.terminate(session, actor, order_id, body.version, body.reason))


class TradeContractOut(BaseModel):
    number: str | None
    state: Literal["contracted", "suspended", "expired"] = Field(
        description="contracted: in the shopping mall during its period; suspended: trade suspended (거래정지)"
    )
    period_start: date
    period_end: date
    in_force: bool = Field(
        description="In force today: an order is a delivery request under it (false: signed to start later, "
        "ended or suspended)"
    )


class TradeOut(BaseModel):
    service_code: str
    orderable: bool = Field(description="Whether it can be quoted, awarded and ordered today")
    reason: str | None = Field(description="Why not: the message a quote request or an order would be refused with")
    method: Literal["delivery_request", "negotiated"] | None = Field(
        description="How an order is made today: a delivery request (납품요구) under the catalog contract in force, "
        "else a negotiated contract (수의계약)"
    )
    catalog_contract: TradeContractOut | None = Field(
        description="Its catalog contract in force, else its latest signed one (ended or suspended)"
    )


@router.get(
    "/services/{code}/trade",
    response_model=TradeOut,
    tags=["catalog"],
    summary="Whether a service can be ordered today, how, and under which catalog contract",
)
def trade(code: Annotated[str, Path(max_length=40)], request: Request, _=Depends(api_access(PUBLIC))):
    with database(request).reading() as session:
        service = public_service(session, code)
        found = making.trade_of(session, service, today_kst())
        contract = found.contract
        return TradeOut(
            service_code=service.code,
            orderable=found.orderable,
            reason=found.refusal.render() if found.refusal is not None else None,
            method=found.method,
            catalog_contract=TradeContractOut(
                number=contract.number,
                state=contract.status,
                period_start=contract.period_start,
                period_end=contract.period_end,
                in_force=found.in_force,
            )
            if contract is not None
            else None,
        )
