"""The change feed on SQLite and PostgreSQL: objects in the order they last changed, read with a cursor;
a change moves an object to the end; applications are not listed; and, on PostgreSQL, a reader paging
while writers commit out of order never misses an object's last change."""

from __future__ import annotations

import random
import threading
import time

import pytest
from sqlalchemy import event, select

from digitalmarket.catalog import queries
from digitalmarket.catalog import workflow as catalog
from digitalmarket.catalog.tables import Service
from digitalmarket.contracting.catalog_contracts import applying, contract_items
from digitalmarket.opendata import feed
from tests.contracting.buying import catalog_contract, people_of, plan_ids, publish, service


@pytest.fixture
def people(demo):
    return people_of(demo)


def toggle(db, operator, code: str) -> None:
    """Suspend a published service, or publish a suspended one again."""
    with db.transaction() as session:
        found = queries.service_by_code(session, code)
        action = "suspend" if found.status == "published" else "republish"
        catalog.change_status(session, operator, code, action, "점검", found.version)


def read_all(client, kind: str, cursor: str | None = None, limit: int = 2) -> tuple[list[dict], str | None]:
    items = []
    while True:
        url = f"/api/v1/feed/{kind}?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return items, cursor


def test_objects_come_in_the_order_they_last_changed(demo, people, client):
    codes = [publish(demo, people.supplier, f"가상 서비스 {n}") for n in range(3)]
    items, cursor = read_all(client, "services")
    assert [item["data"]["code"] for item in items] == codes
    assert {item["data"]["status"] for item in items} == {"published"}
    assert "김가상" not in str(items) and "supplier@demo.kr" not in str(items)
    assert client.get(f"/api/v1/feed/services?cursor={cursor}").json() == {
        "items": [],
        "next_cursor": cursor,
        "has_more": False,
    }
    toggle(demo, people.operator, codes[0])
    later, cursor = read_all(client, "services", cursor)
    assert [(item["data"]["code"], item["data"]["status"]) for item in later] == [(codes[0], "suspended")]
    everything, _ = read_all(client, "services")
    assert [item["data"]["code"] for item in everything] == [codes[1], codes[2], codes[0]]


def test_catalog_contracts_are_listed_once_signed_and_orders_with_their_ocid(demo, people, client):
    code = publish(demo, people.supplier, "가상웍스 그룹웨어")
    svc = service(demo, code)
    with demo.transaction() as session:
        from digitalmarket.core.clock import today_kst

        items = [contract_items.ItemInput(plan_ids(demo, code)[0], 11000)]
        applied = applying.apply(
            session, people.supplier, svc.id, items, today_kst(), today_kst().replace(year=today_kst().year + 1)
        )
    assert read_all(client, "catalog-contracts")[0] == []  # an application is not public
    other = publish(demo, people.supplier2, "나래 오피스")
    contract_id = catalog_contract(demo, people, other)
    listed = read_all(client, "catalog-contracts")[0]
    assert [item["id"] for item in listed] == [contract_id]
    assert listed[0]["data"]["ocid"] == f"ocds-xxxxxx-{listed[0]['data']['number']}"
    assert applied.id != contract_id
    assert read_all(client, "orders")[0] == []


def test_a_bad_cursor_or_limit_is_refused(demo, client):
    response = client.get("/api/v1/feed/services?cursor=12;DROP")
    assert response.status_code == 422
    assert "cursor" in response.json()["error"]["fields"]
    assert client.get("/api/v1/feed/services?limit=0").status_code == 422
    assert client.get("/api/v1/feed/services?limit=501").status_code == 422
    assert client.get("/api/v1/feed/invoices").status_code == 422


def test_a_reader_paging_while_writers_commit_misses_no_last_change(demo, people, backend):
    """Writers toggle services, each pausing for a random time between taking the feed position (the
    update of the service's row) and committing; a reader pages all along with one cursor. At the end
    every service's final state has been read after its last change. (Without the trigger's lock, writers
    commit in another order than their positions and the reader misses changes.)"""
    if backend != "postgresql":
        pytest.skip("SQLite writers take turns: positions follow commits there")
    suppliers = [people.supplier, people.supplier2]
    codes = [publish(demo, suppliers[n % 2], f"동시 변경 서비스 {n}") for n in range(24)]
    rounds = 2
    done = threading.Event()
    seen: dict[int, int] = {}
    problems: list[str] = []
    cursor_box: list[str | None] = [None]

    def read_once() -> bool:
        with demo.reading() as session:
            page = feed.page(session, "services", cursor_box[0], 3)
        for item in page.items:
            seen[item["id"]] = item["data"]["version"]
        cursor_box[0] = page.next_cursor
        return page.has_more

    writing = threading.local()

    @event.listens_for(demo.engine, "after_cursor_execute")
    def pause_after_taking_a_position(conn, cursor, statement, parameters, context, executemany):
        # The trigger has just given the service its position; the transaction commits only later.
        if getattr(writing, "chance", None) and statement.lstrip().upper().startswith("UPDATE SERVICES"):
            time.sleep(writing.chance.uniform(0, 0.03))

    def writer(mine: list[str], seed: int) -> None:
        writing.chance = random.Random(seed)
        try:
            for _ in range(rounds):
                for code in mine:
                    with demo.transaction() as session:
                        found = queries.service_by_code(session, code)
                        action = "suspend" if found.status == "published" else "republish"
                        catalog.change_status(session, people.operator, code, action, "점검", found.version)
        except Exception as error:  # noqa: BLE001 - reported below
            problems.append(repr(error))

    def reader() -> None:
        while not done.is_set():
            if not read_once():
                time.sleep(0.005)

    writers = [threading.Thread(target=writer, args=(codes[n::3], n)) for n in range(3)]
    watcher = threading.Thread(target=reader)
    watcher.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    done.set()
    watcher.join()
    while read_once():  # the same reader, the same cursor: what is left
        pass
    event.remove(demo.engine, "after_cursor_execute", pause_after_taking_a_position)
    assert problems == []
    with demo.reading() as session:
        final = {s.id: s.version for s in session.scalars(select(Service).where(Service.code.in_(codes)))}
    assert {sid: seen.get(sid) for sid in final} == final


def test_a_writer_of_the_feed_does_not_wait_for_another_and_the_later_commit_comes_later(demo, people, backend):
    """While one writer holds an uncommitted change of a service, another changes a second service and
    commits without waiting; the feed lists the committed change at once, and the first one after it once
    it commits (positions follow commits, taken after commit by the sequencer)."""
    if backend != "postgresql":
        pytest.skip("SQLite has one writer at a time by design")
    first, second = (
        publish(demo, people.supplier, "먼저 바꾼 서비스"),
        publish(demo, people.supplier, "나중에 바꾼 서비스"),
    )
    changed, release, toggled = threading.Event(), threading.Event(), threading.Event()

    def slow_writer() -> None:
        with demo.transaction() as session:
            found = queries.service_by_code(session, first)
            catalog.change_status(session, people.operator, first, "suspend", "점검", found.version)
            changed.set()
            release.wait(120)

    def second_writer() -> None:
        toggle(demo, people.operator, second)
        toggled.set()

    with demo.reading() as session:
        cursor = feed.page(session, "services", None, 500).next_cursor
    slow = threading.Thread(target=slow_writer)
    slow.start()
    try:  # the second writer must end while the first one's transaction is open: no duration is measured
        assert changed.wait(60)
        threading.Thread(target=second_writer).start()
        assert toggled.wait(100), "the second writer waited for the first one's commit"
        assert slow.is_alive()
        with demo.reading() as session:
            meanwhile = [item["data"]["code"] for item in feed.page(session, "services", cursor, 500).items]
    finally:
        release.set()
        slow.join()
    with demo.reading() as session:
        after = [item["data"]["code"] for item in feed.page(session, "services", cursor, 500).items]
    assert meanwhile == [second]
    assert after == [second, first]
