"""The supplier answers (견적): a unit price per line, never above the catalog price, until the deadline,
or declines; and the money of a quote, always computed from its lines.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from ...accounts.permissions import Actor
from ...accounts.verification import refuse_unless_verified
from ...core import audit
from ...core.clock import KST, today_kst
from ...core.errors import Conflict, ValidationFailed
from ...core.i18n import N_, Text
from ...core.notifications import notify
from ...core.tables import utcnow
from ..lines import min_term_problem
from ..money import Amounts, amounts, line_amount
from ..orders import making
from ..states import REQUEST_STATE_LABELS, QuoteAction, RequestState, move
from ..tables import Quote, QuoteRequest
from .asking import MAX_TEXT, deadline_passed, own_quote, plan_of, text_problem

# --- the supplier's answer ----------------------------------------------------------------------------------------


def _check_open(request: QuoteRequest, now: datetime) -> None:
    if request.status != RequestState.OPEN:  # awarded, closed or cancelled: said of the request, not the quote
        raise Conflict(
            N_(
                "Quote request %(code)s is in the state “%(state)s”: it takes no answer now.",
                code=request.code,
                state=REQUEST_STATE_LABELS[request.status],
            )
        )
    if deadline_passed(request, now):
        raise Conflict(
            N_(
                "The deadline for answers (%(deadline)s) has passed.",
                deadline=request.deadline.astimezone(KST).date().isoformat(),
            )
        )


def answer(
    session: Session,
    actor: Actor,
    quote_id: int,
    version: int,
    prices: dict[int, int],
    valid_until: date | None,
    note: str = "",
    now: datetime | None = None,
    months: dict[int, int] | None = None,
) -> Quote:
    """A unit price per line (at most the catalog price), a validity date and a note; again to revise it,
    until the deadline. ``months`` may propose a shorter period for some lines (line id -> months, at
    least the plan's minimum term), e.g. to end with the catalog contract."""
    months = {line_id: value for line_id, value in (months or {}).items() if value is not None}
    now = now or utcnow()
    today = today_kst(now)
    quote = own_quote(session, actor, quote_id)
    refuse_unless_verified(quote.service.supplier)  # an unverified company cannot quote
    _check_open(quote.request, now)
    new_state = move("quote", quote.status, QuoteAction.ANSWER)
    service = quote.service
    making.refuse_unless_orderable(session, service, today)
    contract = making.catalog_contract_of(session, service, today)
    problems: dict[str, Text] = {}
    for line in quote.lines:
        plan = plan_of(service, line.price_plan_id)
        if plan is None:
            problems[f"lines.{line.id}"] = N_("This price plan is no longer offered; decline and explain.")
            continue
        price = prices.get(line.id)
        highest = min(line.catalog_unit_price, making.plan_ceiling(plan, contract))
        problem = making.plan_price_problem(plan, contract, price, highest)
        if problem:
            problems[f"lines.{line.id}"] = problem
        offered = months.get(line.id)
        if offered is not None and offered != line.months:
            if not isinstance(offered, int) or isinstance(offered, bool) or not 1 <= offered < line.months:
                problems[f"months.{line.id}"] = N_(
                    "Propose from 1 to %(max)s months, fewer than the %(asked)s asked.",
                    max=line.months - 1,
                    asked=line.months,
                )
            else:
                short = min_term_problem(offered, plan.min_term_months, plan.name)
                if short:
                    problems[f"months.{line.id}"] = short
    unknown = (set(prices) | set(months)) - {line.id for line in quote.lines}
    if unknown:
        problems["lines"] = N_("Answer only the lines of this quote.")
    if valid_until is None:
        problems["valid_until"] = N_("Enter a date.")
    elif valid_until < today:
        problems["valid_until"] = N_("The quote must be valid at least until today.")
    note_problem = text_problem(note, MAX_TEXT, False)
    if note_problem:
        problems["note"] = note_problem
    if problems:
        raise ValidationFailed(fields=problems)
    if quote.version != version:
        raise Conflict()
    for line in quote.lines:
        line.unit_price = prices[line.id]
        offered = months.get(line.id)
        line.offered_months = offered if offered is not None and offered < line.months else None
    quote.status = new_state
    quote.revision += 1
    quote.valid_until = valid_until
    quote.note = (note or "").strip()
    quote.decline_reason = None
    quote.answered_by, quote.answered_at = actor.user_id, now
    quote.request.updated_at = now
    session.flush()
    _tell_agency(
        session,
        quote.request,
        N_(
            "%(supplier)s quoted %(total)s won (VAT included) for %(code)s.",
            supplier=quote.supplier.name,
            total=f"{quote_amounts(quote).total:,}",
            code=quote.request.code,
        ),
    )
    audit.record(  # last: the chain is held from here until the commit
        session,
        actor_user_id=actor.user_id,
        action="quote.answered",
        object_type="quote",
        object_id=quote.id,
        details={
            "revision": quote.revision,
            "prices": {str(line.id): line.unit_price for line in quote.lines},
            "months": {str(line.id): line.offered_months for line in quote.lines if line.offered_months},
            "valid_until": valid_until.isoformat(),
        },
    )
    return quote


def decline(
    session: Session, actor: Actor, quote_id: int, version: int, reason: str, now: datetime | None = None
) -> Quote:
    now = now or utcnow()
    quote = own_quote(session, actor, quote_id)
    _check_open(quote.request, now)
    new_state = move("quote", quote.status, QuoteAction.DECLINE)
    problem = text_problem(reason, MAX_TEXT, True)
    if problem:
        raise ValidationFailed(fields={"reason": problem})
    if quote.version != version:
        raise Conflict()
    quote.status = new_state
    quote.decline_reason = reason.strip()
    quote.answered_by, quote.answered_at = actor.user_id, now
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="quote.declined",
        object_type="quote",
        object_id=quote.id,
        details={"reason": quote.decline_reason},
    )
    _tell_agency(
        session,
        quote.request,
        N_("%(supplier)s declined to quote for %(code)s.", supplier=quote.supplier.name, code=quote.request.code),
    )
    return quote


def _tell_agency(session: Session, request: QuoteRequest, message: Text) -> None:
    notify(session, [request.buyer_id], message, f"/agency/quote-requests/{request.id}")


# --- money of a quote ---------------------------------------------------------------------------------------


def quote_amounts(quote: Quote, months_cap: int | None = None) -> Amounts:
    """공급가액, VAT and total of the answered lines, computed from the lines (never sent by anyone);
    ``months_cap``: for a period shortened to that many months."""
    plans = {p.id: p for p in quote.service.price_plans}
    return amounts(
        line_amount(
            plans[line.price_plan_id].billing if line.price_plan_id in plans else "monthly",
            line.unit_price,
            line.quantity,
            min(line.quoted_months, months_cap or line.quoted_months),
        )
        for line in quote.lines
        if line.unit_price is not None
    )
