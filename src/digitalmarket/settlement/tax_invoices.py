"""Tax invoices (전자세금계산서) of accepted months: issued with the inspection (`issue`, called by
`inspection.accept` in its transaction: a row, nothing slow; the PDF and the XML are made after commit by
`documents`), and amended after issue (`amend`: 수정세금계산서 with its reason code, referring to the
original's approval number). The supplier issues and amends (공급자 발급); the agency receives.

Every field 부가가치세법 제32조 제1항 and 시행령 제67조 require is kept as it stood at issue: both parties'
registration numbers (the agency's 고유번호, or its agency code when it has none), names, representatives
and addresses, the date of issue (작성일자), the supply value, the tax and the items (the day supplied,
name, specification, quantity, unit price, supply value, tax).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.permissions import Actor
from ..accounts.tables import Organisation
from ..core import audit
from ..core.clock import today_kst
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.i18n import N_
from ..core.notifications import notify
from ..core.tables import utcnow
from ..signatures.authority import signer_for
from . import rules, tax_rules
from .invoices import require_side, visible_invoice
from .tables import Invoice, TaxInvoice, TaxInvoiceItem


def _number_of(organisation: Organisation) -> str:
    return organisation.business_number or organisation.agency_code or ""


def _parties(invoice: Invoice) -> dict:
    supplier, agency = invoice.order.supplier, invoice.order.agency
    return {
        "supplier_number": supplier.business_number or "",
        "supplier_name": supplier.name,
        "supplier_representative": supplier.representative or "",
        "supplier_address": supplier.address or "",
        "buyer_number": _number_of(agency),
        "buyer_name": agency.name,
        "buyer_representative": agency.representative or "",
        "buyer_address": agency.address or "",
    }


def _numbered(session: Session, tax_invoice: TaxInvoice) -> TaxInvoice:
    """Give a new tax invoice its approval number, made of its date and its id."""
    tax_invoice.approval_number = f"pending-{id(tax_invoice)}-{tax_invoice.invoice_id}"
    session.add(tax_invoice)
    session.flush()
    tax_invoice.approval_number = tax_rules.approval_number(tax_invoice.issued_on, tax_invoice.id)
    session.flush()
    return tax_invoice


def issue(session: Session, invoice: Invoice, actor: Actor, now: datetime) -> TaxInvoice:
    """The tax invoice of an accepted month, dated the day of the inspection (작성일자), one item per line
    of the accepted revision that bills something, supplied on the month's last day."""
    issued_on = today_kst(now)
    supplied_on = min(rules.month_end(invoice.month), issued_on)
    billed = [item for item in invoice.current_items() if item.amount]
    taxes = tax_rules.item_taxes([item.amount for item in billed], invoice.vat)
    tax_invoice = TaxInvoice(
        invoice_id=invoice.id,
        kind="original",
        issued_on=issued_on,
        issued_at=now,
        issued_by=actor.user_id,
        supply_amount=invoice.supply_amount,
        tax=invoice.vat,
        total=invoice.total,
        **_parties(invoice),
    )
    tax_invoice.items = [
        TaxInvoiceItem(
            position=number,
            supplied_on=supplied_on,
            name=item.item,
            specification=item.unit[:60],
            quantity=item.quantity,
            unit_price=item.unit_price,
            supply_amount=item.amount,
            tax=tax,
        )
        for number, (item, tax) in enumerate(zip(billed, taxes, strict=True), start=1)
    ]
    return _numbered(session, tax_invoice)


# --- reading ---------------------------------------------------------------------------------------------------


def tax_invoices_of(session: Session, invoice_id: int) -> list[TaxInvoice]:
    query = select(TaxInvoice).where(TaxInvoice.invoice_id == invoice_id).order_by(TaxInvoice.id)
    return list(session.scalars(query))


def remaining_supply(session: Session, original: TaxInvoice) -> int:
    """The supply value an original still stands at: its own plus its amendments'."""
    amendments = select(TaxInvoice).where(TaxInvoice.amends_id == original.id)
    return original.supply_amount + sum(found.supply_amount for found in session.scalars(amendments))


def visible_tax_invoice(session: Session, actor: Actor, tax_invoice_id: int) -> TaxInvoice:
    """A tax invoice for the two parties of its order; 404 for anyone else."""
    found = session.get(TaxInvoice, tax_invoice_id)
    if found is None:
        raise NotFound()
    visible_invoice(session, actor, found.invoice_id)
    return found


# --- amending ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AmendmentIn:
    code: int
    supply_change: int | None = None
    note: str = ""


def amend(
    session: Session, actor: Actor, tax_invoice_id: int, version: int, data: AmendmentIn, now: datetime | None = None
) -> list[TaxInvoice]:
    """수정세금계산서: the supplier corrects an issued tax invoice with a reason code (1-6); the amended
    invoices name the original's approval number. Returns the amended invoices made (two for code 1)."""
    now = now or utcnow()
    original = visible_tax_invoice(session, actor, tax_invoice_id)
    invoice = original.invoice
    require_side(actor, invoice.order, "supplier")
    if original.kind != "original":
        raise Conflict(N_("Amend the original tax invoice, not an amended one."))
    left = remaining_supply(session, original)
    problems = tax_rules.amendment_problems(data.code, data.supply_change, data.note, left)
    if problems:
        raise ValidationFailed(fields=problems)
    if original.version != version:
        raise Conflict()
    signer_for(session, invoice.order.supplier_id)  # it signs the amended invoices after commit
    made = [_amendment(session, original, actor, now, data, supply, invoice) for supply in _changes(data, left)]
    original.version += 1  # two amendments at once: the second is stale
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="tax_invoice.amended",
        object_type="tax_invoice",
        object_id=original.id,
        details={
            "invoice": invoice.code,
            "original": original.approval_number,
            "code": data.code,
            "amended": [found.approval_number for found in made],
            "supply_change": sum(found.supply_amount for found in made),
        },
    )
    notify(
        session,
        [invoice.order.buyer_id],
        N_(
            "%(supplier)s amended tax invoice %(number)s (%(reason)s).",
            supplier=invoice.order.supplier.name,
            number=original.approval_number,
            reason=tax_rules.AMENDMENT_REASONS[data.code],
        ),
        f"/invoices/{invoice.id}",
    )
    return made


def _changes(data: AmendmentIn, left: int) -> list[int | None]:
    """The supply value of each amended invoice: ``None`` restates the remaining value."""
    if data.code == 1:
        return [-left, None]
    if data.code in tax_rules.CANCELLING:
        return [-left]
    return [data.supply_change]


def _amendment(
    session: Session,
    original: TaxInvoice,
    actor: Actor,
    now: datetime,
    data: AmendmentIn,
    supply: int | None,
    invoice: Invoice,
) -> TaxInvoice:
    restated = supply is None
    supply = remaining_supply(session, original) if restated else supply
    parties = _parties(invoice) if restated else {key: getattr(original, key) for key in _parties(invoice)}
    whole = abs(supply) == original.supply_amount
    tax = (original.tax if supply > 0 else -original.tax) if whole else tax_rules.signed_tax(supply)
    # 작성일자: the original's for a correction of its details or a double issue, else the day of the change
    issued_on = original.issued_on if data.code in (1, 6) else today_kst(now)
    amended = TaxInvoice(
        invoice_id=original.invoice_id,
        kind="amended",
        amends_id=original.id,
        amendment_code=data.code,
        amendment_note=(data.note or "").strip(),
        issued_on=issued_on,
        issued_at=now,
        issued_by=actor.user_id,
        supply_amount=supply,
        tax=tax,
        total=supply + tax,
        **parties,
    )
    if whole:
        sign = 1 if supply > 0 else -1
        taxes = tax_rules.item_taxes([sign * item.supply_amount for item in original.items], tax)
        amended.items = [
            TaxInvoiceItem(
                position=item.position,
                supplied_on=item.supplied_on,
                name=item.name,
                specification=item.specification,
                quantity=sign * item.quantity,
                unit_price=item.unit_price,
                supply_amount=sign * item.supply_amount,
                tax=item_tax,
            )
            for item, item_tax in zip(original.items, taxes, strict=True)
        ]
    else:
        amended.items = [
            TaxInvoiceItem(
                position=1,
                supplied_on=issued_on,
                name=f"{tax_rules.AMENDMENT_REASONS[data.code]} ({invoice.month})",
                specification="",
                quantity=1,
                unit_price=supply,
                supply_amount=supply,
                tax=tax,
            )
        ]
    return _numbered(session, amended)


def original_of(session: Session, tax_invoice: TaxInvoice) -> TaxInvoice | None:
    return session.get(TaxInvoice, tax_invoice.amends_id) if tax_invoice.amends_id else None
