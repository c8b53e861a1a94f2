"""After-commit consumers: read models that follow the audit log, each at its own pace.

A step commits its rows and its audit events and nothing slow (`core.events` for what must be exact at
commit). Right after, `run` sequences the committed events (`core.sequencer`) and hands them, in log
order, to each *consumer*: the OCDS releases, the contract documents, ... (the list is in
`digitalmarket.subscribers`). A consumer

- reads the events after its position, in batches, and handles those whose action it follows (the same
  names as a subscription: ``"order.contracted"`` or every action of a kind, ``"order."``), in one
  transaction with the new position: a crash mid-batch rolls both back, so nothing is lost or handled twice;
- is claimed by one worker at a time (PostgreSQL: its position row ``FOR UPDATE SKIP LOCKED``; another
  worker passes it by), so several processes and threads may run consumers at once;
- with slow work per object (``make``: the contract documents), only queues the objects under the claim
  and does the work afterwards, each object under a lease of its own (`core.consumer_work`), so that
  workers make several objects at once and never wait for each other's slow work;
- can be replayed from the start (`replay`; ``digitalmarket rebuild NAME``): its ``reset`` empties what it
  wrote and its position goes back to 0;
- shows how far behind it is (`status`: ``/healthz/consumers`` and the operator's page).

Where consumers run. ``DM_CONSUMERS=inline`` (the default): the thread that committed runs them right after
its commit, so a request's own changes are followed before it answers, and a follower thread of each
process (`Follower`) catches up twice a second with whatever another process or a passed-by claim left.
``DM_CONSUMERS=worker``: requests only wake their process's follower, and ``digitalmarket worker`` runs too.
A consumer that fails records its error on its position row and tries again on the next run; the step that
committed is never undone by it.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, String, Text, event, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column, object_session

from . import consumer_work
from . import database as database_module
from .audit import APPENDED, AuditEvent
from .errors import Busy
from .sequencer import BATCH, Step, head, sequence, unsequenced
from .tables import Base, UTCDateTime, utcnow

log = logging.getLogger("digitalmarket.consumers")

Handler = Callable[..., None]  # (session, events) or, with a `Consumer.prepare`, (session, events, prepared)
Prepare = Callable[[Session, Sequence[AuditEvent]], object]
Reset = Callable[[Session], None]
Make = Callable[[Session, str], object]  # (session, object_id) -> what handle(session, object_id, made) writes

#: `Session.info` key: (action, object id) of each event this session appended (`_remember_object`)
OBJECTS = "audit_objects"


class ConsumerPosition(Base):
    """How far one consumer has read the audit log, and its last failure."""

    __tablename__ = "consumer_positions"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)


@dataclass(frozen=True)
class Consumer:
    """A read model that follows the events whose action is one of ``actions`` (an exact action, or every
    action of a kind ending in a dot). ``reset`` empties what it wrote, for a replay from the start.

    ``prepare``, for a consumer with slow work (a PDF): ``prepare(session, events)`` does it and returns
    what ``handle(session, events, prepared)`` then writes. On SQLite, whose write lock every writer
    waits for, `prepare` runs in a read transaction before the write transaction that claims the consumer,
    so that nothing slow runs while the write lock is held; the claim then checks that nobody handled the
    events meanwhile. On PostgreSQL both run in the claiming transaction, which holds only the consumer's
    row, so that two workers never do the same slow work.

    ``make``, for slow work per object that workers do side by side: the claim only queues the objects the
    events name, and each is then made by ``make(session, object_id)`` in a read transaction and written
    by ``handle(session, object_id, made)``, under a lease of that object alone (`core.consumer_work`)."""

    name: str
    actions: tuple[str, ...]
    handle: Handler
    reset: Reset | None = None
    title: str = ""
    prepare: Prepare | None = None
    make: Make | None = None

    def matches(self, action: str) -> bool:
        return any(action == name or (name.endswith(".") and action.startswith(name)) for name in self.actions)

    def condition(self):
        """The same test in SQL, to find out cheaply whether anything waits for this consumer."""
        return or_(
            *(
                AuditEvent.action.startswith(name, autoescape=True) if name.endswith(".") else AuditEvent.action == name
                for name in self.actions
            )
        )


def consumer(
    name: str,
    actions: str | Iterable[str],
    handle: Handler,
    *,
    reset: Reset | None = None,
    title: str = "",
    prepare: Prepare | None = None,
    make: Make | None = None,
) -> Consumer:
    names = (actions,) if isinstance(actions, str) else tuple(actions)
    if not names:
        raise ValueError("a consumer follows at least one action")
    if prepare is not None and make is not None:
        raise ValueError("a consumer prepares its batches or makes its objects, not both")
    return Consumer(name, names, handle, reset, title or name, prepare, make)


_consumers: tuple[Consumer, ...] = ()
_steps: tuple[Step, ...] = ()
_local = threading.local()


def install(consumers: Iterable[Consumer], *, sequenced_with: Iterable[Step] = ()) -> None:
    """Replace the consumers (called by `digitalmarket.subscribers.install`); ``sequenced_with`` are the
    steps numbered in commit order under the sequencer's lock. Commits that append events run them."""
    global _consumers, _steps
    _consumers = tuple(consumers)
    _steps = tuple(sequenced_with)
    database_module.after_commit(_committed)


def installed() -> tuple[Consumer, ...]:
    return _consumers


def named(name: str) -> Consumer:
    for each in _consumers:
        if each.name == name:
            return each
    raise KeyError(name)


def mode() -> str:
    """``inline`` (the committing thread runs the consumers) or ``worker`` (followers only)."""
    value = (os.environ.get("DM_CONSUMERS") or "inline").strip().lower()
    return value if value in ("inline", "worker") else "inline"


@event.listens_for(AuditEvent, "after_insert")
def _remember_object(_mapper, _connection, row: AuditEvent) -> None:
    """Which objects a session's events name, for the consumers that make something per object."""
    session = object_session(row)
    if session is not None:
        session.info.setdefault(OBJECTS, set()).add((row.action, row.object_id))


def _committed(db, session: Session) -> None:
    """After a commit: run everything at once (inline), or wake the process's follower."""
    appended = session.info.get(APPENDED)
    if not appended:
        return
    if mode() == "worker":
        Follower.wake(db)
    elif not getattr(_local, "running", False):
        try:
            run(db, after_commit=appended, objects=session.info.get(OBJECTS, ()))
        except Exception:  # noqa: BLE001 - the step has committed; the follower tries again
            log.exception("Following the audit log after a commit failed")


# --- running ----------------------------------------------------------------------------------------------


@dataclass
class RunReport:
    sequenced: int = 0
    handled: dict[str, int] | None = None
    failed: dict[str, str] | None = None


def run(
    db,
    *,
    wait: bool = False,
    only: Iterable[str] | None = None,
    after_commit: Iterable[str] = (),
    objects: Iterable[tuple[str, str]] = (),
) -> RunReport:
    """Sequence the committed events, then bring each consumer up to the log's end. ``wait``: wait for a
    consumer another worker holds instead of passing it by (tools and tests that need it done).

    ``after_commit``: the actions of the events a thread has just committed. Only the consumers that follow
    one of them run, each waiting for its claim (another worker may hold it) and without first asking
    whether it has work: once this run returns, the thread's own events are handled, whichever worker
    sequenced them (the sequencer's lock makes a sequencer wait for the one before it to commit).
    ``objects``: (action, object id) of those events; a consumer with ``make`` then makes those objects
    (waiting for one another worker is making), and otherwise every object queued for it."""
    _local.running = True
    report = RunReport(handled={}, failed={})
    own = set(after_commit)
    try:
        while own or _has_unsequenced(db):
            with db.transaction() as session:
                sequenced = sequence(session, also=_steps)
            report.sequenced += len(sequenced)
            if len(sequenced) < BATCH:
                break
        wanted = set(only) if only is not None else None
        for each in _consumers:
            if wanted is not None and each.name not in wanted:
                continue
            if own and not any(each.matches(action) for action in own):
                continue
            handled, error = _catch_up(db, each, wait or bool(own), check=not own)
            if each.make is not None and not error:
                # its own objects (every one queued when the commit's objects are not known)
                mine = sorted({key for action, key in objects if each.matches(action)}) if own else None
                _, error, recovered = consumer_work.work(db, each, mine or None, wait=wait or bool(own))
                if error:
                    _record_failure(db, each.name, RuntimeError(error))
                elif recovered:
                    _record_failure(db, each.name, None)
            report.handled[each.name] = handled
            if error:
                report.failed[each.name] = error
    finally:
        _local.running = False
    return report


def _has_unsequenced(db) -> bool:
    with db.reading() as session:
        return session.scalar(select(AuditEvent.id).where(AuditEvent.seq.is_(None)).limit(1)) is not None


def _catch_up(db, each: Consumer, wait: bool, check: bool = True) -> tuple[int, str | None]:
    """Hand the events after the consumer's position to it, a batch per transaction, until the log's end.
    ``check``: first ask, without a transaction, whether anything waits for it."""
    handled = 0
    while True:
        if check and not _has_work(db, each):
            return handled, None
        check = True
        try:
            prepared, seen, upto = _prepare_outside(db, each)
            if each.prepare is not None and db.is_sqlite and seen is None:
                return handled, None  # nothing after its position
            with db.transaction() as session:
                claimed = _claim(session, each.name, wait)
                if claimed is None:
                    return handled, None
                position = claimed.position
                if seen is not None and seen != position:
                    continue  # another worker handled events meanwhile: prepare again from its position
                window = _window(session, position, upto)
                if not window:
                    return handled, None
                ids = [row.id for row in window if each.matches(row.action)]
                if ids and each.make is not None:
                    consumer_work.queue(session, each.name, [row for row in window if each.matches(row.action)])
                elif ids:
                    query = select(AuditEvent).where(AuditEvent.id.in_(ids)).order_by(AuditEvent.seq)
                    matching = list(session.scalars(query))
                    if each.prepare is None:
                        each.handle(session, matching)
                    else:
                        if seen is None:  # PostgreSQL: prepared here, under the claim
                            prepared = each.prepare(session, matching)
                        each.handle(session, matching, prepared)
                if claimed not in session:  # a handler let go of it
                    claimed = session.get(ConsumerPosition, each.name)
                claimed.position, claimed.updated_at = window[-1].seq, utcnow()
                claimed.failed_at = claimed.error = None
                handled += len(ids)
        except Busy:  # another worker held it past the lock bound: it or the follower hands the events on
            return handled, None
        except Exception as error:  # noqa: BLE001 - recorded, shown, and tried again on the next run
            log.exception("Consumer %s failed", each.name)
            _record_failure(db, each.name, error)
            return handled, f"{type(error).__name__}: {error}"
        if len(window) < BATCH:
            return handled, None


def _window(session: Session, position: int, upto: int | None = None) -> list:
    """The next batch of the log after ``position`` (up to position ``upto``): each event's id, position,
    action and object."""
    query = select(AuditEvent.id, AuditEvent.seq, AuditEvent.action, AuditEvent.object_id)
    query = query.where(AuditEvent.seq > position)
    if upto is not None:
        query = query.where(AuditEvent.seq <= upto)
    return session.execute(query.order_by(AuditEvent.seq).limit(BATCH)).all()


def _prepare_outside(db, each: Consumer) -> tuple[object, int | None]:
    """On SQLite, the slow part of a consumer with `Consumer.prepare`, in a read transaction (no write lock):
    what it prepared, the position it started from and the last position it read (Nones when there is
    nothing to prepare outside). The claiming transaction then handles exactly those events."""
    if each.prepare is None or not db.is_sqlite:
        return None, None, None
    with db.reading() as session:
        position = session.scalar(select(ConsumerPosition.position).where(ConsumerPosition.name == each.name)) or 0
        window = _window(session, position)
        if not window:
            return None, None, None
        ids = [row.id for row in window if each.matches(row.action)]
        events = list(session.scalars(select(AuditEvent).where(AuditEvent.id.in_(ids)).order_by(AuditEvent.seq)))
        return (each.prepare(session, events) if events else None), position, window[-1].seq


def _has_work(db, each: Consumer) -> bool:
    with db.reading() as session:
        position = session.scalar(select(ConsumerPosition.position).where(ConsumerPosition.name == each.name)) or 0
        waiting = select(AuditEvent.id).where(AuditEvent.seq > position, each.condition()).limit(1)
        if session.scalar(waiting) is not None:
            return True
        # nothing it follows: move its position on when it has fallen far behind, so its reads stay short
        return (session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)) or 0) - position > BATCH


def _claim(session: Session, name: str, wait: bool) -> ConsumerPosition | None:
    """Lock the consumer's position row (made at its first run) and return it; None when another worker
    holds it and ``wait`` is false."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    # the row itself, so that moving the position on later reads nothing again (`Session.get`)
    query = select(ConsumerPosition).where(ConsumerPosition.name == name).execution_options(populate_existing=True)
    if dialect == "postgresql":
        query = query.with_for_update(skip_locked=not wait)
    row = session.scalar(query)
    if row is None:
        fresh = insert(ConsumerPosition).values(name=name, position=0, updated_at=utcnow())
        session.execute(fresh.on_conflict_do_nothing(index_elements=["name"]))
        row = session.scalar(query)
    return row


def _record_failure(db, name: str, error: Exception | None) -> None:
    """Show the consumer's failure (None: it has recovered) on its position row."""
    try:
        with db.transaction() as session:
            row = _claim(session, name, wait=True)
            if error is None:
                row.failed_at = row.error = None
            else:
                row.failed_at, row.error = utcnow(), f"{type(error).__name__}: {error}"[:2000]
    except Exception:  # noqa: BLE001 - the failure is logged already
        log.exception("Recording the failure of consumer %s failed", name)


def replay(db, name: str) -> RunReport:
    """Empty what consumer ``name`` wrote and follow the whole log again."""
    each = named(name)
    with db.transaction() as session:
        row = _claim(session, name, wait=True)
        if each.reset is not None:
            each.reset(session)
        if each.make is not None:
            consumer_work.forget(session, name)
        row.position, row.updated_at, row.failed_at, row.error = 0, utcnow(), None, None
    return run(db, wait=True, only=[name])


# --- how far behind -----------------------------------------------------------------------------------------


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


def status(session: Session) -> tuple[int, list[Lag]]:
    """The events waiting for the sequencer, and each consumer's lag."""
    end = head(session)
    rows = {row.name: row for row in session.scalars(select(ConsumerPosition))}
    lags = []
    for each in _consumers:
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


# --- the follower thread of a process -----------------------------------------------------------------------


class Follower:
    """A daemon thread that runs the consumers when a commit wakes it and every ``interval`` seconds."""

    _lock = threading.Lock()
    _running: dict[int, Follower] = {}

    def __init__(self, db, interval: float = 0.5) -> None:
        self.db, self.interval = db, interval
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._loop, name="consumers", daemon=True)

    @classmethod
    def start(cls, db, interval: float = 0.5) -> Follower:
        with cls._lock:
            follower = cls._running.get(id(db))
            if follower is None:
                follower = cls._running[id(db)] = Follower(db, interval)
                follower._thread.start()
            return follower

    @classmethod
    def wake(cls, db) -> None:
        follower = cls._running.get(id(db))
        if follower is not None:
            follower._wake.set()

    def stop(self) -> None:
        with Follower._lock:
            Follower._running.pop(id(self.db), None)
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                run(self.db)
            except Exception:  # noqa: BLE001 - the database may be away for a moment
                log.exception("Following the audit log failed")
