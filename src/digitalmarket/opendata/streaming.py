"""Reading many rows as fast as the database gives them, for the bulk export: a streaming connection,
and text read as bytes on PostgreSQL.

- A plain connection with ``yield_per`` (a server-side cursor on PostgreSQL, the SQLite cursor read in
  batches), not an ORM session, whose results keep every row until the end: memory holds one batch
  however many rows there are.
- On PostgreSQL, ``text`` results arrive as the bytes the server sent: psycopg would decode them into str
  for the export to encode back (a third of the time spent reading a row).

Reading the next batch in a thread while the current one is written was tried: at one million releases
it saved nothing measurable on either database (load average 4 on two cores), so rows are read in turn.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from psycopg.adapt import Loader
from psycopg.pq import Format
from sqlalchemy import Connection, Row, Select

from ..core.database import Database


@contextmanager
def batches(db: Database, query: Select, size: int) -> Iterator[Iterator[Sequence[Row]]]:
    """The rows of ``query`` in batches of ``size``; the connection is back in the pool when the block ends."""
    with db.engine.connect() as connection, _text_as_bytes(connection):
        yield connection.execution_options(yield_per=size).execute(query).partitions()


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
