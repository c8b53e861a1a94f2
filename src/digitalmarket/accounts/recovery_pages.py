"""HTML routes anyone may open from an e-mail: 비밀번호 찾기 (a reset link) and joining an organisation
by invitation."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Request

from ..core import i18n
from ..core.errors import DomainError
from ..core.forms import Form, form_errors, redirect
from ..core.i18n import N_
from ..core.templating import csrf_protect, render
from . import colleagues, recovery
from .access import database, page_access
from .credentials import start_web_session
from .pages import _caller_address, _sign_in_response
from .permissions import PUBLIC
from .rules import ROLE_HOME, ROLE_LABELS, Role, password_problem

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])

Token = Path(min_length=1, max_length=100)


# --- 비밀번호 찾기 ------------------------------------------------------------------------------------------------


@router.get("/password-reset")
def password_reset_form(request: Request, _=Depends(page_access(PUBLIC))):
    return render(request, "password_reset.html", {"values": {}})


@router.post("/password-reset")
def password_reset_request(request: Request, form: Form, _=Depends(page_access(PUBLIC))):
    email = form.get("email", "")
    try:
        with database(request).transaction() as session:
            recovery.request_password_reset(
                session, email, language=i18n.current_locale.get(), address=_caller_address(request)
            )
    except DomainError as error:
        values = {"email": email}
        return render(
            request, "password_reset.html", {"values": values, "errors": form_errors(error)}, status_code=error.status
        )
    return render(request, "password_reset.html", {"sent": recovery.REQUEST_ANSWER.render(), "values": {}})


def _new_password_page(request: Request, token: str, errors=None, status=200):
    with database(request).reading() as session:
        problem = recovery.reset_link_problem(session, token)
    if problem is not None:
        return render(request, "password_reset_set.html", {"problem": problem.render()}, status_code=410)
    return render(request, "password_reset_set.html", {"token": token, "errors": errors or {}}, status_code=status)


@router.get("/password-reset/{token}")
def password_reset_link(request: Request, token: str = Token, _=Depends(page_access(PUBLIC))):
    return _new_password_page(request, token)


@router.post("/password-reset/{token}")
def password_reset_set(request: Request, form: Form, token: str = Token, _=Depends(page_access(PUBLIC))):
    password = form.get("password", "")
    if password != form.get("password_confirm", ""):
        errors = {"password_confirm": N_("The two passwords are not the same.").render()}
        problem = password_problem(password)
        if problem is not None:
            errors = {"password": problem.render(), **errors}
        return _new_password_page(request, token, errors, 422)
    try:
        with database(request).transaction() as session:
            recovery.reset_password(session, token, password)
    except DomainError as error:
        return _new_password_page(request, token, form_errors(error), error.status)
    return redirect("/login", "password_reset")


# --- joining an organisation by invitation -----------------------------------------------------------------------


def _invitation_page(request: Request, token: str, values=None, errors=None, status=200):
    with database(request).reading() as session:
        try:
            invitation = colleagues.open_invitation(session, token)
        except DomainError as error:
            return render(request, "invitation.html", {"problem": error.message.render()}, status_code=410)
        context = {
            "token": token,
            "email": invitation.email,
            "organisation_name": colleagues.organisation_name(session, invitation),
            "role_label": ROLE_LABELS[Role(invitation.role)].render(),
            "values": values or {},
            "errors": errors or {},
        }
    return render(request, "invitation.html", context, status_code=status)


@router.get("/invitations/{token}")
def invitation(request: Request, token: str = Token, _=Depends(page_access(PUBLIC))):
    return _invitation_page(request, token)


@router.post("/invitations/{token}")
def invitation_accept(request: Request, form: Form, token: str = Token, _=Depends(page_access(PUBLIC))):
    values = {"name": form.get("name", "")}
    password = form.get("password", "")
    acceptance = colleagues.Acceptance(token=token, name=values["name"], password=password)
    if password != form.get("password_confirm", ""):
        errors = {"password_confirm": N_("The two passwords are not the same.").render()}
        try:  # every other problem shows at once too
            colleagues.check_acceptance(acceptance)
        except DomainError as error:
            errors.update(form_errors(error))
        return _invitation_page(request, token, values, errors, 422)
    try:
        with database(request).transaction() as session:
            user = colleagues.accept_invitation(session, acceptance)
            session_token = start_web_session(session, user)
            home = ROLE_HOME[Role(user.role)]
    except DomainError as error:
        return _invitation_page(request, token, values, form_errors(error), error.status)
    return _sign_in_response(request, session_token, f"{home}?notice=invitation_accepted")
