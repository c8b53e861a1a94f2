"""Demand notices through the workflows, on SQLite and PostgreSQL: who hears of a notice, who sees the
interest, what is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from digitalmarket.community import notice_interests, notice_posting, notice_queries
from digitalmarket.community.tables import DemandInterest, DemandNotice
from digitalmarket.core.audit import AuditEvent, verify_chain
from digitalmarket.core.errors import Conflict, NotFound, ValidationFailed
from tests.community.demand import LAST_MONTH, NEXT_MONTH, need, notice, notified, post, publish_in, saas_categories
from tests.contracting.buying import people_of


@pytest.fixture
def world(demo):
    """Supplier 1 sells in the first SaaS category, supplier 2 in the second, supplier 3 nothing."""
    people = people_of(demo)
    first, second = saas_categories(demo)[:2]
    publish_in(demo, people.supplier, first.id, "가상 그룹웨어")
    publish_in(demo, people.supplier2, second.id, "나래 전자결재")
    return people, first.id, second.id


def test_a_notice_reaches_the_suppliers_with_services_in_its_category_and_only_them(demo, world):
    p, first, _ = world
    notice_id = post(demo, p.buyer, first)

    told = notified(demo, p.supplier.user_id)
    assert [n.link for n in told] == [f"/demand-notices/{notice_id}"]
    assert "미래행정부" in told[0].text.render("ko") and "클라우드 그룹웨어" in told[0].text.render("ko")
    assert notified(demo, p.supplier2.user_id) == []
    assert notified(demo, p.supplier3.user_id) == []
    assert notified(demo, p.buyer.user_id) == []
    found = notice(demo, notice_id)
    assert found.code.startswith("DN-") and found.status == "open" and found.expected_month == NEXT_MONTH
    with demo.reading() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "demand_notice.posted")).one()
        assert event.details["suppliers_notified"] == [p.supplier.organisation_id]
        assert verify_chain(session).ok


def test_the_agency_sees_who_is_interested_and_nobody_else_does(demo, world):
    p, first, _ = world
    notice_id = post(demo, p.buyer, first)
    with demo.transaction() as session:
        notice_interests.express_interest(session, p.supplier, notice_id, "GPKI 연동 경험이 있습니다. 담당: 김가상")
    with demo.transaction() as session:
        notice_interests.express_interest(session, p.supplier3, notice_id, "맞춤 구축 가능합니다.")

    with demo.reading() as session:
        rows = notice_queries.interested_suppliers(session, p.buyer, notice_id)
        seen = {r.interest.supplier.name: r for r in rows}
        assert set(seen) == {"(주)가상소프트", "한빛데이터(주)"}
        assert seen["(주)가상소프트"].interest.supplier.size == "sme"
        assert [s.name for s in seen["(주)가상소프트"].services] == ["가상 그룹웨어"]
        assert seen["한빛데이터(주)"].services == []  # no published service in the category
        assert seen["(주)가상소프트"].interest.note.startswith("GPKI")
        with pytest.raises(NotFound):
            notice_queries.interested_suppliers(session, p.buyer2, notice_id)  # another agency
        with pytest.raises(NotFound):
            notice_queries.interested_suppliers(session, p.supplier, notice_id)
        found = session.get(DemandNotice, notice_id)
        assert notice_queries.interest_of(session, p.supplier2, found) is None  # a competitor sees nothing
        assert notice_queries.interest_of(session, p.supplier, found).note.startswith("GPKI")
    told = notified(demo, p.buyer.user_id)
    assert len(told) == 2 and all(n.link == f"/demand-notices/{notice_id}" for n in told)


def test_one_interest_per_supplier_that_can_be_edited_and_withdrawn(demo, world):
    p, first, _ = world
    notice_id = post(demo, p.buyer, first)
    with demo.transaction() as session:
        interest = notice_interests.express_interest(session, p.supplier, notice_id, "관심 있습니다.")
        version = interest.version
    with demo.transaction() as session, pytest.raises(Conflict):
        notice_interests.express_interest(session, p.supplier, notice_id, "한 번 더")
    with demo.transaction() as session:
        version = notice_interests.edit_interest(session, p.supplier, notice_id, version, "레퍼런스 3건 보유").version
    with demo.transaction() as session, pytest.raises(Conflict):
        notice_interests.edit_interest(session, p.supplier, notice_id, version - 1, "오래된 화면에서")
    with demo.transaction() as session:
        version = notice_interests.withdraw_interest(session, p.supplier, notice_id, version).version
    with demo.reading() as session:
        assert notice_queries.interested_suppliers(session, p.buyer, notice_id) == []
    with demo.transaction() as session, pytest.raises(Conflict):
        notice_interests.edit_interest(session, p.supplier, notice_id, version, "철회 뒤에는 수정할 수 없음")
    with demo.transaction() as session:
        notice_interests.express_interest(session, p.supplier, notice_id, "다시 관심 있습니다.")
    with demo.reading() as session:
        assert session.scalar(select(func.count()).select_from(DemandInterest)) == 1
        assert [r.interest.note for r in notice_queries.interested_suppliers(session, p.buyer, notice_id)] == [
            "다시 관심 있습니다."
        ]


def test_bad_input_is_refused_field_by_field_and_nothing_is_written(demo, world):
    p, first, _ = world
    cases = {
        "budget_max": need(first, budget_min=50_000_000, budget_max=10_000_000),
        "expected_month": need(first, expected_month=LAST_MONTH),
        "category_id": need(None),
        "title": need(first, title="  "),
    }
    for field, data in cases.items():
        with demo.transaction() as session, pytest.raises(ValidationFailed) as caught:
            notice_posting.post_notice(session, p.buyer, data)
        assert field in caught.value.fields, field
    with demo.transaction() as session, pytest.raises(ValidationFailed) as caught:
        notice_posting.post_notice(
            session, p.buyer, need(first, budget_min=-1, budget_max=None, expected_month="2027-13")
        )
    assert set(caught.value.fields) == {"budget_min", "budget_max", "expected_month"}
    assert caught.value.fields["expected_month"].render("ko") == "2027-03처럼 연월을 입력하세요."
    with demo.reading() as session:
        assert session.scalar(select(func.count()).select_from(DemandNotice)) == 0
    assert notified(demo, p.supplier.user_id) == []


def test_only_the_posting_agency_edits_or_closes_and_a_closed_notice_takes_no_more_interest(demo, world):
    p, first, second = world
    notice_id = post(demo, p.buyer, first)
    version = notice(demo, notice_id).version
    with demo.transaction() as session, pytest.raises(NotFound):
        notice_posting.edit_notice(session, p.buyer2, notice_id, version, need(first, title="가로채기"))
    with demo.transaction() as session, pytest.raises(NotFound):
        notice_posting.close_notice(session, p.buyer2, notice_id, version)
    with demo.transaction() as session:
        notice_interests.express_interest(session, p.supplier, notice_id, "관심 있습니다.")

    with demo.transaction() as session:  # moved to the second category: its supplier hears of it now
        version = notice_posting.edit_notice(
            session, p.buyer, notice_id, version, need(second, budget_max=80_000_000)
        ).version
    assert [n.link for n in notified(demo, p.supplier2.user_id)] == [f"/demand-notices/{notice_id}"]
    assert len(notified(demo, p.supplier.user_id)) == 2  # the notice, then its change
    with demo.transaction() as session, pytest.raises(Conflict):
        notice_posting.close_notice(session, p.buyer, notice_id, version - 1)
    with demo.transaction() as session:
        notice_posting.close_notice(session, p.buyer, notice_id, version, "계약 완료")
    found = notice(demo, notice_id)
    assert (found.status, found.close_reason, found.budget_max) == ("closed", "계약 완료", 80_000_000)
    with demo.transaction() as session, pytest.raises(Conflict) as caught:
        notice_interests.express_interest(session, p.supplier2, notice_id, "늦었지만 관심 있습니다.")
    assert "마감" in caught.value.message.render("ko")
    with demo.transaction() as session, pytest.raises(Conflict) as caught:
        notice_posting.edit_notice(session, p.buyer, notice_id, found.version, need(second))
    assert "마감" in caught.value.message.render("ko")


def test_open_notices_matching_a_supplier_for_its_home_page(demo, world):
    p, first, second = world
    older = post(demo, p.buyer, first, title="첫 번째")
    newer = post(demo, p.buyer2, first, title="두 번째")
    post(demo, p.buyer, second, title="다른 분야")
    closed = post(demo, p.buyer, first, title="마감된 것")
    with demo.transaction() as session:
        notice_posting.close_notice(session, p.buyer, closed, notice(demo, closed).version)
    with demo.reading() as session:
        assert [n.id for n in notice_queries.notices_matching_supplier(session, p.supplier.organisation_id, 5)] == [
            newer,
            older,
        ]
        assert [n.id for n in notice_queries.notices_matching_supplier(session, p.supplier.organisation_id, 1)] == [
            newer
        ]
        assert notice_queries.notices_matching_supplier(session, p.supplier3.organisation_id, 5) == []
