"""The catalog contract API: the whole path by JSON, permissions, 401/404/409, and Korean pages."""

from __future__ import annotations

from datetime import timedelta

from digitalmarket.core.clock import today_kst
from tests.contracting import test_catalog_contract_workflow as journey
from tests.helpers import api_token, page_login

people = journey.people  # the fixture
plan_ids, publish_service = journey.plan_ids, journey.publish_service


def _apply_body(db, service_id, prices=(11000, 20000)):
    return {
        "service_id": service_id,
        "period_start": today_kst().isoformat(),
        "period_end": (today_kst() + timedelta(days=364)).isoformat(),
        "items": [
            {"price_plan_id": p, "unit_price": price}
            for p, price in zip(plan_ids(db, service_id), prices, strict=False)
        ],
    }


def test_the_whole_path_by_api(client, demo, people):
    supplier, officer = api_token(demo, "supplier@demo.kr"), api_token(demo, "officer@demo.kr")
    service_id = publish_service(demo, people.supplier)
    standard, premium, build = plan_ids(demo, service_id)
    created = client.post("/api/v1/catalog-contracts", json=_apply_body(demo, service_id), headers=supplier)
    assert created.status_code == 201, created.text
    body = created.json()
    cid, assert_state = body["id"], body["state"]
    assert assert_state == "applied" and body["number"] is None and len(body["items"]) == 2
    again = client.post("/api/v1/catalog-contracts", json=_apply_body(demo, service_id), headers=supplier)
    assert again.status_code == 409
    assert again.json()["error"]["message"] == "이 서비스에는 이미 카탈로그 계약 또는 진행 중인 신청이 있습니다."

    def post(path, json, headers=officer):
        return client.post(f"/api/v1/catalog-contracts/{cid}/{path}", json=json, headers=headers)

    version = body["version"]
    # only the officer reviews; the supplier gets 403
    assert post("start-review", {"version": version}, supplier).status_code == 403
    step = post("start-review", {"version": version})
    assert step.status_code == 200 and step.json()["state"] == "pps_review"
    assert post("contract", {"version": version}).status_code == 409  # stale version
    step = post("supplement-request", {"version": step.json()["version"], "reason": "단가 근거 자료 보완"})
    assert step.json()["state"] == "supplement_requested"
    step = post(
        "resubmit",
        {"version": step.json()["version"], "items": [{"price_plan_id": standard, "unit_price": 10500}]},
        supplier,
    )
    assert step.status_code == 200 and step.json()["state"] == "applied", step.text
    step = post("start-review", {"version": step.json()["version"]})
    too_high = post(
        "contract", {"version": step.json()["version"], "items": [{"price_plan_id": standard, "unit_price": 12001}]}
    )
    assert too_high.status_code == 422 and f"items.{standard}.unit_price" in too_high.json()["error"]["fields"]
    other = 10**6  # a plan that is not this service's is named as such
    foreign = post(
        "contract", {"version": step.json()["version"], "items": [{"price_plan_id": other, "unit_price": 1}]}
    )
    assert foreign.json()["error"]["fields"] == {
        f"items.{other}.price_plan_id": "요금제 1000000은 이 서비스의 요금제가 아닙니다. 이 서비스의 요금제를 고르세요."
    }
    step = post("contract", {"version": step.json()["version"]})
    assert step.status_code == 200 and step.json()["number"].startswith(f"CC-{today_kst().year}-")
    step = post(
        "amend",
        {
            "version": step.json()["version"],
            "items": [
                {"price_plan_id": standard, "unit_price": 10000},
                {"price_plan_id": build, "unit_price": 4_000_000},
            ],
            "reason": "단가 인하, 구축 추가",
        },
    )
    assert step.status_code == 200 and step.json()["change_seq"] == 1
    up = post(
        "amend",
        {
            "version": step.json()["version"],
            "items": [{"price_plan_id": standard, "unit_price": 10001}],
            "reason": "인상",
        },
    )
    assert up.status_code == 422
    diff = client.get(f"/api/v1/catalog-contracts/{cid}/diff", headers=supplier).json()
    assert {c["price_plan_id"]: c["change"] for c in diff["items"]} == {standard: "price_down", build: "added"}
    # anyone can read whether the service can be ordered today, and how, before asking
    service_code = step.json()["service_code"]
    trade = client.get(f"/api/v1/services/{service_code}/trade").json()
    assert (trade["orderable"], trade["method"], trade["reason"]) == (True, "delivery_request", None)
    assert trade["catalog_contract"]["number"] == step.json()["number"] and trade["catalog_contract"]["in_force"]
    step = post("suspend", {"version": step.json()["version"], "reason": "점검"})
    assert step.json()["state"] == "suspended"
    trade = client.get(f"/api/v1/services/{service_code}/trade").json()
    assert (trade["orderable"], trade["method"], trade["catalog_contract"]["state"]) == (False, None, "suspended")
    assert trade["catalog_contract"]["in_force"] is False
    assert "거래정지" in trade["reason"] and step.json()["number"] in trade["reason"]
    step = post("resume", {"version": step.json()["version"], "reason": "점검 완료"})
    assert step.json()["state"] == "contracted"
    assert client.get(f"/api/v1/services/{service_code}/trade").json()["orderable"] is True
    timeline = client.get(f"/api/v1/catalog-contracts/{cid}/timeline", headers=supplier).json()
    assert [s["action"] for s in timeline][-3:] == ["amend", "suspend", "resume"]
    listed = client.get("/api/v1/catalog-contracts", headers=supplier).json()["items"]
    assert [c["id"] for c in listed] == [cid]
    queue = client.get("/api/v1/catalog-contracts", headers=officer).json()["items"]
    assert queue == []  # nothing waits for review any more
    assert [
        c["id"] for c in client.get("/api/v1/catalog-contracts?state=contracted", headers=officer).json()["items"]
    ] == [cid]
    assert premium  # unused plan stays out


def test_permissions(client, demo, people):
    service_id = publish_service(demo, people.supplier)
    supplier = api_token(demo, "supplier@demo.kr")
    cid = client.post("/api/v1/catalog-contracts", json=_apply_body(demo, service_id), headers=supplier).json()["id"]
    assert client.get(f"/api/v1/catalog-contracts/{cid}").status_code == 401
    assert client.get("/api/v1/catalog-contracts").status_code == 401
    other = api_token(demo, "supplier2@demo.kr")
    assert client.get(f"/api/v1/catalog-contracts/{cid}", headers=other).status_code == 404
    assert client.get(f"/api/v1/catalog-contracts/{cid}/timeline", headers=other).status_code == 404
    assert (
        client.post("/api/v1/catalog-contracts", json=_apply_body(demo, service_id), headers=other).status_code == 404
    )
    buyer = api_token(demo, "buyer@demo.kr")
    assert client.get(f"/api/v1/catalog-contracts/{cid}", headers=buyer).status_code == 403
    for who in ("operator@demo.kr", "admin@demo.kr", "supplier@demo.kr"):
        response = client.post(
            f"/api/v1/catalog-contracts/{cid}/start-review", json={"version": 1}, headers=api_token(demo, who)
        )
        assert response.status_code == 403, who


def test_pages_in_korean(client, demo, people):
    service_id = publish_service(demo, people.supplier)
    page_login(client, "supplier@demo.kr")
    from sqlalchemy import select

    from digitalmarket.catalog.tables import Service

    with demo.reading() as session:
        code = session.scalars(select(Service.code).where(Service.id == service_id)).one()
    service_page = client.get(f"/services/{code}")
    assert "카탈로그 계약 신청" in service_page.text and "디지털서비스몰(카탈로그 계약)" in service_page.text
    form = client.get(f"/supplier/catalog-contracts/new?service={code}")
    assert form.status_code == 200 and "품목" in form.text and "조달청에 신청서 보내기" in form.text
    token = client.cookies.get("dm_csrf")
    standard = plan_ids(demo, service_id)[0]
    data = {
        "csrf_token": token,
        "service": code,
        "period_start": today_kst().isoformat(),
        "period_end": (today_kst() + timedelta(days=300)).isoformat(),
        f"item-{standard}-include": "1",
        f"item-{standard}-product_id": f"{code}-01",
        f"item-{standard}-item": "그룹웨어 Standard",
        f"item-{standard}-unit_price": "13000",
    }
    refused = client.post("/supplier/catalog-contracts/new", data=data)
    assert refused.status_code == 422 and "카탈로그 가격(부가세 제외 12,000원)" in refused.text
    data[f"item-{standard}-unit_price"] = "11,000"
    sent = client.post("/supplier/catalog-contracts/new", data=data, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    page = client.get(sent.headers["location"])
    assert (
        "카탈로그 계약 신청서를 조달청에 보냈습니다." in page.text
        and "조달청의 검토 시작을 기다리고 있습니다." in page.text
    )
    cid = int(sent.headers["location"].split("/")[-1].split("?")[0])
    assert "내 카탈로그 계약" in client.get("/supplier/catalog-contracts").text

    officer = type(client)(client.app)
    page_login(officer, "officer@demo.kr")
    queue = officer.get("/officer/catalog-contracts")
    assert "카탈로그 계약 검토 목록" in queue.text or "카탈로그 계약" in queue.text
    assert f"/officer/catalog-contracts/{cid}" in queue.text
    import re

    opened = officer.get(f"/officer/catalog-contracts/{cid}")
    token = officer.cookies.get("dm_csrf")
    started = officer.post(
        f"/officer/catalog-contracts/{cid}/start-review",
        data={"csrf_token": token, "version": re.search(r'name="version" value="(\d+)"', opened.text).group(1)},
        follow_redirects=False,
    )
    assert started.status_code == 303
    detail = officer.get(started.headers["location"])
    assert "카탈로그 계약 체결" in detail.text and "보완 요청" in detail.text
    version = re.search(r'name="version" value="(\d+)"', detail.text).group(1)
    signed = officer.post(
        f"/officer/catalog-contracts/{cid}/contract",
        data={
            "csrf_token": token,
            "version": version,
            "period_start": today_kst().isoformat(),
            "period_end": (today_kst() + timedelta(days=300)).isoformat(),
            f"item-{standard}-include": "1",
            f"item-{standard}-product_id": f"{code}-01",
            f"item-{standard}-item": "그룹웨어 Standard",
            f"item-{standard}-unit_price": "11000",
        },
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text
    detail = officer.get(signed.headers["location"])
    assert "카탈로그 계약을 체결했습니다. 서비스가 디지털서비스몰에 등록되었습니다." in detail.text  # signed from today
    assert f"CC-{today_kst().year}-" in detail.text
    public = type(client)(client.app).get(f"/services/{code}")
    assert (
        "디지털서비스몰 등록" in public.text and f"CC-{today_kst().year}-" in public.text and "11,000원" in public.text
    )
    # another supplier: 404 on the page
    other = type(client)(client.app)
    page_login(other, "supplier2@demo.kr")
    assert other.get(f"/supplier/catalog-contracts/{cid}").status_code == 404


def test_a_contract_signed_to_start_later_says_when_it_is_listed(client, demo, people):
    """Signed today for a period that starts in two weeks: the officer is told the service is listed from
    then, not that it is in the mall, and the service's public page does not offer it yet."""
    import re

    supplier, officer_token = api_token(demo, "supplier@demo.kr"), api_token(demo, "officer@demo.kr")
    service_id = publish_service(demo, people.supplier)
    start = today_kst() + timedelta(days=14)
    body = {**_apply_body(demo, service_id), "period_start": start.isoformat()}
    created = client.post("/api/v1/catalog-contracts", json=body, headers=supplier).json()
    reviewed = client.post(
        f"/api/v1/catalog-contracts/{created['id']}/start-review",
        json={"version": created["version"]},
        headers=officer_token,
    )
    assert reviewed.status_code == 200, reviewed.text
    officer = type(client)(client.app)
    page_login(officer, "officer@demo.kr")
    opened = officer.get(f"/officer/catalog-contracts/{created['id']}")
    plans = plan_ids(demo, service_id)
    form = {
        "csrf_token": officer.cookies.get("dm_csrf"),
        "version": re.search(r'name="version" value="(\d+)"', opened.text).group(1),
        "period_start": start.isoformat(),
        "period_end": (start + timedelta(days=300)).isoformat(),
        f"item-{plans[0]}-include": "1",
        f"item-{plans[0]}-product_id": "P-01",
        f"item-{plans[0]}-item": "Standard",
        f"item-{plans[0]}-unit_price": "11000",
    }
    signed = officer.post(f"/officer/catalog-contracts/{created['id']}/contract", data=form, follow_redirects=False)
    assert signed.status_code == 303, signed.text
    page = officer.get(signed.headers["location"]).text
    assert "서비스는 계약기간이 시작하는 날부터 디지털서비스몰에 등록됩니다." in page
    assert "서비스가 디지털서비스몰에 등록되었습니다" not in page
    assert f"{start.isoformat()}부터 디지털서비스몰에 등록됩니다." in page
    assert "쇼핑몰 등록" not in page.split("<dl", 1)[1].split("</dl>", 1)[0]  # the state is not "in the mall"
    trade = client.get(f"/api/v1/services/{created['service_code']}/trade").json()
    assert (trade["method"], trade["catalog_contract"]["state"], trade["catalog_contract"]["in_force"]) == (
        "negotiated",
        "contracted",
        False,
    )  # signed, not in force before its first day: an order today is a negotiated contract
