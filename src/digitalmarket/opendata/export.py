"""Bulk export of OCDS data: every release as a release package in JSON Lines, and one record package.

Both files are written while the releases stream from the database (``streaming.batches``: a server-side
cursor on PostgreSQL, the SQLite cursor read in batches), so memory stays flat however many releases there
are: one batch of rows and the compiled release of the process being written are held at a time.
Large exports write the two files in two processes at once (``PARALLEL_FROM``).

- ``releases.jsonl``: one release package per line, holding one release, oldest release first.
- ``record-package.json``: one record per ocid (ocids in order), with the process's releases embedded and
  its compiled release (OCDS merge rules of the schema kept in the package).

``since`` keeps the releases dated on or after a day (KST), and the records of the processes that have
one; a record always compiles all of its process's releases.

What keeps a million releases fast (bench/ocds_export.py, docs/open-data.md "Measured"): a release is
read as the stored JSON text, never through the ORM or the column type, and copied as it is when it is
stored as published (``tables.PublishedJSON``; older rows are parsed and written again with orjson); the
package around a release is written from bytes made once, a batch at a time; compiled releases come from
``merge.Compiler`` (``ocdsmerge`` for a process it declines); progress is told once a batch.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from multiprocessing import get_context
from pathlib import Path

import orjson
from sqlalchemy import LargeBinary, Text, cast, func, select

from ..core.clock import KST
from ..core.database import Database
from ..core.tables import utcnow
from . import ocds_packages, stored_releases, streaming
from .merge import Compiler, NeedsFullMerge, RuleTree, rule_tree
from .tables import OcdsRelease

BATCH = 1000
#: From this many releases the record package is written by a process of its own (see ``export``).
PARALLEL_FROM = 20_000
RELEASES_FILE = "releases.jsonl"
RECORDS_FILE = "record-package.json"
BUFFER = 1 << 20
#: How a release stored by ``PublishedJSON`` begins; one stored by ``json.dumps`` begins '{"ocid": "'.
AS_PUBLISHED = b'{"ocid":"'


@dataclass(frozen=True)
class Exported:
    releases: int
    records: int
    directory: Path


def _dump(data) -> bytes:
    """Compact UTF-8 JSON, the same bytes as ``json.dumps(data, ensure_ascii=False, separators=(",", ":"))``."""
    return orjson.dumps(data)


def _since(day: date | None):
    if day is None:
        return None
    return OcdsRelease.date >= datetime.combine(day, time(0), KST)


def _stored(db: Database):
    """The release as stored: its bytes on SQLite (as the file holds the text), text on PostgreSQL (read
    as bytes too, see ``streaming``)."""
    return cast(OcdsRelease.data, LargeBinary if db.is_sqlite else Text)


def _as_bytes(stored: bytes | str) -> bytes:
    return stored if type(stored) is bytes else stored.encode()


@lru_cache(maxsize=1)
def _rules() -> RuleTree:
    return rule_tree(stored_releases.merge_rules())


def count(db: Database, since: date | None = None) -> int:
    query = select(func.count()).select_from(OcdsRelease)
    if since is not None:
        query = query.where(_since(since))
    with db.reading() as session:
        return session.scalar(query) or 0


def export(
    db: Database,
    directory: Path,
    base_url: str,
    since: date | None = None,
    advance: Callable[[int], None] | None = None,
    parallel: bool | None = None,
) -> Exported:
    """Write both files into ``directory`` (created if needed); ``advance(n)`` is told of every batch of
    ``n`` releases written to ``releases.jsonl``.

    With ``parallel`` (by default: from ``PARALLEL_FROM`` releases, on a database in a file or a server),
    the record package is written by a second process while this one writes the releases: the two files
    are read and written independently, and the record package (which parses every release to compile
    its process) is the longer of the two. A second process starts in about a second, which only pays
    for large exports. The files are the same either way."""
    directory.mkdir(parents=True, exist_ok=True)
    published = utcnow()
    records_file = directory / RECORDS_FILE
    if parallel is None:
        parallel = in_two_processes(db, count(db, since))
    if not parallel:
        with _no_cycle_collection():
            written = _write_releases(db, directory / RELEASES_FILE, base_url, published, since, advance)
            records = _write_records(db, records_file, base_url, published, since)
        return Exported(written, records, directory)
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        records_done = pool.submit(_records_apart, db.url, records_file, base_url, published, since)
        with _no_cycle_collection():
            written = _write_releases(db, directory / RELEASES_FILE, base_url, published, since, advance)
        return Exported(written, records_done.result(), directory)


def in_two_processes(db: Database, releases: int) -> bool:
    """Whether an export of ``releases`` releases writes its record package in a second process: from
    ``PARALLEL_FROM`` releases, on a database a second process can open (a file or a server)."""
    return ":memory:" not in db.url and releases >= PARALLEL_FROM


def _records_apart(url: str, path: Path, base_url: str, published: datetime, since: date | None) -> int:
    """The record package, written by a process of its own (see ``export``)."""
    db = Database(url)
    try:
        with _no_cycle_collection():
            return _write_records(db, path, base_url, published, since)
    finally:
        db.engine.dispose()


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The cycle collector paused: the export makes millions of JSON objects without a cycle among them,
    freed as soon as they are written, which the collector would otherwise keep walking (5 % of the time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _around(package: dict, first: str, last: str) -> tuple[bytes, bytes]:
    """The bytes of a package before its ``first`` key's value and after its ``last`` key's value, for a
    package whose keys start with ``first`` and end with ``last`` (its value an empty list)."""
    keys = list(package)
    if keys[0] != first or keys[-1] != last:
        raise ValueError(f"a package must start with {first} and end with {last}: {keys}")
    middle = _dump({key: value for key, value in package.items() if key not in (first, last)})
    return b'{"' + first.encode() + b'":', b"," + middle[1:-1] + b',"' + last.encode() + b'":['


def _write_releases(db, path: Path, base_url: str, published: datetime, since, advance) -> int:
    query = select(OcdsRelease.ocid, _stored(db)).order_by(OcdsRelease.date, OcdsRelease.id)
    if since is not None:
        query = query.where(_since(since))
    before_uri, after_uri = _around(ocds_packages.release_package("", base_url, published, []), "uri", "releases")
    uri = f"{base_url}/api/v1/ocds/releases/"
    loads, dumps, end = orjson.loads, orjson.dumps, b"]}\n"
    written = 0
    with streaming.batches(db, query, BATCH) as read, path.open("wb", buffering=BUFFER) as out:
        for rows in read:
            parts: list[bytes] = []
            for ocid, stored in rows:
                raw = _as_bytes(stored)
                release = raw if raw.startswith(AS_PUBLISHED) else dumps(loads(raw))
                parts += (before_uri, dumps(uri + ocid), after_uri, release, end)
            out.write(b"".join(parts))
            written += len(rows)
            if advance is not None:
                advance(len(rows))
    return written


class _Records:
    """The record package's body: records opened and closed as the rows of each ocid go by."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.count = 0
        self.ocid: str | None = None
        self.compiler: Compiler | None = None

    def open(self, ocid: str, parts: list[bytes]) -> None:
        if self.ocid is not None:
            self.close(parts)
            parts.append(b",")
        parts.append(b'{"ocid":' + _dump(ocid) + b',"releases":[')
        self.ocid, self.compiler = ocid, Compiler(_rules())
        self.count += 1

    def add(self, release: dict) -> None:
        if self.compiler is None:
            return
        try:
            self.compiler.append(release)
        except NeedsFullMerge:
            self.compiler = None  # compiled from the database with ocdsmerge when the record closes

    def close(self, parts: list[bytes]) -> None:
        if self.compiler is not None:
            compiled = self.compiler.asdict()
        else:
            with self.db.reading() as session:
                compiled = stored_releases.compile_releases(stored_releases.releases_of(session, self.ocid))
        parts.append(b'],"compiledRelease":' + _dump(compiled) + b"}")


def _write_records(db, path: Path, base_url: str, published: datetime, since) -> int:
    query = select(OcdsRelease.ocid, _stored(db)).order_by(OcdsRelease.ocid, OcdsRelease.date, OcdsRelease.id)
    if since is not None:
        query = query.where(OcdsRelease.ocid.in_(select(OcdsRelease.ocid).where(_since(since)).distinct()))
    package = ocds_packages.record_package(f"{base_url}/api/v1/ocds/records", base_url, published, [])
    head = _dump({key: value for key, value in package.items() if key != "records"})
    loads = orjson.loads
    with streaming.batches(db, query, BATCH) as read, path.open("wb", buffering=BUFFER) as out:
        out.write(head[:-1] + b',"records":[')
        records = _Records(db)
        for rows in read:
            parts: list[bytes] = []
            for ocid, stored in rows:
                raw = _as_bytes(stored)
                release = loads(raw)
                if ocid != records.ocid:
                    records.open(ocid, parts)
                else:
                    parts.append(b",")
                parts.append(raw if raw.startswith(AS_PUBLISHED) else _dump(release))
                records.add(release)
            out.write(b"".join(parts))
        tail: list[bytes] = []
        if records.ocid is not None:
            records.close(tail)
        out.write(b"".join(tail) + b"]}\n")
    return records.count
