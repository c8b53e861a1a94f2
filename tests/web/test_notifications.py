"""Whoever must act next is told: in the header, on the notifications page and over the API."""

from tests.helpers import api_token, page_login
from tests.selection.journey import actor, draft, step


def test_operators_hear_of_a_submission_and_the_supplier_of_a_supplement_request(client, demo, tmp_path):
    from digitalmarket.core.files import DocumentStore
    from digitalmarket.selection import screening, workflow

    supplier, operator = actor(demo, "supplier@demo.kr"), actor(demo, "operator@demo.kr")
    application_id = draft(demo, DocumentStore(tmp_path), supplier)
    step(demo, workflow.submit, supplier, application_id)
    operator_notes = client.get("/api/v1/notifications", headers=api_token(demo, "operator@demo.kr")).json()
    assert operator_notes[0]["link"] == f"/operator/applications/{application_id}"
    assert not operator_notes[0]["read"]
    step(demo, screening.start_check, operator, application_id)
    step(demo, screening.request_supplement, operator, application_id, {"sla": "SLA 누락"})
    page_login(client, "supplier@demo.kr")
    home = client.get("/supplier")
    assert 'href="/notifications"' in home.text and "bg-danger" in home.text  # an unread count in the header
    page = client.get("/notifications")
    assert "보완" in page.text
    assert "bg-danger" not in client.get("/supplier").text  # opened, so read
    assert client.get("/api/v1/notifications", headers=api_token(demo, "buyer@demo.kr")).json() == []
