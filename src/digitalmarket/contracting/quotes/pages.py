"""HTML routes of quote requests: the agency asks 1 to 5 services, compares the answers side by side and
awards one (the supplier's side: `supplier_pages`). Forms post and redirect; no JavaScript.

The helpers the order pages share (notices, labels, dates) live here too.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select

from ...accounts.access import database, page_access
from ...accounts.permissions import AGENCY_BUYERS, Actor
from ...catalog.rules import BILLING_LABELS, CSAP_GRADE_LABELS, ServiceStatus
from ...catalog.tables import Service
from ...core.clock import today_kst
from ...core.errors import DomainError, NotFound
from ...core.formatting import kst_date, won
from ...core.forms import Form, form_errors, number, object_id, redirect, summary_only, version_of
from ...core.i18n import N_, Text
from ...core.paths import LARGEST_ID, Id
from ...core.templating import csrf_protect, render
from ..catalog_contracts.queries import catalog_item_price
from ..documents.parties import party_problems
from ..lines import MAX_MONTHS, MAX_SERVICES_PER_REQUEST
from ..money import line_amount
from ..orders import confirm_pages, making
from ..states import METHOD_LABELS, ORDER_STATE_LABELS, QUOTE_STATE_LABELS, REQUEST_STATE_LABELS
from . import answering, asking, awarding

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])

#: Messages a redirect asks the next page to show (``?notice=<key>``).
NOTICES: dict[str, tuple[str, Text]] = {
    "request_sent": (
        "success",
        N_("The quote request is sent. Each supplier is notified and answers by the deadline."),
    ),
    "request_cancelled": ("info", N_("The quote request is cancelled; the suppliers are notified.")),
    "awarded": (
        "success",
        N_("The quote is awarded and the order is made. Check the contract document and confirm it."),
    ),
    "answered": ("success", N_("Your quote is sent to the agency. You can revise it until the deadline.")),
    "declined": ("info", N_("You declined to quote; the agency is notified.")),
    "order_made": ("success", N_("The order is made. Check the contract document and confirm it.")),
    "confirmed": ("success", N_("Your confirmation is recorded.")),
    "change_proposed": ("success", N_("The change is proposed; the other side is notified.")),
    "change_confirmed": ("success", N_("The change is confirmed and in force.")),
    "change_withdrawn": ("info", N_("The change is withdrawn; the contract stays as it was.")),
    "terminated": ("info", N_("The contract is terminated.")),
    "withdrawn": ("info", N_("The order is withdrawn and will not be contracted; the supplier is told your reason.")),
}

BADGES = {
    "requested": "information",
    "quoted": "primary",
    "declined": "gray",
    "awarded": "success",
    "not_awarded": "gray",
    "open": "information",
    "closed": "gray",
    "cancelled": "gray",
    "draft": "warning",
    "contracted": "primary",
    "active": "success",
    "completed": "gray",
    "terminated": "danger",
}


def common_context() -> dict:
    return {
        "quote_state_labels": QUOTE_STATE_LABELS,
        "request_state_labels": REQUEST_STATE_LABELS,
        "order_state_labels": ORDER_STATE_LABELS,
        "method_labels": METHOD_LABELS,
        "billing_labels": BILLING_LABELS,
        "csap_grade_labels": CSAP_GRADE_LABELS,
        "badges": BADGES,
        "kst_date": kst_date,
        "won": won,
        "max_services": MAX_SERVICES_PER_REQUEST,
        "max_months": MAX_MONTHS,
    }


def show(request: Request, template: str, context: dict, *, actor: Actor, status: int = 200):
    ctx = {**common_context(), **context}
    return render(request, template, ctx, actor=actor, status_code=status, notices=NOTICES)


def day(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


# --- the agency: asking ------------------------------------------------------------------------------------------


def _services(session, codes: list[str]) -> list[Service]:
    found = []
    for code in codes:
        service = session.scalar(select(Service).where(Service.code == code))
        if service is None or service.status == ServiceStatus.DELISTED:
            raise NotFound()
        found.append(service)
    return found


def _new_request_page(request, actor, codes, values=None, errors=None, status=200, warnings=None):
    problem = None
    if len(codes) > MAX_SERVICES_PER_REQUEST:
        problem = N_("Ask from 1 to %(max)s services.", max=MAX_SERVICES_PER_REQUEST).render()
        codes = codes[:MAX_SERVICES_PER_REQUEST]
        status = max(status, 422) if status >= 400 else 422
    with database(request).reading() as session:
        services = _services(session, codes)
        today = today_kst()
        contracts = {s.code: making.catalog_contract_of(session, s, today) for s in services}
        context = {
            "services": services,
            "contracts": contracts,
            # a plan that is an item of the catalog contract in force: its ceiling (the most a supplier may
            # quote), shown beside its list price
            "ceilings": {
                s.code: {
                    p.id: making.plan_ceiling(p, contracts[s.code])
                    for p in s.price_plans
                    if catalog_item_price(contracts[s.code], p.id) is not None
                }
                for s in services
                if contracts[s.code] is not None
            },
            "codes": codes,
            "values": values or {},
            "errors": errors or {},
            "problem": problem,
            "warnings": warnings or [],
        }
        return show(request, "quote_request_new.html", context, actor=actor, status=status)


@router.get("/agency/quote-requests")
def agency_requests(request: Request, actor: Actor = Depends(page_access(AGENCY_BUYERS))):
    with database(request).reading() as session:
        rows = asking.requests_of_agency(session, actor)
        return show(request, "quote_requests.html", {"requests": rows}, actor=actor)


@router.get("/agency/quote-requests/new")
def agency_request_new(
    request: Request,
    codes: list[str] = Query(default=[], max_length=20),
    from_order: str | None = Query(default=None, max_length=20),
    actor: Actor = Depends(page_access(AGENCY_BUYERS)),
):
    if from_order:  # renewing an order that ends soon: the same service, plans and quantities
        from .renewal import renewal_values

        with database(request).reading() as session:
            chosen, values = renewal_values(session, actor, from_order)
        return _new_request_page(request, actor, chosen, values)
    chosen = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    return _new_request_page(request, actor, chosen)


def request_from_form(form: dict[str, str]) -> tuple[list[str], asking.RequestIn, dict[tuple[int, int], int]]:
    """The request a form describes, and where each line came from: (service, line) -> plan row."""
    codes = []
    for index in range(MAX_SERVICES_PER_REQUEST + 1):
        code = (form.get(f"s{index}-code") or "").strip()
        if code:
            codes.append(code)
    asks, origin = [], {}
    for index, code in enumerate(codes):
        lines = []
        for row in range(20):
            plan = number(form.get(f"s{index}-p{row}-plan"))
            if plan is None:
                break
            quantity = number(form.get(f"s{index}-p{row}-quantity"))
            if quantity is None:
                continue  # a plan left blank is not asked
            origin[(index, len(lines))] = row
            lines.append(asking.LineIn(plan, quantity, number(form.get(f"s{index}-p{row}-months")) or 0))
        asks.append(asking.ServiceAsk(code, lines))
    data = asking.RequestIn(
        title=form.get("title", ""),
        requirements=form.get("requirements", ""),
        desired_start=day(form.get("desired_start")),
        deadline=day(form.get("deadline")),
        services=asks,
    )
    return codes, data, origin


def placed_request_errors(errors: dict[str, str], origin: dict[tuple[int, int], int]) -> dict[str, str]:
    """services.0.lines.1.quantity -> s0-p<row>-quantity (the input it was typed in)."""
    placed = {}
    for key, message in errors.items():
        parts = key.split(".")
        if parts[0] == "services" and len(parts) >= 5 and parts[2] == "lines":
            service, line = int(parts[1]), int(parts[3])
            placed[f"s{service}-p{origin.get((service, line), line)}-{parts[4]}"] = message
        elif parts[0] == "services" and len(parts) in (2, 3):
            placed[f"s{parts[1]}"] = message
        else:
            placed[key] = message
    return placed


@router.post("/agency/quote-requests/new")
def agency_request_create(request: Request, form: Form, actor: Actor = Depends(page_access(AGENCY_BUYERS))):
    codes, data, origin = request_from_form(form)
    if form.get("period_confirmed") != "1":
        with database(request).reading() as session:
            warnings = asking.period_warnings(session, data, today_kst())
        if warnings:
            return _new_request_page(request, actor, codes, form, warnings=warnings)
    try:
        with database(request).transaction() as session:
            created = asking.create_request(session, actor, data)
            request_id = created.id
    except DomainError as error:
        if error.status == 404:
            raise
        errors = placed_request_errors(form_errors(error), origin)
        return _new_request_page(request, actor, codes, form, errors, error.status)
    return redirect(f"/agency/quote-requests/{request_id}", "request_sent")


def comparison(request_row) -> dict:
    """The quotes of a request side by side: per line the unit prices, then amounts, SLA, CSAP."""
    columns = []
    for quote in request_row.quotes:
        plans = {p.id: p for p in quote.service.price_plans}
        answered = quote.status in ("quoted", "awarded", "not_awarded") and all(
            line.unit_price is not None for line in quote.lines
        )
        money = answering.quote_amounts(quote) if answered else None
        columns.append(
            {
                "quote": quote,
                "plans": plans,
                "money": money,
                "answered": answered,
                "lines": [
                    {
                        "line": line,
                        "plan": plans.get(line.price_plan_id),
                        "amount": line_amount(
                            plans[line.price_plan_id].billing, line.unit_price, line.quantity, line.months
                        )
                        if line.unit_price is not None and line.price_plan_id in plans
                        else None,
                    }
                    for line in quote.lines
                ],
            }
        )
    totals = [c["money"].total for c in columns if c["money"]]
    lowest = min(totals) if len(totals) > 1 else None  # marked only when there is something to compare
    return {"columns": columns, "lowest": lowest}


def _request_page(request, actor, request_id, errors=None, values=None, status=200):
    with database(request).reading() as session:
        found = asking.own_request(session, actor, request_id)
        context = {
            "qr": found,
            "comparison": comparison(found),
            "order": asking.order_of_request(session, found),
            "late": asking.is_late(found),
            "errors": errors or {},
            "values": values or {},
        }
        return show(request, "quote_request.html", context, actor=actor, status=status)


@router.get("/agency/quote-requests/{request_id}")
def agency_request(request: Request, request_id: Id, actor: Actor = Depends(page_access(AGENCY_BUYERS))):
    return _request_page(request, actor, request_id)


def _award_page(request, actor, request_id, quote_id, errors=None, values=None, status=200):
    """The award step: what will happen, the period and any conflict with the catalog contract (and the
    ways out), the reason of the award and, before the deadline with answers missing, why it cannot wait."""
    with database(request).reading() as session:
        found = asking.own_request(session, actor, request_id)
        quote = next((q for q in found.quotes if q.id == quote_id), None)
        if quote is None:
            raise NotFound()
        table = comparison(found)
        column = next(c for c in table["columns"] if c["quote"].id == quote.id)
        start, end, conflict = awarding.award_period(session, quote, today_kst())
        fit_money = (
            answering.quote_amounts(quote, months_cap=conflict.fit_months) if conflict and conflict.can_fit else None
        )
        lowest = column["money"] is not None and column["money"].total == min(
            c["money"].total for c in table["columns"] if c["money"]
        )
        context = {
            "parties": party_problems(found.agency, quote.supplier),
            "qr": found,
            "quote": quote,
            "column": column,
            "lowest": lowest,
            "answered_count": sum(1 for c in table["columns"] if c["money"]),
            "start": start,
            "end": end,
            "conflict": conflict,
            "fit_money": fit_money,
            "conflict_message": awarding.period_conflict_message(conflict) if conflict else None,
            "waiting": awarding.waiting_suppliers(found),
            "errors": errors or {},
            "values": values or {},
        }
        return show(request, "quote_award.html", context, actor=actor, status=status)


@router.get("/agency/quote-requests/{request_id}/award")
def agency_award_page(
    request: Request,
    request_id: Id,
    quote_id: int = Query(gt=0, le=LARGEST_ID),
    actor: Actor = Depends(page_access(AGENCY_BUYERS)),
):
    return _award_page(request, actor, request_id, quote_id)


@router.post("/agency/quote-requests/{request_id}/award")
def agency_award(request: Request, request_id: Id, form: Form, actor: Actor = Depends(page_access(AGENCY_BUYERS))):
    quote_id = object_id(form.get("quote_id")) or 0
    try:
        with database(request).transaction() as session:
            order_id = awarding.award(
                session,
                actor,
                request_id,
                quote_id,
                version_of(form),
                reason=form.get("reason", ""),
                early_reason=form.get("early_reason", ""),
                fit_to_contract=form.get("fit_to_contract") == "1",
            ).id
    except DomainError as error:
        if error.status == 404:
            raise
        errors = summary_only(form_errors(error), {"reason", "early_reason"})
        return _award_page(request, actor, request_id, quote_id, errors, form, error.status)
    return redirect(f"/orders/{order_id}", "awarded")


@router.post("/agency/quote-requests/{request_id}/cancel")
def agency_cancel(request: Request, request_id: Id, form: Form, actor: Actor = Depends(page_access(AGENCY_BUYERS))):
    try:
        with database(request).transaction() as session:
            asking.cancel(session, actor, request_id, version_of(form), form.get("reason", ""))
    except DomainError as error:
        if error.status == 404:
            raise
        errors, build = summary_only(form_errors(error), {"reason"}), confirm_pages.request_cancel
        shown = confirm_pages.again(request, actor, build, request_id, errors=errors, values=form, status=error.status)
        return shown or _request_page(request, actor, request_id, errors, form, error.status)
    return redirect(f"/agency/quote-requests/{request_id}", "request_cancelled")
