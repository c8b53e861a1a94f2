"""An integrator learns every id it must send from the API's answers: a service's id and its price plans'
ids are in the search list and the service's page, and a catalog contract is applied for with them."""

from __future__ import annotations

from datetime import timedelta

from digitalmarket.core.clock import today_kst
from tests.contracting import test_catalog_contract_workflow as journey
from tests.helpers import api_token

people = journey.people  # the fixture


def test_a_catalog_contract_is_applied_for_with_ids_read_from_the_api(client, demo, people):
    journey.publish_service(demo, people.supplier, name="가상 아이디 그룹웨어")
    listed = client.get("/api/v1/services", params={"q": "가상 아이디 그룹웨어"}).json()["items"]
    item = next(i for i in listed if i["name"] == "가상 아이디 그룹웨어")
    detail = client.get(f"/api/v1/services/{item['code']}").json()
    assert detail["id"] == item["id"]
    plans = {plan["name"]: plan["id"] for plan in detail["price_plans"]}
    assert set(plans) == {"Standard", "Premium", "구축"} and len(set(plans.values())) == 3

    supplier = api_token(demo, "supplier@demo.kr")
    body = {
        "service_id": detail["id"],
        "period_start": today_kst().isoformat(),
        "period_end": (today_kst() + timedelta(days=364)).isoformat(),
        "items": [{"price_plan_id": plans["Standard"], "unit_price": 11000}],
    }
    created = client.post("/api/v1/catalog-contracts", json=body, headers=supplier)
    assert created.status_code == 201, created.text
    assert [i["price_plan_id"] for i in created.json()["items"]] == [plans["Standard"]]
