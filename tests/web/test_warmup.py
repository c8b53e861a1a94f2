"""A served worker loads search in the background: it answers meanwhile, and a failed warm-up only logs."""

import logging
import threading

import pytest
from fastapi.testclient import TestClient

from digitalmarket.core import collector
from digitalmarket.core.database import Database
from digitalmarket.web import warmup
from digitalmarket.web.app import create_app


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
