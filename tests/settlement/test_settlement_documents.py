"""The paperwork of an accepted month through the workflows: the 검수조서 appears after the inspection with
the month's figures, the inspector and the time in Korea; the 대금청구서 after the claim, due 5 working
days after it; the tax invoice with every field the law requires, as a record, a PDF and XML in the
national standard's form; an amended invoice naming the original; stamp duty by bracket. On SQLite and
PostgreSQL."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from xml.etree import ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader
from sqlalchemy import select

from digitalmarket.contracting.stamp_duty import BRACKETS, TOP_DUTY, stamp_duty
from digitalmarket.core.clock import today_kst
from digitalmarket.core.errors import Conflict, NotFound, ValidationFailed
from digitalmarket.core.files import DocumentStore
from digitalmarket.settlement import documents, rules, tax_invoices
from digitalmarket.settlement.tables import SettlementDocument, TaxInvoice
from digitalmarket.settlement.tax_invoice_xml import NAMESPACE
from tests.contracting.buying import people_of, publish
from tests.settlement.settling import USERS, accept, at, claim, month_ended, month_of, order_in_use, report


@pytest.fixture
def store(tmp_path):
    return DocumentStore(tmp_path / "documents")


@pytest.fixture
def people(demo):
    return people_of(demo)


@pytest.fixture
def accepted(demo, people, store):
    """An order in use whose first month was reported and accepted the day after the month ended."""
    code = publish(demo, people.supplier, "가상웍스 그룹웨어")
    order_id = order_in_use(demo, people, code, store)
    month = month_of(today_kst())
    invoice_id = report(demo, people.supplier, order_id, month, {USERS: 40}, now=month_ended())
    accept(demo, people.buyer, invoice_id, now=month_ended(days=1))
    return order_id, invoice_id


def listed(db, invoice_id: int) -> dict[str, SettlementDocument]:
    with db.reading() as session:
        rows = session.scalars(select(SettlementDocument).where(SettlementDocument.invoice_id == invoice_id))
        return {row.kind + ("" if row.version == 1 else f"#{row.version}"): row for row in rows}


def stored(sha256: str) -> bytes:
    data = documents.installed_store().path_of(sha256).read_bytes()
    assert hashlib.sha256(data).hexdigest() == sha256
    return data


def pdf_text(data: bytes) -> str:
    import io

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_inspection_report_follows_the_acceptance_with_the_months_figures(demo, people, accepted):
    order_id, invoice_id = accepted
    found = listed(demo, invoice_id)
    assert {"inspection_report", "tax_invoice", "tax_invoice_xml"} <= set(found)
    text = pdf_text(stored(found["inspection_report"].sha256))
    assert "검수조서" in text
    assert "400,000" in text  # 40 users at 10,000 won
    assert "(KST)" in text
    assert "payment_claim" not in found  # the claim comes from the supplier, later
