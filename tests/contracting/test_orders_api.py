"""The quote and order API and pages end to end: a buyer asks, suppliers answer, the buyer awards, both
confirm the contract document; totals sent by a client are ignored; bad input is a 4xx that writes
nothing; another agency and a competitor see nothing; the pages are in Korean and work without JS."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from digitalmarket.contracting.lines import add_months
from digitalmarket.contracting.tables import Order, QuoteRequest
from digitalmarket.core.clock import KST, today_kst
from tests.contracting.buying import people_of, plan_ids, publish
from tests.helpers import api_token, csrf_from, page_login


@pytest.fixture
def people(demo):
    return people_of(demo)


@pytest.fixture
def codes(demo, people):
    return publish(demo, people.supplier, "가상웍스 그룹웨어"), publish(demo, people.supplier2, "나래 협업도구")


@pytest.fixture
def headers(demo):
    return {name: api_token(demo, f"{name}@demo.kr") for name in ("buyer", "buyer2", "supplier", "supplier2")}


def count(db, model) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(model))


def request_body(demo, codes, quantity=100, months=12):
    return {
        "title": "그룹웨어 도입",
        "requirements": "GPKI",
        "desired_start": (today_kst() + timedelta(days=20)).isoformat(),
        "deadline": (today_kst() + timedelta(days=7)).isoformat(),
        "services": [
            {
                "code": code,
                "lines": [{"price_plan_id": plan_ids(demo, code)[0], "quantity": quantity, "months": months}],
            }
            for code in codes
        ],
        "total": 1,  # ignored: the server computes money
    }


def test_the_whole_path_through_the_api(demo, client, codes, headers):
    a, b = codes
    created = client.post("/api/v1/quote-requests", json=request_body(demo, codes), headers=headers["buyer"])
    assert created.status_code == 201, created.text
    request = created.json()
    assert request["code"].startswith("QR-") and len(request["quotes"]) == 2
    # the deadline is the last second of its day in Korea, written alike when asked and when read again
    last_second = datetime.combine(today_kst() + timedelta(days=7), time(23, 59, 59), tzinfo=KST)
    assert datetime.fromisoformat(request["deadline"]) == last_second
    again = client.get(f"/api/v1/quote-requests/{request['id']}", headers=headers["buyer"]).json()
    assert again["deadline"] == request["deadline"]

    # a supplier sees its own quote only, never the competitor's
    mine = client.get("/api/v1/quotes", headers=headers["supplier"]).json()["items"]
    assert [q["service_code"] for q in mine] == [a]
    seen = client.get(f"/api/v1/quote-requests/{request['id']}", headers=headers["supplier2"]).json()
    assert [q["service_code"] for q in seen["quotes"]] == [b]
    assert client.get(f"/api/v1/quotes/{mine[0]['id']}", headers=headers["supplier2"]).status_code == 404
    assert client.get(f"/api/v1/quote-requests/{request['id']}", headers=headers["buyer2"]).status_code == 404

    quote = mine[0]
    line = quote["lines"][0]
    too_high = {
        "version": quote["version"],
        "lines": [{"line_id": line["id"], "unit_price": 12001}],
        "valid_until": (today_kst() + timedelta(days=30)).isoformat(),
    }
    refused = client.put(f"/api/v1/quotes/{quote['id']}", json=too_high, headers=headers["supplier"])
    assert refused.status_code == 422 and refused.json()["error"]["fields"]
    answer = {**too_high, "lines": [{"line_id": line["id"], "unit_price": 10000}], "total": 5, "note": "할인"}
    answered = client.put(f"/api/v1/quotes/{quote['id']}", json=answer, headers=headers["supplier"])
    assert answered.status_code == 200, answered.text
    body = answered.json()
    assert body["supply_amount"] == 10000 * 100 * 12 and body["total"] == body["supply_amount"] * 11 // 10

    other = seen["quotes"][0]
    declined = client.post(
        f"/api/v1/quotes/{other['id']}/decline",
        json={"version": other["version"], "reason": "공급 불가"},
        headers=headers["supplier2"],
    )
    assert declined.status_code == 200
    to_declined = client.post(
        f"/api/v1/quote-requests/{request['id']}/award",
        json={"quote_id": other["id"], "version": 2, "reason": "최저가 견적"},
        headers=headers["buyer"],
    )
    assert to_declined.status_code == 409
    stale = client.post(
        f"/api/v1/quote-requests/{request['id']}/award",
        json={"quote_id": quote["id"], "version": quote["version"], "reason": "최저가 견적"},
        headers=headers["buyer"],
    )
    assert stale.status_code == 409  # the buyer must award the quote as last answered
    awarded = client.post(
        f"/api/v1/quote-requests/{request['id']}/award",
        json={"quote_id": quote["id"], "version": body["version"], "reason": "최저가 견적"},
        headers=headers["buyer"],
    )
    assert awarded.status_code == 201, awarded.text
    order = awarded.json()
    assert order["method"] == "negotiated" and order["state"] == "draft" and order["total"] == body["total"]
    # the award answers once the order is committed; its contract document is made right after
    assert order["versions"][0]["document_status"] == "preparing"
    read = client.get(f"/api/v1/orders/{order['id']}", headers=headers["supplier"]).json()
    assert read["versions"][0]["document_status"] == "ready"
    sha = read["versions"][0]["document_sha256"]
    pdf = client.get(f"/api/v1/orders/{order['id']}/document", headers=headers["supplier"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    import hashlib

    assert hashlib.sha256(pdf.content).hexdigest() == sha
    # the request names the order its award made; an award sent again (a retry) is told which order it is
    asked = client.get(f"/api/v1/quote-requests/{request['id']}", headers=headers["buyer"]).json()
    assert (asked["order_id"], asked["order_code"]) == (order["id"], order["code"])
    # a competitor whose quote was not awarded is not told the order (a negotiated order is not public yet)
    competitor = client.get(f"/api/v1/quote-requests/{request['id']}", headers=headers["supplier2"]).json()
    assert (competitor["order_id"], competitor["order_code"]) == (None, None)
    mine = client.get(f"/api/v1/quote-requests/{request['id']}", headers=headers["supplier"]).json()
    assert mine["order_id"] == order["id"]  # the winner is
    listed = client.get("/api/v1/quote-requests", headers=headers["buyer"]).json()["items"]
    assert [(r["order_id"], r["order_code"]) for r in listed if r["id"] == request["id"]] == [
        (order["id"], order["code"])
    ]
    retried = client.post(
        f"/api/v1/quote-requests/{request['id']}/award",
        json={"quote_id": quote["id"], "version": body["version"], "reason": "최저가 견적"},
        headers=headers["buyer"],
    )
    assert retried.status_code == 409
    assert order["code"] in retried.json()["error"]["message"]
    assert f"/orders/{order['id']}" in retried.json()["error"]["message"]
    # a step the order's state does not allow names the steps it does
    early = client.post(
        f"/api/v1/orders/{order['id']}/terminate",
        json={"version": order["version"], "reason": "사업 종료"},
        headers=headers["buyer"],
    )
    assert early.status_code == 409
    assert "'확인 대기' 상태여서" in early.json()["error"]["message"]
    assert "가능한 단계: 계약서 확인(양측 각각), 철회(수요기관, 공급기업 수락 전)" in early.json()["error"]["message"]
    assert client.get(f"/api/v1/orders/{order['id']}", headers=headers["buyer2"]).status_code == 404
    assert client.get(f"/api/v1/orders/{order['id']}", headers=headers["supplier2"]).status_code == 404
    assert client.get("/api/v1/orders", headers=headers["buyer2"]).json()["items"] == []

    first = client.post(
        f"/api/v1/orders/{order['id']}/confirm", json={"version": order["version"]}, headers=headers["buyer"]
    )
    assert first.status_code == 200
    second = client.post(
        f"/api/v1/orders/{order['id']}/confirm", json={"version": first.json()["version"]}, headers=headers["supplier"]
    )
    assert second.json()["state"] == "contracted"

    change = {
        "version": second.json()["version"],
        "reason": "증원",
        "lines": [{"position": 0, "quantity": 120, "months": 12, "unit_price": 10000}],
        "total": 1,
    }
    proposed = client.post(f"/api/v1/orders/{order['id']}/changes", json=change, headers=headers["buyer"])
    assert proposed.status_code == 201, proposed.text
    again = client.post(f"/api/v1/orders/{order['id']}/changes", json=change, headers=headers["supplier"])
    assert again.status_code == 409  # the same version twice: one wins, the other is told
    confirmed = client.post(
        f"/api/v1/orders/{order['id']}/changes/1/confirm",
        json={"version": proposed.json()["version"]},
        headers=headers["supplier"],
    )
    assert confirmed.status_code == 200 and confirmed.json()["change_seq"] == 1
    assert confirmed.json()["supply_amount"] == 10000 * 120 * 12
    ended = client.post(
        f"/api/v1/orders/{order['id']}/terminate",
        json={"version": confirmed.json()["version"], "reason": "사업 종료"},
        headers=headers["buyer"],
    )
    assert ended.json()["state"] == "terminated"


@pytest.mark.parametrize(("quantity", "months"), [(0, 12), (-1, 12), (10, 0), (10, 61)])
def test_bad_requests_are_422_and_write_nothing(demo, client, codes, headers, quantity, months):
    response = client.post(
        "/api/v1/quote-requests", json=request_body(demo, codes, quantity, months), headers=headers["buyer"]
    )
    assert response.status_code == 422
    assert count(demo, QuoteRequest) == 0


def test_a_start_in_the_past_or_past_five_years_is_told_the_days_it_may_take(demo, client, codes, headers):
    today = today_kst()
    far = {**request_body(demo, codes), "desired_start": "9999-12-31", "deadline": "9999-12-30"}
    refused = client.post("/api/v1/quote-requests", json=far, headers=headers["buyer"])
    assert refused.status_code == 422
    last = add_months(today, 60)  # the same day five years on (Feb 28 for a Feb 29)
    assert (
        refused.json()["error"]["fields"]["desired_start"] == f"시작일은 5년 이내({last.isoformat()}까지)로 고르세요."
    )
    past = {**request_body(demo, codes), "desired_start": (today - timedelta(days=1)).isoformat()}
    said = client.post("/api/v1/quote-requests", json=past, headers=headers["buyer"]).json()["error"]["fields"]
    assert said["desired_start"] == f"시작일은 오늘({today.isoformat()}, 한국 기준)이거나 그 뒤여야 합니다."
    order = {
        "code": codes[0],
        "start_date": "9999-12-31",
        "lines": [{"price_plan_id": plan_ids(demo, codes[0])[0], "quantity": 5, "months": 12, "unit_price": 12000}],
    }
    direct = client.post("/api/v1/orders", json=order, headers=headers["buyer"])
    assert direct.status_code == 422 and "5년 이내" in direct.json()["error"]["fields"]["start_date"]
    assert count(demo, QuoteRequest) == 0 and count(demo, Order) == 0


def test_suppliers_cannot_ask_and_a_negotiated_order_above_the_catalog_is_refused(demo, client, codes, headers):
    assert (
        client.post("/api/v1/quote-requests", json=request_body(demo, codes), headers=headers["supplier"]).status_code
        == 403
    )
    body = {
        "code": codes[0],
        "start_date": today_kst().isoformat(),
        "lines": [{"price_plan_id": plan_ids(demo, codes[0])[0], "quantity": 5, "months": 12, "unit_price": 12001}],
    }
    assert client.post("/api/v1/orders", json=body, headers=headers["buyer"]).status_code == 422
    body["lines"][0]["unit_price"] = 12000
    made = client.post("/api/v1/orders", json=body, headers=headers["buyer"])
    assert made.status_code == 201 and made.json()["supply_amount"] == 12000 * 5 * 12
    assert count(demo, Order) == 1


def test_the_pages_in_korean_without_javascript(demo, app, codes):
    a, b = codes
    buyer = TestClient(app)
    page_login(buyer, "buyer@demo.kr")
    service = buyer.get(f"/services/{a}")
    assert "견적 요청" in service.text and f"/agency/quote-requests/new?codes={a}" in service.text
    compare = buyer.get(f"/services/compare?codes={a}&codes={b}")
    assert "2개 서비스에 견적 요청" in compare.text
    form = buyer.get(f"/agency/quote-requests/new?codes={a}&codes={b}")
    assert form.status_code == 200 and "견적요청 보내기" in form.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    data = {
        "csrf_token": token,
        "title": "그룹웨어 도입",
        "desired_start": (today_kst() + timedelta(days=20)).isoformat(),
        "deadline": (today_kst() + timedelta(days=7)).isoformat(),
        "s0-code": a,
        "s0-p0-plan": str(plan_ids(demo, a)[0]),
        "s0-p0-quantity": "0",
        "s0-p0-months": "12",
        "s1-code": b,
        "s1-p0-plan": str(plan_ids(demo, b)[0]),
        "s1-p0-quantity": "10",
        "s1-p0-months": "12",
    }
    refused = buyer.post("/agency/quote-requests/new", data=data, follow_redirects=False)
    assert refused.status_code == 422 and "수량은 1부터" in refused.text and 'id="field-s0-p0-quantity"' in refused.text
    assert count(demo, QuoteRequest) == 0
    data["s0-p0-quantity"] = "10"
    sent = buyer.post("/agency/quote-requests/new", data=data, follow_redirects=False)
    assert sent.status_code == 303
    page = buyer.get(sent.headers["location"])
    assert "견적 비교" in page.text and "견적요청을 보냈습니다" in page.text

    supplier = TestClient(app)
    page_login(supplier, "supplier@demo.kr")
    inbox = supplier.get("/supplier/quotes")
    quote_path = re.search(r'href="(/supplier/quotes/\d+)"', inbox.text).group(1)
    answer_page = supplier.get(quote_path)
    assert "견적 보내기" in answer_page.text
    price_field = re.search(r'name="(price-\d+)"', answer_page.text).group(1)
    version = re.search(r'name="version" value="(\d+)"', answer_page.text).group(1)
    token = csrf_from(supplier, quote_path)
    too_high = supplier.post(
        f"{quote_path}/answer",
        data={
            "csrf_token": token,
            "version": version,
            price_field: "12001",
            "valid_until": (today_kst() + timedelta(days=30)).isoformat(),
        },
    )
    assert too_high.status_code == 422 and "카탈로그 가격 12,000원을 넘을 수 없습니다" in too_high.text
    other = TestClient(app)
    page_login(other, "supplier2@demo.kr")
    assert other.get(quote_path).status_code == 404
    buyer2 = TestClient(app)
    page_login(buyer2, "buyer2@demo.kr")
    assert buyer2.get(sent.headers["location"].split("?")[0]).status_code == 404
    workspace = buyer.get("/agency")
    assert 'href="/agency/orders"' in workspace.text
