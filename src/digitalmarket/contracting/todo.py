"""What waits in contracting (할 일): quote requests to answer and orders to confirm for the supplier,
quotes to award and orders to confirm for the agency, catalog contracts and change requests for PPS.

Each function reads what it needs in a query or two and keeps contracting's own rules: a quote is
answered until the request's deadline (`asking.deadline_passed`); a request can be awarded once every
invited supplier has answered or declined, or its deadline has passed (`awarding.waiting_suppliers`); a
contract or a change waits for the side that has not confirmed it (`orders.access.confirmed_by`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ..catalog.tables import Service
from ..core.clock import KST
from ..core.i18n import N_
from ..core.tables import utcnow
from ..core.todo import TodoItem, TodoKind
from .catalog_contracts.change_requests import pending_change_requests
from .quotes import asking, awarding
from .states import CatalogState, OrderState, QuoteState, RequestState
from .tables import CatalogContract, Order, OrderVersion, Quote, QuoteRequest

ANSWER = TodoKind("quotes_to_answer", N_("Quote requests to answer"), "/supplier/quotes")
AWARD = TodoKind("quotes_to_award", N_("Quotes received, to award"), "/agency/quote-requests")
#: side -> (contract documents to confirm, contract changes to confirm), each listed on the side's orders page
CONFIRM = {
    side: (
        TodoKind("contracts_to_confirm", N_("Contracts to confirm"), f"/{side}/orders"),
        TodoKind("changes_to_confirm", N_("Contract changes to confirm"), f"/{side}/orders"),
    )
    for side in ("agency", "supplier")
}
SUPPLEMENT = TodoKind(
    "catalog_supplements", N_("Catalog contract supplements requested by PPS"), "/supplier/catalog-contracts"
)
QUEUE = TodoKind(
    "catalog_contracts_to_review", N_("Catalog contract applications to review"), "/officer/catalog-contracts"
)
CHANGE_REQUESTS = TodoKind(
    "catalog_change_requests", N_("Catalog contract change requests to decide"), "/officer/catalog-contracts"
)


def quotes_to_answer(session: Session, supplier_id: int, now: datetime | None = None) -> list[TodoItem]:
    """The supplier's quotes not yet answered or declined while the request accepts answers."""
    now = now or utcnow()
    found = session.execute(
        select(
            Quote.id,
            QuoteRequest.code,
            QuoteRequest.title,
            QuoteRequest.created_at,
            QuoteRequest.deadline,
            Service.name,
        )
        .join(QuoteRequest, QuoteRequest.id == Quote.request_id)
        .join(Service, Service.id == Quote.service_id)
        .where(
            Quote.supplier_id == supplier_id,
            Quote.status == QuoteState.REQUESTED,
            QuoteRequest.status == RequestState.OPEN,
            QuoteRequest.deadline >= now,
        )
    ).all()
    return [
        TodoItem(
            ANSWER,
            f"{row.code} · {row.title} · {row.name}",
            f"/supplier/quotes/{row.id}",
            row.created_at,
            row.deadline.astimezone(KST).date(),
        )
        for row in found
    ]


def quotes_to_award(session: Session, agency_id: int, now: datetime | None = None) -> list[TodoItem]:
    """The agency's open requests with a quote in, once no invited supplier is still expected."""
    now = now or utcnow()
    requests = session.scalars(
        select(QuoteRequest).where(QuoteRequest.agency_id == agency_id, QuoteRequest.status == RequestState.OPEN)
    ).all()
    items = []
    for request in requests:
        answered = [q.answered_at for q in request.quotes if q.status == QuoteState.QUOTED and q.answered_at]
        if not answered or awarding.waiting_suppliers(request, now):
            continue
        since = request.deadline if asking.deadline_passed(request, now) else max(answered)
        title = f"{request.code} · {request.title}"
        items.append(TodoItem(AWARD, title, f"/agency/quote-requests/{request.id}", since))
    return items


def orders_to_confirm(session: Session, side: str, organisation_id: int) -> list[TodoItem]:
    """Contract documents and contract changes the side (``agency`` or ``supplier``) has not confirmed."""
    if side == "agency":
        ours, confirmed = Order.agency_id == organisation_id, OrderVersion.agency_confirmed_at
    else:
        ours, confirmed = Order.supplier_id == organisation_id, OrderVersion.supplier_confirmed_at
    first = and_(Order.status == OrderState.DRAFT, OrderVersion.seq == 0)
    change = and_(
        Order.status.in_([OrderState.CONTRACTED, OrderState.ACTIVE]),
        OrderVersion.seq > Order.change_seq,
        OrderVersion.status == "proposed",
    )
    found = session.execute(
        select(Order.id, Order.code, OrderVersion.seq, OrderVersion.created_at, Service.name)
        .join(OrderVersion, OrderVersion.order_id == Order.id)
        .join(Service, Service.id == Order.service_id)
        .where(ours, or_(first, change), confirmed.is_(None))
    ).all()
    contract, change = CONFIRM[side]
    return [
        TodoItem(change if row.seq else contract, f"{row.code} · {row.name}", f"/orders/{row.id}", row.created_at)
        for row in found
    ]


def catalog_supplements(session: Session, supplier_id: int) -> list[TodoItem]:
    """The supplier's catalog contract applications PPS sent back for a supplement."""
    found = session.execute(
        select(CatalogContract.id, CatalogContract.updated_at, Service.name)
        .join(Service, Service.id == CatalogContract.service_id)
        .where(
            CatalogContract.supplier_id == supplier_id,
            CatalogContract.status == CatalogState.SUPPLEMENT_REQUESTED,
        )
    ).all()
    return [TodoItem(SUPPLEMENT, row.name, f"/supplier/catalog-contracts/{row.id}", row.updated_at) for row in found]


def for_officer(session: Session) -> list[TodoItem]:
    """Catalog contract applications waiting for PPS (applied, in review) and pending change requests."""
    found = session.execute(
        select(CatalogContract.id, CatalogContract.updated_at, Service.name, CatalogContract.number)
        .join(Service, Service.id == CatalogContract.service_id)
        .where(CatalogContract.status.in_([CatalogState.APPLIED, CatalogState.PPS_REVIEW]))
    ).all()
    items = [TodoItem(QUEUE, row.name, f"/officer/catalog-contracts/{row.id}", row.updated_at) for row in found]
    for request in pending_change_requests(session):
        contract = request.contract
        title = f"{contract.number or ''} · {contract.service.name}".lstrip(" ·")
        href = f"/officer/catalog-contracts/{contract.id}#change-request"
        items.append(TodoItem(CHANGE_REQUESTS, title, href, request.requested_at))
    return items
