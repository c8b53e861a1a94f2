"""Where each after-commit consumer stands in the audit log, and its claim of the next batch.

A consumer's row in ``consumer_positions`` holds the position of the last event it handled. A worker
claims the consumer by locking that row (PostgreSQL: ``FOR UPDATE``, ``SKIP LOCKED`` unless it waits;
SQLite: its write transaction holds the database), reads the batch after the position, and moves the
position on in the same transaction (`core.consumers`).

The claim and the batch are one statement (`claim_batch`): the locked row, the events the consumer follows
after its position and the log's head. The lock is taken in a ``MATERIALIZED`` common table expression, so
the row it answers is the row's latest version (a worker that waited for another gets the position that
one moved to), while the events and the head come from the statement's snapshot. That snapshot may be
older than the position (the other worker read and committed events after it was taken): the batch then
holds the events the snapshot has after the position, and is empty when the snapshot ends before it. No
event is left out by an old snapshot: the sequencer numbers events without gaps, one sequencer at a time,
and a sequencer's transaction is visible before the next one takes the lock, so a snapshot that holds
position ``H`` holds every position up to ``H``. The batch ends at ``min(position + BATCH, head)``; the
events it does not follow are passed over with it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, String, Text, and_, case, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from .audit import AuditEvent
from .sequencer import BATCH
from .tables import Base, UTCDateTime, utcnow

log = logging.getLogger("digitalmarket.consumers")


class ConsumerPosition(Base):
    """How far one consumer has read the audit log, and its last failure."""

    __tablename__ = "consumer_positions"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)


@dataclass
class Batch:
    """The events a consumer follows after ``position`` up to ``end`` (in log order), and whether the log
    goes on after ``end``."""

    position: int
    end: int
    events: list[AuditEvent]
    more: bool

    @property
    def empty(self) -> bool:
        return self.end <= self.position


def _head():
    return select(func.max(AuditEvent.seq)).scalar_subquery()


def claim_batch(session: Session, name: str, condition, *, lock: str | None, upto: int | None = None) -> Batch | None:
    """In one statement: lock consumer ``name``'s position row (``lock``: ``"wait"``, ``"skip"`` or None
    for a read alone), and read the events after its position that match ``condition`` (`Consumer.condition`),
    up to a batch or position ``upto``. None when another worker holds the row (``"skip"``). The row is
    made at the consumer's first run."""
    postgresql = session.get_bind().dialect.name == "postgresql"
    row = select(ConsumerPosition.position).where(ConsumerPosition.name == name)
    if lock is not None and postgresql:
        row = row.with_for_update(skip_locked=lock == "skip")
    claimed = row.cte("claimed").prefix_with("MATERIALIZED")
    after = and_(AuditEvent.seq > claimed.c.position, AuditEvent.seq <= claimed.c.position + BATCH, condition)
    if upto is not None:
        after = and_(after, AuditEvent.seq <= upto)
    query = (
        select(claimed.c.position, _head().label("head"), AuditEvent)
        .select_from(claimed)
        .outerjoin(AuditEvent, after)
        .order_by(AuditEvent.seq)
    )
    rows = session.execute(query).all()
    if not rows:
        if lock is None or not _make_row(session, name):
            return None  # no row yet (a read alone), or another worker holds it
        rows = session.execute(query).all()
        if not rows:
            return None
    position, head = rows[0].position, rows[0].head or 0
    end = max(position, min(position + BATCH, head, head if upto is None else upto))
    events = [each.AuditEvent for each in rows if each.AuditEvent is not None]
    return Batch(position, end, events, more=head > end)


def _make_row(session: Session, name: str) -> bool:
    """Make the consumer's row at position 0; False when it was there already."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    fresh = insert(ConsumerPosition).values(name=name, position=0, updated_at=utcnow())
    made = session.execute(fresh.on_conflict_do_nothing(index_elements=["name"]))
    return bool(made.rowcount)


def move_on(session: Session, name: str, position: int) -> None:
    """The consumer has handled everything up to ``position`` (under its claim): its row says so, and its
    last failure is cleared."""
    session.execute(
        update(ConsumerPosition)
        .where(ConsumerPosition.name == name)
        .values(position=position, updated_at=utcnow(), failed_at=None, error=None)
    )


def claim(session: Session, name: str, wait: bool) -> ConsumerPosition | None:
    """Lock the consumer's position row (made at its first run) and return it; None when another worker
    holds it and ``wait`` is false."""
    query = select(ConsumerPosition).where(ConsumerPosition.name == name).execution_options(populate_existing=True)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=not wait)
    row = session.scalar(query)
    if row is None:
        _make_row(session, name)
        row = session.scalar(query)
    return row


def has_work(session: Session, name: str, condition) -> bool:
    """Whether an event the consumer follows waits after its position, or it has fallen more than a batch
    behind the log's head (its position is then moved on, so that its reads stay short): one statement."""
    position = func.coalesce(
        select(ConsumerPosition.position).where(ConsumerPosition.name == name).scalar_subquery(), 0
    )
    waiting = select(AuditEvent.id).where(AuditEvent.seq > position, condition).limit(1).scalar_subquery()
    found = session.execute(select(waiting.label("waiting"), (func.coalesce(_head(), 0) - position).label("behind")))
    row = found.one()
    return row.waiting is not None or row.behind > BATCH


def record_failure(db, name: str, error: Exception | None) -> None:
    """Show the consumer's failure (None: it has recovered) on its position row."""
    try:
        with db.transaction() as session:
            row = claim(session, name, wait=True)
            if error is None:
                row.failed_at = row.error = None
            else:
                row.failed_at, row.error = utcnow(), f"{type(error).__name__}: {error}"[:2000]
    except Exception:  # noqa: BLE001 - the failure is logged already
        log.exception("Recording the failure of consumer %s failed", name)


def positions(session: Session) -> dict[str, ConsumerPosition]:
    return {row.name: row for row in session.scalars(select(ConsumerPosition))}


def claim_batches(session: Session, conditions: dict[str, object]) -> dict[str, Batch]:
    """`claim_batch` for several consumers at once (name: `Consumer.condition`), waiting for each row, in
    one statement: the rows are locked in the order of their names, as every claim of several rows locks
    them, so two claims never wait for each other in a circle. A consumer without its row yet is left out
    (its first run makes it)."""
    names = sorted(conditions)
    row = select(ConsumerPosition.name, ConsumerPosition.position).where(ConsumerPosition.name.in_(names))
    if session.get_bind().dialect.name == "postgresql":
        row = row.order_by(ConsumerPosition.name).with_for_update()
    claimed = row.cte("claimed").prefix_with("MATERIALIZED")
    followed = or_(*(and_(claimed.c.name == name, conditions[name]) for name in names))
    after = and_(AuditEvent.seq > claimed.c.position, AuditEvent.seq <= claimed.c.position + BATCH, followed)
    query = (
        select(claimed.c.name, claimed.c.position, _head().label("head"), AuditEvent)
        .select_from(claimed)
        .outerjoin(AuditEvent, after)
        .order_by(AuditEvent.seq)
    )
    batches: dict[str, Batch] = {}
    for each in session.execute(query):
        batch = batches.get(each.name)
        if batch is None:
            head = each.head or 0
            end = max(each.position, min(each.position + BATCH, head))
            batch = batches[each.name] = Batch(each.position, end, [], more=head > end)
        if each.AuditEvent is not None:
            batch.events.append(each.AuditEvent)
    return batches


def move_on_together(session: Session, ends: dict[str, int]) -> None:
    """`move_on` for several consumers, in one statement."""
    if not ends:
        return
    session.execute(
        update(ConsumerPosition)
        .where(ConsumerPosition.name.in_(sorted(ends)))
        .values(
            position=case(ends, value=ConsumerPosition.name),
            updated_at=utcnow(),
            failed_at=None,
            error=None,
        )
    )
