"""What a signed-in agency buyer searched and compared, kept for the decision record of the buyer's awards.

One row per search page, search API call or comparison by a signed-in agency buyer (수요기관 담당자): the
question (words and filters), how many services matched and the codes of the services shown on that page.
Nothing is written for anonymous visitors or any other role, and the row is written after the answer is
made, in a short transaction of its own, so that searching never waits for it. Rows are never changed or
removed (the mapper refuses): the decision record of a quote request reads them as they were written.

Contracting reads these rows through `searches_between` (a query); the catalog never imports contracting.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import orjson
from sqlalchemy import JSON, ForeignKey, Index, Integer, String, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..accounts.permissions import Actor
from ..accounts.rules import Role
from ..core.database import Database
from ..core.tables import Base, UTCDateTime, utcnow

MAX_QUERY_TEXT = 200
MAX_CODES = 100
KINDS = ("search", "compare")
CHANNELS = ("page", "api")


class BuyerSearch(Base):
    """One search or comparison of a signed-in agency buyer (검색·비교 기록)."""

    __tablename__ = "buyer_searches"
    __table_args__ = (Index("ix_buyer_searches_user_at", "user_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)  # search | compare
    channel: Mapped[str] = mapped_column(String(10), nullable=False)  # page | api
    query: Mapped[str] = mapped_column(String(MAX_QUERY_TEXT), nullable=False, default="")
    filters: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)  # chosen filters, sort, page
    result_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    codes: Mapped[list] = mapped_column(JSON, nullable=False, default=list)  # services shown, in order
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class SearchLogIsAppendOnly(RuntimeError):
    """A logged search was about to be changed or removed."""


@event.listens_for(BuyerSearch, "before_update")
def _refuse_update(mapper, connection, target) -> None:
    raise SearchLogIsAppendOnly(f"logged search {target.id} cannot change")


@event.listens_for(BuyerSearch, "before_delete")
def _refuse_delete(mapper, connection, target) -> None:
    raise SearchLogIsAppendOnly(f"logged search {target.id} cannot be removed")


def logs(actor: Actor | None) -> bool:
    """Whether the caller's searches are kept: signed-in agency buyers only."""
    return actor is not None and actor.role == Role.AGENCY_BUYER


def filters_of(query) -> dict:
    """The filters a search query chose (its ``filters()``: search knows which fields filter), its sort and
    page."""
    return query.filters() | {"sort": query.sort, "page": query.page}


def log_search(
    db: Database,
    actor: Actor | None,
    *,
    kind: str,
    channel: str,
    query: str = "",
    filters: Mapping | None = None,
    result_count: int = 0,
    codes: Sequence[str] = (),
) -> None:
    """Keep one search or comparison of a signed-in agency buyer; nothing for anyone else."""
    if not logs(actor):
        return
    with db.transaction() as session:
        session.add(
            BuyerSearch(
                user_id=actor.user_id,
                organisation_id=actor.organisation_id,
                kind=kind,
                channel=channel,
                query=(query or "")[:MAX_QUERY_TEXT],
                filters=dict(filters or {}),
                result_count=result_count,
                codes=list(codes)[:MAX_CODES],
                at=utcnow(),
            )
        )


def log_found(db: Database, actor: Actor | None, channel: str, query, total: int, codes: Sequence[str]) -> None:
    """Keep a search (page or API) of a `finder.Query` that matched ``total`` services and showed ``codes``."""
    if logs(actor):
        log_search(
            db,
            actor,
            kind="search",
            channel=channel,
            query=query.q,
            filters=filters_of(query),
            result_count=total,
            codes=codes,
        )


def log_api_page(db: Database, actor: Actor | None, query, body: bytes) -> None:
    """Keep a search API call from the JSON page it answered (read only for a buyer)."""
    if logs(actor):
        page = orjson.loads(body)
        log_found(db, actor, "api", query, page["total"], [item["code"] for item in page["items"]])


def log_comparison(db: Database, actor: Actor | None, channel: str, codes: Sequence[str]) -> None:
    """Keep a comparison of services (2 to 4 codes) by a buyer."""
    if logs(actor):
        log_search(db, actor, kind="compare", channel=channel, result_count=len(codes), codes=codes)


def searches_between(session: Session, user_id: int, after: datetime, until: datetime) -> list[BuyerSearch]:
    """A user's logged searches and comparisons with ``after < at <= until``, oldest first."""
    query = select(BuyerSearch).where(BuyerSearch.user_id == user_id, BuyerSearch.at > after, BuyerSearch.at <= until)
    return list(session.scalars(query.order_by(BuyerSearch.at, BuyerSearch.id)))
