"""The award decision record: a buyer searches and compares, asks three services for a quote, one supplier
answers, one declines, one stays silent, and the buyer awards with a reason before the deadline. The
order's record shows the searches that belong to the request, the comparison, the shortlist, the quotes
and the decline, and the reasons; it is the same after the award whatever happens (more searches, a
renamed service); its agency, the operator and PPS read it (JSON, CSV, PDF), anyone else gets 404.
Searches of anonymous visitors and of other roles are never kept."""

from __future__ import annotations

import csv
import inspect
import io
from datetime import datetime, timedelta

import pypdf
import pytest
from sqlalchemy import func, select

from digitalmarket.catalog.search_log import BuyerSearch
from digitalmarket.catalog.tables import Service
from digitalmarket.contracting.decision_tables import AwardDecisionRecord
from digitalmarket.contracting.quotes import awarding
from digitalmarket.core.clock import today_kst
from tests.contracting.buying import ask, people_of, plan_ids, publish, quote_of
from tests.helpers import api_token, page_login

REASON = "최저가이며 GPKI 연동 요건을 충족함"
EARLY = "예산 집행 일정상 마감 전 계약 필요"
DECLINE = "요구 기간에 공급할 수 없습니다."


@pytest.fixture
def people(demo):
    return people_of(demo)


@pytest.fixture
def codes(demo, people):
    return (
        publish(demo, people.supplier, "가상웍스 그룹웨어"),
        publish(demo, people.supplier2, "나래 협업도구"),
        publish(demo, people.supplier3, "한빛 전자결재"),
    )


@pytest.fixture
def headers(demo):
    names = ("buyer", "buyer2", "supplier", "supplier2", "operator", "officer")
    return {name: api_token(demo, f"{name}@demo.kr") for name in names}


def logged_searches(db) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(BuyerSearch))


def request_body(demo, codes):
    return {
        "title": "전 직원 그룹웨어 도입",
        "requirements": "GPKI 로그인",
        "desired_start": (today_kst() + timedelta(days=20)).isoformat(),
        "deadline": (today_kst() + timedelta(days=7)).isoformat(),
        "services": [
            {"code": code, "lines": [{"price_plan_id": plan_ids(demo, code)[0], "quantity": 100, "months": 12}]}
            for code in codes
        ],
    }


def answer_and_decline(client, headers, request_id: int) -> dict:
    """The first supplier answers 10,000 won a line, the second declines; returns the answered quote."""
    quote = client.get(f"/api/v1/quote-requests/{request_id}", headers=headers["supplier"]).json()["quotes"][0]
    body = {
        "version": quote["version"],
        "lines": [{"line_id": line["id"], "unit_price": 10000} for line in quote["lines"]],
        "valid_until": (today_kst() + timedelta(days=30)).isoformat(),
        "note": "연간 계약 할인",
    }
    answered = client.put(f"/api/v1/quotes/{quote['id']}", json=body, headers=headers["supplier"])
    assert answered.status_code == 200, answered.text
    other = client.get(f"/api/v1/quote-requests/{request_id}", headers=headers["supplier2"]).json()["quotes"][0]
    declined = client.post(
        f"/api/v1/quotes/{other['id']}/decline",
        json={"version": other["version"], "reason": DECLINE},
        headers=headers["supplier2"],
    )
    assert declined.status_code == 200, declined.text
    return answered.json()


def award_through_api(client, headers, request_id: int, quote: dict) -> dict:
    body = {"quote_id": quote["id"], "version": quote["version"], "reason": REASON, "early_reason": EARLY}
    awarded = client.post(f"/api/v1/quote-requests/{request_id}/award", json=body, headers=headers["buyer"])
    assert awarded.status_code == 201, awarded.text
    return awarded.json()


def award_through_workflow(db, buyer, request_id: int, code: str, reason: str) -> int:
    """`awarding.award` as the quote API calls it, with the reasons when it takes them."""
    quote = quote_of(db, request_id, code)
    taken = inspect.signature(awarding.award).parameters
    reasons = {"reason": reason, "early_reason": EARLY} if "reason" in taken else {}
    with db.transaction() as session:
        return awarding.award(session, buyer, request_id, quote.id, quote.version, **reasons).id


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())  # spreadsheets read the Hangul
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_record_of_an_award_through_the_api(demo, client, codes, headers):
    a, b, c = codes
    assert client.get("/api/v1/services", params={"q": "그룹웨어"}).status_code == 200  # anonymous
    assert client.get("/api/v1/services", params={"q": "협업"}, headers=headers["supplier"]).status_code == 200
    assert client.get("/api/v1/services", params={"q": "결재"}, headers=headers["buyer2"]).status_code == 200
    assert logged_searches(demo) == 1  # only the other agency's buyer's search is kept

    searched = client.get("/api/v1/services", params={"q": "그룹웨어", "type": "SaaS"}, headers=headers["buyer"])
    assert searched.status_code == 200
    shown = [item["code"] for item in searched.json()["items"]]
    compared = client.get("/api/v1/services/compare", params={"codes": [a, b]}, headers=headers["buyer"])
    assert compared.status_code == 200

    created = client.post("/api/v1/quote-requests", json=request_body(demo, codes), headers=headers["buyer"])
    assert created.status_code == 201, created.text
    request_id = created.json()["id"]
    # searching while the request is open belongs to it too
    client.get("/api/v1/services", params={"q": "전자결재", "region": "sejong"}, headers=headers["buyer"])
    quote = answer_and_decline(client, headers, request_id)
    order = award_through_api(client, headers, request_id, quote)

    read = client.get(f"/api/v1/orders/{order['id']}/decision-record", headers=headers["buyer"])
    assert read.status_code == 200, read.text
    body = read.json()
    assert body["frozen"] and body["order_code"] == order["code"] and len(body["sha256"]) == 64
    record = body["record"]
    searches = record["searches"]
    assert [s["query"] for s in searches] == ["그룹웨어", "전자결재"]  # not buyer2's, nor anyone else's
    assert searches[0]["filters"]["type"] == "SaaS" and searches[1]["filters"]["region"] == "sejong"
    assert searches[0]["result_count"] == searched.json()["total"] and searches[0]["codes"] == shown
    assert [[s["code"] for s in cmp["services"]] for cmp in record["comparisons"]] == [[a, b]]
    assert record["comparisons"][0]["services"][0]["name"] == "가상웍스 그룹웨어"
    assert [s["code"] for s in record["shortlist"]] == [a, b, c]
    by_code = {q["service_code"]: q for q in record["quotes"]}
    assert by_code[a]["status"] == "awarded" and by_code[a]["total"] == quote["total"]
    assert by_code[a]["lines"][0]["unit_price"] == 10000 and by_code[a]["lines"][0]["catalog_unit_price"] == 12000
    assert by_code[b]["status"] == "declined" and by_code[b]["decline_reason"] == DECLINE
    assert by_code[c]["status"] == "not_awarded" and by_code[c]["total"] is None
    award = record["award"]
    assert award["service_code"] == a and award["order_code"] == order["code"] and award["reason"] == REASON
    assert award["early_reason"] == EARLY  # the third supplier had not answered before the deadline

    # the agency, the operator and PPS read it; the supplier, another agency and anonymous callers do not
    path = f"/api/v1/orders/{order['id']}/decision-record"
    assert client.get(path, headers=headers["operator"]).json()["sha256"] == body["sha256"]
    assert client.get(path, headers=headers["officer"]).status_code == 200
    assert client.get(path, headers=headers["supplier"]).status_code == 404
    assert client.get(path, headers=headers["buyer2"]).status_code == 404
    assert client.get(path + ".pdf", headers=headers["buyer2"]).status_code == 404
    assert client.get(path).status_code == 401
    assert client.get(path, params={"format": "xml"}, headers=headers["buyer"]).status_code == 422

    downloaded = client.get(path + ".csv", headers=headers["buyer"])
    assert downloaded.status_code == 200 and downloaded.headers["content-type"].startswith("text/csv")
    assert "attachment" in downloaded.headers["content-disposition"]
    assert client.get(path, params={"format": "csv"}, headers=headers["buyer"]).content == downloaded.content
    rows = csv_rows(downloaded.content)
    assert rows[0][:4] == ["구분", "시각(KST)", "서비스 코드", "서비스 또는 검색어"]
    sections = [row[0] for row in rows[1:]]
    assert sections.count("검색") == 2 and sections.count("비교") == 1 and sections.count("견적 포기") == 1
    assert ["검색", " ".join(shown), "그룹웨어", "유형=SaaS"] == [rows[2][0], rows[2][2], rows[2][3], rows[2][5]]
    assert any(row[0] == "견적" and row[5] == "낙찰" for row in rows)
    assert any(row[0] == "견적 포기" and row[5] == DECLINE for row in rows)
    assert any(row[0] == "낙찰 사유" and row[5] == REASON for row in rows)
    assert any(row[0] == "조기 낙찰 사유" and row[5] == EARLY for row in rows)
    assert any(row[0] == "견적" and row[2] == a and row[7] == str(quote["total"]) for row in rows)
    english = client.get(path + ".csv", headers=headers["buyer"] | {"Accept-Language": "en"})
    assert csv_rows(english.content)[0][:2] == ["Section", "Time (KST)"]

    pdf = client.get(path, params={"format": "pdf"}, headers=headers["operator"])
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.content)
    for expected in ("낙찰 결정 기록", created.json()["code"], order["code"], REASON, EARLY, DECLINE, "그룹웨어"):
        assert expected in text, expected
    assert f"{quote['total']:,}원" in text


def test_the_record_never_changes_after_the_award(demo, client, codes, headers):
    a, b, _ = codes
    client.get("/api/v1/services", params={"q": "그룹웨어"}, headers=headers["buyer"])
    created = client.post("/api/v1/quote-requests", json=request_body(demo, codes[:2]), headers=headers["buyer"])
    request_id = created.json()["id"]
    order = award_through_api(client, headers, request_id, answer_and_decline(client, headers, request_id))
    path = f"/api/v1/orders/{order['id']}/decision-record"
    before = client.get(path, headers=headers["buyer"]).json()

    client.get("/api/v1/services", params={"q": "나중 검색"}, headers=headers["buyer"])
    client.get("/api/v1/services/compare", params={"codes": [a, b]}, headers=headers["buyer"])
    with demo.transaction() as session:  # no workflow renames a service in place yet: the rename as a row
        session.scalars(select(Service).where(Service.code == a)).one().name = "새 이름 그룹웨어"
    after = client.get(path, headers=headers["buyer"]).json()
    assert after == before
    assert after["record"]["award"]["service"] == "가상웍스 그룹웨어"
    assert "나중 검색" not in [s["query"] for s in after["record"]["searches"]]


def test_which_searches_belong_to_which_request(demo, client, codes, people, headers):
    """From the buyer's previous request (or 30 days back) to the award; both requests awarded through
    the workflow as the quote API calls it."""
    a, b, _ = codes
    client.get("/api/v1/services", params={"q": "첫 검색"}, headers=headers["buyer"])
    first = ask(demo, people.buyer, [a])
    client.get("/api/v1/services", params={"q": "둘째 검색"}, headers=headers["buyer"])
    second = ask(demo, people.buyer, [b])
    client.get("/api/v1/services", params={"q": "셋째 검색"}, headers=headers["buyer"])
    for request_id, supplier in ((second, headers["supplier2"]), (first, headers["supplier"])):
        quote = client.get(f"/api/v1/quote-requests/{request_id}", headers=supplier).json()["quotes"][0]
        body = {
            "version": quote["version"],
            "lines": [{"line_id": line["id"], "unit_price": 9000} for line in quote["lines"]],
            "valid_until": (today_kst() + timedelta(days=30)).isoformat(),
        }
        assert client.put(f"/api/v1/quotes/{quote['id']}", json=body, headers=supplier).status_code == 200
    second_order = award_through_workflow(demo, people.buyer, second, b, "유일한 견적")
    client.get("/api/v1/services", params={"q": "넷째 검색"}, headers=headers["buyer"])
    first_order = award_through_workflow(demo, people.buyer, first, a, "유일한 견적")

    def record(order_id):
        found = client.get(f"/api/v1/orders/{order_id}/decision-record", headers=headers["buyer"])
        assert found.status_code == 200, found.text
        return found.json()["record"]

    def queries(order_id):
        return [s["query"] for s in record(order_id)["searches"]]

    first_record, second_record = record(first_order), record(second_order)
    assert second_record["window"]["rule"] == "previous_request"
    assert second_record["window"]["after"] == first_record["request"]["created_at"]
    assert first_record["window"]["rule"] == "30_days"
    created = datetime.fromisoformat(first_record["request"]["created_at"])
    assert datetime.fromisoformat(first_record["window"]["after"]) == created - timedelta(days=30)
    assert first_record["window"]["until"] == first_record["award"]["awarded_at"]

    # the second request: after the first request was made, until its award
    assert queries(second_order) == ["둘째 검색", "셋째 검색"]
    # the first: 30 days back (no earlier request), and every search while it was open, until its award
    assert queries(first_order) == ["첫 검색", "둘째 검색", "셋째 검색", "넷째 검색"]


def test_anonymous_and_other_roles_leave_no_trace(demo, client, codes, headers):
    a, b, _ = codes
    for who in (None, "supplier", "operator", "officer"):
        extra = headers[who] if who else {}
        assert client.get("/api/v1/services", params={"q": "그룹웨어"}, headers=extra).status_code == 200
        assert client.get("/api/v1/services/compare", params={"codes": [a, b]}, headers=extra).status_code == 200
    assert client.get("/services", params={"q": "그룹웨어"}).status_code == 200
    assert client.get("/services/compare", params={"codes": [a, b]}).status_code == 200
    assert logged_searches(demo) == 0


def test_the_buyer_reads_and_downloads_the_record_from_the_order_page(demo, client, codes, headers):
    a, b, _ = codes
    page_login(client, "buyer@demo.kr")
    assert client.get("/services", params={"q": "그룹웨어"}).status_code == 200
    assert client.get("/services/compare", params={"codes": [a, b]}).status_code == 200
    created = client.post("/api/v1/quote-requests", json=request_body(demo, codes[:2]), headers=headers["buyer"])
    request_id = created.json()["id"]
    order = award_through_api(client, headers, request_id, answer_and_decline(client, headers, request_id))

    order_page = client.get(f"/orders/{order['id']}")
    assert f'href="/orders/{order["id"]}/decision-record"' in order_page.text
    request_page = client.get(f"/agency/quote-requests/{request_id}")
    assert f'href="/orders/{order["id"]}/decision-record"' in request_page.text
    page = client.get(f"/orders/{order['id']}/decision-record")
    assert page.status_code == 200
    for expected in ("낙찰 결정 기록", REASON, DECLINE, "그룹웨어", "가상웍스 그룹웨어", "화면", "KST"):
        assert expected in page.text, expected
    pdf = client.get(f"/orders/{order['id']}/decision-record.pdf")
    assert pdf.status_code == 200 and REASON in pdf_text(pdf.content)
    rows = csv_rows(client.get(f"/orders/{order['id']}/decision-record.csv").content)
    assert any(row[0] == "비교" and row[2] == f"{a} {b}" for row in rows)

    client.cookies.clear()
    page_login(client, "supplier@demo.kr")
    assert f"/orders/{order['id']}/decision-record" not in client.get(f"/orders/{order['id']}").text
    assert client.get(f"/orders/{order['id']}/decision-record").status_code == 404
    client.cookies.clear()
    page_login(client, "operator@demo.kr")
    listed = client.get("/operator/decision-records")
    assert listed.status_code == 200 and f"/orders/{order['id']}/decision-record" in listed.text
    assert client.get(f"/orders/{order['id']}/decision-record").status_code == 200


def test_an_order_made_without_a_quote_request_has_no_record(demo, client, codes, headers):
    a, _, _ = codes
    body = {
        "code": a,
        "start_date": today_kst().isoformat(),
        "lines": [{"price_plan_id": plan_ids(demo, a)[0], "quantity": 10, "months": 12, "unit_price": 10000}],
    }
    made = client.post("/api/v1/orders", json=body, headers=headers["buyer"])
    assert made.status_code == 201, made.text
    missing = client.get(f"/api/v1/orders/{made.json()['id']}/decision-record", headers=headers["buyer"])
    assert missing.status_code == 404 and "견적요청" in missing.json()["error"]["message"]


def test_a_failed_award_keeps_no_record(demo, client, codes, headers):
    created = client.post("/api/v1/quote-requests", json=request_body(demo, codes[:2]), headers=headers["buyer"])
    request_id = created.json()["id"]
    quote = answer_and_decline(client, headers, request_id)
    stale = {"quote_id": quote["id"], "version": quote["version"] - 1, "reason": REASON}
    refused = client.post(f"/api/v1/quote-requests/{request_id}/award", json=stale, headers=headers["buyer"])
    assert refused.status_code == 409
    with demo.reading() as session:
        assert session.scalar(select(func.count()).select_from(AwardDecisionRecord)) == 0
    order = award_through_api(client, headers, request_id, quote)
    with demo.reading() as session:
        assert session.scalar(select(func.count()).select_from(AwardDecisionRecord)) == 1
    read = client.get(f"/api/v1/orders/{order['id']}/decision-record", headers=headers["buyer"]).json()
    assert read["frozen"] and read["record"]["award"]["reason"] == REASON


def test_the_pdf_carries_long_requirements_and_reasons_over_pages(demo, client, codes, headers):
    long_requirements = "망분리 환경에서 GPKI 인증서로 로그인하고 전자결재와 연동되어야 한다. " * 80
    long_reason = "기술 평가와 가격을 함께 보아 가장 적합하다고 판단함. " * 120 + "끝."
    body = request_body(demo, codes[:2]) | {"requirements": long_requirements[:4000]}
    created = client.post("/api/v1/quote-requests", json=body, headers=headers["buyer"])
    assert created.status_code == 201, created.text
    request_id = created.json()["id"]
    quote = answer_and_decline(client, headers, request_id)
    awarded = client.post(
        f"/api/v1/quote-requests/{request_id}/award",
        json={"quote_id": quote["id"], "version": quote["version"], "reason": long_reason[:4000]},
        headers=headers["buyer"],
    )
    assert awarded.status_code == 201, awarded.text
    pdf = client.get(f"/api/v1/orders/{awarded.json()['id']}/decision-record.pdf", headers=headers["buyer"])
    assert pdf.status_code == 200
    pages = pypdf.PdfReader(io.BytesIO(pdf.content)).pages
    assert len(pages) >= 2
    text = pdf_text(pdf.content).replace("\n", "")
    assert "끝." in text and "전자결재와 연동되어야 한다." in text
