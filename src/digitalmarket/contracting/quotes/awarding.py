"""The agency awards one quote and the award becomes an order (see `orders.making`): the award waits for
every answer before the deadline unless a reason shown to the suppliers is given, and a period that
outlasts the catalog contract is refused with the ways out (shortened to end with it, or an extension).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from ...accounts.permissions import Actor
from ...core import audit
from ...core.clock import today_kst
from ...core.errors import Conflict, NotFound, ValidationFailed
from ...core.i18n import N_, Text
from ...core.notifications import notify
from ...core.tables import utcnow
from ..catalog_contracts.change_requests import pending_change_request
from ..lines import award_problems, months_until, period_end
from ..orders import access, making
from ..states import OPEN_QUOTE_STATES, CatalogState, QuoteAction, QuoteState, RequestAction, RequestState, move
from ..tables import Order, Quote, QuoteRequest
from . import asking
from .asking import deadline_passed, own_request

# --- the agency's award --------------------------------------------------------------------------------------


def waiting_suppliers(request: QuoteRequest, now: datetime | None = None) -> int:
    """How many invited suppliers have neither answered nor declined while answers are still accepted (an
    award before the deadline needs every answer, or a written reason)."""
    if deadline_passed(request, now):
        return 0
    return sum(1 for q in request.quotes if q.status == QuoteState.REQUESTED)


@dataclass(frozen=True)
class PeriodConflict:
    """An awarded quote's period would end after the catalog contract it is delivered under (a delivery
    request must fall inside it). ``fit_months`` is the longest period that ends with the contract, offered
    when every line's minimum term allows it; ``extension_requested`` says the supplier asked the officer
    for a longer contract."""

    contract_number: str
    contract_end: date
    start: date
    end: date
    fit_months: int
    fit_end: date | None
    extension_requested: bool

    @property
    def can_fit(self) -> bool:
        return self.fit_end is not None


def award_period(
    session: Session, quote: Quote, today: date, *, as_asked: bool = False
) -> tuple[date, date, PeriodConflict | None]:
    """The period an award of ``quote`` gives the order (from the desired start, or today when that has
    passed) and its conflict with the catalog contract, if any; ``as_asked``: for the months the agency
    asked, not those the supplier proposed."""
    request = quote.request
    start = max(request.desired_start, today)
    months = [line.months if as_asked else line.quoted_months for line in quote.lines]
    end = period_end(start, max(months))
    contract = making.catalog_contract_of(session, quote.service, today)
    if contract is None or contract.status != CatalogState.CONTRACTED or end <= contract.period_end:
        return start, end, None
    fit = months_until(start, contract.period_end)
    plans = {p.id: p for p in quote.service.price_plans}
    longest_minimum = max(
        (plans[line.price_plan_id].min_term_months for line in quote.lines if line.price_plan_id in plans), default=0
    )
    fits = fit >= max(1, longest_minimum)
    conflict = PeriodConflict(
        contract_number=contract.number or "-",
        contract_end=contract.period_end,
        start=start,
        end=end,
        fit_months=fit,
        fit_end=period_end(start, fit) if fits else None,
        extension_requested=extension_requested(session, contract),
    )
    return start, end, conflict


def extension_requested(session: Session, contract) -> bool:
    """Whether the supplier has asked the contracting officer to extend this catalog contract."""
    return pending_change_request(session, contract.id) is not None


def period_conflict_message(conflict: PeriodConflict) -> Text:
    """What blocks the award and the ways out, in one message (the API's 409, the award page's notice)."""
    if conflict.can_fit:
        way_out = N_(
            "Award it shortened to %(months)s months, ending %(fit_end)s with the contract, or wait until the "
            "officer extends the contract.",
            months=conflict.fit_months,
            fit_end=conflict.fit_end.isoformat(),
        )
    else:
        way_out = N_("No shorter period fits the plans' minimum terms; wait until the officer extends the contract.")
    waiting = (
        N_("The supplier has asked the officer for an extension.")
        if conflict.extension_requested
        else N_("Ask the supplier to request an extension of its catalog contract.")
    )
    return N_(
        "The period %(start)s to %(end)s ends after catalog contract %(number)s (until %(contract_end)s), and a "
        "delivery request must fall inside it. %(way_out)s %(waiting)s",
        start=conflict.start.isoformat(),
        end=conflict.end.isoformat(),
        number=conflict.contract_number,
        contract_end=conflict.contract_end.isoformat(),
        way_out=way_out,
        waiting=waiting,
    )


def award(
    session: Session,
    actor: Actor,
    request_id: int,
    quote_id: int,
    quote_version: int,
    now: datetime | None = None,
    *,
    reason: str = "",
    early_reason: str = "",
    fit_to_contract: bool = False,
) -> Order:
    """Award one quote: the order is made at the quoted prices the buyer saw (``quote_version``), by
    delivery request when the service has a catalog contract in force, otherwise as a negotiated
    contract; every other quote of the request is not awarded.

    The award says why (``reason``: the lowest price, or why not the lowest). Before the deadline, while an
    invited supplier has neither answered nor declined, it also needs ``early_reason``, which those
    suppliers are shown. A period that would end after the catalog contract is a 409 naming the ways out;
    ``fit_to_contract`` takes the first of them (the period shortened to end with the contract)."""
    now = now or utcnow()
    today = today_kst(now)
    # Two awards of one request (a double click, two buyers) take turns: the second sees it awarded (409)
    # before writing anything, and never meets the first on the order's unique quote.
    request = own_request(session, actor, request_id, lock=True)
    quote = next((q for q in request.quotes if q.id == quote_id), None)
    if quote is None:
        raise NotFound()
    if request.status == RequestState.AWARDED:  # an award sent again (a retry after a timeout): its order
        made = asking.order_of_request(session, request)
        if made is not None:
            raise Conflict(
                N_(
                    "Quote request %(code)s is awarded already: its order is %(order)s (GET /orders/%(id)s).",
                    code=request.code,
                    order=made.code,
                    id=made.id,
                )
            )
    new_request_state = move("request", request.status, RequestAction.AWARD)
    new_quote_state = move("quote", quote.status, QuoteAction.AWARD)
    waiting = waiting_suppliers(request, now)
    problems = award_problems(reason, early_reason, waiting)
    if problems:
        raise ValidationFailed(fields=problems)
    if quote.version != quote_version:
        raise Conflict(N_("The supplier changed this quote after you opened it. Look at it again before awarding."))
    if quote.valid_until is not None and quote.valid_until < today:
        raise Conflict(N_("The quote was valid until %(date)s; ask for a new one.", date=quote.valid_until.isoformat()))
    start, _, conflict = award_period(session, quote, today)
    months_cap = None
    if conflict is not None:
        if not (fit_to_contract and conflict.can_fit):
            raise Conflict(period_conflict_message(conflict))
        months_cap = conflict.fit_months
    asked = [
        (line.price_plan_id, line.quantity, min(line.quoted_months, months_cap or line.quoted_months), line.unit_price)
        for line in quote.lines
    ]
    quote.status = new_quote_state
    request.status = new_request_state
    request.award_reason = reason.strip()
    request.early_award_reason = early_reason.strip() if waiting else None
    request.awarded_at = now
    request.updated_at = now
    passed_over = []
    for other in request.quotes:
        if other.id != quote.id and other.status in OPEN_QUOTE_STATES:
            other.status = move("quote", other.status, QuoteAction.PASS_OVER)
            passed_over.append(other)
    # The quotes' versions are checked here, before the order is written: a supplier revising or declining
    # at this moment is a 409 on one side, and no one holds the audit chain while waiting for these rows.
    session.flush()
    order = making.make_order(
        session,
        actor,
        service=quote.service,
        asked=asked,
        start=start,
        quote=quote,
        now=now,
        priced_at=N_("quoted"),
        record=False,
    )
    for other in passed_over:
        message = (
            N_(
                "Quote request %(code)s was awarded to another service before the deadline. The agency's reason: "
                "%(reason)s",
                code=request.code,
                reason=request.early_award_reason,
            )
            if request.early_award_reason
            else N_("Quote request %(code)s was awarded to another service.", code=request.code)
        )
        notify(session, access.organisation_users(session, other.supplier_id), message, f"/supplier/quotes/{other.id}")
    awarded = {
        "actor_user_id": actor.user_id,
        "action": "quote_request.awarded",
        "object_type": "quote_request",
        "object_id": request.id,
        "details": {
            "quote_id": quote.id,
            "order": order.code,
            "method": order.method,
            "reason": request.award_reason,
            "early_reason": request.early_award_reason,
            "shortened_to_months": months_cap,
        },
    }
    audit.record_many(session, [making.created_event(order), awarded])
    return order
