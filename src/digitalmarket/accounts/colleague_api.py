"""JSON routes under /api/v1 for account recovery and colleagues: password reset links, an organisation's
users and invitations (its administrator), and closing or reopening accounts (the system administrator)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request, Response

from ..core import i18n
from ..core.paging import DEFAULT_LIMIT, Cursor, Limit, Page, page, page_in_order
from ..core.paths import Id
from . import colleagues, recovery
from .access import api_access, database
from .api import ERRORS
from .pages import _caller_address
from .permissions import ADMINS, ORGANISATION_ADMINS, PUBLIC, SIGNED_IN, Actor
from .schemas import (
    InvitationAcceptIn,
    InvitationIn,
    InvitationOut,
    MessageOut,
    OrgAdminIn,
    PasswordResetConfirmIn,
    PasswordResetIn,
    UserOut,
)

router = APIRouter(tags=["accounts"], responses=ERRORS)


@router.post(
    "/password-reset",
    status_code=202,
    response_model=MessageOut,
    summary="Ask for a password reset link by e-mail (the same answer whether or not the account exists)",
)
def password_reset(body: PasswordResetIn, request: Request, _=Depends(api_access(PUBLIC))):
    with database(request).transaction() as session:
        recovery.request_password_reset(
            session, body.email, language=i18n.current_locale.get(), address=_caller_address(request)
        )
    return MessageOut(message=recovery.REQUEST_ANSWER.render())


@router.post(
    "/password-reset/confirm",
    status_code=204,
    summary="Set a new password with the token of a reset link; every session of the account ends",
)
def password_reset_confirm(body: PasswordResetConfirmIn, request: Request, _=Depends(api_access(PUBLIC))):
    with database(request).transaction() as session:
        recovery.reset_password(session, body.token, body.password)
    return Response(status_code=204)


@router.get(
    "/organisation/users", response_model=Page[UserOut], summary="The users of the caller's organisation, by name"
)
def organisation_users(
    request: Request, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT, actor: Actor = Depends(api_access(SIGNED_IN))
):
    with database(request).reading() as session:
        found = colleagues.colleagues_of(session, actor)
        chosen, next_cursor = page(found, lambda u: (u.name, u.id), cursor, limit, newest_first=False)
        return Page(items=[UserOut.of(u) for u in chosen], next_cursor=next_cursor)


@router.get(
    "/organisation/invitations",
    response_model=Page[InvitationOut],
    summary="Invitations of the caller's organisation waiting for an answer, the newest first",
)
def organisation_invitations(
    request: Request, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT, actor: Actor = Depends(api_access(SIGNED_IN))
):
    with database(request).reading() as session:
        found = colleagues.pending_invitations(session, actor)
        chosen, next_cursor = page(found, lambda i: (i.id,), cursor, limit)
        return Page(items=[InvitationOut.of(i) for i in chosen], next_cursor=next_cursor)


@router.post(
    "/organisation/invitations",
    status_code=201,
    response_model=InvitationOut,
    summary="Invite a colleague by e-mail (the organisation's administrator)",
)
def invite(body: InvitationIn, request: Request, actor: Actor = Depends(api_access(ORGANISATION_ADMINS))):
    with database(request).transaction() as session:
        invitation = colleagues.invite_colleague(session, actor, body.email, language=i18n.current_locale.get())
        return InvitationOut.of(invitation)


@router.delete(
    "/organisation/invitations/{invitation_id}",
    status_code=204,
    summary="Withdraw an invitation not yet accepted (the organisation's administrator)",
)
def withdraw(invitation_id: Id, request: Request, actor: Actor = Depends(api_access(ORGANISATION_ADMINS))):
    with database(request).transaction() as session:
        colleagues.withdraw_invitation(session, actor, invitation_id)
    return Response(status_code=204)


@router.post(
    "/invitations/accept",
    status_code=201,
    response_model=UserOut,
    summary="Accept an invitation: set a name and a password with the invitation's token",
)
def accept_invitation(body: InvitationAcceptIn, request: Request, _=Depends(api_access(PUBLIC))):
    with database(request).transaction() as session:
        acceptance = colleagues.Acceptance(token=body.token, name=body.name, password=body.password)
        return UserOut.of(colleagues.accept_invitation(session, acceptance))


@router.post(
    "/organisation/users/{user_id}/deactivate",
    response_model=UserOut,
    summary="Remove (deactivate) a colleague (the organisation's administrator)",
)
def remove_colleague(user_id: Id, request: Request, actor: Actor = Depends(api_access(ORGANISATION_ADMINS))):
    with database(request).transaction() as session:
        return UserOut.of(colleagues.remove_colleague(session, actor, user_id))


@router.get("/admin/users/search", response_model=Page[UserOut], summary="Find users by name, e-mail or organisation")
def search_users(
    request: Request,
    q: str = Query("", max_length=200),
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    _: Actor = Depends(api_access(ADMINS)),
):
    with database(request).reading() as session:
        found = colleagues.search_users(session, q)
        chosen, next_cursor = page_in_order(found, lambda u: u.id, cursor, limit)
        return Page(items=[UserOut.of(u) for u in chosen], next_cursor=next_cursor)


@router.post("/admin/users/{user_id}/deactivate", response_model=UserOut, summary="Deactivate an account (admin)")
def deactivate(user_id: Id, request: Request, actor: Actor = Depends(api_access(ADMINS))):
    with database(request).transaction() as session:
        return UserOut.of(colleagues.set_active(session, actor, user_id, False))


@router.post("/admin/users/{user_id}/reactivate", response_model=UserOut, summary="Reactivate an account (admin)")
def reactivate(user_id: Id, request: Request, actor: Actor = Depends(api_access(ADMINS))):
    with database(request).transaction() as session:
        return UserOut.of(colleagues.set_active(session, actor, user_id, True))


@router.put(
    "/admin/users/{user_id}/org-admin",
    response_model=UserOut,
    summary="Make a user an administrator of their organisation, or not (admin)",
)
def set_org_admin(user_id: Id, body: OrgAdminIn, request: Request, actor: Actor = Depends(api_access(ADMINS))):
    with database(request).transaction() as session:
        return UserOut.of(colleagues.set_org_admin(session, actor, user_id, body.is_org_admin))
