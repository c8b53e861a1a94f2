"""HTML routes of the supplier's catalog contracts: its list, the application form, the contract page where it
resubmits after a supplement, and its change requests (연장, 단가 인하) and their withdrawal."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request

from ...accounts.access import database
from ...accounts.permissions import Actor
from ...catalog import queries as catalog
from ...catalog.papers import papers_of
from ...catalog.rules import ServiceStatus
from ...core.clock import today_kst
from ...core.errors import DomainError, ValidationFailed
from ...core.forms import Form, form_errors, redirect
from ...core.i18n import N_
from ...core.paths import Id
from ...core.templating import csrf_protect
from ..money import catalog_price
from ..states import CatalogState
from . import applying, contract_items, queries
from . import change_requests as changes
from .pages import (
    SUPPLIER_PAGE,
    contract_context,
    form_date,
    form_values,
    form_version,
    item_rows,
    items_from,
    period_from,
    show,
)

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])

# --- the supplier ----------------------------------------------------------------------------------------------------


@router.get("/supplier/catalog-contracts")
def supplier_contracts(request: Request, actor: Actor = Depends(SUPPLIER_PAGE)):
    with database(request).reading() as session:
        contracts = queries.contracts_of_supplier(session, actor)
        busy = {c.service_id for c in contracts if c.status != CatalogState.EXPIRED}
        services = [
            s
            for s in catalog.services_of_supplier(session, actor.organisation_id)
            if s.status == ServiceStatus.PUBLISHED and s.id not in busy
        ]
        context = {"contracts": contracts, "services": services}
        return show(request, "catalog_contract_supplier_list.html", context, actor=actor)


def _apply_page(request: Request, actor: Actor, code: str, *, form=None, errors=None, status=200):
    with database(request).reading() as session:
        service = catalog.service_by_code(session, code)
        service = queries.own_service(session, actor, service.id)
        existing = queries.open_contract_of_service(session, service.id)
        refusal = contract_items.refusal(service, service.supplier, today_kst())
        papers = papers_of(session, service.id)
        default_items = [
            contract_items.ItemInput(
                p.id,
                catalog_price(p.unit_price, p.vat_included),
                contract_items.default_product_id(service, p),
                contract_items.default_item_name(service, p),
            )
            for p in service.price_plans
        ]
        today = today_kst()
        context = {
            "service": service,
            "existing": existing,
            "refusal": refusal,
            "papers": papers,
            "rows": item_rows(service, default_items, form),
            "values": form_values(form)
            if form is not None
            else {
                "period_start": today.isoformat(),
                "period_end": date(today.year + 1, today.month, min(today.day, 28)).isoformat(),
            },
            "errors": errors or {},
        }
        return show(request, "catalog_contract_apply.html", context, actor=actor, status=status)


@router.get("/supplier/catalog-contracts/new")
def supplier_apply_form(request: Request, service: str = "", actor: Actor = Depends(SUPPLIER_PAGE)):
    if not service:
        return redirect("/supplier/catalog-contracts")
    return _apply_page(request, actor, service[:40])


@router.post("/supplier/catalog-contracts/new")
def supplier_apply(request: Request, form: Form, service: str = "", actor: Actor = Depends(SUPPLIER_PAGE)):
    code = (form.get("service") or service)[:40]
    try:
        with database(request).transaction() as session:
            found = queries.own_service(session, actor, catalog.service_by_code(session, code).id)
            problems: dict = {}
            try:
                items = items_from(form, found)
            except ValidationFailed as error:
                items, problems = [], dict(error.fields)
            try:
                start, end = period_from(form)
            except ValidationFailed as error:
                start, end = None, None
                problems |= error.fields
            if problems:
                raise ValidationFailed(fields=problems)
            contract = applying.apply(session, actor, found.id, items, start, end)
            contract_id = contract.id
    except DomainError as error:
        if error.status == 404:
            raise
        return _apply_page(request, actor, code, form=form, errors=form_errors(error), status=error.status)
    return redirect(f"/supplier/catalog-contracts/{contract_id}", "applied")


def _supplier_page(
    request: Request, actor: Actor, contract_id: int, *, form=None, form_name=None, errors=None, status=200
):
    with database(request).reading() as session:
        contract = queries.own_contract(session, actor, contract_id)
        context = contract_context(session, actor, contract, form, form_name)
        context.update({"errors": errors or {}, "side": "supplier"})
        return show(request, "catalog_contract_detail.html", context, actor=actor, status=status)


@router.get("/supplier/catalog-contracts/{contract_id}")
def supplier_contract(request: Request, contract_id: Id, actor: Actor = Depends(SUPPLIER_PAGE)):
    return _supplier_page(request, actor, contract_id)


@router.post("/supplier/catalog-contracts/{contract_id}/resubmit")
def supplier_resubmit(request: Request, contract_id: Id, form: Form, actor: Actor = Depends(SUPPLIER_PAGE)):
    try:
        with database(request).transaction() as session:
            contract = queries.own_contract(session, actor, contract_id)
            items = items_from(form, contract.service)
            start, end = period_from(form)
            applying.resubmit(session, actor, contract_id, form_version(form), items, start, end)
    except DomainError as error:
        if error.status == 404:
            raise
        return _supplier_page(
            request, actor, contract_id, form=form, form_name="resubmit", errors=form_errors(error), status=error.status
        )
    return redirect(f"/supplier/catalog-contracts/{contract_id}", "resubmitted")


def change_request_from(form: dict, contract) -> tuple[str, date | None, list[changes.PriceInput]]:
    """A change request as the supplier's form gives it: the kind, the new end (an extension) and the new
    unit prices of the items filled in (a price cut)."""
    kind = (form.get("kind") or "").strip()
    problems: dict = {}
    end = form_date(form, "period_end", problems) if kind == changes.ChangeKind.EXTENSION else None
    prices = []
    if kind == changes.ChangeKind.PRICE_CUT:
        for item in contract.current_items():
            text = (form.get(f"price-{item.price_plan_id}") or "").replace(",", "").strip()
            if not text:
                continue
            if not text.isdecimal() or len(text) > 13:
                problems[f"items.{item.price_plan_id}.unit_price"] = N_("Enter a whole number of won.")
                continue
            prices.append(changes.PriceInput(item.price_plan_id, int(text)))
    if problems:
        raise ValidationFailed(fields=problems)
    return kind, end, prices


@router.post("/supplier/catalog-contracts/{contract_id}/change-requests")
def supplier_request_change(request: Request, contract_id: Id, form: Form, actor: Actor = Depends(SUPPLIER_PAGE)):
    try:
        with database(request).transaction() as session:
            contract = queries.own_contract(session, actor, contract_id)
            kind, end, prices = change_request_from(form, contract)
            changes.request_change(session, actor, contract_id, kind, form.get("reason", ""), end, prices)
    except DomainError as error:
        if error.status == 404:
            raise
        return _supplier_page(
            request,
            actor,
            contract_id,
            form=form,
            form_name="change_request",
            errors=form_errors(error),
            status=error.status,
        )
    return redirect(f"/supplier/catalog-contracts/{contract_id}", "change_requested")


@router.post("/supplier/catalog-contracts/{contract_id}/change-requests/{request_id}/withdraw")
def supplier_withdraw_change(
    request: Request, contract_id: Id, request_id: Id, form: Form, actor: Actor = Depends(SUPPLIER_PAGE)
):
    try:
        with database(request).transaction() as session:
            changes.withdraw_change_request(session, actor, contract_id, request_id, form_version(form))
    except DomainError as error:
        if error.status == 404:
            raise
        return _supplier_page(
            request, actor, contract_id, form=form, form_name="withdraw", errors=form_errors(error), status=error.status
        )
    return redirect(f"/supplier/catalog-contracts/{contract_id}", "change_withdrawn")
