"""After-commit consumers: read models that follow the audit log, each at its own pace.

A step commits its rows and its audit events and nothing slow (`core.events` for what must be exact at
commit). Right after, `run` sequences the committed events (`core.sequencer`) and hands them, in log
order, to each *consumer*: the OCDS releases, the contract documents, ... (the list is in
`digitalmarket.subscribers`). A consumer

- reads the events after its position, in batches, and handles those whose action it follows (the same
  names as a subscription: ``"order.contracted"`` or every action of a kind, ``"order."``), in one
  transaction with the new position: a crash mid-batch rolls both back, so nothing is lost or handled twice;
- is claimed by one worker at a time (PostgreSQL: its position row ``FOR UPDATE SKIP LOCKED``; another
  worker passes it by), so several processes and threads may run consumers at once; the claim and the
  batch are one statement, and moving the position on another (`core.consumer_positions`);
- with slow work per object (``make``: the contract documents), only queues the objects under the claim
  and does the work afterwards, each object under a lease of its own (`core.consumer_work`), so that
  workers make several objects at once and never wait for each other's slow work;
- can be replayed from the start (`replay`; ``digitalmarket rebuild NAME``): its ``reset`` empties what it
  wrote and its position goes back to 0;
- shows how far behind it is (`status`: ``/healthz/consumers`` and the operator's page).

Where consumers run. ``DM_CONSUMERS=inline`` (the default): the thread that committed runs them right after
its commit, so a request's own changes are followed before it answers (the commits of one process that
come while its consumers run are followed together in the next round: `core.consumer_rounds`), and a
follower thread of each process (`Follower`) catches up with whatever another process or a passed-by claim
left: twice a second after a commit with events on this machine (`core.change_signal`), at least every five
seconds otherwise.
``DM_CONSUMERS=worker``: requests only wake their process's follower, and ``digitalmarket worker`` runs too.
A consumer that fails records its error on its position row and tries again on the next run; the step that
committed is never undone by it.

The consumers of one commit (those without ``prepare``) run in one transaction: one statement claims them
all with their batches, each handles its own, one statement moves their positions on (`_handle_together`).
If one of them fails, they all roll back and each runs again in a transaction of its own, so that one
consumer's failure neither holds the others back nor is hidden. The process's follower thread is in
`core.consumer_follower`, the lag each consumer shows in `core.consumer_lag`.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import event, or_, select
from sqlalchemy.orm import Session, object_session

from . import consumer_lag, consumer_rounds, consumer_work
from . import database as database_module
from .audit import APPENDED, AuditEvent
from .consumer_follower import Follower
from .consumer_lag import Lag
from .consumer_positions import (
    claim,
    claim_batch,
    claim_batches,
    has_work,
    move_on,
    move_on_together,
    record_failure,
)
from .errors import Busy
from .sequencer import BATCH, Step, sequence
from .tables import utcnow

__all__ = ["Consumer", "Follower", "Lag", "consumer", "install", "installed", "named", "replay", "run", "status"]

log = logging.getLogger("digitalmarket.consumers")

Handler = Callable[..., None]  # (session, events) or, with a `Consumer.prepare`, (session, events, prepared)
Prepare = Callable[[Session, Sequence[AuditEvent]], object]
Reset = Callable[[Session], None]
Make = Callable[[Session, str], object]  # (session, object_id) -> what handle(session, object_id, made) writes

#: `Session.info` key: (action, object id) of each event this session appended (`_remember_object`)
OBJECTS = "audit_objects"


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
        objects = session.info.get(OBJECTS, ())
        # the sequencer and the claims with the other commits of this process that come meanwhile
        # (`consumer_rounds`), then this commit's own slow work, which holds no other commit back
        consumer_rounds.of(db).follow(
            appended,
            objects,
            lambda actions, all_objects: _logged(run, db, after_commit=actions, objects=all_objects, work=False),
        )
        _logged(work_objects, db, appended, objects)


def _logged(call, *args, **kwargs) -> None:
    """``call(*args, **kwargs)`` after a commit: a failure is logged, never raised (the step has committed;
    the follower tries again)."""
    try:
        call(*args, **kwargs)
    except Exception:  # noqa: BLE001
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
    work: bool = True,
) -> RunReport:
    """Sequence the committed events, then bring each consumer up to the log's end. ``wait``: wait for a
    consumer another worker holds instead of passing it by (tools and tests that need it done).

    ``after_commit``: the actions of the events a thread has just committed. Only the consumers that follow
    one of them run, each waiting for its claim (another worker may hold it) and without first asking
    whether it has work: once this run returns, the thread's own events are handled, whichever worker
    sequenced them (the sequencer's lock makes a sequencer wait for the one before it to commit).
    ``objects``: (action, object id) of those events; a consumer with ``make`` then makes those objects
    (waiting for one another worker is making), and otherwise every object queued for it. ``work=False``:
    the objects are queued, not made (the committing thread makes its own: `work_objects`)."""
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
        together = {}
        if own and wanted is None:
            together = _handle_together(db, [e for e in _consumers if e.prepare is None and _follows(e, own)])
        for each in _consumers:
            if wanted is not None and each.name not in wanted:
                continue
            if own and not _follows(each, own):
                continue
            if each.name in together:
                handled, error = together[each.name], None
            else:
                handled, error = _catch_up(db, each, wait or bool(own), check=not own)
            if each.make is not None and not error and work:
                # its own objects (every one queued when the commit's objects are not known)
                error = _work(db, each, _objects_of(each, objects) if own else None, wait=wait or bool(own))
            report.handled[each.name] = handled
            if error:
                report.failed[each.name] = error
    finally:
        _local.running = False
    return report


def work_objects(db, actions: Iterable[str], objects: Iterable[tuple[str, str]]) -> None:
    """The slow work per object (`Consumer.make`) of a commit's own events, once they are queued: each
    object is made in this thread, waiting only for one another worker is making."""
    own = set(actions)
    _local.running = True
    try:
        for each in _consumers:
            if each.make is not None and _follows(each, own):
                _work(db, each, _objects_of(each, objects), wait=True)
    finally:
        _local.running = False


def _objects_of(each: Consumer, objects: Iterable[tuple[str, str]]) -> list[str] | None:
    """The objects of these (action, object id) pairs that the consumer follows; None (every object queued
    for it) when there are none."""
    return sorted({key for action, key in objects if each.matches(action)}) or None


def _work(db, each: Consumer, objects: list[str] | None, *, wait: bool) -> str | None:
    """Make the objects (every one queued: None) of a consumer with `Consumer.make`; the error, if any."""
    _, error, recovered = consumer_work.work(db, each, objects, wait=wait)
    if error:
        record_failure(db, each.name, RuntimeError(error))
    elif recovered:
        record_failure(db, each.name, None)
    return error


def _follows(each: Consumer, actions: Iterable[str]) -> bool:
    return any(each.matches(action) for action in actions)


def _handle_together(db, together: Sequence[Consumer]) -> dict[str, int]:
    """The consumers of one commit (those without `Consumer.prepare`) in one transaction: one statement
    claims them all and reads their batches (`consumer_positions.claim_batches`), each handles its own
    (or queues its objects), and one statement moves their positions on. How many events each handled,
    for those that reached the log's end; {} when one failed, and then all of them roll back, to run each
    in a transaction of its own (`_catch_up`), where a failure is recorded on its own row."""
    if len(together) < 2:
        return {}
    try:
        with db.transaction() as session:
            batches = claim_batches(session, {each.name: each.condition() for each in together})
            for each in together:
                batch = batches.get(each.name)
                if batch is None or not batch.events:
                    continue
                if each.make is not None:
                    consumer_work.queue(session, each.name, batch.events)
                else:
                    each.handle(session, batch.events)
            move_on_together(session, {name: batch.end for name, batch in batches.items() if not batch.empty})
    except Exception:  # noqa: BLE001 - each runs alone next, and records its own failure
        log.info("The consumers of a commit failed together; each runs alone", exc_info=True)
        return {}
    return {name: len(batch.events) for name, batch in batches.items() if not batch.more}


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
            prepared, seen = _prepare_outside(db, each)
            if each.prepare is not None and db.is_sqlite and seen is None:
                return handled, None  # nothing after its position
            with db.transaction() as session:
                # the claim and the batch in one statement (`consumer_positions.claim_batch`)
                upto = seen.end if seen is not None else None
                batch = claim_batch(session, each.name, each.condition(), lock="wait" if wait else "skip", upto=upto)
                if batch is None or batch.empty:
                    return handled, None
                if seen is not None and seen.position != batch.position:
                    continue  # another worker handled events meanwhile: prepare again from its position
                if batch.events and each.make is not None:
                    consumer_work.queue(session, each.name, batch.events)
                elif batch.events and each.prepare is None:
                    each.handle(session, batch.events)
                elif batch.events:
                    if seen is None:  # PostgreSQL: prepared here, under the claim
                        prepared = each.prepare(session, batch.events)
                    each.handle(session, batch.events, prepared)
                move_on(session, each.name, batch.end)
                handled += len(batch.events)
        except Busy:  # another worker held it past the lock bound: it or the follower hands the events on
            return handled, None
        except Exception as error:  # noqa: BLE001 - recorded, shown, and tried again on the next run
            log.exception("Consumer %s failed", each.name)
            record_failure(db, each.name, error)
            return handled, f"{type(error).__name__}: {error}"
        if not batch.more:
            return handled, None


def _prepare_outside(db, each: Consumer):
    """On SQLite, the slow part of a consumer with `Consumer.prepare`, in a read transaction (no write lock):
    what it prepared and the batch it read (Nones when there is nothing to prepare outside). The claiming
    transaction then handles exactly the events of that batch."""
    if each.prepare is None or not db.is_sqlite:
        return None, None
    with db.reading() as session:
        batch = claim_batch(session, each.name, each.condition(), lock=None)
        prepared = each.prepare(session, batch.events) if batch is not None and batch.events else None
    if batch is None:  # its first run: its row first
        with db.transaction() as session:
            claim(session, each.name, wait=True)
        return _prepare_outside(db, each)
    if batch.empty:
        return None, None
    return prepared, batch


def _has_work(db, each: Consumer) -> bool:
    with db.reading() as session:
        return has_work(session, each.name, each.condition())


def replay(db, name: str) -> RunReport:
    """Empty what consumer ``name`` wrote and follow the whole log again."""
    each = named(name)
    with db.transaction() as session:
        row = claim(session, name, wait=True)
        if each.reset is not None:
            each.reset(session)
        if each.make is not None:
            consumer_work.forget(session, name)
        row.position, row.updated_at, row.failed_at, row.error = 0, utcnow(), None, None
    return run(db, wait=True, only=[name])


# --- how far behind -----------------------------------------------------------------------------------------


def status(session: Session) -> tuple[int, list[Lag]]:
    """The events waiting for the sequencer, and each consumer's lag (`core.consumer_lag`)."""
    return consumer_lag.status(session, _consumers)
