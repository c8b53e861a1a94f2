"""Settlement through the API and the pages: a month reported once it has ended (the application's clock
moved to the next month), rejected, corrected, accepted, claimed by the supplier (대금청구) and paid;
overdue counted from the claim; refusals as 4xx with field messages and nothing written; another agency or
supplier sees nothing; the pages in Korean without JavaScript; reviews and ratings on the service page
and in search results."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from digitalmarket.core.clock import today_kst
from digitalmarket.core.files import DocumentStore
from digitalmarket.settlement import rules
from digitalmarket.settlement.tables import Invoice
from tests.contracting.buying import people_of, publish
from tests.helpers import api_token, csrf_from, page_login
from tests.settlement.settling import USERS, calendar_moved, later, month_of, next_month, order_in_use, review


@pytest.fixture
def people(demo):
    return people_of(demo)


@pytest.fixture
def code(demo, people):
    return publish(demo, people.supplier, "가상웍스 그룹웨어")


@pytest.fixture
def order_id(demo, people, code, settings):
    return order_in_use(demo, people, code, DocumentStore.of(settings))


@pytest.fixture
def headers(demo):
    return {
        name: api_token(demo, f"{name}@demo.kr") for name in ("buyer", "buyer2", "supplier", "supplier2", "operator")
    }


def count(db) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(Invoice))


def signed_in(app, email: str) -> TestClient:
    client = TestClient(app)
    page_login(client, email)
    return client


def month_over() -> int:
    """Days from today to the first day of the next month, when this month's usage can be reported."""
    return (next_month(today_kst()) - today_kst()).days


def test_the_whole_path_through_the_api(demo, client, order_id, headers, monkeypatch):
    month, first_of_next = month_of(today_kst()), next_month(today_kst())
    body = {"month": month, "lines": [{"position": USERS, "quantity": 45}], "total": 1}
    early = client.post(f"/api/v1/orders/{order_id}/invoices", json=body, headers=headers["supplier"])
    assert early.status_code == 422, early.text
    assert f"{first_of_next.isoformat()}부터" in early.json()["error"]["fields"]["month"]
    summary = client.get(f"/api/v1/orders/{order_id}/invoices", headers=headers["supplier"]).json()
    assert summary["reportable_months"] == [] and summary["next_reportable"] == {month: first_of_next.isoformat()}
    assert count(demo) == 0

    with calendar_moved(monkeypatch, month_over()):  # the month has ended
        made = client.post(f"/api/v1/orders/{order_id}/invoices", json=body, headers=headers["supplier"])
        assert made.status_code == 201, made.text
        invoice = made.json()
        assert (invoice["state"], invoice["total"], invoice["month"]) == ("reported", 861_666, month)
        again = client.post(f"/api/v1/orders/{order_id}/invoices", json=body, headers=headers["supplier"])
        assert again.status_code == 409 and "이미 등록" in again.json()["error"]["message"]

        url = f"/api/v1/invoices/{invoice['id']}"
        rejected = client.post(
            f"{url}/reject", json={"version": invoice["version"], "reason": "40명"}, headers=headers["buyer"]
        )
        assert rejected.status_code == 200, rejected.text
        stale = client.post(f"{url}/accept", json={"version": invoice["version"]}, headers=headers["buyer"])
        assert stale.status_code == 409 and "반려" in stale.json()["error"]["message"]
        moved = client.post(  # a correction cannot move the invoice to another month: said, nothing written
            f"{url}/correct",
            json={
                "version": rejected.json()["version"],
                "month": "2020-01",
                "lines": [{"position": USERS, "quantity": 40}],
            },
            headers=headers["supplier"],
        )
        assert moved.status_code == 422 and f"({month})" in moved.json()["error"]["fields"]["month"]
        assert client.get(url, headers=headers["supplier"]).json()["revision"] == 1
        corrected = client.post(  # the month may be left out
            f"{url}/correct",
            json={"version": rejected.json()["version"], "lines": [{"position": USERS, "quantity": 40}]},
            headers=headers["supplier"],
        ).json()
        assert (corrected["revision"], corrected["total"], len(corrected["revisions"])) == (2, 806_666, 2)
        accepted = client.post(f"{url}/accept", json={"version": corrected["version"]}, headers=headers["buyer"]).json()
        assert (accepted["state"], accepted["due_date"], accepted["waiting_for"]) == ("accepted", None, "supplier")
        today = today_kst()
        too_soon = client.post(
            f"{url}/pay", json={"version": accepted["version"], "paid_on": today.isoformat()}, headers=headers["buyer"]
        )
        assert too_soon.status_code == 409 and "대금을 청구하지 않았습니다" in too_soon.json()["error"]["message"]
        for who, status in (("buyer", 403), ("supplier2", 404)):
            refused = client.post(f"{url}/claim", json={"version": accepted["version"]}, headers=headers[who])
            assert refused.status_code == status, (who, refused.text)
        claimed = client.post(f"{url}/claim", json={"version": accepted["version"]}, headers=headers["supplier"])
        assert claimed.status_code == 200, claimed.text
        claimed = claimed.json()
        assert (claimed["state"], claimed["waiting_for"], claimed["claimed_by"]) == ("claimed", "agency", "김가상")
        assert claimed["claimed_at"] is not None
        assert claimed["due_date"] == rules.due_date(today).isoformat()  # 5 working days from the claim
        again = client.post(f"{url}/claim", json={"version": claimed["version"]}, headers=headers["supplier"])
        assert again.status_code == 409
        paid = client.post(
            f"{url}/pay", json={"version": claimed["version"], "paid_on": today.isoformat()}, headers=headers["buyer"]
        )
        assert paid.status_code == 200 and paid.json()["paid_on"] == today.isoformat()
        assert paid.json()["waiting_for"] is None

        summary = client.get(f"/api/v1/orders/{order_id}/invoices", headers=headers["buyer"]).json()
        assert (summary["paid"], summary["paid_total"], summary["contract_total"]) == (1, 806_666, 11_000_000)
        assert client.get("/api/v1/invoices/overdue", headers=headers["operator"]).json()["items"] == []
        assert [i["id"] for i in client.get("/api/v1/invoices", headers=headers["supplier"]).json()["items"]] == [
            invoice["id"]
        ]


def test_an_accepted_invoice_without_claim_is_not_overdue(demo, client, order_id, headers, monkeypatch):
    body = {"month": month_of(today_kst()), "lines": [{"position": USERS, "quantity": 10}]}
    with calendar_moved(monkeypatch, month_over()):
        made = client.post(f"/api/v1/orders/{order_id}/invoices", json=body, headers=headers["supplier"]).json()
        url = f"/api/v1/invoices/{made['id']}"
        accepted = client.post(f"{url}/accept", json={"version": made["version"]}, headers=headers["buyer"]).json()
    with calendar_moved(monkeypatch, month_over() + 20):  # three weeks later, still no claim
        assert client.get("/api/v1/invoices/overdue", headers=headers["operator"]).json()["items"] == []
        assert client.get(url, headers=headers["buyer"]).json()["overdue"] is False
        claimed = client.post(f"{url}/claim", json={"version": accepted["version"]}, headers=headers["supplier"]).json()
        assert claimed["due_date"] == rules.due_date(today_kst()).isoformat()
        assert client.get("/api/v1/invoices/overdue", headers=headers["operator"]).json()["items"] == []
    with calendar_moved(monkeypatch, month_over() + 40):  # past the due date counted from the claim
        overdue = client.get("/api/v1/invoices/overdue", headers=headers["operator"]).json()["items"]
        assert [i["id"] for i in overdue] == [made["id"]] and overdue[0]["overdue"] is True


def test_refusals_are_4xx_and_strangers_see_nothing(demo, client, order_id, headers, monkeypatch):
    future = {"month": "2999-01", "lines": [{"position": USERS, "quantity": 1}]}
    response = client.post(f"/api/v1/orders/{order_id}/invoices", json=future, headers=headers["supplier"])
    assert response.status_code == 422 and "month" in response.json()["error"]["fields"]
    early = client.put(
        f"/api/v1/orders/{order_id}/review", json={"rating": 5, "comment": "좋음"}, headers=headers["buyer"]
    )
    assert early.status_code == 409 and "30일" in early.json()["error"]["message"]
    with calendar_moved(monkeypatch, month_over()):
        over = {"month": month_of(today_kst() - timedelta(days=1)), "lines": [{"position": USERS, "quantity": 5000}]}
        response = client.post(f"/api/v1/orders/{order_id}/invoices", json=over, headers=headers["supplier"])
        assert response.status_code == 409 and "계약금액" in response.json()["error"]["message"]
        assert count(demo) == 0
        twice = {**over, "lines": [{"position": USERS, "quantity": 5}, {"position": USERS, "quantity": 8}]}
        response = client.post(f"/api/v1/orders/{order_id}/invoices", json=twice, headers=headers["supplier"])
        assert response.status_code == 422  # which quantity would it bill? neither: said, nothing written
        assert response.json()["error"]["fields"] == {
            "lines.1.position": f"{USERS}번 품목을 두 번 보냈습니다. 품목마다 한 번씩 보내세요."
        }
        assert count(demo) == 0
        good = {**over, "lines": [{"position": USERS, "quantity": 5}]}
        stranger = client.post(f"/api/v1/orders/{order_id}/invoices", json=good, headers=headers["supplier2"])
        assert stranger.status_code == 404
        made = client.post(f"/api/v1/orders/{order_id}/invoices", json=good, headers=headers["supplier"]).json()
        for who in ("buyer2", "supplier2"):
            assert client.get(f"/api/v1/invoices/{made['id']}", headers=headers[who]).status_code == 404
            assert client.get(f"/api/v1/orders/{order_id}/invoices", headers=headers[who]).status_code == 404
        refused = client.post(f"/api/v1/invoices/{made['id']}/accept", json={"version": 1}, headers=headers["buyer2"])
        assert refused.status_code == 404
        not_yet = client.post(f"/api/v1/invoices/{made['id']}/claim", json={"version": 1}, headers=headers["supplier"])
        assert not_yet.status_code == 409 and "검수를 완료한 뒤" in not_yet.json()["error"]["message"]


def test_the_pages_in_korean_without_javascript(demo, app, order_id, people, monkeypatch):
    supplier = signed_in(app, "supplier@demo.kr")
    order_page = supplier.get(f"/orders/{order_id}")
    assert "이용실적 및 대금지급" in order_page.text or "이용 월별 현황" in order_page.text
    month, first_of_next = month_of(today_kst()), next_month(today_kst()).isoformat()
    assert f"{first_of_next}부터 등록 가능" in order_page.text
    form = supplier.get(f"/orders/{order_id}/usage")
    assert "<h1" in form.text and "월별 이용실적 등록" in form.text
    assert f'value="{month}"' not in form.text  # the month in course is not offered
    assert f"{month} 이용실적은 그 달이 끝난 뒤인 {first_of_next}부터" in form.text

    with calendar_moved(monkeypatch, month_over()):
        supplier = signed_in(app, "supplier@demo.kr")
        form = supplier.get(f"/orders/{order_id}/usage")
        assert f'value="{month}"' in form.text
        assert 'label for="field-q0"' in form.text and 'for="field-month"' in form.text
        token = csrf_from(supplier, f"/orders/{order_id}/usage")
        bad = supplier.post(f"/orders/{order_id}/usage", data={"csrf_token": token, "month": month, "q0": "많이"})
        assert bad.status_code == 422
        assert "입력한 내용을 확인" in bad.text or "dm-error-summary" in bad.text
        assert 'id="field-q0-error"' in bad.text and "수량을 0부터" in bad.text
        assert count(demo) == 0
        sent = supplier.post(
            f"/orders/{order_id}/usage", data={"csrf_token": token, "month": month, "q0": "50"}, follow_redirects=False
        )
        assert sent.status_code == 303, sent.text
        invoice_url = sent.headers["location"].split("?")[0]
        assert "이용실적을 등록하고" in supplier.get(sent.headers["location"]).text

        buyer = signed_in(app, "buyer@demo.kr")
        page = buyer.get(invoice_url)
        assert "검수" in page.text and "반려 사유" in page.text
        version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
        token = csrf_from(buyer, invoice_url)
        empty = buyer.post(f"{invoice_url}/reject", data={"csrf_token": token, "version": version})
        assert empty.status_code == 422 and 'id="field-reason-error"' in empty.text
        accepted = buyer.post(f"{invoice_url}/accept", data={"csrf_token": token, "version": version})
        assert accepted.status_code == 200 and "검수를 완료했습니다" in accepted.text
        assert "공급기업의 대금청구를 기다리고 있습니다" in accepted.text  # the agency's next step
        assert 'type="date"' not in accepted.text and f'action="{invoice_url}/pay"' not in accepted.text
        assert "대금청구 대기" in buyer.get("/agency/invoices").text

        page = supplier.get(invoice_url)
        assert "대금을 청구하세요" in page.text and f'action="{invoice_url}/claim"' in page.text
        version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
        token = csrf_from(supplier, invoice_url)
        claimed = supplier.post(f"{invoice_url}/claim", data={"csrf_token": token, "version": version})
        assert claimed.status_code == 200 and "대금을 청구했습니다" in claimed.text
        when = re.search(r"대금청구</dt><dd>(\d{4}-\d{2}-\d{2} \d{2}:\d{2}) KST · 김가상", claimed.text)
        assert when and when.group(1).startswith(today_kst().isoformat()), claimed.text
        due = rules.due_date(today_kst()).isoformat()
        assert f"수요기관의 대금 지급을 기다리고 있습니다. 지급 기한은 {due}입니다." in claimed.text

        page = buyer.get(invoice_url)
        assert f"{due}까지" in page.text and 'type="date"' in page.text
        version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
        token = csrf_from(buyer, invoice_url)
        paid = buyer.post(
            f"{invoice_url}/pay", data={"csrf_token": token, "version": version, "paid_on": today_kst().isoformat()}
        )
        assert "지급을 기록했습니다" in paid.text and "지급 완료" in paid.text
        section = buyer.get(f"/orders/{order_id}").text
        assert "지급 완료" in section and "1개월" in section
        listing = buyer.get("/agency/invoices")
        assert "검수 및 대금지급" in listing.text and invoice_url in listing.text
        assert signed_in(app, "buyer2@demo.kr").get(invoice_url).status_code == 404
        operator = signed_in(app, "operator@demo.kr")
        assert "지급이 지연된 청구서가 없습니다" in operator.get("/operator/overdue-invoices").text


def test_reviews_show_on_the_service_page_and_in_search(demo, app, client, code, order_id, people):
    review(demo, people.buyer, order_id, 4, comment="교육 지원이 좋았습니다.", now=later(30))
    page = client.get(f"/services/{code}")
    assert "수요기관 이용후기" in page.text and "교육 지원이 좋았습니다." in page.text
    assert "5점 만점에 4.0점" in page.text and "후기 1건" in page.text
    supplier = signed_in(app, "supplier@demo.kr")
    review_url = f"/orders/{order_id}/review"
    token = csrf_from(supplier, review_url)
    version = re.search(r'name="version" value="(\d+)"', supplier.get(review_url).text).group(1)
    answered = supplier.post(
        f"{review_url}/answer",
        data={"csrf_token": token, "version": version, "answer": "감사합니다. 계속 지원하겠습니다."},
    )
    assert "답변이 후기 아래에 표시됩니다" in answered.text
    assert "계속 지원하겠습니다" in client.get(f"/services/{code}").text
    assert 'action="' + review_url + '/answer"' not in supplier.get(review_url).text  # answered once
    results = client.get("/services", params={"q": "가상웍스 그룹웨어"})
    assert "5점 만점에 4.0점" in results.text
    api = client.get(f"/api/v1/services/{code}/reviews").json()
    assert (api["average"], api["count"], api["reviews"][0]["answer"]) == (4.0, 1, "감사합니다. 계속 지원하겠습니다.")
    ranked = client.get("/api/v1/services", params={"sort": "rating"}).json()
    assert ranked["items"][0]["code"] == code and ranked["items"][0]["rating"] == 4.0
