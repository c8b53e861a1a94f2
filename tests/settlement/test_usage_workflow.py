"""Usage, inspection, the payment claim and payment through the workflows: a month reported once it has
ended, rejected, corrected, accepted, claimed and paid; the month and quantity rules; never above the
contract amount; overdue payments counted from the claim and flagged once; another agency or supplier
gets 404. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from digitalmarket.contracting.orders import ending
from digitalmarket.contracting.tables import Order
from digitalmarket.core.audit import AuditEvent
from digitalmarket.core.clock import today_kst
from digitalmarket.core.errors import Conflict, NotFound, ValidationFailed
from digitalmarket.core.files import DocumentStore
from digitalmarket.settlement import payment, rules, usage
from digitalmarket.settlement.invoices import implementation, invoices_of, overdue_invoices, visible_invoice
from digitalmarket.settlement.tables import Invoice
from tests.contracting.buying import contracted_order, people_of, plan_ids, publish
from tests.settlement.settling import (
    USERS,
    accept,
    at,
    claim,
    correct,
    invoice,
    messages_of,
    month_ended,
    month_of,
    next_month,
    order_in_use,
    pay,
    refused,
    reject,
    report,
)


@pytest.fixture
def store(tmp_path):
    return DocumentStore(tmp_path / "documents")


@pytest.fixture
def people(demo):
    return people_of(demo)


@pytest.fixture
def code(demo, people):
    return publish(demo, people.supplier, "가상웍스 그룹웨어")


@pytest.fixture
def order_id(demo, people, code, store):
    return order_in_use(demo, people, code, store)


def invoices(db) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(Invoice))


def actions(db, invoice_id: int) -> list[str]:
    with db.reading() as session:
        query = select(AuditEvent.action).where(
            AuditEvent.object_type == "invoice", AuditEvent.object_id == str(invoice_id)
        )
        return list(session.scalars(query.order_by(AuditEvent.id)))


def test_a_month_from_usage_to_payment_with_a_rejection_and_a_correction(demo, people, order_id):
    month = month_of(today_kst())
    ended = month_ended()  # the first day of the next month: the month of use has ended
    invoice_id = report(demo, people.supplier, order_id, month, {USERS: 45}, now=ended, note="11월 사용자 45명")
    first = invoice(demo, invoice_id)
    # 45 users x 10,000 won, and the set-up's monthly share of 4,000,000 / 12 (333,333 won)
    assert (first.status, first.revision, first.month) == ("reported", 1, month)
    assert [(i.item, i.quantity, i.amount) for i in first.current_items()] == [
        ("Standard", 45, 450_000),
        ("구축", 1, 333_333),
    ]
    assert (first.supply_amount, first.vat, first.total) == (783_333, 78_333, 861_666)
    assert any("reported the usage" in m for m in messages_of(demo, people.buyer.user_id))

    rejected = reject(demo, people.buyer, invoice_id, "이번 달 사용자는 40명입니다.", now=ended)
    assert rejected.status == "rejected"
    assert rejected.current_revision().rejection_reason == "이번 달 사용자는 40명입니다."
    assert any("rejected invoice" in m and "40명" in m for m in messages_of(demo, people.supplier.user_id))
    # in Korean: the particle follows the invoice's code, not the month in brackets, and one full stop
    korean = [m for m in messages_of(demo, people.supplier.user_id, "ko") if "반려했습니다" in m]
    code = rejected.code
    read_with_a_vowel = code[-1] in "2459"  # 이, 사, 오, 구
    assert korean == [f"미래행정부가 청구서 {code}({month}){'를' if read_with_a_vowel else '을'} 반려했습니다: "
                      "이번 달 사용자는 40명입니다. 정정해 주세요."]  # fmt: skip
    with refused(Conflict, "Rejected"):
        accept(demo, people.buyer, invoice_id, now=ended)

    corrected = correct(demo, people.supplier, invoice_id, {USERS: 40}, now=ended)
    assert (corrected.status, corrected.revision) == ("reported", 2)
    assert (corrected.supply_amount, corrected.vat, corrected.total) == (733_333, 73_333, 806_666)
    assert [r.total for r in corrected.revisions] == [861_666, 806_666]  # the first revision is kept
    assert [i.quantity for i in corrected.items_of(1)] == [45, 1]

    accepted = accept(demo, people.buyer, invoice_id, now=ended)
    assert (accepted.status, accepted.accepted_on, accepted.due_date) == ("accepted", ended.date(), None)
    assert any("File the payment claim" in m for m in messages_of(demo, people.supplier.user_id))
    with refused(Conflict, "not claimed the payment"):  # nothing to pay before the supplier's claim
        pay(demo, people.buyer, invoice_id, ended.date(), now=ended)

    claimed_at = month_ended(days=3)
    claimed = claim(demo, people.supplier, invoice_id, now=claimed_at)
    assert (claimed.status, claimed.claimed_at, claimed.claimed_by) == ("claimed", claimed_at, people.supplier.user_id)
    assert claimed.due_date == rules.due_date(claimed_at.date())  # counted from the claim, not the inspection
    assert any(
        "claimed the payment" in m and claimed.due_date.isoformat() in m
        for m in messages_of(demo, people.buyer.user_id)
    )
    with refused(Conflict, "Claimed"):
        claim(demo, people.supplier, invoice_id, now=claimed_at)
    for day, field in ((claimed_at.date() + timedelta(days=1), "future"), (ended.date(), "payment claim")):
        with pytest.raises(ValidationFailed) as caught:
            pay(demo, people.buyer, invoice_id, day, now=claimed_at)
        assert field in caught.value.fields["paid_on"].render("en")

    paid = pay(demo, people.buyer, invoice_id, claimed_at.date(), now=claimed_at)
    assert (paid.status, paid.paid_on) == ("paid", claimed_at.date())
    assert actions(demo, invoice_id) == [
        "invoice.reported",
        "invoice.rejected",
        "invoice.corrected",
        "invoice.accepted",
        "invoice.claimed",
        "invoice.paid",
    ]
    with demo.reading() as session:
        summary = implementation(session, session.get(Order, order_id), claimed_at.date())
    assert (summary.reported, summary.inspected, summary.paid, summary.outstanding) == (1, 1, 1, 0)
    assert (summary.paid_total, summary.contract_total) == (806_666, 11_000_000)


def test_a_month_is_reported_once_it_has_ended(demo, people, code, order_id, store):
    this_month, first_of_next = month_of(today_kst()), next_month(today_kst())
    with pytest.raises(ValidationFailed) as caught:
        report(demo, people.supplier, order_id, this_month, {USERS: 10})
    message = caught.value.fields["month"].render("en")
    assert f"from {first_of_next.isoformat()} (KST)" in message, message
    assert f"{first_of_next.isoformat()}부터" in caught.value.fields["month"].render("ko")
    with demo.reading() as session:
        summary = implementation(session, session.get(Order, order_id))
        assert summary.reportable == []  # the unfinished month is not offered
        assert summary.waiting == {this_month: first_of_next}
        assert implementation(session, session.get(Order, order_id), first_of_next).reportable == [this_month]
    assert invoices(demo) == 0
    # from the first day of the next month (in Korea) it can be reported
    report(demo, people.supplier, order_id, this_month, {USERS: 10}, now=month_ended())

    # an order that ended within the month (terminated today) reports its last month at once
    other = order_in_use(demo, people, code, store)
    with demo.transaction() as session:
        order = session.get(Order, other)
        ending.terminate(session, people.buyer, other, order.version, "사업 종료로 해지합니다.")
    report(demo, people.supplier, other, this_month, {USERS: 10})
    assert invoices(demo) == 2


def test_months_and_quantities_that_cannot_be_reported(demo, people, code, order_id, store):
    ended = month_ended()
    future = month_of(next_month(today_kst()))
    before = month_of(today_kst().replace(day=1) - timedelta(days=1))
    for month, expected in (
        (future, "once the month has ended"),
        (before, "contract period"),
        ("2026-13", "YYYY-MM"),
        ("", "YYYY-MM"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            report(demo, people.supplier, order_id, month, {USERS: 10}, now=ended)
        assert expected in caught.value.fields["month"].render("en")
    with pytest.raises(ValidationFailed) as caught:
        report(demo, people.supplier, order_id, month_of(today_kst()), {USERS: -3}, now=ended)
    assert "lines.0.quantity" in caught.value.fields
    with pytest.raises(ValidationFailed):
        report(demo, people.supplier, order_id, month_of(today_kst()), {}, now=ended)
    assert invoices(demo) == 0

    report(demo, people.supplier, order_id, month_of(today_kst()), {USERS: 50}, now=ended)
    with refused(Conflict, "already reported"):
        report(demo, people.supplier, order_id, month_of(today_kst()), {USERS: 50}, now=ended)
    # the next month can be reported once it has ended
    report(demo, people.supplier, order_id, future, {USERS: 50}, now=month_ended(next_month(today_kst())))
    assert invoices(demo) == 2

    # an order waiting for its start cannot be invoiced yet
    waiting = contracted_order(demo, people, code, start=today_kst() + timedelta(days=20))
    with refused(Conflict, "Contracted"):
        report(demo, people.supplier, waiting, month_of(today_kst()), {USERS: 1}, now=ended)


def test_the_total_invoiced_never_passes_the_contract_amount(demo, people, code, store):
    # 10 users for 2 months at 10,000 won: 200,000 won, 220,000 with VAT
    ended, second_ended = month_ended(), month_ended(next_month(today_kst()))
    order_id = order_in_use(demo, people, code, store, lines=[(plan_ids(demo, code)[0], 10, 2, 10_000)])
    with refused(Conflict, "above the contract amount of 220,000 won"):
        report(demo, people.supplier, order_id, month_of(today_kst()), {USERS: 21}, now=ended)
    assert invoices(demo) == 0
    first = report(demo, people.supplier, order_id, month_of(today_kst()), {USERS: 15}, now=ended)  # 165,000
    second_month = month_of(next_month(today_kst()))
    with refused(Conflict, "275,000 won"):
        report(demo, people.supplier, order_id, second_month, {USERS: 10}, now=second_ended)
    # a correction is checked the same way, without counting the invoice it replaces
    reject(demo, people.buyer, first, now=ended)
    with refused(Conflict, "contract amount"):
        correct(demo, people.supplier, first, {USERS: 21}, now=ended)
    assert correct(demo, people.supplier, first, {USERS: 12}, now=ended).total == 132_000
    second = report(demo, people.supplier, order_id, second_month, {USERS: 8}, now=second_ended)
    assert invoice(demo, second).total == 88_000  # 132,000 + 88,000 = the contract amount exactly


def test_overdue_counts_from_the_payment_claim_and_is_flagged_once(demo, people, order_id):
    ended = month_ended()
    late_id = report(demo, people.supplier, order_id, month_of(today_kst()), {USERS: 50}, now=ended)
    accept(demo, people.buyer, late_id, now=ended)
    # accepted without a claim: waiting for the supplier, never overdue however long it waits
    with demo.transaction() as session:
        assert payment.flag_overdue_invoices(session, ended.date() + timedelta(days=40)) == []
        assert overdue_invoices(session, ended.date() + timedelta(days=40)) == []
    # claimed ten days after the inspection: the 5 working days count from the claim
    claimed_at = month_ended(days=10)
    due = claim(demo, people.supplier, late_id, now=claimed_at).due_date
    assert due == rules.due_date(claimed_at.date()) > rules.due_date(ended.date())
    with demo.transaction() as session:
        assert payment.flag_overdue_invoices(session, due) == []  # the due date itself is still in time
    with demo.transaction() as session:
        flagged = payment.flag_overdue_invoices(session, due + timedelta(days=1))
    code = invoice(demo, late_id).code
    assert flagged == [code]
    for who in (people.buyer, people.operator):
        assert sum(f"invoice {code}" in m and "overdue" in m for m in messages_of(demo, who.user_id)) == 1
    with demo.transaction() as session:
        assert payment.flag_overdue_invoices(session, due + timedelta(days=5)) == []
        assert [i.code for i in overdue_invoices(session, due + timedelta(days=5))] == [code]
        assert implementation(session, session.get(Order, order_id), due + timedelta(days=5)).overdue == 1
    assert "invoice.overdue" in actions(demo, late_id)
    pay(demo, people.buyer, late_id, due + timedelta(days=3), now=at(due + timedelta(days=5)))
    with demo.reading() as session:
        assert overdue_invoices(session, due + timedelta(days=5)) == []


def test_another_agency_or_supplier_gets_not_found(demo, people, order_id):
    ended = month_ended()
    invoice_id = report(demo, people.supplier, order_id, month_of(today_kst()), {USERS: 50}, now=ended)
    with pytest.raises(NotFound):
        report(demo, people.supplier2, order_id, month_of(today_kst()), {USERS: 50}, now=ended)
    with pytest.raises(NotFound):
        report(
            demo, people.buyer, order_id, month_of(today_kst()), {USERS: 50}, now=ended
        )  # the agency does not report
    for stranger in (people.buyer2, people.supplier2, people.operator):
        with demo.reading() as session, pytest.raises(NotFound):
            visible_invoice(session, stranger, invoice_id)
    with pytest.raises(NotFound):
        accept(demo, people.buyer2, invoice_id)
    with pytest.raises(NotFound):
        accept(demo, people.supplier, invoice_id)  # the supplier does not inspect its own invoice
    with refused(Conflict, "once the agency has accepted"):
        claim(demo, people.supplier, invoice_id, now=ended)  # nothing to claim before the inspection
    accept(demo, people.buyer, invoice_id, now=ended)
    for who in (people.buyer, people.supplier2):  # only the order's supplier claims the payment
        with pytest.raises(NotFound):
            claim(demo, who, invoice_id, now=ended)
    with demo.reading() as session:
        assert invoices_of(session, people.buyer2) == []
        assert [i.id for i in invoices_of(session, people.buyer)] == [invoice_id]


def test_a_stale_version_is_refused(demo, people, order_id):
    invoice_id = report(demo, people.supplier, order_id, month_of(today_kst()), {USERS: 50}, now=month_ended())
    stale = invoice(demo, invoice_id).version
    reject(demo, people.buyer, invoice_id)
    with demo.transaction() as session, pytest.raises(Conflict):
        usage.correct(session, people.supplier, invoice_id, stale, usage.UsageIn("", {USERS: 40}))


def test_the_share_paid_is_told_to_a_tenth_and_never_rounded_up_to_all():
    from digitalmarket.settlement.invoices import Implementation

    def share(paid: int, total: int) -> str:
        fields = dict(months=[], reported=0, inspected=0, paid=0, unclaimed=0, outstanding=0, overdue=0)
        return Implementation(
            **fields, invoiced_total=paid, paid_total=paid, contract_total=total, reportable=[], waiting={}
        ).paid_percent

    assert share(8_267_358, 33_643_764) == "24.5"  # 24.57 %: not "24", which read as a quarter short
    assert share(33_643_763, 33_643_764) == "99.9"  # one won short of everything is not 100
    assert (share(33_643_764, 33_643_764), share(0, 33_643_764), share(0, 0)) == ("100", "0", "0")
