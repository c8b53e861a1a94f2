"""Making an order (이용계약): directly as a negotiated contract (수의계약) or a delivery request (납품요구)
under the service's catalog contract, or by the award of a quote (`quotes.awarding` calls `make_order`).

Money is always computed here from the lines and the agreed unit prices (`money.line_amount`,
`money.amounts`); an agreed price is never above the catalog price of the plan, nor above the catalog
contract's item price for a delivery request (`plan_ceiling`). The service must be orderable and, for a
delivery request, the period must fall inside its catalog contract. Each function runs in the caller's
transaction, writes an audit event and notifies the other side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from ...accounts.permissions import Actor
from ...accounts.rules import sanction_active
from ...accounts.tables import Organisation
from ...catalog.tables import PricePlan, Service
from ...core import audit
from ...core.clock import today_kst
from ...core.errors import Conflict, NotFound, ValidationFailed
from ...core.i18n import N_, Text
from ...core.notifications import notify
from ...core.tables import utcnow
from ..catalog_contracts.queries import active_catalog_contract, catalog_item_price
from ..catalog_contracts.recording import named
from ..codes import code_apart
from ..documents.parties import refuse_unless_parties_complete
from ..lines import ceiling, line_problems, min_term_problem, period_end, price_problem, start_problem, within
from ..money import amounts, catalog_price, line_amount
from ..states import CATALOG_STATE_LABELS, CatalogState, OrderState
from ..tables import CatalogContract, Order, OrderLine, OrderVersion, Quote
from .access import organisation_users, version_of

MAX_REASON = 2000
MAX_LINES = 10


# --- the service, its supplier and its catalog contract ------------------------------------------------------

#: `Session.info` key: the catalog contracts read by `_latest_catalog_contract`, kept for the session (its
#: identity map holds them weakly), so that the step reading one again by id reads nothing
_LATEST = "orders.latest_catalog_contracts"


def catalog_contract_of(session: Session, service: Service, on: date) -> CatalogContract | None:
    """The service's catalog contract in force on a day (None: not in the shopping mall). The latest signed
    contract this session has read (`_latest_catalog_contract`), when contracted and covering the day, is
    that contract: it is not looked for again."""
    for kept in reversed(session.info.get(_LATEST, ())):
        if kept.service_id == service.id and kept in session:
            if kept.status == CatalogState.CONTRACTED and kept.period_start <= on <= kept.period_end:
                return kept
            break
    return active_catalog_contract(session, service.id, on)


@dataclass(frozen=True)
class Trade:
    """Whether a service can be ordered today, how, and the catalog contract behind it (`trade_of`)."""

    orderable: bool
    refusal: Text | None  # why not: the message a quote, an award or an order would be refused with
    method: str | None  # delivery_request under a catalog contract in force, else negotiated; None: not orderable
    contract: CatalogContract | None  # the latest signed catalog contract, in force or not

    @property
    def in_force(self) -> bool:
        """Whether ``contract`` is in force today: an order falls under it (a delivery request)."""
        return self.method == "delivery_request"


def trade_of(session: Session, service: Service, today: date) -> Trade:
    """What a buyer would meet ordering ``service`` today (`refuse_unless_orderable`, `catalog_contract_of`):
    told before it asks, not at its order's 409."""
    try:
        refuse_unless_orderable(session, service, today)
    except Conflict as refused:
        return Trade(False, refused.message, None, _latest_catalog_contract(session, service))
    in_force = catalog_contract_of(session, service, today)
    method = "delivery_request" if in_force is not None else "negotiated"
    return Trade(True, None, method, in_force or _latest_catalog_contract(session, service))


def _latest_catalog_contract(session: Session, service: Service) -> CatalogContract | None:
    """The service's latest signed catalog contract with its items (every step of a quote or order asks for
    its state and number, and most for its prices), its service and supplier those the session holds."""
    query = (
        select(CatalogContract)
        .where(
            CatalogContract.service_id == service.id,
            CatalogContract.status.in_([CatalogState.CONTRACTED, CatalogState.SUSPENDED, CatalogState.EXPIRED]),
        )
        .options(
            lazyload(CatalogContract.service), lazyload(CatalogContract.supplier), lazyload(CatalogContract.versions)
        )
    )
    latest = session.scalars(query.order_by(CatalogContract.id.desc()).limit(1)).first()
    if latest is not None:
        session.info.setdefault(_LATEST, []).append(latest)
    return latest


def plan_ceiling(plan: PricePlan, contract: CatalogContract | None) -> int:
    """The highest unit price (without VAT) an agency may agree for a plan today."""
    item = catalog_item_price(contract, plan.id) if contract is not None else None
    return ceiling(catalog_price(plan.unit_price, plan.vat_included), item)


def plan_price_problem(
    plan: PricePlan, contract: CatalogContract | None, unit_price: object, highest: int | None = None
) -> Text | None:
    """`lines.price_problem` for a plan: the message names the catalog contract's unit price when that is
    the ceiling, and the plan's list price beside it."""
    return price_problem(
        unit_price,
        plan_ceiling(plan, contract) if highest is None else highest,
        list_price=catalog_price(plan.unit_price, plan.vat_included),
        contract_number=contract.number if contract is not None else None,
    )


def line_term_problems(plan: PricePlan, quantity: object, months: object) -> dict[str, Text]:
    """`lines.line_problems` and the plan's minimum term (최소 계약기간)."""
    problems = line_problems(quantity, months)
    if "months" not in problems:
        short = min_term_problem(months, plan.min_term_months, plan.name)
        if short:
            problems["months"] = short
    return problems


def refuse_unless_orderable(session: Session, service: Service, today: date) -> None:
    """A suspended service, a supplier under an active sanction, or a service whose trade is suspended
    in the shopping mall (거래정지) cannot be quoted, awarded or contracted: 409 with the reason."""
    if service.status != "published":
        reason = service.status_reason or ""
        raise Conflict(
            N_(
                "%(service)s is suspended from the catalog and cannot be quoted or ordered. %(reason)s",
                service=service.name,
                reason=reason,
            )
        )
    supplier = service.supplier
    if sanction_active(supplier.sanction_from, supplier.sanction_until, today):
        raise Conflict(
            N_(
                "%(supplier)s is under a sanction until %(until)s and cannot quote or receive orders.",
                supplier=supplier.name,
                until=supplier.sanction_until.isoformat(),
            )
        )
    latest = _latest_catalog_contract(session, service)
    if latest is not None and latest.status == CatalogState.SUSPENDED:
        raise Conflict(
            N_(
                "Trade in %(service)s is suspended in the shopping mall (catalog contract %(number)s).",
                service=service.name,
                number=latest.number or "-",
            )
        )


def refuse_unless_contract_holds(contract: CatalogContract | None, start: date, end: date, today: date) -> None:
    """A delivery request needs its catalog contract contracted (not suspended or expired), and its
    period inside the contract's."""
    if contract is None or contract.status != CatalogState.CONTRACTED or contract.period_end < today:
        state = CATALOG_STATE_LABELS[CatalogState(contract.status)] if contract else N_("Expired")
        if contract is not None and contract.status == CatalogState.CONTRACTED:
            state = N_("Expired")
        raise Conflict(
            N_(
                "The catalog contract %(number)s is %(state)s; a delivery request cannot be made against it.",
                number=(contract.number if contract else None) or "-",
                state=state,
            )
        )
    if not within(start, end, contract.period_start, contract.period_end):
        raise Conflict(
            N_(
                "The period %(start)s to %(end)s must fall inside the catalog contract's period "
                "%(contract_start)s to %(contract_end)s.",
                start=start.isoformat(),
                end=end.isoformat(),
                contract_start=contract.period_start.isoformat(),
                contract_end=contract.period_end.isoformat(),
            )
        )


# --- making an order -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderLineIn:
    price_plan_id: int
    quantity: int
    months: int
    unit_price: int


@dataclass(frozen=True)
class NegotiatedIn:
    code: str  # the service
    start_date: date | None
    lines: list[OrderLineIn] = field(default_factory=list)


def _new_lines(
    service: Service, contract: CatalogContract | None, asked: list[tuple[int, int, int, int]], seq: int
) -> list[OrderLine]:
    """Order lines at the agreed prices; 409 when a price is above today's ceiling (the catalog changed)."""
    plans = {p.id: p for p in service.price_plans}
    lines = []
    for position, (plan_id, quantity, months, unit_price) in enumerate(asked):
        plan = plans.get(plan_id)
        if plan is None:
            raise Conflict(N_("A price plan of this quote is no longer offered in the catalog; ask for a new quote."))
        highest = plan_ceiling(plan, contract)
        if unit_price is None or unit_price > highest:
            raise Conflict(
                N_(
                    "The catalog price of %(plan)s is now %(price)s won, below the agreed %(agreed)s won. "
                    "Nothing was awarded; ask the supplier to revise the quote.",
                    plan=plan.name,
                    price=f"{highest:,}",
                    agreed=f"{unit_price or 0:,}",
                )
            )
        lines.append(
            OrderLine(
                seq=seq,
                position=position,
                price_plan_id=plan.id,
                item=plan.name,
                unit=plan.unit,
                billing=plan.billing,
                quantity=quantity,
                months=months,
                catalog_unit_price=highest,
                unit_price=unit_price,
                amount=line_amount(plan.billing, unit_price, quantity, months),
            )
        )
    return lines


def make_order(
    session: Session,
    actor: Actor,
    *,
    service: Service,
    asked: list[tuple[int, int, int, int]],
    start: date,
    quote: Quote | None = None,
    method: str | None = None,
    now: datetime | None = None,
    priced_at: Text | None = None,
    record: bool = True,
) -> Order:
    """A draft order (변경차수 0), waiting for its contract document (made after the commit:
    `documents`) and both confirmations. The method
    is a delivery request when the service has a catalog contract in force, unless given. With
    ``record=False`` the caller appends `created_event(order)` to the audit chain with its own events."""
    now = now or utcnow()
    today = today_kst(now)
    refuse_unless_orderable(session, service, today)
    # Before the order's code is taken: a refusal for a missing party detail leaves no number unused.
    refuse_unless_parties_complete(session.get(Organisation, actor.organisation_id), service.supplier)
    contract = catalog_contract_of(session, service, today)
    method = method or ("delivery_request" if contract is not None else "negotiated")
    lines = _new_lines(service, contract, asked, 0)
    end = period_end(start, max(line.months for line in lines))
    if method == "delivery_request":
        refuse_unless_contract_holds(contract, start, end, today)
    money = amounts(line.amount for line in lines)
    order = Order(
        code=code_apart(session, "ORD", today.year),
        agency=session.get(Organisation, actor.organisation_id),
        buyer_id=actor.user_id,
        supplier=service.supplier,
        service=service,
        method=method,
        catalog_contract_id=contract.id if method == "delivery_request" and contract else None,
        quote_id=quote.id if quote else None,
        status=OrderState.DRAFT,
        change_seq=0,
        start_date=start,
        end_date=end,
        supply_amount=money.supply,
        vat=money.vat,
        total=money.total,
        created_at=now,
        updated_at=now,
    )
    order.lines = lines
    first = OrderVersion(
        seq=0,
        status="proposed",
        start_date=start,
        end_date=end,
        supply_amount=money.supply,
        vat=money.vat,
        total=money.total,
        reason="",
        proposed_by=actor.user_id,
        agency_confirmed_at=None,
        created_at=now,
    )
    order.versions = [first]
    suppliers = organisation_users(session, service.supplier_id)
    # Writing the order's row takes the change feed's position under the audit chain's lock (migration
    # 0010), held until the commit: only writes from here on.
    session.add(order)
    session.flush()
    notify(
        session,
        suppliers,
        N_(
            "%(agency)s made order %(code)s for %(service)s. Check the contract document and confirm it.",
            agency=order.agency.name,
            code=order.code,
            service=service.name,
        ),
        f"/orders/{order.id}",
    )
    if record:
        audit.record(session, **created_event(order))
    return order


def created_event(order: Order) -> dict:
    """The audit event of a new order (`audit.record`'s arguments)."""
    first = version_of(order, 0)
    return {
        "actor_user_id": order.buyer_id,
        "action": "order.created",
        "object_type": "order",
        "object_id": order.id,
        "occurred_at": order.created_at,
        "details": {
            "code": order.code,
            "method": order.method,
            "quote_id": order.quote_id,
            "total": first.total,
            # how the contract names its service and parties (open data publishes them so, as of this event)
            "service": {"code": order.service.code, "name": order.service.name},
            "agency": named(order.agency),
            "supplier": named(order.supplier),
        },
    }


def create_negotiated(session: Session, actor: Actor, data: NegotiatedIn, now: datetime | None = None) -> Order:
    """An order made directly, without a quote request, at prices at most the catalog price: a delivery
    request (납품요구) when the service has a catalog contract in force, else a negotiated contract (수의계약)."""
    now = now or utcnow()
    today = today_kst(now)
    service = session.scalar(select(Service).where(Service.code == data.code))
    if service is None or service.status == "delisted":
        raise NotFound()
    contract = catalog_contract_of(session, service, today)
    plans = {p.id: p for p in service.price_plans}
    problems: dict[str, Text] = {}
    start_wrong = start_problem(data.start_date, today)
    if start_wrong:
        problems["start_date"] = start_wrong
    if not data.lines:
        problems["lines"] = N_("Order at least one price plan.")
    elif len(data.lines) > MAX_LINES:
        problems["lines"] = N_("At most %(max)s items.", max=MAX_LINES)
    for index, line in enumerate(data.lines[:MAX_LINES]):
        plan = plans.get(line.price_plan_id)
        if plan is None:
            problems[f"lines.{index}.price_plan_id"] = N_("Choose one of the service's price plans.")
            continue
        for name, problem in line_term_problems(plan, line.quantity, line.months).items():
            problems[f"lines.{index}.{name}"] = problem
        price = plan_price_problem(plan, contract, line.unit_price)
        if price:
            problems[f"lines.{index}.unit_price"] = price
    if problems:
        raise ValidationFailed(fields=problems)
    asked = [(line.price_plan_id, line.quantity, line.months, line.unit_price) for line in data.lines]
    # With a catalog contract in force the order is a delivery request (납품요구) against it, at most its
    # prices and inside its period; without one it is a negotiated contract (수의계약).
    return make_order(session, actor, service=service, asked=asked, start=data.start_date, now=now)
