"""JSON routes the shell owns under /api/v1: the caller's notifications; the operation ids of every route."""

from __future__ import annotations

import re
from datetime import datetime

from fastapi import APIRouter, Depends, Request
from fastapi.routing import APIRoute
from pydantic import BaseModel

from ..accounts.access import api_access, database
from ..accounts.permissions import SIGNED_IN, Actor
from ..core.notifications import notifications_of

router = APIRouter(tags=["notifications"])


def operation_id(route: APIRoute) -> str:
    """An operation's id in the Open API: its method and its path below /api/v1, e.g.
    ``post_applications_application_id_publish``; unique by construction, stable while the route is, and the
    name a generated client gives the function that calls it."""
    path = route.path_format.removeprefix("/api/v1")
    words = re.sub(r"[^0-9A-Za-z]+", "_", path).strip("_")
    return f"{sorted(route.methods)[0].lower()}_{words}"


class NotificationOut(BaseModel):
    id: int
    message: str
    link: str | None
    created_at: datetime
    read: bool


@router.get("/notifications", response_model=list[NotificationOut], summary="The caller's notifications, newest first")
def notifications(request: Request, actor: Actor = Depends(api_access(SIGNED_IN))):
    with database(request).reading() as session:
        return [
            NotificationOut(
                id=n.id, message=n.text.render(), link=n.link, created_at=n.created_at, read=n.read_at is not None
            )
            for n in notifications_of(session, actor.user_id)
        ]
