"""The paperwork of an accepted month through the workflows: the 검수조서 appears after the inspection with
the month's figures, the inspector and the time in Korea, signed by the agency; the 대금청구서 after the
claim, due 5 working days after it (holidays not counted); the tax invoice with every field the law
requires, as a record, a PDF and XML in the national standard's form; an amended invoice naming the
original; stamp duty by bracket; a stranger cannot download. On SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import io
from datetime import date
from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader
from sqlalchemy import select

from digitalmarket.contracting.stamp_duty import BRACKETS, TOP_DUTY, stamp_duty
from digitalmarket.core import consumers
from digitalmarket.core.clock import today_kst
from digitalmarket.core.errors import Conflict, NotFound, ValidationFailed
from digitalmarket.core.files import DocumentStore
from digitalmarket.opendata.tables import OcdsRelease
from digitalmarket.settlement import documents, tax_invoices
from digitalmarket.settlement.tables import Invoice, SettlementDocument, TaxInvoice
from digitalmarket.settlement.tax_invoice_xml import NAMESPACE
from digitalmarket.signatures.authority import authority
from tests.contracting.buying import people_of, publish
from tests.helpers import api_token, csrf_from, page_login
from tests.settlement.settling import USERS, accept, at, claim, month_ended, month_of, order_in_use, pay, report

NS = {"t": NAMESPACE}


@pytest.fixture
def people(demo):
    return people_of(demo)


@pytest.fixture
def accepted(demo, people, settings):
    """An order in use whose month was reported with 40 users and accepted the day after the month ended."""
    code = publish(demo, people.supplier, "가상웍스 그룹웨어")
    order_id = order_in_use(demo, people, code, DocumentStore.of(settings))
    invoice_id = report(demo, people.supplier, order_id, month_of(today_kst()), {USERS: 40}, now=month_ended())
    accept(demo, people.buyer, invoice_id, now=month_ended(days=1))
    return order_id, invoice_id


def listed(db, invoice_id: int) -> dict[str, SettlementDocument]:
    with db.reading() as session:
        rows = session.scalars(select(SettlementDocument).where(SettlementDocument.invoice_id == invoice_id))
        return {row.kind: row for row in rows}


def stored(sha256: str) -> bytes:
    data = documents.installed_store().path_of(sha256).read_bytes()
    assert hashlib.sha256(data).hexdigest() == sha256
    return data


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def signatures_of(db, data: bytes) -> list[tuple[str, str]]:
    """Each signature of a PDF checked by pyHanko's validator against the platform's CA: (kind, signer),
    every one intact, valid and trusted."""
    from asn1crypto import x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
    from pyhanko_certvalidator import ValidationContext

    with db.reading() as session:
        ca = x509.Certificate.load(authority(session, "ca").certificate_der)
    found = []
    for sig in PdfFileReader(io.BytesIO(data)).embedded_signatures:
        context = ValidationContext(trust_roots=[ca], allow_fetching=False)
        if sig.sig_object.get("/Type") == "/DocTimeStamp":
            status = validate_pdf_timestamp(sig, validation_context=context)
            kind = "timestamp"
        else:
            status = validate_pdf_signature(sig, signer_validation_context=context)
            kind = "signature"
        assert status.intact and status.valid and status.trusted, status.pretty_print_details()
        found.append((kind, sig.signer_cert.subject.human_friendly))
    return found


def the_invoice(db, invoice_id: int) -> Invoice:
    with db.reading() as session:
        found = session.get(Invoice, invoice_id)
        _ = found.items, found.order.agency, found.order.supplier
        return found


def tax_invoices_of(db, invoice_id: int) -> list[TaxInvoice]:
    with db.reading() as session:
        found = tax_invoices.tax_invoices_of(session, invoice_id)
        for row in found:
            _ = row.items
        return found


def test_the_inspection_report_follows_the_acceptance_signed_by_the_agency(demo, people, accepted):
    _, invoice_id = accepted
    invoice = the_invoice(demo, invoice_id)
    found = listed(demo, invoice_id)
    assert {"inspection_report", "tax_invoice", "tax_invoice_xml"} <= set(found)
    assert "payment_claim" not in found  # the claim is the supplier's, later
    data = stored(found["inspection_report"].sha256)
    text = pdf_text(data)
    assert "검수조서" in text and invoice.order.code in text and invoice.code in text
    assert "400,000" in text  # 40 users at 10,000 won
    assert f"{invoice.total:,}" in text
    assert "검수자" in text and "(KST)" in text
    checked = signatures_of(demo, data)
    assert [kind for kind, _ in checked] == ["signature", "timestamp"]
    assert invoice.order.agency.name in checked[0][1]
    assert found["inspection_report"].signers and invoice.order.agency.name in found["inspection_report"].signers[0]


def test_a_replay_lists_the_same_documents_again(demo, people, accepted):
    _, invoice_id = accepted
    claim(demo, people.supplier, invoice_id, now=month_ended(days=2))
    before = {(kind, row.subject, row.version) for kind, row in listed(demo, invoice_id).items()}
    consumers.replay(demo, documents.CONSUMER)
    again = listed(demo, invoice_id)
    assert {(kind, row.subject, row.version) for kind, row in again.items()} == before
    assert all(stored(row.sha256) for row in again.values())  # signed anew, stored, listed by their hash


def test_the_claim_is_due_five_working_days_after_it_holidays_not_counted(demo, people, accepted):
    _, invoice_id = accepted
    # Friday 26 February 2027: the weekend and 삼일절 (Monday 1 March) are not counted
    claimed = claim(demo, people.supplier, invoice_id, now=at(date(2027, 2, 26)))
    assert claimed.due_date == date(2027, 3, 8)
    found = listed(demo, invoice_id)
    data = stored(found["payment_claim"].sha256)
    text = pdf_text(data)
    assert "대금청구서" in text and "2027년 3월 8일까지" in text and "시행령 제58조" in text
    assert "인지세" in text and "비과세" in text  # a contract of 10,000,000 won: 1천만원 이하
    checked = signatures_of(demo, data)
    assert [kind for kind, _ in checked] == ["signature", "timestamp"]
    assert claimed.order.supplier.name in checked[0][1]


def test_the_tax_invoice_has_every_field_the_law_requires_and_valid_xml(demo, people, accepted):
    _, invoice_id = accepted
    invoice = the_invoice(demo, invoice_id)
    (original,) = tax_invoices_of(demo, invoice_id)
    supplier, agency = invoice.order.supplier, invoice.order.agency
    assert (original.supplier_number, original.supplier_name) == (supplier.business_number, supplier.name)
    assert original.supplier_representative and original.supplier_address
    assert original.buyer_number and original.buyer_name == agency.name
    assert original.buyer_representative and original.buyer_address
    assert original.issued_on == invoice.accepted_on  # 작성일자
    assert (original.supply_amount, original.tax, original.total) == (invoice.supply_amount, invoice.vat, invoice.total)
    assert original.tax == original.supply_amount // 10
    assert sum(item.supply_amount for item in original.items) == original.supply_amount
    assert sum(item.tax for item in original.items) == original.tax
    assert all(item.supplied_on and item.name and item.unit_price >= 0 for item in original.items)
    assert len(original.approval_number) == 24 and original.approval_number.isdigit()

    found = listed(demo, invoice_id)
    root = ET.fromstring(stored(found["tax_invoice_xml"].sha256))
    assert root.tag == f"{{{NAMESPACE}}}TaxInvoice"
    assert root.findtext("t:TaxInvoiceDocument/t:IssueID", namespaces=NS) == original.approval_number
    assert root.findtext("t:TaxInvoiceDocument/t:TypeCode", namespaces=NS) == "0101"
    assert root.findtext("t:TaxInvoiceDocument/t:IssueDateTime", namespaces=NS) == original.issued_on.strftime("%Y%m%d")
    settlement = root.find("t:TaxInvoiceTradeSettlement", NS)
    assert settlement.findtext("t:InvoicerParty/t:ID", namespaces=NS) == supplier.business_number
    assert settlement.findtext("t:InvoiceeParty/t:NameText", namespaces=NS) == agency.name
    assert settlement.findtext("t:InvoicerParty/t:SpecifiedPerson/t:NameText", namespaces=NS)
    money = settlement.find("t:SpecifiedMonetarySummation", NS)
    assert [money.findtext(f"t:{name}", namespaces=NS) for name in ("ChargeTotalAmount", "TaxTotalAmount")] == [
        str(invoice.supply_amount),
        str(invoice.vat),
    ]
    assert len(root.findall("t:TaxInvoiceTradeLineItem", NS)) == len(original.items)
    text = pdf_text(stored(found["tax_invoice"].sha256))
    assert "전자세금계산서" in text and original.approval_number in text


def amend(db, actor, tax_invoice_id: int, code: int, change: int | None = None, note: str = ""):
    with db.reading() as session:
        version = session.get(TaxInvoice, tax_invoice_id).version
    with db.transaction() as session:
        made = tax_invoices.amend(session, actor, tax_invoice_id, version, tax_invoices.AmendmentIn(code, change, note))
        return [row.approval_number for row in made]


def test_an_amended_tax_invoice_refers_to_the_original(demo, people, accepted):
    _, invoice_id = accepted
    (original,) = tax_invoices_of(demo, invoice_id)
    with pytest.raises(NotFound):  # the agency receives tax invoices; it does not amend them
        amend(demo, people.buyer, original.id, 2, -100_000)
    with pytest.raises(ValidationFailed) as refused:
        amend(demo, people.supplier, original.id, 5)
    assert "내국신용장" in refused.value.fields["code"].render("ko")

    (number,) = amend(demo, people.supplier, original.id, 2, -100_000, "사용자 수 정정")
    amended = next(row for row in tax_invoices_of(demo, invoice_id) if row.approval_number == number)
    assert (amended.kind, amended.amends_id, amended.amendment_code) == ("amended", original.id, 2)
    assert (amended.supply_amount, amended.tax, amended.total) == (-100_000, -10_000, -110_000)
    xml = listed_xml(demo, invoice_id, number)
    assert xml.findtext("t:TaxInvoiceDocument/t:OriginalIssueID", namespaces=NS) == original.approval_number
    assert xml.findtext("t:TaxInvoiceDocument/t:AmendmentStatusCode", namespaces=NS) == "02"
    assert xml.findtext("t:TaxInvoiceDocument/t:TypeCode", namespaces=NS) == "0201"
    with pytest.raises(Conflict):
        amend(demo, people.supplier, amended.id, 6)

    cancelled = amend(demo, people.supplier, original.id, 6)  # issued twice by mistake: cancelled in full
    rows = {row.approval_number: row for row in tax_invoices_of(demo, invoice_id)}
    assert rows[cancelled[0]].supply_amount == -(original.supply_amount - 100_000)
    with pytest.raises(ValidationFailed):  # nothing is left to amend
        amend(demo, people.supplier, original.id, 2, -1)


def listed_xml(db, invoice_id: int, number: str) -> ET.Element:
    with db.reading() as session:
        row = session.scalars(
            select(SettlementDocument).where(
                SettlementDocument.subject == number, SettlementDocument.kind == "tax_invoice_xml"
            )
        ).one()
        assert row.invoice_id == invoice_id
    return ET.fromstring(stored(row.sha256))


def test_documents_are_listed_and_downloaded_by_the_parties_and_the_operator_only(demo, client, people, accepted):
    order_id, invoice_id = accepted
    tokens = {name: api_token(demo, f"{name}@demo.kr") for name in ("buyer", "supplier", "operator", "supplier2")}
    answer = client.get(f"/api/v1/orders/{order_id}/documents", headers=tokens["buyer"])
    assert answer.status_code == 200, answer.text
    kinds = {doc["kind"]: doc for doc in answer.json()["items"]}
    url, walked, cursor = f"/api/v1/orders/{order_id}/documents", [], None
    while True:  # a page at a time gives the same documents in the same order
        one = client.get(url, params={"limit": 1, "cursor": cursor}, headers=tokens["buyer"]).json()
        walked += one["items"]
        if (cursor := one["next_cursor"]) is None:
            break
    assert walked == answer.json()["items"]
    assert {"contract", "inspection_report", "tax_invoice", "tax_invoice_xml"} <= set(kinds)
    report_doc = kinds["inspection_report"]
    assert report_doc["signers"] and report_doc["version"] == 1 and len(report_doc["sha256"]) == 64
    for name in ("buyer", "supplier", "operator"):
        got = client.get(report_doc["download"], headers=tokens[name])
        assert got.status_code == 200, (name, got.text)
        assert hashlib.sha256(got.content).hexdigest() == report_doc["sha256"]
    stranger = client.get(report_doc["download"], headers=tokens["supplier2"])
    assert stranger.status_code == 404
    assert client.get(f"/api/v1/orders/{order_id}/documents", headers=tokens["supplier2"]).status_code == 404
    assert client.get(report_doc["download"]).status_code == 401


def test_the_order_page_lists_the_documents_with_their_hashes_and_the_stamp_duty(demo, app, people, accepted):
    order_id, invoice_id = accepted
    report_row = listed(demo, invoice_id)["inspection_report"]
    buyer = TestClient(app)
    page_login(buyer, "buyer@demo.kr")
    page = buyer.get(f"/orders/{order_id}")
    assert page.status_code == 200
    assert "계약·정산 문서" in page.text and report_row.sha256 in page.text and "검수조서" in page.text
    assert "계약서 인지세" in page.text and "기재금액 1천만원 이하" in page.text
    assert 'href="/verify"' in page.text  # where a downloaded document is checked
    download = buyer.get(f"/orders/{order_id}/paperwork/{report_row.sha256}")
    assert download.status_code == 200 and download.headers["content-type"] == "application/pdf"
    stranger = TestClient(app)
    page_login(stranger, "supplier2@demo.kr")
    assert stranger.get(f"/orders/{order_id}/paperwork/{report_row.sha256}").status_code == 404


def test_the_supplier_amends_a_tax_invoice_on_the_invoice_page(demo, app, people, accepted):
    _, invoice_id = accepted
    (original,) = tax_invoices_of(demo, invoice_id)
    supplier = TestClient(app)
    page_login(supplier, "supplier@demo.kr")
    page = supplier.get(f"/invoices/{invoice_id}")
    assert original.approval_number in page.text and "수정세금계산서 발급" in page.text
    form = {"csrf_token": csrf_from(supplier, f"/invoices/{invoice_id}"), "version": str(original.version)}
    refused = supplier.post(f"/tax-invoices/{original.id}/amend", data={**form, "code": "2"})
    assert refused.status_code == 422 and "증감액" in refused.text
    done = supplier.post(
        f"/tax-invoices/{original.id}/amend",
        data={**form, "code": "2", "supply_change": "-50,000", "note": "단가 정정"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    page = supplier.get(done.headers["location"])
    assert "02 공급가액 변동" in page.text and f"당초 승인번호 {original.approval_number}" in page.text
    buyer = TestClient(app)
    page_login(buyer, "buyer@demo.kr")
    seen = buyer.get(f"/invoices/{invoice_id}").text
    assert "02 공급가액 변동" in seen and "수정세금계산서 발급하기" not in seen  # the agency receives, never amends
    buyer.cookies.set("dm_lang", "en")
    assert "02 Change of the supply value (공급가액 변동)" in buyer.get(f"/invoices/{invoice_id}").text


def test_a_payment_publishes_the_documents_by_hash_never_their_content(demo, people, accepted):
    order_id, invoice_id = accepted
    claimed = claim(demo, people.supplier, invoice_id, now=month_ended(days=2))
    pay(demo, people.buyer, invoice_id, claimed.due_date, now=at(claimed.due_date))
    with demo.reading() as session:
        release = session.scalars(
            select(OcdsRelease).where(OcdsRelease.release_id.like(f"%payment-{claimed.code}"))
        ).one()
        data = release.data
    published = data["contracts"][0]["implementation"]["documents"]
    hashes = {doc["description"].removeprefix("SHA-256: ") for doc in published}
    assert {row.sha256 for row in listed(demo, invoice_id).values()} <= hashes
    assert {"contractSigned", "completionCertificate", "financialProgressReport"} <= {
        doc["documentType"] for doc in published
    }
    assert all("url" not in doc for doc in published)  # by hash: the content stays with the parties


# --- stamp duty (인지세법 제3조) ---------------------------------------------------------------------------

BOUNDS = [(10_000_000, 0, 20_000), (30_000_000, 20_000, 40_000), (50_000_000, 40_000, 70_000)]
BOUNDS += [(100_000_000, 70_000, 150_000), (1_000_000_000, 150_000, 350_000)]


@pytest.mark.parametrize(("bound", "at_bound", "above"), BOUNDS)
def test_stamp_duty_brackets_at_their_boundaries(bound, at_bound, above):
    assert stamp_duty(bound) == at_bound  # "이하": the bound itself is in the lower bracket
    assert stamp_duty(bound + 1) == above  # "초과"


@given(st.integers(min_value=0, max_value=10**13))
def test_stamp_duty_is_the_bracket_of_the_amount(amount):
    expected = next((duty for upper, duty in BRACKETS if amount <= upper), TOP_DUTY)
    assert stamp_duty(amount) == expected
    assert stamp_duty(amount) <= stamp_duty(amount + 1)
