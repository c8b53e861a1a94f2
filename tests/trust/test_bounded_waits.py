"""Every wait for the database is bounded: a request that finds the lock it needs held by another
transaction, a statement that runs too long or no free connection is told "busy, try again" (503 with
``Retry-After``, in the reader's language) instead of hanging, and nothing it began is saved.

The bounds are made short here (a fraction of a second); the other transaction is a real second
connection holding SQLite's write lock, or on PostgreSQL a lock of the accounts table that a sign-up needs
(no lock is shared by every write there: the audit log is sequenced after commit).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from digitalmarket.accounts.tables import User
from digitalmarket.core.database import Database
from digitalmarket.core.settings import Waits, load_waits
from digitalmarket.web.app import create_app
from tests.accounts.test_api import SIGNUP
from tests.helpers import csrf_from

BUSY_KO = "잠시 후 다시 시도하세요"


@contextmanager
def bounded_client(settings, db: Database, waits: Waits, **engine_kwargs) -> Iterator[tuple[TestClient, Database]]:
    short = Database(db.url, waits, **engine_kwargs)
    try:
        with TestClient(create_app(settings, short), base_url="http://testserver") as client:
            yield client, short
    finally:
        short.dispose()


@contextmanager
def writer_holding_the_lock(db: Database) -> Iterator[None]:
    """Another connection in the middle of a write: it holds what a sign-up needs first (SQLite's write
    lock; on PostgreSQL the table of pending sign-ups, as a long maintenance statement on it would)."""
    if db.is_sqlite:
        holder = sqlite3.connect(db.engine.url.database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    with db.engine.connect() as holder:
        holder.execute(text("LOCK TABLE signup_requests IN SHARE ROW EXCLUSIVE MODE"))
        try:
            yield
        finally:
            holder.rollback()


def users_named(db: Database, email: str) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(User).where(User.email == email))


def assert_busy_json(response) -> None:
    assert response.status_code == 503, response.text
    assert int(response.headers["Retry-After"]) > 0
    error = response.json()["error"]
    assert error["code"] == "busy"
    assert BUSY_KO in error["message"]


def test_a_write_that_waits_for_a_held_lock_is_told_busy_and_saves_nothing(settings, db):
    waits = Waits(lock_seconds=0.3, statement_seconds=30, pool_seconds=5)
    with bounded_client(settings, db, waits) as (client, _):
        token = csrf_from(client, "/signup")
        with writer_holding_the_lock(db):
            assert_busy_json(client.post("/api/v1/signup", json=SIGNUP))
            english = client.post("/api/v1/signup", json=SIGNUP, headers={"Accept-Language": "en"})
            assert english.status_code == 503
            assert "try again in a moment" in english.json()["error"]["message"]
            form = {**SIGNUP, "email": "page@test-cloud.kr", "password_confirm": SIGNUP["password"]}
            page = client.post("/signup", data={**form, "csrf_token": token}, follow_redirects=False)
            assert page.status_code == 503, page.text[-3000:]
            assert page.headers["Retry-After"]
            assert "text/html" in page.headers["content-type"]
            assert BUSY_KO in page.text
        assert users_named(db, SIGNUP["email"]) == 0
        assert users_named(db, "page@test-cloud.kr") == 0
        # once the other writer is done, the same request goes through
        assert client.post("/api/v1/signup", json=SIGNUP).status_code == 202


@pytest.mark.parametrize("backend", ["postgresql"])  # SQLite has no statement timeout
def test_a_statement_that_runs_too_long_is_cancelled_and_told_busy(settings, db):
    waits = Waits(lock_seconds=30, statement_seconds=0.3, pool_seconds=5)
    with bounded_client(settings, db, waits) as (client, _), writer_holding_the_lock(db):
        assert_busy_json(client.post("/api/v1/signup", json=SIGNUP))
    assert users_named(db, SIGNUP["email"]) == 0


def test_a_request_that_finds_no_free_connection_is_told_busy(settings, db):
    waits = Waits(lock_seconds=5, statement_seconds=30, pool_seconds=0.2)
    with bounded_client(settings, db, waits, pool_size=1, max_overflow=0) as (client, short):
        with short.engine.connect():  # the only connection is taken
            assert_busy_json(client.post("/api/v1/signup", json=SIGNUP))
            page = client.get("/services/SVC-2026-00001")  # a page that reads the database
            assert page.status_code == 503, page.text[-3000:]
            assert BUSY_KO in page.text
        assert users_named(db, SIGNUP["email"]) == 0


def test_the_bounds_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("DM_LOCK_TIMEOUT_SECONDS", "2.5")
    monkeypatch.delenv("DM_STATEMENT_TIMEOUT_SECONDS", raising=False)
    assert load_waits() == Waits(lock_seconds=2.5, statement_seconds=30, pool_seconds=10)
    assert load_waits(serving=False).statement_seconds == 0  # a command-line tool: no statement limit
    monkeypatch.setenv("DM_POOL_TIMEOUT_SECONDS", "never")
    with pytest.raises(ValueError, match="DM_POOL_TIMEOUT_SECONDS"):
        load_waits()


def test_a_search_that_waits_too_long_for_its_turn_is_told_busy_and_then_answered(settings, demo_work):
    """Searches of a process take turns (`search.turns`): one that waited a lock's bound is told busy, in
    both languages, page and API alike; once the search before it ends, the same search is answered. A
    search inside a search does not wait for itself."""
    from digitalmarket.search import finder, turns

    waits = Waits(lock_seconds=0.3, statement_seconds=30, pool_seconds=5)
    with bounded_client(settings, demo_work, waits) as (client, short), short.reading() as session:
        with turns.turn(session):  # another search, running long
            assert_busy_json(client.get("/api/v1/services", params={"q": "클라우드"}))
            english = client.get("/api/v1/services", params={"q": "cloud"}, headers={"Accept-Language": "en"})
            assert english.status_code == 503
            assert "try again in a moment" in english.json()["error"]["message"]
            page = client.get("/services", params={"q": "클라우드"})
            assert page.status_code == 503, page.text[-3000:]
            assert page.headers["Retry-After"]
            assert BUSY_KO in page.text
            nested = finder.find(session, finder.Query(q="클라우드"))  # the holder's own search goes on
            assert nested.total > 0
        answered = client.get("/api/v1/services", params={"q": "클라우드"})
        assert answered.status_code == 200
        assert answered.json()["total"] == nested.total
