"""Tables of open data: OCDS releases (immutable, one per event) and the change feed's positions.

``ocds_releases`` only grows: a release is written once, after the commit of the event it tells, by the
consumer ``opendata`` (``follow.py``), and never changed (the mapper refuses updates and deletes; only the
consumer's ``reset`` empties the table, for a replay that writes the same releases again).

``feed_entries`` holds one row per object of the change feed (a service, an order, a catalog contract)
with the position of its last change. Database triggers (created by the migration) write that row in the
same transaction as every insert or update of the object's row, whatever code made the change: a sequence
on PostgreSQL, a table counter on SQLite, in both cases handed out in commit order. See ``feed.py`` and
docs/open-data.md.
"""

from __future__ import annotations

from datetime import datetime

import orjson
from sqlalchemy import JSON, BigInteger, Index, Integer, String, event, text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from ..core.tables import Base, UTCDateTime, utcnow


class PublishedJSON(TypeDecorator):
    """JSON stored as it is published: compact UTF-8 (orjson: no spaces, no ``\\u`` escapes), read back
    as objects like any JSON column. The bulk export copies such text into its files without parsing it;
    rows written before hold ``json.dumps``' default form, which it parses and writes again."""

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect):
        def publish(value):
            return None if value is None else orjson.dumps(value).decode()

        return publish


class OcdsRelease(Base):
    """One OCDS release of a contracting process (an order) or a framework (a catalog contract)."""

    __tablename__ = "ocds_releases"
    __table_args__ = (
        Index("ix_ocds_releases_ocid_date", "ocid", "date"),
        Index("ix_ocds_releases_object", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ocid: Mapped[str] = mapped_column(String(100), nullable=False)
    release_id: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    tag: Mapped[str] = mapped_column(String(100), nullable=False)  # the release's tags, comma-separated
    date: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    object_type: Mapped[str] = mapped_column(String(32), nullable=False)  # order | catalog_contract
    object_id: Mapped[int] = mapped_column(Integer, nullable=False)
    data: Mapped[dict] = mapped_column(PublishedJSON, nullable=False)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class ReleaseIsImmutable(RuntimeError):
    """A published release was about to be changed or removed."""


@event.listens_for(OcdsRelease, "before_update")
def _refuse_update(mapper, connection, target) -> None:
    raise ReleaseIsImmutable(f"release {target.release_id} is published and cannot change")


@event.listens_for(OcdsRelease, "before_delete")
def _refuse_delete(mapper, connection, target) -> None:
    raise ReleaseIsImmutable(f"release {target.release_id} is published and cannot be removed")


class FeedEntry(Base):
    """The change feed's position of one object: the position of its last change.

    SQLite: one more than the highest so far, taken by the trigger while the writer holds the write lock,
    so positions follow commits. PostgreSQL: the trigger leaves the position empty and the sequencer
    numbers the committed changes from a sequence, in commit order (`feed.number_changes`). Written only
    by the triggers of the migrations ``0010`` and ``0022`` and by the sequencer.
    """

    __tablename__ = "feed_entries"
    __table_args__ = (
        Index("ix_feed_entries_kind_position", "kind", "position"),
        Index(
            "ix_feed_entries_unnumbered",
            "kind",
            "object_id",
            postgresql_where=text("position IS NULL"),
            sqlite_where=text("position IS NULL"),
        ),
    )

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)  # services | orders | catalog-contracts
    object_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int | None] = mapped_column(BigInteger, index=True)  # empty until numbered
