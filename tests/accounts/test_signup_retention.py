"""Sign-ups nobody confirmed are deleted by the daily run a week after their link expired: the person's name,
address and password hash go, a confirmed sign-up stays, and the audit log keeps how many and which ids,
nothing personal."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from digitalmarket.accounts.review_tables import SignupRequest
from digitalmarket.core.audit import AuditEvent
from digitalmarket.core.clock import today_kst
from digitalmarket.notifications.daily import run_daily
from tests.accounts.test_company_verification import SIGNUP
from tests.helpers import mailed_links


def _requests(db) -> dict[str, bool]:
    """E-mail address -> confirmed, of every sign-up request kept."""
    with db.reading() as session:
        return {r.email: r.confirmed_at is not None for r in session.scalars(select(SignupRequest))}


def test_unconfirmed_sign_ups_are_deleted_a_week_after_their_link_expired(client, demo, settings):
    assert client.post("/api/v1/signup", json=SIGNUP).status_code == 202
    forgotten = {**SIGNUP, "business_number": "220-81-62517", "email": "late@cloud.kr", "name": "김늦음"}
    assert client.post("/api/v1/signup", json=forgotten).status_code == 202
    code = mailed_links(demo, "hong@test-cloud.kr")[-1].rsplit("/", 1)[-1]
    assert client.post("/api/v1/signup/confirm", json={"code": code}).status_code == 201
    assert _requests(demo) == {"hong@test-cloud.kr": True, "late@cloud.kr": False}

    today = today_kst()
    assert run_daily(demo, settings, today + timedelta(days=3)).counts["signup_requests_purged"] == 0
    assert _requests(demo) == {"hong@test-cloud.kr": True, "late@cloud.kr": False}  # expired, kept a week

    report = run_daily(demo, settings, today + timedelta(days=9))
    assert report.counts["signup_requests_purged"] == 1 and not report.problems
    assert _requests(demo) == {"hong@test-cloud.kr": True}
    late_link = mailed_links(demo, "late@cloud.kr")[-1].rsplit("/", 1)[-1]
    assert client.post("/api/v1/signup/confirm", json={"code": late_link}).status_code == 422  # nothing left
    with demo.reading() as session:
        events = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "account.signup_requests_purged")))
    assert len(events) == 1 and events[0].details["count"] == 1
    assert "late@cloud.kr" not in str(events[0].details) and "김늦음" not in str(events[0].details)
    assert run_daily(demo, settings, today + timedelta(days=10)).counts["signup_requests_purged"] == 0
