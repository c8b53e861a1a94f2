"""HTML routes of the selection stage for suppliers: an application step by step, its detail, documents.

What every selection page shares (labels, notices, formatting, turning forms into content) is in `views`.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import UploadFile

from ..accounts.access import database, page_access
from ..accounts.permissions import SIGNED_IN, SUPPLIERS, Actor
from ..catalog.rules import (
    BILLING_LABELS,
    COMMON_UNITS,
    CSAP_GRADE_LABELS,
    CSAP_GRADES,
    DEPLOYMENT_LABELS,
    TYPE_LABELS,
)
from ..core.errors import DomainError, NotFound
from ..core.files import (
    ACCEPTED_LABEL,
    MAX_DOCUMENT_BYTES,
    DocumentRejected,
    DocumentStore,
    attachment,
    read_limited,
)
from ..core.forms import Form, MultipartForm, form_errors, redirect, summary_only, version_of
from ..core.i18n import N_
from ..core.paths import LARGEST_ID, Id
from ..core.templating import csrf_protect
from . import access, committee_votes, confirm_pages, history, months, workflow
from .rules import (
    EDITABLE_STATES,
    WAITING_FOR_COMMITTEE,
    Action,
    DocumentKind,
    State,
    allowed_actions,
    required_documents,
)
from .supplement import saved_reply
from .views import (
    STEP_LABELS,
    STEPS,
    category_groups,
    category_labels,
    changes_from_form,
    content_values,
    plan_rows,
    posted_plan_rows,
    problem_link,
    service_code,
    show,
    step_errors,
    step_of,
    steps_view,
    supplement_items,
)

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


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
        application = access.own_application(session, actor, application_id) if application_id else None
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
            "csap_options": [(grade, CSAP_GRADE_LABELS[grade].render()) for grade in CSAP_GRADES],
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
            "saved_reply": saved_reply(session, application),
        }
        return show(request, "application_step.html", context, actor=actor, status=status)


# --- supplier: my applications -------------------------------------------------------------------------------


@router.get("/supplier/applications")
def supplier_applications(request: Request, actor: Actor = Depends(page_access(SUPPLIERS))):
    with database(request).reading() as session:
        applications = access.applications_of_supplier(session, actor)
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
            access.own_application(session, actor, application_id)  # 404 before anything is stored
            stored = DocumentStore.of_request(request).accept(data, upload.filename or "", "file")
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
    reply = form.get("reply")  # only in the resubmission's form
    try:
        with database(request).transaction() as session:
            workflow.submit(session, actor, application_id, version_of(form), reply)
    except DomainError as error:
        if error.status == 404:
            raise
        # The problems are listed on the page with links to their steps; the summary says why.
        errors = {"_form": error.message.render(), **{k: v for k, v in form_errors(error).items() if k == "reply"}}
        values = {"reply": reply} if reply is not None else None
        return _step_page(request, actor, application_id, 5, values=values, errors=errors, status=error.status)
    return redirect(f"/supplier/applications/{application_id}", "submitted")


def _detail_page(request: Request, actor: Actor, application_id: int, errors=None, values=None, status=200):
    with database(request).reading() as session:
        application = access.own_application(session, actor, application_id)
        state = State(application.state)
        assigned = months.assigned_round(session, application)
        context = {
            "application": application,
            "state": state,
            "assigned_round": assigned,
            "stuck": bool(assigned and assigned.is_closed and state in WAITING_FOR_COMMITTEE),
            "decision": history.committee_decision(application),
            "history": steps_view(application, history.timeline(application)),
            "supplement": supplement_items(application) if state == State.SUPPLEMENT_REQUESTED else [],
            "saved_reply": saved_reply(session, application),
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
        build, status = confirm_pages.application_withdraw, error.status
        shown = confirm_pages.again(request, actor, build, application_id, errors=errors, values=form, status=status)
        return shown or _detail_page(request, actor, application_id, errors, form, error.status)
    return redirect(f"/supplier/applications/{application_id}", "withdrawn")


@router.post("/supplier/applications/{application_id}/reply")
def supplier_supplement_reply(
    request: Request, application_id: Id, form: Form, actor: Actor = Depends(page_access(SUPPLIERS))
):
    """Save the reply to the supplement request; it goes to the operator with the resubmission."""
    try:
        with database(request).transaction() as session:
            workflow.reply_to_supplement(session, actor, application_id, version_of(form), form.get("reply", ""))
    except DomainError as error:
        if error.status == 404:
            raise
        errors = summary_only(form_errors(error), {"reply"})
        return _detail_page(request, actor, application_id, errors, form, error.status)
    return redirect(f"/supplier/applications/{application_id}", "reply_saved")


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
    round_id: int | None = Query(None, alias="round", gt=0, le=LARGEST_ID),
    actor: Actor = Depends(page_access(SIGNED_IN)),
):
    with database(request).reading() as session:
        document = committee_votes.document_for(session, actor, application_id, document_id, round_id)
        path, filename, media_type = (
            DocumentStore.of_request(request).path_of(document.sha256),
            document.filename,
            document.media_type,
        )
    return attachment(path, filename, media_type)
