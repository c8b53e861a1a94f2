"""Use cases of quote requests (견적요청) and quotes (견적): an agency asks 1 to 5 services for a price,
each supplier answers per line (never above the catalog price) or declines, the agency awards one quote
and the award becomes an order (see `orders`).

Every function runs inside the caller's transaction: it loads, asks the rules, writes, records an audit
event and notifies whoever acts next. Another organisation's request or quote is a 404, as if it did not
exist; a supplier sees its own quote of a request and never a competitor's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.permissions import Actor
from ..accounts.rules import Role
from ..catalog.tables import PricePlan, Service
from ..core import audit
from ..core.clock import KST, today_kst
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.i18n import N_, Text
from ..core.notifications import notify
from ..core.tables import utcnow
from . import orders, rules
from .catalog_change_requests import pending_change_request
from .codes import code_apart
from .rules import MAX_SERVICES_PER_REQUEST, QuoteAction, QuoteState, RequestAction, RequestState
from .tables import Order, Quote, QuoteLine, QuoteRequest

MAX_TITLE = 200
MAX_TEXT = 4000
MAX_LINES_PER_SERVICE = 10


@dataclass(frozen=True)
class LineIn:
    """A line asked of a service: one of its price plans, a quantity and a number of months."""

    price_plan_id: int
    quantity: int
    months: int


@dataclass(frozen=True)
class ServiceAsk:
    code: str
    lines: list[LineIn] = field(default_factory=list)


@dataclass(frozen=True)
class RequestIn:
    title: str
    requirements: str
    desired_start: date | None
    deadline: date | None  # answers are accepted until the end of this day (KST)
    services: list[ServiceAsk] = field(default_factory=list)


def deadline_instant(day: date) -> datetime:
    """The last second of a day in Korea, the moment answers stop being accepted."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=KST)


def deadline_passed(request: QuoteRequest, now: datetime | None = None) -> bool:
    return (now or utcnow()) > request.deadline


# --- who sees what ------------------------------------------------------------------------------------------


def own_request(session: Session, actor: Actor, request_id: int, *, lock: bool = False) -> QuoteRequest:
    """An agency's own quote request (any other caller: 404). ``lock`` holds its row until the transaction
    ends (``SELECT ... FOR UPDATE`` on PostgreSQL), so that two awards of one request take turns."""
    if lock:
        session.execute(select(QuoteRequest.id).where(QuoteRequest.id == request_id).with_for_update())
    request = session.get(QuoteRequest, request_id)
    if request is None or actor.role != Role.AGENCY_BUYER or request.agency_id != actor.organisation_id:
        raise NotFound()
    return request


def own_quote(session: Session, actor: Actor, quote_id: int) -> Quote:
    """A supplier's own quote (any other caller: 404)."""
    quote = session.get(Quote, quote_id)
    if quote is None or actor.role != Role.SUPPLIER or quote.supplier_id != actor.organisation_id:
        raise NotFound()
    return quote


def visible_quotes(actor: Actor, request: QuoteRequest) -> list[Quote]:
    """The quotes of a request the caller may see: all for its agency, a supplier's own only."""
    if actor.role == Role.AGENCY_BUYER and request.agency_id == actor.organisation_id:
        return list(request.quotes)
    return [q for q in request.quotes if actor.role == Role.SUPPLIER and q.supplier_id == actor.organisation_id]


def visible_request(session: Session, actor: Actor, request_id: int) -> QuoteRequest:
    """A request for its agency, or for a supplier asked in it; 404 for anyone else."""
    request = session.get(QuoteRequest, request_id)
    if request is None or not visible_quotes(actor, request):
        raise NotFound()
    return request


def requests_of_agency(session: Session, actor: Actor) -> list[QuoteRequest]:
    query = select(QuoteRequest).where(QuoteRequest.agency_id == actor.organisation_id)
    return list(session.scalars(query.order_by(QuoteRequest.id.desc())))


def quotes_of_supplier(session: Session, actor: Actor) -> list[Quote]:
    query = select(Quote).where(Quote.supplier_id == actor.organisation_id)
    return list(session.scalars(query.order_by(Quote.id.desc())))


def order_of_request(session: Session, request: QuoteRequest) -> Order | None:
    awarded = [q.id for q in request.quotes if q.status == QuoteState.AWARDED]
    return session.scalar(select(Order).where(Order.quote_id == awarded[0])) if awarded else None


# --- asking --------------------------------------------------------------------------------------------------


def _text_problem(value: str, maximum: int, required: bool) -> Text | None:
    value = (value or "").strip()
    if required and not value:
        return N_("This field is required.")
    if len(value) > maximum:
        return N_("At most %(max)s characters.", max=maximum)
    return None


def _plan_of(service: Service, plan_id: int) -> PricePlan | None:
    return next((p for p in service.price_plans if p.id == plan_id), None)


def create_request(session: Session, actor: Actor, data: RequestIn, now: datetime | None = None) -> QuoteRequest:
    """견적요청 to 1-5 published services; each supplier gets a quote to answer (``requested``)."""
    now = now or utcnow()
    today = today_kst(now)
    problems: dict[str, Text] = {}
    for name, maximum, required in (("title", MAX_TITLE, True), ("requirements", MAX_TEXT, False)):
        problem = _text_problem(getattr(data, name), maximum, required)
        if problem:
            problems[name] = problem
    if data.desired_start is None:
        problems["desired_start"] = N_("Enter a date.")
    elif data.desired_start < today:
        problems["desired_start"] = N_("The start date cannot be in the past.")
    if data.deadline is None:
        problems["deadline"] = N_("Enter a date.")
    elif data.deadline < today:
        problems["deadline"] = N_("The deadline cannot be in the past.")
    elif data.desired_start and data.deadline > data.desired_start:
        problems["deadline"] = N_("The deadline for answers must be on or before the desired start date.")
    codes = [ask.code for ask in data.services]
    if not 1 <= len(codes) <= MAX_SERVICES_PER_REQUEST:
        problems["services"] = N_("Ask from 1 to %(max)s services.", max=MAX_SERVICES_PER_REQUEST)
    elif len(set(codes)) != len(codes):
        problems["services"] = N_("Each service can be asked only once.")
    services: list[tuple[Service, list[tuple[PricePlan, LineIn]]]] = []
    for index, ask in enumerate(data.services[:MAX_SERVICES_PER_REQUEST]):
        key = f"services.{index}"
        service = session.scalar(select(Service).where(Service.code == ask.code))
        if service is None or service.status == "delisted":
            problems[key] = N_("There is no published service %(code)s.", code=ask.code)
            continue
        if not ask.lines:
            problems[f"{key}.lines"] = N_("Ask for at least one price plan of %(service)s.", service=service.name)
        elif len(ask.lines) > MAX_LINES_PER_SERVICE:
            problems[f"{key}.lines"] = N_("At most %(max)s items.", max=MAX_LINES_PER_SERVICE)
        lines = []
        for number, line in enumerate(ask.lines[:MAX_LINES_PER_SERVICE]):
            plan = _plan_of(service, line.price_plan_id)
            if plan is None:
                problems[f"{key}.lines.{number}.price_plan_id"] = N_("Choose one of the service's price plans.")
            line_problems = (
                orders.line_term_problems(plan, line.quantity, line.months)
                if plan
                else rules.line_problems(line.quantity, line.months)
            )
            for name, problem in line_problems.items():
                problems[f"{key}.lines.{number}.{name}"] = problem
            if plan is not None:
                lines.append((plan, line))
        services.append((service, lines))
    if problems:
        raise ValidationFailed(fields=problems)
    for service, _ in services:  # each refusal names its reason
        orders.refuse_unless_orderable(session, service, today)
    request = QuoteRequest(
        code=code_apart(session, "QR", today.year),
        agency_id=actor.organisation_id,
        buyer_id=actor.user_id,
        title=data.title.strip(),
        requirements=(data.requirements or "").strip(),
        desired_start=data.desired_start,
        deadline=deadline_instant(data.deadline),
        status=RequestState.OPEN,
    )
    session.add(request)
    for service, lines in services:
        contract = orders.catalog_contract_of(session, service, today)
        quote = Quote(request=request, service_id=service.id, supplier_id=service.supplier_id)
        quote.lines = [
            QuoteLine(
                position=position,
                price_plan_id=plan.id,
                quantity=line.quantity,
                months=line.months,
                catalog_unit_price=orders.plan_ceiling(plan, contract),
            )
            for position, (plan, line) in enumerate(lines)
        ]
        session.add(quote)
    session.flush()
    for quote in request.quotes:
        notify(
            session,
            orders.organisation_users(session, quote.supplier_id),
            N_(
                "%(agency)s asks for a quote for %(service)s by %(deadline)s (%(code)s).",
                agency=request.agency.name,
                service=quote.service.name,
                deadline=data.deadline.isoformat(),
                code=request.code,
            ),
            f"/supplier/quotes/{quote.id}",
        )
    audit.record(  # last: the chain is held from here until the commit (see `core.audit`)
        session,
        actor_user_id=actor.user_id,
        action="quote_request.created",
        object_type="quote_request",
        object_id=request.id,
        details={"code": request.code, "services": [s.code for s, _ in services]},
    )
    return request


@dataclass(frozen=True)
class PeriodWarning:
    """A service whose catalog contract ends before the period asked of it (said before sending)."""

    service: Service
    contract: object  # CatalogContract
    end: date


def period_warnings(session: Session, data: RequestIn, today: date) -> list[PeriodWarning]:
    """The services of a request whose catalog contract ends before the period asked of them: a delivery
    request must fall inside it, so the award would need a shorter period or an extension."""
    if data.desired_start is None:
        return []
    warnings = []
    for ask in data.services[:MAX_SERVICES_PER_REQUEST]:
        months = [m for m in (line.months for line in ask.lines) if isinstance(m, int) and 1 <= m <= rules.MAX_MONTHS]
        service = session.scalar(select(Service).where(Service.code == ask.code))
        if not months or service is None:
            continue
        contract = orders.catalog_contract_of(session, service, today)
        end = rules.period_end(max(data.desired_start, today), max(months))
        if contract is not None and contract.status == rules.CatalogState.CONTRACTED and end > contract.period_end:
            warnings.append(PeriodWarning(service, contract, end))
    return warnings


# --- the supplier's answer ----------------------------------------------------------------------------------------


def _check_open(request: QuoteRequest, now: datetime) -> None:
    if request.status != RequestState.OPEN:
        raise Conflict(rules.wrong_state(N_("The quote request"), rules.REQUEST_STATE_LABELS[request.status]))
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
    new_state = rules.move("quote", quote.status, QuoteAction.ANSWER)
    _check_open(quote.request, now)
    service = quote.service
    orders.refuse_unless_orderable(session, service, today)
    contract = orders.catalog_contract_of(session, service, today)
    problems: dict[str, Text] = {}
    for line in quote.lines:
        plan = _plan_of(service, line.price_plan_id)
        if plan is None:
            problems[f"lines.{line.id}"] = N_("This price plan is no longer offered; decline and explain.")
            continue
        price = prices.get(line.id)
        highest = min(line.catalog_unit_price, orders.plan_ceiling(plan, contract))
        problem = orders.plan_price_problem(plan, contract, price, highest)
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
                short = rules.min_term_problem(offered, plan.min_term_months, plan.name)
                if short:
                    problems[f"months.{line.id}"] = short
    unknown = (set(prices) | set(months)) - {line.id for line in quote.lines}
    if unknown:
        problems["lines"] = N_("Answer only the lines of this quote.")
    if valid_until is None:
        problems["valid_until"] = N_("Enter a date.")
    elif valid_until < today:
        problems["valid_until"] = N_("The quote must be valid at least until today.")
    note_problem = _text_problem(note, MAX_TEXT, False)
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
    new_state = rules.move("quote", quote.status, QuoteAction.DECLINE)
    _check_open(quote.request, now)
    problem = _text_problem(reason, MAX_TEXT, True)
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


def quote_amounts(quote: Quote, months_cap: int | None = None) -> rules.Amounts:
    """공급가액, VAT and total of the answered lines, computed from the lines (never sent by anyone);
    ``months_cap``: for a period shortened to that many months."""
    plans = {p.id: p for p in quote.service.price_plans}
    return rules.amounts(
        rules.line_amount(
            plans[line.price_plan_id].billing if line.price_plan_id in plans else "monthly",
            line.unit_price,
            line.quantity,
            min(line.quoted_months, months_cap or line.quoted_months),
        )
        for line in quote.lines
        if line.unit_price is not None
    )


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
    end = rules.period_end(start, max(months))
    contract = orders.catalog_contract_of(session, quote.service, today)
    if contract is None or contract.status != rules.CatalogState.CONTRACTED or end <= contract.period_end:
        return start, end, None
    fit = rules.months_until(start, contract.period_end)
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
        fit_end=rules.period_end(start, fit) if fits else None,
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
    new_request_state = rules.move("request", request.status, RequestAction.AWARD)
    new_quote_state = rules.move("quote", quote.status, QuoteAction.AWARD)
    waiting = waiting_suppliers(request, now)
    problems = rules.award_problems(reason, early_reason, waiting)
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
        if other.id != quote.id and other.status in (QuoteState.REQUESTED, QuoteState.QUOTED):
            other.status = rules.move("quote", other.status, QuoteAction.PASS_OVER)
            passed_over.append(other)
    # The quotes' versions are checked here, before the order is written: a supplier revising or declining
    # at this moment is a 409 on one side, and no one holds the audit chain while waiting for these rows.
    session.flush()
    order = orders.make_order(
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
        notify(session, orders.organisation_users(session, other.supplier_id), message, f"/supplier/quotes/{other.id}")
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
    audit.record_many(session, [orders.created_event(order), awarded])
    return order


def cancel(
    session: Session, actor: Actor, request_id: int, version: int, reason: str, now: datetime | None = None
) -> QuoteRequest:
    """The agency withdraws its request; every quote still open is not awarded."""
    now = now or utcnow()
    request = own_request(session, actor, request_id)
    new_state = rules.move("request", request.status, RequestAction.CANCEL)
    problem = _text_problem(reason, MAX_TEXT, True)
    if problem:
        raise ValidationFailed(fields={"reason": problem})
    if request.version != version:
        raise Conflict()
    request.status = new_state
    request.updated_at = now
    for quote in request.quotes:
        if quote.status in (QuoteState.REQUESTED, QuoteState.QUOTED):
            quote.status = rules.move("quote", quote.status, QuoteAction.PASS_OVER)
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="quote_request.cancelled",
        object_type="quote_request",
        object_id=request.id,
        details={"reason": reason.strip()},
    )
    for quote in request.quotes:
        notify(
            session,
            orders.organisation_users(session, quote.supplier_id),
            N_("Quote request %(code)s was cancelled by the agency.", code=request.code),
            f"/supplier/quotes/{quote.id}",
        )
    return request


def is_late(request: QuoteRequest, now: datetime | None = None) -> bool:
    return deadline_passed(request, now)


def days_left(request: QuoteRequest, now: datetime | None = None) -> int:
    return max(0, (request.deadline - (now or utcnow()) + timedelta(seconds=1)).days)
