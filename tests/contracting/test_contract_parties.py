"""The contract document of an order as the parties get it: every party detail from the organisations'
profiles (a missing one is asked for, never printed as "-"), each confirmation a signature appended to the
draft both confirmed, which signed by both and sealed is the document of record, with the download and
its SHA-256 matching what the order says."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from pypdf import PdfReader

from digitalmarket.core.clock import today_kst
from digitalmarket.core.files import DocumentStore
from tests.contracting.buying import people_of, plan_ids, publish
from tests.helpers import api_token, csrf_from, page_login


@pytest.fixture
def people(demo):
    return people_of(demo)


@pytest.fixture
def code(demo, people):
    return publish(demo, people.supplier, "가상웍스 그룹웨어")


@pytest.fixture
def headers(demo):
    return {name: api_token(demo, f"{name}@demo.kr") for name in ("buyer", "supplier")}


def order_body(demo, code: str) -> dict:
    return {
        "code": code,
        "start_date": today_kst().isoformat(),
        "lines": [{"price_plan_id": plan_ids(demo, code)[0], "quantity": 10, "months": 12, "unit_price": 10000}],
    }


def text_of(pdf: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def document(client, headers, order_id: int) -> bytes:
    response = client.get(f"/api/v1/orders/{order_id}/document", headers=headers)
    assert response.status_code == 200, response.text
    return response.content


def read(client, headers, order_id: int) -> dict:
    answer = client.get(f"/api/v1/orders/{order_id}", headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_the_document_prints_both_parties_from_their_profiles(demo, client, code, headers):
    made = client.post("/api/v1/orders", json=order_body(demo, code), headers=headers["buyer"])
    assert made.status_code == 201, made.text
    text = text_of(document(client, headers["buyer"], made.json()["id"]))
    parties = text[text.index("계약 당사자") : text.index("계약 개요")]
    # the demo's profiles: 미래행정부 (head 장미래) and (주)가상소프트 (representative 김가상)
    assert "대표자 장미래 김가상" in parties
    assert "세종특별자치시 가상로 100 정부가상청사" in parties
    assert "서울특별시 가상구 테헤란가상로 123, 15층" in parties
    assert "1741000" in parties and "120-81-47521" in parties
    assert " - " not in parties


def test_a_missing_detail_is_asked_for_and_nothing_is_made(demo, client, code, headers):
    profile = client.get("/api/v1/supplier/profile", headers=headers["supplier"]).json()
    cleared = client.put(
        "/api/v1/supplier/profile",
        json={
            "version": profile["version"],
            "name": profile["name"],
            "representative": profile["representative"],
            "size": profile["size"],
            "address": "",
        },
        headers=headers["supplier"],
    )
    assert cleared.status_code == 200 and cleared.json()["address"] is None

    refused = client.post("/api/v1/orders", json=order_body(demo, code), headers=headers["buyer"])
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "contract_parties_incomplete"
    assert set(error["fields"]) == {"supplier"}
    assert "(주)가상소프트" in error["fields"]["supplier"] and "주소" in error["fields"]["supplier"]
    assert "/supplier/profile" in error["fields"]["supplier"]
    assert client.get("/api/v1/orders", headers=headers["buyer"]).json()["items"] == []

    refused_en = client.post(
        "/api/v1/orders", json=order_body(demo, code), headers=headers["buyer"] | {"Accept-Language": "en"}
    )
    assert "Address" in refused_en.json()["error"]["fields"]["supplier"]

    # the supplier's profile page says what contract documents still need
    page_login(client, "supplier@demo.kr")
    assert "주소" in client.get("/supplier/profile").text.split("계약서", 1)[1][:200]

    profile = client.get("/api/v1/supplier/profile", headers=headers["supplier"]).json()
    filled = dict(
        version=profile["version"],
        name=profile["name"],
        representative=profile["representative"],
        size=profile["size"],
        address="서울특별시 가상구 새가상로 9",
    )
    assert client.put("/api/v1/supplier/profile", json=filled, headers=headers["supplier"]).status_code == 200
    made = client.post("/api/v1/orders", json=order_body(demo, code), headers=headers["buyer"])
    assert made.status_code == 201, made.text
    assert "서울특별시 가상구 새가상로 9" in text_of(document(client, headers["buyer"], made.json()["id"]))


def test_an_agency_without_its_head_and_address_fills_them_on_its_page(demo, client, code, headers):
    with demo.transaction() as session:  # an agency registered before its details were asked for
        from digitalmarket.accounts.tables import Organisation

        agency = session.query(Organisation).filter_by(agency_code="1741000").one()
        agency.representative = agency.address = None

    page_login(client, "buyer@demo.kr")
    form = client.get("/agency/orders/new", params={"code": code})
    assert form.status_code == 200
    plan = plan_ids(demo, code)[0]
    refused = client.post(
        "/agency/orders/new",
        data={
            "csrf_token": csrf_from(client, f"/agency/orders/new?code={code}"),
            "code": code,
            "start_date": today_kst().isoformat(),
            "p0-plan": str(plan),
            "p0-quantity": "10",
            "p0-months": "12",
            "p0-unit_price": "10000",
        },
    )
    assert refused.status_code == 409
    assert "미래행정부" in refused.text and "대표자, 주소" in refused.text and "/agency/profile" in refused.text

    page = client.get("/agency/profile")
    assert "대표자, 주소" in page.text  # the page names what is missing
    saved = client.post(
        "/agency/profile",
        data={
            "csrf_token": csrf_from(client, "/agency/profile"),
            "version": re.search(r'name="version" value="(\d+)"', page.text).group(1),
            "representative": "장미래",
            "address": "세종특별자치시 가상로 200",
            "contact_phone": "044-000-0000",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert "대표자, 주소" not in client.get("/agency/profile").text
    made = client.post("/api/v1/orders", json=order_body(demo, code), headers=headers["buyer"])
    assert made.status_code == 201, made.text
    assert "세종특별자치시 가상로 200" in text_of(document(client, headers["buyer"], made.json()["id"]))


def test_agency_details_need_a_head_and_an_address(demo, client, headers):
    profile = client.get("/api/v1/agency/profile", headers=headers["buyer"]).json()
    empty = {"version": profile["version"], "representative": " ", "address": ""}
    refused = client.put("/api/v1/agency/profile", json=empty, headers=headers["buyer"])
    assert refused.status_code == 422
    assert set(refused.json()["error"]["fields"]) == {"representative", "address"}
    assert client.get("/api/v1/agency/profile", headers=headers["buyer"]).json() == profile
    assert client.put("/api/v1/agency/profile", json=empty, headers=headers["supplier"]).status_code == 403


def test_each_confirmation_signs_the_draft_and_the_signed_draft_is_the_document_of_record(
    demo, client, code, headers, settings
):
    made = client.post("/api/v1/orders", json=order_body(demo, code), headers=headers["buyer"]).json()
    order_id = made["id"]
    draft = document(client, headers["supplier"], order_id)
    draft_sha = read(client, headers["supplier"], order_id)["versions"][0]["document_sha256"]
    assert hashlib.sha256(draft).hexdigest() == draft_sha
    text = text_of(draft)
    assert "전자적으로 확인함" not in text and "확인 전" not in text
    assert "각각 전자서명하여 확인한다" in text and "작성일자" in text

    confirm = f"/api/v1/orders/{order_id}/confirm"
    first = client.post(confirm, json={"version": made["version"]}, headers=headers["supplier"])
    assert first.status_code == 200, first.text
    assert first.json()["versions"][0]["document_sha256"] == draft_sha  # both confirm the same draft

    second = client.post(confirm, json={"version": first.json()["version"]}, headers=headers["buyer"])
    assert second.status_code == 200, second.text
    # the document of record is signed after the second confirmation's commit, before the next request
    assert second.json()["versions"][0]["document_status"] == "preparing"
    final = document(client, headers["buyer"], order_id)
    record = read(client, headers["buyer"], order_id)["versions"][0]
    assert hashlib.sha256(final).hexdigest() == record["document_sha256"]
    assert final.startswith(draft)  # the draft both confirmed, with the signatures appended
    signatures = PdfReader(io.BytesIO(final)).get_fields()
    assert {"Supplier", "Agency", "PlatformTimestamp"} <= set(signatures)
    assert signatures["Supplier"]["/V"]["/Name"] == "김가상" and signatures["Agency"]["/V"]["/Name"] == "정수요"
    assert DocumentStore.of(settings).path_of(draft_sha).read_bytes() == draft

    page_login(client, "buyer@demo.kr")
    page = client.get(f"/orders/{order_id}/documents/0")
    assert page.status_code == 200 and page.content == final


def test_the_payment_clause_counts_five_working_days_from_a_valid_claim_after_inspection(demo, client, code, headers):
    made = client.post("/api/v1/orders", json=order_body(demo, code), headers=headers["buyer"])
    text = text_of(document(client, headers["buyer"], made.json()["id"]))
    start = text.index("제2조 (대금 지급)")
    clause = text[start : text.index("제3조 (", start)]
    assert "검수를 마친 뒤 적법한 대금청구를 받으면" in clause
    assert "그 청구를 받은 다음 날부터 세어 5근무일(토요일, 일요일 및 공휴일은 세지 아니한다) 이내" in clause
    assert "시행령 제58조" in clause


def test_an_administrator_may_register_an_agency_with_its_head_and_address(demo, client):
    body = {"agency_code": "1990000", "name": "가상기획부", "agency_kind": "central"}
    admin = api_token(demo, "admin@demo.kr")
    made = client.post(
        "/api/v1/admin/agencies", json=body | {"representative": "기획장", "address": "세종 가상로 3"}, headers=admin
    )
    assert made.status_code == 201, made.text
    assert (made.json()["representative"], made.json()["address"]) == ("기획장", "세종 가상로 3")
    page_login(client, "admin@demo.kr")
    page = client.get(f"/organisations/{made.json()['id']}")
    assert "기획장" in page.text and "세종 가상로 3" in page.text
    assert 'name="address"' in client.get("/organisations").text
