"""Whether the search index was built by the analyzer this installation runs.

A service's index terms depend on the analyzer's code, on its vocabulary (`synonyms.txt`: its ``+`` words
teach Kiwi nouns, so they change how texts are cut) and on Kiwi's version. An upgrade that changes any
of them leaves every indexed service with terms the new queries no longer produce. The index therefore
keeps a `fingerprint` of the three (`tables.SearchIndexState`); ``digitalmarket migrate``, which ``make
run`` and every deployment run first, calls `ensure_current`, which indexes every service again when the
fingerprint differs (and records it), and does nothing otherwise. ``digitalmarket reindex`` records it too.
"""

from __future__ import annotations

import hashlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from sqlalchemy.orm import Session

from ..core.tables import utcnow
from .index import reindex
from .tables import SearchIndexState

#: Raise when a change of the analyzer's code changes the terms a text gives.
ANALYZER_VERSION = 2
VOCABULARY = Path(__file__).with_name("synonyms.txt")
STATE = "analyzer"


def fingerprint() -> str:
    try:
        kiwi = version("kiwipiepy")
    except PackageNotFoundError:  # pragma: no cover - kiwipiepy is a dependency
        kiwi = "?"
    digest = hashlib.sha256(VOCABULARY.read_bytes())
    digest.update(f"|analyzer {ANALYZER_VERSION}|kiwipiepy {kiwi}".encode())
    return digest.hexdigest()[:16]


def stored(session: Session) -> str | None:
    row = session.get(SearchIndexState, STATE)
    return row.fingerprint if row else None


def record(session: Session) -> None:
    row = session.get(SearchIndexState, STATE) or SearchIndexState(name=STATE)
    row.fingerprint, row.indexed_at = fingerprint(), utcnow()
    session.add(row)


def ensure_current(db, *, force: bool = False) -> int | None:
    """Index every service again when the index was built by another analyzer (or ``force``); the number
    of services indexed, or None when the index was current."""
    with db.reading() as session:
        if not force and stored(session) == fingerprint():
            return None
    with db.transaction() as session:
        count = reindex(session)
        record(session)
    return count
