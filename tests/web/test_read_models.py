"""How far the read models are behind, for a monitor (``/healthz/consumers``) and for the operator
(``/operator/read-models``), and who may see the page."""

from __future__ import annotations

from digitalmarket.core import consumers
from tests.helpers import page_login


def test_a_monitor_sees_every_consumer_caught_up_after_a_step(client, demo):
    # seeding the demo appended events; they were sequenced and followed right after each commit
    health = client.get("/healthz/consumers")
    assert health.status_code == 200
    body = health.json()
    assert body["status"] == "ok" and body["unsequenced"] == 0
    assert [item["name"] for item in body["consumers"]] == [each.name for each in consumers.installed()]
    assert all(item["waiting"] == 0 and not item["failing"] for item in body["consumers"])


def test_a_failing_consumer_shows_on_the_operators_page_and_turns_the_health_check_red(client, demo, monkeypatch):
    def broken(session, events):
        raise RuntimeError("색인 서버에 연결할 수 없음")

    before, steps = consumers.installed(), consumers._steps
    consumers.install(
        [*before, consumers.consumer("broken", "account.", broken, title="Read models")], sequenced_with=steps
    )
    try:
        consumers.run(demo)  # the demo's accounts were created: the new consumer fails on the first
        page_login(client, "operator@demo.kr")
        health = client.get("/healthz/consumers")
        assert health.status_code == 503 and health.json()["status"] == "behind"
        page = client.get("/operator/read-models")
        assert page.status_code == 200
        assert "데이터 반영 현황" in page.text and "실패 중" in page.text and "색인 서버에 연결할 수 없음" in page.text
        assert "digitalmarket rebuild NAME" in page.text
    finally:
        consumers.install(before, sequenced_with=steps)


def test_only_the_operator_and_the_administrator_see_the_page(client, demo):
    assert client.get("/operator/read-models", follow_redirects=False).status_code in (302, 303, 401)
    page_login(client, "supplier@demo.kr")
    assert client.get("/operator/read-models").status_code == 403
    client.cookies.clear()
    page_login(client, "admin@demo.kr")
    assert client.get("/operator/read-models").status_code == 200
