"""HTML routes of the selection stage for suppliers: an application step by step, its detail, documents.

The helpers every selection page shares (labels, notices, the step plan, error placement) live here too;
`operator_pages` and `reviewer_pages` import them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import FileResponse, RedirectResponse
from starlette.datastructures import FormData, UploadFile

from ..accounts.access import database, page_access
from ..accounts.permissions import SIGNED_IN, SUPPLIERS, Actor
from ..accounts.rules import ROLE_LABELS, Role
from ..catalog import workflow as catalog
from ..catalog.rules import (
    BILLING_LABELS,
    COMMON_UNITS,
    CSAP_GRADES,
    DEPLOYMENT_LABELS,
    MAX_PLANS,
    TYPE_LABELS,
)
from ..core import i18n
from ..core.clock import KST
from ..core.errors import DomainError, NotFound
from ..core.files import ACCEPTED_LABEL, MAX_DOCUMENT_BYTES, DocumentRejected, DocumentStore, read_limited
from ..core.forms import Form, form_errors, redirect
from ..core.i18n import N_, Text
from ..core.templating import Flash, csrf_protect, render
from . import committee, workflow
from .rules import (
    CRITERION_LABELS,
    DOCUMENT_LABELS,
    EDITABLE_STATES,
    OPEN_STATES,
    STATE_LABELS,
    Action,
    DocumentKind,
    State,
    allowed_actions,
    required_documents,
)

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])

#: A record id in a path: a positive 32-bit number (anything else is a 4xx, never a database error).
Id = Annotated[int, Path(gt=0, lt=2**31)]


# --- shared by every selection page ----------------------------------------------------------------------

#: Messages a redirect asks the next selection page to show (``?notice=<key>``).
NOTICES: dict[str, tuple[str, Text]] = {
    "application_created": ("success", N_("The draft is saved. You can come back to it at any time.")),
    "saved": ("success", N_("Your changes are saved.")),
    "document_added": ("success", N_("The document is attached.")),
    "document_removed": ("info", N_("The document is removed.")),
    "submitted": ("success", N_("The application is submitted. The operator will check your documents.")),
    "withdrawn": ("info", N_("The application is withdrawn.")),
    "reapplied": (
        "success",
        N_("A new draft is made from the rejected application, with the same content and documents."),
    ),
    "check_started": ("success", N_("The document check has started.")),
    "supplement_requested": ("success", N_("The supplement request is sent to the supplier.")),
    "accepted": ("success", N_("The application is accepted (접수완료).")),
    "review_started": ("success", N_("The expert review has started.")),
    "opinions_saved": ("success", N_("The expert opinions are saved.")),
    "sent_to_committee": ("success", N_("The application is sent to the committee.")),
    "moved": ("success", N_("The application moves to the committee of the chosen month.")),
    "published": ("success", N_("The service is registered and published in the catalog.")),
    "round_created": ("success", N_("The committee round is created and its members are notified.")),
    "round_closed": ("success", N_("The round is closed and its decisions are recorded.")),
    "declared": ("success", N_("Your declaration is recorded. You can now review the application.")),
    "declared_relation": ("info", N_("Your declaration is recorded. You are excluded from this application.")),
    "votes_saved": ("success", N_("Your votes are saved. You can change them until the round is closed.")),
}

#: The titles of the history's steps (the state reached, or what happened).
EVENT_LABELS: dict[str, Text] = {
    "create": N_("Draft created"),
    "moved_to_round": N_("Moved to another committee month"),
    "carried_over": N_("Carried over to the next committee month"),
}

#: The form's steps.
STEPS: tuple[tuple[int, Text], ...] = (
    (1, N_("Basic information")),
    (2, N_("Operation and security")),
    (3, N_("Price plans")),
    (4, N_("Documents")),
    (5, N_("Review and submit")),
)
STEP_LABELS = dict(STEPS)
STEP_FIELDS: dict[int, tuple[str, ...]] = {
    1: ("type", "category_id", "name", "summary", "description", "features", "keywords"),
    2: (
        "deployment",
        "data_centre_location",
        "sla_availability",
        "support_hours",
        "data_return_policy",
        "csap_grade",
        "csap_certificate_number",
        "csap_valid_until",
        "csap_underlying_iaas",
    ),
}
PLAN_FIELDS = ("name", "billing", "unit", "unit_price", "vat_included", "min_term_months")
PLAN_ROWS_EXTRA = 2

#: What an operator can ask to be supplemented besides each document: the main groups of fields.
SUPPLEMENT_GROUPS: dict[str, tuple[Text, int]] = {
    "basic": (N_("Basic information (type, category, name, description, features)"), 1),
    "operation": (N_("Operation (deployment, data centre, SLA, support hours, data return)"), 2),
    "csap": (N_("Cloud security certificate (CSAP)"), 2),
    "price_plans": (N_("Price plans"), 3),
}

STATE_BADGES = {
    State.DRAFT: "gray",
    State.SUBMITTED: "information",
    State.DOCUMENT_CHECK: "information",
    State.SUPPLEMENT_REQUESTED: "warning",
    State.ACCEPTED: "primary",
    State.EXPERT_REVIEW: "secondary",
    State.COMMITTEE: "secondary",
    State.SELECTED: "success",
    State.REJECTED: "danger",
    State.WITHDRAWN: "gray",
    State.PUBLISHED: "success",
}


def kst_date(value) -> str:
    """YYYY-MM-DD, in Korean time for instants."""
    if value is None or value == "":
        return "-"
    if isinstance(value, datetime):
        return value.astimezone(KST).strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:10]


def file_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} B"


def won(amount) -> str:
    return f"{int(amount):,}"


def document_store(request: Request) -> DocumentStore:
    return DocumentStore(request.app.state.settings.data_dir / "documents")


def common_context() -> dict:
    """Labels and formatters every selection template may use."""
    return {
        "state_labels": STATE_LABELS,
        "state_badges": STATE_BADGES,
        "type_labels": TYPE_LABELS,
        "document_labels": DOCUMENT_LABELS,
        "deployment_labels": DEPLOYMENT_LABELS,
        "billing_labels": BILLING_LABELS,
        "criterion_labels": CRITERION_LABELS,
        "role_labels": ROLE_LABELS,
        "event_labels": EVENT_LABELS,
        "step_labels": STEP_LABELS,
        "supplement_groups": SUPPLEMENT_GROUPS,
        "kst_date": kst_date,
        "file_size": file_size,
        "won": won,
    }


def show(request: Request, template: str, context: dict, *, actor: Actor, status: int = 200):
    """Render a selection page with its notice (``?notice=``) and the shared labels."""
    ctx = {**common_context(), **context}
    notice = request.query_params.get("notice")
    if notice in NOTICES and status < 400:
        kind, text = NOTICES[notice]
        ctx["flashes"] = [Flash(kind, text.render())]
    return render(request, template, ctx, actor=actor, status_code=status)


def summary_only(errors: dict[str, str], known: set[str]) -> dict[str, str]:
    """Errors about fields this page has no input for are listed in the summary without a link."""
    return {key if key.startswith("_") or key in known else f"_{key}": message for key, message in errors.items()}


def version_of(form) -> int:
    try:
        return int(form.get("version") or 0)
    except (TypeError, ValueError):
        return 0


def category_labels(session) -> dict[int, str]:
    locale = i18n.current_locale.get()
    return {c.id: c.label(locale) for c in catalog.categories(session)}


def category_groups(session) -> list[tuple[Text, list[tuple[str, str]]]]:
    """The categories as option groups, one per service type."""
    locale = i18n.current_locale.get()
    groups: dict[str, list[tuple[str, str]]] = {}
    for category in catalog.categories(session):
        groups.setdefault(category.type, []).append((str(category.id), category.label(locale)))
    return [(TYPE_LABELS[t], groups[t]) for t in TYPE_LABELS if t in groups]


def step_of(key: str) -> int | None:
    """The step of the form where the field named by an error or problem key is filled in."""
    head = key.split(".", 1)[0]
    for number, names in STEP_FIELDS.items():
        if head in names:
            return number
    if head == "price_plans":
        return 3
    if head == "documents":
        return 4
    return None


def problem_link(application_id: int, key: str) -> str | None:
    step = step_of(key)
    if step is None:
        return None
    if key.startswith("documents."):
        return f"/supplier/applications/{application_id}/steps/4#doc-{key.split('.', 1)[1]}"
    return f"/supplier/applications/{application_id}/steps/{step}#field-{key}"


def supplement_items(application) -> list[dict]:
    """The items of the last supplement request: a label, the reason, and the step that fixes it."""
    event = next((e for e in reversed(application.events) if e.action == Action.REQUEST_SUPPLEMENT), None)
    items = []
    for key, reason in ((event.details or {}).get("items") or {}).items() if event else ():
        if key in SUPPLEMENT_GROUPS:
            label, step = SUPPLEMENT_GROUPS[key]
            anchor = ""
        elif key in DOCUMENT_LABELS:
            label, step, anchor = DOCUMENT_LABELS[key], 4, f"#doc-{key}"
        else:
            label, step, anchor = Text(key), step_of(key), f"#field-{key}"
        href = f"/supplier/applications/{application.id}/steps/{step}{anchor}" if step else None
        items.append({"key": key, "label": label, "reason": reason, "href": href, "step": step})
    return items


def service_code(application) -> str | None:
    """The public code of the service an application became, from its publication step."""
    event = next((e for e in reversed(application.events) if e.action == Action.PUBLISH), None)
    return (event.details or {}).get("service_code") if event else None


def steps_view(application, timeline: list[dict]) -> list[dict]:
    """The history as the pages show it: newest last, with the title of each step."""
    steps = []
    for step in timeline:
        action = step["action"]
        title = EVENT_LABELS.get(action) or STATE_LABELS.get(step["to_state"]) or Text(action)
        reason = step["reason"]
        if action == "carried_over" and reason:
            reason = i18n.gettext(reason)
        if action == Action.REQUEST_SUPPLEMENT:
            reason = None  # shown item by item from the details
        steps.append({**step, "title": title, "reason": reason, "open": application.state in OPEN_STATES})
    return steps


# --- the step plan of an application ----------------------------------------------------------------------


def content_values(content: dict) -> dict[str, str]:
    """The stored content as the text the form's inputs show."""
    values = {}
    for name in STEP_FIELDS[1] + STEP_FIELDS[2]:
        value = content.get(name)
        values[name] = "" if value is None else str(value)
    values["features"] = "\n".join(content.get("features") or [])
    values["keywords"] = "\n".join(content.get("keywords") or [])
    return values


def plan_rows(plans: list[dict]) -> list[dict]:
    rows = [
        {
            "name": p.get("name") or "",
            "billing": p.get("billing") or "",
            "unit": p.get("unit") or "",
            "unit_price": "" if p.get("unit_price") is None else str(p.get("unit_price")),
            "vat_included": bool(p.get("vat_included")),
            "min_term_months": "" if p.get("min_term_months") is None else str(p.get("min_term_months")),
        }
        for p in plans
    ]
    blank = {"name": "", "billing": "", "unit": "", "unit_price": "", "vat_included": False, "min_term_months": ""}
    while len(rows) < min(len(plans) + PLAN_ROWS_EXTRA, MAX_PLANS):
        rows.append(dict(blank))
    return rows


def posted_plan_rows(form: dict[str, str]) -> list[dict]:
    try:
        count = min(int(form.get("plan_rows") or 0), MAX_PLANS)
    except ValueError:
        count = 0
    rows = []
    for index in range(max(count, 0)):
        row = {name: (form.get(f"plan-{index}-{name}") or "").strip() for name in PLAN_FIELDS}
        row["vat_included"] = bool(form.get(f"plan-{index}-vat_included"))
        rows.append(row)
    return rows


def changes_from_form(step: int, form: dict[str, str]) -> tuple[dict, list[int]]:
    """What a step's form changes, and for price plans the form row of each plan sent."""
    if step in STEP_FIELDS:
        return {name: form.get(name, "") for name in STEP_FIELDS[step]}, []
    rows = posted_plan_rows(form)
    kept = [(i, r) for i, r in enumerate(rows) if r["name"] or r["unit_price"]]
    plans = [{**row, "vat_included": row["vat_included"]} for _, row in kept]
    return {"price_plans": plans}, [i for i, _ in kept]


def step_errors(errors: dict[str, str], step: int, rows: list[int]) -> dict[str, str]:
    """Errors placed next to this step's fields; a plan's errors next to the row it was typed in."""
    placed = {}
    for key, message in errors.items():
        parts = key.split(".")
        if step == 3 and parts[0] == "price_plans" and len(parts) >= 2 and parts[1].isdecimal():
            index = int(parts[1])
            row = rows[index] if index < len(rows) else index
            placed[".".join(["price_plans", str(row), *parts[2:]])] = message
        elif key.startswith("_") or step_of(key) == step or (step == 3 and key == "price_plans"):
            placed[key] = message
        else:
            other = step_of(key)
            prefix = f"{STEP_LABELS[other].render()}: " if other else ""
            placed[f"_{key}"] = prefix + message
    return placed


def _step_page(
    request: Request,
    actor: Actor,
    application_id: int | None,
    step: int,
    *,
    values: dict | None = None,
    rows: list[dict] | None = None,
    errors: dict | None = None,
    failed_kind: str | None = None,
    status: int = 200,
):
    with database(request).reading() as session:
        application = workflow.own_application(session, actor, application_id) if application_id else None
        if application is not None and application.state not in EDITABLE_STATES:
            return redirect(f"/supplier/applications/{application.id}")
        content = (application.content if application else None) or {}
        problems = workflow.submission_problems(session, application) if application else {}
        problem_steps = {step_of(k) for k in problems}
        kinds = required_documents(content.get("type"))
        documents = list(application.documents) if application else []
        context = {
            "application": application,
            "step": step,
            "steps": STEPS,
            "done_steps": {n for n, _ in STEPS if n != 5 and application and n not in problem_steps},
            "values": values if values is not None else content_values(content),
            "rows": rows if rows is not None else plan_rows(content.get("price_plans") or []),
            "errors": errors or {},
            "content": content,
            "type_options": [(str(k), v.render()) for k, v in TYPE_LABELS.items()],
            "category_groups": category_groups(session),
            "category_labels": category_labels(session),
            "deployment_options": [(str(k), v.render()) for k, v in DEPLOYMENT_LABELS.items()],
            "billing_options": [(str(k), v.render()) for k, v in BILLING_LABELS.items()],
            "csap_options": [(grade, grade) for grade in CSAP_GRADES],
            "common_units": COMMON_UNITS,
            "required_kinds": kinds,
            "optional_kinds": [k for k in DocumentKind if k not in kinds],
            "documents": documents,
            "failed_kind": failed_kind,
            "accepted_formats": ACCEPTED_LABEL,
            "max_mb": MAX_DOCUMENT_BYTES // (1024 * 1024),
            "problems": [
                {"key": k, "message": m.render(), "href": problem_link(application.id, k), "step": step_of(k)}
                for k, m in problems.items()
            ]
            if application
            else [],
            "supplement": supplement_items(application)
            if application and application.state == State.SUPPLEMENT_REQUESTED
            else [],
            "is_resubmission": bool(application and application.state == State.SUPPLEMENT_REQUESTED),
        }
        return show(request, "application_step.html", context, actor=actor, status=status)


# --- supplier: my applications -------------------------------------------------------------------------------


@router.get("/supplier/applications")
def supplier_applications(request: Request, actor: Actor = Depends(page_access(SUPPLIERS))):
    with database(request).reading() as session:
        applications = workflow.applications_of_supplier(session, actor)
        return show(request, "supplier_applications.html", {"applications": applications}, actor=actor)


@router.get("/supplier/applications/new")
def supplier_application_new(request: Request, actor: Actor = Depends(page_access(SUPPLIERS))):
    return _step_page(request, actor, None, 1)


@router.post("/supplier/applications/new")
def supplier_application_create(request: Request, form: Form, actor: Actor = Depends(page_access(SUPPLIERS))):
    changes, _ = changes_from_form(1, form)
    try:
        with database(request).transaction() as session:
            application_id = workflow.create_application(session, actor, changes).id
    except DomainError as error:
        errors = step_errors(form_errors(error), 1, [])
        return _step_page(request, actor, None, 1, values=form, errors=errors, status=error.status)
    target = 2 if form.get("go") == "next" else 1
    return redirect(f"/supplier/applications/{application_id}/steps/{target}", "application_created")


@router.get("/supplier/applications/{application_id}/steps/{step}")
def supplier_application_step(
    request: Request, application_id: Id, step: int, actor: Actor = Depends(page_access(SUPPLIERS))
):
    if step not in STEP_LABELS:
        raise NotFound()
    return _step_page(request, actor, application_id, step)


@router.post("/supplier/applications/{application_id}/steps/{step}")
def supplier_application_save(
    request: Request, application_id: Id, step: int, form: Form, actor: Actor = Depends(page_access(SUPPLIERS))
):
    if step not in (1, 2, 3):
        raise NotFound()
    changes, rows = changes_from_form(step, form)
    try:
        with database(request).transaction() as session:
            workflow.update_content(session, actor, application_id, version_of(form), changes)
    except DomainError as error:
        errors = step_errors(form_errors(error), step, rows)
        posted_rows = posted_plan_rows(form) if step == 3 else None
        return _step_page(
            request, actor, application_id, step, values=form, rows=posted_rows, errors=errors, status=error.status
        )
    target = step + 1 if form.get("go") == "next" else step
    return redirect(f"/supplier/applications/{application_id}/steps/{target}", "saved")


async def multipart_form(request: Request) -> FormData:
    """The posted multipart form, files included."""
    return await request.form()


MultipartForm = Annotated[FormData, Depends(multipart_form)]


@router.post("/supplier/applications/{application_id}/documents")
def supplier_document_upload(
    request: Request, application_id: Id, form: MultipartForm, actor: Actor = Depends(page_access(SUPPLIERS))
):
    kind = form.get("kind")
    kind = kind if isinstance(kind, str) else ""
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile):
            raise DocumentRejected(fields={"file": N_("Choose a file to attach.")})
        data = read_limited(upload.file, "file")
        with database(request).transaction() as session:
            workflow.own_application(session, actor, application_id)  # 404 before anything is stored
            stored = document_store(request).accept(data, upload.filename or "", "file")
            workflow.attach_document(session, actor, application_id, kind, stored)
    except DomainError as error:
        errors = form_errors(error)
        valid_kind = kind in set(DocumentKind)
        placed = {
            (f"file-{kind}" if key == "file" and valid_kind else key if key.startswith("_") else f"_{key}"): message
            for key, message in errors.items()
        }
        return _step_page(
            request,
            actor,
            application_id,
            4,
            errors=placed,
            failed_kind=kind if valid_kind else None,
            status=error.status,
        )
    return RedirectResponse(
        f"/supplier/applications/{application_id}/steps/4?notice=document_added#doc-{kind}", status_code=303
    )


@router.post("/supplier/applications/{application_id}/documents/{document_id}/remove")
def supplier_document_remove(
    request: Request, application_id: Id, document_id: Id, actor: Actor = Depends(page_access(SUPPLIERS))
):
    try:
        with database(request).transaction() as session:
            workflow.remove_document(session, actor, application_id, document_id)
    except DomainError as error:
        if error.status == 404:
            raise
        errors = summary_only(form_errors(error), set())
        return _step_page(request, actor, application_id, 4, errors=errors, status=error.status)
    return redirect(f"/supplier/applications/{application_id}/steps/4", "document_removed")


@router.post("/supplier/applications/{application_id}/submit")
def supplier_application_submit(
    request: Request, application_id: Id, form: Form, actor: Actor = Depends(page_access(SUPPLIERS))
):
    try:
        with database(request).transaction() as session:
            workflow.submit(session, actor, application_id, version_of(form))
    except DomainError as error:
        if error.status == 404:
            raise
        # The problems are listed on the page with links to their steps; the summary says why.
        return _step_page(
            request, actor, application_id, 5, errors={"_form": error.message.render()}, status=error.status
        )
    return redirect(f"/supplier/applications/{application_id}", "submitted")


def _detail_page(request: Request, actor: Actor, application_id: int, errors=None, values=None, status=200):
    with database(request).reading() as session:
        application = workflow.own_application(session, actor, application_id)
        state = State(application.state)
        context = {
            "application": application,
            "state": state,
            "history": steps_view(application, workflow.timeline(application)),
            "supplement": supplement_items(application) if state == State.SUPPLEMENT_REQUESTED else [],
            "can_edit": state in EDITABLE_STATES,
            "can_withdraw": Action.WITHDRAW in allowed_actions(state),
            "can_reapply": state == State.REJECTED,
            "service_code": service_code(application),
            "category_labels": category_labels(session),
            "errors": errors or {},
            "values": values or {},
        }
        return show(request, "application_detail.html", context, actor=actor, status=status)


@router.get("/supplier/applications/{application_id}")
def supplier_application(request: Request, application_id: Id, actor: Actor = Depends(page_access(SUPPLIERS))):
    return _detail_page(request, actor, application_id)


@router.post("/supplier/applications/{application_id}/withdraw")
def supplier_application_withdraw(
    request: Request, application_id: Id, form: Form, actor: Actor = Depends(page_access(SUPPLIERS))
):
    try:
        with database(request).transaction() as session:
            workflow.withdraw(session, actor, application_id, version_of(form), form.get("reason", "").strip())
    except DomainError as error:
        if error.status == 404:
            raise
        errors = summary_only(form_errors(error), {"reason"})
        return _detail_page(request, actor, application_id, errors, form, error.status)
    return redirect(f"/supplier/applications/{application_id}", "withdrawn")


@router.post("/supplier/applications/{application_id}/reapply")
def supplier_application_reapply(request: Request, application_id: Id, actor: Actor = Depends(page_access(SUPPLIERS))):
    try:
        with database(request).transaction() as session:
            new_id = workflow.reapply(session, actor, application_id).id
    except DomainError as error:
        if error.status == 404:
            raise
        return _detail_page(request, actor, application_id, summary_only(form_errors(error), set()), None, error.status)
    return redirect(f"/supplier/applications/{new_id}/steps/1", "reapplied")


# --- documents, for whoever may see the application -------------------------------------------------------------


@router.get("/applications/{application_id}/documents/{document_id}")
def application_document(
    request: Request,
    application_id: Id,
    document_id: Id,
    round_id: int | None = Query(None, alias="round", gt=0, lt=2**31),
    actor: Actor = Depends(page_access(SIGNED_IN)),
):
    with database(request).reading() as session:
        if actor.role == Role.REVIEWER:
            if round_id is None:
                raise NotFound()
            application = committee.reviewable_application(session, actor, round_id, application_id)
            document = next((d for d in application.documents if d.id == document_id), None)
            if document is None:
                raise NotFound()
        else:
            document = workflow.document_for(session, actor, application_id, document_id)
        sha256, filename, media_type = document.sha256, document.filename, document.media_type
    path = document_store(request).path_of(sha256)
    if not path.is_file():
        raise NotFound()
    return FileResponse(
        path,
        media_type=media_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename, safe='')}",
            "X-Content-Type-Options": "nosniff",
        },
    )
