"""The searches of one process take turns: one runs, the others wait on a lock, each for a bounded time.

Python runs one thread at a time, and a search gives up the interpreter lock hundreds of times on its way (at
every SQLite step, every numpy operation, every call into Kiwi). With several request threads searching at
once, each of those moments hands the lock to another thread and back again, and the hand-overs cost more
than the work: a new question at 10,000 services cost 3.7 ms of CPU in one thread and 6.5 to 7.5 ms with four
threads searching side by side (docs/performance.md, "Searches take turns"). Waiting for a turn costs nothing:
the waiting thread sleeps on one lock until the search before it ends.

The lock is re-entrant: code that searches while it holds a turn (a test, a tool that searches inside a
search) does not wait for itself. A search that waited as long as its database waits for a lock
(`core.settings.Waits.lock_seconds`, ``DM_LOCK_TIMEOUT_SECONDS``, 10 s by default) without its turn answers
busy (`core.errors.Busy`: 503 with ``Retry-After``) rather than hang.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from ..core.database import waits_of
from ..core.errors import Busy

_TURN = threading.RLock()


@contextmanager
def turn(session: Session) -> Iterator[None]:
    """Run the block when no other thread of this process is searching; `Busy` when the session's database
    would have stopped waiting for a lock (`core.database.waits_of`) without a turn."""
    if not _TURN.acquire(timeout=waits_of(session).lock_seconds):
        raise Busy()
    try:
        yield
    finally:
        _TURN.release()
