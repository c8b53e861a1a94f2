"""The audit trail: an append-only, hash-chained table written in the same transaction as the change.

Each row's ``hash`` is the SHA-256 of the previous row's hash and the row's own canonical content
(every other column). Changing any column of any row breaks the chain at that row, which
``verify_chain`` (and ``digitalmarket audit-verify``) names. Appends are serialised: PostgreSQL takes a
transaction-scoped advisory lock; SQLite write transactions already hold the single write lock.
Once appended, the events go to their subscribers in the same transaction (`events.publish`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from . import events as domain_events
from .tables import Base, UTCDateTime, utcnow

GENESIS_HASH = "0" * 64
_CHAIN_LOCK_KEY = 7_341_202_611


class AuditEvent(Base):
    """감사 기록: one recorded action."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    object_type: Mapped[str] = mapped_column(String(64), nullable=False)
    object_id: Mapped[str] = mapped_column(String(64), nullable=False)
    details: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)


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
) -> AuditEvent:
    """Append one event to the chain inside the caller's transaction."""
    event = dict(actor_user_id=actor_user_id, action=action, object_type=object_type, object_id=object_id)
    return record_many(session, [event | {"details": details}])[0]


def record_many(session: Session, events: Iterable[dict]) -> list[AuditEvent]:
    """Append several events to the chain, in order, inside the caller's transaction: the rows that
    `record` would append called once for each, with one lock, one read of the chain's end and one
    insert. Each event is a dict of `record`'s keyword arguments (``details`` may be left out)."""
    events = list(events)
    if not events:
        return []
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})
    last = session.execute(select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    new_id, prev_hash = (last.id + 1, last.hash) if last else (1, GENESIS_HASH)
    rows = []
    for event in events:
        fields = dict(
            id=new_id,
            occurred_at=utcnow(),
            actor_user_id=event["actor_user_id"],
            action=event["action"],
            object_type=event["object_type"],
            object_id=str(event["object_id"]),
            details=event.get("details") or {},
            prev_hash=prev_hash,
        )
        rows.append(AuditEvent(**fields, hash=chain_hash(prev_hash, canonical_content(**fields))))
        new_id, prev_hash = new_id + 1, rows[-1].hash
    session.add_all(rows)
    session.flush()
    domain_events.publish(session, rows)
    return rows


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
        query = select(AuditEvent).order_by(AuditEvent.id).limit(batch)
        if after is not None:
            query = query.where(AuditEvent.id > after)
        rows = session.execute(query).scalars().all()
        if not rows:
            return
        yield from rows
        after = rows[-1].id
        session.expunge_all()


def verify_chain(session: Session) -> ChainReport:
    """Recompute every hash in order; report the first row that does not match."""
    expected_prev = GENESIS_HASH
    checked = 0
    for row in _rows(session):
        if row.prev_hash != expected_prev:
            return ChainReport(checked, row.id, "prev_hash does not match the previous row")
        content = canonical_content(
            id=row.id,
            occurred_at=row.occurred_at,
            actor_user_id=row.actor_user_id,
            action=row.action,
            object_type=row.object_type,
            object_id=row.object_id,
            details=row.details,
            prev_hash=row.prev_hash,
        )
        if chain_hash(row.prev_hash, content) != row.hash:
            return ChainReport(checked, row.id, "hash does not match the row's content")
        expected_prev = row.hash
        checked += 1
    return ChainReport(checked)
