"""An order's invoices as its two parties read them: who sees an invoice (the parties of its order; each
step is one side's), a side's invoices and the overdue ones, the months of an order that can be reported
and from when, and the order's implementation (its months with their invoices and the sums against the
contract), which the order page shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.permissions import Actor
from ..accounts.rules import Role
from ..contracting.orders.access import side_of
from ..contracting.states import OrderState
from ..contracting.tables import Order
from ..core.clock import today_kst
from ..core.errors import NotFound
from . import rules
from .rules import COUNTED_STATES, InvoiceState
from .tables import Invoice

#: Orders whose usage can be reported: in use, or ended (the last months are reported afterwards).
REPORTABLE = (OrderState.ACTIVE, OrderState.COMPLETED, OrderState.TERMINATED)


# --- who sees what ------------------------------------------------------------------------------------------


def visible_invoice(session: Session, actor: Actor, invoice_id: int) -> Invoice:
    """An invoice for the two parties of its order; 404 for anyone else."""
    invoice = session.get(Invoice, invoice_id)
    if invoice is None or side_of(actor, invoice.order) is None:
        raise NotFound()
    return invoice


def invoices_of_order(session: Session, order_id: int) -> list[Invoice]:
    query = select(Invoice).where(Invoice.order_id == order_id).order_by(Invoice.month)
    return list(session.scalars(query))


def invoices_of(session: Session, actor: Actor) -> list[Invoice]:
    """The invoices of the caller's organisation's orders, the latest month first."""
    if actor.role == Role.AGENCY_BUYER:
        where = Order.agency_id == actor.organisation_id
    elif actor.role == Role.SUPPLIER:
        where = Order.supplier_id == actor.organisation_id
    else:
        return []
    query = select(Invoice).join(Order, Order.id == Invoice.order_id).where(where)
    return list(session.scalars(query.order_by(Invoice.month.desc(), Invoice.id.desc())))


def overdue_invoices(session: Session, today: date) -> list[Invoice]:
    """Claimed invoices whose due date has passed unpaid, the oldest due first (an accepted invoice
    without a payment claim waits for the supplier and is not overdue)."""
    query = select(Invoice).where(Invoice.status == InvoiceState.CLAIMED, Invoice.due_date < today)
    return list(session.scalars(query.order_by(Invoice.due_date, Invoice.id)))


def require_side(actor: Actor, order: Order, wanted: str) -> None:
    """The step is the ``wanted`` side's: the other party gets 404 like a stranger would."""
    if side_of(actor, order) != wanted:
        raise NotFound()


# --- the period of an order ---------------------------------------------------------------------------------


def period_end(order: Order) -> date:
    """The last day usage can be billed for: the end of the period, or the day of an early termination."""
    if order.status == OrderState.TERMINATED:
        return min(order.end_date, today_kst(order.updated_at))
    return order.end_date


def has_ended(order: Order) -> bool:
    """The order has ended (completed or terminated): every month of it can be reported."""
    return order.status in (OrderState.COMPLETED, OrderState.TERMINATED)


def reportable_from(order: Order, month: str) -> date:
    """The first day (KST) the usage of a month of the order can be reported."""
    return rules.reportable_from(month, period_end(order), has_ended(order))


# --- what an order page shows -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthRow:
    month: str
    invoice: Invoice | None


@dataclass(frozen=True)
class Implementation:
    """An order's implementation: its months with their invoices and the sums against the contract."""

    months: list[MonthRow]
    reported: int
    inspected: int
    paid: int
    unclaimed: int  # accepted, waiting for the supplier's payment claim
    outstanding: int  # claimed, waiting for payment
    overdue: int
    invoiced_total: int
    paid_total: int
    contract_total: int
    reportable: list[str]  # months the supplier can report now
    waiting: dict[str, date]  # months of use not reportable yet -> the first day they can be reported

    @property
    def paid_percent(self) -> str:
        """The share paid of the contract amount, to a tenth, cut down (never 100 before it is all paid):
        "24.5", "100", "0"."""
        tenths = self.paid_total * 1000 // self.contract_total if self.contract_total else 0
        return f"{tenths // 10}" if tenths % 10 == 0 else f"{tenths // 10}.{tenths % 10}"


def implementation(session: Session, order: Order, today: date | None = None) -> Implementation:
    today = today or today_kst()
    invoices = {invoice.month: invoice for invoice in invoices_of_order(session, order.id)}
    last = min(period_end(order), today)
    months = rules.months_between(order.start_date, last) if last >= order.start_date else []
    for month in invoices:
        if month not in months:
            months.append(month)
    months.sort()
    counted = [i for i in invoices.values() if i.status in COUNTED_STATES]
    unreported = [m for m in months if m not in invoices] if order.status in REPORTABLE else []
    ready = {month: reportable_from(order, month) for month in unreported}
    return Implementation(
        months=[MonthRow(month, invoices.get(month)) for month in months],
        reported=len(invoices),
        inspected=sum(1 for i in invoices.values() if i.status in rules.INSPECTED_STATES),
        paid=sum(1 for i in invoices.values() if i.status == InvoiceState.PAID),
        unclaimed=sum(1 for i in invoices.values() if i.status == InvoiceState.ACCEPTED),
        outstanding=sum(1 for i in invoices.values() if i.status == InvoiceState.CLAIMED),
        overdue=sum(1 for i in invoices.values() if rules.is_overdue(i.status, i.due_date, today)),
        invoiced_total=sum(i.total for i in counted),
        paid_total=sum(i.total for i in invoices.values() if i.status == InvoiceState.PAID),
        contract_total=order.total,
        reportable=[month for month, day in ready.items() if day <= today],
        waiting={month: day for month, day in ready.items() if day > today},
    )
