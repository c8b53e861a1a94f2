"""Pages of the shell: home, language switch, role workspaces, API docs, health check."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from ..accounts.access import database, page_access
from ..accounts.permissions import (
    AGENCY_BUYERS,
    CONTRACTING_OFFICERS,
    OPERATORS,
    PUBLIC,
    REVIEWERS,
    SIGNED_IN,
    SUPPLIERS,
)
from ..core import i18n
from ..core.clock import today_kst
from ..core.errors import NotFound
from ..core.forms import redirect
from ..core.notifications import mark_all_read, notifications_of, open_notification
from ..core.paths import Id
from ..core.templating import LANG_COOKIE, csrf_protect, render
from . import recommendations, todo
from .workspaces import WORKSPACES

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


@router.get("/")
def home(request: Request, actor=Depends(page_access(PUBLIC))):
    """The home page: a search box; for a signed-in person, what waits for them and their own work."""
    context: dict = {"workspaces": WORKSPACES}
    if actor is not None:
        with database(request).reading() as session:
            groups = todo.tasks_for(session, actor, today_kst(), request.app.state.settings)
        context.update({"todo": [g for g in groups if g.count], "own_workspace": WORKSPACES[str(actor.role)]})
    return render(request, "home.html", context, actor=actor)


@router.get("/lang/{locale}")
def switch_language(request: Request, locale: str, next: str = "/", actor=Depends(page_access(PUBLIC))):
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        LANG_COOKIE,
        i18n.normalise_locale(locale),
        max_age=365 * 24 * 3600,
        samesite="lax",
        secure=request.app.state.settings.cookie_secure,
    )
    return response


def _workspace(request: Request, actor, role_key: str, extra: dict | None = None):
    """A role's workspace: what waits for the person (web/todo.py), then the tiles of the role."""
    with database(request).reading() as session:
        groups = todo.tasks_for(session, actor, today_kst(), request.app.state.settings)
    context = {"workspace": WORKSPACES[role_key], "todo": groups, **(extra or {})}
    return render(request, "workspace.html", context, actor=actor)


@router.get("/supplier")
def supplier_workspace(request: Request, actor=Depends(page_access(SUPPLIERS))):
    with database(request).reading() as session:
        notices = recommendations.for_supplier(session, actor.organisation_id)
    return _workspace(request, actor, "supplier", {"notice_suggestions": notices})


@router.get("/agency")
def agency_workspace(request: Request, actor=Depends(page_access(AGENCY_BUYERS))):
    with database(request).reading() as session:
        suggestions = recommendations.for_agency(session, actor.organisation_id)
    return _workspace(request, actor, "agency_buyer", {"service_suggestions": suggestions})


@router.get("/operator")
def operator_workspace(request: Request, actor=Depends(page_access(OPERATORS))):
    return _workspace(request, actor, "operator")


@router.get("/reviewer")
def reviewer_workspace(request: Request, actor=Depends(page_access(REVIEWERS))):
    return _workspace(request, actor, "reviewer")


@router.get("/officer")
def officer_workspace(request: Request, actor=Depends(page_access(CONTRACTING_OFFICERS))):
    return _workspace(request, actor, "contracting_officer")


@router.get("/notifications")
def notifications(request: Request, actor=Depends(page_access(SIGNED_IN))):
    """The signed-in user's notifications, newest first; unread ones stay marked until opened or marked read."""
    with database(request).reading() as session:
        items = notifications_of(session, actor.user_id)
    unread = {n.id for n in items if n.read_at is None}
    return render(request, "notifications.html", {"items": items, "unread": unread}, actor=actor)


@router.post("/notifications/read")
def notifications_read(request: Request, actor=Depends(page_access(SIGNED_IN))):
    """Mark all as read (모두 읽음으로 표시)."""
    with database(request).transaction() as session:
        mark_all_read(session, actor.user_id)
    return redirect("/notifications", "notifications_read")


@router.get("/notifications/{notification_id}")
def notification_open(request: Request, notification_id: Id, actor=Depends(page_access(SIGNED_IN))):
    """Open one notification: it is read now, and the reader lands on the item it is about."""
    with database(request).transaction() as session:
        notification = open_notification(session, actor.user_id, notification_id)
        if notification is None:
            raise NotFound()
        link = notification.link
    inside = link and link.startswith("/") and not link.startswith("//")  # only ever a page of this site
    return RedirectResponse(link if inside else "/notifications", status_code=303)


@router.get("/terms")
def terms(request: Request, actor=Depends(page_access(PUBLIC))):
    return render(request, "terms.html", {}, actor=actor)


@router.get("/privacy")
def privacy(request: Request, actor=Depends(page_access(PUBLIC))):
    return render(request, "privacy.html", {}, actor=actor)


KRDS_REMOTE_RESOURCES = "https://www.krds.go.kr/resources/"


@lru_cache(maxsize=1)
def _krds_stylesheet(frontend_dir: str) -> str:
    """KRDS's stylesheet with its icons pointed at the installed package instead of krds.go.kr."""
    css = (Path(frontend_dir) / "krds-uiux" / "resources" / "cdn" / "krds.min.css").read_text(encoding="utf-8")
    return css.replace(KRDS_REMOTE_RESOURCES, "/static/krds/")


@router.get("/assets/krds.css")
def krds_stylesheet(request: Request, _=Depends(page_access(PUBLIC))):
    try:
        css = _krds_stylesheet(str(request.app.state.settings.frontend_dir))
    except FileNotFoundError as error:
        raise NotFound() from error
    return Response(css, media_type="text/css", headers={"Cache-Control": "public, max-age=3600"})


@router.get("/api/v1/docs")
def api_docs(request: Request, actor=Depends(page_access(PUBLIC))):
    return render(request, "api_docs.html", {}, actor=actor)


@router.get("/docs", include_in_schema=False)
def docs_elsewhere(_=Depends(page_access(PUBLIC))):
    """Where an integrator looks first: the API's documentation is under the API's prefix."""
    return RedirectResponse("/api/v1/docs", status_code=308)


@router.get("/openapi.json", include_in_schema=False)
def openapi_elsewhere(_=Depends(page_access(PUBLIC))):
    return RedirectResponse("/api/v1/openapi.json", status_code=308)


@router.get("/healthz")
def healthz(request: Request, _=Depends(page_access(PUBLIC))):
    if database(request).ping():
        return {"status": "ok"}
    return JSONResponse({"status": "unavailable"}, status_code=503)
