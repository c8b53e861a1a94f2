"""HTML routes of the supplier's quotes: its inbox of quote requests, the quote page where it answers a
unit price per line (and may propose a shorter period) or declines. Forms post and redirect; no JavaScript.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from ...accounts.access import database, page_access
from ...accounts.permissions import SUPPLIERS, Actor
from ...core.clock import today_kst
from ...core.errors import DomainError, ValidationFailed
from ...core.forms import Form, form_errors, number, redirect, summary_only, version_of
from ...core.i18n import N_
from ...core.paths import Id
from ...core.templating import csrf_protect
from ..orders import confirm_pages, making
from . import answering, asking, awarding
from .pages import day, show

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


# --- the supplier: answering ---------------------------------------------------------------------------------------


@router.get("/supplier/quotes")
def supplier_quotes(request: Request, actor: Actor = Depends(page_access(SUPPLIERS))):
    with database(request).reading() as session:
        rows = asking.quotes_of_supplier(session, actor)
        items = [{"quote": q, "late": asking.is_late(q.request), "money": _money(q)} for q in rows]
        return show(request, "quote_inbox.html", {"items": items}, actor=actor)


def _money(quote):
    if quote.lines and all(line.unit_price is not None for line in quote.lines):
        return answering.quote_amounts(quote)
    return None


def _quote_page(request, actor, quote_id, errors=None, values=None, status=200):
    with database(request).reading() as session:
        quote = asking.own_quote(session, actor, quote_id)
        service = quote.service
        today_contract = making.catalog_contract_of(session, service, today_kst())
        plans = {p.id: p for p in service.price_plans}
        asked_start, asked_end, conflict = awarding.award_period(session, quote, today_kst(), as_asked=True)
        context = {
            "quote": quote,
            "qr": quote.request,
            "contract": today_contract,
            "asked_start": asked_start,
            "asked_end": asked_end,
            "conflict": conflict,
            "plans": plans,
            "ceilings": {
                line.id: min(line.catalog_unit_price, making.plan_ceiling(plans[line.price_plan_id], today_contract))
                if line.price_plan_id in plans
                else line.catalog_unit_price
                for line in quote.lines
            },
            "quote_money": _money(quote),
            "late": asking.is_late(quote.request),
            "can_answer": quote.status in ("requested", "quoted")
            and quote.request.status == "open"
            and not asking.is_late(quote.request),
            "order": asking.order_of_request(session, quote.request) if quote.status == "awarded" else None,
            "errors": errors or {},
            "values": values or {},
        }
        return show(request, "quote_answer.html", context, actor=actor, status=status)


@router.get("/supplier/quotes/{quote_id}")
def supplier_quote(request: Request, quote_id: Id, actor: Actor = Depends(page_access(SUPPLIERS))):
    return _quote_page(request, actor, quote_id)


@router.post("/supplier/quotes/{quote_id}/answer")
def supplier_answer(request: Request, quote_id: Id, form: Form, actor: Actor = Depends(page_access(SUPPLIERS))):
    prices, months = {}, {}
    for key, value in form.items():
        for prefix, into in (("price-", prices), ("months-", months)):
            if key.startswith(prefix):
                line_id = number(key.removeprefix(prefix))
                if line_id and line_id > 0:
                    into[line_id] = number(value)
    try:
        if any(price is None for price in prices.values()):
            missing = {f"lines.{k}": N_("Enter a unit price.") for k, v in prices.items() if v is None}
            raise ValidationFailed(fields=missing)
        with database(request).transaction() as session:
            answering.answer(
                session,
                actor,
                quote_id,
                version_of(form),
                prices,
                day(form.get("valid_until")),
                form.get("note", ""),
                months=months,
            )
    except DomainError as error:
        if error.status == 404:
            raise
        placed = {"lines": "price", "months": "months"}
        errors = {}
        for key, message in form_errors(error).items():
            head, _, line_id = key.partition(".")
            errors[f"{placed[head]}-{line_id}" if head in placed and line_id else key] = message
        return _quote_page(request, actor, quote_id, errors, form, error.status)
    return redirect(f"/supplier/quotes/{quote_id}", "answered")


@router.post("/supplier/quotes/{quote_id}/decline")
def supplier_decline(request: Request, quote_id: Id, form: Form, actor: Actor = Depends(page_access(SUPPLIERS))):
    try:
        with database(request).transaction() as session:
            answering.decline(session, actor, quote_id, version_of(form), form.get("reason", ""))
    except DomainError as error:
        if error.status == 404:
            raise
        errors, build = summary_only(form_errors(error), {"reason"}), confirm_pages.quote_decline
        shown = confirm_pages.again(request, actor, build, quote_id, errors=errors, values=form, status=error.status)
        return shown or _quote_page(request, actor, quote_id, errors, {}, error.status)
    return redirect(f"/supplier/quotes/{quote_id}", "declined")
