"""HTML routes of orders (이용계약): the agency's and the supplier's lists with the next action, a
negotiated order made directly, one order with its contract documents, confirmation, changes (every
version and what changed) and early termination. Only the two parties see an order."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy import select

from ...accounts.access import database, page_access
from ...accounts.permissions import AGENCY_BUYERS, SUPPLIERS, Actor, roles
from ...accounts.rules import Role
from ...catalog.rules import ServiceStatus
from ...catalog.tables import Service
from ...core import sections
from ...core.clock import today_kst
from ...core.errors import DomainError, NotFound
from ...core.files import DocumentStore, attachment
from ...core.forms import Form, form_errors, number, redirect, summary_only, version_of
from ...core.paths import Id
from ...core.templating import csrf_protect
from ..quotes.pages import day, show
from ..stamp_duty import stamp_duty_of
from . import access, changing, confirm_pages, confirming, documents, ending, making

PARTIES = roles(Role.AGENCY_BUYER, Role.SUPPLIER)
Seq = Annotated[int, Path(ge=0, lt=1000)]
router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
#: What later stages add to an order's page: functions ``(session, order, actor) -> dict`` of context,
#: installed at start-up by `digitalmarket.subscribers` (contracting does not import them).
ORDER_PAGE_SECTIONS = sections.Page("order")


# --- lists ----------------------------------------------------------------------------------------------------------


def _list_page(request: Request, actor: Actor, template: str):
    with database(request).reading() as session:
        rows = access.orders_of(session, actor)
        side = "agency" if actor.role == Role.AGENCY_BUYER else "supplier"
        items = [{"order": o, "next": access.next_action(o, side)} for o in rows]
        return show(request, template, {"items": items, "side": side}, actor=actor)


@router.get("/agency/orders")
def agency_orders(request: Request, actor: Actor = Depends(page_access(AGENCY_BUYERS))):
    return _list_page(request, actor, "order_list.html")


@router.get("/supplier/orders")
def supplier_orders(request: Request, actor: Actor = Depends(page_access(SUPPLIERS))):
    return _list_page(request, actor, "order_list.html")


# --- an order made directly (납품요구 or 수의계약) ---------------------------------------------------------


def _service(session, code: str) -> Service:
    service = session.scalar(select(Service).where(Service.code == code))
    if service is None or service.status == ServiceStatus.DELISTED:
        raise NotFound()
    return service


def _new_page(request, actor, code, values=None, errors=None, status=200):
    with database(request).reading() as session:
        service = _service(session, code)
        contract = making.catalog_contract_of(session, service, today_kst())
        context = {
            "service": service,
            "ceilings": {p.id: making.plan_ceiling(p, contract) for p in service.price_plans},
            "contract": contract,
            "values": values or {},
            "errors": errors or {},
            "today": today_kst().isoformat(),
        }
        return show(request, "order_new.html", context, actor=actor, status=status)


@router.get("/agency/orders/new")
def agency_order_new(
    request: Request, code: str = Query(max_length=20), actor: Actor = Depends(page_access(AGENCY_BUYERS))
):
    return _new_page(request, actor, code)


@router.post("/agency/orders/new")
def agency_order_create(request: Request, form: Form, actor: Actor = Depends(page_access(AGENCY_BUYERS))):
    code = (form.get("code") or "").strip()
    lines, origin = [], {}
    for row in range(20):
        plan = number(form.get(f"p{row}-plan"))
        if plan is None:
            break
        quantity = number(form.get(f"p{row}-quantity"))
        if quantity is None:
            continue
        origin[len(lines)] = row
        lines.append(
            making.OrderLineIn(
                plan,
                quantity,
                number(form.get(f"p{row}-months")) or 0,
                number(form.get(f"p{row}-unit_price")) or 0,
            )
        )
    data = making.NegotiatedIn(code=code, start_date=day(form.get("start_date")), lines=lines)
    try:
        with database(request).transaction() as session:
            order_id = making.create_negotiated(session, actor, data).id
    except DomainError as error:
        if error.status == 404:
            raise
        errors = {}
        for key, message in form_errors(error).items():
            parts = key.split(".")
            if parts[0] == "lines" and len(parts) == 3:
                errors[f"p{origin.get(int(parts[1]), parts[1])}-{parts[2]}"] = message
            else:
                errors[key] = message
        return _new_page(request, actor, code, form, errors, error.status)
    return redirect(f"/orders/{order_id}", "order_made")


# --- one order --------------------------------------------------------------------------------------------------


def differences(order) -> list[dict]:
    """Each version after the first, with what changed from the one before, line by line."""
    changes = []
    versions = list(order.versions)
    for index, version in enumerate(versions):
        if version.seq == 0:
            continue
        before = next((v for v in reversed(versions[:index]) if v.status == "confirmed"), versions[0])
        old = {line.position: line for line in order.lines_of(before.seq)}
        rows = []
        for line in order.lines_of(version.seq):
            previous = old.get(line.position)
            rows.append(
                {
                    "item": line.item,
                    "fields": [
                        (name, getattr(previous, name) if previous else None, getattr(line, name))
                        for name in ("quantity", "months", "unit_price", "amount")
                    ],
                }
            )
        changes.append({"version": version, "before": before, "rows": rows})
    return changes


def _detail_page(request, actor, order_id, errors=None, values=None, status=200):
    with database(request).reading() as session:
        order = access.visible_order(session, actor, order_id)
        side = access.side_of(actor, order)
        pending = access.pending_change(order)
        first = access.version_of(order, 0)
        # a document made after the step that called for it (`documents`): the page refreshes
        preparing = any(documents.document_status(version) == "preparing" for version in order.versions)
        context = {
            "order": order,
            "side": side,
            "first": first,
            "pending": pending,
            "current_lines": order.current_lines(),
            "next": access.next_action(order, side),
            "differences": differences(order),
            "preparing": preparing,
            "can_confirm": order.status == "draft"
            and not access.confirmed_by(first, side)
            and documents.document_status(first) == "ready",
            "can_change": order.status in ("contracted", "active") and pending is None,
            "can_confirm_change": pending is not None
            and not access.confirmed_by(pending, side)
            and documents.document_status(pending) == "ready",
            "can_terminate": side == "agency" and order.status in ("contracted", "active"),
            "catalog_number": documents.order_catalog_number(order),
            "stamp_duty": stamp_duty_of(order.supply_amount),
            "errors": errors or {},
            "values": values or {},
        }
        for section in ORDER_PAGE_SECTIONS:
            context.update(section(session, order, actor))
        return show(request, "order_detail.html", context, actor=actor, status=status)


@router.get("/orders/{order_id}")
def order_detail(request: Request, order_id: Id, actor: Actor = Depends(page_access(PARTIES))):
    return _detail_page(request, actor, order_id)


@router.get("/orders/{order_id}/documents/{seq}")
def order_document(request: Request, order_id: Id, seq: Seq, actor: Actor = Depends(page_access(PARTIES))):
    with database(request).reading() as session:
        order = access.visible_order(session, actor, order_id)
        version = access.version_of(order, seq)
        sha, filename = version.document_sha256, documents.document_filename(order, seq)
    if not sha:
        raise documents.DocumentPreparing()
    return attachment(DocumentStore.of_request(request).path_of(sha), filename, "application/pdf")


def _step(request, actor, order_id, form, function, notice, renamed=None):
    try:
        with database(request).transaction() as session:
            function(session)
    except DomainError as error:
        if error.status == 404:
            raise
        renamed = renamed or {}
        errors = {renamed.get(k, k): m for k, m in summary_only(form_errors(error), set(renamed)).items()}
        shown = _detail_page(request, actor, order_id, errors, {}, error.status)
        if isinstance(error, documents.DocumentPreparing):  # the document is on its way: ask again soon
            shown.headers["Retry-After"] = str(error.retry_after_seconds)
        return shown
    return redirect(f"/orders/{order_id}", notice)


@router.post("/orders/{order_id}/confirm")
def order_confirm(request: Request, order_id: Id, form: Form, actor: Actor = Depends(page_access(PARTIES))):
    return _step(
        request,
        actor,
        order_id,
        form,
        lambda session: confirming.confirm(session, actor, order_id, version_of(form)),
        "confirmed",
    )


@router.post("/orders/{order_id}/changes")
def order_change(request: Request, order_id: Id, form: Form, actor: Actor = Depends(page_access(PARTIES))):
    lines = []
    for position in range(20):
        if f"l{position}-quantity" not in form:
            break
        lines.append(
            changing.ChangeLineIn(
                position,
                number(form.get(f"l{position}-quantity")) or 0,
                number(form.get(f"l{position}-months")) or 0,
                number(form.get(f"l{position}-unit_price")) or 0,
            )
        )
    change = changing.ChangeIn(form.get("reason", ""), lines)
    known = {"reason", "lines"} | {f"lines.{p}.{n}" for p in range(20) for n in ("quantity", "months", "unit_price")}

    def propose(session):
        changing.propose_change(session, actor, order_id, version_of(form), change)

    try:
        with database(request).transaction() as session:
            propose(session)
    except DomainError as error:
        if error.status == 404:
            raise
        errors = {}
        for key, message in summary_only(form_errors(error), known).items():
            parts = key.split(".")
            errors[f"l{parts[1]}-{parts[2]}" if parts[0] == "lines" and len(parts) == 3 else key] = message
        return _detail_page(request, actor, order_id, errors, form, error.status)
    return redirect(f"/orders/{order_id}", "change_proposed")


@router.post("/orders/{order_id}/changes/{seq}/confirm")
def order_change_confirm(
    request: Request, order_id: Id, seq: Seq, form: Form, actor: Actor = Depends(page_access(PARTIES))
):
    return _step(
        request,
        actor,
        order_id,
        form,
        lambda session: changing.confirm_change(session, actor, order_id, version_of(form), seq),
        "change_confirmed",
    )


@router.post("/orders/{order_id}/changes/{seq}/withdraw")
def order_change_withdraw(
    request: Request, order_id: Id, seq: Seq, form: Form, actor: Actor = Depends(page_access(PARTIES))
):
    return _step(
        request,
        actor,
        order_id,
        form,
        lambda session: changing.withdraw_change(session, actor, order_id, version_of(form), seq),
        "change_withdrawn",
    )


@router.post("/orders/{order_id}/terminate")
def order_terminate(request: Request, order_id: Id, form: Form, actor: Actor = Depends(page_access(AGENCY_BUYERS))):
    """The step of the confirmation page (`confirm_pages.order_terminate`); errors are shown there again."""
    try:
        with database(request).transaction() as session:
            ending.terminate(session, actor, order_id, version_of(form), form.get("reason", ""))
    except DomainError as error:
        if error.status == 404:
            raise
        errors, build = summary_only(form_errors(error), {"reason"}), confirm_pages.order_terminate
        shown = confirm_pages.again(request, actor, build, order_id, errors=errors, values=form, status=error.status)
        return shown or _detail_page(request, actor, order_id, errors, {}, error.status)
    return redirect(f"/orders/{order_id}", "terminated")
