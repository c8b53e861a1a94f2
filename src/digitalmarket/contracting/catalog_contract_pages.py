"""HTML routes of catalog contracts: the supplier's list, application and contract pages; the contracting
officer's queue and contract page with its actions; the section on a service's public page."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from ..accounts.access import database, page_access
from ..accounts.permissions import CONTRACTING_OFFICERS, SUPPLIERS, Actor, roles
from ..accounts.rules import ROLE_LABELS, Role
from ..catalog import workflow as catalog
from ..catalog.rules import BILLING_LABELS, TYPE_LABELS, ServiceStatus
from ..core.clock import today_kst
from ..core.errors import DomainError, NotFound, ValidationFailed
from ..core.files import DocumentStore, attachment
from ..core.formatting import kst_date, won
from ..core.forms import Form, form_errors, redirect
from ..core.i18n import N_, Text
from ..core.templating import csrf_protect, render
from . import catalog_change_requests as changes
from . import catalog_contracts as cc
from .rules import CATALOG_STATE_LABELS, CatalogState, allowed, catalog_price

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])

Id = Annotated[int, Path(gt=0, lt=2**31)]
SUPPLIER_PAGE = page_access(SUPPLIERS)
OFFICER_PAGE = page_access(CONTRACTING_OFFICERS)
READER_PAGE = page_access(roles(Role.SUPPLIER, Role.CONTRACTING_OFFICER, Role.ADMIN))

NOTICES: dict[str, tuple[str, Text]] = {
    "applied": ("success", N_("The catalog contract application is sent to PPS.")),
    "resubmitted": ("success", N_("The application is resubmitted to PPS.")),
    "review_started": ("success", N_("The review has started.")),
    "supplement_requested": ("success", N_("The supplement request is sent to the supplier.")),
    "contracted": ("success", N_("The catalog contract is signed: the service is in the digital service mall.")),
    "amended": ("success", N_("The amendment is recorded as a new change.")),
    "suspended": ("info", N_("Trade under this contract is suspended.")),
    "resumed": ("success", N_("Trade under this contract resumes.")),
    "change_requested": ("success", N_("The change request is sent to PPS.")),
    "change_withdrawn": ("info", N_("The change request is withdrawn.")),
    "change_approved": ("success", N_("The change request is approved: the contract is amended.")),
    "change_refused": ("info", N_("The change request is refused; the supplier is told why.")),
}
STATE_BADGES = {
    CatalogState.APPLIED: "information",
    CatalogState.PPS_REVIEW: "secondary",
    CatalogState.SUPPLEMENT_REQUESTED: "warning",
    CatalogState.CONTRACTED: "success",
    CatalogState.SUSPENDED: "danger",
    CatalogState.EXPIRED: "gray",
}
STEP_LABELS: dict[str, Text] = {
    "apply": N_("Applied"),
    "start_review": N_("PPS review started"),
    "request_supplement": N_("Supplement requested"),
    "resubmit": N_("Resubmitted"),
    "contract": N_("Contracted"),
    "amend": N_("Amended"),
    "suspend": N_("Trade suspended"),
    "resume": N_("Trade resumed"),
    "expire": N_("Expired"),
    "change_request": N_("Change requested"),
    "change_refuse": N_("Change request refused"),
    "change_withdraw": N_("Change request withdrawn"),
}
CHANGE_LABELS: dict[str, Text] = {
    "added": N_("Added"),
    "removed": N_("Removed"),
    "price_down": N_("Price lowered"),
    "price_up": N_("Price raised"),
    "renamed": N_("Renamed"),
    "same": N_("Unchanged"),
}


def _show(request: Request, template: str, context: dict, *, actor, status: int = 200):
    ctx = {
        "state_labels": CATALOG_STATE_LABELS,
        "state_badges": STATE_BADGES,
        "step_labels": STEP_LABELS,
        "change_labels": CHANGE_LABELS,
        "role_labels": ROLE_LABELS,
        "change_kind_labels": changes.KIND_LABELS,
        "change_state_labels": changes.STATE_LABELS,
        "billing_labels": BILLING_LABELS,
        "type_labels": TYPE_LABELS,
        "kst_date": kst_date,
        "won": won,
        **context,
    }
    return render(request, template, ctx, actor=actor, status_code=status, notices=NOTICES)


# --- forms ---------------------------------------------------------------------------------------------------------


def _version(form: dict) -> int:
    try:
        return int(form.get("version") or 0)
    except ValueError:
        return 0


def _date(form: dict, name: str, problems: dict) -> date | None:
    text = (form.get(name) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems[name] = N_("Enter a date as YYYY-MM-DD.")
        return None


def items_from(form: dict, service) -> list[cc.ItemInput]:
    """The items a form proposes: each ticked price plan with its product id, name and unit price."""
    items, problems = [], {}
    for plan in service.price_plans:
        if not form.get(f"item-{plan.id}-include"):
            continue
        text = (form.get(f"item-{plan.id}-unit_price") or "").replace(",", "").strip()
        if not text.isdecimal() or len(text) > 13:
            problems[f"items.{plan.id}.unit_price"] = N_("Enter a whole number of won.")
            continue
        items.append(
            cc.ItemInput(
                plan.id,
                int(text),
                (form.get(f"item-{plan.id}-product_id") or "").strip(),
                (form.get(f"item-{plan.id}-item") or "").strip(),
            )
        )
    if problems:
        raise ValidationFailed(fields=problems)
    return items


def period_from(form: dict) -> tuple[date | None, date | None]:
    problems: dict = {}
    start, end = _date(form, "period_start", problems), _date(form, "period_end", problems)
    if problems:
        raise ValidationFailed(fields=problems)
    return start, end


def item_rows(service, chosen: list | None, form: dict | None = None, current: list | None = None) -> list[dict]:
    """One row per price plan of the service for the items form: ticked when chosen, with its values, the
    plan's catalog price (the ceiling) and, in an amendment, the price in force."""
    chosen_by_plan = {i.price_plan_id: i for i in chosen or []}
    current_by_plan = {i.price_plan_id: i.unit_price for i in current or []}
    rows = []
    for plan in service.price_plans:
        ceiling = catalog_price(plan.unit_price, plan.vat_included)
        if form is not None:
            include = bool(form.get(f"item-{plan.id}-include"))
            product_id = form.get(f"item-{plan.id}-product_id", "")
            item = form.get(f"item-{plan.id}-item", "")
            unit_price = form.get(f"item-{plan.id}-unit_price", "")
        else:
            given = chosen_by_plan.get(plan.id)
            include = given is not None
            product_id = given.product_id if given else cc.default_product_id(service, plan)
            item = given.item if given else cc.default_item_name(service, plan)
            unit_price = str(given.unit_price if given else current_by_plan.get(plan.id, ceiling))
        rows.append(
            {
                "plan": plan,
                "ceiling": ceiling,
                "current": current_by_plan.get(plan.id),
                "include": include,
                "product_id": product_id,
                "item": item,
                "unit_price": unit_price,
            }
        )
    return rows


def _values(form: dict) -> dict:
    return {k: v for k, v in form.items() if k != "csrf_token"}


# --- the service page's section -----------------------------------------------------------------------------------


def service_page_section(session, service, actor) -> dict:
    """What the public page of a service shows about its catalog contract: in the mall (number, period,
    items) or not; for its supplier, the application under way or the button to apply."""
    today = today_kst()
    active = cc.active_catalog_contract(session, service.id, today)
    is_owner = actor is not None and actor.role == Role.SUPPLIER and actor.organisation_id == service.supplier_id
    open_contract = cc.open_contract_of_service(session, service.id) if is_owner else None
    refusal = cc.refusal(service, service.supplier, today) if is_owner and open_contract is None else None
    # buyers (and the supplier, PPS) see that a later end is asked for: a need past the end may wait for it
    sees_requests = actor is not None and (is_owner or actor.role in (Role.AGENCY_BUYER, *cc.OFFICER_SIDE))
    pending = changes.pending_change_request(session, active.id) if active and sees_requests else None
    return {
        "catalog_contract": {
            "active": active,
            "items": active.current_items() if active else [],
            "is_owner": is_owner,
            "open": open_contract,
            "can_apply": is_owner and open_contract is None and refusal is None,
            "refusal": refusal,
            "requested_end": pending.period_end if pending and pending.kind == changes.ChangeKind.EXTENSION else None,
            "state_labels": CATALOG_STATE_LABELS,
        }
    }


# --- the supplier ----------------------------------------------------------------------------------------------------


@router.get("/supplier/catalog-contracts")
def supplier_contracts(request: Request, actor: Actor = Depends(SUPPLIER_PAGE)):
    with database(request).reading() as session:
        contracts = cc.contracts_of_supplier(session, actor)
        busy = {c.service_id for c in contracts if c.status != CatalogState.EXPIRED}
        services = [
            s
            for s in catalog.services_of_supplier(session, actor.organisation_id)
            if s.status == ServiceStatus.PUBLISHED and s.id not in busy
        ]
        context = {"contracts": contracts, "services": services}
        return _show(request, "catalog_contract_supplier_list.html", context, actor=actor)


def _apply_page(request: Request, actor: Actor, code: str, *, form=None, errors=None, status=200):
    with database(request).reading() as session:
        service = catalog.service_by_code(session, code)
        service = cc.own_service(session, actor, service.id)
        existing = cc.open_contract_of_service(session, service.id)
        refusal = cc.refusal(service, service.supplier, today_kst())
        application = cc.selection_application(session, service.id)
        default_items = [
            cc.ItemInput(
                p.id,
                catalog_price(p.unit_price, p.vat_included),
                cc.default_product_id(service, p),
                cc.default_item_name(service, p),
            )
            for p in service.price_plans
        ]
        today = today_kst()
        context = {
            "service": service,
            "existing": existing,
            "refusal": refusal,
            "application": application,
            "rows": item_rows(service, default_items, form),
            "values": _values(form)
            if form is not None
            else {
                "period_start": today.isoformat(),
                "period_end": date(today.year + 1, today.month, min(today.day, 28)).isoformat(),
            },
            "errors": errors or {},
        }
        return _show(request, "catalog_contract_apply.html", context, actor=actor, status=status)


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
            found = cc.own_service(session, actor, catalog.service_by_code(session, code).id)
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
            contract = cc.apply(session, actor, found.id, items, start, end)
            contract_id = contract.id
    except DomainError as error:
        if error.status == 404:
            raise
        return _apply_page(request, actor, code, form=form, errors=form_errors(error), status=error.status)
    return redirect(f"/supplier/catalog-contracts/{contract_id}", "applied")


def _contract_context(session, actor: Actor, contract, form=None, form_name=None) -> dict:
    service = contract.service
    seqs = [v.seq for v in contract.versions]
    diffs = [cc.diff(contract, seq - 1, seq) for seq in seqs if seq > 0]
    current = cc.as_items(contract.current_items())
    application = cc.selection_application(session, contract.service_id)
    requests = changes.change_requests_of(session, contract.id)
    pending = next((r for r in requests if r.status == changes.ChangeState.PENDING), None)
    refusal = cc.refusal(service, service.supplier, today_kst())
    return {
        "contract": contract,
        "service": service,
        "state": CatalogState(contract.status),
        "can": set(allowed("catalog", contract.status)),
        "versions": [(v, cc.items_of(contract, v.seq)) for v in reversed(contract.versions)],
        "diffs": list(reversed(diffs)),
        "steps": cc.timeline(session, contract),
        "application": application,
        "refusal": refusal,
        "change_requests": requests,
        "pending_request": pending,
        "can_request_change": contract.status == CatalogState.CONTRACTED and pending is None and refusal is None,
        "items_by_plan": {i.price_plan_id: i for i in contract.current_items()},
        "rows": item_rows(service, current, form if form_name in ("resubmit", "contract", "amend") else None, current),
        "values": _values(form) if form is not None else {},
        "form_name": form_name,
        "in_mall": cc.active_catalog_contract(session, service.id, today_kst()) is not None
        and contract.status == CatalogState.CONTRACTED,
    }


def _supplier_page(
    request: Request, actor: Actor, contract_id: int, *, form=None, form_name=None, errors=None, status=200
):
    with database(request).reading() as session:
        contract = cc.own_contract(session, actor, contract_id)
        context = _contract_context(session, actor, contract, form, form_name)
        context.update({"errors": errors or {}, "side": "supplier"})
        return _show(request, "catalog_contract_detail.html", context, actor=actor, status=status)


@router.get("/supplier/catalog-contracts/{contract_id}")
def supplier_contract(request: Request, contract_id: Id, actor: Actor = Depends(SUPPLIER_PAGE)):
    return _supplier_page(request, actor, contract_id)


@router.post("/supplier/catalog-contracts/{contract_id}/resubmit")
def supplier_resubmit(request: Request, contract_id: Id, form: Form, actor: Actor = Depends(SUPPLIER_PAGE)):
    try:
        with database(request).transaction() as session:
            contract = cc.own_contract(session, actor, contract_id)
            items = items_from(form, contract.service)
            start, end = period_from(form)
            cc.resubmit(session, actor, contract_id, _version(form), items, start, end)
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
    end = _date(form, "period_end", problems) if kind == changes.ChangeKind.EXTENSION else None
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
            contract = cc.own_contract(session, actor, contract_id)
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
            changes.withdraw_change_request(session, actor, contract_id, request_id, _version(form))
    except DomainError as error:
        if error.status == 404:
            raise
        return _supplier_page(
            request, actor, contract_id, form=form, form_name="withdraw", errors=form_errors(error), status=error.status
        )
    return redirect(f"/supplier/catalog-contracts/{contract_id}", "change_withdrawn")


# --- the contracting officer -----------------------------------------------------------------------------------------


@router.get("/officer/catalog-contracts")
def officer_queue(request: Request, state: str = "", actor: Actor = Depends(OFFICER_PAGE)):
    chosen = state if state in set(CatalogState) else ""
    with database(request).reading() as session:
        rows = cc.queue(session, chosen or None)
        context = {
            "contracts": rows,
            "change_requests": changes.pending_change_requests(session),
            "state": chosen,
            "state_options": [(str(s), t.render()) for s, t in CATALOG_STATE_LABELS.items()],
            "today": today_kst(),
        }
        return _show(request, "catalog_contract_queue.html", context, actor=actor)


def _officer_page(
    request: Request, actor: Actor, contract_id: int, *, form=None, form_name=None, errors=None, status=200
):
    with database(request).reading() as session:
        contract = cc.load(session, contract_id)
        context = _contract_context(session, actor, contract, form, form_name)
        context.update({"errors": errors or {}, "side": "officer"})
        return _show(request, "catalog_contract_detail.html", context, actor=actor, status=status)


@router.get("/officer/catalog-contracts/{contract_id}")
def officer_contract(request: Request, contract_id: Id, actor: Actor = Depends(OFFICER_PAGE)):
    return _officer_page(request, actor, contract_id)


def _officer_step(request: Request, actor: Actor, contract_id: int, form: dict, name: str, notice: str, call):
    try:
        with database(request).transaction() as session:
            call(session, cc.load(session, contract_id))
    except DomainError as error:
        if error.status == 404:
            raise
        return _officer_page(
            request, actor, contract_id, form=form, form_name=name, errors=form_errors(error), status=error.status
        )
    return redirect(f"/officer/catalog-contracts/{contract_id}", notice)


@router.post("/officer/catalog-contracts/{contract_id}/start-review")
def officer_start_review(request: Request, contract_id: Id, form: Form, actor: Actor = Depends(OFFICER_PAGE)):
    def call(session, contract):
        cc.start_review(session, actor, contract_id, _version(form))

    return _officer_step(request, actor, contract_id, form, "start-review", "review_started", call)


@router.post("/officer/catalog-contracts/{contract_id}/supplement")
def officer_supplement(request: Request, contract_id: Id, form: Form, actor: Actor = Depends(OFFICER_PAGE)):
    def call(session, contract):
        cc.request_supplement(session, actor, contract_id, _version(form), form.get("reason", ""))

    return _officer_step(request, actor, contract_id, form, "supplement", "supplement_requested", call)


@router.post("/officer/catalog-contracts/{contract_id}/contract")
def officer_sign(request: Request, contract_id: Id, form: Form, actor: Actor = Depends(OFFICER_PAGE)):
    def call(session, contract):
        items = items_from(form, contract.service)
        start, end = period_from(form)
        cc.sign(session, actor, contract_id, _version(form), items, start, end)

    return _officer_step(request, actor, contract_id, form, "contract", "contracted", call)


@router.post("/officer/catalog-contracts/{contract_id}/amend")
def officer_amend(request: Request, contract_id: Id, form: Form, actor: Actor = Depends(OFFICER_PAGE)):
    def call(session, contract):
        items = items_from(form, contract.service)
        _start, end = period_from(form)
        cc.amend(session, actor, contract_id, _version(form), items, end, form.get("reason", ""))

    return _officer_step(request, actor, contract_id, form, "amend", "amended", call)


@router.post("/officer/catalog-contracts/{contract_id}/suspend")
def officer_suspend(request: Request, contract_id: Id, form: Form, actor: Actor = Depends(OFFICER_PAGE)):
    def call(session, contract):
        cc.suspend(session, actor, contract_id, _version(form), form.get("reason", ""))

    return _officer_step(request, actor, contract_id, form, "suspend", "suspended", call)


@router.post("/officer/catalog-contracts/{contract_id}/resume")
def officer_resume(request: Request, contract_id: Id, form: Form, actor: Actor = Depends(OFFICER_PAGE)):
    def call(session, contract):
        cc.resume(session, actor, contract_id, _version(form), form.get("reason", ""))

    return _officer_step(request, actor, contract_id, form, "resume", "resumed", call)


# --- documents ------------------------------------------------------------------------------------------------------


@router.get("/catalog-contracts/{contract_id}/documents/{document_id}")
def contract_document(request: Request, contract_id: Id, document_id: Id, actor: Actor = Depends(READER_PAGE)):
    """A document of the selection application behind the contract (submitted once, for both gates)."""
    with database(request).reading() as session:
        found = cc.contract_document(session, actor, contract_id, document_id)
        path = DocumentStore.of_request(request).path_of(found.sha256)
        filename, media_type = found.filename, found.media_type
    if not path.exists():
        raise NotFound()
    return attachment(path, filename, media_type)


@router.post("/officer/catalog-contracts/{contract_id}/change-requests/{request_id}/approve")
def officer_approve_change(
    request: Request, contract_id: Id, request_id: Id, form: Form, actor: Actor = Depends(OFFICER_PAGE)
):
    def call(session, contract):
        changes.approve_change_request(session, actor, contract_id, request_id, _version(form))

    return _officer_step(request, actor, contract_id, form, "approve_change", "change_approved", call)


@router.post("/officer/catalog-contracts/{contract_id}/change-requests/{request_id}/refuse")
def officer_refuse_change(
    request: Request, contract_id: Id, request_id: Id, form: Form, actor: Actor = Depends(OFFICER_PAGE)
):
    def call(session, contract):
        changes.refuse_change_request(session, actor, contract_id, request_id, _version(form), form.get("reason", ""))

    return _officer_step(request, actor, contract_id, form, "refuse_change", "change_refused", call)
