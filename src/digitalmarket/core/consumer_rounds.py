"""Rounds: the commits of one process that come while its consumers run are followed together, next.

With ``DM_CONSUMERS=inline`` the thread that committed runs the consumers before it answers
(`core.consumers`). When several threads of a process commit at once (the requests of a busy server), each
running them on its own would repeat the same fixed work side by side: a sequencer's transaction, the
consumers' claims (where each waits for the one before it), their positions moved on, for a handful of
events each. Instead the commits take *rounds*, as databases group their commits:

- a thread that commits while no round runs leads one at once, for its own events;
- a thread that commits while a round runs joins the next round and waits; when the running round ends,
  one of the threads waiting leads the next, for the events of all of them (their actions and objects
  together), and each returns when the round it joined has ended.

A round starts after every commit of its threads, so it sequences and hands on each of their events: every
thread still answers only once its own changes are followed. A thread alone never waits; under load, one
round follows many commits for the fixed cost of one.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

#: ``(actions, objects)`` of a round's events -> None: runs the consumers for them (`consumers.run`).
Follow = Callable[[set[str], set[tuple[str, str]]], None]


@dataclass
class _Round:
    actions: set[str] = field(default_factory=set)
    objects: set[tuple[str, str]] = field(default_factory=set)
    commits: int = 0
    done: bool = False


class Rounds:
    """The rounds of one database's commits in this process."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._running = False
        self._next = _Round()
        self.led = 0  # how many rounds ran (for tests and benchmarks)

    @property
    def waiting(self) -> int:
        """How many commits wait for the next round."""
        with self._changed:
            return self._next.commits

    def follow(self, actions: Iterable[str], objects: Iterable[tuple[str, str]], run: Follow) -> None:
        """Have ``run`` follow these events, in a round of their own or together with others' (returns once
        the round that followed them has ended)."""
        with self._changed:
            mine = self._next
            mine.actions.update(actions)
            mine.objects.update(objects)
            mine.commits += 1
            while self._running:
                self._changed.wait()
                if mine.done:
                    return
            self._running, self._next = True, _Round()  # this thread leads its round; later commits join the next
            self.led += 1
        try:
            run(mine.actions, mine.objects)
        finally:
            with self._changed:
                mine.done, self._running = True, False
                self._changed.notify_all()


_rounds: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def of(db) -> Rounds:
    """The rounds of a database (one `core.database.Database`) in this process."""
    with _lock:
        found = _rounds.get(db)
        if found is None:
            found = _rounds[db] = Rounds()
        return found
