"""Use cases of orders (이용계약): made by awarding a quote or directly as a negotiated contract, confirmed
by both sides on a contract document (계약서, PDF stored by SHA-256), active from the start date, changed
(계약변경: quantity, months or price, 변경차수 + 1) with both sides' confirmation, completed at the end of
the period or terminated early with a reason.

Money is always computed here from the lines and the agreed unit prices (`rules.line_amount`,
`rules.amounts`); an agreed price is never above the catalog price of the plan, nor above the catalog
contract's item price for a delivery request. Each function runs in the caller's transaction, writes an
audit event and notifies the other side; the order's `version` makes two changes at once a 409.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from ..accounts.permissions import Actor
from ..accounts.rules import Role, sanction_active
from ..accounts.tables import Organisation, User
from ..catalog.tables import PricePlan, Service
from ..core import audit
from ..core.clock import today_kst
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.i18n import N_, Text
from ..core.notifications import notify
from ..core.tables import utcnow
from . import rules
from .catalog_contracts import active_catalog_contract, catalog_item_price, named
from .codes import code_apart
from .documents.parties import refuse_unless_parties_complete
from .documents.terms import Confirmation, ContractDocument, DocumentLine, Party
from .rules import CatalogState, OrderAction, OrderState
from .tables import CatalogContract, Order, OrderLine, OrderVersion, Quote

MAX_REASON = 2000
MAX_LINES = 10


# --- the service, its supplier and its catalog contract ------------------------------------------------------


def organisation_users(session: Session, organisation_id: int) -> list[int]:
    query = select(User.id).where(User.organisation_id == organisation_id, User.is_active)
    return list(session.scalars(query))


def catalog_contract_of(session: Session, service: Service, on: date) -> CatalogContract | None:
    """The service's catalog contract in force on a day (None: not in the shopping mall)."""
    return active_catalog_contract(session, service.id, on)


def _latest_catalog_contract(session: Session, service: Service):
    """The state and number of the service's latest signed catalog contract (a row, not the contract with
    its items and versions: every step of a quote or order asks)."""
    query = select(CatalogContract.status, CatalogContract.number).where(
        CatalogContract.service_id == service.id,
        CatalogContract.status.in_([CatalogState.CONTRACTED, CatalogState.SUSPENDED, CatalogState.EXPIRED]),
    )
    return session.execute(query.order_by(CatalogContract.id.desc()).limit(1)).first()


def plan_ceiling(plan: PricePlan, contract: CatalogContract | None) -> int:
    """The highest unit price (without VAT) an agency may agree for a plan today."""
    item = catalog_item_price(contract, plan.id) if contract is not None else None
    return rules.ceiling(rules.catalog_price(plan.unit_price, plan.vat_included), item)


def plan_price_problem(
    plan: PricePlan, contract: CatalogContract | None, unit_price: object, highest: int | None = None
) -> Text | None:
    """`rules.price_problem` for a plan: the message names the catalog contract's unit price when that is
    the ceiling, and the plan's list price beside it."""
    return rules.price_problem(
        unit_price,
        plan_ceiling(plan, contract) if highest is None else highest,
        list_price=rules.catalog_price(plan.unit_price, plan.vat_included),
        contract_number=contract.number if contract is not None else None,
    )


def line_term_problems(plan: PricePlan, quantity: object, months: object) -> dict[str, Text]:
    """`rules.line_problems` and the plan's minimum term (최소 계약기간)."""
    problems = rules.line_problems(quantity, months)
    if "months" not in problems:
        short = rules.min_term_problem(months, plan.min_term_months, plan.name)
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


def _refuse_unless_contract_holds(contract: CatalogContract | None, start: date, end: date, today: date) -> None:
    """A delivery request needs its catalog contract contracted (not suspended or expired), and its
    period inside the contract's."""
    if contract is None or contract.status != CatalogState.CONTRACTED or contract.period_end < today:
        state = rules.CATALOG_STATE_LABELS[CatalogState(contract.status)] if contract else N_("Expired")
        if contract is not None and contract.status == CatalogState.CONTRACTED:
            state = N_("Expired")
        raise Conflict(
            N_(
                "The catalog contract %(number)s is %(state)s; a delivery request cannot be made against it.",
                number=(contract.number if contract else None) or "-",
                state=state,
            )
        )
    if not rules.within(start, end, contract.period_start, contract.period_end):
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


# --- who sees what --------------------------------------------------------------------------------------------


def side_of(actor: Actor, order: Order) -> str | None:
    """ "agency" or "supplier" when the caller is a party to the order, else None."""
    if actor.role == Role.AGENCY_BUYER and order.agency_id == actor.organisation_id:
        return "agency"
    if actor.role == Role.SUPPLIER and order.supplier_id == actor.organisation_id:
        return "supplier"
    return None


def visible_order(session: Session, actor: Actor, order_id: int, *, lock: bool = False) -> Order:
    """An order for its two parties; 404 for anyone else (another agency, a competitor). ``lock`` holds the
    order's row until the transaction ends (``SELECT ... FOR UPDATE`` on PostgreSQL): every step that
    writes an order takes it first, so that two steps on one order (a confirmation and a withdrawal, say)
    take turns instead of locking the order's and its versions' rows in opposite orders."""
    if lock:
        session.execute(select(Order.id).where(Order.id == order_id).with_for_update())
    order = session.get(Order, order_id)
    if order is None or side_of(actor, order) is None:
        raise NotFound()
    return order


def orders_of(session: Session, actor: Actor) -> list[Order]:
    if actor.role == Role.AGENCY_BUYER:
        query = select(Order).where(Order.agency_id == actor.organisation_id)
    elif actor.role == Role.SUPPLIER:
        query = select(Order).where(Order.supplier_id == actor.organisation_id)
    else:
        return []
    return list(session.scalars(query.order_by(Order.id.desc())))


def version_of(order: Order, seq: int) -> OrderVersion:
    found = next((v for v in order.versions if v.seq == seq), None)
    if found is None:
        raise NotFound()
    return found


def pending_change(order: Order) -> OrderVersion | None:
    """A change proposed and not yet confirmed by both sides."""
    return next((v for v in order.versions if v.seq > order.change_seq and v.status == "proposed"), None)


def confirmed_by(version: OrderVersion, side: str) -> bool:
    return (version.agency_confirmed_at if side == "agency" else version.supplier_confirmed_at) is not None


def next_action(order: Order, side: str) -> Text | None:
    """What the order waits for, as the lists show it."""
    if order.status == OrderState.DRAFT:
        first = version_of(order, 0)
        if not confirmed_by(first, side):
            return N_("Check the contract document and confirm it.")
        return N_("Waiting for the other side to confirm.")
    pending = pending_change(order)
    if pending is not None and order.status in (OrderState.CONTRACTED, OrderState.ACTIVE):
        if not confirmed_by(pending, side):
            return N_("A contract change waits for your confirmation.")
        return N_("A contract change waits for the other side.")
    if order.status == OrderState.CONTRACTED:
        return N_("Use starts on %(date)s.", date=order.start_date.isoformat())
    if order.status == OrderState.ACTIVE:
        return N_("In use until %(date)s.", date=order.end_date.isoformat())
    return None


# --- the contract document --------------------------------------------------------------------------------------


def _confirmed(session: Session, at: datetime | None, user_id: int | None) -> Confirmation | None:
    """A side's confirmation as the document prints it (time and name), or None before it confirmed."""
    if at is None:
        return None
    person = session.get(User, user_id) if user_id else None
    return Confirmation(at, person.name if person else "-")


def _terms(order: Order, version: OrderVersion, lines: list[OrderLine], catalog_number: str | None) -> ContractDocument:
    """The terms of a version's document: the parties from their profiles as they are now, the confirmations
    made so far, and the day it is dated: when both have confirmed, the day the second did (계약일자)."""
    service, agency, supplier = order.service, order.agency, order.supplier
    session = object_session(order)
    agency_confirmed = _confirmed(session, version.agency_confirmed_at, version.agency_confirmed_by)
    supplier_confirmed = _confirmed(session, version.supplier_confirmed_at, version.supplier_confirmed_by)
    if agency_confirmed and supplier_confirmed:
        issued_on = today_kst(max(agency_confirmed.at, supplier_confirmed.at))
    else:
        issued_on = today_kst(version.created_at) if version.created_at else today_kst()
    return ContractDocument(
        contract_number=order.code,
        change_seq=version.seq,
        method=order.method,
        catalog_contract_number=catalog_number,
        agency=Party(agency.name, agency.agency_code or "", agency.representative or "", agency.address or ""),
        supplier=Party(
            supplier.name, supplier.business_number or "", supplier.representative or "", supplier.address or ""
        ),
        service_name=service.name,
        service_code=service.code,
        lines=[
            DocumentLine(line.item, line.unit, line.billing, line.quantity, line.months, line.unit_price, line.amount)
            for line in lines
        ],
        supply_amount=version.supply_amount,
        vat=version.vat,
        total=version.total,
        start_date=version.start_date,
        end_date=version.end_date,
        sla_availability=str(service.sla_availability.normalize()),
        support_hours=service.support_hours,
        data_return_policy=service.data_return_policy,
        change_reason=version.reason or None,
        issued_on=issued_on,
        agency_confirmation=agency_confirmed,
        supplier_confirmation=supplier_confirmed,
    )


def order_catalog_number(order: Order) -> str | None:
    if order.catalog_contract_id is None:
        return None
    contract = object_session(order).get(CatalogContract, order.catalog_contract_id)
    return contract.number if contract else None


class DocumentPreparing(Conflict):
    """The version's document is still being made (after the step that called for it committed, by the
    consumer of `contract_documents`): nothing can be confirmed before it exists. 409 with ``Retry-After``."""

    code = "document_preparing"
    default_message = N_("The contract document is being prepared. Please check again in a moment.")
    retry_after_seconds = 2


def document_status(version: OrderVersion) -> str:
    """``ready`` once the version's document is stored, ``preparing`` until then."""
    return "ready" if version.document_sha256 else "preparing"


def _refuse_until_document(version: OrderVersion) -> None:
    if version.document_sha256 is None:
        raise DocumentPreparing()


def _conclude_document(order: Order, version: OrderVersion) -> dict:
    """Both sides have confirmed the version: its document of record, with both confirmations (time in KST
    and person) and dated the day of the second, is made after the commit (`contract_documents`), so the
    version's document is emptied until then. The draft both confirmed stays in the store under its own
    SHA-256, which the returned audit details name. A party detail missing since is a 409 naming it."""
    refuse_unless_parties_complete(order.agency, order.supplier)
    draft = version.document_sha256
    version.document_sha256, version.document_size = None, None
    return {"draft_sha256": draft}


def document_filename(order: Order, seq: int) -> str:
    return f"contract-{order.code}-{seq}.pdf"


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
                amount=rules.line_amount(plan.billing, unit_price, quantity, months),
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
    `contract_documents`) and both confirmations. The method
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
    end = rules.period_end(start, max(line.months for line in lines))
    if method == "delivery_request":
        _refuse_unless_contract_holds(contract, start, end, today)
    money = rules.amounts(line.amount for line in lines)
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
    if data.start_date is None:
        problems["start_date"] = N_("Enter a date.")
    elif data.start_date < today:
        problems["start_date"] = N_("The start date cannot be in the past.")
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


# --- confirming the contract ----------------------------------------------------------------------------------------


def _other_side(session: Session, order: Order, side: str) -> list[int]:
    if side == "agency":
        return organisation_users(session, order.supplier_id)
    return [order.buyer_id]


def _stamp(version: OrderVersion, side: str, actor: Actor, now: datetime) -> None:
    if side == "agency":
        version.agency_confirmed_at, version.agency_confirmed_by = now, actor.user_id
    else:
        version.supplier_confirmed_at, version.supplier_confirmed_by = now, actor.user_id


def _check_tradable(session: Session, order: Order, start: date, end: date, today: date) -> None:
    refuse_unless_orderable(session, order.service, today)
    if order.method == "delivery_request":
        contract = session.get(CatalogContract, order.catalog_contract_id) if order.catalog_contract_id else None
        _refuse_unless_contract_holds(contract, start, end, today)


def _activated(order: Order, actor_user_id: int | None) -> dict:
    """The audit event of an order whose use starts."""
    return {
        "actor_user_id": actor_user_id,
        "action": "order.activated",
        "object_type": "order",
        "object_id": order.id,
        "details": {"start_date": order.start_date.isoformat()},
    }


def _activate(session: Session, order: Order, actor_user_id: int | None, now: datetime) -> None:
    order.status = rules.move("order", order.status, OrderAction.ACTIVATE)
    order.updated_at = now
    session.flush()
    audit.record(session, **_activated(order, actor_user_id))


def confirm(
    session: Session,
    actor: Actor,
    order_id: int,
    version: int,
    now: datetime | None = None,
) -> Order:
    """One side confirms the contract document, once it exists (409 `DocumentPreparing` before); the
    second confirmation contracts the order, and it is active at once when its start date has come. The
    document of record, with both confirmations, is made after the commit; see `_conclude_document`."""
    now = now or utcnow()
    today = today_kst(now)
    order = visible_order(session, actor, order_id, lock=True)
    side = side_of(actor, order)
    new_state = rules.move("order", order.status, OrderAction.CONFIRM)
    first = version_of(order, 0)
    if confirmed_by(first, side):
        raise Conflict(N_("You have already confirmed; the other side has not yet."))
    _refuse_until_document(first)
    _check_tradable(session, order, order.start_date, order.end_date, today)
    if order.version != version:
        raise Conflict()
    # Everything is read before the order's row is written: writing it takes the change feed's position
    # under the audit chain's lock (migration 0010), which every other writer waits for until the commit.
    other_side = _other_side(session, order, side)
    seen = first.document_sha256
    _stamp(first, side, actor, now)
    both = confirmed_by(first, "agency") and confirmed_by(first, "supplier")
    concluded = _conclude_document(order, first) if both else {}
    order.updated_at = now
    confirmed = {
        "actor_user_id": actor.user_id,
        "action": "order.confirmed",
        "object_type": "order",
        "object_id": order.id,
        "details": {"side": side, "document_sha256": seen},
    }
    if not both:
        session.flush()
        notify(
            session,
            other_side,
            N_(
                "The other side confirmed the contract of order %(code)s; your confirmation completes it.",
                code=order.code,
            ),
            f"/orders/{order.id}",
        )
        audit.record(session, **confirmed)
        return order
    first.status = "confirmed"
    order.status = new_state
    order.contracted_at = now
    events = [
        confirmed,
        {
            "actor_user_id": actor.user_id,
            "action": "order.contracted",
            "object_type": "order",
            "object_id": order.id,
            "details": {"code": order.code, "total": order.total, **concluded},
            "occurred_at": now,
        },
    ]
    if order.start_date <= today:
        order.status = rules.move("order", order.status, OrderAction.ACTIVATE)
        events.append(_activated(order, actor.user_id))
    session.flush()
    notify(
        session,
        other_side,
        N_("Order %(code)s is contracted.", code=order.code),
        f"/orders/{order.id}",
    )
    audit.record_many(session, events)  # its number of contracts: the search facts follow this event
    return order


# --- changing the contract (계약변경) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeLineIn:
    position: int
    quantity: int
    months: int
    unit_price: int


@dataclass(frozen=True)
class ChangeIn:
    reason: str
    lines: list[ChangeLineIn] = field(default_factory=list)


def _reason_problem(reason: str) -> Text | None:
    reason = (reason or "").strip()
    if not reason:
        return N_("Give a reason.")
    if len(reason) > MAX_REASON:
        return N_("At most %(max)s characters.", max=MAX_REASON)
    return None


def propose_change(
    session: Session,
    actor: Actor,
    order_id: int,
    version: int,
    change: ChangeIn,
    now: datetime | None = None,
) -> OrderVersion:
    """계약변경: new quantities, months or prices (never above today's catalog price) with a reason; the
    proposer's side confirms by proposing, the other side confirms or declines."""
    now = now or utcnow()
    today = today_kst(now)
    order = visible_order(session, actor, order_id, lock=True)
    side = side_of(actor, order)
    rules.move("order", order.status, OrderAction.CHANGE)
    if pending_change(order) is not None:
        raise Conflict(N_("A change of this contract is already waiting for confirmation."))
    current = {line.position: line for line in order.current_lines()}
    contract = (
        session.get(CatalogContract, order.catalog_contract_id)
        if order.method == "delivery_request" and order.catalog_contract_id
        else catalog_contract_of(session, order.service, today)
    )
    plans = {p.id: p for p in order.service.price_plans}
    problems: dict[str, Text] = {}
    reason_problem = _reason_problem(change.reason)
    if reason_problem:
        problems["reason"] = reason_problem
    given = {line.position: line for line in change.lines}
    if set(given) != set(current) or len(given) != len(change.lines):
        problems["lines"] = N_("Give the new quantity, months and unit price of every line of the contract.")
    else:
        for position, line in given.items():
            old = current[position]
            plan = plans.get(old.price_plan_id)
            line_problems = (
                line_term_problems(plan, line.quantity, line.months)
                if plan
                else rules.line_problems(line.quantity, line.months)
            )
            for name, problem in line_problems.items():
                problems[f"lines.{position}.{name}"] = problem
            price = (
                plan_price_problem(plan, contract, line.unit_price)
                if plan
                else rules.price_problem(line.unit_price, old.unit_price)
            )
            if price:
                problems[f"lines.{position}.unit_price"] = price
        unchanged = all(
            (given[p].quantity, given[p].months, given[p].unit_price) == (o.quantity, o.months, o.unit_price)
            for p, o in current.items()
        )
        if not problems and unchanged:
            problems["lines"] = N_("Change the quantity, months or unit price of at least one line.")
    if problems:
        raise ValidationFailed(fields=problems)
    seq = order.change_seq + 1
    lines = []
    for position, old in sorted(current.items()):
        new = given[position]
        plan = plans.get(old.price_plan_id)
        lines.append(
            OrderLine(
                seq=seq,
                position=position,
                price_plan_id=old.price_plan_id,
                item=old.item,
                unit=old.unit,
                billing=old.billing,
                quantity=new.quantity,
                months=new.months,
                catalog_unit_price=max(plan_ceiling(plan, contract) if plan else old.unit_price, new.unit_price),
                unit_price=new.unit_price,
                amount=rules.line_amount(old.billing, new.unit_price, new.quantity, new.months),
            )
        )
    end = rules.period_end(order.start_date, max(line.months for line in lines))
    _check_tradable(session, order, order.start_date, end, today)
    if order.version != version:
        raise Conflict()
    money = rules.amounts(line.amount for line in lines)
    proposal = OrderVersion(
        seq=seq,
        status="proposed",
        start_date=order.start_date,
        end_date=end,
        supply_amount=money.supply,
        vat=money.vat,
        total=money.total,
        reason=change.reason.strip(),
        proposed_by=actor.user_id,
        created_at=now,
    )
    _stamp(proposal, side, actor, now)
    # its document (with the proposer's confirmation) is made after the commit: `contract_documents`
    refuse_unless_parties_complete(order.agency, order.supplier)
    order.versions.append(proposal)
    for line in lines:
        order.lines.append(line)
    order.updated_at = now
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="order.change_proposed",
        object_type="order",
        object_id=order.id,
        details={"seq": seq, "reason": proposal.reason, "total": money.total, "side": side},
    )
    notify(
        session,
        _other_side(session, order, side),
        N_("A change (변경차수 %(seq)s) of order %(code)s waits for your confirmation.", seq=seq, code=order.code),
        f"/orders/{order.id}",
    )
    return proposal


def confirm_change(
    session: Session,
    actor: Actor,
    order_id: int,
    version: int,
    seq: int,
    now: datetime | None = None,
) -> Order:
    """The other side confirms a proposed change, once its document exists (409 `DocumentPreparing`
    before): it becomes the version in force (변경차수 + 1), and its document of record, with both
    confirmations, is made after the commit (`_conclude_document`)."""
    now = now or utcnow()
    today = today_kst(now)
    order = visible_order(session, actor, order_id, lock=True)
    side = side_of(actor, order)
    new_state = rules.move("order", order.status, OrderAction.CHANGE)
    proposal = pending_change(order)
    if proposal is None or proposal.seq != seq:
        raise Conflict(N_("There is no change waiting for confirmation."))
    if confirmed_by(proposal, side):
        raise Conflict(N_("You have already confirmed; the other side has not yet."))
    _refuse_until_document(proposal)
    _check_tradable(session, order, proposal.start_date, proposal.end_date, today)
    if order.version != version:
        raise Conflict()
    _stamp(proposal, side, actor, now)
    concluded = _conclude_document(order, proposal)
    proposal.status = "confirmed"
    order.status = new_state
    order.change_seq = proposal.seq
    order.end_date = proposal.end_date
    order.supply_amount, order.vat, order.total = proposal.supply_amount, proposal.vat, proposal.total
    order.updated_at = now
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="order.changed",
        object_type="order",
        object_id=order.id,
        details={"seq": proposal.seq, "total": proposal.total, **concluded},
        occurred_at=now,
    )
    notify(
        session,
        _other_side(session, order, side),
        N_("The change (변경차수 %(seq)s) of order %(code)s is confirmed.", seq=proposal.seq, code=order.code),
        f"/orders/{order.id}",
    )
    return order


def withdraw_change(
    session: Session, actor: Actor, order_id: int, version: int, seq: int, now: datetime | None = None
) -> Order:
    """The proposer withdraws a change, or the other side declines it; the contract stays as it was."""
    now = now or utcnow()
    order = visible_order(session, actor, order_id, lock=True)
    side = side_of(actor, order)
    proposal = pending_change(order)
    if proposal is None or proposal.seq != seq:
        raise Conflict(N_("There is no change waiting for confirmation."))
    if order.version != version:
        raise Conflict()
    proposal.status = "withdrawn"
    order.updated_at = now
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="order.change_withdrawn",
        object_type="order",
        object_id=order.id,
        details={"seq": seq, "side": side},
    )
    notify(
        session,
        _other_side(session, order, side),
        N_("The change (변경차수 %(seq)s) of order %(code)s was withdrawn.", seq=seq, code=order.code),
        f"/orders/{order.id}",
    )
    return order


# --- the end of an order -----------------------------------------------------------------------------------------


def terminate(
    session: Session, actor: Actor, order_id: int, version: int, reason: str, now: datetime | None = None
) -> Order:
    """Early termination by the agency, with a reason; a change still waiting is withdrawn."""
    now = now or utcnow()
    order = visible_order(session, actor, order_id, lock=True)
    if side_of(actor, order) != "agency":
        raise NotFound()
    new_state = rules.move("order", order.status, OrderAction.TERMINATE)
    problem = _reason_problem(reason)
    if problem:
        raise ValidationFailed(fields={"reason": problem})
    if order.version != version:
        raise Conflict()
    pending = pending_change(order)
    if pending is not None:
        pending.status = "withdrawn"
    order.status = new_state
    order.status_reason = reason.strip()
    order.updated_at = now
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="order.terminated",
        object_type="order",
        object_id=order.id,
        details={"reason": order.status_reason},
        occurred_at=now,
    )
    notify(
        session,
        organisation_users(session, order.supplier_id),
        N_("%(agency)s terminated order %(code)s early.", agency=order.agency.name, code=order.code),
        f"/orders/{order.id}",
    )
    return order


@dataclass(frozen=True)
class Advanced:
    activated: list[str]
    completed: list[str]


def activate_and_complete_due_orders(session: Session, today: date | None = None) -> Advanced:
    """Contracted orders whose start date has come become active; active orders whose period ended are
    completed. Run daily (``digitalmarket advance-orders``)."""
    today = today or today_kst()
    now = utcnow()
    activated, completed = [], []
    due = session.scalars(
        select(Order).where(Order.status == OrderState.CONTRACTED, Order.start_date <= today).order_by(Order.id)
    ).all()
    for order in due:
        _activate(session, order, None, now)
        activated.append(order.code)
    ended = session.scalars(
        select(Order).where(Order.status == OrderState.ACTIVE, Order.end_date < today).order_by(Order.id)
    ).all()
    for order in ended:
        order.status = rules.move("order", order.status, OrderAction.COMPLETE)
        order.updated_at = now
        pending = pending_change(order)
        if pending is not None:
            pending.status = "withdrawn"
        session.flush()
        audit.record(
            session,
            actor_user_id=None,
            action="order.completed",
            object_type="order",
            object_id=order.id,
            details={"end_date": order.end_date.isoformat()},
            occurred_at=now,
        )
        completed.append(order.code)
    return Advanced(activated, completed)
