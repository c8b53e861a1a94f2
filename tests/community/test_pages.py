"""Demand notices on the web and the API: public list and notice, the agency's form and its refusals,
who sees the interest notes, permissions."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from digitalmarket.community.tables import DemandNotice
from tests.community.demand import LAST_MONTH, NEXT_MONTH, post, publish_in, saas_categories
from tests.contracting.buying import people_of
from tests.helpers import api_token, csrf_from, page_login


@pytest.fixture
def world(demo):
    people = people_of(demo)
    first, second = saas_categories(demo)[:2]
    publish_in(demo, people.supplier, first.id, "가상 그룹웨어")
    publish_in(demo, people.supplier2, second.id, "나래 전자결재")
    return people, first, second


def signed_in(app, email: str) -> TestClient:
    client = TestClient(app)
    page_login(client, email)
    return client


def test_an_agency_posts_a_notice_from_the_page_and_anyone_can_read_it(app, client, demo, world):
    p, first, second = world
    buyer = signed_in(app, "buyer@demo.kr")
    form = buyer.get("/agency/demand-notices/new")
    assert form.status_code == 200 and "<h1" in form.text and 'for="field-budget_min"' in form.text
    response = buyer.post(
        "/agency/demand-notices/new",
        data={
            "csrf_token": csrf_from(buyer, "/agency/demand-notices/new"),
            "title": "민원 상담 챗봇 도입",
            "description": "24시간 민원 상담, 기존 콜센터 연계",
            "category_id": str(first.id),
            "budget_min": "20,000,000",
            "budget_max": "50,000,000",
            "expected_month": NEXT_MONTH,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = buyer.get(response.headers["location"])
    assert "수요예보를 등록했습니다" in page.text
    assert "20,000,000 ~ 50,000,000원" in page.text and "관심 표명 공급기업" in page.text

    listing = client.get("/demand-notices")  # anonymous
    assert listing.status_code == 200 and "민원 상담 챗봇 도입" in listing.text and "미래행정부" in listing.text
    assert "민원 상담 챗봇 도입" not in client.get(f"/demand-notices?category={second.id}").text
    assert "민원 상담 챗봇 도입" in client.get(f"/demand-notices?category={first.id}").text
    notice_path = re.search(r'href="(/demand-notices/\d+)"', listing.text).group(1)
    public = client.get(notice_path)
    assert public.status_code == 200 and "24시간 민원 상담" in public.text
    assert "관심 표명 공급기업" not in public.text  # only the agency sees who is interested
    assert client.get("/api/v1/demand-notices").json()["items"][0]["title"] == "민원 상담 챗봇 도입"
    with demo.reading() as session:
        assert session.scalar(select(func.count()).select_from(DemandNotice)) == 1


def test_bad_input_on_the_page_is_shown_next_to_each_field_and_nothing_is_written(app, demo, world):
    p, first, _ = world
    buyer = signed_in(app, "buyer@demo.kr")
    response = buyer.post(
        "/agency/demand-notices/new",
        data={
            "csrf_token": csrf_from(buyer, "/agency/demand-notices/new"),
            "title": "예산이 거꾸로 된 예보",
            "description": "설명",
            "category_id": str(first.id),
            "budget_min": "90,000,000",
            "budget_max": "10,000,000",
            "expected_month": LAST_MONTH,
        },
    )
    assert response.status_code == 422
    assert (
        'id="field-budget_max-error"' in response.text and "최대 예산은 최소 예산보다 작을 수 없습니다" in response.text
    )
    assert 'id="field-expected_month-error"' in response.text and "지난 달일 수 없습니다" in response.text
    assert "dm-error-summary" in response.text and 'value="예산이 거꾸로 된 예보"' in response.text
    with demo.reading() as session:
        assert session.scalar(select(func.count()).select_from(DemandNotice)) == 0


def test_interest_notes_are_seen_by_the_posting_agency_and_the_writer_only(app, client, demo, world):
    p, first, _ = world
    notice_id = post(demo, p.buyer, first.id)
    supplier = signed_in(app, "supplier@demo.kr")
    page = supplier.get(f"/demand-notices/{notice_id}")
    assert "관심 표명하기" in page.text
    sent = supplier.post(
        f"/demand-notices/{notice_id}/interest",
        data={"csrf_token": csrf_from(supplier, f"/demand-notices/{notice_id}"), "note": "레퍼런스 12곳, 담당 김가상"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    own = supplier.get(sent.headers["location"])
    assert "관심 표명을 수요기관에 보냈습니다" in own.text and "레퍼런스 12곳" in own.text
    assert "수요예보" in supplier.get("/supplier/demand-notices").text

    agency = signed_in(app, "buyer@demo.kr").get(f"/demand-notices/{notice_id}")
    assert "(주)가상소프트" in agency.text and "중소기업" in agency.text and "가상 그룹웨어" in agency.text
    assert "레퍼런스 12곳" in agency.text
    for other in ("buyer2@demo.kr", "supplier2@demo.kr"):
        assert "레퍼런스 12곳" not in signed_in(app, other).get(f"/demand-notices/{notice_id}").text, other
    assert "레퍼런스 12곳" not in client.get(f"/demand-notices/{notice_id}").text

    url = f"/api/v1/demand-notices/{notice_id}/interests"
    assert [i["note"] for i in client.get(url, headers=api_token(demo, "buyer@demo.kr")).json()["items"]] == [
        "레퍼런스 12곳, 담당 김가상"
    ]
    assert client.get(url, headers=api_token(demo, "buyer2@demo.kr")).status_code == 404
    assert client.get(url, headers=api_token(demo, "supplier2@demo.kr")).json()["items"] == []
    assert client.get(url).status_code == 401
    again = client.post(
        f"/api/v1/demand-notices/{notice_id}/interest",
        json={"note": "두 번째"},
        headers=api_token(demo, "supplier@demo.kr"),
    )
    assert again.status_code == 409


def test_another_agency_cannot_edit_or_close_a_notice(app, client, demo, world):
    p, first, _ = world
    notice_id = post(demo, p.buyer, first.id)
    other = signed_in(app, "buyer2@demo.kr")
    assert other.get(f"/agency/demand-notices/{notice_id}/edit").status_code == 404
    token = csrf_from(other, "/agency/demand-notices")
    closing = other.post(f"/agency/demand-notices/{notice_id}/close", data={"csrf_token": token, "version": "1"})
    assert closing.status_code == 404
    headers = api_token(demo, "buyer2@demo.kr")
    body = {
        "title": "가로채기",
        "description": "x",
        "category_id": first.id,
        "budget_min": 1,
        "budget_max": 2,
        "expected_month": NEXT_MONTH,
        "version": 1,
    }
    assert client.put(f"/api/v1/demand-notices/{notice_id}", json=body, headers=headers).status_code == 404
    supplier = api_token(demo, "supplier@demo.kr")
    assert client.post("/api/v1/demand-notices", json=body, headers=supplier).status_code == 403
    assert client.post("/api/v1/demand-notices", json=body).status_code == 401
    with demo.reading() as session:
        assert session.get(DemandNotice, notice_id).status == "open"


def test_the_agency_edits_and_closes_its_notice_over_the_api(client, demo, world):
    p, first, _ = world
    headers = api_token(demo, "buyer@demo.kr")
    body = {
        "title": "데이터 분석 플랫폼",
        "description": "통계 대시보드",
        "category_id": first.id,
        "budget_min": 10_000_000,
        "budget_max": 5_000_000,
        "expected_month": NEXT_MONTH,
    }
    refused = client.post("/api/v1/demand-notices", json=body, headers=headers)
    assert refused.status_code == 422 and "budget_max" in refused.json()["error"]["fields"]
    created = client.post("/api/v1/demand-notices", json={**body, "budget_max": 20_000_000}, headers=headers).json()
    edited = client.put(
        f"/api/v1/demand-notices/{created['id']}",
        json={**body, "budget_max": 30_000_000, "version": created["version"]},
        headers=headers,
    )
    assert edited.status_code == 200 and edited.json()["budget_max"] == 30_000_000
    stale = client.post(
        f"/api/v1/demand-notices/{created['id']}/close", json={"version": created["version"]}, headers=headers
    )
    assert stale.status_code == 409
    closed = client.post(
        f"/api/v1/demand-notices/{created['id']}/close",
        json={"version": edited.json()["version"], "reason": "계약 완료"},
        headers=headers,
    )
    assert closed.json()["state"] == "closed"
    assert client.get("/api/v1/demand-notices").json()["items"] == []
    assert client.get("/api/v1/demand-notices?state=closed").json()["items"][0]["close_reason"] == "계약 완료"
