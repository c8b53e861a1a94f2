"""The consumers' claims: the claim and the batch in one statement, and the consumers of one commit in one
transaction, without losing, repeating or hiding anything."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from digitalmarket.core import audit, consumers
from digitalmarket.core.consumer_positions import claim_batch, move_on


def append(db, action: str, object_id: str = "1") -> None:
    with db.transaction() as session:
        audit.record(session, actor_user_id=None, action=action, object_type="test", object_id=object_id)


@pytest.fixture
def two():
    """Two consumers of ``test.`` events, each recording the objects it handled in a transaction that
    committed (what a rolled-back transaction handled is forgotten, as its rows would be); ``failing[name]``
    are the objects that consumer cannot handle."""
    before, steps = consumers.installed(), consumers._steps
    handled: dict[str, list[str]] = {"first": [], "second": []}
    failing: dict[str, set[str]] = {"first": set(), "second": set()}

    def handler(name):
        def handle(session, events):
            for each in events:
                if each.object_id in failing[name]:
                    raise RuntimeError(f"{name} cannot handle {each.object_id}")
                session.info.setdefault("test_handled", []).append((name, each.object_id))

        return handle

    def committed(session):
        for name, key in session.info.pop("test_handled", []):
            handled[name].append(key)

    def rolled_back(session):
        session.info.pop("test_handled", None)

    event.listen(Session, "after_commit", committed)
    event.listen(Session, "after_rollback", rolled_back)

    consumers.install(
        [consumers.consumer(name, "test.", handler(name)) for name in ("first", "second")], sequenced_with=steps
    )
    yield handled, failing
    event.remove(Session, "after_commit", committed)
    event.remove(Session, "after_rollback", rolled_back)
    consumers.install(before, sequenced_with=steps)


def lags(db) -> dict[str, tuple[int, str | None]]:
    with db.reading() as session:
        _, found = consumers.status(session)
    return {lag.name: (lag.waiting, lag.error) for lag in found}


def test_the_consumers_of_a_commit_follow_it_together_and_each_once(db, two):
    handled, _ = two
    for n in range(3):
        append(db, "test.made", str(n))
    append(db, "other.made", "x")  # followed by neither
    assert handled == {"first": ["0", "1", "2"], "second": ["0", "1", "2"]}
    consumers.run(db, wait=True)
    assert handled == {"first": ["0", "1", "2"], "second": ["0", "1", "2"]}
    assert lags(db) == {"first": (0, None), "second": (0, None)}


def test_one_consumer_failing_holds_back_neither_the_other_nor_its_own_events(db, two):
    """The commit's consumers roll back together when one fails; each then runs alone: the other handles
    the event once, the failing one shows its error and handles the event once it can."""
    handled, failing = two
    append(db, "test.made", "0")
    failing["second"].add("1")
    append(db, "test.made", "1")
    assert handled == {"first": ["0", "1"], "second": ["0"]}
    waiting, error = lags(db)["second"]
    assert waiting == 1 and "second cannot handle 1" in error
    assert lags(db)["first"] == (0, None)
    failing["second"].clear()
    append(db, "test.made", "2")
    assert handled == {"first": ["0", "1", "2"], "second": ["0", "1", "2"]}
    assert lags(db) == {"first": (0, None), "second": (0, None)}


@pytest.mark.parametrize("backend", ["postgresql"])  # on SQLite, write transactions take turns before they read
def test_a_claim_that_waited_for_another_worker_reads_on_from_where_it_left(db, two, monkeypatch):
    """A worker that waits for the claim another holds gets the position that one moved to, and never the
    events it handled, though its statement began before the other committed."""
    monkeypatch.setenv("DM_CONSUMERS", "worker")  # nothing runs after commit
    for n in range(2):
        append(db, "test.made", str(n))
    consumers.run(db, only=[])  # sequenced, handled by nobody
    condition = consumers.named("first").condition()
    holding, waited = threading.Event(), {}

    def first_worker() -> None:
        with db.transaction() as session:
            batch = claim_batch(session, "first", condition, lock="wait")
            holding.set()
            while not waited.get("started"):
                threading.Event().wait(0.05)
            threading.Event().wait(0.3)  # the other worker is now waiting for the row
            move_on(session, "first", batch.end)

    def second_worker() -> None:
        with db.transaction() as session:
            waited["started"] = True
            waited["batch"] = claim_batch(session, "first", condition, lock="wait")

    one = threading.Thread(target=first_worker)
    one.start()
    assert holding.wait(10)
    other = threading.Thread(target=second_worker)
    other.start()
    one.join(20)
    other.join(20)
    batch = waited["batch"]
    assert batch.position == 2 and batch.events == [] and batch.empty
    with db.transaction() as session:
        assert claim_batch(session, "first", condition, lock="skip").position == 2
