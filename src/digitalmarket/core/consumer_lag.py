"""How far behind each after-commit consumer is: ``/healthz/consumers`` and the operator's page
(`core.consumers.status`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import consumer_work
from .audit import AuditEvent
from .consumer_positions import positions
from .sequencer import head, unsequenced
from .tables import utcnow


@dataclass(frozen=True)
class Lag:
    name: str
    title: str
    position: int
    head: int
    waiting: int  # events it follows that it has not handled
    oldest_waiting_at: datetime | None
    failed_at: datetime | None
    error: str | None

    def seconds(self, now: datetime | None = None) -> float:
        if self.oldest_waiting_at is None:
            return 0.0
        return max(0.0, ((now or utcnow()) - self.oldest_waiting_at).total_seconds())


def status(session: Session, consumers: Iterable) -> tuple[int, list[Lag]]:
    """The events waiting for the sequencer, and the lag of each of ``consumers``."""
    end = head(session)
    rows = positions(session)
    lags = []
    for each in consumers:
        row = rows.get(each.name)
        position = row.position if row else 0
        after = select(AuditEvent).where(AuditEvent.seq > position, each.condition())
        oldest = session.scalars(after.order_by(AuditEvent.seq).limit(1)).first()
        waiting = session.scalar(select(func.count()).select_from(after.subquery())) if oldest else 0
        oldest_at = oldest.occurred_at if oldest else None
        if each.make is not None:  # objects queued and not made yet wait too
            objects, since = consumer_work.waiting(session, each.name)
            waiting += objects
            oldest_at = min(filter(None, (oldest_at, since)), default=None)
        lags.append(
            Lag(
                each.name,
                each.title,
                position if oldest else end,  # nothing it follows waits: it has read the whole log
                end,
                waiting,
                oldest_at,
                row.failed_at if row else None,
                row.error if row else None,
            )
        )
    return unsequenced(session), lags
