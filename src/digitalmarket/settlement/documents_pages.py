"""The documents of an order as a browser downloads them: ``/orders/{id}/paperwork/{sha256}`` for both
parties and the operator (anyone else: 404). The order page lists them in its implementation section
(`settlement_pages.order_page_section`). The invoice page lists its tax invoices (`tax_invoice_context`),
and the supplier amends one there (``POST /tax-invoices/{id}/amend``: 수정세금계산서)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from ..accounts.access import database, page_access
from ..accounts.permissions import SUPPLIERS, Actor, roles
from ..accounts.rules import Role
from ..core.errors import DomainError
from ..core.files import DocumentStore, attachment
from ..core.forms import Form, redirect, version_of
from ..core.i18n import N_, Text
from ..core.paths import Id
from ..core.templating import csrf_protect
from . import paperwork, tax_invoices, tax_rules

PARTIES_AND_STAFF = roles(Role.AGENCY_BUYER, Role.SUPPLIER, Role.OPERATOR, Role.ADMIN)
Sha256 = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]
router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


@router.get("/orders/{order_id}/paperwork/{sha256}")
def order_paperwork(
    request: Request, order_id: Id, sha256: Sha256, actor: Actor = Depends(page_access(PARTIES_AND_STAFF))
):
    with database(request).reading() as session:
        doc = paperwork.document_by_hash(session, actor, order_id, sha256)
    return attachment(DocumentStore.of_request(request).path_of(doc.sha256), doc.filename, doc.media_type)


# --- the tax invoices of an invoice -------------------------------------------------------------------------

#: The reasons of `tax_rules.AMENDMENT_REASONS` as the reader reads them (the statutory term in Korean).
AMENDMENT_LABELS: dict[int, Text] = {
    1: N_("Correction of an entry (기재사항 착오·정정)"),
    2: N_("Change of the supply value (공급가액 변동)"),
    3: N_("Goods returned (환입)"),
    4: N_("Contract cancelled (계약의 해제)"),
    5: N_("Local letter of credit opened later (내국신용장 사후개설)"),
    6: N_("Issued twice by mistake (착오에 의한 이중발급)"),
}
#: The reasons a supplier may choose on the page (5, 내국신용장, never applies to a digital service).
OFFERED_REASONS = [code for code in tax_rules.AMENDMENT_REASONS if code != 5]


def tax_invoice_context(session, invoice, side: str | None) -> dict:
    """What the invoice page shows of its tax invoices: each one (the original first) with the approval
    number it amends, and the original the supplier may still amend."""
    found = tax_invoices.tax_invoices_of(session, invoice.id)
    numbers = {row.id: row.approval_number for row in found}
    original = next((row for row in found if row.kind == "original"), None)
    amendable = original is not None and side == "supplier" and tax_invoices.remaining_supply(session, original) > 0
    return {
        "tax_invoices": [(row, numbers.get(row.amends_id)) for row in found],
        "amendable": original if amendable else None,
        "amendment_options": [(code, f"{code:02d} {AMENDMENT_LABELS[code].render()}") for code in OFFERED_REASONS],
        "amendment_reasons": {code: label.render() for code, label in AMENDMENT_LABELS.items()},
    }


def _whole(text: str) -> int | None:
    text = (text or "").replace(",", "").strip()
    try:
        return int(text) if text else None
    except ValueError:
        return None


@router.post("/tax-invoices/{tax_invoice_id}/amend")
def tax_invoice_amend(request: Request, tax_invoice_id: Id, form: Form, actor: Actor = Depends(page_access(SUPPLIERS))):
    from . import settlement_pages  # the invoice page, shown again with the fields' messages

    code = _whole(form.get("code", ""))
    data = tax_invoices.AmendmentIn(
        code if code is not None else 0, _whole(form.get("supply_change", "")), form.get("note", "")
    )
    with database(request).reading() as session:
        invoice_id = tax_invoices.visible_tax_invoice(session, actor, tax_invoice_id).invoice_id
    try:
        with database(request).transaction() as session:
            tax_invoices.amend(session, actor, tax_invoice_id, version_of(form), data)
    except DomainError as error:
        if error.status == 404:
            raise
        known = {"code", "supply_change", "note"}
        errors = settlement_pages._errors(error, known)
        return settlement_pages._invoice_page(request, actor, invoice_id, errors, form, error.status)
    return redirect(f"/invoices/{invoice_id}", "tax_invoice_amended")
