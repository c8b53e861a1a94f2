"""An API client's retry with an Idempotency-Key gets the first answer again, on both databases: one order,
not two; a key sent with another body is refused; a key still running is told to wait; without a key,
nothing changes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from digitalmarket.contracting.tables import Order
from digitalmarket.core import idempotency
from digitalmarket.core.clock import today_kst
from tests.contracting.buying import people_of, plan_ids, publish
from tests.helpers import api_token


@pytest.fixture
def code(demo):
    return publish(demo, people_of(demo).supplier, "가상웍스 그룹웨어")


def orders(db) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(Order))


def body(demo, code, quantity=5):
    return {
        "code": code,
        "start_date": today_kst().isoformat(),
        "lines": [{"price_plan_id": plan_ids(demo, code)[0], "quantity": quantity, "months": 12, "unit_price": 12000}],
    }


def test_a_retried_order_with_its_key_is_the_first_order_again(demo, client, code):
    buyer = api_token(demo, "buyer@demo.kr")
    keyed = {**buyer, "Idempotency-Key": "order-2026-12-07-001"}
    sent = body(demo, code)  # the same request, byte for byte, as a client sends it again
    first = client.post("/api/v1/orders", json=sent, headers=keyed)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    again = client.post("/api/v1/orders", json=sent, headers=keyed)
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"] and again.json()["code"] == first.json()["code"]
    assert orders(demo) == 1

    other = client.post("/api/v1/orders", json=body(demo, code, quantity=6), headers=keyed)
    assert other.status_code == 422  # the key of another request: said, nothing written
    assert "Idempotency-Key" in other.json()["error"]["fields"]
    assert orders(demo) == 1

    fresh = client.post("/api/v1/orders", json=sent, headers={**buyer, "Idempotency-Key": "order-002"})
    assert fresh.status_code == 201 and fresh.json()["id"] != first.json()["id"]
    unkeyed = client.post("/api/v1/orders", json=body(demo, code), headers=buyer)
    assert unkeyed.status_code == 201 and orders(demo) == 3  # no key: every request is its own


def test_a_refusal_is_kept_and_a_key_of_another_token_is_another_key(demo, client, code):
    buyer, buyer2 = api_token(demo, "buyer@demo.kr"), api_token(demo, "buyer2@demo.kr")
    bad = {**body(demo, code), "start_date": "2000-01-01"}
    refused = client.post("/api/v1/orders", json=bad, headers={**buyer, "Idempotency-Key": "k1"})
    assert refused.status_code == 422
    again = client.post("/api/v1/orders", json=bad, headers={**buyer, "Idempotency-Key": "k1"})
    assert again.status_code == 422 and again.headers["idempotent-replayed"] == "true"
    assert again.json() == refused.json()
    theirs = client.post("/api/v1/orders", json=body(demo, code), headers={**buyer2, "Idempotency-Key": "k1"})
    assert theirs.status_code == 201 and "idempotent-replayed" not in theirs.headers


def test_a_key_still_running_is_told_to_wait_and_a_stale_claim_is_taken_over(demo, client, code):
    buyer = api_token(demo, "buyer@demo.kr")
    import hashlib

    token = buyer["Authorization"].split(" ", 1)[1]
    scope = hashlib.sha256(f"{token} /api/v1/orders".encode()).hexdigest()
    sent = client.build_request("POST", "/api/v1/orders", json=body(demo, code)).content
    claimed = idempotency.claim(demo, scope, "k-running", hashlib.sha256(sent).hexdigest())
    assert claimed.outcome == "run"  # another worker is answering it now
    waiting = client.post(
        "/api/v1/orders",
        content=sent,
        headers={**buyer, "Idempotency-Key": "k-running", "Content-Type": "application/json"},
    )
    assert waiting.status_code == 409 and "잠시 후" in waiting.json()["error"]["message"]
    assert waiting.headers["retry-after"] == "2"
    assert orders(demo) == 0
    later = idempotency.claim(
        demo, scope, "k-running", hashlib.sha256(sent).hexdigest(), now=idempotency.utcnow() + idempotency.RUNNING * 2
    )
    assert later.outcome == "run" and later.row_id == claimed.row_id  # its worker died: the retry takes it over


def test_a_key_too_long_is_refused(demo, client, code):
    buyer = api_token(demo, "buyer@demo.kr")
    long = client.post("/api/v1/orders", json=body(demo, code), headers={**buyer, "Idempotency-Key": "x" * 300})
    assert long.status_code == 422 and "Idempotency-Key" in long.json()["error"]["fields"]
    assert orders(demo) == 0


def test_a_new_token_s_secret_is_never_kept(demo, client):
    buyer = api_token(demo, "buyer@demo.kr")
    keyed = {**buyer, "Idempotency-Key": "token-1"}
    first = client.post("/api/v1/tokens", json={"name": "연동 1"}, headers=keyed)
    second = client.post("/api/v1/tokens", json={"name": "연동 1"}, headers=keyed)
    assert first.status_code == second.status_code == 201
    assert first.json()["token"] != second.json()["token"]  # two tokens: no answer with a secret was kept
    with demo.reading() as session:
        assert session.scalar(select(func.count()).select_from(idempotency.IdempotentRequest)) == 0


def test_a_busy_database_at_the_claim_is_a_503_and_runs_nothing(demo, client, code, monkeypatch):
    from digitalmarket.core.errors import Busy

    def busy(*_args, **_kwargs):
        raise Busy()

    monkeypatch.setattr(idempotency, "claim", busy)
    buyer = api_token(demo, "buyer@demo.kr")
    answer = client.post("/api/v1/orders", json=body(demo, code), headers={**buyer, "Idempotency-Key": "k-busy"})
    assert answer.status_code == 503 and answer.headers["retry-after"] == "5"
    assert answer.json()["error"]["code"] == "busy"
    assert orders(demo) == 0


def test_anonymous_routes_and_uploads_take_no_key(demo, client):
    """A key is kept only for a caller whose token was checked: a made-up token on a public route writes
    nothing; an upload (its boundary new at every try) is not keyed either."""
    made_up = {"Authorization": "Bearer not-a-token", "Idempotency-Key": "anyone-1"}
    client.post("/api/v1/password-reset", json={"email": "nobody@example.kr"}, headers=made_up)
    operator = api_token(demo, "operator@demo.kr")
    upload = client.post(  # a 404 would be kept for a keyed JSON request
        "/api/v1/notices/999999/attachments",
        files={"file": ("a.pdf", b"%PDF-1.4 x", "application/pdf")},
        headers={**operator, "Idempotency-Key": "upload-1"},
    )
    assert upload.status_code == 404
    with demo.reading() as session:
        assert session.scalar(select(func.count()).select_from(idempotency.IdempotentRequest)) == 0


def test_a_body_cut_off_by_the_client_going_away_is_never_claimed():
    import asyncio

    from digitalmarket.web.idempotency import _whole_body

    messages = iter(
        [{"type": "http.request", "body": b'{"code": "SAS', "more_body": True}, {"type": "http.disconnect"}]
    )

    async def receive():
        return next(messages)

    assert asyncio.run(_whole_body(receive)) is None
