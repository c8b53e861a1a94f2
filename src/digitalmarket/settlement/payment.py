"""The payment of an accepted invoice: the supplier files the payment claim (대금청구) and the agency
records the payment (대금지급), due within 5 working days of the claim; claimed invoices whose due date
passed unpaid are flagged to the agency and the operator, once, by a daily run.

Each function runs in the caller's transaction, checks the state machine (`rules.move`), writes an audit
event and notifies the other side; the invoice's ``version`` makes two steps at once a 409.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.permissions import Actor
from ..accounts.rules import Role
from ..accounts.tables import User
from ..contracting.orders.access import organisation_users
from ..core import audit
from ..core.clock import today_kst
from ..core.errors import Conflict, ValidationFailed
from ..core.i18n import N_
from ..core.notifications import notify
from ..core.tables import utcnow
from ..signatures.authority import signer_for
from . import rules
from .invoices import overdue_invoices, require_side, visible_invoice
from .rules import InvoiceAction, InvoiceState
from .tables import Invoice


def claim_payment(
    session: Session, actor: Actor, invoice_id: int, version: int, now: datetime | None = None
) -> Invoice:
    """대금청구: after the inspection the supplier claims the payment of the invoice; payment is due within
    5 working days of the claim (국가계약법 시행령 제58조)."""
    now = now or utcnow()
    invoice = visible_invoice(session, actor, invoice_id)
    order = invoice.order
    require_side(actor, order, "supplier")
    if invoice.status in (InvoiceState.REPORTED, InvoiceState.REJECTED):
        raise Conflict(N_("The payment can be claimed once the agency has accepted the invoice in its inspection."))
    new_state = rules.move(invoice.status, InvoiceAction.CLAIM)
    if invoice.version != version:
        raise Conflict()
    signer_for(session, order.supplier_id)  # it signs the 대금청구서 after commit: 409 when it cannot
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


def record_payment(
    session: Session, actor: Actor, invoice_id: int, version: int, paid_on: date | None, now: datetime | None = None
) -> Invoice:
    """대금지급: the agency records the day it paid a claimed invoice."""
    now = now or utcnow()
    today = today_kst(now)
    invoice = visible_invoice(session, actor, invoice_id)
    order = invoice.order
    require_side(actor, order, "agency")
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
