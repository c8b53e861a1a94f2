"""The audit trail: an append-only log whose committed entries form a hash chain and a Merkle tree.

A step appends its events in its own transaction (`record`, `record_many`) and takes no lock that other
writers wait for: an event gets an ``id`` from a sequence and nothing of the chain. After commit, the
sequencer (`core.sequencer`) gives the committed events, in the order it finds them committed, their
position in the log (``seq``) and their place in the chain: each ``hash`` is the SHA-256 of the previous
entry's hash and the entry's own canonical content (every other column but ``seq``). Changing any column
of any entry breaks the chain at that entry, which ``verify_chain`` (and ``digitalmarket audit-verify``)
names; removing the last entries is caught by the signed tree heads (`core.tree_heads`).

Once appended, the events go to their in-transaction subscribers in the same transaction
(`events.publish`); after commit, the consumers read them in ``seq`` order (`core.consumers`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from . import events as domain_events
from .tables import Base, UTCDateTime, utcnow

GENESIS_HASH = "0" * 64


class AuditEvent(Base):
    """감사 기록: one recorded action."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_object", "object_type", "object_id"),
        Index("ix_audit_events_seq", "seq", unique=True),
        Index(
            "ix_audit_events_unsequenced", "id", postgresql_where=text("seq IS NULL"), sqlite_where=text("seq IS NULL")
        ),
    )

    #: the order of appending (a sequence); the log's order is ``seq``, the order of commits
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    object_type: Mapped[str] = mapped_column(String(64), nullable=False)
    object_id: Mapped[str] = mapped_column(String(64), nullable=False)
    details: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    #: the position in the log, the previous entry's hash and this entry's: set by the sequencer after commit
    seq: Mapped[int | None] = mapped_column(BigInteger)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64), unique=True)


def canonical_content(
    *,
    id: int,
    occurred_at: datetime,
    actor_user_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    details: dict,
    prev_hash: str,
) -> bytes:
    payload = {
        "id": id,
        "occurred_at": occurred_at.isoformat(timespec="microseconds"),
        "actor_user_id": actor_user_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "details": details,
        "prev_hash": prev_hash,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


#: `Session.info` key: the actions of the events this session appended (the consumers that follow them
#: run after it commits)
APPENDED = "audit_appended"


def chain_hash(prev_hash: str, content: bytes) -> str:
    return hashlib.sha256(prev_hash.encode() + content).hexdigest()


def record(
    session: Session,
    *,
    actor_user_id: int | None,
    action: str,
    object_type: str,
    object_id: str | int,
    details: dict | None = None,
    occurred_at: datetime | None = None,
) -> AuditEvent:
    """Append one event to the log inside the caller's transaction. ``occurred_at`` is when the step
    happened, for a step played with its own clock (the demo's history); by default, now."""
    event = dict(actor_user_id=actor_user_id, action=action, object_type=object_type, object_id=object_id)
    return record_many(session, [event | {"details": details, "occurred_at": occurred_at}])[0]


def record_many(session: Session, events: Iterable[dict]) -> list[AuditEvent]:
    """Append several events, in order, inside the caller's transaction: the rows that `record` would
    append called once for each, in one insert. Each event is a dict of `record`'s keyword arguments
    (``details`` and ``occurred_at`` may be left out). The session is marked so that the sequencer and the consumers run
    once it has committed (`core.consumers`)."""
    events = list(events)
    if not events:
        return []
    rows = [
        AuditEvent(
            occurred_at=event.get("occurred_at") or utcnow(),
            actor_user_id=event["actor_user_id"],
            action=event["action"],
            object_type=event["object_type"],
            object_id=str(event["object_id"]),
            details=event.get("details") or {},
        )
        for event in events
    ]
    session.add_all(rows)
    session.flush()
    session.info.setdefault(APPENDED, set()).update(row.action for row in rows)
    domain_events.publish(session, rows)
    return rows


def content_of(row: AuditEvent, prev_hash: str) -> bytes:
    """The canonical content of an entry placed after the entry whose hash is ``prev_hash``."""
    return canonical_content(
        id=row.id,
        occurred_at=row.occurred_at,
        actor_user_id=row.actor_user_id,
        action=row.action,
        object_type=row.object_type,
        object_id=row.object_id,
        details=row.details,
        prev_hash=prev_hash,
    )


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def _rows(session: Session, batch: int = 5000) -> Iterator[AuditEvent]:
    after = None
    while True:
        query = select(AuditEvent).where(AuditEvent.seq.is_not(None)).order_by(AuditEvent.seq).limit(batch)
        if after is not None:
            query = query.where(AuditEvent.seq > after)
        rows = session.execute(query).scalars().all()
        if not rows:
            return
        yield from rows
        after = rows[-1].seq
        session.expunge_all()


def verify_chain(session: Session) -> ChainReport:
    """Recompute every hash of the sequenced entries in log order; report the first entry that does not
    match (by its id). A gap in the positions (an entry removed in the middle) is reported too."""
    expected_prev = GENESIS_HASH
    checked = 0
    for row in _rows(session):
        if row.seq != checked + 1:
            return ChainReport(checked, row.id, f"the log's entry {checked + 1} is missing")
        if row.prev_hash != expected_prev:
            return ChainReport(checked, row.id, "prev_hash does not match the previous row")
        if chain_hash(row.prev_hash, content_of(row, row.prev_hash)) != row.hash:
            return ChainReport(checked, row.id, "hash does not match the row's content")
        expected_prev = row.hash
        checked += 1
    return ChainReport(checked)
