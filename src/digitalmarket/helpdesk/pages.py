"""HTML routes of the help desk for everyone: the FAQ (/help), notices (/notices) and a signed-in user's
own inquiries (/help/inquiries). The operator's pages are in `desk_pages`. Forms post and redirect.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from ..accounts.access import database, page_access
from ..accounts.permissions import PUBLIC, SIGNED_IN, Actor
from ..core.errors import DomainError
from ..core.files import DocumentStore, attachment
from ..core.formatting import file_size, kst_date, kst_datetime
from ..core.forms import Form, form_errors, options, redirect, summary_only, version_of
from ..core.i18n import N_, Text
from ..core.paths import Id
from ..core.templating import csrf_protect, render
from . import content, inquiries, rules
from .rules import CATEGORY_LABELS, INQUIRY_STATE_LABELS, PUBLISH_STATE_LABELS

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])

NOTICES: dict[str, tuple[str, Text]] = {
    "asked": ("success", N_("Your inquiry is sent. The help desk answers on weekdays; you will be notified.")),
    "followed_up": ("success", N_("Your message is sent; the inquiry is open again.")),
    "answered": ("success", N_("The answer is sent; the user is notified.")),
    "inquiry_closed": ("info", N_("The inquiry is closed. Writing again reopens it.")),
    "faq_saved": ("success", N_("The FAQ entry is saved.")),
    "faq_published": ("success", N_("The FAQ entry is published.")),
    "faq_unpublished": ("info", N_("The FAQ entry is unpublished.")),
    "faq_moved": ("success", N_("The FAQ order is changed.")),
    "notice_saved": ("success", N_("The notice is saved.")),
    "notice_published": ("success", N_("The notice is published.")),
    "notice_unpublished": ("info", N_("The notice is unpublished.")),
    "attachment_added": ("success", N_("The file is attached.")),
    "attachment_removed": ("info", N_("The file is removed.")),
}
BADGES = {
    "open": "warning",
    "answered": "success",
    "closed": "gray",
    "draft": "gray",
    "published": "success",
    "unpublished": "warning",
}


def show(request: Request, template: str, context: dict, *, actor: Actor | None, status: int = 200):
    ctx = {
        "category_labels": CATEGORY_LABELS,
        "category_options": options(CATEGORY_LABELS),
        "inquiry_state_labels": INQUIRY_STATE_LABELS,
        "publish_state_labels": PUBLISH_STATE_LABELS,
        "badges": BADGES,
        "kst_date": kst_date,
        "file_size": file_size,
        "kst_datetime": kst_datetime,
        **context,
    }
    return render(request, template, ctx, actor=actor, status_code=status, notices=NOTICES)


# --- FAQ and notices, for everyone ---------------------------------------------------------------------------


@router.get("/help")
def help_page(request: Request, q: str = Query("", max_length=100), actor: Actor | None = Depends(page_access(PUBLIC))):
    with database(request).reading() as session:
        groups = content.published_faq(session, q)
        latest = content.public_notices(session, limit=3)
        context = {"groups": groups, "q": q, "latest": latest, "count": sum(len(g.entries) for g in groups)}
        return show(request, "helpdesk_help.html", context, actor=actor)


@router.get("/notices")
def notice_list(request: Request, actor: Actor | None = Depends(page_access(PUBLIC))):
    with database(request).reading() as session:
        return show(request, "helpdesk_notices.html", {"rows": content.public_notices(session)}, actor=actor)


@router.get("/notices/{notice_id}")
def notice_page(request: Request, notice_id: Id, actor: Actor | None = Depends(page_access(PUBLIC))):
    with database(request).reading() as session:
        notice = content.visible_notice(session, actor, notice_id)
        return show(request, "helpdesk_notice.html", {"n": notice}, actor=actor)


@router.get("/notices/{notice_id}/attachments/{attachment_id}")
def notice_attachment(
    request: Request, notice_id: Id, attachment_id: Id, actor: Actor | None = Depends(page_access(PUBLIC))
):
    with database(request).reading() as session:
        found = content.attachment_for(session, actor, notice_id, attachment_id)
        path, filename, media_type = (
            DocumentStore.of_request(request).path_of(found.sha256),
            found.filename,
            found.media_type,
        )
    return attachment(path, filename, media_type)


# --- my inquiries -------------------------------------------------------------------------------------------


@router.get("/help/inquiries")
def my_inquiries(request: Request, actor: Actor = Depends(page_access(SIGNED_IN))):
    with database(request).reading() as session:
        return show(request, "helpdesk_inquiries.html", {"rows": inquiries.inquiries_of(session, actor)}, actor=actor)


def _new_page(request, actor, values=None, errors=None, status=200):
    context = {"values": values or {}, "errors": errors or {}, "max_body": rules.MAX_BODY}
    return show(request, "helpdesk_inquiry_new.html", context, actor=actor, status=status)


@router.get("/help/inquiries/new")
def inquiry_new(
    request: Request, category: str = Query("", max_length=20), actor: Actor = Depends(page_access(SIGNED_IN))
):
    return _new_page(request, actor, {"category": category if category in CATEGORY_LABELS else ""})


@router.post("/help/inquiries/new")
def inquiry_create(request: Request, form: Form, actor: Actor = Depends(page_access(SIGNED_IN))):
    try:
        with database(request).transaction() as session:
            inquiry_id = inquiries.ask(
                session, actor, form.get("subject", ""), form.get("category", ""), form.get("body", "")
            ).id
    except DomainError as error:
        return _new_page(
            request, actor, form, summary_only(form_errors(error), {"subject", "category", "body"}), error.status
        )
    return redirect(f"/help/inquiries/{inquiry_id}", "asked")


def inquiry_page(request, actor, inquiry_id, *, desk: bool, errors=None, values=None, status=200):
    """The thread of an inquiry: for its user (``desk`` False) or for an operator."""
    with database(request).reading() as session:
        if desk:
            inquiry = inquiries.desk_inquiry(session, actor, inquiry_id)
        else:
            inquiry = inquiries.own_inquiry(session, actor, inquiry_id)
        context = {
            "inquiry": inquiry,
            "desk": desk,
            "allowed": rules.allowed("inquiry", inquiry.status),
            "errors": errors or {},
            "values": values or {},
            "max_body": rules.MAX_BODY,
        }
        return show(request, "helpdesk_inquiry.html", context, actor=actor, status=status)


@router.get("/help/inquiries/{inquiry_id}")
def inquiry_detail(request: Request, inquiry_id: Id, actor: Actor = Depends(page_access(SIGNED_IN))):
    return inquiry_page(request, actor, inquiry_id, desk=False)


@router.post("/help/inquiries/{inquiry_id}/follow-up")
def inquiry_follow_up(request: Request, inquiry_id: Id, form: Form, actor: Actor = Depends(page_access(SIGNED_IN))):
    try:
        with database(request).transaction() as session:
            inquiries.follow_up(session, actor, inquiry_id, version_of(form), form.get("body", ""))
    except DomainError as error:
        if error.status == 404:
            raise
        errors = summary_only(form_errors(error), {"body"})
        return inquiry_page(request, actor, inquiry_id, desk=False, errors=errors, values=form, status=error.status)
    return redirect(f"/help/inquiries/{inquiry_id}", "followed_up")


@router.post("/help/inquiries/{inquiry_id}/close")
def inquiry_close(request: Request, inquiry_id: Id, form: Form, actor: Actor = Depends(page_access(SIGNED_IN))):
    try:
        with database(request).transaction() as session:
            inquiries.own_inquiry(session, actor, inquiry_id)
            inquiries.close(session, actor, inquiry_id, version_of(form))
    except DomainError as error:
        if error.status == 404:
            raise
        errors = summary_only(form_errors(error), set())
        return inquiry_page(request, actor, inquiry_id, desk=False, errors=errors, status=error.status)
    return redirect(f"/help/inquiries/{inquiry_id}", "inquiry_closed")
