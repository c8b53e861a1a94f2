"""Use cases of usage and payment: the supplier reports a month's usage of an order (이용실적) once the
month has ended, which makes its invoice (청구); the agency inspects it (검수: accept, or reject with a
reason, and the supplier corrects it as a new revision); the supplier files the payment claim (대금청구)
of an accepted invoice, and the agency records the payment (대금지급), due within 5 working days of the
claim; claimed invoices whose due date passed unpaid are flagged to the agency and the operator.

Each function runs in the caller's transaction, checks the state machine (`rules.move`), writes an audit
event and notifies the other side; the invoice's ``version`` makes two steps at once a 409. The total
invoiced for an order never passes the order's contract amount with VAT.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..accounts.permissions import Actor
from ..accounts.rules import Role
from ..accounts.tables import User
from ..contracting.orders.access import organisation_users, side_of, visible_order
from ..contracting.rules import ORDER_STATE_LABELS, OrderState
from ..contracting.tables import Order
from ..core import audit
from ..core.clock import today_kst
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.i18n import N_, Text
from ..core.ids import next_code
from ..core.notifications import notify
from ..core.tables import utcnow
from . import rules
from .rules import COUNTED_STATES, InvoiceAction, InvoiceState, LineTerms
from .tables import Invoice, InvoiceItem, InvoiceRevision

#: Orders whose usage can be reported: in use, or ended (the last months are reported afterwards).
REPORTABLE = (OrderState.ACTIVE, OrderState.COMPLETED, OrderState.TERMINATED)
MAX_NOTE = 2000


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


def _side(actor: Actor, order: Order, wanted: str) -> None:
    """The step is the ``wanted`` side's: the other party gets 404 like a stranger would."""
    if side_of(actor, order) != wanted:
        raise NotFound()


# --- the lines in force and the period ----------------------------------------------------------------------


def line_terms(order: Order) -> list[LineTerms]:
    return [
        LineTerms(
            line.position, line.item, line.unit, line.billing, line.quantity, line.months, line.unit_price, line.amount
        )
        for line in order.current_lines()
    ]


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
    _side(actor, order, "supplier")
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
                "The usage of %(month)s is already reported (invoice %(code)s); a rejected invoice is corrected "
                "on its own page.",
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
    _side(actor, order, "supplier")
    new_state = rules.move(invoice.status, InvoiceAction.CORRECT)
    note_problem = _note_problem(usage.note)
    if note_problem:
        raise ValidationFailed(fields={"note": note_problem})
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


# --- the agency inspects and pays ---------------------------------------------------------------------------


def accept(session: Session, actor: Actor, invoice_id: int, version: int, now: datetime | None = None) -> Invoice:
    """검수 passed: the supplier may now file the payment claim (대금청구)."""
    now = now or utcnow()
    today = today_kst(now)
    invoice = visible_invoice(session, actor, invoice_id)
    order = invoice.order
    _side(actor, order, "agency")
    new_state = rules.move(invoice.status, InvoiceAction.ACCEPT)
    if invoice.version != version:
        raise Conflict()
    invoice.status = new_state
    invoice.accepted_on = today
    invoice.accepted_by = actor.user_id
    invoice.updated_at = now
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="invoice.accepted",
        object_type="invoice",
        object_id=invoice.id,
        details={"code": invoice.code, "revision": invoice.revision},
    )
    notify(
        session,
        organisation_users(session, order.supplier_id),
        N_(
            "%(agency)s accepted invoice %(invoice)s (%(month)s). File the payment claim (대금청구): payment is "
            "due within 5 working days of it.",
            agency=order.agency.name,
            invoice=invoice.code,
            month=invoice.month,
        ),
        f"/invoices/{invoice.id}",
    )
    return invoice


def claim_payment(
    session: Session, actor: Actor, invoice_id: int, version: int, now: datetime | None = None
) -> Invoice:
    """대금청구: after the inspection the supplier claims the payment of the invoice; payment is due within
    5 working days of the claim (국가계약법 시행령 제58조)."""
    now = now or utcnow()
    invoice = visible_invoice(session, actor, invoice_id)
    order = invoice.order
    _side(actor, order, "supplier")
    if invoice.status in (InvoiceState.REPORTED, InvoiceState.REJECTED):
        raise Conflict(N_("The payment can be claimed once the agency has accepted the invoice in its inspection."))
    new_state = rules.move(invoice.status, InvoiceAction.CLAIM)
    if invoice.version != version:
        raise Conflict()
    invoice.status = new_state
    invoice.claimed_at = now
    invoice.claimed_by = actor.user_id
    invoice.claimant = session.get(User, actor.user_id)
    invoice.due_date = rules.due_date(today_kst(now))
    invoice.updated_at = now
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="invoice.claimed",
        object_type="invoice",
        object_id=invoice.id,
        details={"code": invoice.code, "total": invoice.total, "due_date": invoice.due_date.isoformat()},
    )
    notify(
        session,
        [order.buyer_id],
        N_(
            "%(supplier)s claimed the payment of invoice %(invoice)s (%(month)s, %(total)s won); pay it by %(due)s.",
            supplier=order.supplier.name,
            invoice=invoice.code,
            month=invoice.month,
            total=f"{invoice.total:,}",
            due=invoice.due_date.isoformat(),
        ),
        f"/invoices/{invoice.id}",
    )
    return invoice


def reject(
    session: Session, actor: Actor, invoice_id: int, version: int, reason: str, now: datetime | None = None
) -> Invoice:
    """검수 failed: the supplier is told why and corrects the invoice."""
    now = now or utcnow()
    invoice = visible_invoice(session, actor, invoice_id)
    order = invoice.order
    _side(actor, order, "agency")
    new_state = rules.move(invoice.status, InvoiceAction.REJECT)
    problem = rules.reason_problem(reason)
    if problem:
        raise ValidationFailed(fields={"reason": problem})
    if invoice.version != version:
        raise Conflict()
    current = invoice.current_revision()
    current.rejection_reason = reason.strip()
    current.rejected_by = actor.user_id
    current.rejected_at = now
    invoice.status = new_state
    invoice.updated_at = now
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="invoice.rejected",
        object_type="invoice",
        object_id=invoice.id,
        details={"code": invoice.code, "revision": invoice.revision, "reason": current.rejection_reason},
    )
    notify(
        session,
        organisation_users(session, order.supplier_id),
        N_(
            "%(agency)s rejected invoice %(invoice)s (%(month)s): %(reason)s. Correct it.",
            agency=order.agency.name,
            invoice=invoice.code,
            month=invoice.month,
            reason=current.rejection_reason,
        ),
        f"/invoices/{invoice.id}",
    )
    return invoice


def record_payment(
    session: Session, actor: Actor, invoice_id: int, version: int, paid_on: date | None, now: datetime | None = None
) -> Invoice:
    """대금지급: the agency records the day it paid a claimed invoice."""
    now = now or utcnow()
    today = today_kst(now)
    invoice = visible_invoice(session, actor, invoice_id)
    order = invoice.order
    _side(actor, order, "agency")
    if invoice.status == InvoiceState.ACCEPTED:
        raise Conflict(
            N_(
                "The supplier has not claimed the payment (대금청구) yet; payment is due within 5 working days of "
                "the claim."
            )
        )
    new_state = rules.move(invoice.status, InvoiceAction.PAY)
    problem = rules.payment_day_problem(paid_on, today_kst(invoice.claimed_at), today)
    if problem:
        raise ValidationFailed(fields={"paid_on": problem})
    if invoice.version != version:
        raise Conflict()
    invoice.status = new_state
    invoice.paid_on = paid_on
    invoice.paid_recorded_by = actor.user_id
    invoice.updated_at = now
    session.flush()
    late = paid_on > invoice.due_date
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="invoice.paid",
        object_type="invoice",
        object_id=invoice.id,
        details={"code": invoice.code, "paid_on": paid_on.isoformat(), "total": invoice.total, "late": late},
        occurred_at=now,
    )
    notify(
        session,
        organisation_users(session, order.supplier_id),
        N_(
            "%(agency)s paid invoice %(invoice)s (%(month)s, %(total)s won) on %(date)s.",
            agency=order.agency.name,
            invoice=invoice.code,
            month=invoice.month,
            total=f"{invoice.total:,}",
            date=paid_on.isoformat(),
        ),
        f"/invoices/{invoice.id}",
    )
    return invoice


# --- overdue payments ---------------------------------------------------------------------------------------


def operator_users(session: Session) -> list[int]:
    query = select(User.id).where(User.role == Role.OPERATOR, User.is_active)
    return list(session.scalars(query))


def flag_overdue_invoices(session: Session, today: date | None = None) -> list[str]:
    """Flag each claimed invoice whose due date passed unpaid, once: the agency's buyer and the
    operators are notified and an audit event is written. Returns the codes flagged now. Run daily."""
    today = today or today_kst()
    now = utcnow()
    flagged = []
    due = [invoice for invoice in overdue_invoices(session, today) if invoice.overdue_flagged_at is None]
    operators = operator_users(session)
    for invoice in due:
        order = invoice.order
        invoice.overdue_flagged_at = now
        session.flush()
        audit.record(
            session,
            actor_user_id=None,
            action="invoice.overdue",
            object_type="invoice",
            object_id=invoice.id,
            details={"code": invoice.code, "due_date": invoice.due_date.isoformat(), "total": invoice.total},
        )
        message = N_(
            "Payment of invoice %(invoice)s (%(agency)s, order %(code)s, %(total)s won) was due on %(due)s and is "
            "overdue.",
            invoice=invoice.code,
            agency=order.agency.name,
            code=order.code,
            total=f"{invoice.total:,}",
            due=invoice.due_date.isoformat(),
        )
        notify(session, [order.buyer_id], message, f"/invoices/{invoice.id}")
        # operators do not open invoices: theirs is the row of the overdue list
        notify(session, operators, message, f"/operator/overdue-invoices#{invoice.code}", kind="payment")
        flagged.append(invoice.code)
    return flagged


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
    def paid_percent(self) -> int:
        return self.paid_total * 100 // self.contract_total if self.contract_total else 0


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
