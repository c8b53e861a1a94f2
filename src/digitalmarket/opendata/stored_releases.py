"""The stored releases read back: a process's releases, the processes in order, and their compiling by
``ocdsmerge`` with the merge rules of the OCDS release schema kept in the package (`SCHEMA_DIR`)."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .tables import OcdsRelease

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"


def releases_of(session: Session, ocid_: str) -> list[dict]:
    rows = session.scalars(
        select(OcdsRelease.data).where(OcdsRelease.ocid == ocid_).order_by(OcdsRelease.date, OcdsRelease.id)
    )
    return list(rows)


@lru_cache(maxsize=1)
def merge_rules() -> dict:
    """ocdsmerge's rules from the release schema kept in the package: nothing is downloaded."""
    from ocdsmerge.rules import get_merge_rules

    schema = json.loads((SCHEMA_DIR / "release-schema.json").read_text(encoding="utf-8"))
    return get_merge_rules(schema)


def compiler():
    """An empty compiled release to append releases to, oldest first."""
    from ocdsmerge.merge import CompiledRelease

    return CompiledRelease(merge_rules=merge_rules())


def compile_releases(releases: list[dict]) -> dict:
    compiled = compiler()
    for release in releases:
        compiled.append(release)
    return compiled.asdict()


def processes(session: Session, after: str | None, limit: int) -> list[tuple[str, int, datetime]]:
    """Ocids in order, after a cursor: (ocid, number of releases, last release date)."""
    query = select(OcdsRelease.ocid, func.count(), func.max(OcdsRelease.date)).group_by(OcdsRelease.ocid)
    if after:
        query = query.where(OcdsRelease.ocid > after)
    return [tuple(row) for row in session.execute(query.order_by(OcdsRelease.ocid).limit(limit))]
