"""Suggestions on the workspace pages, each with its reason: services similar to those an agency uses and
popular with agencies of the same kind; demand notices matching a supplier's services."""

from __future__ import annotations

from sqlalchemy import select

from digitalmarket.accounts import registration, user_accounts
from digitalmarket.accounts.tables import Organisation
from digitalmarket.catalog import workflow as catalog
from digitalmarket.catalog.tables import Category
from digitalmarket.core.files import DocumentStore
from digitalmarket.demo import DEMO_PASSWORD
from digitalmarket.web import recommendations
from tests.contracting.buying import confirm, negotiated, people_of
from tests.helpers import api_token, page_login
from tests.selection.journey import actor, complete_content


def categories(db) -> list[int]:
    with db.reading() as session:
        return list(session.scalars(select(Category.id).where(Category.type == "SaaS").order_by(Category.id)))


def publish(db, supplier, name: str, category_id: int, keywords: list[str]) -> str:
    content = complete_content(db, "SaaS", name)
    content["category_id"] = category_id
    content["keywords"] = keywords
    with db.transaction() as session:
        return catalog.publish(
            session, actor_user_id=None, supplier_id=supplier.organisation_id, content=content, origin="test"
        ).code


def central_agency_buyer(db, number: int):
    """Another central government agency (중앙행정기관) with one buyer."""
    with db.transaction() as session:
        agency = registration.create_agency(
            session,
            None,
            registration.NewAgency(
                f"17{number:05d}",
                f"가상부처{number}",
                "central",
                "044-000-0000",
                representative=f"장관{number}",
                address="세종특별자치시 가상로 100",
            ),
        )
        email = f"buyer-central-{number}@demo.kr"
        user_accounts.create_user(
            session,
            None,
            user_accounts.NewUser(email, f"구매{number}", "agency_buyer", agency.id, DEMO_PASSWORD),
        )
    return actor(db, email)


def uses(db, buyer, supplier, code: str, store) -> None:
    order_id = negotiated(db, buyer, code)
    confirm(db, buyer, order_id)
    confirm(db, supplier, order_id)


def test_an_agency_is_offered_similar_and_popular_services_with_the_reasons(demo, tmp_path, client):
    people = people_of(demo)
    store = DocumentStore(tmp_path / "docs")
    groupware, other = categories(demo)[:2]
    used = publish(demo, people.supplier, "가상 그룹웨어", groupware, ["그룹웨어", "협업", "메일"])
    similar = publish(demo, people.supplier2, "나래 협업도구", groupware, ["협업", "메일", "화상"])
    same_category = publish(demo, people.supplier2, "나래 게시판", groupware, ["게시판"])
    popular = publish(demo, people.supplier2, "나래 전자결재", other, ["전자결재"])
    local_only = publish(demo, people.supplier, "가상 민원", other, ["민원"])
    uses(demo, people.buyer, people.supplier, used, store)
    for number in (1, 2):
        uses(demo, central_agency_buyer(demo, number), people.supplier2, popular, store)
    uses(demo, people.buyer2, people.supplier, local_only, store)  # a local government: another kind

    with demo.reading() as session:
        found = recommendations.for_agency(session, people.buyer.organisation_id)
        by_code = {s.service.code: [r.render("ko") for r in s.reasons] for s in found}

    assert used not in by_code and local_only not in by_code
    assert found[0].service.code == similar
    assert by_code[similar] == ["이용 중인 가상 그룹웨어와 비슷함: 메일, 협업"]
    assert by_code[popular] == ["같은 유형의 기관 2곳이 이용 중"]
    assert by_code[same_category] == ["이용 중인 가상 그룹웨어와 같은 분류"]

    page_login(client, "buyer@demo.kr")
    home = client.get("/agency")
    assert "기관에 맞는 추천 서비스" in home.text
    assert f'href="/services/{popular}"' in home.text and "같은 유형의 기관 2곳이 이용 중" in home.text
    answer = client.get("/api/v1/me/recommendations", headers=api_token(demo, "buyer@demo.kr")).json()["items"]
    assert [(i["code"], i["reasons"]) for i in answer] == [(code, reasons) for code, reasons in by_code.items()]
    assert answer[0]["kind"] == "service" and answer[0]["url"] == f"/services/{similar}"
    english = client.get(
        "/api/v1/me/recommendations", headers=api_token(demo, "buyer@demo.kr") | {"Accept-Language": "en"}
    ).json()["items"]
    assert "2 agencies of the same kind" in " ".join(r for i in english for r in i["reasons"])


def test_an_agency_that_uses_nothing_yet_is_pointed_to_the_catalog(demo, client):
    with demo.reading() as session:
        agency = session.scalars(select(Organisation).where(Organisation.name == "한빛시교육청")).one()
        assert recommendations.for_agency(session, agency.id) == []
    page_login(client, "buyer2@demo.kr")
    assert "서비스를 검색해 보세요" in client.get("/agency").text


def test_a_supplier_sees_the_demand_notices_matching_its_services(demo, client):
    from digitalmarket.community import notice_posting

    people = people_of(demo)
    groupware, other = categories(demo)[:2]
    publish(demo, people.supplier, "가상 그룹웨어", groupware, ["그룹웨어"])
    with demo.transaction() as session:
        for title, category in (("전 직원 협업도구 도입", groupware), ("민원 상담 챗봇", other)):
            notice_posting.post_notice(
                session,
                people.buyer,
                notice_posting.NoticeIn(title, "2027년 상반기 도입 예정", category, 10_000_000, 50_000_000, "2027-03"),
            )
    page_login(client, "supplier@demo.kr")
    home = client.get("/supplier")
    assert "내 서비스에 맞는 수요예보" in home.text
    assert "전 직원 협업도구 도입" in home.text and "민원 상담 챗봇" not in home.text
    assert "같은 분류의 내 서비스 가상 그룹웨어와 맞는 수요" in home.text
    assert "예산 10,000,000~50,000,000원" in home.text
    answer = client.get("/api/v1/me/recommendations", headers=api_token(demo, "supplier@demo.kr")).json()["items"]
    assert [(i["kind"], i["name"]) for i in answer] == [("demand_notice", "전 직원 협업도구 도입")]
    assert answer[0]["reasons"] == ["같은 분류의 내 서비스 가상 그룹웨어와 맞는 수요"]
