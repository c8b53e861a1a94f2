"""Buying through the workflows, as agencies and suppliers do: services, quote requests, answers, awards,
orders. Shared by the quote and order tests."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from digitalmarket.accounts.tables import Organisation
from digitalmarket.catalog import workflow as catalog
from digitalmarket.catalog.tables import Service
from digitalmarket.contracting.catalog_contracts import applying, contract_items, officer_steps, queries
from digitalmarket.contracting.orders import confirming, making
from digitalmarket.contracting.quotes import answering, asking, awarding
from digitalmarket.contracting.tables import Order, Quote, QuoteRequest
from digitalmarket.core.clock import today_kst
from tests.selection.journey import actor, complete_content

PLANS = [
    {"name": "Standard", "billing": "monthly", "unit": "사용자/월", "unit_price": 12000, "vat_included": False},
    {"name": "구축", "billing": "fixed", "unit": "식", "unit_price": 5_000_000, "vat_included": False},
]


def people_of(db):
    emails = {
        "supplier": "supplier@demo.kr",
        "supplier2": "supplier2@demo.kr",
        "buyer": "buyer@demo.kr",
        "buyer2": "buyer2@demo.kr",
        "officer": "officer@demo.kr",
        "operator": "operator@demo.kr",
    }
    found = {name: actor(db, email) for name, email in emails.items()}
    found["supplier3"] = actor(db, "contact-3148620457@demo.kr")  # 한빛데이터(주), no named demo account
    return type("People", (), found)


def publish(db, supplier, name: str, plans=None) -> str:
    """A published service of the supplier; returns its code."""
    content = complete_content(db, "SaaS", name)
    content["price_plans"] = plans or PLANS
    with db.transaction() as session:
        return catalog.publish(
            session, actor_user_id=None, supplier_id=supplier.organisation_id, content=content, origin="test"
        ).code


def service(db, code: str) -> Service:
    with db.reading() as session:
        found = session.scalars(select(Service).where(Service.code == code)).one()
        _ = found.price_plans
        return found


def plan_ids(db, code: str) -> list[int]:
    return [p.id for p in service(db, code).price_plans]


def ask(
    db,
    buyer,
    codes: list[str],
    *,
    quantity: int = 100,
    months: int = 12,
    start: date | None = None,
    deadline: date | None = None,
    plans: int = 1,
) -> int:
    """A quote request to the services, the first ``plans`` plans of each; returns its id."""
    data = asking.RequestIn(
        title="전 직원 그룹웨어 도입",
        requirements="GPKI 로그인, 망분리 환경 지원",
        desired_start=start or today_kst() + timedelta(days=30),
        deadline=deadline or today_kst() + timedelta(days=7),
        services=[
            asking.ServiceAsk(code, [asking.LineIn(pid, quantity, months) for pid in plan_ids(db, code)[:plans]])
            for code in codes
        ],
    )
    with db.transaction() as session:
        return asking.create_request(session, buyer, data).id


def quote_of(db, request_id: int, code: str) -> Quote:
    with db.reading() as session:
        request = session.get(QuoteRequest, request_id)
        found = next(q for q in request.quotes if q.service.code == code)
        _ = found.lines, found.service.price_plans, found.request
        return found


def answer(db, supplier, request_id: int, code: str, prices: list[int], now: datetime | None = None, **kwargs) -> int:
    quote = quote_of(db, request_id, code)
    given = {line.id: price for line, price in zip(quote.lines, prices, strict=True)}
    with db.transaction() as session:
        return answering.answer(
            session,
            supplier,
            quote.id,
            quote.version,
            given,
            kwargs.get("valid_until", today_kst() + timedelta(days=30)),
            kwargs.get("note", "연간 계약 할인"),
            now=now,
            months=kwargs.get("months"),
        ).id


def decline(db, supplier, request_id: int, code: str, reason: str = "요구 기간에 공급할 수 없습니다.") -> int:
    quote = quote_of(db, request_id, code)
    with db.transaction() as session:
        return answering.decline(session, supplier, quote.id, quote.version, reason).id


def award(
    db,
    buyer,
    request_id: int,
    code: str,
    reason: str = "최저가 견적",
    early_reason: str = "착수 일정이 급함",
    **kwargs,
) -> int:
    """Award the quote of ``code``, with a reason (and, if answers are still awaited, why it cannot wait)."""
    quote = quote_of(db, request_id, code)
    with db.transaction() as session:
        return awarding.award(
            session,
            buyer,
            request_id,
            quote.id,
            quote.version,
            reason=reason,
            early_reason=early_reason,
            **kwargs,
        ).id


def order(db, order_id: int) -> Order:
    with db.reading() as session:
        found = session.get(Order, order_id)
        _ = found.lines, found.versions, found.service, found.agency, found.supplier
        return found


def confirm(db, who, order_id: int, now=None) -> Order:
    with db.transaction() as session:
        return confirming.confirm(session, who, order_id, order(db, order_id).version, now=now)


def negotiated(db, buyer, code: str, *, price: int = 10000, quantity=50, months=12, start=None) -> int:
    data = making.NegotiatedIn(
        code=code,
        start_date=start or today_kst(),
        lines=[making.OrderLineIn(plan_ids(db, code)[0], quantity, months, price)],
    )
    with db.transaction() as session:
        return making.create_negotiated(session, buyer, data).id


def contracted_order(db, people, code: str, **kwargs) -> int:
    order_id = negotiated(db, people.buyer, code, **kwargs)
    confirm(db, people.buyer, order_id)
    confirm(db, people.supplier if service(db, code).supplier.name == "(주)가상소프트" else people.supplier2, order_id)
    return order_id


def catalog_contract(db, people, code: str, prices=(11000, 4_500_000), start=None, end=None) -> int:
    """A catalog contract of the service signed by PPS (the service's supplier applies)."""
    start = start or today_kst()
    svc = service(db, code)
    supplier = people.supplier if svc.supplier_id == people.supplier.organisation_id else people.supplier2
    items = [contract_items.ItemInput(pid, price) for pid, price in zip(plan_ids(db, code), prices, strict=False)]
    with db.transaction() as session:
        contract_id = applying.apply(session, supplier, svc.id, items, start, end or start + timedelta(days=729)).id
    for step in (officer_steps.start_review, officer_steps.sign):
        with db.transaction() as session:
            step(session, people.officer, contract_id, queries.load(session, contract_id).version)
    return contract_id


def organisation(db, name: str) -> Organisation:
    with db.reading() as session:
        return session.scalars(select(Organisation).where(Organisation.name == name)).one()
