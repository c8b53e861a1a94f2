"""The search index follows a change of the analyzer: `digitalmarket migrate` indexes every service again
when the index was built by another analyzer or vocabulary, and leaves a current index alone."""

from __future__ import annotations

from sqlalchemy import select

from digitalmarket.catalog.importer import import_files
from digitalmarket.catalog.tables import Service
from digitalmarket.search import freshness
from digitalmarket.search.index import index_service
from tests.catalog.test_import import GOOD, _write


def _found(client, q: str) -> int:
    return client.get("/api/v1/services", params={"q": q}).json()["total"]


def test_an_index_built_by_another_analyzer_is_built_again(db, client, tmp_path, monkeypatch):
    import_files(db.transaction, [_write(tmp_path, "a.jsonl", [GOOD])])
    assert freshness.ensure_current(db) == 1  # no fingerprint yet: indexed once and recorded
    assert freshness.ensure_current(db) is None  # current: nothing to do
    assert _found(client, "그룹웨어") == 1

    # an older analyzer left terms that today's queries do not produce
    with db.transaction() as session:
        service = session.scalars(select(Service)).one()
        index_service(session, service, terms={field: ["옛날용어"] for field in freshness_fields()})
    monkeypatch.setattr(freshness, "fingerprint", lambda: "an-older-analyzer")
    with db.transaction() as session:
        freshness.record(session)
    monkeypatch.undo()
    restart()
    assert _found(client, "그룹웨어") == 0

    assert freshness.ensure_current(db) == 1  # what `digitalmarket migrate` does after the upgrade
    restart()
    assert _found(client, "그룹웨어") == 1
    with db.reading() as session:
        assert freshness.stored(session) == freshness.fingerprint()


def restart() -> None:
    """What a new server process starts with: no search facts in memory (an upgrade restarts the server)."""
    from digitalmarket.search import facts

    facts._cache.clear()


def freshness_fields() -> tuple[str, ...]:
    from digitalmarket.search.index import FIELDS

    return FIELDS
