"""Accounts through the pages, as a browser without JavaScript uses them."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from digitalmarket.accounts import credentials
from digitalmarket.accounts.tables import Organisation, User
from digitalmarket.core.audit import AuditEvent
from digitalmarket.core.errors import ValidationFailed
from digitalmarket.core.tables import utcnow
from tests.helpers import DEMO_EMAILS, csrf_from, mailed_links, page_login

FORM = {
    "business_number": "214-86-18758",
    "company_name": "(주)테스트클라우드",
    "representative": "홍길동",
    "size": "sme",
    "name": "홍길동",
    "email": "hong@test-cloud.kr",
    "password": "correct-horse-42",
    "password_confirm": "correct-horse-42",
}


def _organisations(db):
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(Organisation))


def test_company_signs_up_through_the_form(client, db):
    token = csrf_from(client, "/signup")
    response = client.post("/signup", data={**FORM, "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 200
    assert "hong@test-cloud.kr" in response.text and "메일" in response.text  # the page says a mail went out
    assert _organisations(db) == 0  # nothing in the company's name until the link is followed
    link = mailed_links(db, "hong@test-cloud.kr")[-1]
    assert client.get(link).status_code == 200
    confirmed = client.post(link, data={"csrf_token": csrf_from(client, link)}, follow_redirects=False)
    assert confirmed.status_code == 303
    assert confirmed.headers["location"] == "/supplier/profile?notice=signed_up"
    page = client.get("/supplier/profile?notice=signed_up")
    assert page.status_code == 200
    assert "(주)테스트클라우드" in page.text
    assert "사업자등록증명" in page.text  # what to upload next
    assert client.get(link).status_code == 410  # the link works once


def test_sign_up_without_csrf_token_is_refused_and_writes_nothing(client, db):
    before = _organisations(db)
    client.get("/signup")
    response = client.post("/signup", data=FORM)
    assert response.status_code == 403
    assert _organisations(db) == before
    forged = client.post("/signup", data={**FORM, "csrf_token": "forged"})
    assert forged.status_code == 403
    assert _organisations(db) == before


def test_invalid_business_number_is_shown_next_to_the_field(client, db):
    token = csrf_from(client, "/signup")
    response = client.post("/signup", data={**FORM, "business_number": "214-86-18759", "csrf_token": token})
    assert response.status_code == 422
    html = response.text
    assert 'id="field-business_number"' in html
    assert 'aria-invalid="true"' in html
    assert "사업자등록번호" in html
    assert 'href="#field-business_number"' in html  # the summary at the top links to the field
    assert 'value="(주)테스트클라우드"' in html  # nothing typed is lost
    assert "correct-horse-42" not in html  # passwords are never echoed
    assert _organisations(db) == 0


def test_mismatched_passwords_are_refused(client, db):
    token = csrf_from(client, "/signup")
    response = client.post("/signup", data={**FORM, "password_confirm": "something-else", "csrf_token": token})
    assert response.status_code == 422
    assert 'id="field-password_confirm"' in response.text
    assert _organisations(db) == 0


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("supplier", "/supplier"),
        ("agency_buyer", "/agency"),
        ("operator", "/operator"),
        ("reviewer", "/reviewer"),
        ("contracting_officer", "/officer"),
        ("admin", "/admin"),
    ],
)
def test_each_demo_role_lands_on_its_workspace(client, demo, role, path):
    response = page_login(client, DEMO_EMAILS[role])
    assert response.status_code == 303
    assert response.headers["location"] == path
    page = client.get(path)
    assert page.status_code == 200
    assert 'action="/logout"' in page.text
    tiles = re.findall(r'<div class="dm-tile[^"]*">\s*<h2 class="dm-tile-title">(.*?)</h2>', page.text, re.S)
    assert all('<a href="' in tile for tile in tiles), tiles  # every task leads somewhere
    assert "준비 중" not in page.text
    for href in re.findall(r'<h2 class="dm-tile-title"><a href="([^"]+)"', page.text):
        assert client.get(href).status_code == 200, href


def test_log_in_rotates_the_session_and_log_out_ends_it(client, demo):
    page_login(client, "buyer@demo.kr")
    first = client.cookies.get("dm_session")
    page_login(client, "buyer@demo.kr")
    second = client.cookies.get("dm_session")
    assert first and second and first != second
    token = csrf_from(client, "/account")
    out = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303
    client.cookies.set("dm_session", second)
    assert client.get("/account", follow_redirects=False).status_code == 303  # the session is gone


def test_wrong_password_five_times_locks_the_account(client, demo):
    for _ in range(5):
        response = page_login(client, "buyer@demo.kr", "wrong-password")
        assert response.status_code == 422
        assert "올바르지" in response.text
    locked = page_login(client, "buyer@demo.kr")
    assert locked.status_code == 429
    assert "15" in locked.text
    with demo.reading() as session:
        failures = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "account.login_failed")
        )
    assert failures == 6


def test_the_lock_lifts_after_fifteen_minutes(demo):
    with demo.transaction() as session:
        for _ in range(5):
            with pytest.raises(ValidationFailed):
                credentials.authenticate(session, "buyer@demo.kr", "wrong-password")
    later = utcnow() + timedelta(minutes=15, seconds=1)
    with demo.transaction() as session:
        user = credentials.authenticate(session, "buyer@demo.kr", "demo-pass-2026", now=later)
        assert user.failed_logins == 0


def test_unknown_email_spends_a_password_verification(demo, monkeypatch):
    calls = []
    monkeypatch.setattr(credentials, "spend_verification_time", lambda password: calls.append(password))
    with demo.transaction() as session, pytest.raises(ValidationFailed):
        credentials.authenticate(session, "nobody@demo.kr", "some-password")
    assert calls == ["some-password"]


def test_password_change_signs_out_every_browser(client, demo, app):
    from fastapi.testclient import TestClient

    page_login(client, "supplier@demo.kr")
    with TestClient(app) as other:
        page_login(other, "supplier@demo.kr")
        token = csrf_from(client, "/account")
        changed = client.post(
            "/account/password",
            data={
                "csrf_token": token,
                "current_password": "demo-pass-2026",
                "new_password": "a-new-password-1",
                "new_password_confirm": "a-new-password-1",
            },
            follow_redirects=False,
        )
        assert changed.status_code == 303
        assert other.get("/account", follow_redirects=False).status_code == 303
    assert page_login(client, "supplier@demo.kr", "a-new-password-1").status_code == 303


def test_token_created_on_the_account_page_is_shown_once(client, demo):
    page_login(client, "buyer@demo.kr")
    token = csrf_from(client, "/account")
    created = client.post("/account/tokens", data={"csrf_token": token, "name": "통계 수집"})
    assert created.status_code == 201
    assert 'id="new-token"' in created.text
    again = client.get("/account")
    assert "통계 수집" in again.text
    assert 'id="new-token"' not in again.text


def test_admin_creates_an_account_through_the_page(client, demo):
    page_login(client, "admin@demo.kr")
    with demo.reading() as session:
        agency = session.scalars(select(Organisation).where(Organisation.name == "한빛시교육청")).one()
    token = csrf_from(client, "/admin")
    short = client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "name": "교육 담당",
            "email": "edu@hanbit.go.kr",
            "organisation_id": agency.id,
            "role": "agency_buyer",
            "password": "short",
        },
    )
    assert short.status_code == 422
    assert 'value="edu@hanbit.go.kr"' in short.text
    ok = client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "name": "교육 담당",
            "email": "edu@hanbit.go.kr",
            "organisation_id": agency.id,
            "role": "agency_buyer",
            "password": "long-enough-1",
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303
    with demo.reading() as session:
        assert session.scalars(select(User).where(User.email == "edu@hanbit.go.kr")).one().role == "agency_buyer"


def test_supplier_edits_its_profile(client, demo):
    page_login(client, "supplier@demo.kr")
    page = client.get("/supplier/profile")
    assert "120-81-47521" in page.text
    token = csrf_from(client, "/supplier/profile")
    import re

    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    saved = client.post(
        "/supplier/profile",
        data={"csrf_token": token, "version": version, "contact_phone": "02-1234-5678", "contact_email": ""},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert "02-1234-5678" in client.get("/supplier/profile").text
    stale = client.post(
        "/supplier/profile",
        data={"csrf_token": token, "version": version, "contact_phone": "02-9999-0000"},
    )
    assert stale.status_code == 409
    assert "02-1234-5678" in client.get("/supplier/profile").text


def test_pages_refuse_the_wrong_role(client, demo):
    page_login(client, "supplier@demo.kr")
    assert client.get("/admin").status_code == 403
    assert client.get("/organisations").status_code == 403
    anonymous = client.__class__(client.app)
    assert anonymous.get("/admin", follow_redirects=False).headers["location"] == "/login?next=/admin"
