"""Selection through the pages: who may open what, and bad uploads refused next to the field."""

import re

import pytest
from sqlalchemy import func, select

from digitalmarket.catalog.tables import Service
from digitalmarket.selection.tables import Application, ApplicationDocument, CommitteeRound
from tests.helpers import csrf_from, page_login


@pytest.fixture
def work(demo_work):
    demo = demo_work
    with demo.reading() as session:
        by_name = {a.name: a for a in session.scalars(select(Application))}
        ordered = session.scalars(select(CommitteeRound).order_by(CommitteeRound.number)).all()
        rounds = {1: ordered[-2], 2: ordered[-1]}  # the demo's last decided round and its open round
    return by_name, rounds


def test_a_supplier_sees_its_own_applications_only(client, demo, work):
    applications, _ = work
    own = applications["가상 보안관제 서비스"]  # 가상소프트, in a supplement loop
    other = applications["나래 이러닝 플랫폼"]  # 클라우드나래
    page_login(client, "supplier@demo.kr")
    listing = client.get("/supplier/applications")
    assert "가상 보안관제 서비스" in listing.text and "나래 이러닝 플랫폼" not in listing.text
    assert client.get(f"/supplier/applications/{own.id}").status_code == 200
    assert client.get(f"/supplier/applications/{other.id}").status_code == 404
    assert client.get(f"/supplier/applications/{other.id}/steps/1").status_code == 404
    document = other.documents[0]
    assert client.get(f"/applications/{other.id}/documents/{document.id}").status_code == 404
    mine = own.documents[0]
    download = client.get(f"/applications/{own.id}/documents/{mine.id}")
    assert download.status_code == 200 and download.content.startswith(b"%PDF")


def test_operator_pages_refuse_everyone_else(client, demo, work):
    applications, rounds = work
    target = applications["나래 이러닝 플랫폼"]
    anonymous = client.get("/operator/applications", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    for email in ("supplier@demo.kr", "buyer@demo.kr", "reviewer@demo.kr", "officer@demo.kr"):
        page_login(client, email)
        assert client.get("/operator/applications").status_code == 403
        assert client.get(f"/operator/applications/{target.id}").status_code == 403
        assert client.get(f"/operator/rounds/{rounds[2].id}").status_code == 403
    page_login(client, "operator@demo.kr")
    queue = client.get("/operator/applications")
    assert queue.status_code == 200 and "나래 이러닝 플랫폼" in queue.text
    assert client.get(f"/operator/applications/{target.id}").status_code == 200


def test_a_reviewer_with_a_relation_sees_nothing_of_that_application(client, demo, work):
    applications, rounds = work
    excluded = applications["가상 클라우드 운영관리"]  # reviewer3 declared a relation in round 2
    page_login(client, "reviewer3@demo.kr")
    assert client.get(f"/reviewer/rounds/{rounds[2].id}").status_code == 200
    assert client.get(f"/reviewer/rounds/{rounds[2].id}/applications/{excluded.id}").status_code == 404
    document = excluded.documents[0]
    assert client.get(f"/applications/{excluded.id}/documents/{document.id}?round={rounds[2].id}").status_code == 404
    page_login(client, "reviewer@demo.kr")
    voted = applications["나래 공간정보 지도"]
    assert client.get(f"/reviewer/rounds/{rounds[2].id}/applications/{voted.id}").status_code == 200
    ok = client.get(f"/applications/{voted.id}/documents/{voted.documents[0].id}?round={rounds[2].id}")
    assert ok.status_code == 200


def test_the_public_sees_published_services_only(client, demo, work):
    pages = [client.get("/services", params={"per_page": 100, "page": n}) for n in (1, 2)]
    assert [page.status_code for page in pages] == [200, 200]
    text = pages[0].text + pages[1].text
    with demo.reading() as session:
        codes = session.scalars(select(Service.code).where(Service.status == "published")).all()
    assert len(codes) <= 200 and [code for code in codes if code not in text] == []
    assert "가상 민원 분석 BI" not in text  # a draft
    page = client.get(f"/services/{codes[0]}")
    assert page.status_code == 200 and "원" in page.text
    assert client.get("/services/SAS-2026-99999").status_code == 404


def test_a_fake_pdf_uploaded_on_the_page_is_refused_next_to_the_field(client, demo, work):
    applications, _ = work
    draft = applications["가상 민원 분석 BI"]
    page_login(client, "supplier@demo.kr")
    token = csrf_from(client, f"/supplier/applications/{draft.id}/steps/4")
    with demo.reading() as session:
        before = session.scalar(select(func.count()).select_from(ApplicationDocument))
    response = client.post(
        f"/supplier/applications/{draft.id}/documents",
        data={"csrf_token": token, "kind": "sla"},
        files={"file": ("sla.pdf", b"not really a pdf", "application/pdf")},
    )
    assert response.status_code == 422
    assert re.search(r'aria-invalid="true"', response.text)
    assert "PDF" in response.text
    with demo.reading() as session:
        assert session.scalar(select(func.count()).select_from(ApplicationDocument)) == before


def test_a_closed_round_shows_its_recorded_decisions(client, demo, work):
    _, rounds = work
    page_login(client, "operator@demo.kr")
    page = client.get(f"/operator/rounds/{rounds[1].id}")
    assert page.status_code == 200
    assert "개인정보 비식별 처리 방안이 없습니다." in page.text  # the reason of the rejection
    assert "close" not in re.findall(r'action="([^"]+)"', page.text)[-1]  # no close button any more


def test_the_operator_suspends_and_republishes_a_service_with_a_reason(client, demo, work):
    with demo.reading() as session:
        code = session.scalars(select(Service.code).order_by(Service.id)).first()
    page_login(client, "supplier@demo.kr")
    assert (
        client.post(
            f"/services/{code}/status",
            data={
                "csrf_token": csrf_from(client, f"/services/{code}"),
                "action": "suspend",
                "reason": "x",
                "version": 1,
            },
        ).status_code
        == 403
    )
    page_login(client, "operator@demo.kr")
    token = csrf_from(client, f"/services/{code}")
    missing = client.post(f"/services/{code}/status", data={"csrf_token": token, "action": "suspend", "version": 1})
    assert missing.status_code == 422 and 'id="field-reason"' in missing.text
    done = client.post(
        f"/services/{code}/status",
        follow_redirects=False,
        data={"csrf_token": token, "action": "suspend", "version": 1, "reason": "CSAP 인증 만료"},
    )
    assert done.status_code == 303
    public = client.__class__(client.app).get(f"/services/{code}")
    assert "CSAP 인증 만료" in public.text
    assert code not in _listed_codes(client)
    again = client.post(
        f"/services/{code}/status",
        follow_redirects=False,
        data={"csrf_token": token, "action": "republish", "version": 2, "reason": "인증 갱신"},
    )
    assert again.status_code == 303
    assert code in _listed_codes(client)


def _listed_codes(client) -> set[str]:
    """Every code the public catalog lists, page by page."""
    codes: set[str] = set()
    page = 1
    while True:
        listing = client.get("/api/v1/services", params={"per_page": 100, "page": page}).json()
        codes |= {item["code"] for item in listing["items"]}
        if page >= listing["pages"]:
            return codes
        page += 1


def test_the_catalog_page_searches_in_korean(client, demo, work):
    page = client.get("/services", params={"q": "화상 회의를"})
    assert page.status_code == 200
    names = re.findall(r'<a href="/services/[A-Z]{3}-\d{4}-\d{5}">([^<]+)</a>', page.text)
    assert names and "화상회의" in names[0].replace(" ", "")
    nothing = client.get("/services", params={"q": "우주정거장 도킹"})
    assert "우주정거장 도킹" in nothing.text and not re.findall(r'href="/services/[A-Z]{3}-', nothing.text)
