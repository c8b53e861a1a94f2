"""The FastAPI side of permissions: who is calling, and is the route's rule met.

Every route declares its rule with ``Depends(api_access(rule))`` or ``Depends(page_access(rule))``.
The dependency object keeps its rule, so a test can list every route of the app with the rule it
states and check that none is missing. API callers identify with ``Authorization: Bearer <token>``, and a token
does only what its scopes allow (`token_rules`); browsers with the session cookie. The few API routes that
also take the session cookie (creating the first token) ask for the page's CSRF token in ``X-CSRF-Token``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fastapi import Request
from fastapi.concurrency import run_in_threadpool

from ..core.database import Database
from ..core.errors import NotSignedIn, PermissionDenied
from ..core.i18n import N_
from ..core.notifications import unread_count
from ..core.templating import CsrfFailed, csrf_valid
from . import rate_limits
from .api_tokens import token_caller, token_use_is_stale, touch_api_token
from .credentials import session_and_user, session_use_is_stale, touch_web_session
from .permissions import Actor, Rule
from .token_rules import SAFE_METHODS, grants, needed_scope
from .user_accounts import actor_of

SESSION_COOKIE = "dm_session"


def database(request: Request) -> Database:
    return request.app.state.db


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


CSRF_HEADER = "x-csrf-token"


class MissingScope(PermissionDenied):
    code = "insufficient_scope"


def credentials(
    request: Request, surface: Literal["api", "page"], *, session_allowed: bool = False
) -> tuple[str | None, str | None]:
    """The API token and the session cookie the caller is known by (None: absent, or not taken there): a
    token on the API only, the cookie on pages, and on the API routes that take it when no token is sent."""
    token = _bearer(request) if surface == "api" else None
    taken = token is None and (surface == "page" or session_allowed)
    return token, (request.cookies.get(SESSION_COOKIE) or None) if taken else None


def actor_from_request(
    request: Request, surface: Literal["api", "page"], *, session_allowed: bool = False
) -> Actor | None:
    """Resolve (once per request) the caller of an API route or of a page."""
    cached = getattr(request.state, "actor_resolved", None)
    if cached is not None:
        return cached[0]
    db = database(request)
    actor = None
    token, cookie = credentials(request, surface, session_allowed=session_allowed)
    if token is not None:
        with db.reading() as session:
            try:
                api_token, user = token_caller(session, token)
            except NotSignedIn:
                _limit_address(request)  # guessing tokens counts against the address
                raise
            actor = actor_of(user)
        settings = request.app.state.settings
        rate_limits.check(_window(request), f"token:{api_token.id}", settings.api_limit_per_token, "token")
        request.state.token_scopes = api_token.scopes.split()
        if token_use_is_stale(api_token):
            with db.transaction() as session:
                touch_api_token(session, api_token.id)
    elif surface == "api" and cookie is None:
        _limit_address(request)
    if cookie is not None:
        if surface == "api":
            _check_csrf_header(request)
        with db.reading() as session:
            found = session_and_user(session, cookie)
            user = found[1] if found else None
            actor = actor_of(user) if user else None
            if user is not None and surface == "page":  # the page's header shows it: read now, in this session
                request.state.unread_notifications = unread_count(session, user.id)
        if found is not None and session_use_is_stale(found[0]):  # the idle deadline moves on
            with db.transaction() as session:
                touch_web_session(session, found[0].id)
    request.state.actor_resolved = (actor,)
    return actor


def _window(request: Request) -> rate_limits.SlidingWindow:
    state = request.app.state
    window = getattr(state, "rate_window", None)
    if window is None:
        window = state.rate_window = rate_limits.SlidingWindow()
    return window


def _limit_address(request: Request) -> None:
    """An API call without a valid token counts against the caller's network address."""
    address = request.client.host if request.client else "unknown"
    limit = request.app.state.settings.api_limit_per_address
    rate_limits.check(_window(request), f"address:{address}", limit, "address")


def _check_csrf_header(request: Request) -> None:
    """An API call made with the browser's session cookie carries the page's CSRF token in a header."""
    if request.method in SAFE_METHODS:
        return
    if not csrf_valid(request, request.headers.get(CSRF_HEADER, "")):
        raise CsrfFailed()


def check_token_scope(request: Request, actor: Actor) -> None:
    """A caller with an API token: the token's scopes must grant this call (a read, or its role's write)."""
    scopes = getattr(request.state, "token_scopes", None)
    if scopes is None:
        return
    needed = needed_scope(request.method, actor.role)
    if not grants(scopes, needed):
        raise MissingScope(
            N_(
                "This API token lacks the scope %(scope)s that this call needs (its scopes: %(scopes)s). "
                "Create or rotate a token with that scope.",
                scope=needed,
                scopes=", ".join(scopes),
            )
        )


@dataclass(frozen=True)
class Access:
    """A route's declared rule, as a FastAPI dependency returning the caller (or None if anonymous)."""

    rule: Rule
    surface: Literal["api", "page"]
    session_allowed: bool = False

    async def __call__(self, request: Request) -> Actor | None:
        """The caller, checked against the rule. A caller with credentials (an API token, a session cookie
        the surface takes) is read from the database in a worker thread; one without is resolved in the event
        loop, with nothing to read: an anonymous request saves the hand-over to a thread and back."""
        resolved = getattr(request.state, "actor_resolved", None) is not None
        if not resolved and any(credentials(request, self.surface, session_allowed=self.session_allowed)):
            return await run_in_threadpool(self.resolve, request)
        return self.resolve(request)

    def resolve(self, request: Request) -> Actor | None:
        """`__call__`'s work, in the caller's thread."""
        actor = actor_from_request(request, self.surface, session_allowed=self.session_allowed)
        self.rule.check(actor)
        if actor is not None and not self.rule.anonymous:
            check_token_scope(request, actor)
        return actor


def api_access(rule: Rule) -> Access:
    return Access(rule, "api")


def api_or_session_access(rule: Rule) -> Access:
    """An API route a browser's session may call too (with ``X-CSRF-Token``): managing API tokens."""
    return Access(rule, "api", session_allowed=True)


def page_access(rule: Rule) -> Access:
    return Access(rule, "page")
