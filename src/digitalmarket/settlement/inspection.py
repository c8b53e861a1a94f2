"""The agency inspects a reported invoice (검수): it accepts it, which issues the month's tax invoice
(`tax_invoices.issue`; its 검수조서 and the tax invoice's PDF and XML are made after commit by
`documents`), and the supplier may then claim the payment (`payment`), or rejects it with a reason, and
the supplier corrects it (`usage.correct`).

Each function runs in the caller's transaction, checks the state machine (`rules.move`), writes an audit
event and notifies the other side; the invoice's ``version`` makes two steps at once a 409.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ..accounts.permissions import Actor
from ..contracting.orders.access import organisation_users
from ..core import audit
from ..core.clock import today_kst
from ..core.errors import Conflict, ValidationFailed
from ..core.i18n import N_
from ..core.notifications import notify
from ..core.tables import utcnow
from ..signatures.authority import current_certificate, signer_for
from . import rules, tax_invoices
from .invoices import require_side, visible_invoice
from .rules import InvoiceAction
from .tables import Invoice


def accept(session: Session, actor: Actor, invoice_id: int, version: int, now: datetime | None = None) -> Invoice:
    """검수 passed: the supplier may now file the payment claim (대금청구)."""
    now = now or utcnow()
    today = today_kst(now)
    invoice = visible_invoice(session, actor, invoice_id)
    order = invoice.order
    require_side(actor, order, "agency")
    new_state = rules.move(invoice.status, InvoiceAction.ACCEPT)
    if invoice.version != version:
        raise Conflict()
    # the agency signs the 검수조서 after commit: a revoked or expired certificate is refused now (409);
    # the supplier signs the tax invoice with the certificate it has (one is issued on first need)
    signer_for(session, order.agency_id)
    if current_certificate(session, order.supplier_id) is None:
        signer_for(session, order.supplier_id)
    invoice.status = new_state
    invoice.accepted_on = today
    invoice.accepted_by = actor.user_id
    invoice.updated_at = now
    session.flush()
    tax_invoice = tax_invoices.issue(session, invoice, actor, now)
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="invoice.accepted",
        object_type="invoice",
        object_id=invoice.id,
        details={"code": invoice.code, "revision": invoice.revision, "tax_invoice": tax_invoice.approval_number},
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


def reject(
    session: Session, actor: Actor, invoice_id: int, version: int, reason: str, now: datetime | None = None
) -> Invoice:
    """검수 failed: the supplier is told why and corrects the invoice."""
    now = now or utcnow()
    invoice = visible_invoice(session, actor, invoice_id)
    order = invoice.order
    require_side(actor, order, "agency")
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
            reason=current.rejection_reason.rstrip(" ."),  # the message ends the sentence itself
        ),
        f"/invoices/{invoice.id}",
    )
    return invoice
