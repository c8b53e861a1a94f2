"""E-mail choices on /account/notifications and over the API; the renewed CSAP certificate page."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from digitalmarket.catalog.tables import Service
from digitalmarket.core.audit import AuditEvent
from digitalmarket.core.clock import today_kst
from digitalmarket.core.notifications import NOTIFICATION_KINDS
from digitalmarket.notifications import preferences
from tests.contracting.buying import people_of
from tests.helpers import api_token, csrf_from, page_login
from tests.notifications.test_alerts import cloud_service, daily


def choices(db, email: str) -> preferences.Choices:
    with db.reading() as session:
        from digitalmarket.accounts.tables import User

        user = session.scalars(select(User).where(User.email == email)).one()
        return preferences.choices_of(session, user.id)


def test_the_preferences_page_has_one_checkbox_per_kind_in_korean_and_saves(client, demo):
    page_login(client, "buyer@demo.kr")
    page = client.get("/account/notifications")
    assert page.status_code == 200
    assert "<h1" in page.text and "이메일 알림" in page.text
    assert page.text.count('type="checkbox" name="kinds"') == len(NOTIFICATION_KINDS)
    assert page.text.count(" checked") == len(NOTIFICATION_KINDS)  # everything by default
    assert '<label for="kind-quote">견적 요청과 견적</label>' in page.text
    assert "기한 알림" in page.text and 'for="field-language"' in page.text
    assert "/account/notifications" in client.get("/account").text

    token = csrf_from(client, "/account/notifications")
    saved = client.post(
        "/account/notifications",
        data={"csrf_token": token, "version": "0", "kinds": ["order", "alert"], "language": "en"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    after = client.get(saved.headers["location"])
    assert "저장되었습니다" in after.text
    assert after.text.count(" checked") == 2
    mine = choices(demo, "buyer@demo.kr")
    assert (set(mine.email_kinds), mine.language, mine.version) == ({"order", "alert"}, "en", 1)
    with demo.reading() as session:
        assert session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("notification_%"))).all() == [
            "notification_preferences.saved"
        ]


def test_bad_choices_are_refused_next_to_the_field_and_nothing_is_saved(client, demo):
    page_login(client, "buyer@demo.kr")
    token = csrf_from(client, "/account/notifications")
    bad = client.post(
        "/account/notifications",
        data={"csrf_token": token, "version": "0", "kinds": ["order", "spam"], "language": "fr"},
    )
    assert bad.status_code == 422
    assert "dm-error-summary" in bad.text and 'id="field-language-error"' in bad.text
    assert 'id="field-kinds-error"' in bad.text
    assert choices(demo, "buyer@demo.kr").version == 0
    stale = {"csrf_token": token, "version": "0", "kinds": ["order"], "language": "ko"}
    assert client.post("/account/notifications", data=stale, follow_redirects=False).status_code == 303
    again = client.post("/account/notifications", data={**stale, "kinds": ["alert"]})
    assert again.status_code == 409 and "다시" in again.text
    assert choices(demo, "buyer@demo.kr").email_kinds == ("order",)


def test_the_api_reads_and_saves_choices_on_the_version_read(client, demo):
    headers = api_token(demo, "supplier@demo.kr")
    read = client.get("/api/v1/notification-preferences", headers=headers).json()
    assert read["version"] == 0 and read["language"] == "ko"
    assert {k["kind"] for k in read["kinds"] if k["email"]} == set(NOTIFICATION_KINDS)
    body = {"version": 0, "language": "ko", "email_kinds": ["quote", "order"]}
    saved = client.put("/api/v1/notification-preferences", headers=headers, json=body)
    assert saved.status_code == 200 and saved.json()["version"] == 1
    assert {k["kind"] for k in saved.json()["kinds"] if k["email"]} == {"quote", "order"}
    assert client.put("/api/v1/notification-preferences", headers=headers, json=body).status_code == 409
    wrong = client.put(
        "/api/v1/notification-preferences", headers=headers, json={**body, "version": 1, "language": "xx"}
    )
    assert wrong.status_code == 422 and "language" in wrong.json()["error"]["fields"]
    assert client.get("/api/v1/notification-preferences").status_code == 401


def test_the_supplier_records_a_renewed_certificate_on_its_page_and_the_service_is_back(client, demo, settings):
    people = people_of(demo)
    expiry = today_kst() + timedelta(days=10)
    code = cloud_service(demo, people.supplier, expiry)
    daily(demo, settings, expiry + timedelta(days=1))  # expired: suspended
    page_login(client, "supplier@demo.kr")
    path = f"/supplier/services/{code}/certificate"
    page = client.get(path)
    assert page.status_code == 200 and "CSAP 인증서" in page.text and "만료" in page.text
    token = csrf_from(client, path)
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    form = {"csrf_token": token, "version": version, "csap_grade": "중", "csap_certificate_number": "CSAP-SaaS-2026-7"}

    past = client.post(path, data={**form, "csap_valid_until": (today_kst() - timedelta(days=1)).isoformat()})
    assert past.status_code == 422 and 'id="field-csap_valid_until-error"' in past.text

    saved = client.post(path, data={**form, "csap_valid_until": (today_kst() + timedelta(days=400)).isoformat()})
    assert saved.status_code == 200 and "인증서가 등록되었습니다" in saved.text
    with demo.reading() as session:
        assert session.scalars(select(Service.status).where(Service.code == code)).one() == "published"

    page_login(client, "supplier2@demo.kr")
    assert client.get(path).status_code == 404


def test_an_operator_records_a_certificate_over_the_api(client, demo):
    people = people_of(demo)
    code = cloud_service(demo, people.supplier, today_kst() + timedelta(days=10))
    with demo.reading() as session:
        version = session.scalars(select(Service.version).where(Service.code == code)).one()
    body = {
        "version": version,
        "csap_grade": "상",
        "csap_certificate_number": "CSAP-SaaS-2026-8",
        "csap_valid_until": (today_kst() + timedelta(days=365)).isoformat(),
    }
    headers = api_token(demo, "operator@demo.kr")
    done = client.put(f"/api/v1/services/{code}/certificate", headers=headers, json=body)
    assert done.status_code == 200 and done.json()["csap_grade"] == "상"
    assert client.put(f"/api/v1/services/{code}/certificate", headers=headers, json=body).status_code == 409
    buyer = api_token(demo, "buyer@demo.kr")
    assert client.put(f"/api/v1/services/{code}/certificate", headers=buyer, json=body).status_code == 403
