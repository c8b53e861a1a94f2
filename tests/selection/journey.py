"""Building applications through the workflows, as the users of each role do."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date

from sqlalchemy import select

from digitalmarket.accounts.permissions import Actor
from digitalmarket.accounts.tables import User
from digitalmarket.accounts.user_accounts import actor_of
from digitalmarket.catalog.tables import Category
from digitalmarket.core.clock import today_kst
from digitalmarket.core.files import DocumentStore
from digitalmarket.demo.history import at, clock_at
from digitalmarket.selection import access, committee_decisions, committee_rounds, committee_votes, screening, workflow
from digitalmarket.selection.rules import Criterion, required_documents

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def actor(db, email: str) -> Actor:
    with db.reading() as session:
        return actor_of(session.scalars(select(User).where(User.email == email)).one())


def complete_content(db, service_type: str = "SaaS", name: str = "가상 그룹웨어") -> dict:
    with db.reading() as session:
        category = session.scalars(select(Category).where(Category.type == service_type).order_by(Category.id)).first()
    return {
        "type": service_type,
        "category_id": category.id,
        "name": name,
        "summary": "메일·일정·게시판을 갖춘 공공기관용 협업 도구",
        "description": "공공기관 업무에 맞춘 그룹웨어입니다.",
        "features": ["메일", "일정", "게시판"],
        "keywords": ["그룹웨어", "협업"],
        "deployment": "public",
        "sla_availability": "99.9",
        "support_hours": "평일 09:00-18:00, 장애 24시간",
        "data_return_policy": "해지 후 30일 안에 데이터를 반환하고 파기 확인서를 드립니다.",
        "csap_grade": "하",
        "csap_certificate_number": "CSAP-SaaS-2025-0042",
        "csap_valid_until": "2027-05-31",
        "csap_underlying_iaas": "가상 클라우드",
        "price_plans": [
            {"name": "Standard", "billing": "monthly", "unit": "사용자/월", "unit_price": 12000, "vat_included": False},
        ],
    }


def draft(db, store: DocumentStore, supplier: Actor, service_type: str = "SaaS", name: str = "가상 그룹웨어"):
    with db.transaction() as session:
        application = workflow.create_application(session, supplier, complete_content(db, service_type, name))
        stored = store.accept(PDF, "서류.pdf")
        for kind in required_documents(service_type):
            workflow.attach_document(session, supplier, application.id, kind, stored)
        return application.id


def version(db, application_id: int) -> int:
    with db.reading() as session:
        return access.load(session, application_id).version


def state(db, application_id: int) -> str:
    with db.reading() as session:
        return access.load(session, application_id).state


def step(db, function, actor_, application_id, *args, **kwargs):
    with db.transaction() as session:
        return function(session, actor_, application_id, version(db, application_id), *args, **kwargs)


def to_committee(db, store, supplier, operator, **kwargs) -> int:
    """A complete application, submitted, accepted and through the expert review."""
    application_id = draft(db, store, supplier, **kwargs)
    step(db, workflow.submit, supplier, application_id)
    step(db, screening.start_check, operator, application_id)
    step(db, screening.accept, operator, application_id)
    step(db, screening.start_expert_review, operator, application_id)
    step(db, screening.record_expert_opinions, operator, application_id, {c: (True, "적합") for c in Criterion})
    step(db, screening.send_to_committee, operator, application_id)
    return application_id


def committee_month(db, application_id) -> str:
    with db.reading() as session:
        return access.load(session, application_id).committee_month


def open_round(db, operator, month: str, reviewers: list[Actor], number: int = 1) -> int:
    year, mon = (int(p) for p in month.split("-"))
    with db.transaction() as session:
        committee_round = committee_rounds.create_round(
            session,
            operator,
            number=number,
            month=month,
            meeting_date=date(year, mon, 15),
            member_ids=[r.user_id for r in reviewers],
        )
        return committee_round.id


def round_of(db, people, application_id) -> int:
    """The round of the application's committee month, with the three demo reviewers."""
    month = committee_month(db, application_id)
    return open_round(db, people.operator, month, [people.reviewer, people.reviewer2, people.reviewer3])


def vote(db, reviewer, round_id, application_id, fails: dict | None = None, relation: bool = False):
    fails = fails or {}
    with db.transaction() as session:
        committee_votes.declare(session, reviewer, round_id, application_id, relation)
    if relation:
        return
    with db.transaction() as session:
        committee_votes.cast_votes(
            session,
            reviewer,
            round_id,
            application_id,
            {c: (c not in fails, fails.get(c, "")) for c in Criterion},
        )


def close(db, operator, round_id):
    """Close the round on its meeting date (a round cannot close before), or now if that day has passed."""
    with db.reading() as session:
        committee_round = committee_rounds.load_round(session, round_id)
        current, meeting = committee_round.version, committee_round.meeting_date
    moment = at(meeting, 17) if today_kst() < meeting else None
    with clock_at(moment) if moment else nullcontext(), db.transaction() as session:
        committee_decisions.close_round(session, operator, round_id, current)


__all__ = ["today_kst"]
