"""The demo trade of `seed-demo`: two years of catalog contracts, quotes, orders, invoices and reviews,
played through the workflows, give every role work on its pages and keep the audit chain whole.

Seeded once for the module (it makes every order's contract document, which takes a while), on SQLite.
"""

from collections import Counter

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from digitalmarket import cli
from digitalmarket.accounts.tables import Organisation
from digitalmarket.catalog.tables import Service
from digitalmarket.contracting.tables import CatalogContract, Order, Quote, QuoteRequest
from digitalmarket.core.clock import KST
from digitalmarket.core.settings import load_settings
from digitalmarket.settlement.tables import Invoice, Review
from tests.helpers import app_on, page_login

CONTRACTED = {"contracted", "active", "completed", "terminated"}


@pytest.fixture(scope="module")
def trade(demo_trade):
    """The seeded demo trade, shared with the page crawl (tests/web/test_page_crawl.py)."""
    return demo_trade


def test_orders_in_every_state_by_both_methods_mostly_with_smes(trade):
    db, _, counts = trade
    with db.reading() as session:
        orders = session.scalars(select(Order)).all()
        sizes = dict(session.execute(select(Organisation.id, Organisation.size)).all())
        assert 150 <= len(orders) <= 300
        assert {o.status for o in orders} >= {"draft", "contracted", "active", "completed", "terminated"}
        assert {o.method for o in orders} == {"negotiated", "delivery_request"}
        assert any(o.change_seq >= 1 for o in orders)
        contracted = [o for o in orders if o.status in CONTRACTED]
        assert sum(sizes[o.supplier_id] == "sme" for o in contracted) / len(contracted) > 0.7
        assert len({o.agency_id for o in orders}) >= 10 and len({o.supplier_id for o in orders}) >= 15
        assert min(o.created_at for o in orders).year == 2024
        assert max(o.total for o in orders) >= 100_000_000
        assert sorted(o.total for o in orders)[len(orders) // 2] >= 10_000_000
    assert counts["refused"] <= counts["steps"] // 50, counts


def test_no_service_is_traded_before_it_was_published_nor_before_the_year_of_its_code(trade):
    db, _, _ = trade
    with db.reading() as session:
        services = {s.id: s for s in session.scalars(select(Service))}
        first: dict[int, object] = {}
        for order in session.scalars(select(Order)):
            first[order.service_id] = min(order.created_at, first.get(order.service_id, order.created_at))
        for contract in session.scalars(select(CatalogContract)):
            first[contract.service_id] = min(contract.applied_at, first.get(contract.service_id, contract.applied_at))
        for request in session.scalars(select(QuoteRequest)):
            for quote in request.quotes:
                first[quote.service_id] = min(request.created_at, first.get(quote.service_id, request.created_at))
    assert len(first) >= 60
    too_early = [
        (services[sid].code, f"{moment.astimezone(KST):%Y-%m-%d}")
        for sid, moment in first.items()
        if moment < services[sid].published_at or int(services[sid].code.split("-")[1]) > moment.astimezone(KST).year
    ]
    assert too_early == []
    contracted_2024 = {s for s, moment in first.items() if moment.astimezone(KST).year == 2024}
    assert {services[s].code.split("-")[1] for s in contracted_2024} == {"2024"}


def test_catalog_contracts_amended_suspended_expired_and_queued(trade):
    db, _, _ = trade
    with db.reading() as session:
        contracts = session.scalars(select(CatalogContract)).all()
        states = Counter(c.status for c in contracts)
        assert 25 <= len(contracts) <= 40
        assert states["suspended"] == 1 and states["expired"] == 1 and states["contracted"] >= 20
        assert {"applied", "pps_review", "supplement_requested"} <= set(states)
        assert max(c.change_seq for c in contracts) >= 2
        assert sum(c.change_seq >= 1 for c in contracts) >= 4


def test_quotes_invoices_and_reviews(trade):
    db, _, _ = trade
    with db.reading() as session:
        quotes = Counter(q.status for q in session.scalars(select(Quote)))
        assert {"requested", "quoted", "declined", "awarded", "not_awarded"} <= set(quotes)
        invoices = session.scalars(select(Invoice)).all()
        states = Counter(i.status for i in invoices)
        assert states["paid"] > len(invoices) // 2 and states["claimed"] >= 1 and states["reported"] >= 1
        assert any(i.revision > 1 for i in invoices)
        assert any(i.paid_on and i.due_date and i.paid_on > i.due_date for i in invoices)
        assert any(i.status == "claimed" and i.overdue_flagged_at is not None for i in invoices)
        assert all(i.claimed_at is not None for i in invoices if i.status in ("claimed", "paid"))
        reviews = session.scalars(select(Review)).all()
        assert len(reviews) >= 20 and any(r.answer for r in reviews)
        assert sum(r.rating >= 4 for r in reviews) / len(reviews) > 0.7 and min(r.rating for r in reviews) <= 3


#: (account, page, what the page must show: a code of its work)
PAGES = [
    ("buyer@demo.kr", "/agency/orders", "ORD-"),
    ("buyer@demo.kr", "/agency/quote-requests", "QR-"),
    ("buyer@demo.kr", "/agency/invoices", "INV-"),
    ("supplier@demo.kr", "/supplier/quotes", "QR-"),
    ("supplier@demo.kr", "/supplier/orders", "ORD-"),
    ("officer@demo.kr", "/officer/catalog-contracts", "/officer/catalog-contracts/"),
    ("operator@demo.kr", "/operator/inquiries", "INQ-"),
    ("operator@demo.kr", "/operator/overdue-invoices", "INV-"),
]


def test_each_role_sees_work_on_its_pages(trade):
    db, settings, _ = trade
    with db.reading() as session:
        supplier = session.scalars(select(Organisation).where(Organisation.name == "(주)가상소프트")).one()
        buyer = session.scalars(select(Organisation).where(Organisation.name == "미래행정부")).one()
        open_requests = session.scalars(select(QuoteRequest).where(QuoteRequest.status == "open")).all()
        assert any(r.agency_id == buyer.id for r in open_requests)
        asked = [q for r in open_requests for q in r.quotes if q.supplier_id == supplier.id]
        assert any(q.status == "requested" for q in asked) and any(q.status == "quoted" for q in asked)
    with TestClient(app_on(settings, db), base_url="http://testserver") as client:
        for path, text in (("/notices", "정기 점검"), ("/help", "CSAP"), ("/demand-notices", "DN-")):
            response = client.get(path)
            assert response.status_code == 200 and text in response.text, path
        for email, path, text in PAGES:
            client.cookies.clear()
            assert page_login(client, email).status_code == 303
            response = client.get(path)
            assert response.status_code == 200, (email, path)
            assert text in response.text, (email, path)
        client.cookies.clear()
        page_login(client, "buyer@demo.kr")
        assert "견적" in client.get("/agency/quote-requests").text


def test_audit_verify_passes(trade, monkeypatch):
    db, settings, _ = trade
    monkeypatch.setenv("DM_DATABASE_URL", db.url)
    monkeypatch.setenv("DM_DATA_DIR", str(settings.data_dir))
    monkeypatch.setattr("digitalmarket.cli.environment.get_settings", load_settings)
    result = CliRunner().invoke(cli.app, ["audit-verify"])
    assert result.exit_code == 0, result.output


def test_every_demo_organisation_can_sign_today(trade):
    """Whoever confirms a contract in the demo today signs with a certificate valid today: those the two
    years issued on first need, as of their day, and one issued today for every organisation that never
    signed (`seed-demo` issues them last, after the history)."""
    from digitalmarket.core.tables import utcnow
    from digitalmarket.signatures.authority import current_certificate, refuse_unless_usable

    db, _, _ = trade
    with db.reading() as session:
        organisations = session.scalars(select(Organisation.id)).all()
        for organisation_id in organisations:
            row = current_certificate(session, organisation_id)
            assert row is not None, organisation_id
            refuse_unless_usable(row, utcnow())
        signed_before = [current_certificate(session, o).not_before.year for o in organisations]
        assert min(signed_before) == 2024  # the history's own, issued when its steps first signed
