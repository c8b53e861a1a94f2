"""The rules of the lines of quote requests, quotes and orders: quantities and months within bounds, the
period a number of months covers, the ceiling an agreed unit price stays under, a plan's minimum term;
and what an award must say. No I/O."""

from __future__ import annotations

from calendar import monthrange
from datetime import date, timedelta

from ..core.i18n import N_, Text

MAX_SERVICES_PER_REQUEST = 5
MAX_MONTHS = 60
MAX_QUANTITY = 1_000_000


#: How far ahead a contract may start: a quote request or an order is for a need of the coming years.
MAX_START_YEARS = 5


def start_problem(start: date | None, today: date) -> Text | None:
    """What is wrong with a contract's start date (a quote request's desired start, a direct order's
    start), said with today's date in Korea; None when it is today or later, within `MAX_START_YEARS`."""
    if start is None:
        return N_("Enter a date.")
    if start < today:
        return N_("The start date cannot be in the past: today is %(today)s in Korea.", today=today.isoformat())
    last = add_months(today, 12 * MAX_START_YEARS)
    if start > last:
        return N_("Choose a start within %(years)s years, by %(last)s.", years=MAX_START_YEARS, last=last.isoformat())
    return None


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
            "The deadline has not passed, and invited suppliers have not answered yet (%(count)s of them). "
            "Wait for them, or write why the award cannot wait: the suppliers will see it.",
            count=waiting,
        )
    return problems


def within(start: date, end: date, outer_start: date, outer_end: date) -> bool:
    return outer_start <= start and end <= outer_end
