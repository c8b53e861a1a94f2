"""HTML routes of accounts for staff: organisations, sanctions (PPS) and administration (admin)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query, Request

from ..core.errors import DomainError, NotFound
from ..core.forms import Form, form_errors, object_id, options, redirect
from ..core.i18n import N_
from ..core.paths import Id
from ..core.templating import csrf_protect, render
from . import colleagues, registration, sanctions, todo, user_accounts
from .access import database, page_access
from .permissions import (
    ADMINS,
    CONTRACTING_OFFICERS,
    STAFF,
    Actor,
)
from .rules import (
    AGENCY_KIND_LABELS,
    ORGANISATION_KIND_LABELS,
    ROLE_LABELS,
    OrganisationKind,
    Role,
    format_business_number,
)
from .tables import Organisation

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


# --- organisations (staff) -----------------------------------------------------------------------------------


def _organisations_page(request: Request, actor: Actor, kind: str = "", errors=None, values=None, status=200):
    with database(request).reading() as session:
        orgs = registration.list_organisations(session, kind or None)
        return render(
            request,
            "organisations.html",
            {
                "organisations": orgs,
                "kind": kind,
                "kinds": [k.value for k in OrganisationKind],
                "agency_kind_options": options(AGENCY_KIND_LABELS),
                "errors": errors or {},
                "values": values or {},
                "can_register_agency": ADMINS.allows(actor),
                "format_business_number": format_business_number,
            },
            actor=actor,
            status_code=status,
        )


@router.get("/organisations")
def organisations(request: Request, kind: str = "", actor: Actor = Depends(page_access(STAFF))):
    return _organisations_page(request, actor, kind if kind in set(OrganisationKind) else "")


@router.post("/organisations/agencies")
def organisations_add_agency(request: Request, form: Form, actor: Actor = Depends(page_access(ADMINS))):
    fields = {name: form.get(name, "") for name in registration.NewAgency.__dataclass_fields__}
    try:
        with database(request).transaction() as session:
            registration.create_agency(session, actor, registration.NewAgency(**fields))
    except DomainError as error:
        return _organisations_page(request, actor, errors=form_errors(error), values=form, status=error.status)
    return redirect("/organisations", "agency_created")


def _organisation_page(request: Request, actor: Actor, organisation_id: int, errors=None, status=200):
    with database(request).reading() as session:
        org = session.get(Organisation, organisation_id)
        if org is None:
            raise NotFound()
        return render(
            request,
            "organisation.html",
            {
                "organisation": org,
                "business_number": format_business_number(org.business_number or ""),
                "users": sorted(org.users, key=lambda u: u.name),
                "errors": errors or {},
                "can_sanction": org.kind == OrganisationKind.SUPPLIER and actor.role == Role.CONTRACTING_OFFICER,
                "sanction_active": sanctions.sanction_is_active(org),
                "role_labels": {str(k): v.render() for k, v in ROLE_LABELS.items()},
            },
            actor=actor,
            status_code=status,
        )


@router.get("/organisations/{organisation_id}")
def organisation(request: Request, organisation_id: Id, actor: Actor = Depends(page_access(STAFF))):
    return _organisation_page(request, actor, organisation_id)


def _date_or_none(value: str) -> date | None:
    return date.fromisoformat(value) if value.strip() else None


@router.post("/organisations/{organisation_id}/sanction")
def organisation_sanction(
    request: Request, organisation_id: Id, form: Form, actor: Actor = Depends(page_access(CONTRACTING_OFFICERS))
):
    try:
        start, end = _date_or_none(form.get("sanction_from", "")), _date_or_none(form.get("sanction_until", ""))
        version = int(form.get("version", "0") or 0)
    except ValueError:
        errors = {"sanction_from": N_("Enter a date like 2026-12-31.").render()}
        return _organisation_page(request, actor, organisation_id, errors, 422)
    try:
        with database(request).transaction() as session:
            sanctions.set_sanction(session, actor, organisation_id, start, end, form.get("reason", ""), version)
    except DomainError as error:
        return _organisation_page(request, actor, organisation_id, form_errors(error), error.status)
    return redirect(f"/organisations/{organisation_id}")


# --- administration --------------------------------------------------------------------------------------------


def _admin_page(request: Request, actor: Actor, errors=None, values=None, status=200, q: str = ""):
    with database(request).reading() as session:
        orgs = registration.list_organisations(session)
        kinds = {str(k): v.render() for k, v in ORGANISATION_KIND_LABELS.items()}
        return render(
            request,
            "admin.html",
            {
                "users": colleagues.search_users(session, q),
                "q": q,
                "todo": todo.admin_groups(session),
                "role_options": options(ROLE_LABELS),
                "role_labels": {str(k): v.render() for k, v in ROLE_LABELS.items()},
                "organisation_options": [(str(o.id), f"{o.name} ({kinds[o.kind]})") for o in orgs],
                "errors": errors or {},
                "values": values or {},
            },
            actor=actor,
            status_code=status,
        )


@router.get("/admin")
def admin(request: Request, q: str = Query("", max_length=200), actor: Actor = Depends(page_access(ADMINS))):
    return _admin_page(request, actor, q=q.strip())


@router.post("/admin/users/{user_id}/deactivate")
def admin_deactivate_user(request: Request, user_id: Id, actor: Actor = Depends(page_access(ADMINS))):
    return _set_active(request, actor, user_id, False)


@router.post("/admin/users/{user_id}/reactivate")
def admin_reactivate_user(request: Request, user_id: Id, actor: Actor = Depends(page_access(ADMINS))):
    return _set_active(request, actor, user_id, True)


@router.post("/admin/users/{user_id}/org-admin")
def admin_set_org_admin(request: Request, user_id: Id, form: Form, actor: Actor = Depends(page_access(ADMINS))):
    """Make a user an administrator of their organisation (조직 관리자), or not."""
    try:
        with database(request).transaction() as session:
            colleagues.set_org_admin(session, actor, user_id, form.get("is_org_admin") == "1")
    except DomainError as error:
        if error.status == 404:
            raise
        return _admin_page(request, actor, form_errors(error), status=error.status)
    return redirect("/admin", "org_admin_changed")


def _set_active(request: Request, actor: Actor, user_id: int, active: bool):
    """The system administrator closes or reopens an account (`colleagues.set_active`)."""
    try:
        with database(request).transaction() as session:
            colleagues.set_active(session, actor, user_id, active)
    except DomainError as error:
        if error.status == 404:
            raise
        return _admin_page(request, actor, form_errors(error), status=error.status)
    return redirect("/admin", "user_reactivated" if active else "user_deactivated")


@router.post("/admin/users")
def admin_create_user(request: Request, form: Form, actor: Actor = Depends(page_access(ADMINS))):
    values = {k: v for k, v in form.items() if k not in {"password", "csrf_token"}}
    org_id = object_id(form.get("organisation_id"))
    fields = {name: form.get(name, "") for name in ("email", "name", "role", "password")}
    org_admin = form.get("is_org_admin") == "1"
    try:
        with database(request).transaction() as session:
            new_user = user_accounts.NewUser(organisation_id=org_id, is_org_admin=org_admin, **fields)
            user_accounts.create_user(session, actor, new_user)
    except DomainError as error:
        return _admin_page(request, actor, form_errors(error), values, error.status)
    return redirect("/admin", "user_created")


@router.post("/admin/users/{user_id}/role")
def admin_change_role(request: Request, user_id: Id, form: Form, actor: Actor = Depends(page_access(ADMINS))):
    try:
        version = int(form.get("version", "0") or 0)
        with database(request).transaction() as session:
            user_accounts.change_role(session, actor, user_id, form.get("role", ""), version)
    except ValueError:
        return _admin_page(request, actor, {"_form": N_("The request could not be processed.").render()}, status=400)
    except DomainError as error:
        return _admin_page(request, actor, form_errors(error), status=error.status)
    return redirect("/admin", "role_changed")
