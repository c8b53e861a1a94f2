"""A word passed between the processes of one machine: "a transaction that recorded events has committed
in this database since you last looked".

What a process keeps in memory of the database (the search facts, `search/facts.py`) asks the event log
whether news came before it answers. That question is a round trip to the database: on PostgreSQL a
connection taken from the pool, checked, a transaction begun, the statement, the transaction rolled
back, a good part of a search's whole cost. The signal makes it rarer without making anything late on
one machine: every commit of a session that appended events (`core.audit.APPENDED`), in any process of
the platform, writes a new random token into a small shared file (`raise_`); a reader compares the token
with the one it read before its last look (`token`, a read of eight bytes of shared memory) and looks
again only when it changed, or when `LOOK_EVERY` seconds have passed: the bound for what no signal
reaches (another machine on the same PostgreSQL database, a change made outside the platform).

The file is beside the SQLite database (``catalog.sqlite3-signal``, as its ``-wal`` and ``-shm``) or, for
PostgreSQL, in the machine's shared memory folder, named by the database's address. A reader that cannot
open it (a read-only folder; a link, or a file of another user or that others may write, which are never
used) gets None and looks every time, as without a signal.
The token is read before the look it vouches for, so a commit that lands between the two only costs one
look more; a commit is signalled after it is committed (`core.database.after_commit`, the hook the
consumers learn of commits by), so a look that follows a changed token sees it. A reader keeps what it saw
as a `Seen`.
"""

from __future__ import annotations

import hashlib
import math
import mmap
import os
import secrets
import tempfile
import threading
from dataclasses import dataclass

from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from .audit import APPENDED

#: Seconds after which a reader looks even though no signal came (writes from another machine or tool).
LOOK_EVERY = 1.0
SIZE = 8
SHARED_MEMORY = "/dev/shm"


class Signal:
    """The shared token of one database (`of`)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._map: mmap.mmap | None = None
        self._failed = False
        self._lock = threading.Lock()

    def token(self) -> bytes | None:
        """The token as it is now; None when the file cannot be used (then every reader looks)."""
        mapped = self._mapped()
        return mapped[:SIZE] if mapped is not None else None

    def raise_(self) -> None:
        """Write a new token: every reader of this machine looks at its next question."""
        mapped = self._mapped()
        if mapped is not None:
            mapped[:SIZE] = secrets.token_bytes(SIZE)  # another writer's token is another one: never the same

    def _mapped(self) -> mmap.mmap | None:
        if self._map is not None:
            return self._map
        with self._lock:
            if self._map is None and not self._failed:
                try:
                    descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
                    try:
                        found = os.fstat(descriptor)
                        if found.st_uid != os.getuid() or found.st_mode & 0o022:
                            raise PermissionError(self.path)  # another user's file, or one others may write
                        if found.st_size < SIZE:
                            os.ftruncate(descriptor, SIZE)
                        self._map = mmap.mmap(descriptor, SIZE)
                    finally:
                        os.close(descriptor)
                except OSError:
                    self._failed = True
            return self._map


_signals: dict[str, Signal] = {}
_lock = threading.Lock()


def of(url) -> Signal:
    """The signal of the database at ``url`` (an address or SQLAlchemy's `URL`), one per process."""
    key = str(url)
    found = _signals.get(key)
    if found is None:
        with _lock:
            found = _signals.setdefault(key, Signal(_path(url)))
    return found


def _path(url) -> str:
    parsed = make_url(url) if isinstance(url, str) else url
    database = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and database and database != ":memory:" and "mode=memory" not in str(url):
        return os.path.abspath(database) + "-signal"
    folder = SHARED_MEMORY if os.access(SHARED_MEMORY, os.W_OK) else tempfile.gettempdir()
    digest = hashlib.sha256(parsed.render_as_string(hide_password=True).encode()).hexdigest()[:24]
    return os.path.join(folder, f"digitalmarket-{digest}-signal")


@dataclass(frozen=True)
class Seen:
    """What a reader saw at its last look at the database: the token read just before it, and when
    (`time.monotonic`). Nothing seen yet: the reader looks."""

    token: bytes | None = None
    at: float = -math.inf

    def still(self, now: Seen, every: float) -> bool:
        """Whether the reader, seeing ``now``, may answer without looking again: the signal is readable and
        unchanged since, and the look is less than ``every`` seconds old."""
        return now.token is not None and now.token == self.token and now.at - self.at < every


def committed(db, session: Session) -> None:
    """After a write transaction of ``db`` (`core.database.after_commit`): one that recorded events raises
    its database's signal."""
    if session.info.get(APPENDED):
        of(db.engine.url).raise_()
