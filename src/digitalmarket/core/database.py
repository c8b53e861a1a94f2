"""Database engine and sessions for SQLite (embedded default) and PostgreSQL (production).

SQLite runs in WAL mode with foreign keys on and a busy timeout. Write transactions start with
``BEGIN IMMEDIATE`` so that two writers queue for the lock instead of failing half-way when one
upgrades a read to a write; read transactions start with a plain ``BEGIN`` and never block writers.

SQLite has a single writer: under a burst of writes (fifty clients at once, each rendering a contract
document inside its transaction) the last one waits for all the others. ``BEGIN IMMEDIATE`` is the only
statement of a write transaction that can find the database locked, and nothing has been done yet when
it does, so it is tried again (after the busy timeout, with a short random pause) until
the lock bound has passed (`Waits.lock_seconds`, ``DM_LOCK_TIMEOUT_SECONDS``). WAL with
``synchronous=NORMAL`` keeps every committed transaction when the process is killed
(tests/trust/test_crash_safety.py); only a power loss may lose the last ones.

On both databases the pool holds a connection for every worker thread, so that under a burst a request
waits for a lock (SQLite's write lock, a PostgreSQL row) rather than for a connection, which would end in
a 503 after the pool's timeout.

Every wait is bounded (`Waits`, docs/reliability.md "Bounded waits"): SQLite's busy timeout and the retried
``BEGIN IMMEDIATE`` by the lock bound; on PostgreSQL each connection has ``lock_timeout`` (rows, tables,
a consumer's claim and the sequencer's advisory lock) and ``statement_timeout``; the pool's
``pool_timeout``. A wait that reaches its bound rolls the transaction back and raises `Busy` (503 with
``Retry-After``).
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from . import change_signal
from .errors import Busy, Conflict
from .settings import Waits, load_waits

# Five connections stay open: enough for the threads that run requests (`DM_REQUEST_THREADS`, 4 by
# default) and a background task; more are opened for a burst (tests and tools running many threads, a
# process given more request threads) and closed afterwards. A wait ends in an answer, not a 500.
POOL = {"pool_size": 5, "max_overflow": 40}
#: SQLSTATEs of PostgreSQL's bounded waits: lock_not_available (lock_timeout), query_canceled
#: (statement_timeout).
BUSY_SQLSTATES = {"55P03", "57014"}
#: SQLite's result codes for a lock another connection holds: SQLITE_BUSY, SQLITE_LOCKED.
BUSY_SQLITE_CODES = {5, 6}


def make_engine(url: str, waits: Waits | None = None, **kwargs) -> Engine:
    waits = waits or load_waits(serving=False)
    pooled = {**POOL, "pool_timeout": waits.pool_seconds} if ":memory:" not in url and "poolclass" not in kwargs else {}
    options = {**pooled, **kwargs}
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": waits.lock_seconds}, **options)
        _configure_sqlite(engine, waits)
        return engine
    return create_engine(url, pool_pre_ping=True, connect_args=_postgresql_options(url, waits), **options)


def _postgresql_options(url: str, waits: Waits) -> dict:
    """``lock_timeout`` and ``statement_timeout`` for every connection, after any ``options`` of the URL."""
    given = make_url(url).query.get("options") or ""
    given = given if isinstance(given, str) else " ".join(given)
    lock, statement = round(waits.lock_seconds * 1000), round(waits.statement_seconds * 1000)
    bounds = f"-c lock_timeout={lock} -c statement_timeout={statement}"
    return {"options": f"{given} {bounds}".strip()}


def is_busy(error: BaseException) -> bool:
    """Whether ``error`` is a bounded wait that ran out (and nothing else): the pool had no connection,
    SQLite's database stayed locked, PostgreSQL's lock_timeout or statement_timeout."""
    if isinstance(error, PoolTimeout):
        return True
    if not isinstance(error, OperationalError):
        return False
    original = error.orig
    if isinstance(original, sqlite3.OperationalError):
        code = getattr(original, "sqlite_errorcode", None)
        return (code & 0xFF) in BUSY_SQLITE_CODES if code is not None else "database is locked" in str(original)
    return getattr(original, "sqlstate", None) in BUSY_SQLSTATES


def _configure_sqlite(engine: Engine, waits: Waits) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={round(waits.lock_seconds * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        mode = connection.get_execution_options().get("sqlite_begin", "")
        raw = connection.connection.dbapi_connection
        if mode != "IMMEDIATE":
            raw.execute(f"BEGIN {mode}".strip())  # the driver's own: a read begins at every request
        elif not _begin_immediate(raw, waits.lock_seconds):
            raw.execute("PRAGMA busy_timeout=0")  # the bound has passed: fail at once, as SQLAlchemy raises it
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            finally:
                raw.execute(f"PRAGMA busy_timeout={round(waits.lock_seconds * 1000)}")


def _begin_immediate(dbapi_connection, wait: float) -> bool:
    """``BEGIN IMMEDIATE``, tried again while another writer holds the lock (each try waits the busy
    timeout) for up to ``wait`` seconds. False when it did not begin: the caller begins the usual way
    once more (without waiting again), so that the error is raised as SQLAlchemy raises it."""
    deadline = time.monotonic() + wait
    while True:
        try:
            dbapi_connection.execute("BEGIN IMMEDIATE")
            return True
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error) or time.monotonic() >= deadline:
                return False
        time.sleep(random.uniform(0.01, 0.1))


class Lean:
    """A Core ``SELECT`` that a hot path runs at every request (the search facts' look at the log's end),
    sent through the session's driver connection as compiled once per dialect. SQLAlchemy's execution
    context, result and ORM layers cost ten times the statement itself on SQLite (0.25 against 0.02 ms);
    the transaction is the session's all the same. For statements of plain bound values (no expanding
    ``IN``) whose row is read as a tuple of the driver's values."""

    def __init__(self, statement) -> None:
        self.statement = statement
        self._compiled: dict[str, tuple] = {}

    def first(self, session: Session, **values) -> tuple | None:
        """The statement's first row with ``values`` bound (None: no row)."""
        connection = session.connection()
        dialect = connection.dialect
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            made = self.statement.compile(dialect=dialect)
            order = made.positiontup if made.positional else None
            given = made.construct_params({key: None for key, bind in made.binds.items() if bind.required})
            compiled = self._compiled[dialect.name] = (made.string, given, order)
        string, defaults, order = compiled
        bound = {**defaults, **values}
        cursor = connection.connection.cursor()
        try:
            cursor.execute(string, tuple(bound[name] for name in order) if order else bound)
            return cursor.fetchone()
        finally:
            cursor.close()


#: Called with ``(database, session)`` after every committed write transaction (`after_commit`).
_after_commit_hooks: list = []


def after_commit(hook) -> None:
    """Call ``hook(database, session)`` after each write transaction commits (the session is closed then,
    its ``info`` still readable): how the after-commit consumers learn of new events (`core.consumers`)."""
    if hook not in _after_commit_hooks:
        _after_commit_hooks.append(hook)


after_commit(change_signal.committed)  # first: every process of the machine learns of the commit at once


#: The key of `Session.info` under which a session of a `Database` holds its bounds (`Waits`).
WAITS = "digitalmarket.waits"


def waits_of(session: Session) -> Waits:
    """The bounds of the database a session belongs to (a tool's defaults for a session made elsewhere)."""
    found = session.info.get(WAITS)
    return found if found is not None else load_waits(serving=False)


class Database:
    """The engine plus the two kinds of unit of work the application uses."""

    def __init__(self, url: str, waits: Waits | None = None, **engine_kwargs) -> None:
        """``waits`` are the bounds of the served app (`Settings.waits`); without them, a tool's."""
        self.url = url
        self.waits = waits or load_waits(serving=False)
        self.engine = make_engine(url, self.waits, **engine_kwargs)
        self.is_sqlite = url.startswith("sqlite")
        writer = self.engine.execution_options(sqlite_begin="IMMEDIATE") if self.is_sqlite else self.engine
        # every session carries the bounds (`waits_of`): a wait of its own, outside the database, keeps them too
        info = {WAITS: self.waits}
        self._write_sessions = sessionmaker(bind=writer, expire_on_commit=False, info=info)
        self._read_sessions = sessionmaker(bind=self.engine, expire_on_commit=False, info=info)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One write transaction: committed when the block ends, rolled back on any exception; the
        after-commit hooks run once it has committed.

        A row whose version changed under us (another writer got there first) is a 409 Conflict; a wait
        that reached its bound (`is_busy`) is `Busy`, after the rollback.
        """
        try:
            with self._write_sessions() as session, session.begin():
                yield session
        except StaleDataError as error:
            raise Conflict() from error
        except (OperationalError, PoolTimeout) as error:
            if is_busy(error):
                raise Busy() from error
            raise
        for hook in _after_commit_hooks:
            hook(self, session)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only unit of work; anything written inside is discarded when the session closes.

        Objects loaded inside stay readable afterwards (closing detaches without expiring them).
        """
        try:
            with self._read_sessions() as session:
                yield session
        except (OperationalError, PoolTimeout) as error:
            if is_busy(error):
                raise Busy() from error
            raise

    def ping(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - any failure means "not answering"
            return False

    def dispose(self) -> None:
        self.engine.dispose()
