"""Quote requests through the workflows: ask three suppliers, two answers and a decline, award, the order
and its contract document, both confirmations, activation; and every refusal and bad input.
On SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from digitalmarket.accounts import profiles, sanctions
from digitalmarket.catalog import queries as catalog_queries
from digitalmarket.catalog import workflow as catalog
from digitalmarket.contracting.catalog_contracts import contract_items, officer_steps, queries
from digitalmarket.contracting.orders import documents as contract_documents
from digitalmarket.contracting.orders import ending
from digitalmarket.contracting.quotes import answering, asking, awarding
from digitalmarket.contracting.tables import Order, Quote, QuoteRequest
from digitalmarket.core.audit import AuditEvent, verify_chain
from digitalmarket.core.clock import KST, today_kst
from digitalmarket.core.errors import Conflict, NotFound, ValidationFailed
from digitalmarket.core.notifications import Notification
from digitalmarket.core.particles import particle
from digitalmarket.search.facts import facts
from tests.contracting.buying import (
    answer,
    ask,
    award,
    catalog_contract,
    confirm,
    decline,
    order,
    people_of,
    plan_ids,
    publish,
    quote_of,
    service,
)


@pytest.fixture
def store():
    """The installation's document store, where the contract documents are made after each commit."""
    return contract_documents.installed_store()


@pytest.fixture
def people(demo):
    return people_of(demo)


@pytest.fixture
def three(demo, people):
    """Three services of three suppliers."""
    return (
        publish(demo, people.supplier, "가상웍스 그룹웨어"),
        publish(demo, people.supplier2, "나래 협업도구"),
        publish(demo, people.supplier3, "한빛 오피스"),
    )


def count(db, model) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_three_suppliers_two_answers_a_decline_award_confirm_activate(demo, people, three, store):
    a, b, c = three
    request_id = ask(demo, people.buyer, [a, b, c], plans=2)
    with demo.reading() as session:
        request = session.get(QuoteRequest, request_id)
        assert request.code == f"QR-{today_kst().year}-00001"
        assert [q.status for q in request.quotes] == ["requested"] * 3
        told = session.scalars(select(Notification.user_id)).all()
    assert people.supplier.user_id in told and people.supplier2.user_id in told

    answer(demo, people.supplier, request_id, a, [11000, 4_800_000])
    answer(demo, people.supplier2, request_id, b, [10500, 5_000_000])
    decline(demo, people.supplier3, request_id, c)
    # a revision before the deadline replaces the prices
    answer(demo, people.supplier, request_id, a, [10000, 4_500_000], note="재견적")
    revised = quote_of(demo, request_id, a)
    assert revised.revision == 2 and [line.unit_price for line in revised.lines] == [10000, 4_500_000]
    money = answering.quote_amounts(revised)
    assert money.supply == 10000 * 100 * 12 + 4_500_000 * 100  # monthly x months; fixed once
    assert money.vat == money.supply // 10 and money.total == money.supply + money.vat

    order_id = award(demo, people.buyer, request_id, a)
    with demo.reading() as session:
        request = session.get(QuoteRequest, request_id)
        assert request.status == "awarded"
        assert {q.service.code: q.status for q in request.quotes} == {a: "awarded", b: "not_awarded", c: "declined"}
    made = order(demo, order_id)
    with demo.reading() as session:
        told = session.scalars(select(Notification.user_id).where(Notification.link == f"/orders/{order_id}")).all()
    assert people.supplier.user_id in told  # asked to check the contract document and confirm it
    assert made.code == f"ORD-{today_kst().year}-00001"
    assert made.method == "negotiated" and made.status == "draft"
    assert (made.supply_amount, made.vat, made.total) == (money.supply, money.vat, money.total)
    first = made.versions[0]
    data = store.path_of(first.document_sha256).read_bytes()
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == first.document_sha256 and first.document_size == len(data)

    confirm(demo, people.buyer, order_id)
    assert order(demo, order_id).status == "draft"
    with pytest.raises(Conflict):
        confirm(demo, people.buyer, order_id)  # once per side
    start = made.start_date
    confirm(demo, people.supplier, order_id)
    assert order(demo, order_id).status == "contracted"  # starts in 30 days
    with demo.transaction() as session:
        advanced = ending.activate_and_complete_due_orders(session, start)
    assert advanced.activated == [made.code]
    assert order(demo, order_id).status == "active"
    with demo.transaction() as session:
        advanced = ending.activate_and_complete_due_orders(session, made.end_date + timedelta(days=1))
    assert advanced.completed == [made.code] and order(demo, order_id).status == "completed"
    with demo.reading() as session:
        assert facts(session).entries[service(demo, a).id].contracts == 1
        actions = session.scalars(select(AuditEvent.action)).all()
        assert verify_chain(session).broken_id is None
    for action in (
        "quote_request.created",
        "quote.answered",
        "quote.declined",
        "quote_request.awarded",
        "order.created",
        "order.confirmed",
        "order.contracted",
        "order.activated",
        "order.completed",
    ):
        assert action in actions


def test_award_by_delivery_request_when_the_service_is_in_the_mall(demo, people, three, store):
    a, b, _ = three
    catalog_contract(demo, people, a, prices=(11000, 4_500_000))
    request_id = ask(demo, people.buyer, [a, b])
    line_ceiling = quote_of(demo, request_id, a).lines[0].catalog_unit_price
    assert line_ceiling == 11000  # the contract's item price, below the plan's 12,000
    with pytest.raises(ValidationFailed) as error:
        answer(demo, people.supplier, request_id, a, [11500])
    assert "lines." in next(iter(error.value.fields))
    answer(demo, people.supplier, request_id, a, [11000])
    order_id = award(demo, people.buyer, request_id, a)
    made = order(demo, order_id)
    assert made.method == "delivery_request" and made.catalog_contract_id is not None
    confirm(demo, people.supplier, order_id)
    confirm(demo, people.buyer, order_id)
    assert order(demo, order_id).status == "contracted"


def test_delivery_request_period_must_fall_inside_the_catalog_contract(demo, people, three, store):
    a, _, _ = three
    catalog_contract(demo, people, a, start=today_kst(), end=today_kst() + timedelta(days=90))
    request_id = ask(demo, people.buyer, [a], months=12)
    answer(demo, people.supplier, request_id, a, [10000])
    with pytest.raises(Conflict) as error:
        award(demo, people.buyer, request_id, a)
    assert "period" in error.value.message.msgid
    assert count(demo, Order) == 0
    assert quote_of(demo, request_id, a).status == "quoted"


def test_a_suspended_catalog_contract_refuses_quotes_awards_and_confirmation(demo, people, three, store):
    a, _, _ = three
    contract_id = catalog_contract(demo, people, a)
    request_id = ask(demo, people.buyer, [a])
    answer(demo, people.supplier, request_id, a, [10000])
    order_id = award(demo, people.buyer, request_id, a)
    with demo.transaction() as session:
        officer_steps.suspend(
            session, people.officer, contract_id, queries.load(session, contract_id).version, "납품 지연"
        )
    with pytest.raises(Conflict) as error:
        confirm(demo, people.buyer, order_id)
    assert "suspended" in error.value.message.msgid
    with pytest.raises(Conflict):
        ask(demo, people.buyer, [a])
    assert order(demo, order_id).status == "draft"


def test_award_uses_the_price_seen_or_fails_when_the_catalog_fell_below_it(demo, people, three, store):
    a, b, _ = three
    request_id = ask(demo, people.buyer, [a, b])
    answer(demo, people.supplier, request_id, a, [11000])
    seen = quote_of(demo, request_id, a)
    # the supplier revises after the buyer looked: the award with the old version is refused
    answer(demo, people.supplier, request_id, a, [10900])
    with demo.transaction() as session, pytest.raises(Conflict) as error:
        awarding.award(
            session, people.buyer, request_id, seen.id, seen.version, reason="최저가 견적", early_reason="급함"
        )
    assert "changed this quote" in error.value.message.msgid
    # the catalog price falls below the quote: the award fails and names the new price
    svc = service(demo, a)
    with demo.transaction() as session:
        live = catalog_queries.service_by_code(session, a)
        live.price_plans[0].unit_price = 10000
        session.flush()
    with pytest.raises(Conflict) as error:
        award(demo, people.buyer, request_id, a)
    assert "10,000" in error.value.message.render("en")
    assert count(demo, Order) == 0 and svc.code == a


def test_refusals_suspended_service_and_sanctioned_supplier(demo, people, three, store):
    a, b, c = three
    request_id = ask(demo, people.buyer, [a, b])
    answer(demo, people.supplier, request_id, a, [10000])
    with demo.transaction() as session:
        live = catalog_queries.service_by_code(session, b)
        catalog.change_status(session, people.operator, b, "suspend", "CSAP 만료", live.version)
    with pytest.raises(Conflict) as error:
        answer(demo, people.supplier2, request_id, b, [10000])
    assert "suspended from the catalog" in error.value.message.msgid
    with pytest.raises(Conflict):
        ask(demo, people.buyer, [b])
    supplier = profiles.organisation_of
    with demo.transaction() as session:
        org = supplier(session, people.supplier)
        sanctions.set_sanction(
            session,
            people.officer,
            org.id,
            today_kst() - timedelta(days=1),
            today_kst() + timedelta(days=90),
            "부정당업자",
            org.version,
        )
    with pytest.raises(Conflict) as error:
        award(demo, people.buyer, request_id, a)
    assert "sanction" in error.value.message.msgid
    with pytest.raises(Conflict):
        ask(demo, people.buyer, [a, c])
    assert count(demo, Order) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": 0}, "services.0.lines.0.quantity"),
        ({"quantity": -5}, "services.0.lines.0.quantity"),
        ({"months": 0}, "services.0.lines.0.months"),
        ({"months": 61}, "services.0.lines.0.months"),
        ({"start": today_kst() - timedelta(days=1)}, "desired_start"),
        ({"deadline": today_kst() - timedelta(days=1)}, "deadline"),
    ],
)
def test_bad_requests_write_nothing(demo, people, three, change, field):
    with pytest.raises(ValidationFailed) as error:
        ask(demo, people.buyer, [three[0]], **change)
    assert field in error.value.fields
    assert count(demo, QuoteRequest) == 0 and count(demo, Quote) == 0


def test_one_to_five_services_each_once(demo, people, three):
    a, b, c = three
    codes = [a, b, c] + [publish(demo, people.supplier, f"가상 서비스 {n}") for n in range(3)]
    with pytest.raises(ValidationFailed) as error:
        ask(demo, people.buyer, codes)
    assert "services" in error.value.fields
    with pytest.raises(ValidationFailed):
        ask(demo, people.buyer, [a, a])
    with pytest.raises(ValidationFailed):
        ask(demo, people.buyer, [])
    assert ask(demo, people.buyer, codes[:5])


def test_bad_answers_write_nothing(demo, people, three, store):
    a, b, _ = three
    request_id = ask(demo, people.buyer, [a, b])
    for prices in ([12001], [0], [-1]):
        with pytest.raises(ValidationFailed):
            answer(demo, people.supplier, request_id, a, prices)
    with pytest.raises(ValidationFailed):
        answer(demo, people.supplier, request_id, a, [10000], valid_until=today_kst() - timedelta(days=1))
    # after the deadline
    late = datetime.combine(today_kst() + timedelta(days=8), datetime.min.time(), tzinfo=KST)
    with pytest.raises(Conflict) as error:
        answer(demo, people.supplier, request_id, a, [10000], now=late)
    assert "deadline" in error.value.message.msgid
    quote = quote_of(demo, request_id, a)
    assert quote.status == "requested" and quote.revision == 0 and quote.lines[0].unit_price is None
    # another supplier's quote is not found
    with demo.transaction() as session, pytest.raises(NotFound):
        answering.answer(session, people.supplier2, quote.id, quote.version, {quote.lines[0].id: 9000}, today_kst())
    # an award to a declined quote, or one never answered
    decline(demo, people.supplier2, request_id, b)
    with pytest.raises(Conflict) as error:
        award(demo, people.buyer, request_id, b)
    assert "Declined" in error.value.message.render("en")
    with pytest.raises(Conflict):
        award(demo, people.buyer, request_id, a)
    assert count(demo, Order) == 0


def test_an_agency_never_sees_another_agencys_request_and_suppliers_only_their_quote(demo, people, three, store):
    a, b, _ = three
    request_id = ask(demo, people.buyer, [a, b])
    answer(demo, people.supplier, request_id, a, [10000])
    with demo.reading() as session:
        with pytest.raises(NotFound):
            asking.own_request(session, people.buyer2, request_id)
        with pytest.raises(NotFound):
            asking.visible_request(session, people.buyer2, request_id)
        request = asking.visible_request(session, people.supplier2, request_id)
        shown = asking.visible_quotes(people.supplier2, request)
        assert [q.service.code for q in shown] == [b]
        assert asking.requests_of_agency(session, people.buyer2) == []
        quote = quote_of(demo, request_id, a)
        with pytest.raises(NotFound):
            asking.own_quote(session, people.supplier2, quote.id)
    with pytest.raises(NotFound):
        award(demo, people.buyer2, request_id, a)


def test_cancel_passes_over_every_open_quote(demo, people, three):
    a, b, _ = three
    request_id = ask(demo, people.buyer, [a, b])
    answer(demo, people.supplier, request_id, a, [10000])
    with demo.transaction() as session:
        request = session.get(QuoteRequest, request_id)
        with pytest.raises(ValidationFailed):
            asking.cancel(session, people.buyer, request_id, request.version, " ")
        asking.cancel(session, people.buyer, request_id, request.version, "예산 미확보")
    with demo.reading() as session:
        request = session.get(QuoteRequest, request_id)
        assert request.status == "cancelled"
        assert {q.status for q in request.quotes} == {"not_awarded"}
        code = request.code
    # a supplier answering late is told the request was cancelled, not only that its quote was passed over
    with pytest.raises(Conflict) as late:
        answer(demo, people.supplier, request_id, a, [9000])
    topic = particle(code, "은")  # 은 or 는, by how the code's last digit is read
    assert late.value.message.render("ko") == f"견적요청 {code}{topic} 현재 '취소' 상태여서 답변을 받지 않습니다."


def test_plan_ids_helper_sees_the_plans(demo, three):
    assert len(plan_ids(demo, three[0])) == 2


def test_a_catalog_amendment_during_the_award_never_lets_a_price_above_the_catalog(demo, people, three, store):
    a, _, _ = three
    contract_id = catalog_contract(demo, people, a, prices=(11000, 4_500_000))
    request_id = ask(demo, people.buyer, [a])
    answer(demo, people.supplier, request_id, a, [10800])
    with demo.transaction() as session:  # PPS lowers the item price below the quote (변경차수 1)
        contract = queries.load(session, contract_id)
        items = [
            contract_items.ItemInput(i.price_plan_id, 10500 if n == 0 else i.unit_price)
            for n, i in enumerate(contract.current_items())
        ]
        officer_steps.amend(session, people.officer, contract_id, contract.version, items, None, "가격 인하")
    with pytest.raises(Conflict) as error:
        award(demo, people.buyer, request_id, a)
    assert "10,500" in error.value.message.render("ko")
    assert count(demo, Order) == 0 and quote_of(demo, request_id, a).status == "quoted"
    answer(demo, people.supplier, request_id, a, [10500])  # revised within the new price: awarded at it
    made = order(demo, award(demo, people.buyer, request_id, a))
    assert made.method == "delivery_request" and [line.unit_price for line in made.lines] == [10500]
    assert made.lines[0].catalog_unit_price == 10500
