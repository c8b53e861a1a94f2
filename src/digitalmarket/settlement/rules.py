"""The rules of settlement: usage months, invoice amounts, the invoice state machine, payment due dates
over the Korean public holidays, and reviews. No I/O.

A supplier reports the usage of each line of an order for a calendar month (YYYY-MM) that touches the
order's period, once the month has ended (or the order ended within it); the invoice (청구) follows from
the agreed unit prices: a monthly or usage line bills unit price x reported quantity, a fixed-price line
bills its monthly share (the line amount divided by its months, the last month taking the remainder so
that the shares add up exactly). VAT is 10 % of the supply value cut to the won, as in contracting. The
agency inspects (검수): accepts, or rejects with a reason and the supplier corrects it (a new revision of
the same invoice). After the inspection the supplier files the payment claim (대금청구); the invoice is
due for payment within 5 days of the claim, Saturdays, Sundays and public holidays not counted
(국가계약법 시행령 제58조).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

import holidays as _korean_holidays

from ..contracting.lines import MAX_QUANTITY
from ..contracting.money import amounts
from ..core.i18n import N_, Text
from ..core.states import StateMachine

PAYMENT_DAYS = 5
REVIEW_AFTER_DAYS = 30
MAX_REASON = 2000
MAX_COMMENT = 2000
MAX_ANSWER = 2000

#: Holidays announced after the installed release of the `holidays` package (a temporary holiday,
#: an election day) until a release has them: each with its name. Every day the package has is taken
#: from it (2025-01-27 임시공휴일 and the 2025-06-03 presidential election day are in it).
ANNOUNCED_HOLIDAYS: dict[date, str] = {}


@lru_cache(maxsize=64)
def holidays_of(year: int) -> dict[date, str]:
    """Korean public holidays of a year (관공서의 공휴일에 관한 규정 and the Public Holidays Act): the
    `holidays` package's South Korea calendar, lunar holidays (설날, 추석, 부처님오신날) and substitute
    days (대체공휴일) computed for any year, election days by the Public Official Election Act, named in
    Korean; plus `ANNOUNCED_HOLIDAYS` of that year."""
    found = dict(_korean_holidays.KR(years=year, language="ko").items())
    found.update({day: name for day, name in ANNOUNCED_HOLIDAYS.items() if day.year == year})
    return found


def holiday_name(day: date) -> str | None:
    return holidays_of(day.year).get(day)


# --- days and months ----------------------------------------------------------------------------------------


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a public holiday."""
    return day.weekday() < 5 and day not in holidays_of(day.year)


def due_date(claimed_on: date, days: int = PAYMENT_DAYS) -> date:
    """The last day for payment: ``days`` working days after the day of the supplier's valid payment
    claim (대금청구, filed after the inspection; the claim's day itself not counted; Saturdays, Sundays and
    public holidays not counted)."""
    day, left = claimed_on, days
    while left:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def parse_month(text: object) -> tuple[int, int] | None:
    """(year, month) of a "YYYY-MM" text, or None."""
    if not isinstance(text, str) or len(text.strip()) != 7 or text.strip()[4] != "-":
        return None
    year, _, month = text.strip().partition("-")
    if not (year.isdigit() and month.isdigit()):
        return None
    if not 2000 <= int(year) <= 2100 or not 1 <= int(month) <= 12:
        return None
    return int(year), int(month)


def month_text(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def month_of(day: date) -> str:
    return month_text(day.year, day.month)


def month_index(start: date, month: str) -> int:
    """The month's place in a period starting on ``start``: 0 for the start's month."""
    year, number = parse_month(month)
    return (year * 12 + number) - (start.year * 12 + start.month)


def months_between(start: date, end: date) -> list[str]:
    """Every calendar month touched by a period, in order."""
    found, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        found.append(month_text(year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def month_end(month: str) -> date:
    """The last day of a YYYY-MM month."""
    year, number = parse_month(month)
    following = date(year + 1, 1, 1) if number == 12 else date(year, number + 1, 1)
    return following - timedelta(days=1)


def reportable_from(month: str, end: date, ended: bool) -> date:
    """The first day (in Korea) the usage of a month can be reported: once the month has ended, or the
    order ended within it. ``end`` is the last day of use of the order (the end of its period, or the day
    of an early termination); ``ended`` tells that the order has ended (completed or terminated)."""
    last_use = min(month_end(month), end)
    return last_use if ended else last_use + timedelta(days=1)


def month_problem(month: object, start: date, end: date, today: date, ended: bool = False) -> Text | None:
    """What is wrong with a usage month for an order period: a YYYY-MM that touches the period and has
    ended (or the order ended within it)."""
    if parse_month(month) is None:
        return N_("Enter a month as YYYY-MM.")
    month = month.strip()
    if month < month_of(start) or month > month_of(end):
        return N_(
            "The month must fall inside the contract period %(start)s to %(end)s.",
            start=start.isoformat(),
            end=end.isoformat(),
        )
    ready = reportable_from(month, end, ended)
    if ready > today:
        return N_(
            "The usage of %(month)s can be reported once the month has ended, from %(date)s (KST).",
            month=month,
            date=ready.isoformat(),
        )
    return None


# --- invoice amounts ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineTerms:
    """What an invoice needs of an order line in force: its billing and agreed price."""

    position: int
    item: str
    unit: str
    billing: str  # monthly | usage | fixed
    quantity: int  # contracted quantity
    months: int
    unit_price: int
    amount: int  # supply value of the whole line


def fixed_share(line_amount: int, months: int, index: int) -> int:
    """The monthly share of a fixed-price line for the ``index``-th month (0-based) of its months: the
    amount divided by the months, cut to the won; the last month takes the remainder; 0 outside."""
    if not 0 <= index < months:
        return 0
    base = line_amount // months
    return line_amount - base * (months - 1) if index == months - 1 else base


def item_amount(line: LineTerms, quantity: int, index: int) -> int:
    """The supply value billed for a line in a month: unit price x reported quantity, or the monthly
    share of a fixed price."""
    if line.billing == "fixed":
        return fixed_share(line.amount, line.months, index)
    return line.unit_price * quantity


def quantity_problem(quantity: object) -> Text | None:
    if quantity is None:
        return N_("Enter this line's quantity, from 0 to %(max)s.", max=f"{MAX_QUANTITY:,}")
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 <= quantity <= MAX_QUANTITY:
        return N_("Enter a quantity from 0 to %(max)s.", max=f"{MAX_QUANTITY:,}")
    return None


def invoice_amounts(supplies: list[int]):
    """Supply value, VAT (10 %, cut to the won) and total of an invoice's items."""
    return amounts(supplies)


def over_contract(already: int, new_total: int, contract_total: int) -> bool:
    """True when invoicing ``new_total`` on top of ``already`` would pass the contract amount with VAT."""
    return already + new_total > contract_total


# --- the invoice state machine ------------------------------------------------------------------------------


class InvoiceState(StrEnum):
    REPORTED = "reported"  # waiting for the agency's inspection (검수)
    REJECTED = "rejected"  # the supplier corrects it
    ACCEPTED = "accepted"  # inspected: waiting for the supplier's payment claim (대금청구)
    CLAIMED = "claimed"  # claimed: due for payment within 5 working days of the claim
    PAID = "paid"


class InvoiceAction(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    CORRECT = "correct"
    CLAIM = "claim"
    PAY = "pay"


INVOICE_TRANSITIONS: dict[tuple[InvoiceState, InvoiceAction], InvoiceState] = {
    (InvoiceState.REPORTED, InvoiceAction.ACCEPT): InvoiceState.ACCEPTED,
    (InvoiceState.REPORTED, InvoiceAction.REJECT): InvoiceState.REJECTED,
    (InvoiceState.REJECTED, InvoiceAction.CORRECT): InvoiceState.REPORTED,
    (InvoiceState.ACCEPTED, InvoiceAction.CLAIM): InvoiceState.CLAIMED,
    (InvoiceState.CLAIMED, InvoiceAction.PAY): InvoiceState.PAID,
}

INVOICE_STATE_LABELS = {
    InvoiceState.REPORTED: N_("Waiting for inspection"),
    InvoiceState.REJECTED: N_("Rejected, to be corrected"),
    InvoiceState.ACCEPTED: N_("Accepted, waiting for the payment claim"),
    InvoiceState.CLAIMED: N_("Claimed, to be paid"),
    InvoiceState.PAID: N_("Paid"),
}

#: Invoices that count against the contract amount (a rejected one is replaced by its correction).
COUNTED_STATES = (InvoiceState.REPORTED, InvoiceState.ACCEPTED, InvoiceState.CLAIMED, InvoiceState.PAID)
#: Invoices that passed the inspection.
INSPECTED_STATES = (InvoiceState.ACCEPTED, InvoiceState.CLAIMED, InvoiceState.PAID)


#: An invoice's way from the usage report to the payment.
INVOICE_MACHINE: StateMachine[InvoiceState, InvoiceAction] = StateMachine(
    InvoiceState,
    InvoiceAction,
    INVOICE_TRANSITIONS,
    INVOICE_STATE_LABELS,
    N_("The invoice"),
    steps={
        InvoiceAction.ACCEPT: N_("Pass the inspection (the agency)"),
        InvoiceAction.REJECT: N_("Reject it at the inspection (the agency)"),
        InvoiceAction.CORRECT: N_("Correct it (the supplier)"),
        InvoiceAction.CLAIM: N_("Claim the payment (the supplier)"),
        InvoiceAction.PAY: N_("Record the payment (the agency)"),
    },
)


def move(state: str, action: str) -> InvoiceState:
    """The state after ``action``, or 409 naming the state the invoice is in and the steps possible there."""
    return INVOICE_MACHINE.move(state, action)


def is_overdue(state: str, due: date | None, today: date) -> bool:
    """A claimed invoice unpaid after its due date (the due date itself is in time). An accepted invoice
    without a claim waits for the supplier and is never overdue."""
    return state == InvoiceState.CLAIMED and due is not None and due < today


def waiting_for(state: str) -> str | None:
    """Whose step is next: "agency" (inspect, pay), "supplier" (correct, claim) or None (paid)."""
    return {
        InvoiceState.REPORTED: "agency",
        InvoiceState.REJECTED: "supplier",
        InvoiceState.ACCEPTED: "supplier",
        InvoiceState.CLAIMED: "agency",
    }.get(InvoiceState(state))


def payment_day_problem(paid_on: date | None, claimed_on: date, today: date) -> Text | None:
    if paid_on is None:
        return N_("Enter a date.")
    if paid_on > today:
        return N_("The payment date cannot be in the future.")
    if paid_on < claimed_on:
        return N_("The payment date cannot be before the payment claim (%(date)s).", date=claimed_on.isoformat())
    return None


def reason_problem(reason: object) -> Text | None:
    text = (reason or "").strip() if isinstance(reason, str) else ""
    if not text:
        return N_("Give a reason.")
    if len(text) > MAX_REASON:
        return N_("At most %(max)s characters.", max=MAX_REASON)
    return None


# --- reviews ------------------------------------------------------------------------------------------------


def review_refusal(status: str, active_since: date | None, today: date) -> Text | None:
    """Why an agency may not review an order yet (None: it may): the order must have been in use for
    at least 30 days, or be completed."""
    if status == "completed":
        return None
    if status == "active" and active_since is not None and (today - active_since).days >= REVIEW_AFTER_DAYS:
        return None
    if status == "active" and active_since is not None:
        return N_(
            "A review can be written after %(days)s days of use, from %(date)s.",
            days=REVIEW_AFTER_DAYS,
            date=(active_since + timedelta(days=REVIEW_AFTER_DAYS)).isoformat(),
        )
    return N_("A review can be written once the service has been in use for %(days)s days.", days=REVIEW_AFTER_DAYS)


def review_problems(rating: object, comment: object) -> dict[str, Text]:
    problems: dict[str, Text] = {}
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        problems["rating"] = N_("Choose a rating from 1 to 5.")
    text = comment.strip() if isinstance(comment, str) else ""
    if not text:
        problems["comment"] = N_("Write a comment.")
    elif len(text) > MAX_COMMENT:
        problems["comment"] = N_("At most %(max)s characters.", max=MAX_COMMENT)
    return problems


def answer_problem(answer: object) -> Text | None:
    text = answer.strip() if isinstance(answer, str) else ""
    if not text:
        return N_("Write an answer.")
    if len(text) > MAX_ANSWER:
        return N_("At most %(max)s characters.", max=MAX_ANSWER)
    return None


def average(ratings: list[int]) -> float | None:
    """The average rating to one decimal, or None without ratings."""
    return round(sum(ratings) / len(ratings), 1) if ratings else None
