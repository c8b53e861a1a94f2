"""JSON routes of quote requests and quotes under /api/v1: the same workflows as the pages.

An agency buyer asks, compares and awards (/quote-requests); a supplier answers or declines its own quotes
(/quotes). Totals are computed on the server; a total sent by a client is ignored.
"""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from ...accounts.access import api_access, database
from ...accounts.permissions import AGENCY_BUYERS, SUPPLIERS, Actor, roles
from ...accounts.rules import Role
from ...accounts.schemas import ErrorOut
from ...core.clock import today_kst
from ...core.paging import DEFAULT_LIMIT, Cursor, Limit, Page, page
from ...core.paths import LARGEST_ID, Id
from ..lines import MAX_SERVICES_PER_REQUEST
from ..orders import making
from ..orders.api import OrderOut
from ..states import OPEN_QUOTE_STATES, QuoteState, RequestState
from ..tables import Order, Quote, QuoteRequest
from . import answering, asking, awarding

PARTIES = roles(Role.AGENCY_BUYER, Role.SUPPLIER)
router = APIRouter(tags=["quotes"], responses={s: {"model": ErrorOut} for s in (401, 403, 404, 409, 422)})


class Loose(BaseModel):
    """Fields the server computes (totals, amounts) may be sent and are ignored."""

    model_config = ConfigDict(extra="ignore")


class LineIn(Loose):
    price_plan_id: int = Field(gt=0, le=LARGEST_ID)
    quantity: int = Field(description="1 to 1,000,000")
    months: int = Field(description="1 to 60")


class ServiceAskIn(Loose):
    code: str = Field(max_length=20, description="The service's public code, e.g. SAS-2026-00042")
    lines: list[LineIn] = Field(min_length=1, max_length=asking.MAX_LINES_PER_SERVICE)


class RequestIn(Loose):
    title: str = Field(max_length=asking.MAX_TITLE)
    requirements: str = Field("", max_length=asking.MAX_TEXT)
    desired_start: date
    deadline: date = Field(description="Answers are accepted until the end of this day (Korean time)")
    services: list[ServiceAskIn] = Field(min_length=1, max_length=MAX_SERVICES_PER_REQUEST)


class AnswerLineIn(Loose):
    line_id: int = Field(gt=0, le=LARGEST_ID)
    unit_price: int = Field(description="KRW without VAT, at most the catalog price")
    months: int | None = Field(
        None,
        description="A shorter period to propose for this line (fewer months than asked, at least the plan's "
        "minimum term), e.g. to end with the catalog contract; omitted: as asked",
    )


class QuoteAnswerIn(Loose):
    version: int
    lines: list[AnswerLineIn] = Field(min_length=1, max_length=20)
    valid_until: date
    note: str = Field("", max_length=8000)


class DeclineIn(Loose):
    version: int
    reason: str = Field(max_length=8000)


class AwardIn(Loose):
    quote_id: int = Field(gt=0, le=LARGEST_ID)
    version: int = Field(description="The version of the quote as you saw it")
    reason: str = Field(
        "", max_length=4000, description="Required: why this quote (the lowest price, or why not the lowest)"
    )
    early_reason: str = Field(
        "",
        max_length=4000,
        description="Required before the deadline while an invited supplier has not answered or declined: why "
        "the award cannot wait (shown to the suppliers)",
    )
    fit_to_contract: bool = Field(
        False,
        description="When the period would end after the service's catalog contract: award it shortened to end "
        "with the contract (the 409 says how many months fit)",
    )


class CancelIn(Loose):
    version: int
    reason: str = Field(max_length=8000)


class QuoteLineOut(BaseModel):
    id: int
    price_plan_id: int
    plan: str | None
    unit: str | None
    billing: str | None
    quantity: int
    months: int = Field(description="As the agency asked")
    offered_months: int | None = Field(description="A shorter period the supplier proposes; null: as asked")
    catalog_unit_price: int
    unit_price: int | None
    amount: int | None


class QuoteOut(BaseModel):
    id: int
    request_id: int
    request_code: str
    service_code: str
    service: str
    supplier: str
    state: QuoteState
    revision: int
    valid_until: date | None
    note: str
    decline_reason: str | None
    answered_at: datetime | None
    lines: list[QuoteLineOut]
    supply_amount: int | None
    vat: int | None
    total: int | None
    sla_availability: str
    csap_grade: str | None
    catalog_contract: str | None = Field(None, description="The catalog contract the order would fall under")
    catalog_contract_end: date | None = Field(None, description="Its last day: a delivery request ends by then")
    version: int

    @classmethod
    def of(cls, quote: Quote, contract=None) -> QuoteOut:
        from ..money import line_amount

        plans = {p.id: p for p in quote.service.price_plans}
        answered = all(line.unit_price is not None for line in quote.lines)
        money = answering.quote_amounts(quote) if answered and quote.lines else None
        return cls(
            id=quote.id,
            request_id=quote.request_id,
            request_code=quote.request.code,
            service_code=quote.service.code,
            service=quote.service.name,
            supplier=quote.supplier.name,
            state=quote.status,
            revision=quote.revision,
            valid_until=quote.valid_until,
            note=quote.note,
            decline_reason=quote.decline_reason,
            answered_at=quote.answered_at,
            lines=[
                QuoteLineOut(
                    id=line.id,
                    price_plan_id=line.price_plan_id,
                    plan=plans[line.price_plan_id].name if line.price_plan_id in plans else None,
                    unit=plans[line.price_plan_id].unit if line.price_plan_id in plans else None,
                    billing=plans[line.price_plan_id].billing if line.price_plan_id in plans else None,
                    quantity=line.quantity,
                    months=line.months,
                    offered_months=line.offered_months,
                    catalog_unit_price=line.catalog_unit_price,
                    unit_price=line.unit_price,
                    amount=line_amount(
                        plans[line.price_plan_id].billing, line.unit_price, line.quantity, line.quoted_months
                    )
                    if line.unit_price is not None and line.price_plan_id in plans
                    else None,
                )
                for line in quote.lines
            ],
            supply_amount=money.supply if money else None,
            vat=money.vat if money else None,
            total=money.total if money else None,
            sla_availability=str(quote.service.sla_availability.normalize()),
            csap_grade=quote.service.csap_grade,
            catalog_contract=contract.number if contract is not None else None,
            catalog_contract_end=contract.period_end if contract is not None else None,
            version=quote.version,
        )


class RequestOut(BaseModel):
    id: int
    code: str
    agency: str
    title: str
    requirements: str
    desired_start: date
    deadline: datetime
    state: RequestState
    created_at: datetime
    award_reason: str | None = Field(description="Why the awarded quote was chosen")
    early_award_reason: str | None = Field(description="Why it was awarded before the deadline, if it was")
    awarded_at: datetime | None
    order_id: int | None = Field(None, description="The order its award made (GET /orders/{order_id}), once awarded")
    order_code: str | None = Field(None, description="That order's code")
    quotes: list[QuoteOut]
    version: int

    @classmethod
    def of(
        cls, session, request: QuoteRequest, shown: list[Quote], orders: dict[int, Order] | None = None
    ) -> RequestOut:
        """The request with the quotes ``shown`` to the caller, each with the catalog contract an order would
        fall under today while it waits for the award, and the order an awarded one of them made (``orders``,
        by quote id, when a page's were read at once): a competitor's own quote made none."""
        today = today_kst()
        orders = asking.orders_of_quotes(session, shown) if orders is None else orders
        order = next((orders[q.id] for q in shown if q.id in orders), None)
        return cls(
            id=request.id,
            code=request.code,
            agency=request.agency.name,
            title=request.title,
            requirements=request.requirements,
            desired_start=request.desired_start,
            deadline=request.deadline,
            state=request.status,
            created_at=request.created_at,
            award_reason=request.award_reason,
            early_award_reason=request.early_award_reason,
            awarded_at=request.awarded_at,
            order_id=order.id if order is not None else None,
            order_code=order.code if order is not None else None,
            quotes=[
                QuoteOut.of(
                    q, making.catalog_contract_of(session, q.service, today) if q.status in OPEN_QUOTE_STATES else None
                )
                for q in shown
            ],
            version=request.version,
        )


@router.get(
    "/quote-requests",
    response_model=Page[RequestOut],
    summary="An agency's quote requests; for a supplier, the requests it was asked in (its own quotes only); "
    "the newest first",
)
def list_requests(
    request: Request,
    state: RequestState | None = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    actor: Actor = Depends(api_access(PARTIES)),
):
    with database(request).reading() as session:
        if actor.role == Role.SUPPLIER:
            found: dict[int, QuoteRequest] = {}
            for quote in asking.quotes_of_supplier(session, actor):
                found.setdefault(quote.request_id, quote.request)
            requests = list(found.values())
        else:
            requests = asking.requests_of_agency(session, actor)
        requests = [r for r in requests if state is None or r.status == state]
        chosen, next_cursor = page(requests, lambda r: (r.id,), cursor, limit)
        quotes = {r.id: asking.visible_quotes(actor, r) for r in chosen}
        orders = asking.orders_of_quotes(session, [q for shown in quotes.values() for q in shown])
        shown = [RequestOut.of(session, r, quotes[r.id], orders) for r in chosen]
        return Page(items=shown, next_cursor=next_cursor)


@router.post("/quote-requests", status_code=201, response_model=RequestOut, summary="Ask 1 to 5 services for quotes")
def create_request(body: RequestIn, request: Request, actor: Actor = Depends(api_access(AGENCY_BUYERS))):
    data = asking.RequestIn(
        title=body.title,
        requirements=body.requirements,
        desired_start=body.desired_start,
        deadline=body.deadline,
        services=[
            asking.ServiceAsk(s.code, [asking.LineIn(x.price_plan_id, x.quantity, x.months) for x in s.lines])
            for s in body.services
        ],
    )
    with database(request).transaction() as session:
        created = asking.create_request(session, actor, data)
        return RequestOut.of(session, created, list(created.quotes))


@router.get("/quote-requests/{request_id}", response_model=RequestOut, summary="One quote request")
def read_request(request_id: Id, request: Request, actor: Actor = Depends(api_access(PARTIES))):
    with database(request).reading() as session:
        found = asking.visible_request(session, actor, request_id)
        return RequestOut.of(session, found, asking.visible_quotes(actor, found))


@router.post(
    "/quote-requests/{request_id}/award",
    status_code=201,
    response_model=OrderOut,
    summary="Award a quote: the order is made at the quoted prices; the other quotes are not awarded",
)
def award(request_id: Id, body: AwardIn, request: Request, actor: Actor = Depends(api_access(AGENCY_BUYERS))):
    with database(request).transaction() as session:
        order = awarding.award(
            session,
            actor,
            request_id,
            body.quote_id,
            body.version,
            reason=body.reason,
            early_reason=body.early_reason,
            fit_to_contract=body.fit_to_contract,
        )
        return OrderOut.of(order)


@router.post("/quote-requests/{request_id}/cancel", response_model=RequestOut, summary="Cancel a quote request")
def cancel(request_id: Id, body: CancelIn, request: Request, actor: Actor = Depends(api_access(AGENCY_BUYERS))):
    with database(request).transaction() as session:
        cancelled = asking.cancel(session, actor, request_id, body.version, body.reason)
        return RequestOut.of(session, cancelled, list(cancelled.quotes))


@router.get(
    "/quotes", response_model=Page[QuoteOut], summary="A supplier's quotes to answer and answered, the newest first"
)
def list_quotes(
    request: Request,
    state: QuoteState | None = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    actor: Actor = Depends(api_access(SUPPLIERS)),
):
    with database(request).reading() as session:
        found = [q for q in asking.quotes_of_supplier(session, actor) if state is None or q.status == state]
        chosen, next_cursor = page(found, lambda q: (q.id,), cursor, limit)
        return Page(items=[QuoteOut.of(q) for q in chosen], next_cursor=next_cursor)


@router.get("/quotes/{quote_id}", response_model=QuoteOut, summary="One of the supplier's quotes")
def read_quote(quote_id: Id, request: Request, actor: Actor = Depends(api_access(SUPPLIERS))):
    with database(request).reading() as session:
        quote = asking.own_quote(session, actor, quote_id)
        return QuoteOut.of(quote, making.catalog_contract_of(session, quote.service, today_kst()))


@router.put(
    "/quotes/{quote_id}",
    response_model=QuoteOut,
    summary="Answer (or revise, until the deadline): a unit price per line at most the catalog price",
)
def answer(quote_id: Id, body: QuoteAnswerIn, request: Request, actor: Actor = Depends(api_access(SUPPLIERS))):
    prices = {line.line_id: line.unit_price for line in body.lines}
    months = {line.line_id: line.months for line in body.lines if line.months is not None}
    with database(request).transaction() as session:
        answered = answering.answer(
            session, actor, quote_id, body.version, prices, body.valid_until, body.note, months=months
        )
        return QuoteOut.of(answered, making.catalog_contract_of(session, answered.service, today_kst()))


@router.post("/quotes/{quote_id}/decline", response_model=QuoteOut, summary="Decline to quote, with a reason")
def decline(quote_id: Id, body: DeclineIn, request: Request, actor: Actor = Depends(api_access(SUPPLIERS))):
    with database(request).transaction() as session:
        return QuoteOut.of(answering.decline(session, actor, quote_id, body.version, body.reason))
