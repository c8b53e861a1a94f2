"""The audit log without a global lock: writers append without waiting for each other, the sequencer puts
committed events in commit order and chains them, and changing, reordering or removing entries is caught."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from digitalmarket.core import audit, consumers
from digitalmarket.core.audit import AuditEvent
from digitalmarket.core.sequencer import head


def append(db, action: str, object_id: str = "1") -> None:
    with db.transaction() as session:
        audit.record(session, actor_user_id=None, action=action, object_type="test", object_id=object_id)


def log_order(db) -> list[str]:
    with db.reading() as session:
        return list(
            session.scalars(select(AuditEvent.action).where(AuditEvent.seq.is_not(None)).order_by(AuditEvent.seq))
        )


def test_every_committed_event_is_sequenced_and_chained_at_once(db):
    for n in range(5):
        append(db, f"test.step{n}")
    assert log_order(db) == [f"test.step{n}" for n in range(5)]
    with db.reading() as session:
        assert audit.verify_chain(session).checked == 5
        assert head(session) == 5


def test_a_writer_does_not_wait_for_another_writers_commit_and_the_log_follows_commit_order(db, backend):
    """A appends first and commits last: B neither waits for A nor lands behind it in the log. B must end
    while A's transaction is still open (A commits only once B has ended), so a B that waited for A's commit
    could never end: no duration is measured, and a slow machine only makes both take longer."""
    if backend != "postgresql":
        pytest.skip("SQLite has one writer at a time by design")
    appended, release, b_done = threading.Event(), threading.Event(), threading.Event()

    def slow_writer() -> None:
        with db.transaction() as session:
            audit.record(session, actor_user_id=None, action="test.first_appended", object_type="test", object_id="a")
            appended.set()
            release.wait(120)

    def second_writer() -> None:
        append(db, "test.committed_first", "b")
        b_done.set()

    slow = threading.Thread(target=slow_writer)
    slow.start()
    try:
        assert appended.wait(60)
        second = threading.Thread(target=second_writer)
        second.start()
        assert b_done.wait(100), "the second writer waited for the first one's commit"
        assert slow.is_alive(), "the first writer's transaction was still open when the second one ended"
    finally:
        release.set()
        slow.join()
    second.join()
    assert log_order(db) == ["test.committed_first", "test.first_appended"]
    with db.reading() as session:
        assert audit.verify_chain(session).ok


def test_reordering_two_entries_is_caught(db):
    for n in range(4):
        append(db, f"test.step{n}")
    with db.transaction() as session:
        session.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(seq=-2))
        session.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(seq=2))
        session.execute(update(AuditEvent).where(AuditEvent.seq == -2).values(seq=3))
    with db.reading() as session:
        report = audit.verify_chain(session)
    assert not report.ok and report.checked == 1


def test_removing_an_entry_in_the_middle_is_caught(db):
    for n in range(4):
        append(db, f"test.step{n}")
    with db.transaction() as session:
        session.execute(AuditEvent.__table__.delete().where(AuditEvent.seq == 2))
    with db.reading() as session:
        report = audit.verify_chain(session)
    assert not report.ok and "entry 2 is missing" in report.problem


# --- consumers ------------------------------------------------------------------------------------------------


@pytest.fixture
def seen():
    """A consumer that records the objects of ``test.`` events in a list, installed for one test."""
    before, steps = consumers.installed(), consumers._steps
    handled: list[str] = []
    failing: set[str] = set()

    def handle(session, events):
        for event in events:
            if event.object_id in failing:
                raise RuntimeError(f"cannot handle {event.object_id}")
            handled.append(event.object_id)

    def reset(session):
        handled.clear()

    consumers.install([consumers.consumer("test-list", "test.", handle, reset=reset)], sequenced_with=steps)
    yield handled, failing
    consumers.install(before, sequenced_with=steps)


def test_a_consumer_follows_each_commit_in_log_order(db, seen):
    handled, _ = seen
    for n in range(3):
        append(db, "test.made", str(n))
    append(db, "other.made", "x")  # not followed
    assert handled == ["0", "1", "2"]
    with db.reading() as session:
        _, lags = consumers.status(session)
    assert [(lag.name, lag.waiting) for lag in lags] == [("test-list", 0)]


def test_a_consumer_that_fails_mid_batch_loses_and_repeats_nothing(db, seen, monkeypatch):
    handled, failing = seen
    monkeypatch.setenv("DM_CONSUMERS", "worker")  # nothing runs after commit: one batch of three
    for n in range(3):
        append(db, "test.made", str(n))
    failing.add("1")
    report = consumers.run(db, wait=True)
    assert "test-list" in report.failed
    assert handled == ["0"]  # appended before the failure, but its transaction was rolled back
    handled.clear()
    with db.reading() as session:
        _, lags = consumers.status(session)
    assert lags[0].waiting == 3 and "cannot handle 1" in lags[0].error
    failing.clear()
    consumers.run(db, wait=True)
    assert handled == ["0", "1", "2"]
    consumers.run(db, wait=True)
    assert handled == ["0", "1", "2"]
    with db.reading() as session:
        _, lags = consumers.status(session)
    assert lags[0].waiting == 0 and lags[0].error is None


def test_a_replay_from_the_start_gives_what_following_live_gave(db, seen):
    handled, _ = seen
    for n in range(4):
        append(db, "test.made", str(n))
    live = list(handled)
    consumers.replay(db, "test-list")
    assert handled == live == ["0", "1", "2", "3"]


def test_a_consumers_slow_work_lets_every_other_writer_write_and_is_handled_once(db):
    """A consumer with slow work (a PDF) prepares it without holding SQLite's write lock: a step committed
    meanwhile by another connection goes through at once; what was prepared is written once."""
    before, steps = consumers.installed(), consumers._steps
    written: list[tuple[str, str]] = []
    short = db.__class__(db.url, db.waits.__class__(lock_seconds=1, statement_seconds=30, pool_seconds=5))

    def prepare(session, events):
        append(short, "other.step_meanwhile", "x")  # another writer commits while the work is prepared
        return {event.object_id: f"문서 {event.object_id}" for event in events}

    def handle(session, events, prepared):
        written.extend((event.object_id, prepared[event.object_id]) for event in events)

    consumers.install([consumers.consumer("slow", "test.", handle, prepare=prepare)], sequenced_with=steps)
    try:
        append(db, "test.made", "7")
    finally:
        consumers.install(before, sequenced_with=steps)
        short.dispose()
    assert written == [("7", "문서 7")]
    consumers.run(db, wait=True)
    assert log_order(db) == ["test.made", "other.step_meanwhile"]


# --- consumers with slow work per object ------------------------------------------------------------------


@pytest.fixture
def made():
    """A consumer that makes something slow per object of ``test.`` events (``make``), installed for one
    test: ``hooks[object_id]`` runs inside its slow work, ``written`` is what it wrote, in order."""
    before, steps = consumers.installed(), consumers._steps
    written: list[tuple[str, str]] = []
    hooks: dict = {}

    def make(session, object_id):
        if object_id in hooks:
            hooks[object_id]()
        return f"문서 {object_id}"

    def handle(session, object_id, document):
        written.append((object_id, document))

    consumers.install([consumers.consumer("slow-each", "test.", handle, make=make)], sequenced_with=steps)
    yield written, hooks
    consumers.install(before, sequenced_with=steps)


def test_slow_work_per_object_holds_no_claim_so_another_object_is_made_meanwhile(db, made):
    """While one object's slow work runs, another writer's object is queued and made at once (it waits
    neither for the consumer's position nor for the other object), and each is written once."""
    written, hooks = made
    other_done = threading.Event()

    def while_making_one() -> None:
        other = threading.Thread(target=lambda: (append(db, "test.made", "2"), other_done.set()))
        other.start()
        other.join(20)

    hooks["1"] = while_making_one
    append(db, "test.made", "1")
    assert other_done.is_set(), "the second object waited for the first one's slow work"
    assert written == [("2", "문서 2"), ("1", "문서 1")]
    consumers.run(db, wait=True)
    assert written == [("2", "문서 2"), ("1", "문서 1")]
    with db.reading() as session:
        _, lags = consumers.status(session)
    assert [(lag.name, lag.waiting) for lag in lags] == [("slow-each", 0)]


def test_slow_work_that_fails_or_whose_worker_died_is_done_again_once(db, made, monkeypatch):
    from digitalmarket.core.consumer_work import ConsumerTask
    from digitalmarket.core.tables import utcnow

    written, hooks = made
    monkeypatch.setenv("DM_CONSUMERS", "worker")  # nothing runs after commit
    append(db, "test.made", "1")

    def crash() -> None:
        raise RuntimeError("the PDF cannot be made")

    hooks["1"] = crash
    report = consumers.run(db, wait=True)
    assert "slow-each" in report.failed and written == []
    with db.reading() as session:
        _, lags = consumers.status(session)
    assert lags[0].waiting == 1 and "cannot be made" in lags[0].error  # queued, shown as waiting
    del hooks["1"]
    consumers.run(db, wait=True)
    assert written == [("1", "문서 1")]
    with db.reading() as session:
        _, lags = consumers.status(session)
    assert lags[0].waiting == 0 and lags[0].error is None

    # a worker died while making object 3: its lease keeps others off until it lapses, then it is made once
    append(db, "test.made", "3")
    consumers.run(db, only=["slow-each"], wait=False)  # queued and made: start again from a dead worker's row
    written.clear()
    with db.transaction() as session:
        session.add(
            ConsumerTask(
                consumer="slow-each",
                object_id="3",
                requested=head(session),
                requested_at=utcnow(),
                lease="dead-worker",
                leased_until=utcnow() + timedelta(seconds=30),
            )
        )
    consumers.run(db)
    assert written == []
    with db.transaction() as session:
        session.execute(update(ConsumerTask).values(leased_until=utcnow() - timedelta(seconds=1)))
    consumers.run(db)
    consumers.run(db)
    assert written == [("3", "문서 3")]
    with db.reading() as session:
        assert session.scalar(select(ConsumerTask.object_id)) is None
