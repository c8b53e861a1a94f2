"""What the web layer gives every page's layout, handed to `core.templating` by the app factory.

The templates are looked up in ``web/templates`` first (the layout, the shell pages, the macros), then in
each stage's ``templates`` folder. Around each page the layout shows the navigation and, for a signed-in
person, the number of unread notifications: read when the person was recognised, in that same database
session (`accounts.access.actor_from_request`), so rendering a page opens no session of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import Request

from ..core import i18n, templating
from ..core.notifications import unread_count

PACKAGE_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str


def template_dirs() -> list[Path]:
    """``web/templates``, then every stage's ``templates`` folder in alphabetical order."""
    return [PACKAGE_ROOT / "web" / "templates"] + sorted(
        folder for folder in PACKAGE_ROOT.glob("*/templates") if folder.parent.name != "web"
    )


def navigation(actor) -> list[NavItem]:
    items = [
        NavItem(i18n.gettext("Home"), "/"),
        NavItem(i18n.gettext("Digital services"), "/services"),
        NavItem(i18n.gettext("Statistics"), "/statistics"),
    ]
    if actor is not None:
        items.append(NavItem(i18n.gettext("My workspace"), actor.home_path))
        items.append(NavItem(i18n.gettext("My account"), "/account"))
    items.append(NavItem(i18n.gettext("Open API"), "/api/v1/docs"))
    return items


def unread(request: Request, actor) -> int:
    """How many notifications the signed-in person has not read (shown in the header): as counted when
    the request's caller was recognised, else (a caller recognised another way) counted now."""
    if actor is None:
        return 0
    counted = getattr(request.state, "unread_notifications", None)
    if counted is not None:
        return counted
    with request.app.state.db.reading() as session:
        return unread_count(session, actor.user_id)


def page_context(request: Request, actor) -> dict:
    return {"nav": navigation(actor), "unread_notifications": unread(request, actor)}


def install() -> None:
    """Hand templating the template folders and the layout's context (the app factory calls it)."""
    templating.install_layout(template_dirs(), page_context)
