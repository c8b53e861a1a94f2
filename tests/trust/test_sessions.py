"""Session hygiene: a log-in ends the session the browser presented, a browser idle for two hours is signed
out (besides the 14 days at most), passwords that are easy to guess are refused with the reason, and the
current password cannot be guessed on the password change form."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from digitalmarket.accounts import credentials
from digitalmarket.accounts.tables import User
from digitalmarket.core import clock, tables
from digitalmarket.core.audit import AuditEvent
from digitalmarket.core.settings import session_idle_minutes
from digitalmarket.demo import DEMO_PASSWORD
from tests.helpers import csrf_from, page_login


@contextmanager
def clock_moved(delta: timedelta):
    """The application's clock reads ``delta`` later inside the block."""
    real = datetime

    class Later(real):
        @classmethod
        def now(cls, tz=None):
            return real.now(tz) + delta

    saved = clock.datetime, tables.datetime
    clock.datetime = tables.datetime = Later
    try:
        yield
    finally:
        clock.datetime, tables.datetime = saved


def _signed_in(client: TestClient) -> bool:
    return client.get("/account", follow_redirects=False).status_code == 200


def test_a_log_in_ends_the_session_the_browser_presented(client, demo):
    assert page_login(client, "buyer@demo.kr").status_code == 303
    first = client.cookies.get("dm_session")
    assert page_login(client, "supplier@demo.kr").status_code == 303  # same browser, no log-out
    assert client.cookies.get("dm_session") != first
    with TestClient(client.app) as other:
        other.cookies.set("dm_session", first)
        assert not _signed_in(other)  # the buyer's session is over, not left behind


def test_two_idle_hours_sign_a_browser_out_and_activity_keeps_it(client, demo):
    assert page_login(client, "buyer@demo.kr").status_code == 303
    with clock_moved(timedelta(hours=1, minutes=50)):
        assert _signed_in(client)  # and the idle deadline moves on
    with clock_moved(timedelta(hours=3, minutes=40)):
        assert _signed_in(client)  # 1 h 50 after the last request
    with clock_moved(timedelta(hours=5, minutes=41)):
        assert not _signed_in(client)  # 2 h 01 without a request


def test_the_absolute_lifetime_holds_however_active(demo):
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with demo.transaction() as session:
        user = session.scalars(select(User).where(User.email == "buyer@demo.kr")).one()
        token = credentials.start_web_session(session, user, now=start)
    moment = start + timedelta(hours=1, minutes=30)
    while moment < start + credentials.SESSION_LIFETIME:  # a request every 90 minutes, for 14 days
        with demo.transaction() as session:
            found = credentials.session_and_user(session, token, moment)
            assert found is not None
            credentials.touch_web_session(session, found[0].id, moment)
        moment += timedelta(hours=1, minutes=30)
    with demo.reading() as session:
        assert credentials.session_and_user(session, token, start + credentials.SESSION_LIFETIME) is None


def test_the_idle_time_is_a_setting(monkeypatch):
    monkeypatch.setenv("DM_SESSION_IDLE_MINUTES", "30")
    assert credentials.session_idle() == timedelta(minutes=30)
    monkeypatch.setenv("DM_SESSION_IDLE_MINUTES", "0")
    with pytest.raises(ValueError, match="DM_SESSION_IDLE_MINUTES"):
        session_idle_minutes()


def _change(client: TestClient, current: str, new: str, lang: str = "ko"):
    client.cookies.set("dm_lang", lang, domain="testserver.local")
    token = csrf_from(client, "/account")
    form = {"current_password": current, "new_password": new, "new_password_confirm": new, "csrf_token": token}
    return client.post("/account/password", data=form, follow_redirects=False)


@pytest.mark.parametrize(
    ("weak", "reason_ko", "reason_en"),
    [
        ("aaaaaaaaaa", "추측하기 쉬운", "too easy to guess"),
        ("1234567890", "1234", "a sequence such as 1234"),
        ("buyer@demo.kr", "이메일 주소나 이름", "e-mail address or name"),
        ("buyerdemo2026", "이메일 주소나 이름", "e-mail address or name"),
    ],
)
def test_passwords_easy_to_guess_are_refused_with_the_reason(client, demo, weak, reason_ko, reason_en):
    assert page_login(client, "buyer@demo.kr").status_code == 303
    korean = _change(client, DEMO_PASSWORD, weak)
    assert korean.status_code == 422 and reason_ko in korean.text
    english = _change(client, DEMO_PASSWORD, weak, "en")
    assert english.status_code == 422 and reason_en in english.text
    assert _signed_in(client)  # nothing changed: the session and the password are the same
    assert page_login(TestClient(client.app), "buyer@demo.kr").status_code == 303


def test_guesses_of_the_current_password_are_limited(client, demo):
    assert page_login(client, "buyer@demo.kr").status_code == 303
    for attempt in range(5):
        wrong = _change(client, f"guess-{attempt}-password", "a-strong-new-pass-2027")
        assert wrong.status_code == 422 and "현재 비밀번호" in wrong.text
    refused = _change(client, DEMO_PASSWORD, "a-strong-new-pass-2027")  # even the right one, for now
    assert refused.status_code == 429 and "15분" in refused.text
    with demo.reading() as session:
        failures = select(func.count()).where(AuditEvent.action == "account.password_check_failed")
        assert session.scalar(failures) == 5
    with clock_moved(timedelta(minutes=16)):
        assert _change(client, DEMO_PASSWORD, "a-strong-new-pass-2027").status_code == 303
    assert page_login(TestClient(client.app), "buyer@demo.kr", "a-strong-new-pass-2027").status_code == 303
