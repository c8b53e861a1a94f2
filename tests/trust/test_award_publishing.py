"""A buyer alone publishes nothing: an order it negotiated (POST /api/v1/orders) is not an OCDS award, nor in
the change feed, until the supplier has accepted it by confirming the contract."""

from __future__ import annotations

from digitalmarket.core.clock import today_kst
from tests.contracting.buying import people_of, plan_ids, publish
from tests.helpers import api_token

PREFIX = "ocds-xxxxxx"


def _releases(client, ocid: str) -> list[dict]:
    answer = client.get(f"/api/v1/ocds/releases/{ocid}")
    return [] if answer.status_code == 404 else answer.json()["releases"]


def _in_feed(client, code: str) -> bool:
    items = client.get("/api/v1/feed/orders", params={"limit": 200}).json()["items"]
    return any(item["data"]["code"] == code for item in items)


def test_a_negotiated_order_is_awarded_in_public_once_the_supplier_accepts(client, demo):
    people = people_of(demo)
    buyer, supplier = api_token(demo, "buyer@demo.kr"), api_token(demo, "supplier@demo.kr")
    code = publish(demo, people.supplier, "가상웍스 협업도구")
    line = {"price_plan_id": plan_ids(demo, code)[0], "quantity": 50, "months": 12, "unit_price": 9000}
    body = {"code": code, "start_date": today_kst().isoformat(), "lines": [line]}
    made = client.post("/api/v1/orders", json=body, headers=buyer)
    assert made.status_code == 201
    order = made.json()
    ocid = f"{PREFIX}-{order['code']}"
    assert _releases(client, ocid) == [] and not _in_feed(client, order["code"])

    url = f"/api/v1/orders/{order['id']}/confirm"
    order = client.post(url, json={"version": order["version"]}, headers=buyer).json()
    assert _releases(client, ocid) == [] and not _in_feed(client, order["code"])  # still the buyer alone

    order = client.post(url, json={"version": order["version"]}, headers=supplier).json()
    releases = _releases(client, ocid)
    assert [r["tag"] for r in releases] == [["award"], ["contract"]]
    award = releases[0]["awards"][0]
    assert award["status"] == "active" and award["suppliers"][0]["name"] == "(주)가상소프트"
    assert _in_feed(client, order["code"])
