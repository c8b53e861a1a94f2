"""HTML routes of the selection stage for the operator: the queue and one application's steps. The committee
rounds are in `operator_round_pages`, which shares the posted form and the operator's page access here."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData

from ..accounts.access import database, page_access
from ..accounts.permissions import Actor, roles
from ..accounts.rules import SIZE_LABELS, Role, format_business_number
from ..catalog.rules import TYPE_LABELS
from ..core.clock import today_kst
from ..core.errors import DomainError, ValidationFailed
from ..core.forms import form_errors, redirect, summary_only, version_of
from ..core.i18n import N_
from ..core.paths import Id
from ..core.templating import csrf_protect
from . import access, history, months, screening, supplement
from .rules import (
    DOCUMENT_LABELS,
    PREPARATION_DAYS,
    STATE_LABELS,
    WAITING_FOR_COMMITTEE,
    Action,
    Criterion,
    State,
    allowed_actions,
    short_preparation,
)
from .rules import supplement_keys as allowed_supplement_keys
from .views import (
    SUPPLEMENT_GROUPS,
    category_labels,
    service_code,
    show,
    steps_view,
    supplement_items,
)

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])

OPERATOR_STAFF = roles(Role.OPERATOR, Role.ADMIN)
STAFF_PAGE = page_access(OPERATOR_STAFF)


async def posted(request: Request) -> FormData:
    """The posted form with repeated fields kept (checkbox lists)."""
    return await request.form()


PostedForm = Annotated[FormData, Depends(posted)]


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


# --- the queue -------------------------------------------------------------------------------------------------


@router.get("/operator/applications")
def operator_queue(
    request: Request,
    state: str = "",
    type: str = "",
    supplier: str = "",
    min_days: str = "",
    actor: Actor = Depends(STAFF_PAGE),
):
    errors = {}
    days = None
    if min_days.strip():
        if min_days.strip().isdecimal() and len(min_days.strip()) < 6:
            days = int(min_days.strip())
        else:
            errors["min_days"] = N_("Enter a whole number.").render()
    filters = access.QueueFilter(
        state=state if state in set(State) else None,
        service_type=type or None,
        supplier=supplier.strip() or None,
        min_days_waiting=days,
    )
    with database(request).reading() as session:
        rows = access.queue(session, filters)
        context = {
            "rows": [(a, access.days_waiting(a)) for a in rows],
            "stuck": months.waiting_on_closed_rounds(session, rows),
            "filters": {"state": state, "type": type, "supplier": supplier, "min_days": min_days},
            "state_options": [(str(s), t.render()) for s, t in STATE_LABELS.items() if s != State.DRAFT],
            "type_options": [(str(k), v.render()) for k, v in TYPE_LABELS.items()],
            "errors": errors,
        }
        return show(request, "operator_queue.html", context, actor=actor, status=422 if errors else 200)


# --- one application -----------------------------------------------------------------------------------------------


def supplement_keys(application) -> list[tuple[str, object]]:
    """What a supplement request can name: each main group of fields and each required document."""
    labels = {**{key: label for key, (label, _step) in SUPPLEMENT_GROUPS.items()}, **DOCUMENT_LABELS}
    return [(key, labels[key]) for key in allowed_supplement_keys(application.service_type)]


def committee_context(session, application) -> dict:
    """The round an application waits for, whether that round is closed, and where it may be moved."""
    today = today_kst()
    assigned = months.assigned_round(session, application)
    return {
        "assigned_round": assigned,
        "stuck": bool(assigned and assigned.is_closed and application.state in WAITING_FOR_COMMITTEE),
        "move_targets": [
            {"round": r, "short": short_preparation(r.meeting_date, today), "days": (r.meeting_date - today).days}
            for r in months.move_targets(session, today)
            if r is not assigned
        ],
        "preparation_days": PREPARATION_DAYS,
        "today": today,
    }


def supplement_context(session, application) -> dict:
    """Each supplement request with the supplier's reply and what changed since (supplement_rounds.html)."""
    return {
        "supplement_rounds": supplement.rounds(session, application),
        "field_labels": supplement.FIELD_LABELS,
        "change_labels": supplement.CHANGE_LABELS,
        "shown": supplement.shown,
        "uploaded_on": supplement.uploaded_on,
    }


def _application_page(
    request: Request, actor: Actor, application_id: int, *, errors=None, values=None, form_name=None, status=200
):
    with database(request).reading() as session:
        application = access.visible_application(session, actor, application_id)
        state = State(application.state)
        supplier = application.supplier
        allowed = set(allowed_actions(state))
        context = {
            "application": application,
            "state": state,
            "supplier": supplier,
            "business_number": format_business_number(supplier.business_number or ""),
            "size_label": SIZE_LABELS.get(supplier.size) if supplier.size else None,
            "history": steps_view(application, history.timeline(application)),
            "days_waiting": access.days_waiting(application),
            "opinions": screening.expert_opinions(session, application.id),
            "supplement": supplement_items(application) if state == State.SUPPLEMENT_REQUESTED else [],
            "supplement_keys": supplement_keys(application),
            **supplement_context(session, application),
            "category_labels": category_labels(session),
            "service_code": service_code(application),
            "criteria": list(Criterion),
            **committee_context(session, application),
            "can": {
                "start_check": Action.START_CHECK in allowed,
                "accept": Action.ACCEPT in allowed,
                "request_supplement": Action.REQUEST_SUPPLEMENT in allowed,
                "start_expert_review": Action.START_EXPERT_REVIEW in allowed,
                "opinions": state == State.EXPERT_REVIEW,
                "send_to_committee": Action.SEND_TO_COMMITTEE in allowed,
                "move": state in WAITING_FOR_COMMITTEE,
                "publish": Action.PUBLISH in allowed,
            },
            "errors": errors or {},
            "values": values or {},
            "form_name": form_name,
        }
        return show(request, "operator_application.html", context, actor=actor, status=status)


@router.get("/operator/applications/{application_id}")
def operator_application(request: Request, application_id: Id, actor: Actor = Depends(STAFF_PAGE)):
    return _application_page(request, actor, application_id)


def _opinions_from(form: FormData) -> dict[str, tuple[bool, str]]:
    opinions = {}
    for criterion in Criterion:
        choice = _text(form, f"opinion-{criterion}")
        if choice in ("pass", "fail"):
            opinions[str(criterion)] = (choice == "pass", _text(form, f"comment-{criterion}"))
    return opinions


def _items_from(form: FormData) -> dict[str, str]:
    return {
        key[len("item-") :]: value for key, value in form.items() if key.startswith("item-") and isinstance(value, str)
    }


def _step(
    request: Request,
    actor: Actor,
    application_id: int,
    form: FormData,
    name: str,
    notice: str,
    fields,
    call,
    rename=None,
):
    """Run one operator step in one transaction; on failure show the page again with the form's errors."""
    try:
        with database(request).transaction() as session:
            call(session)
    except DomainError as error:
        if error.status == 404:
            raise
        found = {(rename or {}).get(k, k): v for k, v in form_errors(error).items()}
        errors = summary_only(found, set(fields))
        values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
        return _application_page(
            request, actor, application_id, errors=errors, values=values, form_name=name, status=error.status
        )
    return redirect(f"/operator/applications/{application_id}", notice)


@router.post("/operator/applications/{application_id}/start-check")
def operator_start_check(request: Request, application_id: Id, form: PostedForm, actor: Actor = Depends(STAFF_PAGE)):
    def call(session):
        screening.start_check(session, actor, application_id, version_of(form))

    return _step(request, actor, application_id, form, "start-check", "check_started", (), call)


@router.post("/operator/applications/{application_id}/accept")
def operator_accept(request: Request, application_id: Id, form: PostedForm, actor: Actor = Depends(STAFF_PAGE)):
    def call(session):
        screening.accept(session, actor, application_id, version_of(form))

    return _step(request, actor, application_id, form, "accept", "accepted", (), call)


@router.post("/operator/applications/{application_id}/supplement")
def operator_request_supplement(
    request: Request, application_id: Id, form: PostedForm, actor: Actor = Depends(STAFF_PAGE)
):
    def call(session):
        screening.request_supplement(session, actor, application_id, version_of(form), _items_from(form))

    return _step(request, actor, application_id, form, "supplement", "supplement_requested", ("items",), call)


@router.post("/operator/applications/{application_id}/expert-review")
def operator_start_expert_review(
    request: Request, application_id: Id, form: PostedForm, actor: Actor = Depends(STAFF_PAGE)
):
    def call(session):
        screening.start_expert_review(session, actor, application_id, version_of(form))

    return _step(request, actor, application_id, form, "expert-review", "review_started", (), call)


@router.post("/operator/applications/{application_id}/opinions")
def operator_expert_opinions(
    request: Request, application_id: Id, form: PostedForm, actor: Actor = Depends(STAFF_PAGE)
):
    def call(session):
        screening.record_expert_opinions(session, actor, application_id, version_of(form), _opinions_from(form))

    fields = [str(c) for c in Criterion] + [f"{c}.comment" for c in Criterion]
    return _step(request, actor, application_id, form, "opinions", "opinions_saved", fields, call)


@router.post("/operator/applications/{application_id}/committee")
def operator_send_to_committee(
    request: Request, application_id: Id, form: PostedForm, actor: Actor = Depends(STAFF_PAGE)
):
    def call(session):
        screening.send_to_committee(session, actor, application_id, version_of(form))

    fields = [str(c) for c in Criterion]
    return _step(request, actor, application_id, form, "committee", "sent_to_committee", fields, call)


@router.post("/operator/applications/{application_id}/move")
def operator_move_to_round(request: Request, application_id: Id, form: PostedForm, actor: Actor = Depends(STAFF_PAGE)):
    target = _text(form, "target")
    round_id = int(target) if target.isdecimal() and len(target) < 10 else None

    def call(session):
        month, reason = _text(form, "month").strip(), _text(form, "reason")
        if target and target != "month" and round_id is None:
            raise ValidationFailed(fields={"target": N_("Choose one of the options.")})
        screening.move_to_round(session, actor, application_id, version_of(form), month, reason, round_id=round_id)

    fields = ("target", "month", "reason")
    return _step(request, actor, application_id, form, "move", "moved", fields, call, rename={"round_id": "target"})


@router.post("/operator/applications/{application_id}/publish")
def operator_publish(request: Request, application_id: Id, form: PostedForm, actor: Actor = Depends(STAFF_PAGE)):
    def call(session):
        screening.publish(session, actor, application_id, version_of(form))

    return _step(request, actor, application_id, form, "publish", "published", (), call)
