"""The rules of contracting: the catalog contract, quote and order state machines, money. No I/O.

Money is KRW in integers. A line's supply value (공급가액) is unit price x quantity x months for monthly
and usage billing (quantity per month) and unit price x quantity for a fixed price; VAT is 10 % of the
supply value, cut to the won (원 미만 절사); the total is supply value + VAT. Agreed unit prices are
without VAT and never above the catalog price of the same plan (its price without VAT), nor above the
catalog contract's item price for a delivery request.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from ..core.i18n import N_, Text
from ..core.states import StateMachine, not_possible

VAT_PERCENT = 10
MAX_SERVICES_PER_REQUEST = 5
MAX_MONTHS = 60
MAX_QUANTITY = 1_000_000


# --- money ---------------------------------------------------------------------------------------------------


def line_amount(billing: str, unit_price: int, quantity: int, months: int) -> int:
    """공급가액 of one line (see the module docstring)."""
    if billing == "fixed":
        return unit_price * quantity
    return unit_price * quantity * months


def vat_of(supply: int) -> int:
    return supply * VAT_PERCENT // 100


@dataclass(frozen=True)
class Amounts:
    supply: int
    vat: int
    total: int


def amounts(line_amounts: Iterable[int]) -> Amounts:
    supply = sum(line_amounts)
    vat = vat_of(supply)
    return Amounts(supply, vat, supply + vat)


def catalog_price(unit_price: int, vat_included: bool) -> int:
    """A plan's catalog unit price without VAT (a price entered with VAT is divided by 1.1)."""
    return round(unit_price * 100 / (100 + VAT_PERCENT)) if vat_included else unit_price


# --- state machines --------------------------------------------------------------------------------------------


class CatalogState(StrEnum):
    APPLIED = "applied"
    PPS_REVIEW = "pps_review"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    CONTRACTED = "contracted"  # listed in the shopping mall
    SUSPENDED = "suspended"  # 거래정지
    EXPIRED = "expired"


class CatalogAction(StrEnum):
    START_REVIEW = "start_review"
    REQUEST_SUPPLEMENT = "request_supplement"
    RESUBMIT = "resubmit"
    CONTRACT = "contract"
    AMEND = "amend"
    SUSPEND = "suspend"
    RESUME = "resume"
    EXPIRE = "expire"


CATALOG_TRANSITIONS: dict[tuple[CatalogState, CatalogAction], CatalogState] = {
    (CatalogState.APPLIED, CatalogAction.START_REVIEW): CatalogState.PPS_REVIEW,
    (CatalogState.PPS_REVIEW, CatalogAction.REQUEST_SUPPLEMENT): CatalogState.SUPPLEMENT_REQUESTED,
    (CatalogState.SUPPLEMENT_REQUESTED, CatalogAction.RESUBMIT): CatalogState.APPLIED,
    (CatalogState.PPS_REVIEW, CatalogAction.CONTRACT): CatalogState.CONTRACTED,
    (CatalogState.CONTRACTED, CatalogAction.AMEND): CatalogState.CONTRACTED,  # 변경차수 + 1
    (CatalogState.CONTRACTED, CatalogAction.SUSPEND): CatalogState.SUSPENDED,
    (CatalogState.SUSPENDED, CatalogAction.RESUME): CatalogState.CONTRACTED,
    (CatalogState.CONTRACTED, CatalogAction.EXPIRE): CatalogState.EXPIRED,
    (CatalogState.SUSPENDED, CatalogAction.EXPIRE): CatalogState.EXPIRED,
}
#: States in which a service has no other catalog contract application running.
CATALOG_OPEN_STATES = frozenset(set(CatalogState) - {CatalogState.EXPIRED})


# --- catalog contract items, periods and amendments ---------------------------------------------------------------

#: The longest catalog contract period [ours]: three years.
MAX_CATALOG_DAYS = 3 * 366
MAX_PRODUCT_ID = 40
MAX_ITEM_NAME = 200


@dataclass(frozen=True)
class CatalogItem:
    """An item (품목) of a catalog contract: a price plan of the service at a unit price without VAT."""

    price_plan_id: int
    product_id: str
    item: str
    unit: str
    unit_price: int


def catalog_period_problems(start: date | None, end: date | None, today: date) -> dict[str, Text]:
    """What is wrong with a proposed contract period (empty when it is fine)."""
    problems: dict[str, Text] = {}
    if start is None:
        problems["period_start"] = N_("Enter a date.")
    if end is None:
        problems["period_end"] = N_("Enter a date.")
    if problems:
        return problems
    if end < start:
        problems["period_end"] = N_("The end of the period must not be before its start.")
    elif end < today:
        problems["period_end"] = N_("The period has already ended.")
    elif (end - start).days > MAX_CATALOG_DAYS:
        problems["period_end"] = N_("A catalog contract runs at most three years.")
    return problems


def catalog_items_problems(items: Iterable[CatalogItem], ceilings: dict[int, int]) -> dict[str, Text]:
    """What is wrong with proposed items: at least one, each a plan of the service (``ceilings``: plan id ->
    its catalog price without VAT) at most once, with a product id, a name and a unit price above zero and
    never above the plan's catalog price."""
    items = list(items)
    problems: dict[str, Text] = {}
    if not items:
        return {"items": N_("Choose at least one price plan as an item.")}
    seen_plans: set[int] = set()
    seen_products: set[str] = set()
    for item in items:
        key = f"items.{item.price_plan_id}"
        if item.price_plan_id not in ceilings or item.price_plan_id in seen_plans:
            problems["items"] = N_("Each item must be a different price plan of the service.")
            continue
        seen_plans.add(item.price_plan_id)
        product = item.product_id.strip()
        if not product or len(product) > MAX_PRODUCT_ID:
            problems[f"{key}.product_id"] = N_("Enter a product id of at most %(max)s characters.", max=MAX_PRODUCT_ID)
        elif product in seen_products:
            problems[f"{key}.product_id"] = N_("Two items cannot have the same product id.")
        seen_products.add(product)
        if not item.item.strip() or len(item.item.strip()) > MAX_ITEM_NAME:
            problems[f"{key}.item"] = N_("Enter an item name of at most %(max)s characters.", max=MAX_ITEM_NAME)
        ceiling = ceilings[item.price_plan_id]
        if item.unit_price <= 0:
            problems[f"{key}.unit_price"] = N_("Enter a unit price above zero.")
        elif item.unit_price > ceiling:
            problems[f"{key}.unit_price"] = N_(
                "The unit price may not be above the plan's catalog price of %(price)s won without VAT.",
                price=f"{ceiling:,}",
            )
    return problems


def amendment_problems(
    current: Iterable[CatalogItem],
    proposed: Iterable[CatalogItem],
    current_end: date,
    proposed_end: date,
) -> dict[str, Text]:
    """What an amendment (변경차수) may not do: raise the price of an item it keeps, shorten the period, or
    change nothing at all. Items it adds are checked against the plan prices by `catalog_items_problems`."""
    before = {item.price_plan_id: item for item in current}
    after = list(proposed)
    problems: dict[str, Text] = {}
    for item in after:
        previous = before.get(item.price_plan_id)
        if previous is not None and item.unit_price > previous.unit_price:
            problems[f"items.{item.price_plan_id}.unit_price"] = N_(
                "A price may only go down in an amendment (now %(price)s won).", price=f"{previous.unit_price:,}"
            )
    if proposed_end < current_end:
        problems["period_end"] = N_("An amendment may extend the period, never shorten it.")
    if not problems and not catalog_diff(list(before.values()), after).changed and proposed_end == current_end:
        problems["_form"] = N_("The amendment changes nothing.")
    return problems


@dataclass(frozen=True)
class ItemChange:
    price_plan_id: int
    change: str  # added | removed | price_down | price_up | renamed | same
    before: CatalogItem | None
    after: CatalogItem | None


@dataclass(frozen=True)
class CatalogDiff:
    items: list[ItemChange]

    @property
    def changed(self) -> bool:
        return any(change.change != "same" for change in self.items)


def catalog_diff(before: Iterable[CatalogItem], after: Iterable[CatalogItem]) -> CatalogDiff:
    """The differences of items between two versions, matched by price plan: kept items first in the
    order of the later version, then the removed ones."""
    old = {item.price_plan_id: item for item in before}
    new = {item.price_plan_id: item for item in after}
    changes = []
    for plan_id, item in new.items():
        previous = old.get(plan_id)
        if previous is None:
            kind = "added"
        elif item.unit_price < previous.unit_price:
            kind = "price_down"
        elif item.unit_price > previous.unit_price:
            kind = "price_up"
        elif (item.product_id, item.item, item.unit) != (previous.product_id, previous.item, previous.unit):
            kind = "renamed"
        else:
            kind = "same"
        changes.append(ItemChange(plan_id, kind, previous, item))
    for plan_id, item in old.items():
        if plan_id not in new:
            changes.append(ItemChange(plan_id, "removed", item, None))
    return CatalogDiff(changes)


class QuoteState(StrEnum):
    REQUESTED = "requested"
    QUOTED = "quoted"
    DECLINED = "declined"
    AWARDED = "awarded"
    NOT_AWARDED = "not_awarded"


class QuoteAction(StrEnum):
    ANSWER = "answer"  # first answer and each revision until the deadline
    DECLINE = "decline"
    AWARD = "award"
    PASS_OVER = "pass_over"  # another quote of the request was awarded, or the request was cancelled


QUOTE_TRANSITIONS: dict[tuple[QuoteState, QuoteAction], QuoteState] = {
    (QuoteState.REQUESTED, QuoteAction.ANSWER): QuoteState.QUOTED,
    (QuoteState.QUOTED, QuoteAction.ANSWER): QuoteState.QUOTED,
    (QuoteState.REQUESTED, QuoteAction.DECLINE): QuoteState.DECLINED,
    (QuoteState.QUOTED, QuoteAction.DECLINE): QuoteState.DECLINED,
    (QuoteState.QUOTED, QuoteAction.AWARD): QuoteState.AWARDED,
    (QuoteState.REQUESTED, QuoteAction.PASS_OVER): QuoteState.NOT_AWARDED,
    (QuoteState.QUOTED, QuoteAction.PASS_OVER): QuoteState.NOT_AWARDED,
}


class RequestState(StrEnum):
    OPEN = "open"
    AWARDED = "awarded"
    CLOSED = "closed"  # the deadline passed without an award and the buyer closed it
    CANCELLED = "cancelled"


class RequestAction(StrEnum):
    AWARD = "award"
    CLOSE = "close"
    CANCEL = "cancel"


REQUEST_TRANSITIONS: dict[tuple[RequestState, RequestAction], RequestState] = {
    (RequestState.OPEN, RequestAction.AWARD): RequestState.AWARDED,
    (RequestState.OPEN, RequestAction.CLOSE): RequestState.CLOSED,
    (RequestState.OPEN, RequestAction.CANCEL): RequestState.CANCELLED,
}


class OrderState(StrEnum):
    DRAFT = "draft"  # awarded or made directly; the contract document waits for both confirmations
    CONTRACTED = "contracted"
    ACTIVE = "active"
    COMPLETED = "completed"
    TERMINATED = "terminated"


class OrderAction(StrEnum):
    CONFIRM = "confirm"  # the second side's confirmation contracts the order
    ACTIVATE = "activate"  # its start date has come
    CHANGE = "change"  # 계약변경 confirmed by both sides: 변경차수 + 1
    COMPLETE = "complete"  # its end date has passed
    TERMINATE = "terminate"  # early, with a reason


ORDER_TRANSITIONS: dict[tuple[OrderState, OrderAction], OrderState] = {
    (OrderState.DRAFT, OrderAction.CONFIRM): OrderState.CONTRACTED,
    (OrderState.CONTRACTED, OrderAction.ACTIVATE): OrderState.ACTIVE,
    (OrderState.CONTRACTED, OrderAction.CHANGE): OrderState.CONTRACTED,
    (OrderState.ACTIVE, OrderAction.CHANGE): OrderState.ACTIVE,
    (OrderState.ACTIVE, OrderAction.COMPLETE): OrderState.COMPLETED,
    (OrderState.CONTRACTED, OrderAction.TERMINATE): OrderState.TERMINATED,
    (OrderState.ACTIVE, OrderAction.TERMINATE): OrderState.TERMINATED,
}

CATALOG_STATE_LABELS = {
    CatalogState.APPLIED: N_("Applied"),
    CatalogState.PPS_REVIEW: N_("Under PPS review"),
    CatalogState.SUPPLEMENT_REQUESTED: N_("Supplement requested"),
    CatalogState.CONTRACTED: N_("In the shopping mall"),
    CatalogState.SUSPENDED: N_("Trade suspended"),
    CatalogState.EXPIRED: N_("Expired"),
}
QUOTE_STATE_LABELS = {
    QuoteState.REQUESTED: N_("Waiting for the answer"),
    QuoteState.QUOTED: N_("Quoted"),
    QuoteState.DECLINED: N_("Declined"),
    QuoteState.AWARDED: N_("Awarded"),
    QuoteState.NOT_AWARDED: N_("Not awarded"),
}
REQUEST_STATE_LABELS = {
    RequestState.OPEN: N_("Open"),
    RequestState.AWARDED: N_("Awarded"),
    RequestState.CLOSED: N_("Closed"),
    RequestState.CANCELLED: N_("Cancelled"),
}
ORDER_STATE_LABELS = {
    OrderState.DRAFT: N_("Waiting for confirmation"),
    OrderState.CONTRACTED: N_("Contracted"),
    OrderState.ACTIVE: N_("In use"),
    OrderState.COMPLETED: N_("Completed"),
    OrderState.TERMINATED: N_("Terminated"),
}
METHOD_LABELS = {
    "negotiated": N_("Negotiated contract (수의계약)"),
    "delivery_request": N_("Delivery request (납품요구)"),
}

_KINDS: dict[str, StateMachine] = {
    "catalog": StateMachine(
        CatalogState, CatalogAction, CATALOG_TRANSITIONS, CATALOG_STATE_LABELS, N_("The catalog contract")
    ),
    "quote": StateMachine(QuoteState, QuoteAction, QUOTE_TRANSITIONS, QUOTE_STATE_LABELS, N_("The quote")),
    "request": StateMachine(
        RequestState, RequestAction, REQUEST_TRANSITIONS, REQUEST_STATE_LABELS, N_("The quote request")
    ),
    "order": StateMachine(OrderState, OrderAction, ORDER_TRANSITIONS, ORDER_STATE_LABELS, N_("The contract")),
}


def move(kind: str, state: str, action: str) -> StrEnum:
    """The state after ``action`` on a ``kind`` (catalog | quote | request | order) in ``state``, or 409
    naming the state it is in."""
    return _KINDS[kind].move(state, action)


#: "<subject> is <state>; this step is not possible now." (also for refusals outside the tables).
wrong_state = not_possible


def allowed(kind: str, state: str) -> list[str]:
    """The actions possible in a state (for pages: which buttons to show)."""
    return [str(action) for action in _KINDS[kind].allowed(state)]


# --- quotes and orders: lines, periods, price ceilings -----------------------------------------------------------


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has fewer days)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, monthrange(year, month)[1]))


def period_end(start: date, months: int) -> date:
    """The last day of a period of ``months`` months from ``start`` (2026-12-01, 12 -> 2027-11-30)."""
    return add_months(start, months) - timedelta(days=1)


def ceiling(plan_price: int, item_price: int | None = None) -> int:
    """The highest unit price that may be agreed: the plan's catalog price without VAT, or the catalog
    contract's item price when that is lower."""
    return plan_price if item_price is None else min(plan_price, item_price)


def line_problems(quantity: object, months: object) -> dict[str, Text]:
    """What is wrong with a line's quantity and months (whole numbers, 1..MAX_QUANTITY and 1..MAX_MONTHS)."""
    problems: dict[str, Text] = {}
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= MAX_QUANTITY:
        problems["quantity"] = N_("Enter a quantity from 1 to %(max)s.", max=f"{MAX_QUANTITY:,}")
    if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= MAX_MONTHS:
        problems["months"] = N_("Enter a number of months from 1 to %(max)s.", max=MAX_MONTHS)
    return problems


def price_problem(
    unit_price: object, highest: int, *, list_price: int | None = None, contract_number: str | None = None
) -> Text | None:
    """What is wrong with an agreed unit price: a whole number of won from 1 up to the ceiling. The message
    names where the ceiling comes from: the catalog contract's unit price when it is below the plan's
    list price (``list_price``, without VAT), else the catalog (list) price."""
    if not isinstance(unit_price, int) or isinstance(unit_price, bool) or unit_price < 1:
        return N_("Enter a unit price of at least 1 won.")
    if unit_price > highest:
        if contract_number and list_price is not None and highest < list_price:
            return N_(
                "The unit price cannot be above %(price)s won, the unit price of catalog contract %(number)s "
                "(the catalog list price is %(list)s won; both without VAT).",
                price=f"{highest:,}",
                number=contract_number,
                list=f"{list_price:,}",
            )
        return N_("The unit price cannot be above the catalog price of %(price)s won.", price=f"{highest:,}")
    return None


def min_term_problem(months: object, min_term: int, plan: str) -> Text | None:
    """A line shorter than its price plan's minimum term (최소 계약기간)."""
    if isinstance(months, int) and not isinstance(months, bool) and min_term and 1 <= months < min_term:
        return N_("%(plan)s has a minimum term of %(min)s months.", plan=plan, min=min_term)
    return None


def months_until(start: date, last_day: date) -> int:
    """The most whole months from ``start`` whose period ends on or before ``last_day`` (0: not one)."""
    months = 0
    while months < MAX_MONTHS and period_end(start, months + 1) <= last_day:
        months += 1
    return months


def award_problems(reason: str, early_reason: str, waiting: int) -> dict[str, Text]:
    """An award says why this quote (the lowest price, or why not the lowest); before the deadline, while
    ``waiting`` invited suppliers have neither answered nor declined, it also says why it cannot wait."""
    problems: dict[str, Text] = {}
    if not (reason or "").strip():
        problems["reason"] = N_("Say why you award this quote: the lowest price, or why not the lowest.")
    if waiting and not (early_reason or "").strip():
        problems["early_reason"] = N_(
            "The deadline has not passed and %(count)s invited suppliers have not answered yet. Wait for them, "
            "or write why the award cannot wait: the suppliers will see it.",
            count=waiting,
        )
    return problems


def within(start: date, end: date, outer_start: date, outer_end: date) -> bool:
    return outer_start <= start and end <= outer_end
