"""HTML routes of the help desk for operators: the inquiry queue and answers, the FAQ and notices
(write, edit, publish, unpublish, order, attach files). Forms post and redirect.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from starlette.datastructures import UploadFile

from ..accounts.access import database, page_access
from ..accounts.permissions import OPERATORS, Actor
from ..core.errors import DomainError
from ..core.files import ACCEPTED_LABEL, DocumentRejected, DocumentStore, read_limited
from ..core.forms import Form, MultipartForm, form_errors, redirect, summary_only, version_of
from ..core.i18n import N_
from ..core.paths import Id
from ..core.templating import csrf_protect
from . import content, inquiries, rules
from .pages import inquiry_page, show
from .rules import INQUIRY_STATE_LABELS

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
DESK = page_access(OPERATORS)


# --- inquiries ----------------------------------------------------------------------------------------------


@router.get("/operator/inquiries")
def queue(request: Request, state: str = Query("", max_length=12), actor: Actor = Depends(DESK)):
    state = state if state in INQUIRY_STATE_LABELS else ""
    with database(request).reading() as session:
        rows = inquiries.queue(session, state or None)
        return show(request, "helpdesk_queue.html", {"rows": rows, "state": state}, actor=actor)


@router.get("/operator/inquiries/{inquiry_id}")
def desk_inquiry(request: Request, inquiry_id: Id, actor: Actor = Depends(DESK)):
    return inquiry_page(request, actor, inquiry_id, desk=True)


@router.post("/operator/inquiries/{inquiry_id}/answer")
def answer(request: Request, inquiry_id: Id, form: Form, actor: Actor = Depends(DESK)):
    try:
        with database(request).transaction() as session:
            inquiries.answer(session, actor, inquiry_id, version_of(form), form.get("body", ""))
    except DomainError as error:
        if error.status == 404:
            raise
        errors = summary_only(form_errors(error), {"body"})
        return inquiry_page(request, actor, inquiry_id, desk=True, errors=errors, values=form, status=error.status)
    return redirect(f"/operator/inquiries/{inquiry_id}", "answered")


@router.post("/operator/inquiries/{inquiry_id}/close")
def close(request: Request, inquiry_id: Id, form: Form, actor: Actor = Depends(DESK)):
    try:
        with database(request).transaction() as session:
            inquiries.close(session, actor, inquiry_id, version_of(form))
    except DomainError as error:
        if error.status == 404:
            raise
        errors = summary_only(form_errors(error), set())
        return inquiry_page(request, actor, inquiry_id, desk=True, errors=errors, status=error.status)
    return redirect(f"/operator/inquiries/{inquiry_id}", "inquiry_closed")


# --- FAQ ---------------------------------------------------------------------------------------------------


def _faq_list(request, actor, errors=None, status=200):
    with database(request).reading() as session:
        rows = content.all_faq(session)
        context = {"rows": rows, "errors": errors or {}}
        return show(request, "helpdesk_faq_admin.html", context, actor=actor, status=status)


@router.get("/operator/faq")
def faq_list(request: Request, actor: Actor = Depends(DESK)):
    return _faq_list(request, actor)


def _faq_form(request, actor, entry_id=None, values=None, errors=None, status=200):
    with database(request).reading() as session:
        entry = content.faq_entry(session, actor, entry_id) if entry_id else None
        if values is None:
            values = (
                {
                    "category": entry.category,
                    "question": entry.question,
                    "answer": entry.answer,
                    "version": entry.version,
                }
                if entry
                else {}
            )
        context = {"entry": entry, "values": values, "errors": errors or {}}
        return show(request, "helpdesk_faq_form.html", context, actor=actor, status=status)


@router.get("/operator/faq/new")
def faq_new(request: Request, actor: Actor = Depends(DESK)):
    return _faq_form(request, actor)


FAQ_FIELDS = {"category", "question", "answer"}


@router.post("/operator/faq/new")
def faq_create(request: Request, form: Form, actor: Actor = Depends(DESK)):
    try:
        with database(request).transaction() as session:
            content.create_faq(
                session, actor, form.get("category", ""), form.get("question", ""), form.get("answer", "")
            )
    except DomainError as error:
        return _faq_form(request, actor, None, form, summary_only(form_errors(error), FAQ_FIELDS), error.status)
    return redirect("/operator/faq", "faq_saved")


@router.get("/operator/faq/{faq_id}/edit")
def faq_edit(request: Request, faq_id: Id, actor: Actor = Depends(DESK)):
    return _faq_form(request, actor, faq_id)


@router.post("/operator/faq/{faq_id}/edit")
def faq_update(request: Request, faq_id: Id, form: Form, actor: Actor = Depends(DESK)):
    try:
        with database(request).transaction() as session:
            content.edit_faq(
                session,
                actor,
                faq_id,
                version_of(form),
                form.get("category", ""),
                form.get("question", ""),
                form.get("answer", ""),
            )
    except DomainError as error:
        if error.status == 404:
            raise
        return _faq_form(request, actor, faq_id, form, summary_only(form_errors(error), FAQ_FIELDS), error.status)
    return redirect("/operator/faq", "faq_saved")


def _faq_step(request, actor, faq_id, form, step, notice):
    try:
        with database(request).transaction() as session:
            step(session, actor, faq_id, version_of(form))
    except DomainError as error:
        if error.status == 404:
            raise
        return _faq_list(request, actor, summary_only(form_errors(error), set()), error.status)
    return redirect(f"/operator/faq#faq-{faq_id}", notice)


@router.post("/operator/faq/{faq_id}/publish")
def faq_publish(request: Request, faq_id: Id, form: Form, actor: Actor = Depends(DESK)):
    return _faq_step(request, actor, faq_id, form, content.publish_faq, "faq_published")


@router.post("/operator/faq/{faq_id}/unpublish")
def faq_unpublish(request: Request, faq_id: Id, form: Form, actor: Actor = Depends(DESK)):
    return _faq_step(request, actor, faq_id, form, content.unpublish_faq, "faq_unpublished")


@router.post("/operator/faq/{faq_id}/move")
def faq_move(request: Request, faq_id: Id, form: Form, actor: Actor = Depends(DESK)):
    direction = form.get("direction", "")

    def step(session, actor_, entry_id, version):
        return content.move_faq(session, actor_, entry_id, version, direction)

    return _faq_step(request, actor, faq_id, form, step, "faq_moved")


# --- notices ------------------------------------------------------------------------------------------------


@router.get("/operator/notices")
def notice_list(request: Request, actor: Actor = Depends(DESK)):
    with database(request).reading() as session:
        return show(request, "helpdesk_notice_admin.html", {"rows": content.all_notices(session)}, actor=actor)


def _notice_form(request, actor, notice_id=None, values=None, errors=None, status=200):
    with database(request).reading() as session:
        notice = content.desk_notice(session, actor, notice_id) if notice_id else None
        if values is None:
            values = (
                {
                    "title": notice.title,
                    "body": notice.body,
                    "pinned": "1" if notice.pinned else "",
                    "version": notice.version,
                }
                if notice
                else {}
            )
        context = {
            "n": notice,
            "values": values,
            "errors": errors or {},
            "accepted_formats": ACCEPTED_LABEL,
            "max_mb": rules.MAX_ATTACHMENT_BYTES // (1024 * 1024),
        }
        return show(request, "helpdesk_notice_form.html", context, actor=actor, status=status)


NOTICE_FIELDS = {"title", "body"}


@router.get("/operator/notices/new")
def notice_new(request: Request, actor: Actor = Depends(DESK)):
    return _notice_form(request, actor)


@router.post("/operator/notices/new")
def notice_create(request: Request, form: Form, actor: Actor = Depends(DESK)):
    try:
        with database(request).transaction() as session:
            notice_id = content.create_notice(
                session, actor, form.get("title", ""), form.get("body", ""), bool(form.get("pinned"))
            ).id
    except DomainError as error:
        return _notice_form(request, actor, None, form, summary_only(form_errors(error), NOTICE_FIELDS), error.status)
    return redirect(f"/operator/notices/{notice_id}", "notice_saved")


@router.get("/operator/notices/{notice_id}")
def notice_edit(request: Request, notice_id: Id, actor: Actor = Depends(DESK)):
    return _notice_form(request, actor, notice_id)


@router.post("/operator/notices/{notice_id}")
def notice_update(request: Request, notice_id: Id, form: Form, actor: Actor = Depends(DESK)):
    try:
        with database(request).transaction() as session:
            content.edit_notice(
                session,
                actor,
                notice_id,
                version_of(form),
                form.get("title", ""),
                form.get("body", ""),
                bool(form.get("pinned")),
            )
    except DomainError as error:
        if error.status == 404:
            raise
        return _notice_form(
            request, actor, notice_id, form, summary_only(form_errors(error), NOTICE_FIELDS), error.status
        )
    return redirect(f"/operator/notices/{notice_id}", "notice_saved")


def _notice_step(request, actor, notice_id, form, step, notice):
    try:
        with database(request).transaction() as session:
            step(session, actor, notice_id, version_of(form))
    except DomainError as error:
        if error.status == 404:
            raise
        return _notice_form(request, actor, notice_id, None, summary_only(form_errors(error), set()), error.status)
    return redirect(f"/operator/notices/{notice_id}", notice)


@router.post("/operator/notices/{notice_id}/publish")
def notice_publish(request: Request, notice_id: Id, form: Form, actor: Actor = Depends(DESK)):
    return _notice_step(request, actor, notice_id, form, content.publish_notice, "notice_published")


@router.post("/operator/notices/{notice_id}/unpublish")
def notice_unpublish(request: Request, notice_id: Id, form: Form, actor: Actor = Depends(DESK)):
    return _notice_step(request, actor, notice_id, form, content.unpublish_notice, "notice_unpublished")


@router.post("/operator/notices/{notice_id}/attachments")
def attachment_upload(request: Request, notice_id: Id, form: MultipartForm, actor: Actor = Depends(DESK)):
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise DocumentRejected(fields={"file": N_("Choose a file to attach.")})
        data = read_limited(upload.file, "file", rules.MAX_ATTACHMENT_BYTES)
        with database(request).transaction() as session:
            content.desk_notice(session, actor, notice_id)  # 404 before anything is stored
            stored = DocumentStore.of_request(request).accept(data, upload.filename or "", "file")
            content.attach(session, actor, notice_id, stored)
    except DomainError as error:
        if error.status == 404:
            raise
        return _notice_form(request, actor, notice_id, None, summary_only(form_errors(error), {"file"}), error.status)
    return redirect(f"/operator/notices/{notice_id}", "attachment_added")


@router.post("/operator/notices/{notice_id}/attachments/{attachment_id}/remove")
def attachment_remove(request: Request, notice_id: Id, attachment_id: Id, actor: Actor = Depends(DESK)):
    with database(request).transaction() as session:
        content.remove_attachment(session, actor, notice_id, attachment_id)
    return redirect(f"/operator/notices/{notice_id}", "attachment_removed")
