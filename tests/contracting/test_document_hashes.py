"""The order's documents show each SHA-256 so that a phone can read it: the list becomes one card per document
below 600 pixels, each hash shows its first 12 characters with the whole value as their title and, opened,
in a monospace block that wraps; the whole value stays in the markup for anyone to copy and check."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from digitalmarket.core.clock import today_kst
from digitalmarket.core.files import DocumentStore
from digitalmarket.settlement.tables import SettlementDocument
from tests.contracting.buying import people_of, publish
from tests.helpers import page_login
from tests.settlement.settling import USERS, accept, month_ended, month_of, order_in_use, report


def test_the_documents_of_an_order_show_their_hashes_readably_on_a_phone(demo, app, settings):
    people = people_of(demo)
    code = publish(demo, people.supplier, "가상웍스 그룹웨어")
    order_id = order_in_use(demo, people, code, DocumentStore.of(settings))
    invoice_id = report(demo, people.supplier, order_id, month_of(today_kst()), {USERS: 40}, now=month_ended())
    accept(demo, people.buyer, invoice_id, now=month_ended(days=1))
    with demo.reading() as session:
        kept = session.scalars(select(SettlementDocument.sha256).where(SettlementDocument.invoice_id == invoice_id))
        hashes = list(kept)
    assert hashes

    buyer = TestClient(app)
    page_login(buyer, "buyer@demo.kr")
    page = buyer.get(f"/orders/{order_id}").text
    table = page.split('id="documents"', 1)[1].split("</table>", 1)[0]
    assert "dm-stack" in table  # one card per document on a phone, each cell labelled
    assert table.count('data-label="SHA-256"') == table.count("<tr>") - 1  # every row but the header's
    for sha in hashes:
        cell = re.search(rf'<summary title="{sha}"><code class="dm-hash-short">{sha[:12]}…</code>', table)
        assert cell is not None, sha
        assert f'<code class="dm-hash dm-hash-whole">{sha}</code>' in table
    assert "SHA-256 전체 보기" in table
