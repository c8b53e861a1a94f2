"""Commits that come while a process's consumers run are followed together in the next round, and each
committing thread answers only once its own events are followed (`core.consumer_rounds`)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from digitalmarket.core import audit, consumer_rounds, consumers


def append(db, action: str, object_id: str) -> None:
    with db.transaction() as session:
        audit.record(session, actor_user_id=None, action=action, object_type="test", object_id=object_id)


def until(condition, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


@pytest.fixture
def followed():
    """A consumer of ``test.`` events recording, once its transaction commits, the objects it handled;
    ``hold`` is set while it handles object "0" (which waits until ``release`` is set)."""
    before, steps = consumers.installed(), consumers._steps
    handled: list[str] = []
    hold, release = threading.Event(), threading.Event()

    def handle(session, events):
        for each in events:
            if each.object_id == "0":
                hold.set()
                release.wait(30)
            session.info.setdefault("test_followed", []).append(each.object_id)

    def committed(session):
        handled.extend(session.info.pop("test_followed", []))

    event.listen(Session, "after_commit", committed)
    consumers.install([consumers.consumer("rounds", "test.", handle)], sequenced_with=steps)
    yield handled, hold, release
    event.remove(Session, "after_commit", committed)
    consumers.install(before, sequenced_with=steps)


@pytest.mark.parametrize("backend", ["postgresql"])  # on SQLite a write waits for the round's transaction
def test_commits_that_come_while_the_consumers_run_are_followed_together_each_before_it_answers(db, followed):
    handled, hold, release = followed
    rounds = consumer_rounds.of(db)
    led = rounds.led
    answered: dict[str, list[str]] = {}

    def step(key: str) -> None:
        append(db, "test.made", key)
        answered[key] = list(handled)  # what was followed when this commit's step answered

    first = threading.Thread(target=step, args=("0",))
    first.start()
    assert hold.wait(20), "the first commit's round did not start"
    others = [threading.Thread(target=step, args=(str(n),)) for n in range(1, 5)]
    for thread in others:
        thread.start()
    assert until(lambda: rounds.waiting == 4), "the other commits did not wait for the next round"
    release.set()
    for thread in [first, *others]:
        thread.join(30)
    assert sorted(handled) == ["0", "1", "2", "3", "4"]  # each once
    for key, seen in answered.items():
        assert key in seen, f"commit {key} answered before its event was followed"
    assert rounds.led - led == 2  # the first commit's round, then one for the four that came meanwhile


def test_many_commits_at_once_each_answer_with_their_own_events_followed(db, followed):
    handled, _, release = followed
    release.set()
    answered: dict[str, list[str]] = {}
    start = threading.Barrier(6)

    def step(key: str) -> None:
        start.wait(20)
        append(db, "test.made", key)
        answered[key] = list(handled)

    threads = [threading.Thread(target=step, args=(str(n),)) for n in range(1, 7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(handled) == ["1", "2", "3", "4", "5", "6"]
    assert all(key in seen for key, seen in answered.items()) and len(answered) == 6
