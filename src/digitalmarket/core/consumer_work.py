"""The slow work of a consumer (a PDF, its signatures), one object at a time, outside its position's claim.

A consumer with `Consumer.make` (`core.consumers`) does not do its slow work while it holds its position
row, which every worker running that consumer waits for: under the claim it only *queues* the objects its
events name (`queue`: a row per object in ``consumer_tasks`` with the log position of the newest event
that asked for it), and lets the claim go at once. Each queued object is then worked on its own (`work`):

1. a short transaction takes the object's row under a *lease* (a token and a time, `LEASE`), unless
   another worker holds an unexpired one;
2. ``make(session, object_id)`` does the slow work in a read transaction, holding no lock;
3. a short transaction checks that the lease is still its own, writes the result with
   ``handle(session, object_id, made)`` and deletes the row, unless a newer event asked for the object
   meanwhile: then the row stays, freed, and the object is worked again from its new state.

A worker that crashes mid-work leaves its row leased; the lease lapses and another worker takes it. So
nothing is lost, and nothing is written twice (a lapsed lease writes nothing): a crashed worker's work is
at most done again. The consumers of one ``make`` consumer's actions are objects of one kind (an event's
``object_id``).
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import BigInteger, String, Text, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from .audit import AuditEvent
from .tables import Base, UTCDateTime, utcnow

log = logging.getLogger("digitalmarket.consumers")

#: How long a worker may hold an object before another takes it (a worker that died mid-work). An object's
#: work (a contract document with its signatures) takes well under a second even on a loaded machine; one
#: that takes longer is at most made twice, and written once (the lease is checked before writing). A server
#: restarted after a crash makes what the dead process held within these seconds.
LEASE = timedelta(seconds=15)
POLL_S = 0.05  # how often a worker waiting for another's lease looks again


class ConsumerTask(Base):
    """An object a consumer still has slow work for, and who is doing it."""

    __tablename__ = "consumer_tasks"

    consumer: Mapped[str] = mapped_column(String(64), primary_key=True)
    object_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    requested: Mapped[int] = mapped_column(BigInteger, nullable=False)  # the newest event's log position
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)  # the oldest unmet request
    lease: Mapped[str | None] = mapped_column(String(32))
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)


def queue(session: Session, name: str, events: Iterable[AuditEvent]) -> list[str]:
    """In the claiming transaction: the objects ``events`` name wait for consumer ``name`` (one statement)."""
    newest: dict[str, int] = {}
    for event in events:
        newest[event.object_id] = max(newest.get(event.object_id, 0), event.seq or 0)
    if not newest:
        return []
    now = utcnow()
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    rows = [
        {"consumer": name, "object_id": key, "requested": seq, "requested_at": now}
        for key, seq in sorted(newest.items())
    ]
    statement = insert(ConsumerTask).values(rows)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["consumer", "object_id"], set_={"requested": statement.excluded.requested}
        )
    )
    return sorted(newest)


def queued(db, name: str) -> list[str]:
    with db.reading() as session:
        query = select(ConsumerTask.object_id).where(ConsumerTask.consumer == name).order_by(ConsumerTask.requested)
        return list(session.scalars(query))


def waiting(session: Session, name: str) -> tuple[int, datetime | None]:
    """How many objects wait for the consumer's slow work, and since when the oldest has."""
    count, oldest = session.execute(
        select(func.count(), func.min(ConsumerTask.requested_at)).where(ConsumerTask.consumer == name)
    ).one()
    return count or 0, oldest


def forget(session: Session, name: str) -> None:
    """Before a replay: the queue starts again from the log."""
    session.execute(delete(ConsumerTask).where(ConsumerTask.consumer == name))


def work(db, each, objects: Iterable[str] | None = None, *, wait: bool = False) -> tuple[int, str | None, bool]:
    """Work the consumer's queued objects (``objects``, else every one queued): how many were done, the
    error of the first that failed, and whether one that had failed before was done. ``wait``: an object
    another worker holds is waited for (until it is done or its lease lapses) instead of being left to it."""
    done, error, recovered = 0, None, False
    for object_id in list(objects) if objects is not None else queued(db, each.name):
        deadline = time.monotonic() + LEASE.total_seconds() + 5
        while True:
            outcome = _work_one(db, each, object_id)
            if outcome.endswith("after failing"):
                recovered, outcome = True, outcome.split()[0]
            if outcome == "done" or outcome == "gone":
                done += outcome == "done"
                break
            if outcome == "again":
                done += 1
                continue
            if outcome.startswith("failed"):
                error = error or outcome.removeprefix("failed: ")
                break
            # taken by another worker
            if not wait or time.monotonic() > deadline:
                break
            time.sleep(POLL_S)
    return done, error, recovered


def _work_one(db, each, object_id: str) -> str:
    """``done``, ``again`` (asked for again meanwhile), ``gone`` (nothing queued), ``taken`` (another worker
    holds it) or ``failed: ...``; ``done after failing`` and ``again after failing`` when it had failed
    before."""
    token, now = secrets.token_hex(8), utcnow()
    mine = (ConsumerTask.consumer == each.name) & (ConsumerTask.object_id == object_id)
    with db.transaction() as session:
        taken = session.execute(
            update(ConsumerTask)
            .where(mine, or_(ConsumerTask.leased_until.is_(None), ConsumerTask.leased_until < now))
            .values(lease=token, leased_until=now + LEASE)
            .returning(ConsumerTask.requested, ConsumerTask.failed_at)
        ).first()
        if taken is None:
            exists = session.scalar(select(ConsumerTask.requested).where(mine))
            return "gone" if exists is None else "taken"
    try:
        with db.reading() as session:
            made = each.make(session, object_id)
        with db.transaction() as session:
            held = session.execute(
                update(ConsumerTask)
                .where(mine, ConsumerTask.lease == token)
                .values(lease=None, leased_until=None, failed_at=None, error=None)
                .returning(ConsumerTask.requested)
            ).first()
            if held is None:
                return "taken"  # the lease lapsed and another worker took the object: it writes, not this one
            each.handle(session, object_id, made)
            after = " after failing" if taken.failed_at is not None else ""
            if held.requested == taken.requested:
                session.execute(delete(ConsumerTask).where(mine))
                return "done" + after
            return "again" + after
    except Exception as error:  # noqa: BLE001 - recorded on the object's row, tried again on the next run
        log.exception("Consumer %s failed on object %s", each.name, object_id)
        _release(db, each.name, object_id, token, error)
        return f"failed: {type(error).__name__}: {error}"


def _release(db, name: str, object_id: str, token: str, error: Exception) -> None:
    try:
        with db.transaction() as session:
            session.execute(
                update(ConsumerTask)
                .where(ConsumerTask.consumer == name, ConsumerTask.object_id == object_id, ConsumerTask.lease == token)
                .values(
                    lease=None, leased_until=None, failed_at=utcnow(), error=f"{type(error).__name__}: {error}"[:2000]
                )
            )
    except Exception:  # noqa: BLE001 - the lease lapses by itself
        log.exception("Releasing object %s of consumer %s failed", object_id, name)


def _text(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:2000]
