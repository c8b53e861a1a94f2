"""Orders through the workflows: a negotiated order without quotes, confirmation and activation, contract
changes (변경차수) with every version kept, early termination, the refusals and bad input, and two changes
at once. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from digitalmarket.contracting.orders import access, changing, ending, making
from digitalmarket.contracting.tables import Order, OrderVersion
from digitalmarket.core.clock import today_kst
from digitalmarket.core.errors import Conflict, NotFound, ValidationFailed
from tests.contracting.buying import (
    confirm,
    contracted_order,
    negotiated,
    order,
    people_of,
    plan_ids,
    publish,
)


@pytest.fixture
def people(demo):
    return people_of(demo)


@pytest.fixture
def code(demo, people):
    return publish(demo, people.supplier, "가상웍스 그룹웨어")


def count(db, model) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(model))


def change(db, who, order_id, lines, reason="사용자 증원", version=None):
    current = order(db, order_id)
    given = [changing.ChangeLineIn(position, *values) for position, values in enumerate(lines)]
    with db.transaction() as session:
        return changing.propose_change(
            session,
            who,
            order_id,
            current.version if version is None else version,
            changing.ChangeIn(reason, given),
        ).seq


def confirm_change(db, who, order_id, seq):
    with db.transaction() as session:
        return changing.confirm_change(session, who, order_id, order(db, order_id).version, seq)


def test_negotiated_order_without_quotes_is_active_once_both_confirm_from_today(demo, people, code):
    order_id = negotiated(demo, people.buyer, code, price=10000, quantity=50, months=12)
    made = order(demo, order_id)
    assert made.method == "negotiated" and made.quote_id is None
    assert made.supply_amount == 10000 * 50 * 12 and made.vat == made.supply_amount // 10
    assert (
        made.end_date == today_kst().replace(year=today_kst().year + 1) - timedelta(days=1)
        or made.end_date > today_kst()
    )
    confirm(demo, people.supplier, order_id)
    confirm(demo, people.buyer, order_id)
    assert order(demo, order_id).status == "active"  # its start date is today


def test_change_confirmed_by_both_sides_keeps_every_version(demo, people, code):
    order_id = contracted_order(demo, people, code, price=10000, quantity=50, months=12)
    before = order(demo, order_id)
    seq = change(demo, people.buyer, order_id, [(80, 24, 9500)])
    assert seq == 1
    pending = order(demo, order_id)
    assert pending.change_seq == 0 and pending.total == before.total  # not in force yet
    with pytest.raises(Conflict):
        confirm_change(demo, people.buyer, order_id, seq)  # the proposer has confirmed by proposing
    confirm_change(demo, people.supplier, order_id, seq)
    after = order(demo, order_id)
    assert after.change_seq == 1 and after.status == "active"
    assert after.supply_amount == 9500 * 80 * 24 and after.total == after.supply_amount + after.supply_amount // 10
    assert after.end_date > before.end_date
    assert [v.seq for v in after.versions] == [0, 1]
    assert [(line.quantity, line.unit_price) for line in after.lines_of(0)] == [(50, 10000)]
    assert [(line.quantity, line.unit_price) for line in after.lines_of(1)] == [(80, 9500)]
    assert all(v.document_sha256 for v in after.versions)
    assert after.versions[0].document_sha256 != after.versions[1].document_sha256


def test_bad_changes_write_nothing(demo, people, code):
    order_id = contracted_order(demo, people, code, price=10000, quantity=50, months=12)
    for lines in ([(0, 12, 10000)], [(-1, 12, 10000)], [(50, 0, 10000)], [(50, 61, 10000)], [(50, 12, 12001)]):
        with pytest.raises(ValidationFailed):
            change(demo, people.buyer, order_id, lines)
    with pytest.raises(ValidationFailed) as error:
        change(demo, people.buyer, order_id, [(50, 12, 10000)])  # nothing changes
    assert "lines" in error.value.fields
    with pytest.raises(ValidationFailed) as error:
        change(demo, people.buyer, order_id, [(60, 12, 10000)], reason=" ")
    assert "reason" in error.value.fields
    assert count(demo, OrderVersion) == 1


def test_a_change_on_a_completed_or_terminated_order_is_refused(demo, people, code):
    order_id = contracted_order(demo, people, code, months=1)
    with demo.transaction() as session:
        ending.activate_and_complete_due_orders(session, order(demo, order_id).end_date + timedelta(days=1))
    with pytest.raises(Conflict) as error:
        change(demo, people.buyer, order_id, [(60, 1, 10000)])
    assert "Completed" in error.value.message.render("en")
    other = contracted_order(demo, people, code)
    with demo.transaction() as session, pytest.raises(ValidationFailed):
        ending.terminate(session, people.buyer, other, order(demo, other).version, "")
    with pytest.raises(NotFound), demo.transaction() as session:  # the supplier does not terminate
        ending.terminate(session, people.supplier, other, order(demo, other).version, "사유")
    with demo.transaction() as session:
        ending.terminate(session, people.buyer, other, order(demo, other).version, "사업 종료")
    assert order(demo, other).status == "terminated"
    with pytest.raises(Conflict):
        change(demo, people.buyer, other, [(60, 12, 10000)])
    assert count(demo, OrderVersion) == 2


def test_bad_negotiated_orders_write_nothing(demo, people, code):
    plan = plan_ids(demo, code)[0]
    for line, field in (
        ((plan, 0, 12, 10000), "lines.0.quantity"),
        ((plan, 10, 0, 10000), "lines.0.months"),
        ((plan, 10, 61, 10000), "lines.0.months"),
        ((plan, 10, 12, 12001), "lines.0.unit_price"),
        ((999999, 10, 12, 10000), "lines.0.price_plan_id"),
    ):
        data = making.NegotiatedIn(code, today_kst(), [making.OrderLineIn(*line)])
        with demo.transaction() as session, pytest.raises(ValidationFailed) as error:
            making.create_negotiated(session, people.buyer, data)
        assert field in error.value.fields
    assert count(demo, Order) == 0


def test_another_agencys_order_is_not_found(demo, people, code):
    order_id = negotiated(demo, people.buyer, code)
    other_supplier = publish(demo, people.supplier2, "나래 협업도구")
    assert other_supplier
    with demo.reading() as session:
        for who in (people.buyer2, people.supplier2, people.operator):
            with pytest.raises(NotFound):
                access.visible_order(session, who, order_id)
        assert access.orders_of(session, people.buyer2) == []
        assert access.orders_of(session, people.supplier2) == []
    with pytest.raises(NotFound):
        confirm(demo, people.buyer2, order_id)
    with pytest.raises(NotFound):
        change(demo, people.buyer2, order_id, [(60, 12, 10000)])


def test_a_stale_version_is_a_conflict(demo, people, code):
    order_id = contracted_order(demo, people, code)
    stale = order(demo, order_id).version
    change(demo, people.buyer, order_id, [(60, 12, 10000)])
    with demo.transaction() as session:
        proposal = access.pending_change(session.get(Order, order_id))
        assert proposal is not None
    with pytest.raises(Conflict), demo.transaction() as session:
        ending.terminate(session, people.buyer, order_id, stale, "사업 종료")


def test_two_concurrent_changes_one_wins_the_other_gets_409(demo, people, code):
    order_id = contracted_order(demo, people, code)
    version = order(demo, order_id).version
    barrier = threading.Barrier(2, timeout=20)
    outcomes: list[str] = []

    def propose(who, quantity):
        barrier.wait()  # both sent with the version they read, at the same moment
        try:
            with demo.transaction() as session:
                changing.propose_change(
                    session,
                    who,
                    order_id,
                    version,
                    changing.ChangeIn("증원", [changing.ChangeLineIn(0, quantity, 12, 10000)]),
                )
            outcomes.append("ok")
        except Conflict:
            outcomes.append("409")

    threads = [threading.Thread(target=propose, args=args) for args in ((people.buyer, 70), (people.supplier, 90))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["409", "ok"]
    assert count(demo, OrderVersion) == 2
