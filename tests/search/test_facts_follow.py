"""The search facts follow changes service by service: a supplier renamed or resized on its profile and a
review are shown at once by this process, another process's facts catch up from the event log with only
the services the change touched, and end up as a full load would build them. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from digitalmarket.catalog import queries
from digitalmarket.catalog import workflow as catalog
from digitalmarket.core.files import DocumentStore
from digitalmarket.search import changes
from digitalmarket.search import facts as search_facts
from digitalmarket.search.columns import SORT_KEYS
from tests.contracting.buying import people_of, publish, service
from tests.helpers import change_company_details
from tests.settlement.settling import later, order_in_use, review, review_of


def _search(client, **params) -> dict:
    response = client.get("/api/v1/services", params=params)
    assert response.status_code == 200
    return response.json()


def _names(client, q: str) -> list[str]:
    return [item["name"] for item in _search(client, q=q)["items"]]


def _rename(db, supplier, name: str, size: str) -> None:
    """The supplier's name and size change through the accounts workflow (a request the operator approves)."""
    with db.transaction() as session:
        change_company_details(session, supplier, name=name, size=size)


def _snapshot(db) -> search_facts.Facts:
    """The facts as another process holds them: loaded in full now, kept apart from this process's cache."""
    with db.reading() as session:
        known = search_facts.load(session)
        known.columns  # noqa: B018 - built, as a process that has searched would have them
        return known


def _caught_up(db, known: search_facts.Facts) -> search_facts.Facts:
    """``known`` followed to the log as a second process does at its next search, checked against a full
    load: the same services with the same facts, the same orders and facet counts."""
    with db.reading() as session:
        followed = search_facts.follow(session, known, changes.head(session)[0])
        full = search_facts.load(session)
    assert followed is not None  # followed from the log, not loaded again
    assert followed.entries == full.entries
    assert followed.indexed == full.indexed
    assert followed.average_length == pytest.approx(full.average_length)
    for sort, key in SORT_KEYS.items():
        expected = sorted(range(full.columns.size), key=lambda p: key(full.columns.entries[p]))
        assert followed.columns.order(sort).tolist() == full.columns.order(sort).tolist() == expected, sort
    everything = full.columns.mask()
    for name in full.columns.codes:
        assert followed.columns.counts(name, everything) == full.columns.counts(name, everything), name
    return followed


def test_a_renamed_supplier_is_found_by_its_new_name_at_once_and_in_every_process(demo, client):
    people = people_of(demo)
    publish(demo, people.supplier, "새벽 협업 그룹웨어")
    publish(demo, people.supplier2, "구름 화상회의")
    old_name = _search(client, q="새벽")["items"][0]["supplier"]
    assert _names(client, old_name) == ["새벽 협업 그룹웨어"]  # the facts are in this process's memory
    other = _snapshot(demo)

    _rename(demo, people.supplier, "한결데이터 주식회사", "large")

    assert _names(client, "한결데이터") == ["새벽 협업 그룹웨어"]
    assert _names(client, old_name) == []
    (item,) = _search(client, q="새벽")["items"]
    assert (item["supplier"], item["supplier_size"]) == ("한결데이터 주식회사", "large")
    assert [o["value"] for o in _search(client, size="large")["facets"]["size"] if o["chosen"]] == ["large"]
    assert _names(client, "ㅎㄱㄷㅇㅌ") == ["새벽 협업 그룹웨어"]  # the supplier's initials too

    followed = _caught_up(demo, other)
    (entry,) = [e for e in followed.entries.values() if e.name == "새벽 협업 그룹웨어"]
    assert (entry.supplier, entry.size) == ("한결데이터 주식회사", "large")


def test_a_review_changes_the_rating_shown_and_another_process_follows(demo, client, tmp_path):
    people = people_of(demo)
    code = publish(demo, people.supplier, "가상웍스 그룹웨어")
    publish(demo, people.supplier2, "구름 그룹웨어")
    order_id = order_in_use(demo, people, code, DocumentStore(tmp_path / "documents"))

    def rating():
        (item,) = [i for i in _search(client, q="그룹웨어")["items"] if i["code"] == code]
        return item["rating"], item["contracts"]

    assert rating() == (None, 1)
    other = _snapshot(demo)
    review(demo, people.buyer, order_id, 4, now=later(30))
    assert rating() == (4.0, 1)
    assert [i["code"] for i in _search(client, sort="rating")["items"]][0] == code

    review(demo, people.buyer, order_id, 2, version=review_of(demo, order_id).version, now=later(31))
    assert rating() == (2.0, 1)
    followed = _caught_up(demo, other)
    assert followed.entries[service(demo, code).id].rating == 2.0


def test_services_published_and_suspended_are_followed_too(demo, client):
    people = people_of(demo)
    first = publish(demo, people.supplier, "새벽 협업 그룹웨어")
    other = _snapshot(demo)
    second = publish(demo, people.supplier2, "구름 그룹웨어")
    with demo.transaction() as session:
        found = queries.public_service(session, first)
        catalog.change_status(session, people.operator, first, "suspend", "점검 중입니다.", found.version)

    assert [i["code"] for i in _search(client, q="그룹웨어")["items"]] == [second]
    followed = _caught_up(demo, other)
    assert {e.code for e in followed.entries.values()} == {second}


def test_a_search_in_the_changing_transaction_sees_it_and_a_rolled_back_change_is_never_shown(demo, client):
    people = people_of(demo)
    publish(demo, people.supplier, "새벽 협업 그룹웨어")
    old_name = _search(client, q="새벽")["items"][0]["supplier"]

    class Undone(Exception):
        pass

    with pytest.raises(Undone), demo.transaction() as session:
        change_company_details(session, people.supplier, name="한결데이터 주식회사", size="large")
        seen = {e.supplier for e in search_facts.facts(session).entries.values()}
        assert seen == {"한결데이터 주식회사"}
        raise Undone

    assert _search(client, q="새벽")["items"][0]["supplier"] == old_name
    assert _names(client, "한결데이터") == []
