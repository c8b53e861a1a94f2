"""Brute force: failed log-ins are limited per account (5, in tests/accounts) and per network address
(20 within 15 minutes, whatever the accounts tried); the address is the peer's, or the trusted proxy's
``X-Forwarded-For`` entry. A planted session cookie never survives a log-in."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from digitalmarket.accounts import credentials
from digitalmarket.accounts.rules import AddressLimit
from digitalmarket.core.audit import AuditEvent
from digitalmarket.core.errors import TooManyAttempts, ValidationFailed
from digitalmarket.core.settings import PROJECT_ROOT, Settings
from digitalmarket.core.tables import utcnow
from digitalmarket.demo import DEMO_PASSWORD
from tests.helpers import app_on, page_login

ATTACKER = "203.0.113.7"
ACCOUNTS = ["buyer@demo.kr", "supplier@demo.kr", "operator@demo.kr", "nobody@demo.kr"]


def _fail_twenty_times(db, address: str) -> None:
    """Five tries at each of four accounts (one unknown): under each account's own lock-out threshold
    until the fifth, so only the address limit explains what follows."""
    with db.transaction() as session:
        for attempt in range(20):
            with pytest.raises((ValidationFailed, TooManyAttempts)):
                credentials.authenticate(session, ACCOUNTS[attempt % 4], "wrong-password", address=address)


def test_twenty_failures_from_one_address_refuse_it_for_any_account(demo):
    _fail_twenty_times(demo, ATTACKER)
    with demo.transaction() as session, pytest.raises(TooManyAttempts) as refused:
        credentials.authenticate(session, "admin@demo.kr", DEMO_PASSWORD, address=ATTACKER)
    assert refused.value.status == 429
    assert "15분" in refused.value.message.render("ko")
    with demo.transaction() as session:  # another address is not affected
        assert credentials.authenticate(session, "admin@demo.kr", DEMO_PASSWORD, address="198.51.100.1").email
    with demo.reading() as session:
        limited = session.scalars(select(AuditEvent).where(AuditEvent.action == "account.login_failed")).all()
    assert len(limited) == 21
    assert {e.details["address"] for e in limited} == {ATTACKER}
    assert limited[-1].details["reason"] == "address_limited"


def test_nineteen_failures_do_not_and_the_window_slides(demo):
    with demo.transaction() as session:
        for _ in range(19):
            with pytest.raises(ValidationFailed):
                credentials.authenticate(session, "nobody@demo.kr", "wrong-password", address=ATTACKER)
    with demo.transaction() as session:
        assert credentials.authenticate(session, "admin@demo.kr", DEMO_PASSWORD, address=ATTACKER).email
    _fail_twenty_times(demo, ATTACKER)
    later = utcnow() + timedelta(minutes=AddressLimit().window_minutes, seconds=1)
    with demo.transaction() as session:
        assert credentials.authenticate(session, "admin@demo.kr", DEMO_PASSWORD, now=later, address=ATTACKER).email


def test_the_log_in_page_answers_429_in_korean(client, demo):
    for attempt in range(20):
        assert page_login(client, f"guess{attempt}@demo.kr", "wrong-password").status_code == 422
    refused = page_login(client, "buyer@demo.kr")
    assert refused.status_code == 429
    assert "네트워크 주소" in refused.text and "15분" in refused.text
    assert "dm_session" not in client.cookies
    # A forged X-Forwarded-For does not help when no proxy is trusted.
    client.headers["X-Forwarded-For"] = "198.51.100.9"
    assert page_login(client, "buyer@demo.kr").status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_counts(db, demo, tmp_path):
    settings = Settings(
        data_dir=tmp_path,
        database_url=db.url,
        secret_key="t",
        frontend_dir=PROJECT_ROOT / "node_modules",
        trusted_proxies=("testclient",),  # the test client's peer name, as a proxy's address
    )
    with TestClient(app_on(settings, db)) as client:
        client.headers["X-Forwarded-For"] = f"10.0.0.1, {ATTACKER}"
        for attempt in range(20):
            assert page_login(client, f"guess{attempt}@demo.kr", "wrong-password").status_code == 422
        assert page_login(client, "buyer@demo.kr").status_code == 429
        # The client may prepend anything; the proxy's own (last) entry is the one that counts.
        client.headers["X-Forwarded-For"] = f"{ATTACKER}, 198.51.100.20"
        assert page_login(client, "buyer@demo.kr").status_code == 303


def test_a_forged_forwarded_for_from_the_same_host_changes_nothing(demo, client, monkeypatch):
    """No proxy named in DM_TRUSTED_PROXIES: a request from 127.0.0.1 with X-Forwarded-For is 127.0.0.1
    for the address limit and in the audit trail, however the header rotates."""
    with TestClient(client.app, client=("127.0.0.1", 40000)) as local:
        for attempt in range(20):
            local.headers["X-Forwarded-For"] = f"198.51.100.{attempt}"
            assert page_login(local, f"guess{attempt}@demo.kr", "wrong-password").status_code == 422
        local.headers["X-Forwarded-For"] = "198.51.100.99"
        assert page_login(local, "buyer@demo.kr").status_code == 429
    with demo.reading() as session:
        failed = session.scalars(select(AuditEvent).where(AuditEvent.action == "account.login_failed")).all()
    assert {e.details["address"] for e in failed} == {"127.0.0.1"}


def test_uvicorn_never_reads_proxy_headers_and_the_trusted_proxies_are_named(monkeypatch):
    import uvicorn

    from digitalmarket.core.settings import load_settings
    from digitalmarket.web import server

    assert uvicorn.Config(server.APP, **server.OPTIONS).proxy_headers is False
    monkeypatch.setenv("DM_TRUST_PROXY", "1")
    monkeypatch.delenv("DM_TRUSTED_PROXIES", raising=False)
    with pytest.raises(ValueError, match="DM_TRUSTED_PROXIES"):
        load_settings()
    monkeypatch.setenv("DM_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1")
    assert load_settings().trusted_proxies == ("10.0.0.0/8", "127.0.0.1")
    monkeypatch.setenv("DM_TRUSTED_PROXIES", "proxy.example")
    with pytest.raises(ValueError, match="proxy.example"):
        load_settings()


def test_a_planted_session_cookie_is_replaced_at_log_in(client, demo):
    client.cookies.set("dm_session", "dms_planted-by-an-attacker", domain="testserver.local")
    assert page_login(client, "buyer@demo.kr").status_code == 303
    issued = client.cookies.get("dm_session")
    assert issued and issued != "dms_planted-by-an-attacker"
    with TestClient(client.app) as attacker:
        attacker.cookies.set("dm_session", "dms_planted-by-an-attacker")
        assert attacker.get("/account", follow_redirects=False).status_code == 303  # not signed in
