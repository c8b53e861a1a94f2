"""HTML routes of accounts: sign-up, log-in, account, company profile, organisations, administration."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from ..core.errors import DomainError, NotFound
from ..core.i18n import N_
from ..core.templating import CSRF_COOKIE, csrf_protect, render
from . import workflow
from .access import SESSION_COOKIE, database, page_access
from .permissions import (
    ADMINS,
    AGENCY_BUYERS,
    CONTRACTING_OFFICERS,
    PUBLIC,
    SIGNED_IN,
    STAFF,
    SUPPLIERS,
    Actor,
)
from .rules import (
    AGENCY_KIND_LABELS,
    ROLE_HOME,
    ROLE_LABELS,
    SIZE_LABELS,
    OrganisationKind,
    Role,
    format_business_number,
)
from .tables import Organisation, User

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


async def form_data(request: Request) -> dict[str, str]:
    """The posted form as plain strings (files are not accepted here)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


Form = Annotated[dict[str, str], Depends(form_data)]


def _redirect(path: str, notice: str | None = None) -> RedirectResponse:
    if notice:
        path = f"{path}{'&' if '?' in path else '?'}notice={notice}"
    return RedirectResponse(path, status_code=303)


def _safe_next(target: str | None, fallback: str) -> str:
    if target and target.startswith("/") and not target.startswith("//") and not target.startswith("/login"):
        return target
    return fallback


def _sign_in_response(request: Request, token: str, target: str) -> RedirectResponse:
    """Set a fresh session cookie (rotated at every log-in) and a fresh CSRF token."""
    settings = request.app.state.settings
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        max_age=int(workflow.SESSION_LIFETIME.total_seconds()),
    )
    response.delete_cookie(CSRF_COOKIE)
    return response


def _options(labels: dict) -> list[tuple[str, str]]:
    return [(str(key), text.render()) for key, text in labels.items()]


def _form_errors(error: DomainError) -> dict[str, str]:
    errors = {name: text.render() for name, text in error.fields.items()}
    if not errors or error.message.msgid != error.default_message.msgid:
        errors["_form"] = error.message.render()
    return errors


# --- sign-up, log-in, log-out ----------------------------------------------------------------------------


def _signup_page(request: Request, values: dict, errors: dict, status: int = 200):
    return render(
        request,
        "signup.html",
        {"values": values, "errors": errors, "size_options": _options(SIZE_LABELS)},
        status_code=status,
    )


@router.get("/signup")
def signup_form(request: Request, actor=Depends(page_access(PUBLIC))):
    if actor is not None:
        return _redirect(actor.home_path)
    return _signup_page(request, {}, {})


@router.post("/signup")
def signup(request: Request, form: Form, _=Depends(page_access(PUBLIC))):
    values = {k: v for k, v in form.items() if "password" not in k and k != "csrf_token"}
    if form.get("password", "") != form.get("password_confirm", ""):
        errors = {"password_confirm": N_("The two passwords are not the same.").render()}
        return _signup_page(request, values, errors, 422)
    fields = {name: form.get(name, "") for name in workflow.SupplierSignUp.__dataclass_fields__}
    try:
        with database(request).transaction() as session:
            user = workflow.sign_up_supplier(session, workflow.SupplierSignUp(**fields))
            token = workflow.start_web_session(session, user)
    except DomainError as error:
        return _signup_page(request, values, _form_errors(error), error.status)
    return _sign_in_response(request, token, f"{ROLE_HOME[Role.SUPPLIER]}?notice=signed_up")


@router.get("/login")
def login_form(request: Request, next: str = "", actor=Depends(page_access(PUBLIC))):
    if actor is not None:
        return _redirect(_safe_next(next, actor.home_path))
    return render(request, "login.html", {"values": {"next": next}})


@router.post("/login")
def login(request: Request, form: Form, _=Depends(page_access(PUBLIC))):
    email, password, target = form.get("email", ""), form.get("password", ""), form.get("next", "")
    failure: DomainError | None = None
    with database(request).transaction() as session:
        try:
            user = workflow.authenticate(session, email, password)
            token = workflow.start_web_session(session, user)
            home = ROLE_HOME[Role(user.role)]
        except DomainError as error:
            failure = error  # committed anyway: the failed attempt is counted and audited
    if failure is not None:
        return render(
            request,
            "login.html",
            {"values": {"email": email, "next": target}, "errors": {"_form": failure.message.render()}},
            status_code=failure.status,
        )
    return _sign_in_response(request, token, _safe_next(target, home))


@router.post("/logout")
def logout(request: Request, _=Depends(page_access(SIGNED_IN))):
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with database(request).transaction() as session:
            workflow.end_web_session(session, token)
    response = _redirect("/", "signed_out")
    response.delete_cookie(SESSION_COOKIE)
    return response


# --- my account --------------------------------------------------------------------------------------------


def _account_page(request: Request, actor: Actor, *, new_token: str | None = None, errors=None, status=200):
    with database(request).reading() as session:
        user = session.get(User, actor.user_id)
        tokens = workflow.tokens_of(session, actor)
        return render(
            request,
            "account.html",
            {
                "user": user,
                "organisation": user.organisation,
                "tokens": tokens,
                "new_token": new_token,
                "role_label": ROLE_LABELS[Role(user.role)].render(),
                "errors": errors or {},
            },
            actor=actor,
            status_code=status,
        )


@router.get("/account")
def account(request: Request, actor: Actor = Depends(page_access(SIGNED_IN))):
    return _account_page(request, actor)


@router.post("/account/tokens")
def account_create_token(request: Request, form: Form, actor: Actor = Depends(page_access(SIGNED_IN))):
    try:
        with database(request).transaction() as session:
            _, plain = workflow.create_api_token(session, session.get(User, actor.user_id), form.get("name", ""))
    except DomainError as error:
        return _account_page(request, actor, errors=_form_errors(error), status=error.status)
    return _account_page(request, actor, new_token=plain, status=201)


@router.post("/account/tokens/{token_id}/revoke")
def account_revoke_token(request: Request, token_id: int, actor: Actor = Depends(page_access(SIGNED_IN))):
    with database(request).transaction() as session:
        workflow.revoke_api_token(session, actor, token_id)
    return _redirect("/account", "token_revoked")


@router.post("/account/password")
def account_password(request: Request, form: Form, actor: Actor = Depends(page_access(SIGNED_IN))):
    if form.get("new_password", "") != form.get("new_password_confirm", ""):
        errors = {"new_password_confirm": N_("The two passwords are not the same.").render()}
        return _account_page(request, actor, errors=errors, status=422)
    try:
        with database(request).transaction() as session:
            workflow.change_password(session, actor, form.get("current_password", ""), form.get("new_password", ""))
    except DomainError as error:
        return _account_page(request, actor, errors=_form_errors(error), status=error.status)
    response = _redirect("/login", "password_changed")
    response.delete_cookie(SESSION_COOKIE)
    return response


# --- organisation profiles ------------------------------------------------------------------------------------


def _profile_page(request: Request, actor: Actor, values=None, errors=None, status=200):
    with database(request).reading() as session:
        org = workflow.organisation_of(session, actor)
        values = values or {
            "version": org.version,
            "name": org.name,
            "representative": org.representative or "",
            "size": org.size or "",
            "credit_rating": org.credit_rating or "",
            "contact_phone": org.contact_phone or "",
            "contact_email": org.contact_email or "",
        }
        return render(
            request,
            "supplier_profile.html",
            {
                "organisation": org,
                "business_number": format_business_number(org.business_number or ""),
                "values": values,
                "errors": errors or {},
                "size_options": _options(SIZE_LABELS),
            },
            actor=actor,
            status_code=status,
        )


@router.get("/supplier/profile")
def supplier_profile(request: Request, actor: Actor = Depends(page_access(SUPPLIERS))):
    return _profile_page(request, actor)


@router.post("/supplier/profile")
def supplier_profile_save(request: Request, form: Form, actor: Actor = Depends(page_access(SUPPLIERS))):
    fields = {name: form.get(name, "") for name in workflow.SupplierProfileChange.__dataclass_fields__}
    try:
        fields["version"] = int(fields["version"] or 0)
        with database(request).transaction() as session:
            workflow.update_supplier_profile(session, actor, workflow.SupplierProfileChange(**fields))
    except ValueError:
        return _profile_page(request, actor, form, {"_form": N_("The request could not be processed.").render()}, 400)
    except DomainError as error:
        return _profile_page(request, actor, form, _form_errors(error), error.status)
    return _redirect("/supplier/profile", "profile_saved")


@router.get("/agency/profile")
def agency_profile(request: Request, actor: Actor = Depends(page_access(AGENCY_BUYERS))):
    with database(request).reading() as session:
        org = workflow.organisation_of(session, actor)
        kind = AGENCY_KIND_LABELS.get(org.agency_kind)
        return render(
            request,
            "agency_profile.html",
            {
                "organisation": org,
                "agency_kind_label": kind.render() if kind else "",
                "colleagues": sorted(org.users, key=lambda u: u.name),
            },
            actor=actor,
        )


# --- organisations (staff) -----------------------------------------------------------------------------------


def _organisations_page(request: Request, actor: Actor, kind: str = "", errors=None, values=None, status=200):
    with database(request).reading() as session:
        orgs = workflow.list_organisations(session, kind or None)
        return render(
            request,
            "organisations.html",
            {
                "organisations": orgs,
                "kind": kind,
                "kinds": [k.value for k in OrganisationKind],
                "agency_kind_options": _options(AGENCY_KIND_LABELS),
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
    fields = {name: form.get(name, "") for name in workflow.NewAgency.__dataclass_fields__}
    try:
        with database(request).transaction() as session:
            workflow.create_agency(session, actor, workflow.NewAgency(**fields))
    except DomainError as error:
        return _organisations_page(request, actor, errors=_form_errors(error), values=form, status=error.status)
    return _redirect("/organisations", "agency_created")


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
                "sanction_active": workflow.sanction_is_active(org),
                "role_labels": {str(k): v.render() for k, v in ROLE_LABELS.items()},
            },
            actor=actor,
            status_code=status,
        )


@router.get("/organisations/{organisation_id}")
def organisation(request: Request, organisation_id: int, actor: Actor = Depends(page_access(STAFF))):
    return _organisation_page(request, actor, organisation_id)


def _date_or_none(value: str) -> date | None:
    return date.fromisoformat(value) if value.strip() else None


@router.post("/organisations/{organisation_id}/sanction")
def organisation_sanction(
    request: Request, organisation_id: int, form: Form, actor: Actor = Depends(page_access(CONTRACTING_OFFICERS))
):
    try:
        start, end = _date_or_none(form.get("sanction_from", "")), _date_or_none(form.get("sanction_until", ""))
        version = int(form.get("version", "0") or 0)
    except ValueError:
        errors = {"sanction_from": N_("Enter a date like 2026-12-31.").render()}
        return _organisation_page(request, actor, organisation_id, errors, 422)
    try:
        with database(request).transaction() as session:
            workflow.set_sanction(session, actor, organisation_id, start, end, form.get("reason", ""), version)
    except DomainError as error:
        return _organisation_page(request, actor, organisation_id, _form_errors(error), error.status)
    return _redirect(f"/organisations/{organisation_id}")


# --- administration --------------------------------------------------------------------------------------------


def _admin_page(request: Request, actor: Actor, errors=None, values=None, status=200):
    with database(request).reading() as session:
        orgs = workflow.list_organisations(session)
        return render(
            request,
            "admin.html",
            {
                "users": workflow.list_users(session),
                "role_options": _options(ROLE_LABELS),
                "role_labels": {str(k): v.render() for k, v in ROLE_LABELS.items()},
                "organisation_options": [(str(o.id), f"{o.name} ({o.kind})") for o in orgs],
                "errors": errors or {},
                "values": values or {},
            },
            actor=actor,
            status_code=status,
        )


@router.get("/admin")
def admin(request: Request, actor: Actor = Depends(page_access(ADMINS))):
    return _admin_page(request, actor)


@router.post("/admin/users")
def admin_create_user(request: Request, form: Form, actor: Actor = Depends(page_access(ADMINS))):
    values = {k: v for k, v in form.items() if k not in {"password", "csrf_token"}}
    try:
        org_id = int(form.get("organisation_id") or 0) or None
    except ValueError:
        org_id = None
    fields = {name: form.get(name, "") for name in ("email", "name", "role", "password")}
    try:
        with database(request).transaction() as session:
            workflow.create_user(session, actor, workflow.NewUser(organisation_id=org_id, **fields))
    except DomainError as error:
        return _admin_page(request, actor, _form_errors(error), values, error.status)
    return _redirect("/admin", "user_created")


@router.post("/admin/users/{user_id}/role")
def admin_change_role(request: Request, user_id: int, form: Form, actor: Actor = Depends(page_access(ADMINS))):
    try:
        version = int(form.get("version", "0") or 0)
        with database(request).transaction() as session:
            workflow.change_role(session, actor, user_id, form.get("role", ""), version)
    except ValueError:
        return _admin_page(request, actor, {"_form": N_("The request could not be processed.").render()}, status=400)
    except DomainError as error:
        return _admin_page(request, actor, _form_errors(error), status=error.status)
    return _redirect("/admin", "role_changed")
