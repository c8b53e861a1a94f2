"""The buyer withdraws a draft order the supplier has not accepted: with a reason, through the API and the
order's page, audited and told to the supplier; nothing of it is ever published; once the supplier has
confirmed, it can no longer be withdrawn, and only the buyer's agency may withdraw."""

from __future__ import annotations

from sqlalchemy import select

from digitalmarket.core.audit import AuditEvent
from digitalmarket.core.clock import today_kst
from tests.contracting.buying import people_of, plan_ids, publish
from tests.helpers import api_token, csrf_from, page_login

PREFIX = "ocds-xxxxxx"


def _order(client, demo, headers) -> dict:
    code = publish(demo, people_of(demo).supplier, "가상웍스 전자결재")
    line = {"price_plan_id": plan_ids(demo, code)[0], "quantity": 30, "months": 12, "unit_price": 9000}
    made = client.post(
        "/api/v1/orders", json={"code": code, "start_date": today_kst().isoformat(), "lines": [line]}, headers=headers
    )
    assert made.status_code == 201, made.text
    return made.json()


def test_the_buyer_withdraws_a_draft_with_a_reason_through_the_api(client, demo):
    buyer, supplier = api_token(demo, "buyer@demo.kr"), api_token(demo, "supplier@demo.kr")
    buyer2 = api_token(demo, "buyer2@demo.kr")
    order = _order(client, demo, buyer)
    url = f"/api/v1/orders/{order['id']}/withdraw"
    assert client.post(url, json={"version": order["version"], "reason": " "}, headers=buyer).status_code == 422
    stranger = client.post(url, json={"version": order["version"], "reason": "잘못 입력"}, headers=buyer2)
    assert stranger.status_code == 404  # another agency's order does not exist for it
    assert client.post(url, json={"version": order["version"], "reason": "x"}, headers=supplier).status_code == 403

    done = client.post(url, json={"version": order["version"], "reason": "단가를 잘못 입력했습니다"}, headers=buyer)
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "withdrawn" and done.json()["state_reason"] == "단가를 잘못 입력했습니다"
    assert [v["state"] for v in done.json()["versions"]] == ["withdrawn"]  # its draft waits for no one now
    confirm = f"/api/v1/orders/{order['id']}/confirm"
    late = client.post(confirm, json={"version": done.json()["version"]}, headers=supplier)
    assert late.status_code == 409  # never contracted
    assert client.get(f"/api/v1/ocds/releases/{PREFIX}-{order['code']}").status_code == 404
    with demo.reading() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "order.withdrawn")).one()
        assert event.details == {"reason": "단가를 잘못 입력했습니다"}
    assert page_login(client, "supplier@demo.kr").status_code == 303
    told = client.get("/notifications")
    assert order["code"] in told.text and "단가를 잘못 입력했습니다" in told.text  # the supplier is told why


def test_an_order_the_supplier_accepted_cannot_be_withdrawn(client, demo):
    buyer, supplier = api_token(demo, "buyer@demo.kr"), api_token(demo, "supplier@demo.kr")
    order = _order(client, demo, buyer)
    accepted = client.post(
        f"/api/v1/orders/{order['id']}/confirm", json={"version": order["version"]}, headers=supplier
    )
    assert accepted.status_code == 200
    refused = client.post(
        f"/api/v1/orders/{order['id']}/withdraw",
        json={"version": accepted.json()["version"], "reason": "변심"},
        headers={**buyer, "Accept-Language": "ko"},
    )
    assert refused.status_code == 409 and "수락" in refused.json()["error"]["message"]


def test_the_order_page_withdraws_a_draft(client, demo):
    order = _order(client, demo, api_token(demo, "buyer@demo.kr"))
    assert page_login(client, "buyer@demo.kr").status_code == 303
    page = client.get(f"/orders/{order['id']}")
    assert "주문 철회" in page.text
    token = csrf_from(client, f"/orders/{order['id']}")
    empty = client.post(f"/orders/{order['id']}/withdraw", data={"csrf_token": token, "version": order["version"]})
    assert empty.status_code == 422
    form = {"csrf_token": token, "version": order["version"], "reason": "예산 재배정"}
    done = client.post(f"/orders/{order['id']}/withdraw", data=form, follow_redirects=True)
    assert done.status_code == 200 and "예산 재배정" in done.text
    assert "주문을 철회했습니다" in done.text  # the buyer is told the step went through
    assert 'id="stamp-duty"' in page.text and 'id="stamp-duty"' not in done.text  # no contract, no 인지세
