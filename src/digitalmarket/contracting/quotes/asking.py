"""The agency asks (견적요청): what a request holds, who sees which request and quote, making a request
(1 to 5 services, the lines of each, the deadline) with the warnings shown before sending, and
withdrawing it.

Every function runs inside the caller's transaction: it loads, asks the rules, writes, records an audit
event and notifies whoever acts next. Another organisation's request or quote is a 404, as if it did not
exist; a supplier sees its own quote of a request and never a competitor's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...accounts.permissions import Actor
from ...accounts.rules import Role
from ...catalog.tables import PricePlan, Service
from ...core import audit
from ...core.clock import KST, today_kst
from ...core.errors import Conflict, NotFound, ValidationFailed
from ...core.i18n import N_, Text
from ...core.notifications import notify
from ...core.tables import utcnow
from ..codes import code_apart
from ..lines import MAX_MONTHS, MAX_SERVICES_PER_REQUEST, line_problems, period_end, start_problem
from ..orders import access, making
from ..states import CatalogState, QuoteAction, QuoteState, RequestAction, RequestState, move
from ..tables import Order, Quote, QuoteLine, QuoteRequest

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
    """The last second of a day in Korea, the moment answers stop being accepted: in UTC, as the request is
    read back from the database, so that the API gives it alike right after asking and later."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=KST).astimezone(UTC)


def deadline_passed(request: QuoteRequest, now: datetime | None = None) -> bool:
    return (now or utcnow()) > request.deadline


# --- who sees what ------------------------------------------------------------------------------------------


def own_request(session: Session, actor: Actor, request_id: int, *, lock: bool = False) -> QuoteRequest:
    """An agency's own quote request (any other caller: 404). ``lock`` holds its row until the transaction
    ends (``SELECT ... FOR UPDATE`` on PostgreSQL), so that two awards of one request take turns."""
    if lock:  # read and locked at once (its row only, not its agency's)
        request = session.get(QuoteRequest, request_id, with_for_update={"of": QuoteRequest})
    else:
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
    """The order the request's award made (None before the award)."""
    return next(iter(orders_of_quotes(session, request.quotes).values()), None)


def orders_of_quotes(session: Session, quotes) -> dict[int, Order]:
    """The orders made by awarding any of these quotes, by quote id, read at once (a page of requests). Asked
    with the quotes shown to a caller, it tells a competitor nothing: its own quote made no order."""
    awarded = [quote.id for quote in quotes if quote.status == QuoteState.AWARDED]
    if not awarded:
        return {}
    return {order.quote_id: order for order in session.scalars(select(Order).where(Order.quote_id.in_(awarded)))}


# --- asking --------------------------------------------------------------------------------------------------


def text_problem(value: str, maximum: int, required: bool) -> Text | None:
    value = (value or "").strip()
    if required and not value:
        return N_("This field is required.")
    if len(value) > maximum:
        return N_("At most %(max)s characters.", max=maximum)
    return None


def plan_of(service: Service, plan_id: int) -> PricePlan | None:
    return next((p for p in service.price_plans if p.id == plan_id), None)


def create_request(session: Session, actor: Actor, data: RequestIn, now: datetime | None = None) -> QuoteRequest:
    """견적요청 to 1-5 published services; each supplier gets a quote to answer (``requested``)."""
    now = now or utcnow()
    today = today_kst(now)
    problems: dict[str, Text] = {}
    for name, maximum, required in (("title", MAX_TITLE, True), ("requirements", MAX_TEXT, False)):
        problem = text_problem(getattr(data, name), maximum, required)
        if problem:
            problems[name] = problem
    start_wrong = start_problem(data.desired_start, today)
    if start_wrong:
        problems["desired_start"] = start_wrong
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
            plan = plan_of(service, line.price_plan_id)
            if plan is None:
                problems[f"{key}.lines.{number}.price_plan_id"] = N_("Choose one of the service's price plans.")
            checked = (
                making.line_term_problems(plan, line.quantity, line.months)
                if plan
                else line_problems(line.quantity, line.months)
            )
            for name, problem in checked.items():
                problems[f"{key}.lines.{number}.{name}"] = problem
            if plan is not None:
                lines.append((plan, line))
        services.append((service, lines))
    if problems:
        raise ValidationFailed(fields=problems)
    for service, _ in services:  # each refusal names its reason
        making.refuse_unless_orderable(session, service, today)
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
    quotes = []
    for service, lines in services:
        contract = making.catalog_contract_of(session, service, today)
        ceilings = [making.plan_ceiling(plan, contract) for plan, _ in lines]  # read before the quote exists
        quote = Quote(request=request, service=service, supplier_id=service.supplier_id)
        quote.lines = [
            QuoteLine(
                position=position,
                price_plan_id=plan.id,
                quantity=line.quantity,
                months=line.months,
                catalog_unit_price=ceiling,
            )
            for position, ((plan, line), ceiling) in enumerate(zip(lines, ceilings, strict=True))
        ]
        session.add(quote)
        quotes.append(quote)
    session.flush()
    for quote in quotes:
        notify(
            session,
            access.organisation_users(session, quote.supplier_id),
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
        months = [m for m in (line.months for line in ask.lines) if isinstance(m, int) and 1 <= m <= MAX_MONTHS]
        service = session.scalar(select(Service).where(Service.code == ask.code))
        if not months or service is None:
            continue
        contract = making.catalog_contract_of(session, service, today)
        end = period_end(max(data.desired_start, today), max(months))
        if contract is not None and contract.status == CatalogState.CONTRACTED and end > contract.period_end:
            warnings.append(PeriodWarning(service, contract, end))
    return warnings


def cancel(
    session: Session, actor: Actor, request_id: int, version: int, reason: str, now: datetime | None = None
) -> QuoteRequest:
    """The agency withdraws its request; every quote still open is not awarded."""
    now = now or utcnow()
    request = own_request(session, actor, request_id)
    new_state = move("request", request.status, RequestAction.CANCEL)
    problem = text_problem(reason, MAX_TEXT, True)
    if problem:
        raise ValidationFailed(fields={"reason": problem})
    if request.version != version:
        raise Conflict()
    request.status = new_state
    request.updated_at = now
    for quote in request.quotes:
        if quote.status in (QuoteState.REQUESTED, QuoteState.QUOTED):
            quote.status = move("quote", quote.status, QuoteAction.PASS_OVER)
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
            access.organisation_users(session, quote.supplier_id),
            N_("Quote request %(code)s was cancelled by the agency.", code=request.code),
            f"/supplier/quotes/{quote.id}",
        )
    return request


def is_late(request: QuoteRequest, now: datetime | None = None) -> bool:
    return deadline_passed(request, now)


def days_left(request: QuoteRequest, now: datetime | None = None) -> int:
    return max(0, (request.deadline - (now or utcnow()) + timedelta(seconds=1)).days)
