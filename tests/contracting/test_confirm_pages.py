"""Contracting steps that cannot be undone are asked first, on a page that says what will happen:
terminating an order early, cancelling a quote request, awarding a quote. Opening the page changes
nothing; its button takes the step, and a refused step shows the page again with the reason asked."""

import pytest
from sqlalchemy import func, select

from digitalmarket.contracting.tables import Order, QuoteRequest
from tests.contracting.buying import answer, ask, contracted_order, order, people_of, publish, quote_of
from tests.helpers import page_login
from tests.selection.test_confirm_pages import form_of


@pytest.fixture
def people(demo):
    return people_of(demo)


def test_terminating_an_order_asks_first_with_its_reason(client, demo, people):
    code = publish(demo, people.supplier, "가상 그룹웨어")
    order_id = contracted_order(demo, people, code)
    path = f"/orders/{order_id}/terminate"
    page_login(client, "supplier@demo.kr")
    assert client.get(path).status_code == 403
    page_login(client, "buyer2@demo.kr")
    assert client.get(path).status_code == 404
    page_login(client, "buyer@demo.kr")
    assert f'href="{path}"' in client.get(f"/orders/{order_id}").text
    asked = client.get(path)
    assert asked.status_code == 200 and "이 계약을 중도 해지할까요?" in asked.text
    assert "(주)가상소프트에 해지 사실과 사유를 알립니다." in asked.text
    assert "해지한 계약은 되살리거나 변경할 수 없습니다" in asked.text and "해지하기" in asked.text
    assert order(demo, order_id).status == "active"
    refused = client.post(path, data=form_of(asked, path))  # no reason
    assert refused.status_code == 422
    assert 'id="field-reason" name="reason"' in refused.text and 'aria-invalid="true"' in refused.text
    assert "이 계약을 중도 해지할까요?" in refused.text and order(demo, order_id).status == "active"
    done = client.post(path, data={**form_of(refused, path), "reason": "기관 통합으로 서비스가 필요 없게 됨"})
    assert done.status_code == 200 and "notice=terminated" in str(done.url)
    assert order(demo, order_id).status == "terminated"
    assert client.get(path, follow_redirects=False).status_code == 303


def test_cancelling_a_quote_request_asks_first(client, demo, people):
    code = publish(demo, people.supplier, "가상 그룹웨어")
    other = publish(demo, people.supplier2, "나래 협업")
    request_id = ask(demo, people.buyer, [code, other])
    path = f"/agency/quote-requests/{request_id}/cancel"
    page_login(client, "supplier@demo.kr")
    assert client.get(path).status_code == 403
    client.cookies.set("dm_lang", "en")
    page_login(client, "buyer@demo.kr")
    asked = client.get(path)
    assert asked.status_code == 200 and "Cancel this quote request?" in asked.text
    assert "(주)가상소프트" in asked.text and "This cannot be undone" in asked.text
    assert "Keep the request" in asked.text
    with demo.reading() as session:
        assert session.get(QuoteRequest, request_id).status == "open"
    done = client.post(path, data={**form_of(asked, path), "reason": "예산 사정"})
    assert done.status_code == 200
    with demo.reading() as session:
        assert session.get(QuoteRequest, request_id).status == "cancelled"


def test_the_award_page_says_what_cannot_be_undone_before_anything_is_made(client, demo, people):
    code = publish(demo, people.supplier, "가상 그룹웨어")
    request_id = ask(demo, people.buyer, [code])
    answer(demo, people.supplier, request_id, code, [11000])
    page_login(client, "buyer@demo.kr")
    page = client.get(
        f"/agency/quote-requests/{request_id}/award", params={"quote_id": quote_of(demo, request_id, code).id}
    )
    assert page.status_code == 200
    assert "되돌릴 수 없습니다" in page.text and "낙찰하면 되돌릴 수 없습니다" in page.text
    with demo.reading() as session:
        assert session.scalar(select(func.count()).select_from(Order)) == 0


def test_declining_to_quote_asks_first(client, demo, people):
    code = publish(demo, people.supplier, "가상 그룹웨어")
    request_id = ask(demo, people.buyer, [code])
    quote_id = quote_of(demo, request_id, code).id
    path = f"/supplier/quotes/{quote_id}/decline"
    page_login(client, "supplier2@demo.kr")
    assert client.get(path).status_code == 404
    page_login(client, "supplier@demo.kr")
    assert f'href="{path}"' in client.get(f"/supplier/quotes/{quote_id}").text
    asked = client.get(path)
    assert asked.status_code == 200 and "견적을 사양할까요?" in asked.text
    assert "다시 견적을 낼 수 없습니다" in asked.text
    assert quote_of(demo, request_id, code).status == "requested"
    refused = client.post(path, data=form_of(asked, path))  # no reason
    assert refused.status_code == 422 and "견적을 사양할까요?" in refused.text
    done = client.post(path, data={**form_of(refused, path), "reason": "기간 내 공급 불가"})
    assert done.status_code == 200 and quote_of(demo, request_id, code).status == "declined"
    assert client.get(path, follow_redirects=False).status_code == 303
