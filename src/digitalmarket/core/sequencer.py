"""The sequencer: gives committed audit events their place in the log, in the order they committed.

Writers append events without any lock of the log (`audit.record`): an event has an ``id`` from a sequence
and no position. The sequencer, run after commits (`core.consumers.run`), reads the committed events that
have no position yet, oldest append first (with the last sequenced entry's position and hash, in the same
statement), and gives each the next position (``seq``) and its link in the hash chain (``prev_hash``,
``hash``), in one transaction. Only sequencers wait for each other (PostgreSQL:
a transaction-scoped advisory lock; SQLite: the write lock), never the workflows' writers.

Why commit order matters: a consumer reads the log by position and remembers the last position it read. A
transaction that commits late gets a later position than every event sequenced before it, so a consumer
that has passed a position never finds a new event behind it (the same reason the change feed numbers
objects after commit). This is how verifiable logs work (RFC 9162, Certificate Transparency): entries are
integrated by one sequencer after they are submitted, and the tree heads sign what was integrated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, aliased

from .audit import GENESIS_HASH, AuditEvent, chain_hash, content_of

#: PostgreSQL advisory lock of the sequencer (only sequencers take it).
SEQUENCER_LOCK_KEY = 7_341_202_612
BATCH = 2000


#: What else is numbered in commit order while the sequencer holds its lock: ``(session) -> None`` steps
#: installed with the consumers (the change feed's positions, `opendata.feed.number_changes`).
Step = Callable[[Session], None]


def sequence(session: Session, batch: int = BATCH, also: Sequence[Step] = ()) -> list[AuditEvent]:
    """Sequence up to ``batch`` committed events inside the caller's transaction, after running the
    ``also`` steps under the same lock; the events it sequenced, in log order."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SEQUENCER_LOCK_KEY})
    for step in also:
        step(session)
    # the events waiting, with the last sequenced entry's position and hash, in one statement
    last = aliased(AuditEvent)
    newest = select(last).where(last.seq.is_not(None)).order_by(last.seq.desc()).limit(1)
    rows = session.execute(
        select(
            AuditEvent,
            newest.with_only_columns(last.seq).scalar_subquery().label("last_seq"),
            newest.with_only_columns(last.hash).scalar_subquery().label("last_hash"),
        )
        .where(AuditEvent.seq.is_(None))
        .order_by(AuditEvent.id)
        .limit(batch)
    ).all()
    if not rows:
        return []
    pending = [row.AuditEvent for row in rows]
    last_seq, last_hash = rows[0].last_seq, rows[0].last_hash
    position, prev_hash = (last_seq, last_hash) if last_seq is not None else (0, GENESIS_HASH)
    for row in pending:
        position += 1
        row.seq, row.prev_hash = position, prev_hash
        row.hash = prev_hash = chain_hash(prev_hash, content_of(row, prev_hash))
    session.flush()
    return pending


def head(session: Session) -> int:
    """The position of the last sequenced event (0 when none is)."""
    return (
        session.scalar(
            select(AuditEvent.seq).where(AuditEvent.seq.is_not(None)).order_by(AuditEvent.seq.desc()).limit(1)
        )
        or 0
    )


def unsequenced(session: Session) -> int:
    """How many committed events wait for the sequencer."""
    return session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.seq.is_(None))) or 0
