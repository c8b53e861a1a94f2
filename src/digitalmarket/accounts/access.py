"""The FastAPI side of permissions: who is calling, and is the route's rule met.

Every route declares its rule with ``Depends(api_access(rule))`` or ``Depends(page_access(rule))``.
The dependency object keeps its rule, so a test can list every route of the app with the rule it
states and check that none is missing. API callers identify with ``Authorization: Bearer <token>``;
browsers with the session cookie.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fastapi import Request

from ..core.database import Database
from ..core.errors import NotSignedIn
from ..core.i18n import N_
from ..core.notifications import unread_count
from .credentials import api_token_owner, token_use_is_stale, touch_api_token, user_for_session
from .permissions import Actor, Rule
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


def actor_from_request(request: Request, surface: Literal["api", "page"]) -> Actor | None:
    """Resolve (once per request) the caller of an API route or of a page."""
    cached = getattr(request.state, "actor_resolved", None)
    if cached is not None:
        return cached[0]
    db = database(request)
    actor = None
    if surface == "api":
        token = _bearer(request)
        if token is not None:
            with db.reading() as session:
                found = api_token_owner(session, token)
                if found is None:
                    raise NotSignedIn(N_("The API token is not valid."))
                api_token, user = found
                actor = actor_of(user)
            if token_use_is_stale(api_token):
                with db.transaction() as session:
                    touch_api_token(session, api_token.id)
    else:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            with db.reading() as session:
                user = user_for_session(session, token)
                actor = actor_of(user) if user else None
                if user is not None:  # the page's header shows it: read now, in this session
                    request.state.unread_notifications = unread_count(session, user.id)
    request.state.actor_resolved = (actor,)
    return actor


@dataclass(frozen=True)
class Access:
    """A route's declared rule, as a FastAPI dependency returning the caller (or None if anonymous)."""

    rule: Rule
    surface: Literal["api", "page"]

    def __call__(self, request: Request) -> Actor | None:
        actor = actor_from_request(request, self.surface)
        self.rule.check(actor)
        return actor


def api_access(rule: Rule) -> Access:
    return Access(rule, "api")


def page_access(rule: Rule) -> Access:
    return Access(rule, "page")
