"""Bulk export of OCDS data: every release as a release package in JSON Lines, and one record package.

Both files are written while the releases stream from the database (``yield_per`` on a plain connection:
a server-side cursor on PostgreSQL, the SQLite cursor read in batches), so memory stays flat however many
releases there are: one batch of rows, one release and the compiled release of the process being written
are held at a time.

- ``releases.jsonl``: one release package per line, holding one release, oldest release first.
- ``record-package.json``: one record per ocid (ocids in order), with the process's releases embedded and
  its compiled release (OCDS merge rules of the schema kept in the package).

``since`` keeps the releases dated on or after a day (KST), and the records of the processes that have
one; a record always compiles all of its process's releases.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from sqlalchemy import Connection, func, select

from ..core.clock import KST
from ..core.database import Database
from ..core.tables import utcnow
from . import ocds, releases
from .tables import OcdsRelease

BATCH = 200
RELEASES_FILE = "releases.jsonl"
RECORDS_FILE = "record-package.json"


@dataclass(frozen=True)
class Exported:
    releases: int
    records: int
    directory: Path


def _dump(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _since(day: date | None):
    if day is None:
        return None
    return OcdsRelease.date >= datetime.combine(day, time(0), KST)


@contextmanager
def _streaming(db: Database) -> Iterator[Connection]:
    """A connection whose results stream in batches of ``BATCH`` rows (a server-side cursor on PostgreSQL).
    A plain connection, not an ORM session: the session's results keep every row until the end."""
    with db.engine.connect() as connection:
        yield connection.execution_options(yield_per=BATCH)


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
) -> Exported:
    """Write both files into ``directory`` (created if needed); ``advance(n)`` is told of each release
    written to ``releases.jsonl``."""
    directory.mkdir(parents=True, exist_ok=True)
    published = utcnow()
    written = _write_releases(db, directory / RELEASES_FILE, base_url, published, since, advance)
    records = _write_records(db, directory / RECORDS_FILE, base_url, published, since)
    return Exported(written, records, directory)


def _write_releases(db, path: Path, base_url: str, published: datetime, since, advance) -> int:
    query = select(OcdsRelease.data).order_by(OcdsRelease.date, OcdsRelease.id)
    if since is not None:
        query = query.where(_since(since))
    written = 0
    with _streaming(db) as connection, path.open("w", encoding="utf-8") as out:
        for (release,) in connection.execute(query):
            uri = f"{base_url}/api/v1/ocds/releases/{release['ocid']}"
            out.write(_dump(ocds.release_package(uri, base_url, published, [release])))
            out.write("\n")
            written += 1
            if advance is not None:
                advance(1)
    return written


def _write_records(db, path: Path, base_url: str, published: datetime, since) -> int:
    query = select(OcdsRelease.ocid, OcdsRelease.data).order_by(OcdsRelease.ocid, OcdsRelease.date, OcdsRelease.id)
    if since is not None:
        query = query.where(OcdsRelease.ocid.in_(select(OcdsRelease.ocid).where(_since(since)).distinct()))
    package = ocds.record_package(f"{base_url}/api/v1/ocds/records", base_url, published, [])
    head = _dump({key: value for key, value in package.items() if key != "records"})
    records = 0
    current: str | None = None
    compiled = None
    with _streaming(db) as connection, path.open("w", encoding="utf-8") as out:
        out.write(head[:-1] + ',"records":[')

        def close_record() -> None:
            out.write('],"compiledRelease":' + _dump(compiled.asdict()) + "}")

        for ocid, release in connection.execute(query):
            if ocid != current:
                if current is not None:
                    close_record()
                    out.write(",")
                out.write('{"ocid":' + json.dumps(ocid) + ',"releases":[')
                current, compiled, first = ocid, releases.compiler(), True
                records += 1
            if not first:
                out.write(",")
            out.write(_dump(release))
            compiled.append(release)
            first = False
        if current is not None:
            close_record()
        out.write("]}\n")
    return records
