"""What waits in settlement (할 일): invoices to inspect and to pay for the agency, usage to report,
invoices to correct and payments to claim for the supplier, overdue payments for the operator.

Each function reads the columns it needs in one or two queries and applies settlement's own rules: the
payment is due within 5 working days of the claim (`rules.due_date`, stored on the invoice), overdue the
day after (`rules.is_overdue`); a month can be reported once it has ended (`rules.reportable_from`).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..catalog.tables import Service
from ..contracting.tables import Order
from ..core.i18n import N_
from ..core.todo import TodoItem, TodoKind, days_late, start_of
from . import invoices, rules
from .rules import InvoiceState
from .tables import Invoice

INSPECT = TodoKind("invoices_to_inspect", N_("Invoices waiting for your inspection"), "/agency/invoices")
PAY = TodoKind("payments_due", N_("Claimed invoices to pay within 5 working days"), "/agency/invoices")
OVERDUE = TodoKind("overdue_payments", N_("Overdue payments"), "/operator/overdue-invoices")
REPORT = TodoKind("usage_to_report", N_("Monthly usage to report"), "/supplier/orders")
CORRECT = TodoKind("invoices_to_correct", N_("Rejected invoices to correct"), "/supplier/invoices")
CLAIM = TodoKind("payments_to_claim", N_("Accepted invoices to claim payment for"), "/supplier/invoices")

_COLUMNS = (
    Invoice.id,
    Invoice.code,
    Invoice.month,
    Invoice.status,
    Invoice.reported_at,
    Invoice.accepted_on,
    Invoice.claimed_at,
    Invoice.due_date,
    Invoice.updated_at,
    Service.name,
)


def _invoices(session: Session, *where):
    query = (
        select(*_COLUMNS)
        .join(Order, Order.id == Invoice.order_id)
        .join(Service, Service.id == Order.service_id)
        .where(*where)
    )
    return session.execute(query).all()


def _title(row) -> str:
    return f"{row.code} · {row.name} · {row.month}"


def for_agency(session: Session, agency_id: int, today: date) -> list[TodoItem]:
    """Invoices waiting for the agency's inspection (검수), and claimed invoices to pay by their due date."""
    items = []
    for row in _invoices(
        session, Order.agency_id == agency_id, Invoice.status.in_([InvoiceState.REPORTED, InvoiceState.CLAIMED])
    ):
        if row.status == InvoiceState.REPORTED:
            items.append(TodoItem(INSPECT, _title(row), f"/invoices/{row.id}", row.reported_at))
        else:
            late = days_late(row.due_date, today) if rules.is_overdue(row.status, row.due_date, today) else 0
            items.append(TodoItem(PAY, _title(row), f"/invoices/{row.id}", row.claimed_at, row.due_date, late))
    return items


def for_operator(session: Session, today: date) -> list[TodoItem]:
    """Claimed invoices of every agency unpaid after their due date."""
    found = _invoices(session, Invoice.status == InvoiceState.CLAIMED, Invoice.due_date < today)
    return [
        TodoItem(OVERDUE, _title(row), OVERDUE.href, row.claimed_at, row.due_date, days_late(row.due_date, today))
        for row in found
        if rules.is_overdue(row.status, row.due_date, today)
    ]


def for_supplier(session: Session, supplier_id: int, today: date) -> list[TodoItem]:
    """Rejected invoices to correct, accepted ones to claim payment for, and months of use to report."""
    items = []
    for row in _invoices(
        session,
        Order.supplier_id == supplier_id,
        Invoice.status.in_([InvoiceState.REJECTED, InvoiceState.ACCEPTED]),
    ):
        if row.status == InvoiceState.REJECTED:
            items.append(TodoItem(CORRECT, _title(row), f"/invoices/{row.id}", row.updated_at))
        else:
            items.append(TodoItem(CLAIM, _title(row), f"/invoices/{row.id}", start_of(row.accepted_on)))
    return items + _usage_to_report(session, supplier_id, today)


def _usage_to_report(session: Session, supplier_id: int, today: date) -> list[TodoItem]:
    """Each month of use of the supplier's orders that has ended and has no invoice yet."""
    orders = session.scalars(
        select(Order).where(Order.supplier_id == supplier_id, Order.status.in_(invoices.REPORTABLE))
    ).all()
    if not orders:
        return []
    reported: dict[int, set[str]] = {}
    months = select(Invoice.order_id, Invoice.month).where(Invoice.order_id.in_([o.id for o in orders]))
    for order_id, month in session.execute(months):
        reported.setdefault(order_id, set()).add(month)
    items = []
    for order in orders:
        last = min(invoices.period_end(order), today)
        if last < order.start_date:
            continue
        for month in rules.months_between(order.start_date, last):
            ready = invoices.reportable_from(order, month)
            if month in reported.get(order.id, ()) or ready > today:
                continue
            title = f"{order.code} · {order.service.name} · {month}"
            items.append(TodoItem(REPORT, title, f"/orders/{order.id}/usage", start_of(ready)))
    return items
