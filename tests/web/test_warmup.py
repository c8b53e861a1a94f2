"""A served worker loads search in the background: it answers meanwhile, searches afterwards read no
service's rows again, and a failed warm-up only logs."""

import logging
import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from digitalmarket.core import collector
from digitalmarket.core.database import Database
from digitalmarket.search import facts as search_facts
from digitalmarket.search import finder, rows
from digitalmarket.web import warmup
from digitalmarket.web.app import create_app
from tests.contracting.buying import people_of, publish


def test_the_served_app_answers_while_it_warms_up_and_searches_afterwards(db, settings, monkeypatch):
    started, settled = threading.Event(), threading.Event()
    monkeypatch.setattr(warmup, "warm_up", lambda db, app, real=warmup.warm_up: (started.set(), real(db, app)))
    # what a warm worker loaded is put out of the garbage collector's sight (not in this test's own process)
    monkeypatch.setattr(collector, "settle", settled.set)
    monkeypatch.setattr(warmup, "DELAY_S", 0.1)
    with TestClient(create_app(settings, db, warm_up=True)) as client:
        assert client.get("/healthz").status_code == 200
        assert started.wait(30)
        for thread in [t for t in threading.enumerate() if t.name == "warm-up"]:
            thread.join(120)
        assert settled.is_set()
        found = client.get("/api/v1/services", params={"q": "클라우드"})
        assert found.status_code == 200 and found.json()["total"] == 0


def test_a_warm_up_that_fails_is_logged_and_leaves_the_worker_running(tmp_path, caplog, monkeypatch):
    unmigrated = Database(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    monkeypatch.setattr(collector, "settle", lambda: pytest.fail("a worker that did not warm up settled"))
    try:
        with caplog.at_level(logging.WARNING, logger="digitalmarket.web.warmup"):
            warmup.warm_up(unmigrated)
    finally:
        unmigrated.dispose()
    assert "Warm-up stopped" in caplog.text


def test_after_the_warm_up_searches_read_no_service_rows_again(demo, monkeypatch):
    """The warm-up reads what searches read of each published service (its index row, what a page of
    results shows): asking for every one of them afterwards sends nothing to the database."""
    people = people_of(demo)
    for supplier, name in [(people.supplier, "새벽 협업 그룹웨어"), (people.supplier2, "구름 화상회의")] * 2:
        publish(demo, supplier, name)
    monkeypatch.setattr(collector, "settle", lambda: None)  # not in the tests' own process
    warmup.warm_up(demo)
    sent: list[str] = []
    event.listen(demo.engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
    with demo.reading() as session:
        known = search_facts.facts(session)
        published = known.columns.ids.tolist()
        sent.clear()
        shown = known.listed(session, published, rows.listed)
        known.index_rows(session, published)
    assert len(published) == 4
    assert sorted(shown) == sorted(published)
    assert sent == []


def test_a_catalog_larger_than_the_search_facts_keep_is_left_to_its_searches(demo, monkeypatch):
    people = people_of(demo)
    for name in ("새벽 협업 그룹웨어", "새벽 메일", "새벽 전자결재"):
        publish(demo, people.supplier, name)
    with demo.reading() as session:
        published = search_facts.facts(session).columns.size
        monkeypatch.setattr(search_facts, "CACHED_ROWS", published - 1)
        assert finder.keep_every_row(session) == 0
        monkeypatch.setattr(search_facts, "CACHED_ROWS", published)
        assert finder.keep_every_row(session) == published
