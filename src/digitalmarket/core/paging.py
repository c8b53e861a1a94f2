"""One way to page through every list of the API: ``limit`` (at most `MAX_LIMIT`) and ``cursor``, answered
as ``{"items": [...], "next_cursor": "..." | null}``.

A cursor is opaque to clients: it holds the sort key of the last item given (a time and an id, say), so
that the next page starts right after it however the list changed in between: an item added or gone
moves no other item across a page boundary. ``next_cursor`` is null on the last page.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field

from .clock import KST
from .errors import ValidationFailed
from .i18n import N_

T = TypeVar("T")
S = TypeVar("S")

DEFAULT_LIMIT = 50
MAX_LIMIT = 100

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Items per page, 1 to {MAX_LIMIT}")]
Cursor = Annotated[
    str | None, Query(max_length=200, description="`next_cursor` of the previous page; none for the first page")
]


BAD_CURSOR = N_("This cursor is not one this list gave. Start again without a cursor.")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(description="Ask again with `cursor` set to this for the next page; null: the last")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _key(item: Any, key: Callable[[Any], Sequence[Any]]) -> list:
    return [_plain(part) for part in key(item)]


def encode(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def decode(cursor: str) -> list:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        values = None
    if not isinstance(values, list):
        raise ValidationFailed(fields={"cursor": BAD_CURSOR})
    return values


def page(
    items: Iterable[S],
    key: Callable[[S], Sequence[Any]],
    cursor: str | None,
    limit: int,
    *,
    newest_first: bool = True,
) -> tuple[list[S], str | None]:
    """A page of ``items`` ordered by ``key`` (descending when ``newest_first``), after ``cursor``; and the
    cursor of the next page, or None. ``key`` ends with a unique value (an id) so that no two items tie."""
    ordered = sorted(items, key=lambda item: _key(item, key), reverse=newest_first)
    if cursor:
        after = decode(cursor)
        try:
            if newest_first:
                ordered = [item for item in ordered if _key(item, key) < after]
            else:
                ordered = [item for item in ordered if _key(item, key) > after]
        except TypeError:  # a cursor of another list
            raise ValidationFailed(fields={"cursor": BAD_CURSOR}) from None
    chosen = ordered[:limit]
    more = len(ordered) > limit
    return chosen, encode(_key(chosen[-1], key)) if more and chosen else None


def within(moment: datetime, first: date | None, last: date | None) -> bool:
    """Whether ``moment`` falls on a day from ``first`` to ``last`` in Korea (either open)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    day = aware.astimezone(KST).date()
    return (first is None or day >= first) and (last is None or day <= last)


def page_in_order(
    items: Sequence[S], id_of: Callable[[S], int], cursor: str | None, limit: int
) -> tuple[list[S], str | None]:
    """A page of ``items`` in the order given (a queue, pinned first ...), after ``cursor``: the next page
    starts right after the last item given, found by its id, or at its place when it has left the list."""
    start = 0
    if cursor:
        after = decode(cursor)
        if len(after) != 2 or not all(isinstance(v, int) for v in after):
            raise ValidationFailed(fields={"cursor": BAD_CURSOR})
        place, last_id = after
        ids = [id_of(item) for item in items]
        start = ids.index(last_id) + 1 if last_id in ids else max(place, 0)
    chosen = list(items[start : start + limit])
    more = start + limit < len(items)
    return chosen, encode([start + len(chosen), id_of(chosen[-1])]) if more and chosen else None
