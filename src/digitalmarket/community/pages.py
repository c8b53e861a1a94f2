"""HTML routes of demand notices: the public list and notice, the agency's own notices (post, edit,
close, who is interested) and the supplier's matching notices and notes. Forms post and redirect.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from ..accounts.access import database, page_access
from ..accounts.permissions import AGENCY_BUYERS, PUBLIC, SUPPLIERS, Actor
from ..accounts.rules import SIZE_LABELS, Role
from ..catalog import queries as catalog
from ..catalog.rules import TYPE_LABELS
from ..core import i18n
from ..core.clock import today_kst
from ..core.errors import DomainError
from ..core.formatting import kst_date, won
from ..core.forms import Form, form_errors, number, object_id, redirect, summary_only
from ..core.i18n import N_, Text
from ..core.paths import Id
from ..core.templating import csrf_protect, render
from . import notice_interests, notice_posting, notice_queries, rules
from .rules import INTEREST_STATE_LABELS, NOTICE_STATE_LABELS

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])

NOTICES: dict[str, tuple[str, Text]] = {
    "posted": ("success", N_("The demand notice is posted. Suppliers with services in the category are notified.")),
    "edited": ("success", N_("The demand notice is changed; the interested suppliers are notified.")),
    "closed": ("info", N_("The demand notice is closed.")),
    "interested": ("success", N_("Your interest is sent to the agency.")),
    "note_saved": ("success", N_("Your note is saved.")),
    "withdrawn": ("info", N_("Your interest is withdrawn.")),
}
BADGES = {"open": "success", "closed": "gray", "active": "primary", "withdrawn": "gray"}
FIELDS = {"title", "description", "category_id", "budget_min", "budget_max", "expected_month"}


def show(request: Request, template: str, context: dict, *, actor: Actor | None, status: int = 200):
    ctx = {
        "notice_state_labels": NOTICE_STATE_LABELS,
        "interest_state_labels": INTEREST_STATE_LABELS,
        "size_labels": SIZE_LABELS,
        "badges": BADGES,
        "kst_date": kst_date,
        "won": won,
        "locale": i18n.current_locale.get(),
        "max_note": rules.MAX_NOTE,
        **context,
    }
    return render(request, template, ctx, actor=actor, status_code=status, notices=NOTICES)


def category_groups(session) -> list[tuple[Text, list[tuple[str, str]]]]:
    locale = i18n.current_locale.get()
    groups: dict[str, list[tuple[str, str]]] = {}
    for category in catalog.categories(session):
        groups.setdefault(category.type, []).append((str(category.id), category.label(locale)))
    return [(TYPE_LABELS[t], groups[t]) for t in TYPE_LABELS if t in groups]


def data_from(form: dict[str, str]) -> notice_posting.NoticeIn:
    return notice_posting.NoticeIn(
        title=form.get("title", ""),
        description=form.get("description", ""),
        category_id=object_id(form.get("category_id")),
        budget_min=number(form.get("budget_min")),
        budget_max=number(form.get("budget_max")),
        expected_month=form.get("expected_month", ""),
    )


# --- public -----------------------------------------------------------------------------------------------------


@router.get("/demand-notices")
def notice_list(
    request: Request,
    category: str = Query("", max_length=12),
    state: str = Query("open", max_length=8),
    page: int = Query(1, ge=1, le=10_000),
    actor: Actor | None = Depends(page_access(PUBLIC)),
):
    category_id = number(category)
    category_id = category_id if category_id and category_id > 0 else None
    state = state if state in ("open", "closed", "all") else "open"
    with database(request).reading() as session:
        rows, total = notice_queries.public_notices(
            session, category_id=category_id, status=None if state == "all" else state, page=page
        )
        context = {
            "rows": rows,
            "total": total,
            "page": page,
            "pages": max(1, -(-total // notice_queries.PAGE_SIZE)),
            "category": str(category_id or ""),
            "state": state,
            "category_groups": category_groups(session),
            "can_post": actor is not None and actor.role == Role.AGENCY_BUYER,
        }
        return show(request, "community_list.html", context, actor=actor)


def _notice_page(request, actor, demand_notice_id, errors=None, values=None, status=200):
    with database(request).reading() as session:
        notice = notice_queries.public_notice(session, demand_notice_id)
        owner = notice_queries.is_owner(actor, notice)
        interest = notice_queries.interest_of(session, actor, notice)
        context = {
            "n": notice,
            "owner": owner,
            "interested": notice_queries.interested_suppliers(session, actor, demand_notice_id) if owner else [],
            "interest": interest,
            "is_supplier": actor is not None and actor.role == Role.SUPPLIER,
            "errors": errors or {},
            "values": values or {},
        }
        return show(request, "community_notice.html", context, actor=actor, status=status)


@router.get("/demand-notices/{demand_notice_id}")
def notice_detail(request: Request, demand_notice_id: Id, actor: Actor | None = Depends(page_access(PUBLIC))):
    return _notice_page(request, actor, demand_notice_id)


# --- the supplier -----------------------------------------------------------------------------------------------


@router.post("/demand-notices/{demand_notice_id}/interest")
def interest_save(request: Request, demand_notice_id: Id, form: Form, actor: Actor = Depends(page_access(SUPPLIERS))):
    version = number(form.get("version"))
    note = form.get("note", "")
    try:
        with database(request).transaction() as session:
            if version is None:
                notice_interests.express_interest(session, actor, demand_notice_id, note)
            else:
                notice_interests.edit_interest(session, actor, demand_notice_id, version, note)
    except DomainError as error:
        if error.status == 404:
            raise
        return _notice_page(
            request, actor, demand_notice_id, summary_only(form_errors(error), {"note"}), form, error.status
        )
    return redirect(f"/demand-notices/{demand_notice_id}", "interested" if version is None else "note_saved")


@router.post("/demand-notices/{demand_notice_id}/interest/withdraw")
def interest_withdraw(
    request: Request, demand_notice_id: Id, form: Form, actor: Actor = Depends(page_access(SUPPLIERS))
):
    try:
        with database(request).transaction() as session:
            notice_interests.withdraw_interest(session, actor, demand_notice_id, number(form.get("version")) or 0)
    except DomainError as error:
        if error.status == 404:
            raise
        return _notice_page(
            request, actor, demand_notice_id, summary_only(form_errors(error), set()), None, error.status
        )
    return redirect(f"/demand-notices/{demand_notice_id}", "withdrawn")


@router.get("/supplier/demand-notices")
def supplier_notices(request: Request, actor: Actor = Depends(page_access(SUPPLIERS))):
    with database(request).reading() as session:
        context = {
            "matching": notice_queries.notices_matching_supplier(session, actor.organisation_id, limit=50),
            "mine": notice_queries.interests_of_supplier(session, actor),
        }
        return show(request, "community_supplier.html", context, actor=actor)


# --- the agency -------------------------------------------------------------------------------------------------


@router.get("/agency/demand-notices")
def agency_notices(request: Request, actor: Actor = Depends(page_access(AGENCY_BUYERS))):
    with database(request).reading() as session:
        rows = notice_queries.notices_of_agency(session, actor)
        context = {"rows": rows, "counts": {n.id: notice_queries.active_interest_count(n) for n in rows}}
        return show(request, "community_agency_list.html", context, actor=actor)


def _form_page(request, actor, demand_notice_id=None, values=None, errors=None, status=200):
    with database(request).reading() as session:
        notice = notice_queries.own_notice(session, actor, demand_notice_id) if demand_notice_id else None
        if values is None:
            values = (
                {
                    "title": notice.title,
                    "description": notice.description,
                    "category_id": str(notice.category_id),
                    "budget_min": str(notice.budget_min),
                    "budget_max": str(notice.budget_max),
                    "expected_month": notice.expected_month,
                    "version": str(notice.version),
                }
                if notice
                else {}
            )
        context = {
            "n": notice,
            "values": values,
            "errors": errors or {},
            "category_groups": category_groups(session),
            "this_month": today_kst().strftime("%Y-%m"),
        }
        return show(request, "community_form.html", context, actor=actor, status=status)


@router.get("/agency/demand-notices/new")
def agency_notice_new(request: Request, actor: Actor = Depends(page_access(AGENCY_BUYERS))):
    return _form_page(request, actor)


@router.post("/agency/demand-notices/new")
def agency_notice_create(request: Request, form: Form, actor: Actor = Depends(page_access(AGENCY_BUYERS))):
    try:
        with database(request).transaction() as session:
            demand_notice_id = notice_posting.post_notice(session, actor, data_from(form)).id
    except DomainError as error:
        return _form_page(request, actor, None, form, summary_only(form_errors(error), FIELDS), error.status)
    return redirect(f"/demand-notices/{demand_notice_id}", "posted")


@router.get("/agency/demand-notices/{demand_notice_id}/edit")
def agency_notice_edit(request: Request, demand_notice_id: Id, actor: Actor = Depends(page_access(AGENCY_BUYERS))):
    return _form_page(request, actor, demand_notice_id)


@router.post("/agency/demand-notices/{demand_notice_id}/edit")
def agency_notice_update(
    request: Request, demand_notice_id: Id, form: Form, actor: Actor = Depends(page_access(AGENCY_BUYERS))
):
    try:
        with database(request).transaction() as session:
            notice_posting.edit_notice(
                session, actor, demand_notice_id, number(form.get("version")) or 0, data_from(form)
            )
    except DomainError as error:
        if error.status == 404:
            raise
        return _form_page(
            request, actor, demand_notice_id, form, summary_only(form_errors(error), FIELDS), error.status
        )
    return redirect(f"/demand-notices/{demand_notice_id}", "edited")


@router.post("/agency/demand-notices/{demand_notice_id}/close")
def agency_notice_close(
    request: Request, demand_notice_id: Id, form: Form, actor: Actor = Depends(page_access(AGENCY_BUYERS))
):
    try:
        with database(request).transaction() as session:
            notice_posting.close_notice(
                session, actor, demand_notice_id, number(form.get("version")) or 0, form.get("reason", "")
            )
    except DomainError as error:
        if error.status == 404:
            raise
        errors = {("close_reason" if k == "reason" else k): m for k, m in form_errors(error).items()}
        values = {"close_reason": form.get("reason", "")}
        return _notice_page(
            request, actor, demand_notice_id, summary_only(errors, {"close_reason"}), values, error.status
        )
    return redirect(f"/demand-notices/{demand_notice_id}", "closed")
