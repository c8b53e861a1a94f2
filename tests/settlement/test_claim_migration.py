"""Invoices inspected before payment claims existed (migration 0013): those waiting for payment become
claimed at their inspection, keeping their due dates, so that they stay overdue when they were; paid ones
show the same claim. The invoices are made through the workflows, the schema taken back to 0012 and
brought up again with them in it. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from digitalmarket.core.audit import AuditEvent
from digitalmarket.core.clock import today_kst
from digitalmarket.core.files import DocumentStore
from digitalmarket.core.migrate import downgrade, upgrade
from digitalmarket.settlement import payment
from tests.contracting.buying import people_of, publish
from tests.settlement.settling import (
    USERS,
    accept,
    claim,
    invoice,
    month_ended,
    month_of,
    next_month,
    order_in_use,
    pay,
    report,
)


@pytest.fixture
def people(demo):
    return people_of(demo)


def inspected_at(db, invoice_id: int):
    with db.reading() as session:
        query = select(AuditEvent.occurred_at).where(
            AuditEvent.object_type == "invoice",
            AuditEvent.object_id == str(invoice_id),
            AuditEvent.action == "invoice.accepted",
        )
        return session.scalar(query)


def test_invoices_inspected_before_claims_count_as_claimed_at_their_inspection(demo, people, tmp_path):
    code = publish(demo, people.supplier, "가상웍스 그룹웨어")
    order_id = order_in_use(demo, people, code, DocumentStore(tmp_path / "documents"))
    first, second = month_ended(), month_ended(next_month(today_kst()))
    waiting = report(demo, people.supplier, order_id, month_of(today_kst()), {USERS: 50}, now=first)
    paid = report(demo, people.supplier, order_id, month_of(next_month(today_kst())), {USERS: 40}, now=second)
    for invoice_id, now in ((waiting, first), (paid, second)):
        accept(demo, people.buyer, invoice_id, now=now)
        claim(demo, people.supplier, invoice_id, now=now)
    pay(demo, people.buyer, paid, second.date(), now=second)
    due = invoice(demo, waiting).due_date

    downgrade(demo.engine, "0012")  # as before claims: accepted (due from the inspection) and paid
    upgrade(demo.engine)

    before, after = invoice(demo, waiting), invoice(demo, paid)
    assert (before.status, before.due_date, before.claimed_by) == ("claimed", due, None)
    assert before.claimed_at == inspected_at(demo, waiting)
    assert (after.status, after.claimed_at) == ("paid", inspected_at(demo, paid))
    with demo.transaction() as session:  # still overdue the day after its due date, and payable
        assert payment.flag_overdue_invoices(session, due + timedelta(days=1)) == [before.code]
    assert pay(demo, people.buyer, waiting, due, now=month_ended(days=20)).status == "paid"
