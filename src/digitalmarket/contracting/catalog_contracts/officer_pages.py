"""HTML routes of the contracting officer (조달청 계약관): the queue of catalog contracts, a contract's page and its
actions (start the review, ask for a supplement, sign, amend, suspend, resume) and the decisions on change requests."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from ...accounts.access import database
from ...accounts.permissions import Actor
from ...core.clock import today_kst
from ...core.errors import DomainError
from ...core.forms import Form, form_errors, redirect
from ...core.paths import Id
from ...core.templating import csrf_protect
from ..states import CATALOG_STATE_LABELS, CatalogState
from . import change_requests as changes
from . import officer_steps, queries
from .pages import OFFICER_PAGE, contract_context, form_version, items_from, period_from, show

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])

# --- the contracting officer -----------------------------------------------------------------------------------------


@router.get("/officer/catalog-contracts")
def officer_queue(request: Request, state: str = "", actor: Actor = Depends(OFFICER_PAGE)):
    chosen = state if state in set(CatalogState) else ""
    with database(request).reading() as session:
        rows = queries.queue(session, chosen or None)
        context = {
            "contracts": rows,
            "change_requests": changes.pending_change_requests(session),
            "state": chosen,
            "state_options": [(str(s), t.render()) for s, t in CATALOG_STATE_LABELS.items()],
            "today": today_kst(),
        }
        return show(request, "catalog_contract_queue.html", context, actor=actor)


def _officer_page(
    request: Request, actor: Actor, contract_id: int, *, form=None, form_name=None, errors=None, status=200
):
    with database(request).reading() as session:
        contract = queries.load(session, contract_id)
        context = contract_context(session, actor, contract, form, form_name)
        context.update({"errors": errors or {}, "side": "officer"})
        return show(request, "catalog_contract_detail.html", context, actor=actor, status=status)


@router.get("/officer/catalog-contracts/{contract_id}")
def officer_contract(request: Request, contract_id: Id, actor: Actor = Depends(OFFICER_PAGE)):
    return _officer_page(request, actor, contract_id)


def _officer_step(request: Request, actor: Actor, contract_id: int, form: dict, name: str, notice: str, call):
    """Run one step of the officer's; the page again with the errors, or the contract's page with ``notice``
    (or the notice the step returns)."""
    try:
        with database(request).transaction() as session:
            notice = call(session, queries.load(session, contract_id)) or notice
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
        officer_steps.start_review(session, actor, contract_id, form_version(form))

    return _officer_step(request, actor, contract_id, form, "start-review", "review_started", call)


@router.post("/officer/catalog-contracts/{contract_id}/supplement")
def officer_supplement(request: Request, contract_id: Id, form: Form, actor: Actor = Depends(OFFICER_PAGE)):
    def call(session, contract):
        officer_steps.request_supplement(session, actor, contract_id, form_version(form), form.get("reason", ""))

    return _officer_step(request, actor, contract_id, form, "supplement", "supplement_requested", call)


@router.post("/officer/catalog-contracts/{contract_id}/contract")
def officer_sign(request: Request, contract_id: Id, form: Form, actor: Actor = Depends(OFFICER_PAGE)):
    def call(session, contract):
        items = items_from(form, contract.service)
        start, end = period_from(form)
        officer_steps.sign(session, actor, contract_id, form_version(form), items, start, end)
        in_mall = queries.active_catalog_contract(session, contract.service_id, today_kst()) is not None
        return None if in_mall else "contracted_later"  # signed to start later: in the mall from its first day

    return _officer_step(request, actor, contract_id, form, "contract", "contracted", call)


@router.post("/officer/catalog-contracts/{contract_id}/amend")
def officer_amend(request: Request, contract_id: Id, form: Form, actor: Actor = Depends(OFFICER_PAGE)):
    def call(session, contract):
        items = items_from(form, contract.service)
        _start, end = period_from(form)
        officer_steps.amend(session, actor, contract_id, form_version(form), items, end, form.get("reason", ""))

    return _officer_step(request, actor, contract_id, form, "amend", "amended", call)


@router.post("/officer/catalog-contracts/{contract_id}/suspend")
def officer_suspend(request: Request, contract_id: Id, form: Form, actor: Actor = Depends(OFFICER_PAGE)):
    def call(session, contract):
        officer_steps.suspend(session, actor, contract_id, form_version(form), form.get("reason", ""))

    return _officer_step(request, actor, contract_id, form, "suspend", "suspended", call)


@router.post("/officer/catalog-contracts/{contract_id}/resume")
def officer_resume(request: Request, contract_id: Id, form: Form, actor: Actor = Depends(OFFICER_PAGE)):
    def call(session, contract):
        officer_steps.resume(session, actor, contract_id, form_version(form), form.get("reason", ""))

    return _officer_step(request, actor, contract_id, form, "resume", "resumed", call)


@router.post("/officer/catalog-contracts/{contract_id}/change-requests/{request_id}/approve")
def officer_approve_change(
    request: Request, contract_id: Id, request_id: Id, form: Form, actor: Actor = Depends(OFFICER_PAGE)
):
    def call(session, contract):
        changes.approve_change_request(session, actor, contract_id, request_id, form_version(form))

    return _officer_step(request, actor, contract_id, form, "approve_change", "change_approved", call)


@router.post("/officer/catalog-contracts/{contract_id}/change-requests/{request_id}/refuse")
def officer_refuse_change(
    request: Request, contract_id: Id, request_id: Id, form: Form, actor: Actor = Depends(OFFICER_PAGE)
):
    def call(session, contract):
        changes.refuse_change_request(
            session, actor, contract_id, request_id, form_version(form), form.get("reason", "")
        )

    return _officer_step(request, actor, contract_id, form, "refuse_change", "change_refused", call)
