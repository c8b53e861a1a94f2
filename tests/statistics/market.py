"""A small market built through the workflows at chosen moments, for the statistics and export tests:
services of three suppliers (two SMEs, one mid-sized), contracts of two agencies (central, local) in
several months and two years, a change, a termination, an order nobody confirmed, a quote request
that became a contract, and applications taken through the selection steps days apart."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta

from digitalmarket.catalog import workflow as catalog
from digitalmarket.contracting.orders import changing, confirming, ending, making
from digitalmarket.contracting.quotes import answering, asking, awarding
from digitalmarket.core import clock, tables
from digitalmarket.core.clock import KST
from digitalmarket.core.files import DocumentStore
from digitalmarket.selection import access, screening, workflow
from digitalmarket.selection.rules import Criterion
from tests.contracting.buying import order, people_of, plan_ids
from tests.selection.journey import actor, close, complete_content, draft, open_round, step, vote


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """The application's clock reads ``moment`` inside the block, so records carry that day."""

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            return moment.astimezone(tz) if tz else moment.astimezone(UTC).replace(tzinfo=None)

    saved = clock.datetime, tables.datetime
    clock.datetime = tables.datetime = Frozen
    try:
        yield
    finally:
        clock.datetime, tables.datetime = saved


def kst(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=KST)


def publish(db, supplier, service_type: str, name: str, price: int = 12000) -> str:
    content = complete_content(db, service_type, name)
    content["price_plans"] = [
        {"name": "Standard", "billing": "monthly", "unit": "사용자/월", "unit_price": price, "vat_included": False}
    ]
    with db.transaction() as session:
        return catalog.publish(
            session, actor_user_id=None, supplier_id=supplier.organisation_id, content=content, origin="test"
        ).code


def contract(db, buyer, supplier, code: str, at: datetime, *, price: int, quantity: int, months: int) -> int:
    """A negotiated order of ``buyer`` for the service, confirmed by both sides at ``at``."""
    data = making.NegotiatedIn(
        code=code,
        start_date=clock.today_kst(),
        lines=[making.OrderLineIn(plan_ids(db, code)[0], quantity, months, price)],
    )
    with db.transaction() as session:
        order_id = making.create_negotiated(session, buyer, data).id
    for who in (buyer, supplier):
        with db.transaction() as session:
            confirming.confirm(session, who, order_id, order(db, order_id).version, now=at)
    return order_id


def change(db, proposer, other, order_id: int, quantity: int) -> None:
    """A confirmed change of the first line's quantity (변경차수 + 1)."""
    current = order(db, order_id)
    line = current.current_lines()[0]
    proposal = changing.ChangeIn(
        "인원 변경", [changing.ChangeLineIn(line.position, quantity, line.months, line.unit_price)]
    )
    with db.transaction() as session:
        seq = changing.propose_change(session, proposer, order_id, current.version, proposal).seq
    with db.transaction() as session:
        changing.confirm_change(session, other, order_id, order(db, order_id).version, seq)


def select_application(db, store, people, name: str, start: date, gaps: list[int], round_number: int) -> int:
    """An application submitted on ``start`` and taken through each step ``gaps`` days apart (document
    check, acceptance, expert review, committee), then selected by the committee of its month."""
    day = start
    with clock_at(kst(day)):
        application_id = draft(db, store, people.supplier, "SaaS", name)
        step(db, workflow.submit, people.supplier, application_id)
    moves = [
        (screening.start_check, ()),
        (screening.accept, ()),
        (screening.start_expert_review, ()),
        (screening.record_expert_opinions, ({c: (True, "적합") for c in Criterion},)),
        (screening.send_to_committee, ()),
    ]
    gap_of = iter(gaps)
    for function, args in moves:
        if function is not screening.record_expert_opinions:
            day = day + timedelta(days=next(gap_of))
        with clock_at(kst(day)):
            step(db, function, people.operator, application_id, *args)
    with db.reading() as session:
        month = access.load(session, application_id).committee_month
    meeting = date(int(month[:4]), int(month[5:]), 15)
    decided = max(meeting, day + timedelta(days=next(gap_of)))
    with clock_at(kst(decided)):
        reviewers = [people.reviewer, people.reviewer2, people.reviewer3]
        round_id = open_round(db, people.operator, month, reviewers, number=round_number)
        for reviewer in reviewers:
            vote(db, reviewer, round_id, application_id)
        close(db, people.operator, round_id)
    return application_id


def people(db):
    found = people_of(db)
    for name in ("reviewer", "reviewer2", "reviewer3"):
        email = f"{name}@demo.kr"
        setattr(found, name, actor(db, email))
    return found


def build_market(db, tmp_path) -> dict:
    """The market described in the module docstring; returns ids the tests look at."""
    store = DocumentStore(tmp_path / "documents")
    p = people(db)
    saas = publish(db, p.supplier, "SaaS", "가상 그룹웨어", 12000)
    iaas = publish(db, p.supplier2, "IaaS", "나래 클라우드 서버", 30000)
    paas = publish(db, p.supplier3, "PaaS", "한빛 데이터베이스", 50000)

    made = {"orders": [], "services": [saas, iaas, paas]}
    made["orders"].append(
        contract(db, p.buyer, p.supplier, saas, kst(date(2025, 3, 10)), price=10000, quantity=50, months=12)
    )
    made["orders"].append(
        contract(db, p.buyer2, p.supplier2, iaas, kst(date(2025, 3, 20)), price=25000, quantity=4, months=6)
    )
    # 2026-01-01 05:00 in Korea: January 2026 there, still 2025-12-31 in UTC.
    new_year = kst(date(2026, 1, 1), 5)
    made["orders"].append(contract(db, p.buyer, p.supplier3, paas, new_year, price=45000, quantity=2, months=12))
    changed = contract(db, p.buyer2, p.supplier, saas, kst(date(2026, 2, 5)), price=11000, quantity=100, months=12)
    change(db, p.supplier, p.buyer2, changed, 150)
    made["orders"].append(changed)
    ended = contract(db, p.buyer, p.supplier2, iaas, kst(date(2026, 5, 1)), price=30000, quantity=1, months=3)
    with db.transaction() as session:
        ending.terminate(session, p.buyer, ended, order(db, ended).version, "예산 사정으로 조기 종료")
    made["orders"].append(ended)

    # A quote request asked on 2026-06-01 and contracted 9.5 days later.
    with clock_at(kst(date(2026, 6, 1))):
        asked = asking.RequestIn(
            "그룹웨어 도입",
            "",
            clock.today_kst() + timedelta(days=20),
            clock.today_kst() + timedelta(days=5),
            [asking.ServiceAsk(saas, [asking.LineIn(plan_ids(db, saas)[0], 30, 12)])],
        )
        with db.transaction() as session:
            request = asking.create_request(session, p.buyer, asked)
            quote = request.quotes[0]
    with clock_at(kst(date(2026, 6, 2))):
        with db.transaction() as session:
            answering.answer(session, p.supplier, quote.id, quote.version, {quote.lines[0].id: 11500}, date(2026, 7, 1))
        with db.transaction() as session:
            quoted = session.get(type(quote), quote.id)
            awarded = awarding.award(session, p.buyer, request.id, quote.id, quoted.version, reason="최저가").id
    for who in (p.buyer, p.supplier):
        with db.transaction() as session:
            confirming.confirm(session, who, awarded, order(db, awarded).version, now=kst(date(2026, 6, 10), 22))
    made["orders"].append(awarded)

    # An order nobody confirmed is no contract.
    data = making.NegotiatedIn(
        code=iaas, start_date=clock.today_kst(), lines=[making.OrderLineIn(plan_ids(db, iaas)[0], 9, 12, 20000)]
    )
    with db.transaction() as session:
        made["draft"] = making.create_negotiated(session, p.buyer2, data).id

    made["applications"] = [
        select_application(db, store, p, "가상 전자결재", date(2025, 4, 1), [2, 5, 1, 3, 10], 1),
        select_application(db, store, p, "가상 민원상담", date(2025, 6, 2), [1, 9, 2, 1, 14], 2),
        select_application(db, store, p, "가상 영상회의", date(2026, 1, 5), [4, 3, 3, 2, 20], 3),
    ]
    return made
