"""The rules a buyer meets when awarding and ordering, each with its way out: the reason of an award, an
award before the deadline, a period that outlasts the catalog contract (shorten it, or the supplier's
extension), a shorter period proposed by the supplier, a plan's minimum term, a direct order against a
catalog contract and a ceiling that names its source. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from digitalmarket.contracting.catalog_contracts import change_requests as changes
from digitalmarket.contracting.lines import add_months, period_end
from digitalmarket.contracting.orders import changing
from digitalmarket.contracting.quotes import answering
from digitalmarket.contracting.tables import Order, QuoteRequest
from digitalmarket.core.clock import today_kst
from digitalmarket.core.errors import Conflict, ValidationFailed
from digitalmarket.core.notifications import Notification
from tests.contracting.buying import (
    answer,
    ask,
    award,
    catalog_contract,
    contracted_order,
    decline,
    negotiated,
    order,
    people_of,
    plan_ids,
    publish,
    quote_of,
)
from tests.helpers import api_token, page_login

TERM_PLANS = [
    {
        "name": "연간형",
        "billing": "monthly",
        "unit": "사용자/월",
        "unit_price": 12000,
        "vat_included": False,
        "min_term_months": 12,
    },
]


@pytest.fixture
def people(demo):
    return people_of(demo)


@pytest.fixture
def headers(demo):
    return {name: api_token(demo, f"{name}@demo.kr") for name in ("buyer", "supplier")}


@pytest.fixture
def two(demo, people):
    return publish(demo, people.supplier, "가상웍스 그룹웨어"), publish(demo, people.supplier2, "나래 협업도구")


def orders_made(db) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(Order))


def request_row(db, request_id: int) -> QuoteRequest:
    with db.reading() as session:
        return session.get(QuoteRequest, request_id)


def test_an_award_says_why_and_the_reason_is_kept(demo, people, two):
    a, b = two
    request_id = ask(demo, people.buyer, [a, b])
    answer(demo, people.supplier, request_id, a, [11000])
    answer(demo, people.supplier2, request_id, b, [10000])
    with pytest.raises(ValidationFailed) as error:
        award(demo, people.buyer, request_id, a, reason="  ")
    assert set(error.value.fields) == {"reason"}
    assert "why not the lowest" in error.value.fields["reason"].render("en")
    assert orders_made(demo) == 0 and request_row(demo, request_id).status == "open"

    award(demo, people.buyer, request_id, a, reason="보안 인증 상 등급이 요구사항")
    kept = request_row(demo, request_id)
    assert kept.status == "awarded" and kept.award_reason == "보안 인증 상 등급이 요구사항"
    assert kept.early_award_reason is None and kept.awarded_at is not None


def test_an_award_before_the_deadline_waits_for_every_answer_or_says_why_to_the_suppliers(demo, people, two):
    a, b = two
    request_id = ask(demo, people.buyer, [a, b])
    answer(demo, people.supplier, request_id, a, [11000])
    with pytest.raises(ValidationFailed) as error:
        award(demo, people.buyer, request_id, a, early_reason="")
    assert set(error.value.fields) == {"early_reason"}
    assert "invited suppliers have not answered yet (1 of them)" in error.value.fields["early_reason"].render("en")
    assert orders_made(demo) == 0

    award(demo, people.buyer, request_id, a, early_reason="회계연도 안에 착수해야 함")
    assert request_row(demo, request_id).early_award_reason == "회계연도 안에 착수해야 함"
    with demo.reading() as session:
        told = session.scalars(select(Notification).where(Notification.user_id == people.supplier2.user_id)).all()
    assert any("회계연도 안에 착수해야 함" in n.text.render("ko") for n in told)


def test_no_early_reason_once_every_invited_supplier_answered_or_declined(demo, people, two):
    a, b = two
    request_id = ask(demo, people.buyer, [a, b])
    answer(demo, people.supplier, request_id, a, [11000])
    decline(demo, people.supplier2, request_id, b)
    award(demo, people.buyer, request_id, a, early_reason="")
    assert request_row(demo, request_id).early_award_reason is None


def test_a_period_past_the_catalog_contract_names_the_ways_out_and_can_be_shortened(demo, people, two):
    a, _ = two
    start = today_kst() + timedelta(days=30)
    contract_end = add_months(start, 7) - timedelta(days=1)  # seven whole months from the desired start
    contract_id = catalog_contract(demo, people, a, start=today_kst(), end=contract_end)
    request_id = ask(demo, people.buyer, [a], months=12, start=start)
    answer(demo, people.supplier, request_id, a, [10000])

    with pytest.raises(Conflict) as error:
        award(demo, people.buyer, request_id, a)
    message = error.value.message.render("en")
    assert "must fall inside it" in message and f"until {contract_end.isoformat()}" in message
    assert "shortened to 7 months" in message and "Ask the supplier to request an extension" in message
    assert orders_made(demo) == 0 and quote_of(demo, request_id, a).status == "quoted"

    # The supplier asks the officer for an extension: the buyer is told it is on its way.
    with demo.transaction() as session:
        changes.request_change(
            session, people.supplier, contract_id, "extension", "수요기관 12개월 이용 요청", add_months(contract_end, 6)
        )
    with pytest.raises(Conflict) as error:
        award(demo, people.buyer, request_id, a)
    assert "has asked the officer for an extension" in error.value.message.render("en")

    # Or the buyer takes the first way out: the period ends with the contract.
    made = order(demo, award(demo, people.buyer, request_id, a, fit_to_contract=True))
    assert made.method == "delivery_request"
    assert (made.start_date, made.end_date) == (start, period_end(start, 7)) and made.end_date <= contract_end
    assert [line.months for line in made.lines] == [7]
    assert made.supply_amount == 10000 * 100 * 7


def test_the_supplier_may_propose_a_shorter_period_within_the_minimum_term(demo, people):
    code = publish(demo, people.supplier, "연간 계약 그룹웨어", plans=TERM_PLANS)
    request_id = ask(demo, people.buyer, [code], months=24)
    line_id = quote_of(demo, request_id, code).lines[0].id
    for months, problem in ((30, "fewer than the 24 asked"), (6, "minimum term of 12 months")):
        with pytest.raises(ValidationFailed) as error:
            answer(demo, people.supplier, request_id, code, [10000], months={line_id: months})
        assert problem in error.value.fields[f"months.{line_id}"].render("en")
    answer(demo, people.supplier, request_id, code, [10000], months={line_id: 18})
    quoted = quote_of(demo, request_id, code)
    assert (quoted.lines[0].months, quoted.lines[0].offered_months) == (24, 18)
    assert answering.quote_amounts(quoted).supply == 10000 * 100 * 18
    made = order(demo, award(demo, people.buyer, request_id, code))
    assert [line.months for line in made.lines] == [18]


def test_a_plans_minimum_term_holds_for_requests_direct_orders_and_changes(demo, people):
    code = publish(demo, people.supplier, "연간 계약 그룹웨어", plans=TERM_PLANS)
    with pytest.raises(ValidationFailed) as error:
        ask(demo, people.buyer, [code], months=6)
    assert "연간형 요금제의 최소 계약기간은 12개월입니다." in error.value.fields["services.0.lines.0.months"].render(
        "ko"
    )
    with pytest.raises(ValidationFailed) as error:
        negotiated(demo, people.buyer, code, months=6)
    assert "minimum term of 12 months" in error.value.fields["lines.0.months"].render("en")
    assert orders_made(demo) == 0
    order_id = contracted_order(demo, people, code, months=12)
    made = order(demo, order_id)
    change = changing.ChangeIn(
        reason="기간 단축",
        lines=[changing.ChangeLineIn(line.position, line.quantity, 6, line.unit_price) for line in made.lines],
    )
    with demo.transaction() as session, pytest.raises(ValidationFailed) as error:
        changing.propose_change(session, people.buyer, order_id, made.version, change)
    assert "minimum term" in error.value.fields["lines.0.months"].render("en")


def test_a_direct_order_under_a_catalog_contract_is_a_delivery_request_at_most_its_price(demo, people, two, client):
    a, b = two
    catalog_contract(demo, people, a, prices=(11500,))
    # the quote request form shows the buyer the contract's unit price, the most a supplier may quote
    page_login(client, "buyer@demo.kr")
    form = client.get(f"/agency/quote-requests/new?codes={a}&codes={b}").text
    first, second = form.split('name="s1-code"')
    assert "11,500원" in first and "(계약 단가, 목록 가격 12,000원)" in first
    assert "12,000원" in second and "계약 단가" not in second
    with pytest.raises(ValidationFailed) as error:
        negotiated(demo, people.buyer, a, price=12000)
    message = error.value.fields["lines.0.unit_price"].render("ko")
    assert "카탈로그 계약 CC-" in message and "계약 단가 11,500원" in message and "목록 가격은 12,000원" in message
    made = order(demo, negotiated(demo, people.buyer, a, price=11500))
    assert made.method == "delivery_request" and made.catalog_contract_id is not None
    # Without a catalog contract the direct order is a negotiated contract, capped by the list price.
    with pytest.raises(ValidationFailed) as error:
        negotiated(demo, people.buyer, b, price=12001)
    assert "카탈로그 가격 12,000원" in error.value.fields["lines.0.unit_price"].render("ko")
    assert order(demo, negotiated(demo, people.buyer, b, price=12000)).method == "negotiated"


def test_the_award_api_asks_for_the_reason_and_takes_the_shorter_period(demo, people, two, client, headers):
    a, _ = two
    start = today_kst() + timedelta(days=30)
    catalog_contract(demo, people, a, start=today_kst(), end=add_months(start, 5) - timedelta(days=1))
    created = client.post(
        "/api/v1/quote-requests",
        json={
            "title": "민원 상담 챗봇",
            "desired_start": start.isoformat(),
            "deadline": (today_kst() + timedelta(days=7)).isoformat(),
            "services": [{"code": a, "lines": [{"price_plan_id": plan_ids(demo, a)[0], "quantity": 10, "months": 12}]}],
        },
        headers=headers["buyer"],
    )
    assert created.status_code == 201, created.text
    request = created.json()
    quote = client.get(f"/api/v1/quotes/{request['quotes'][0]['id']}", headers=headers["supplier"]).json()
    assert quote["catalog_contract_end"] == (add_months(start, 5) - timedelta(days=1)).isoformat()
    # the buyer sees the same catalog contract on its request, before the award would refuse the period
    shown = client.get(f"/api/v1/quote-requests/{request['id']}", headers=headers["buyer"]).json()["quotes"][0]
    assert (shown["catalog_contract"], shown["catalog_contract_end"]) == (
        quote["catalog_contract"],
        quote["catalog_contract_end"],
    )
    assert shown["catalog_contract"].startswith("CC-")
    answered = client.put(
        f"/api/v1/quotes/{quote['id']}",
        json={
            "version": quote["version"],
            "valid_until": (today_kst() + timedelta(days=30)).isoformat(),
            "lines": [{"line_id": quote["lines"][0]["id"], "unit_price": 9000}],
        },
        headers=headers["supplier"],
    ).json()
    url = f"/api/v1/quote-requests/{request['id']}/award"
    body = {"quote_id": answered["id"], "version": answered["version"]}
    missing = client.post(url, json=body, headers=headers["buyer"])
    assert missing.status_code == 422 and "reason" in missing.json()["error"]["fields"]
    conflict = client.post(url, json={**body, "reason": "유일한 견적"}, headers=headers["buyer"])
    assert conflict.status_code == 409 and "5" in conflict.json()["error"]["message"]
    awarded = client.post(
        url, json={**body, "reason": "유일한 견적", "fit_to_contract": True}, headers=headers["buyer"]
    )
    assert awarded.status_code == 201, awarded.text
    assert awarded.json()["method"] == "delivery_request"
    assert awarded.json()["end_date"] == period_end(start, 5).isoformat()
    seen = client.get(f"/api/v1/quote-requests/{request['id']}", headers=headers["buyer"]).json()
    assert seen["award_reason"] == "유일한 견적" and seen["state"] == "awarded"


def _token(page_text: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page_text).group(1)


def test_the_pages_warn_before_sending_show_the_supplier_the_conflict_and_offer_the_ways_out(demo, app, people, two):
    """Through the pages alone: the request form warns, the supplier sees the conflict and may propose fewer
    months, and the award step names the conflict, asks for the reason and awards the shortened period."""
    a, _ = two
    start = today_kst() + timedelta(days=30)
    contract_end = add_months(start, 7) - timedelta(days=1)
    catalog_contract(demo, people, a, start=today_kst(), end=contract_end)
    buyer = TestClient(app)
    page_login(buyer, "buyer@demo.kr")
    form = buyer.get(f"/agency/quote-requests/new?codes={a}")
    assert f"{contract_end.isoformat()}까지" in form.text and "납품요구로 주문하며" in form.text
    data = {
        "csrf_token": _token(form.text),
        "title": "민원 상담 챗봇",
        "desired_start": start.isoformat(),
        "deadline": (today_kst() + timedelta(days=7)).isoformat(),
        "s0-code": a,
        "s0-p0-plan": str(plan_ids(demo, a)[0]),
        "s0-p0-quantity": "10",
        "s0-p0-months": "12",
    }
    warned = buyer.post("/agency/quote-requests/new", data=data, follow_redirects=False)
    assert warned.status_code == 200 and "보내기 전에 계약기간을 확인하세요" in warned.text
    assert 'name="period_confirmed" value="1"' in warned.text
    with demo.reading() as session:
        assert session.scalar(select(func.count()).select_from(QuoteRequest)) == 0
    sent = buyer.post("/agency/quote-requests/new", data={**data, "period_confirmed": "1"}, follow_redirects=False)
    assert sent.status_code == 303
    request_path = sent.headers["location"].split("?")[0]

    supplier = TestClient(app)
    page_login(supplier, "supplier@demo.kr")
    quote_path = re.search(r'href="(/supplier/quotes/\d+)"', supplier.get("/supplier/quotes").text).group(1)
    answer_page = supplier.get(quote_path)
    assert "요청 기간이 카탈로그 계약기간보다 늦게 끝납니다" in answer_page.text
    assert "7개월이면 계약 종료일 안에 끝납니다" in answer_page.text and "#change-request" in answer_page.text
    line = re.search(r'name="price-(\d+)"', answer_page.text).group(1)
    answered = supplier.post(
        f"{quote_path}/answer",
        data={
            "csrf_token": _token(answer_page.text),
            "version": re.search(r'name="version" value="(\d+)"', answer_page.text).group(1),
            f"price-{line}": "9000",
            f"months-{line}": "12",
            "valid_until": (today_kst() + timedelta(days=30)).isoformat(),
        },
        follow_redirects=False,
    )
    assert answered.status_code == 303

    comparison = buyer.get(request_path)
    award_path = re.search(r'action="(/agency/quote-requests/\d+/award)"', comparison.text).group(1)
    quote_id = re.search(r'name="quote_id" value="(\d+)"', comparison.text).group(1)
    step = buyer.get(f"{award_path}?quote_id={quote_id}")
    assert step.status_code == 200 and "계약기간이 카탈로그 계약기간을 벗어납니다" in step.text
    assert "7개월" in step.text and 'name="fit_to_contract" value="1"' in step.text
    form = {"csrf_token": _token(step.text), "quote_id": quote_id}
    form["version"] = re.search(r'name="version" value="(\d+)"', step.text).group(1)
    unsaid = buyer.post(award_path, data={**form, "fit_to_contract": "1"}, follow_redirects=False)
    assert unsaid.status_code == 422 and "낙찰 사유를 적어 주세요" in unsaid.text
    done = buyer.post(
        award_path, data={**form, "fit_to_contract": "1", "reason": "유일한 견적"}, follow_redirects=False
    )
    assert done.status_code == 303 and "/orders/" in done.headers["location"]
    assert "낙찰 사유: 유일한 견적" in buyer.get(request_path).text.replace("</p>", "")
