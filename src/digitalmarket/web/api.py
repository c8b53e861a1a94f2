"""JSON routes the shell owns under /api/v1: the caller's notifications."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from ..accounts.access import api_access, database
from ..accounts.permissions import SIGNED_IN, Actor
from ..core.notifications import notifications_of

router = APIRouter(tags=["notifications"])


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
