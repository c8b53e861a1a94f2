"""Database engine and sessions for SQLite (embedded default) and PostgreSQL (production).

SQLite runs in WAL mode with foreign keys on and a busy timeout. Write transactions start with
``BEGIN IMMEDIATE`` so that two writers queue for the lock instead of failing half-way when one
upgrades a read to a write; read transactions start with a plain ``BEGIN`` and never block writers.

SQLite has a single writer: under a burst of writes (fifty clients at once, each rendering a contract
document inside its transaction) the last one waits for all the others. ``BEGIN IMMEDIATE`` is the only
statement of a write transaction that can find the database locked, and nothing has been done yet when
it does, so it is tried again (after the busy timeout, with a short random pause) until
`SQLITE_WRITE_WAIT_SECONDS` have passed: a user waits, and is not told "database is locked". WAL with
``synchronous=NORMAL`` keeps every committed transaction when the process is killed
(tests/trust/test_crash_safety.py); only a power loss may lose the last ones.

On both databases the pool holds a connection for every worker thread, so that under a burst a request
waits for a lock (SQLite's write lock, a PostgreSQL row) rather than for a connection, which would end in
a 500 after the pool's timeout.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from .errors import Conflict

SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_WRITE_WAIT_SECONDS = 180  # then "database is locked" reaches the caller
# Five connections stay open: enough for the threads that run requests (`DM_REQUEST_THREADS`, 4 by
# default) and a background task; more are opened for a burst (tests and tools running many threads, a
# process given more request threads) and closed afterwards. A wait ends in an answer, not a 500.
POOL = {"pool_size": 5, "max_overflow": 40, "pool_timeout": SQLITE_WRITE_WAIT_SECONDS}


def make_engine(url: str, **kwargs) -> Engine:
    pooled = POOL if ":memory:" not in url and "poolclass" not in kwargs else {}
    options = {**pooled, **kwargs}
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **options)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **options)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        mode = connection.get_execution_options().get("sqlite_begin", "")
        if mode == "IMMEDIATE" and _begin_immediate(connection.connection.dbapi_connection):
            return
        connection.exec_driver_sql(f"BEGIN {mode}".strip())


def _begin_immediate(dbapi_connection, wait: float = SQLITE_WRITE_WAIT_SECONDS) -> bool:
    """``BEGIN IMMEDIATE``, tried again while another writer holds the lock (each try waits the busy
    timeout) for up to ``wait`` seconds. False when it did not begin: the caller begins the usual way
    once more, so that the last error is raised as SQLAlchemy raises it."""
    deadline = time.monotonic() + wait
    while True:
        try:
            dbapi_connection.execute("BEGIN IMMEDIATE")
            return True
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error) or time.monotonic() >= deadline:
                return False
        time.sleep(random.uniform(0.01, 0.1))


class Database:
    """The engine plus the two kinds of unit of work the application uses."""

    def __init__(self, url: str, **engine_kwargs) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.is_sqlite = url.startswith("sqlite")
        writer = self.engine.execution_options(sqlite_begin="IMMEDIATE") if self.is_sqlite else self.engine
        self._write_sessions = sessionmaker(bind=writer, expire_on_commit=False)
        self._read_sessions = sessionmaker(bind=self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One write transaction: committed when the block ends, rolled back on any exception.

        A row whose version changed under us (another writer got there first) is a 409 Conflict.
        """
        try:
            with self._write_sessions() as session, session.begin():
                yield session
        except StaleDataError as error:
            raise Conflict() from error

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only unit of work; anything written inside is discarded when the session closes.

        Objects loaded inside stay readable afterwards (closing detaches without expiring them).
        """
        with self._read_sessions() as session:
            yield session

    def ping(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - any failure means "not answering"
            return False

    def dispose(self) -> None:
        self.engine.dispose()
