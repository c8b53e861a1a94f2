"""HTML routes of an organisation's users (우리 기관/회사 사용자): every member sees the list; the
organisation's administrator invites colleagues by e-mail and removes them."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Request

from ..core import i18n
from ..core.clock import KST
from ..core.errors import DomainError
from ..core.forms import Form, form_errors, redirect
from ..core.paths import Id
from ..core.templating import csrf_protect, render
from . import colleagues
from .access import database, page_access
from .permissions import ORGANISATION_ADMINS, SIGNED_IN, Actor
from .rules import ROLE_LABELS, OrganisationKind

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


def _kst(value: datetime) -> str:
    """An instant as people read it: the date and time in Korea, with the zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(KST).strftime("%Y-%m-%d %H:%M") + " KST"


def _colleagues_page(request: Request, actor: Actor, values=None, errors=None, status=200):
    with database(request).reading() as session:
        context = {
            "is_admin": colleagues.is_org_admin(session, actor),
            "colleagues": colleagues.colleagues_of(session, actor),
            "invitations": colleagues.pending_invitations(session, actor),
            "role_labels": {str(k): v.render() for k, v in ROLE_LABELS.items()},
            "is_agency": actor.organisation_kind == OrganisationKind.AGENCY,
            "kst_time": _kst,
            "values": values or {},
            "errors": errors or {},
        }
        return render(request, "colleagues.html", context, actor=actor, status_code=status)


@router.get("/organisation/users")
def organisation_users(request: Request, actor: Actor = Depends(page_access(SIGNED_IN))):
    return _colleagues_page(request, actor)


@router.post("/organisation/users/invitations")
def organisation_invite(request: Request, form: Form, actor: Actor = Depends(page_access(ORGANISATION_ADMINS))):
    email = form.get("email", "")
    try:
        with database(request).transaction() as session:
            colleagues.invite_colleague(session, actor, email, language=i18n.current_locale.get())
    except DomainError as error:
        return _colleagues_page(request, actor, {"email": email}, form_errors(error), error.status)
    return redirect("/organisation/users", "colleague_invited")


@router.post("/organisation/users/{user_id}/deactivate")
def organisation_remove(request: Request, user_id: Id, actor: Actor = Depends(page_access(ORGANISATION_ADMINS))):
    try:
        with database(request).transaction() as session:
            colleagues.remove_colleague(session, actor, user_id)
    except DomainError as error:
        if error.status == 404:
            raise
        return _colleagues_page(request, actor, errors=form_errors(error), status=error.status)
    return redirect("/organisation/users", "colleague_removed")


@router.post("/organisation/users/invitations/{invitation_id}/withdraw")
def organisation_withdraw(
    request: Request, invitation_id: Id, actor: Actor = Depends(page_access(ORGANISATION_ADMINS))
):
    try:
        with database(request).transaction() as session:
            colleagues.withdraw_invitation(session, actor, invitation_id)
    except DomainError as error:
        if error.status == 404:
            raise
        return _colleagues_page(request, actor, errors=form_errors(error), status=error.status)
    return redirect("/organisation/users", "invitation_withdrawn")
