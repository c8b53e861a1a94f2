"""A tax invoice (전자세금계산서) as XML in the form of the national standard (the 국세청 전자세금계산서 표준,
built on UN/CEFACT's Cross Industry Invoice: namespace
``urn:kr:or:kec:standard:Tax:ReusableAggregateBusinessInformationEntitySchemaModule:1:0``, root
``TaxInvoice``). Plain Python: the same tax invoice gives the same bytes.

The element names and their order follow the standard's structure as implementations of it use them:
``ExchangedDocument`` (the document's own id and time), ``TaxInvoiceDocument`` (승인번호 ``IssueID``, kind
``TypeCode``: 0101 세금계산서 일반, 0201 수정세금계산서 일반; 작성일자 ``IssueDateTime``; 수정사유
``AmendmentStatusCode`` 01-06; 영수/청구 ``PurposeCode`` 02 청구; 당초 승인번호 ``OriginalIssueID``),
``TaxInvoiceTradeSettlement`` (``InvoicerParty`` 공급자 and ``InvoiceeParty`` 공급받는자: ``ID``
registration number, ``NameText``, ``SpecifiedPerson/NameText`` representative,
``SpecifiedAddress/LineOneText``; ``SpecifiedPaymentMeans``; ``SpecifiedMonetarySummation``: 공급가액
``ChargeTotalAmount``, 세액 ``TaxTotalAmount``, 합계 ``GrandTotalAmount``) and one
``TaxInvoiceTradeLineItem`` per item. What it leaves out or approximates is in docs/settlement.md
(no XML signature, no 업태/종목, an approval number of this platform's, not one the NTS gave).
"""

from __future__ import annotations

from datetime import UTC
from xml.etree import ElementTree as ET

from ..core.clock import KST
from .tables import TaxInvoice

NAMESPACE = "urn:kr:or:kec:standard:Tax:ReusableAggregateBusinessInformationEntitySchemaModule:1:0"
TYPE_ORIGINAL = "0101"  # 세금계산서 / 일반
TYPE_AMENDED = "0201"  # 수정세금계산서 / 일반
PURPOSE_CLAIM = "02"  # 청구
PAYMENT_ON_CREDIT = "40"  # 외상미수금: paid after the claim


def _add(parent: ET.Element, name: str, text: object | None = None) -> ET.Element:
    child = ET.SubElement(parent, f"{{{NAMESPACE}}}{name}")
    if text is not None:
        child.text = str(text)
    return child


def _party(parent: ET.Element, name: str, number: str, party_name: str, person: str, address: str) -> None:
    party = _add(parent, name)
    _add(party, "ID", number.replace("-", ""))
    _add(party, "NameText", party_name)
    _add(_add(party, "SpecifiedPerson"), "NameText", person)
    _add(_add(party, "SpecifiedAddress"), "LineOneText", address)


def tax_invoice_xml(tax_invoice: TaxInvoice, original_number: str | None, invoice_code: str) -> bytes:
    """The tax invoice as UTF-8 XML; ``original_number`` is the approval number of the invoice an amended
    one amends."""
    ET.register_namespace("", NAMESPACE)
    root = ET.Element(f"{{{NAMESPACE}}}TaxInvoice")
    issued_at = tax_invoice.issued_at
    if issued_at.tzinfo is None:
        issued_at = issued_at.replace(tzinfo=UTC)
    exchanged = _add(root, "ExchangedDocument")
    _add(exchanged, "ID", tax_invoice.approval_number)
    _add(exchanged, "IssueDateTime", issued_at.astimezone(KST).strftime("%Y%m%d%H%M%S"))
    _add(_add(exchanged, "ReferencedDocument"), "ID", invoice_code)

    document = _add(root, "TaxInvoiceDocument")
    _add(document, "IssueID", tax_invoice.approval_number)
    _add(document, "TypeCode", TYPE_AMENDED if tax_invoice.kind == "amended" else TYPE_ORIGINAL)
    if tax_invoice.amendment_note:
        _add(document, "DescriptionText", tax_invoice.amendment_note)
    _add(document, "IssueDateTime", tax_invoice.issued_on.strftime("%Y%m%d"))
    if tax_invoice.kind == "amended":
        _add(document, "AmendmentStatusCode", f"{tax_invoice.amendment_code:02d}")
    _add(document, "PurposeCode", PURPOSE_CLAIM)
    if tax_invoice.kind == "amended" and original_number:
        _add(document, "OriginalIssueID", original_number)

    settlement = _add(root, "TaxInvoiceTradeSettlement")
    t = tax_invoice
    _party(
        settlement, "InvoicerParty", t.supplier_number, t.supplier_name, t.supplier_representative, t.supplier_address
    )
    _party(settlement, "InvoiceeParty", t.buyer_number, t.buyer_name, t.buyer_representative, t.buyer_address)
    means = _add(settlement, "SpecifiedPaymentMeans")
    _add(means, "TypeCode", PAYMENT_ON_CREDIT)
    _add(means, "PaidAmount", t.total)
    summation = _add(settlement, "SpecifiedMonetarySummation")
    _add(summation, "ChargeTotalAmount", t.supply_amount)
    _add(summation, "TaxTotalAmount", t.tax)
    _add(summation, "GrandTotalAmount", t.total)

    for item in t.items:
        line = _add(root, "TaxInvoiceTradeLineItem")
        _add(line, "SequenceNumeric", item.position)
        _add(line, "InvoiceAmount", item.supply_amount)
        _add(line, "ChargeableUnitQuantity", item.quantity)
        if item.specification:
            _add(line, "InformationText", item.specification)
        _add(line, "NameText", item.name)
        _add(line, "PurchaseExpiryDateTime", item.supplied_on.strftime("%Y%m%d"))
        _add(_add(line, "TotalTax"), "CalculatedAmount", item.tax)
        _add(_add(line, "UnitPrice"), "UnitAmount", item.unit_price)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
