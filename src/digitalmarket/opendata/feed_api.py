"""Public JSON routes of the change feed under /api/v1/feed: services, orders and catalog contracts in
the order they last changed, read with a cursor (see ``feed.py`` for the watermark)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from ..accounts.access import api_access, database
from ..accounts.permissions import PUBLIC
from ..accounts.schemas import ErrorOut
from . import feed

router = APIRouter(tags=["open data"], responses={s: {"model": ErrorOut} for s in (422,)})


class FeedItemOut(BaseModel):
    cursor: str
    kind: str
    id: int
    changed_at: str
    data: dict


class FeedOut(BaseModel):
    items: list[FeedItemOut]
    next_cursor: str | None
    has_more: bool


@router.get("/feed/{kind}", response_model=FeedOut, summary="Objects in the order they last changed")
def changes(
    request: Request,
    kind: Literal["services", "orders", "catalog-contracts"],
    cursor: str | None = Query(None, max_length=40, description="`next_cursor` of the previous page; none to start"),
    limit: int = Query(100, ge=1, le=feed.MAX_LIMIT),
    _=Depends(api_access(PUBLIC)),
):
    """Each object once, at its last change, in its current state. Keep `next_cursor` and ask again with
    it: an object changed since comes again after it; nothing changed is ever skipped. An empty page
    keeps the cursor: poll again later."""
    with database(request).reading() as session:
        found = feed.page(session, kind, cursor, limit)
    return FeedOut(
        items=[FeedItemOut(**item) for item in found.items], next_cursor=found.next_cursor, has_more=found.has_more
    )
