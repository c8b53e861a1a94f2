"""The tables of search: the index's terms of each service (the search facts live in memory: facts.py), and
the searches that found nothing or little (`misses.py`, the demand radar)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.tables import Base, UTCDateTime

#: The longest query text kept (the search box takes as many characters).
MISS_QUERY_LENGTH = 200


class ServiceSearch(Base):
    """The analyzer's terms of one service, per field (space-joined, its category's names too), and the 초성 of
    its name."""

    __tablename__ = "service_search"

    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(Text, nullable=False, default="")
    keywords: Mapped[str] = mapped_column(Text, nullable=False, default="")
    features: Mapped[str] = mapped_column(Text, nullable=False, default="")
    summary: Mapped[str] = mapped_column(Text, nullable=False, default="")
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    category: Mapped[str] = mapped_column(Text, nullable=False, default="")  # the category's Korean and English names
    supplier: Mapped[str] = mapped_column(Text, nullable=False, default="")
    chosung: Mapped[str] = mapped_column(String(400), nullable=False, default="")
    length: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class SearchMiss(Base):
    """A search that found nothing or little (검색 결과 없음): one row per day in Korea, normalised query text
    and chosen filters, counting how often it was asked. Who asked is not kept, only whether signed in."""

    __tablename__ = "search_misses"
    __table_args__ = (
        Index("ix_search_misses_day_query_filters", "day", "query", "filters_key", unique=True),
        CheckConstraint("count > 0", name="count"),
        CheckConstraint("signed_in >= 0 AND anonymous >= 0 AND signed_in + anonymous = count", name="askers"),
        CheckConstraint("result_count >= 0", name="result_count"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, nullable=False)  # the day in Korea (KST)
    query: Mapped[str] = mapped_column(String(MISS_QUERY_LENGTH), nullable=False)  # normalised (misses.normalise)
    filters_key: Mapped[str] = mapped_column(String(400), nullable=False, default="")  # "csap=상&type=SaaS"
    filters: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)  # the filters the searcher chose
    count: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    signed_in: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    anonymous: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    result_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # of the last time asked
    did_you_mean: Mapped[str | None] = mapped_column(Text)  # the corrected query the last answer offered
    understood: Mapped[list] = mapped_column(JSON, nullable=False, default=list)  # phrases read as filters


class SearchIndexState(Base):
    """What the search index was built by (`freshness.fingerprint`), so that a change of the analyzer or of
    its vocabulary is followed by indexing every service again (`digitalmarket migrate`)."""

    __tablename__ = "search_index_state"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    indexed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
