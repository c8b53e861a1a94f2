"""The demo catalog of `seed-demo`: big enough, in every category, valid for the importer, and our own text."""

import json
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select

from digitalmarket.accounts.rules import is_valid_business_number
from digitalmarket.catalog import importer
from digitalmarket.catalog.rules import CLOUD_TYPES, SEED_CATEGORIES, ServiceType
from digitalmarket.catalog.tables import Category
from digitalmarket.demo.catalog_data import SUPPLIERS, demo_catalog
from tests.conftest import shared_dir

SEARCH_SAMPLE = shared_dir() / "data" / "search-dev" / "services.jsonl"

#: A newcomer's first searches after `make run`: each must match some demo service's own text.
FIRST_SEARCHES = (
    "화상회의",
    "전자결재",
    "챗봇",
    "인공지능",
    "백업",
    "가상 데스크톱",
    "VDI",
    "GIS",
    "인사급여",
    "보안관제",
    "클라우드 전환",
    "데이터베이스",
    "CDN",
    "이러닝",
    "민원",
    "IoT",
)


def test_the_demo_catalog_is_large_unique_and_deterministic():
    entries = demo_catalog()
    assert len(entries) >= 150
    names = Counter(e["name"] for e in entries)
    assert [name for name, n in names.items() if n > 1] == []
    assert len({e["ref"] for e in entries}) == len(entries)
    assert all(e["ref"].startswith("demo-") for e in entries)
    assert demo_catalog() == entries


def test_every_type_and_category_has_at_least_four_services():
    per_category = Counter((e["type"], e["category"]) for e in demo_catalog())
    for kind, categories in SEED_CATEGORIES.items():
        for name_ko, _ in categories:
            assert per_category[(kind.value, name_ko)] >= 4, (kind.value, name_ko)
    assert set(per_category) == {(k.value, name) for k, cats in SEED_CATEGORIES.items() for name, _ in cats}


def test_suppliers_are_fictional_companies_with_valid_numbers_mostly_small():
    suppliers = {e["supplier"]["business_number"]: e["supplier"] for e in demo_catalog()}
    assert len(suppliers) == len(SUPPLIERS) >= 15
    assert all(is_valid_business_number(number) for number in suppliers)
    sizes = Counter(s["size"] for s in suppliers.values())
    assert set(sizes) <= {"sme", "middle", "large"}
    assert sizes["sme"] / len(suppliers) > 0.7 and sizes["large"] >= 1


def test_cloud_services_carry_a_current_csap_certificate_and_realistic_prices():
    for entry in demo_catalog():
        if ServiceType(entry["type"]) in CLOUD_TYPES:
            csap = entry["csap"]
            assert csap["grade"] in {"상", "중", "하"}, entry["name"]
            assert date(2027, 1, 1) <= date.fromisoformat(csap["valid_until"]) <= date(2029, 12, 31)
        else:
            assert entry["csap"] is None
        for plan in entry["price_plans"]:
            price = plan["unit_price"]
            assert isinstance(price, int) and 1 <= price <= 10**12
            if plan["unit"] == "사용자/월" and entry["type"] == "SaaS":
                assert 2_000 <= price <= 35_000, (entry["name"], plan)
            if plan["unit"] == "vCPU/시간":
                assert 25 <= price <= 160, (entry["name"], plan)
            if plan["unit"] == "인월":
                assert 8_000_000 <= price <= 15_000_000, (entry["name"], plan)


@pytest.mark.parametrize("query", FIRST_SEARCHES)
def test_a_newcomers_first_searches_find_demo_services(query):
    def text(entry):
        return " ".join([entry["name"], entry["summary"], entry["description"], *entry["keywords"]]).lower()

    matches = [e for e in demo_catalog() if query.lower() in text(e)]
    assert len(matches) >= 2, query


def test_every_entry_passes_the_importers_checks(db):
    with db.reading() as session:
        categories = {(c.type, c.name_ko): c.id for c in session.scalars(select(Category))}
        for number, entry in enumerate(demo_catalog(), start=1):
            line = importer.parse_line(json.dumps(entry, ensure_ascii=False), "demo-catalog", number, categories)
            assert isinstance(line, importer.Line), line
            assert importer._check(session, line) is None, entry["name"]


@pytest.mark.skipif(not SEARCH_SAMPLE.exists(), reason="the shared search sample is not next to this checkout")
def test_no_text_of_the_search_sample_is_in_the_demo_data():
    sample = [json.loads(raw) for raw in SEARCH_SAMPLE.read_text(encoding="utf-8").splitlines() if raw.strip()]

    def norm(value: str) -> str:
        return " ".join(str(value).split())

    theirs = {norm(s.get(field, "")) for s in sample for field in ("name", "summary", "description")} - {""}
    ours = {norm(e[field]) for e in demo_catalog() for field in ("name", "summary", "description")}
    assert ours & theirs == set()
    their_names = {norm(s.get("name", "")) for s in sample} - {""}
    stems = {norm(e["name"].split(" ", 1)[1]) for e in demo_catalog()}
    assert stems & their_names == set()
