"""A calendar for demo history: steps run in date order with the application's clock set to each step's
moment, so every record, audit event and notification carries the day it happened.

Workflows are called with their own ``now`` where they take one; the clock covers what they stamp
themselves (audit events, default timestamps). A step that a workflow refuses is rolled back alone.
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from ..core import clock, tables
from ..core.clock import KST
from ..core.errors import DomainError

log = logging.getLogger(__name__)

Step = Callable[[datetime], None]


class Skip(Exception):  # noqa: N818
    """A step whose earlier step was refused: nothing to do."""


def need(box: dict, key: str):
    """What an earlier step of the same story made, or Skip."""
    if key not in box:
        raise Skip(key)
    return box[key]


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """The application's clock reads ``moment`` inside the block (the demo seeds history with it)."""

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            return moment.astimezone(tz) if tz else moment.astimezone(UTC).replace(tzinfo=None)

    saved = clock.datetime, tables.datetime
    clock.datetime = tables.datetime = Frozen
    try:
        yield
    finally:
        clock.datetime, tables.datetime = saved


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """A moment of a day in Korea."""
    return datetime.combine(day, time(hour, minute), tzinfo=KST)


class Calendar:
    """Steps by moment; ``run`` plays them in order up to ``until``, with the daily jobs each morning."""

    def __init__(self, session: Session, until: datetime) -> None:
        self.session = session
        self.until = until
        self._queue: list[tuple[datetime, int, Step]] = []
        self._count = 0
        self.done = 0
        self.skipped = 0
        self.refused: list[str] = []

    def add(self, moment: datetime, step: Step) -> None:
        if moment <= self.until:
            self._count += 1
            heapq.heappush(self._queue, (moment, self._count, step))

    def later(self, moment: datetime, days: float, step: Step, hour: int | None = None) -> None:
        """Schedule ``step`` some days after ``moment`` (at ``hour`` KST when given)."""
        when = moment + timedelta(days=days)
        if hour is not None:
            when = at(when.astimezone(KST).date(), hour, when.minute)
        self.add(when, step)

    def run(self, first_day: date, daily: Callable[[date], None]) -> None:
        day = first_day
        while self._queue or day <= self.until.astimezone(KST).date():
            morning = at(day, 0, 10)
            while self._queue and self._queue[0][0] < morning:
                self._play(*heapq.heappop(self._queue))
            if morning > self.until:
                break
            with clock_at(morning), self.session.begin_nested():
                daily(day)
            day += timedelta(days=1)
        while self._queue:
            self._play(*heapq.heappop(self._queue))

    def _play(self, moment: datetime, _: int, step: Step) -> None:
        try:
            with clock_at(moment), self.session.begin_nested():
                step(moment)
            self.done += 1
        except Skip:
            self.skipped += 1
        except DomainError as error:
            self.refused.append(f"{moment:%Y-%m-%d} {getattr(step, '__name__', step)}: {error.message.msgid}")
            log.info("demo step refused at %s: %s", moment, error.message.msgid)
