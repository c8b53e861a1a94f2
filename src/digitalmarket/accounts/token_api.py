"""JSON routes of API tokens under /api/v1: create, list, revoke and rotate; an organisation's tokens for its
administrator; the caller's password change, which revokes their tokens unless asked to keep them.

The first token: a company that signed up through ``POST /signup`` has no token yet. ``POST /tokens`` takes
a token, the browser's session (with ``X-CSRF-Token``), or the user's ``email`` and ``password`` in the
body, checked as a log-in is (failures counted, the same lock-out).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from ..core.errors import DomainError, NotSignedIn, ValidationFailed
from ..core.paging import DEFAULT_LIMIT, Cursor, Limit, Page, page_in_order
from ..core.paths import Id
from . import api_tokens, credentials
from .access import api_access, api_or_session_access, check_token_scope, database
from .permissions import ORGANISATION_ADMINS, PUBLIC, SIGNED_IN, Actor
from .rules import client_address
from .schemas import ErrorOut
from .tables import User
from .token_schemas import NewTokenOut, PasswordChangeIn, PasswordChangeOut, RotateIn, TokenIn, TokenOut

ERRORS = {status: {"model": ErrorOut} for status in (400, 401, 403, 404, 409, 422, 429)}

router = APIRouter(tags=["tokens"], responses=ERRORS)


@router.get("/tokens", response_model=Page[TokenOut], summary="The caller's API tokens")
def list_tokens(
    request: Request,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    actor: Actor = Depends(api_or_session_access(SIGNED_IN)),
):
    with database(request).reading() as session:
        chosen, next_cursor = page_in_order(api_tokens.tokens_of(session, actor), lambda t: t.id, cursor, limit)
        return Page(items=[TokenOut.of(t) for t in chosen], next_cursor=next_cursor)


@router.post(
    "/tokens",
    status_code=201,
    response_model=NewTokenOut,
    summary="Create an API token (with a token, the browser's session, or e-mail and password for the first)",
)
def create_token(body: TokenIn, request: Request, actor: Actor | None = Depends(api_or_session_access(PUBLIC))):
    scopes = [str(s) for s in body.scopes] if body.scopes is not None else None
    failure: DomainError | None = None
    with database(request).transaction() as session:
        try:
            if actor is not None:
                check_token_scope(request, actor)  # a read-only token makes no token that writes
                user = session.get(User, actor.user_id)
            elif body.email and body.password:
                address = client_address(request.client.host if request.client else None)
                user = credentials.authenticate(session, body.email, body.password, address=address)
            else:
                raise NotSignedIn()
        except DomainError as error:
            failure = error  # committed anyway: a failed log-in is counted and audited
        if failure is None:
            token, plain = api_tokens.create_api_token(session, user, body.name, scopes, body.expires_in_days)
            created = NewTokenOut(**TokenOut.of(token).model_dump(), token=plain)
    if isinstance(failure, ValidationFailed) and not failure.fields:  # the e-mail address or password is wrong
        raise NotSignedIn(failure.message)
    if failure is not None:
        raise failure
    return created


@router.delete("/tokens/{token_id}", status_code=204, summary="Revoke an API token")
def revoke_token(token_id: Id, request: Request, actor: Actor = Depends(api_or_session_access(SIGNED_IN))):
    with database(request).transaction() as session:
        api_tokens.revoke_api_token(session, actor, token_id)
    return Response(status_code=204)


@router.post(
    "/tokens/{token_id}/rotate",
    status_code=201,
    response_model=NewTokenOut,
    summary="Replace an API token by a new one with the same name and scopes (the old one stops working)",
)
def rotate_token(
    token_id: Id, request: Request, body: RotateIn | None = None, actor: Actor = Depends(api_access(SIGNED_IN))
):
    with database(request).transaction() as session:
        days = body.expires_in_days if body is not None else None
        token, plain = api_tokens.rotate_api_token(session, actor, token_id, days)
        return NewTokenOut(**TokenOut.of(token).model_dump(), token=plain)


@router.get(
    "/organisation/tokens",
    response_model=Page[TokenOut],
    summary="Every API token of your organisation's users (its administrator)",
)
def organisation_tokens(
    request: Request,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    actor: Actor = Depends(api_access(ORGANISATION_ADMINS)),
):
    with database(request).reading() as session:
        rows = list(api_tokens.organisation_tokens(session, actor))
        chosen, next_cursor = page_in_order(rows, lambda pair: pair[0].id, cursor, limit)
        return Page(items=[TokenOut.of(t, u) for t, u in chosen], next_cursor=next_cursor)


@router.post(
    "/me/password",
    response_model=PasswordChangeOut,
    summary="Change your password (your API tokens are revoked unless keep_api_tokens)",
)
def change_password(body: PasswordChangeIn, request: Request, actor: Actor = Depends(api_access(SIGNED_IN))):
    failure: DomainError | None = None
    with database(request).transaction() as session:
        try:
            revoked = credentials.change_password(
                session, actor, body.current_password, body.new_password, keep_api_tokens=body.keep_api_tokens
            )
        except DomainError as error:
            failure = error  # committed anyway: a wrong current password is recorded, to be counted
    if failure is not None:
        raise failure
    return PasswordChangeOut(api_tokens_revoked=revoked)
