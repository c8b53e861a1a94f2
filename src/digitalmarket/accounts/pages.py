"""HTML routes of accounts: sign-up, log-in, log-out, my account, organisation profiles."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from ..core.errors import DomainError
from ..core.forms import Form, MultipartForm, form_errors, number, redirect
from ..core.i18n import N_
from ..core.paths import Id
from ..core.tables import utcnow
from ..core.templating import csrf_cookie_name, csrf_protect, render
from . import api_tokens, credentials, profiles, token_rules
from .access import SESSION_COOKIE, database, page_access
from .permissions import (
    AGENCY_BUYERS,
    PUBLIC,
    SIGNED_IN,
    Actor,
)
from .rules import (
    AGENCY_KIND_LABELS,
    CONTRACT_PARTY_LABELS,
    ROLE_HOME,
    ROLE_LABELS,
    Role,
    client_address,
)
from .tables import User

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


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
        max_age=int(credentials.SESSION_LIFETIME.total_seconds()),
    )
    response.delete_cookie(csrf_cookie_name(request))  # the next page signs a token for the new session
    return response


# --- log-in, log-out ----------------------------------------------------------------------------


def _caller_address(request: Request) -> str:
    # The peer, or the client a trusted proxy named (`web.middleware.ProxyHeadersMiddleware` set it).
    return client_address(request.client.host if request.client else None)


@router.get("/login")
def login_form(request: Request, next: str = "", actor=Depends(page_access(PUBLIC))):
    if actor is not None:
        return redirect(_safe_next(next, actor.home_path))
    return render(request, "login.html", {"values": {"next": next}})


@router.post("/login")
def login(request: Request, form: Form, _=Depends(page_access(PUBLIC))):
    email, password, target = form.get("email", ""), form.get("password", ""), form.get("next", "")
    failure: DomainError | None = None
    with database(request).transaction() as session:
        try:
            user = credentials.authenticate(session, email, password, address=_caller_address(request))
            presented = request.cookies.get(SESSION_COOKIE)  # ends: a log-in never keeps an older session
            token = credentials.start_web_session(session, user, replacing=presented)
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
            credentials.end_web_session(session, token)
    response = redirect("/", "signed_out")
    response.delete_cookie(SESSION_COOKIE)
    return response


# --- my account --------------------------------------------------------------------------------------------


def _account_page(request: Request, actor: Actor, *, new_token: str | None = None, errors=None, status=200):
    with database(request).reading() as session:
        user = session.get(User, actor.user_id)
        tokens = api_tokens.tokens_of(session, actor)
        others = [(t, u) for t, u in api_tokens.organisation_tokens(session, actor) if u.id != actor.user_id]
        return render(
            request,
            "account.html",
            {
                "user": user,
                "organisation": user.organisation,
                "tokens": tokens,
                "organisation_tokens": others if actor.is_org_admin else [],
                "scopes": token_rules.scopes_for_role(Role(user.role)),
                "default_days": token_rules.DEFAULT_DAYS,
                "max_days": token_rules.MAX_DAYS,
                "now": utcnow(),
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
def account_create_token(request: Request, form: MultipartForm, actor: Actor = Depends(page_access(SIGNED_IN))):
    try:
        with database(request).transaction() as session:
            user = session.get(User, actor.user_id)
            scopes = [s for s in form.getlist("scopes") if isinstance(s, str)] or [token_rules.READ]
            days = number(str(form.get("expires_in_days") or ""))
            _, plain = api_tokens.create_api_token(session, user, str(form.get("name", "")), scopes, days)
    except DomainError as error:
        return _account_page(request, actor, errors=form_errors(error), status=error.status)
    return _account_page(request, actor, new_token=plain, status=201)


@router.post("/account/tokens/{token_id}/revoke")
def account_revoke_token(request: Request, token_id: Id, actor: Actor = Depends(page_access(SIGNED_IN))):
    with database(request).transaction() as session:
        api_tokens.revoke_api_token(session, actor, token_id)
    return redirect("/account", "token_revoked")


@router.post("/account/tokens/{token_id}/rotate")
def account_rotate_token(request: Request, token_id: Id, actor: Actor = Depends(page_access(SIGNED_IN))):
    with database(request).transaction() as session:
        _, plain = api_tokens.rotate_api_token(session, actor, token_id)
    return _account_page(request, actor, new_token=plain, status=201)


@router.post("/account/password")
def account_password(request: Request, form: Form, actor: Actor = Depends(page_access(SIGNED_IN))):
    if form.get("new_password", "") != form.get("new_password_confirm", ""):
        errors = {"new_password_confirm": N_("The two passwords are not the same.").render()}
        return _account_page(request, actor, errors=errors, status=422)
    failure: DomainError | None = None
    with database(request).transaction() as session:
        try:
            credentials.change_password(
                session,
                actor,
                form.get("current_password", ""),
                form.get("new_password", ""),
                keep_api_tokens=form.get("keep_api_tokens") == "1",
            )
        except DomainError as error:
            failure = error  # committed anyway: only a wrong current password is recorded, to be counted
    if failure is not None:
        return _account_page(request, actor, errors=form_errors(failure), status=failure.status)
    response = redirect("/login", "password_changed")
    response.delete_cookie(SESSION_COOKIE)
    return response


# --- organisation profiles ------------------------------------------------------------------------------------


def _gap_labels(org) -> list[str]:
    """The details contract documents need that the profile lacks, as the page names them."""
    return [CONTRACT_PARTY_LABELS[name].render() for name in profiles.contract_party_gaps(org)]


def _agency_page(request: Request, actor: Actor, values=None, errors=None, status=200):
    with database(request).reading() as session:
        org = profiles.organisation_of(session, actor)
        kind = AGENCY_KIND_LABELS.get(org.agency_kind)
        values = values or {
            "version": org.version,
            "representative": org.representative or "",
            "address": org.address or "",
            "contact_phone": org.contact_phone or "",
        }
        return render(
            request,
            "agency_profile.html",
            {
                "organisation": org,
                "agency_kind_label": kind.render() if kind else "",
                "colleagues": sorted(org.users, key=lambda u: u.name),
                "contract_gaps": _gap_labels(org),
                "values": values,
                "errors": errors or {},
            },
            actor=actor,
            status_code=status,
        )


@router.get("/agency/profile")
def agency_profile(request: Request, actor: Actor = Depends(page_access(AGENCY_BUYERS))):
    return _agency_page(request, actor)


@router.post("/agency/profile")
def agency_profile_save(request: Request, form: Form, actor: Actor = Depends(page_access(AGENCY_BUYERS))):
    fields = {name: form.get(name, "") for name in profiles.AgencyProfileChange.__dataclass_fields__}
    try:
        fields["version"] = int(fields["version"] or 0)
        with database(request).transaction() as session:
            profiles.update_agency_profile(session, actor, profiles.AgencyProfileChange(**fields))
    except ValueError:
        return _agency_page(request, actor, form, {"_form": N_("The request could not be processed.").render()}, 400)
    except DomainError as error:
        return _agency_page(request, actor, form, form_errors(error), error.status)
    return redirect("/agency/profile", "agency_profile_saved")
