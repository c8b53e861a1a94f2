"""Whoever must act next is told: in the header, on the notifications page and over the API."""

import re
from datetime import datetime

from digitalmarket.core.clock import KST
from tests.helpers import api_token, csrf_from, page_login
from tests.selection.journey import actor, draft, step


def test_operators_hear_of_a_submission_and_the_supplier_of_a_supplement_request(client, demo, tmp_path):
    from digitalmarket.core.files import DocumentStore
    from digitalmarket.selection import screening, workflow

    supplier, operator = actor(demo, "supplier@demo.kr"), actor(demo, "operator@demo.kr")
    application_id = draft(demo, DocumentStore(tmp_path), supplier)
    step(demo, workflow.submit, supplier, application_id)
    operator_notes = client.get("/api/v1/notifications", headers=api_token(demo, "operator@demo.kr")).json()["items"]
    assert operator_notes[0]["link"] == f"/operator/applications/{application_id}"
    assert not operator_notes[0]["read"]
    step(demo, screening.start_check, operator, application_id)
    step(demo, screening.request_supplement, operator, application_id, {"sla": "SLA 누락"})
    page_login(client, "supplier@demo.kr")
    home = client.get("/supplier")
    assert 'href="/notifications"' in home.text and "bg-danger" in home.text  # an unread count in the header
    page = client.get("/notifications")
    assert "보완" in page.text
    assert "bg-danger" in client.get("/supplier").text  # looking at the list reads nothing
    assert client.get("/api/v1/notifications", headers=api_token(demo, "buyer@demo.kr")).json()["items"] == []


def _notes(client, demo, email):
    return client.get("/api/v1/notifications", headers=api_token(demo, email)).json()["items"]


def test_unread_notifications_stay_marked_until_opened_or_marked_all_read(client, demo, tmp_path):
    from digitalmarket.core.files import DocumentStore
    from digitalmarket.selection import workflow

    supplier = actor(demo, "supplier@demo.kr")
    first, second = (draft(demo, DocumentStore(tmp_path), supplier, name=name) for name in ("가상 메일", "가상 일정"))
    step(demo, workflow.submit, supplier, first)
    step(demo, workflow.submit, supplier, second)
    notes = _notes(client, demo, "operator@demo.kr")
    assert [n["read"] for n in notes] == [False, False]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)", notes[0]["created_at"])

    # another person's notification is not found, and opening it reads nothing
    page_login(client, "supplier@demo.kr")
    assert client.get(f"/notifications/{notes[0]['id']}").status_code == 404
    client.cookies.clear()
    page_login(client, "operator@demo.kr")
    page = client.get("/notifications")
    assert page.text.count("is-unread") == 2 and "읽지 않은 알림 2건" in page.text
    # every notification links to its item, and the time reads in Korean time with its date and zone
    for note in notes:
        assert f'href="/notifications/{note["id"]}"' in page.text
    created = datetime.fromisoformat(notes[0]["created_at"]).astimezone(KST)
    assert created.strftime("%Y-%m-%d %H:%M KST") in page.text

    opened = client.get(f"/notifications/{notes[0]['id']}", follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == notes[0]["link"]
    assert [n["read"] for n in _notes(client, demo, "operator@demo.kr")] == [True, False]
    assert client.get("/notifications").text.count("is-unread") == 1

    # without the form's token nothing is marked
    assert client.post("/notifications/read", data={}).status_code == 403
    assert client.get("/notifications").text.count("is-unread") == 1
    done = client.post("/notifications/read", data={"csrf_token": csrf_from(client, "/notifications")})
    assert done.status_code == 200 and "모든 알림을 읽음으로 표시했습니다" in done.text
    assert "is-unread" not in done.text and "모두 읽음으로 표시" not in done.text
    assert "bg-danger" not in client.get("/operator").text
    assert all(n["read"] for n in _notes(client, demo, "operator@demo.kr"))


def test_the_notifications_page_in_english(client, demo, tmp_path):
    from digitalmarket.core.files import DocumentStore
    from digitalmarket.selection import workflow

    supplier = actor(demo, "supplier@demo.kr")
    step(demo, workflow.submit, supplier, draft(demo, DocumentStore(tmp_path), supplier))
    page_login(client, "operator@demo.kr")
    client.cookies.set("dm_lang", "en")
    page = client.get("/notifications")
    assert "Mark all as read" in page.text and "1 unread" in page.text
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d KST", page.text)
