"""Demand notices through the workflows, as agencies and suppliers use them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from digitalmarket.catalog import workflow as catalog
from digitalmarket.catalog.tables import Category
from digitalmarket.community import notice_posting, notice_queries
from digitalmarket.community.tables import DemandNotice
from digitalmarket.core.clock import today_kst
from digitalmarket.core.notifications import Notification
from tests.selection.journey import complete_content

NEXT_MONTH = (today_kst().replace(day=1) + timedelta(days=32)).strftime("%Y-%m")
LAST_MONTH = (today_kst().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


def saas_categories(db) -> list[Category]:
    with db.reading() as session:
        return list(session.scalars(select(Category).where(Category.type == "SaaS").order_by(Category.id)))


def publish_in(db, supplier, category_id: int, name: str) -> str:
    """A published service of the supplier in the category; returns its code."""
    content = complete_content(db, "SaaS", name)
    content["category_id"] = category_id
    with db.transaction() as session:
        return catalog.publish(
            session, actor_user_id=None, supplier_id=supplier.organisation_id, content=content, origin="test"
        ).code


def need(category_id: int | None, **changes) -> notice_posting.NoticeIn:
    values = {
        "title": "전 직원 클라우드 그룹웨어 도입",
        "description": "직원 300명, 전자결재 연계, 국내 데이터센터",
        "category_id": category_id,
        "budget_min": 30_000_000,
        "budget_max": 60_000_000,
        "expected_month": NEXT_MONTH,
    }
    values.update(changes)
    return notice_posting.NoticeIn(**values)


def post(db, buyer, category_id: int, **changes) -> int:
    with db.transaction() as session:
        return notice_posting.post_notice(session, buyer, need(category_id, **changes)).id


def notice(db, notice_id: int) -> DemandNotice:
    with db.reading() as session:
        found = session.get(DemandNotice, notice_id)
        _ = found.interests, found.category, found.agency
        return found


def interest_version(db, supplier, notice_id: int) -> int:
    with db.reading() as session:
        return notice_queries.interest_of(session, supplier, session.get(DemandNotice, notice_id)).version


def notified(db, user_id: int) -> list[Notification]:
    with db.reading() as session:
        query = select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
        return list(session.scalars(query))
