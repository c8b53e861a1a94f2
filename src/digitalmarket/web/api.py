"""JSON routes the shell owns under /api/v1: the caller's notifications; the operation ids of every route."""

from __future__ import annotations

import re
from datetime import datetime

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy import select

from ..accounts.access import api_access, database
from ..accounts.permissions import SIGNED_IN, Actor
from ..core import paging
from ..core.errors import ValidationFailed
from ..core.notifications import Notification

router = APIRouter(tags=["notifications"])


def operation_id(route: APIRoute) -> str:
    """An operation's id in the Open API: its method and its path below /api/v1, e.g.
    ``post_applications_application_id_publish``; unique by construction, stable while the route is, and the
    name a generated client gives the function that calls it."""
    path = route.path_format.removeprefix("/api/v1")
    words = re.sub(r"[^0-9A-Za-z]+", "_", path).strip("_")
    return f"{sorted(route.methods)[0].lower()}_{words}"


def _binary(node) -> None:
    if isinstance(node, dict):
        if node.get("type") == "string" and node.get("contentMediaType") == "application/octet-stream":
            node.setdefault("format", "binary")
        for value in node.values():
            _binary(value)
    elif isinstance(node, list):
        for value in node:
            _binary(value)


def describe_files(app: FastAPI) -> None:
    """Uploaded files in the OpenAPI also as ``format: binary`` (OpenAPI 3.0's way, beside 3.1's
    ``contentMediaType``), so that generated clients send them as files rather than as text."""
    build = app.openapi

    def openapi() -> dict:
        schema = build()
        _binary(schema.get("components", {}))
        return schema

    app.openapi = openapi


class NotificationOut(BaseModel):
    id: int
    message: str
    link: str | None
    created_at: datetime
    read: bool


@router.get(
    "/notifications", response_model=paging.Page[NotificationOut], summary="The caller's notifications, newest first"
)
def notifications(
    request: Request,
    cursor: paging.Cursor = None,
    limit: paging.Limit = paging.DEFAULT_LIMIT,
    actor: Actor = Depends(api_access(SIGNED_IN)),
):
    query = select(Notification).where(Notification.user_id == actor.user_id)
    if cursor:
        after = paging.decode(cursor)
        if len(after) != 1 or not isinstance(after[0], int):
            raise ValidationFailed(fields={"cursor": paging.BAD_CURSOR})
        query = query.where(Notification.id < after[0])
    with database(request).reading() as session:
        found = list(session.scalars(query.order_by(Notification.id.desc()).limit(limit + 1)))
        items = [
            NotificationOut(
                id=n.id, message=n.text.render(), link=n.link, created_at=n.created_at, read=n.read_at is not None
            )
            for n in found[:limit]
        ]
    more = len(found) > limit
    return paging.Page(items=items, next_cursor=paging.encode([items[-1].id]) if more else None)
