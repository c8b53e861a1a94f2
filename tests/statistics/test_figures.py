"""The statistics against figures worked out here, in Python, from the objects the workflows made (not by
running the same SQL again), on SQLite and PostgreSQL; the API and the page show them."""

from __future__ import annotations

import statistics as pystats
from collections import defaultdict

import pytest
from sqlalchemy import select

from digitalmarket.catalog.tables import Service
from digitalmarket.contracting.tables import Order, Quote, QuoteRequest
from digitalmarket.core.clock import KST
from digitalmarket.selection.tables import Application
from tests.statistics.market import build_market

CONTRACT_STATES = {"contracted", "active", "completed", "terminated"}


@pytest.fixture
def market(demo, tmp_path):
    return build_market(demo, tmp_path)


def _contracts(db, year=None) -> list[dict]:
    """Every contract as the tests count it: its amount is the total of the version whose number is the
    order's change_seq."""
    found = []
    with db.reading() as session:
        for o in session.scalars(select(Order)):
            if o.status not in CONTRACT_STATES:
                continue
            local = o.contracted_at.astimezone(KST)
            if year is not None and local.year != year:
                continue
            in_force = next(v for v in o.versions if v.seq == o.change_seq)
            found.append(
                {
                    "month": local.strftime("%Y-%m"),
                    "amount": in_force.total,
                    "type": o.service.type,
                    "agency_kind": o.agency.agency_kind,
                    "size": o.supplier.size,
                    "agency": o.agency_id,
                    "category": o.service.category.name_ko,
                }
            )
    return found


def _sums(contracts: list[dict], key: str) -> dict:
    sums = defaultdict(lambda: [0, 0])
    for c in contracts:
        sums[c[key]][0] += 1
        sums[c[key]][1] += c["amount"]
    return {k: tuple(v) for k, v in sums.items()}


def _quartiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) == 1:
        return (round(values[0], 1),) * 3
    q = pystats.quantiles(sorted(values), n=4, method="inclusive")
    return round(q[0], 1), round(q[1], 1), round(q[2], 1)


def _table(body: dict, key: str) -> dict:
    return next(t for t in body["tables"] if t["key"] == key)


def _by(table: dict, key: str = "code") -> dict:
    return {row[key]: row for row in table["rows"]}


def test_statistics_of_a_market_match_its_objects(client, demo, market):
    """One market (building it takes a while: every contract has its PDF), every figure checked."""
    for year in (None, 2025, 2026):
        _check_contract_figures(client, demo, year)
    _check_change_and_draft(demo, market)
    _check_lead_times_and_steps(client, demo, market)
    _check_page(client, demo)
    _check_page_in_english(client)


def _check_contract_figures(client, demo, year):
    body = client.get("/api/v1/statistics", params={"year": year} if year else {}).json()
    contracts = _contracts(demo, year)
    assert body["year"] == year
    assert body["years"] == [2026, 2025]

    overview = _by(_table(body, "overview"), "indicator")
    assert overview["contracts"]["value"] == len(contracts) == {None: 6, 2025: 2, 2026: 4}[year]
    assert overview["amount"]["value"] == sum(c["amount"] for c in contracts)
    assert overview["agencies"]["value"] == len({c["agency"] for c in contracts})
    assert overview["services"]["value"] == 3 and overview["suppliers"]["value"] == 3

    months = {r["month"]: (r["contracts"], r["amount"]) for r in _table(body, "contracts_by_month")["rows"]}
    expected_months = _sums(contracts, "month")
    assert {m: v for m, v in months.items() if v[0]} == expected_months
    assert all(v == (0, 0) for m, v in months.items() if m not in expected_months)  # gaps shown as zero
    if year == 2026:
        assert "2026-01" in expected_months  # 2026-01-01 05:00 in Korea (2025-12-31 in UTC)
        assert list(months)[0] == "2026-01"

    for table, key in (
        ("contracts_by_type", "type"),
        ("contracts_by_agency_kind", "agency_kind"),
        ("contracts_by_supplier_size", "size"),
    ):
        rows = {code: (r["contracts"], r["amount"]) for code, r in _by(_table(body, table)).items() if r["contracts"]}
        assert rows == _sums(contracts, key), table

    sizes = _by(_table(body, "contracts_by_supplier_size"))
    sme = _sums(contracts, "size").get("sme", (0, 0))
    total_amount = sum(c["amount"] for c in contracts)
    assert sizes["sme"]["contract_share"] == round(sme[0] * 100 / len(contracts), 1)
    assert sizes["sme"]["amount_share"] == round(sme[1] * 100 / total_amount, 1)
    assert body["sme_share"] == {"contracts": sizes["sme"]["contract_share"], "amount": sizes["sme"]["amount_share"]}

    top = _table(body, "top_categories")["rows"]
    categories = _sums(contracts, "category")
    assert {r["label"]: (r["contracts"], r["amount"]) for r in top} == categories
    assert [r["contracts"] for r in top] == sorted((r["contracts"] for r in top), reverse=True)


def _check_change_and_draft(demo, market):
    """A change counts with its new amount, a draft not at all."""
    with demo.reading() as session:
        changed = session.get(Order, market["orders"][3])
        draft = session.get(Order, market["draft"])
        assert changed.change_seq == 1 and draft.status == "draft"
        first, second = (v.total for v in changed.versions)
        assert second > first
    amounts = [c["amount"] for c in _contracts(demo)]
    assert second in amounts and first not in amounts


def _check_lead_times_and_steps(client, demo, market):
    with demo.reading() as session:
        applications = [session.get(Application, i) for i in market["applications"]]
        to_selection, in_state = [], defaultdict(list)
        for application in applications:
            events = sorted(application.events, key=lambda e: (e.occurred_at, e.id))
            submitted = min(e.occurred_at for e in events if e.action == "submit")
            selected = next(e.occurred_at for e in events if e.action == "select")
            to_selection.append((selected - submitted).total_seconds() / 86400)
            changes = [e for e in events if e.to_state != "draft" and e.from_state != e.to_state]
            for entered, left in zip(changes, changes[1:], strict=False):
                in_state[entered.to_state].append((left.occurred_at - entered.occurred_at).total_seconds() / 86400)
        asked = []
        for o in session.scalars(select(Order).where(Order.quote_id.is_not(None))):
            request = session.get(QuoteRequest, session.get(Quote, o.quote_id).request_id)
            asked.append((o.contracted_at - request.created_at).total_seconds() / 86400)

    body = client.get("/api/v1/statistics").json()
    lead = _by(_table(body, "lead_times"))
    selection = lead["application_to_selection"]
    assert selection["count"] == 3
    assert (selection["p25"], selection["median"], selection["p75"]) == _quartiles(to_selection)
    contract = lead["quote_request_to_contract"]
    assert contract["count"] == 1
    assert (contract["p25"], contract["median"], contract["p75"]) == _quartiles(asked) == (9.5, 9.5, 9.5)

    steps = _by(_table(body, "selection_steps"))
    assert set(steps) == set(in_state)
    for state, values in in_state.items():
        assert steps[state]["count"] == len(values), state
        assert (steps[state]["p25"], steps[state]["median"], steps[state]["p75"]) == _quartiles(values), state
    # The document check took 5, 9 and 3 days: the median is 5.
    assert steps["document_check"]["median"] == 5.0
    assert [r["code"] for r in _table(body, "selection_steps")["rows"]][:3] == [
        "submitted",
        "document_check",
        "accepted",
    ]

    in_2026 = _by(_table(client.get("/api/v1/statistics?year=2026").json(), "lead_times"))
    assert in_2026["application_to_selection"]["count"] == 1


def test_an_empty_market_has_zeros_and_no_spreads(client, demo):
    body = client.get("/api/v1/statistics").json()
    assert body["years"] == []
    assert _by(_table(body, "overview"), "indicator")["contracts"]["value"] == 0
    assert _table(body, "contracts_by_month")["rows"] == []
    lead = _by(_table(body, "lead_times"))
    assert lead["application_to_selection"] == {**lead["application_to_selection"], "count": 0, "median": None}
    assert body["sme_share"] == {"contracts": 0.0, "amount": 0.0}


def test_a_bad_year_is_refused_on_its_field(client, demo):
    response = client.get("/api/v1/statistics?year=twenty")
    assert response.status_code == 422
    assert "year" in response.json()["error"]["fields"]
    assert client.get("/api/v1/statistics?year=1999").status_code == 422
    english = client.get("/api/v1/statistics?year=1999", headers={"Accept-Language": "en"}).json()
    assert english["error"]["fields"]["year"] == "Choose a year from 2020 to 2100."
    far = client.get("/api/v1/statistics?year=99999").json()  # too late is told the same range, not "from 2020"
    assert far["error"]["fields"]["year"] == "2020년부터 2100년 사이의 연도를 고르세요."


def _check_page(client, demo):
    """Chart data, and the same numbers in the tables; a bad year next to its field."""
    page = client.get("/statistics?year=2025")
    assert page.status_code == 200
    html = page.text
    assert "<h1" in html and "통계" in html
    assert 'href="/statistics"' in html  # in the main menu
    body = client.get("/api/v1/statistics?year=2025").json()
    amount = _by(_table(body, "overview"), "indicator")["amount"]["value"]
    assert f"{amount:,}" in html
    assert 'id="stats-chart-data"' in html and "data-chart=" in html
    assert '<option value="2025" selected>' in html
    assert "/api/v1/exports/contracts.csv?year=2025&amp;lang=ko" in html
    assert "/api/v1/exports/catalog.xlsx?lang=ko" in html
    with demo.reading() as session:
        assert session.scalar(select(Service.id)) is not None

    bad = client.get("/statistics?year=abc")
    assert bad.status_code == 422
    assert 'id="field-year-error"' in bad.text and "dm-error-summary" in bad.text


def _check_page_in_english(client):
    client.cookies.set("dm_lang", "en")
    html = client.get("/statistics").text
    assert "Contracts by service type" in html and "Cloud software (SaaS)" in html
    assert "/api/v1/exports/statistics.csv?lang=en" in html
