"""Reading many rows as fast as the database gives them, for the bulk export: a streaming connection,
text read as bytes on PostgreSQL, and batches read one ahead by a thread.

- A plain connection with ``yield_per`` (a server-side cursor on PostgreSQL, the SQLite cursor read in
  batches), not an ORM session, whose results keep every row until the end: memory holds a few batches
  however many rows there are.
- On PostgreSQL, ``text`` results arrive as the bytes the server sent: psycopg would decode them into str
  for the export to encode back (a third of the time spent reading a row).
- A thread reads the next batches while the caller writes the current one: the database prepares rows
  (a PostgreSQL backend in its own process, SQLite in C without the interpreter lock) meanwhile, instead
  of the two taking turns.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from psycopg.adapt import Loader
from psycopg.pq import Format
from sqlalchemy import Connection, Row, Select

from ..core.database import Database

AHEAD = 2  # batches read ahead of the one being written
_END = object()


@contextmanager
def batches(db: Database, query: Select, size: int) -> Iterator[Iterator[Sequence[Row]]]:
    """The rows of ``query`` in batches of ``size``, read ahead by a thread; the thread has stopped and
    the connection is back in the pool when the block ends."""
    with db.engine.connect() as connection, _text_as_bytes(connection):
        reader = _ReadAhead(connection.execution_options(yield_per=size), query)
        try:
            yield iter(reader)
        finally:
            reader.stop()


class _ReadAhead:
    """Batches read by a thread of their own into a short queue; errors are raised to the caller."""

    def __init__(self, connection: Connection, query: Select) -> None:
        self._queue: queue.Queue = queue.Queue(maxsize=AHEAD)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(connection, query), name="ocds-read", daemon=True)
        self._thread.start()

    def _read(self, connection: Connection, query: Select) -> None:
        try:
            for rows in connection.execute(query).partitions():
                if not self._put(rows):
                    return
            self._put(_END)
        except BaseException as error:  # noqa: BLE001 - handed to the caller, who raises it
            self._put(error)

    def _put(self, item) -> bool:
        while not self._stopping.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self) -> Iterator[Sequence[Row]]:
        while (item := self._queue.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            yield item

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()


class _Utf8Bytes(Loader):
    """A text value as the bytes PostgreSQL sent (UTF-8)."""

    def load(self, data) -> bytes:
        return bytes(data)


@contextmanager
def _text_as_bytes(connection: Connection) -> Iterator[None]:
    """On PostgreSQL, ``text`` results as bytes while the block runs; the connection's own loader is put
    back afterwards. ``varchar`` columns stay str."""
    if connection.dialect.name != "postgresql":
        yield
        return
    adapters = connection.connection.dbapi_connection.adapters
    text_oid = adapters.types["text"].oid
    before = adapters.get_loader(text_oid, Format.TEXT)
    adapters.register_loader(text_oid, _Utf8Bytes)
    try:
        yield
    finally:
        adapters.register_loader(text_oid, before)
