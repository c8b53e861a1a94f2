"""The follower thread of a process: runs the after-commit consumers (`core.consumers.run`) when a commit
wakes it and every ``interval`` seconds, catching up with what another process, or a consumer that was busy
elsewhere, left."""

from __future__ import annotations

import logging
import threading

log = logging.getLogger("digitalmarket.consumers")


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
            from .consumers import run  # the module that starts followers

            try:
                run(self.db)
            except Exception:  # noqa: BLE001 - the database may be away for a moment
                log.exception("Following the audit log failed")
