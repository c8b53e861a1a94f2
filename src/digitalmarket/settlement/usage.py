"""The supplier reports a month's usage of an order (이용실적) once the month has ended, which makes its
invoice (청구) at the agreed prices of the lines in force, and corrects a rejected invoice as a new revision.
The total invoiced for an order never passes the order's contract amount with VAT.

Each function runs in the caller's transaction, checks the state machine (`rules.move`), writes an audit
event and notifies the other side; the invoice's ``version`` makes two steps at once a 409.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..accounts.permissions import Actor
from ..contracting.orders.access import visible_order
from ..contracting.states import ORDER_STATE_LABELS, OrderState
from ..contracting.tables import Order
from ..core import audit
from ..core.clock import today_kst
from ..core.errors import Conflict, ValidationFailed
from ..core.i18n import N_, Text
from ..core.ids import next_code
from ..core.notifications import notify
from ..core.tables import utcnow
from . import rules
from .invoices import REPORTABLE, has_ended, period_end, require_side, visible_invoice
from .rules import COUNTED_STATES, InvoiceAction, InvoiceState, LineTerms
from .tables import Invoice, InvoiceItem, InvoiceRevision

MAX_NOTE = 2000


# --- the lines in force and the amounts ---------------------------------------------------------------------


def line_terms(order: Order) -> list[LineTerms]:
    return [
        LineTerms(
            line.position, line.item, line.unit, line.billing, line.quantity, line.months, line.unit_price, line.amount
        )
        for line in order.current_lines()
    ]


def _lock(session: Session, order: Order) -> None:
    """Serialise invoicing of one order (PostgreSQL; SQLite has a single writer), so that two reports at
    once cannot both pass the contract amount."""
    session.execute(select(Order.id).where(Order.id == order.id).with_for_update())


def invoiced_total(session: Session, order_id: int, excluding: int | None = None) -> int:
    query = select(func.coalesce(func.sum(Invoice.total), 0)).where(
        Invoice.order_id == order_id, Invoice.status.in_([str(s) for s in COUNTED_STATES])
    )
    if excluding is not None:
        query = query.where(Invoice.id != excluding)
    return int(session.scalar(query) or 0)


@dataclass(frozen=True)
class Priced:
    items: list[InvoiceItem]
    supply: int
    vat: int
    total: int


def _price(order: Order, month: str, quantities: dict[int, int | None], revision: int) -> Priced:
    """The items of a month's invoice at the agreed prices, or 422 naming each bad quantity
    (``lines.<position>.quantity``). Fixed-price lines bill their monthly share; no quantity is asked."""
    problems: dict[str, Text] = {}
    items = []
    for line in line_terms(order):
        index = rules.month_index(order.start_date, month)
        if line.billing == "fixed":
            quantity = line.quantity
        else:
            quantity = quantities.get(line.position)
            problem = rules.quantity_problem(quantity)
            if problem:
                problems[f"lines.{line.position}.quantity"] = problem
                continue
        items.append(
            InvoiceItem(
                revision=revision,
                position=line.position,
                item=line.item,
                unit=line.unit,
                billing=line.billing,
                quantity=quantity,
                unit_price=line.unit_price,
                amount=rules.item_amount(line, quantity, index),
            )
        )
    unknown = set(quantities) - {line.position for line in line_terms(order)}
    if unknown:
        problems["lines"] = N_("Report the usage of the lines of the contract in force only.")
    if problems:
        raise ValidationFailed(fields=problems)
    money = rules.invoice_amounts([item.amount for item in items])
    if money.total <= 0:
        raise ValidationFailed(
            fields={"lines": N_("The invoice comes to 0 won; report the usage of at least one line.")}
        )
    return Priced(items, money.supply, money.vat, money.total)


def _refuse_over_contract(session: Session, order: Order, total: int, excluding: int | None = None) -> None:
    already = invoiced_total(session, order.id, excluding)
    if rules.over_contract(already, total, order.total):
        raise Conflict(
            N_(
                "This invoice of %(total)s won would bring the total invoiced to %(sum)s won, above the contract "
                "amount of %(contract)s won with VAT. The contract must be changed (계약변경) first.",
                total=f"{total:,}",
                sum=f"{already + total:,}",
                contract=f"{order.total:,}",
            )
        )


def _note_problem(note: str) -> Text | None:
    if len((note or "").strip()) > MAX_NOTE:
        return N_("At most %(max)s characters.", max=MAX_NOTE)
    return None


# --- the supplier reports usage -----------------------------------------------------------------------------


@dataclass(frozen=True)
class UsageIn:
    month: str
    quantities: dict[int, int | None] = field(default_factory=dict)  # line position -> quantity
    note: str = ""


def report_usage(session: Session, actor: Actor, order_id: int, usage: UsageIn, now: datetime | None = None) -> Invoice:
    """이용실적: the supplier reports a month's usage of every line in force; the invoice follows."""
    now = now or utcnow()
    today = today_kst(now)
    order = visible_order(session, actor, order_id)
    require_side(actor, order, "supplier")
    if order.status not in REPORTABLE:
        raise Conflict(
            N_(
                "The contract is %(state)s; usage can be reported once it is in use.",
                state=ORDER_STATE_LABELS[OrderState(order.status)],
            )
        )
    problems: dict[str, Text] = {}
    month_problem = rules.month_problem(usage.month, order.start_date, period_end(order), today, has_ended(order))
    if month_problem:
        problems["month"] = month_problem
    note_problem = _note_problem(usage.note)
    if note_problem:
        problems["note"] = note_problem
    if problems:
        raise ValidationFailed(fields=problems)
    month = usage.month.strip()
    _lock(session, order)
    existing = session.scalar(select(Invoice).where(Invoice.order_id == order.id, Invoice.month == month))
    if existing is not None:
        raise Conflict(
            N_(
                "The usage of %(month)s is already reported (invoice %(code)s); if it was rejected, correct that "
                "invoice.",
                month=month,
                code=existing.code,
            )
        )
    priced = _price(order, month, usage.quantities, 1)
    _refuse_over_contract(session, order, priced.total)
    invoice = Invoice(
        code=next_code(session, "INV", today.year),
        order_id=order.id,
        month=month,
        status=InvoiceState.REPORTED,
        revision=1,
        supply_amount=priced.supply,
        vat=priced.vat,
        total=priced.total,
        reported_at=now,
        updated_at=now,
    )
    invoice.revisions = [
        InvoiceRevision(
            revision=1,
            supply_amount=priced.supply,
            vat=priced.vat,
            total=priced.total,
            note=(usage.note or "").strip(),
            reported_by=actor.user_id,
            reported_at=now,
        )
    ]
    invoice.items = priced.items
    session.add(invoice)
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="invoice.reported",
        object_type="invoice",
        object_id=invoice.id,
        details={"code": invoice.code, "order": order.code, "month": month, "total": invoice.total},
    )
    notify(
        session,
        [order.buyer_id],
        N_(
            "%(supplier)s reported the usage of %(month)s for order %(code)s (%(total)s won). Inspect it.",
            supplier=order.supplier.name,
            month=month,
            code=order.code,
            total=f"{invoice.total:,}",
        ),
        f"/invoices/{invoice.id}",
    )
    return invoice


def correct(
    session: Session,
    actor: Actor,
    invoice_id: int,
    version: int,
    usage: UsageIn,
    now: datetime | None = None,
) -> Invoice:
    """The supplier corrects a rejected invoice: a new revision, inspected again."""
    now = now or utcnow()
    invoice = visible_invoice(session, actor, invoice_id)
    order = invoice.order
    require_side(actor, order, "supplier")
    new_state = rules.move(invoice.status, InvoiceAction.CORRECT)
    problems: dict[str, Text] = {}
    if usage.month and usage.month.strip() != invoice.month:  # a correction is of the month it was reported for
        problems["month"] = N_(
            "A correction keeps the invoice's month (%(month)s); report another month's usage on its own.",
            month=invoice.month,
        )
    note_problem = _note_problem(usage.note)
    if note_problem:
        problems["note"] = note_problem
    if problems:
        raise ValidationFailed(fields=problems)
    _lock(session, order)
    revision = invoice.revision + 1
    priced = _price(order, invoice.month, usage.quantities, revision)
    _refuse_over_contract(session, order, priced.total, excluding=invoice.id)
    if invoice.version != version:
        raise Conflict()
    invoice.revisions.append(
        InvoiceRevision(
            revision=revision,
            supply_amount=priced.supply,
            vat=priced.vat,
            total=priced.total,
            note=(usage.note or "").strip(),
            reported_by=actor.user_id,
            reported_at=now,
        )
    )
    for item in priced.items:
        invoice.items.append(item)
    invoice.revision = revision
    invoice.status = new_state
    invoice.supply_amount, invoice.vat, invoice.total = priced.supply, priced.vat, priced.total
    invoice.reported_at = now
    invoice.updated_at = now
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="invoice.corrected",
        object_type="invoice",
        object_id=invoice.id,
        details={"code": invoice.code, "revision": revision, "total": invoice.total},
    )
    notify(
        session,
        [order.buyer_id],
        N_(
            "%(supplier)s corrected invoice %(invoice)s (%(month)s) of order %(code)s. Inspect it again.",
            supplier=order.supplier.name,
            invoice=invoice.code,
            month=invoice.month,
            code=order.code,
        ),
        f"/invoices/{invoice.id}",
    )
    return invoice
