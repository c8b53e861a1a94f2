"""Inquiries, the FAQ and notices through the workflows, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from digitalmarket.core.audit import AuditEvent, verify_chain
from digitalmarket.core.errors import Conflict, NotFound, ValidationFailed
from digitalmarket.core.notifications import Notification
from digitalmarket.core.tables import utcnow
from digitalmarket.helpdesk import content, inquiries
from digitalmarket.helpdesk.tables import Inquiry
from tests.contracting.buying import people_of


def _version(db, inquiry_id: int) -> int:
    with db.reading() as session:
        return session.get(Inquiry, inquiry_id).version


def _links(db, user_id: int) -> list[str]:
    with db.reading() as session:
        query = select(Notification.link).where(Notification.user_id == user_id).order_by(Notification.id)
        return list(session.scalars(query))


def test_asked_answered_followed_up_and_answered_again(demo):
    p = people_of(demo)
    with demo.transaction() as session:
        inquiry_id = inquiries.ask(session, p.buyer, "납품요구 방법", "contract", "카탈로그 계약이 있어야 하나요?").id
    assert _links(demo, p.operator.user_id) == [f"/operator/inquiries/{inquiry_id}"]
    with demo.reading() as session:  # sent by e-mail to those who chose demand notices and inquiries
        assert session.scalars(select(Notification.kind)).all() == ["community"]

    with demo.transaction() as session:
        answered = inquiries.answer(
            session, p.operator, inquiry_id, _version(demo, inquiry_id), "네, 카탈로그 계약이 필요합니다."
        )
        assert answered.status == "answered"
    assert _links(demo, p.buyer.user_id) == [f"/help/inquiries/{inquiry_id}"]

    with demo.transaction() as session:
        reopened = inquiries.follow_up(session, p.buyer, inquiry_id, _version(demo, inquiry_id), "수의계약은요?")
        assert reopened.status == "open"
    with demo.transaction() as session:
        inquiries.answer(session, p.operator, inquiry_id, _version(demo, inquiry_id), "수의계약은 견적 없이도 됩니다.")
    with demo.transaction() as session:
        inquiries.close(session, p.buyer, inquiry_id, _version(demo, inquiry_id))
    with demo.transaction() as session:  # a follow-up reopens a closed inquiry
        inquiries.follow_up(session, p.buyer, inquiry_id, _version(demo, inquiry_id), "하나 더 여쭙니다.")

    with demo.reading() as session:
        found = session.get(Inquiry, inquiry_id)
        assert found.status == "open" and found.closed_at is None
        assert [(m.from_operator, m.body) for m in found.messages] == [
            (False, "카탈로그 계약이 있어야 하나요?"),
            (True, "네, 카탈로그 계약이 필요합니다."),
            (False, "수의계약은요?"),
            (True, "수의계약은 견적 없이도 됩니다."),
            (False, "하나 더 여쭙니다."),
        ]
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_type == "inquiry").order_by(AuditEvent.id)
        ).all()
        assert actions == [
            "inquiry.asked",
            "inquiry.answer",
            "inquiry.follow_up",
            "inquiry.answer",
            "inquiry.close",
            "inquiry.follow_up",
        ]
        assert verify_chain(session).ok
    assert len(_links(demo, p.buyer.user_id)) == 2  # the two answers


def test_a_user_sees_only_their_own_inquiries_and_a_stale_answer_is_refused(demo):
    p = people_of(demo)
    with demo.transaction() as session:
        inquiry_id = inquiries.ask(session, p.supplier, "인증서 갱신", "technical", "CSAP 갱신은 어디서?").id
    version = _version(demo, inquiry_id)
    with demo.reading() as session:
        for stranger in (p.supplier2, p.buyer):
            with pytest.raises(NotFound):
                inquiries.visible_inquiry(session, stranger, inquiry_id)
        assert inquiries.inquiries_of(session, p.supplier2) == []
        assert inquiries.visible_inquiry(session, p.operator, inquiry_id).subject == "인증서 갱신"
    with demo.transaction() as session, pytest.raises(NotFound):
        inquiries.follow_up(session, p.supplier2, inquiry_id, version, "남의 문의")
    with demo.transaction() as session, pytest.raises(NotFound):
        inquiries.answer(session, p.buyer, inquiry_id, version, "운영자가 아님")
    with demo.transaction() as session:
        inquiries.follow_up(session, p.supplier, inquiry_id, version, "덧붙입니다.")
    with demo.transaction() as session, pytest.raises(Conflict):
        inquiries.answer(session, p.operator, inquiry_id, version, "추가 글을 못 본 답변")
    with demo.transaction() as session:
        inquiries.close(session, p.operator, inquiry_id, _version(demo, inquiry_id))
    with demo.transaction() as session, pytest.raises(Conflict) as caught:
        inquiries.answer(session, p.operator, inquiry_id, _version(demo, inquiry_id), "종료 뒤 답변")
    assert "종료" in caught.value.message.render("ko")


def test_bad_inquiries_are_refused_and_nothing_is_written(demo):
    p = people_of(demo)
    with demo.transaction() as session, pytest.raises(ValidationFailed) as caught:
        inquiries.ask(session, p.buyer, " ", "billing", "")
    assert set(caught.value.fields) == {"subject", "category", "body"}
    with demo.reading() as session:
        assert session.scalars(select(Inquiry)).all() == []
    assert _links(demo, p.operator.user_id) == []


def test_the_queue_puts_open_inquiries_first_the_longest_waiting_first(demo):
    p = people_of(demo)
    start = utcnow() - timedelta(days=3)
    ids = {}
    with demo.transaction() as session:
        for hours, name in ((0, "oldest"), (5, "middle"), (10, "newest")):
            ids[name] = inquiries.ask(session, p.buyer, name, "other", "질문", now=start + timedelta(hours=hours)).id
    with demo.transaction() as session:
        inquiries.answer(session, p.operator, ids["oldest"], _version(demo, ids["oldest"]), "답변")
    with demo.reading() as session:
        assert [i.subject for i in inquiries.queue(session)] == ["middle", "newest", "oldest"]
        assert [i.subject for i in inquiries.queue(session, "answered")] == ["oldest"]


def test_faq_entries_are_public_only_once_published_grouped_and_ordered(demo):
    p = people_of(demo)
    with demo.transaction() as session:
        first = content.create_faq(
            session, p.operator, "account", "비밀번호를 잊었어요", "로그인 화면에서 재설정하세요."
        )
        second = content.create_faq(session, p.operator, "account", "API 토큰은?", "내 계정에서 만듭니다.")
        third = content.create_faq(session, p.operator, "contract", "납품요구란?", "카탈로그 계약 단가로 주문합니다.")
        ids = first.id, second.id, third.id
    with demo.reading() as session:
        assert content.published_faq(session) == []
    with demo.transaction() as session:
        for entry_id in ids:
            content.publish_faq(session, p.operator, entry_id, 1)
    with demo.transaction() as session:
        content.move_faq(session, p.operator, ids[1], 2, "up")
    with demo.reading() as session:
        groups = content.published_faq(session)
        assert [(g.category, [e.question for e in g.entries]) for g in groups] == [
            ("account", ["API 토큰은?", "비밀번호를 잊었어요"]),
            ("contract", ["납품요구란?"]),
        ]
        assert [e.question for g in content.published_faq(session, "카탈로그") for e in g.entries] == ["납품요구란?"]
    with demo.transaction() as session, pytest.raises(Conflict):
        content.move_faq(session, p.operator, ids[1], 3, "up")  # already at the top
    with demo.transaction() as session:
        content.unpublish_faq(session, p.operator, ids[2], 2)
    with demo.transaction() as session, pytest.raises(Conflict):
        content.unpublish_faq(session, p.operator, ids[2], 3)  # not published any more
    with demo.reading() as session:
        assert [g.category for g in content.published_faq(session)] == ["account"]
    with demo.transaction() as session, pytest.raises(NotFound):
        content.create_faq(session, p.buyer, "other", "질문", "답")


def test_a_notice_is_seen_only_while_published(demo):
    p = people_of(demo)
    with demo.transaction() as session:
        notice_id = content.create_notice(session, p.operator, "시스템 점검 안내", "토요일 02:00-04:00", pinned=True).id
    with demo.reading() as session:
        with pytest.raises(NotFound):
            content.visible_notice(session, None, notice_id)
        with pytest.raises(NotFound):
            content.visible_notice(session, p.buyer, notice_id)
        assert content.visible_notice(session, p.operator, notice_id).title == "시스템 점검 안내"
    with demo.transaction() as session:
        content.publish_notice(session, p.operator, notice_id, 1)
    with demo.reading() as session:
        assert [n.title for n in content.public_notices(session)] == ["시스템 점검 안내"]
        assert content.visible_notice(session, None, notice_id).published_at is not None
    with demo.transaction() as session:
        content.unpublish_notice(session, p.operator, notice_id, 2)
    with demo.reading() as session:
        assert content.public_notices(session) == []
        with pytest.raises(NotFound):
            content.visible_notice(session, p.supplier, notice_id)
