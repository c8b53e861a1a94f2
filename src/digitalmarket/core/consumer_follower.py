"""The follower thread of a process: runs the after-commit consumers (`core.consumers.run`) when a commit
of this process wakes it, and catches up with what another process, or a consumer that was busy elsewhere,
left: every ``interval`` seconds when a commit with events was signalled on this machine since its last
run (`core.change_signal`), and at least every `QUIET_SECONDS` otherwise (another machine, a failure to try
again). A quiet process asks nothing of the database twice a second."""

from __future__ import annotations

import logging
import threading
import time

from . import change_signal

log = logging.getLogger("digitalmarket.consumers")

#: Seconds a follower waits at most between two runs when no commit was signalled.
QUIET_SECONDS = 5.0


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
        signal, seen = change_signal.of(self.db.engine.url), change_signal.Seen()
        while not self._stop.is_set():
            woken = self._wake.wait(self.interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            now = change_signal.Seen(signal.token(), time.monotonic())  # before the run it vouches for
            if not woken and seen.still(now, QUIET_SECONDS):
                continue
            seen = now
            from .consumers import run  # the module that starts followers

            try:
                run(self.db)
            except Exception:  # noqa: BLE001 - the database may be away for a moment
                log.exception("Following the audit log failed")
