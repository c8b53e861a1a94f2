"""OCDS releases of the workflows' events, written after commit, on SQLite and PostgreSQL: one per event,
valid against the official 1.1.5 schema (closed code lists included), never changed once written, free of
personal data, served as release and record packages, and written again, the same, from the log by the
backfill."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from digitalmarket.contracting.catalog_contracts import officer_steps
from digitalmarket.core.files import DocumentStore
from digitalmarket.opendata import follow
from digitalmarket.opendata.tables import OcdsRelease, ReleaseIsImmutable
from tests.contracting.buying import people_of
from tests.opendata.ocds_schema import assert_valid, release_schema
from tests.opendata.publishing import all_releases, private_words, step, text_of, whole_history

PREFIX = "ocds-xxxxxx"


@pytest.fixture
def store(tmp_path):
    return DocumentStore(tmp_path / "documents")


@pytest.fixture
def people(demo):
    return people_of(demo)


@pytest.fixture
def history(demo, people, store):
    return whole_history(demo, people, store)


def _package(release: dict) -> dict:
    return {
        "uri": f"https://example.kr/api/v1/ocds/releases/{release['ocid']}",
        "version": "1.1",
        "publishedDate": release["date"],
        "publisher": {"name": "디지털서비스 마켓"},
        "releases": [release],
    }


def test_every_event_is_one_valid_release(demo, history):
    rows = all_releases(demo)
    order_ocid = f"{PREFIX}-{history.order_code}"
    framework = f"{PREFIX}-{history.contract_number}"
    by_ocid: dict[str, list[str]] = {}
    for row in rows:
        by_ocid.setdefault(row.ocid, []).append(row.release_id.removeprefix(row.ocid + "-"))
        assert_valid("release-package-schema.json", _package(row.data))
    assert by_ocid == {
        framework: ["contract", "amendment-1", "suspension-1", "resumption-1"],
        order_ocid: ["award", "contract", "amendment-1", f"payment-{history.invoice_code}", "termination"],
    }
    tags = {row.release_id.removeprefix(row.ocid + "-"): row.data["tag"] for row in rows if row.ocid == order_ocid}
    assert tags == {
        "award": ["award"],
        "contract": ["contract"],
        "amendment-1": ["contractAmendment"],
        f"payment-{history.invoice_code}": ["implementation"],
        "termination": ["contractTermination"],
    }


def test_an_order_is_a_process_pointing_to_its_framework(demo, history):
    rows = {
        r.release_id.rsplit("-", 1)[-1] if "payment" not in r.release_id else "payment": r.data
        for r in all_releases(demo)
        if r.ocid.endswith(history.order_code)
    }
    award = rows["award"]
    assert award["tender"]["procurementMethod"] == "selective"  # a delivery request (납품요구)
    assert "납품요구" in award["tender"]["procurementMethodDetails"]
    assert award["relatedProcesses"] == [
        {
            "id": "framework",
            "relationship": ["framework"],
            "title": f"카탈로그 계약 {history.contract_number}",
            "scheme": "ocid",
            "identifier": f"{PREFIX}-{history.contract_number}",
        }
    ]
    roles = {p["name"]: p["roles"] for p in award["parties"]}
    assert roles == {"미래행정부": ["buyer", "payer"], "(주)가상소프트": ["supplier", "payee"]}
    supplier = next(p for p in award["parties"] if "supplier" in p["roles"])
    assert supplier["identifier"]["scheme"] == "KR-BRN" and len(supplier["identifier"]["id"]) == 10
    # 50 users × 12 months at 10,000 won: 6,000,000, 6,600,000 with VAT
    assert award["awards"][0]["value"] == {"amount": 6_600_000, "currency": "KRW"}
    assert award["awards"][0]["items"][0]["quantity"] == 600  # user-months
    assert award["awards"][0]["items"][0]["unit"] == {
        "name": "사용자/월",
        "value": {"amount": 10000, "currency": "KRW"},
    }
    assert "contracts" not in award
    contract = rows["contract"]["contracts"][0]
    assert contract["status"] == "active" and contract["awardID"] == award["awards"][0]["id"]
    assert contract["dateSigned"]
    changed = rows["1"]["contracts"][0]
    assert changed["value"]["amount"] == 10_560_000  # 80 users: 9,600,000 + VAT
    assert changed["amendments"][0]["rationale"] == "사용자 증원"
    payment = rows["payment"]["contracts"][0]["implementation"]["transactions"][0]
    assert payment["id"] == history.invoice_code and payment["value"]["currency"] == "KRW"
    ended = rows["termination"]["contracts"][0]
    assert ended["status"] == "terminated" and "사업 종료" in ended["description"]


def test_a_catalog_contract_is_a_framework_with_pps(demo, history):
    rows = [r.data for r in all_releases(demo) if r.ocid.endswith(history.contract_number)]
    first = rows[0]
    assert first["tag"] == ["award", "contract"]
    pps = next(p for p in first["parties"] if "procuringEntity" in p["roles"])
    assert pps["roles"] == ["buyer", "procuringEntity"] and "조달청" in pps["name"]
    assert first["tender"]["procuringEntity"]["id"] == pps["id"]
    assert [i["unit"]["value"]["amount"] for i in rows[1]["contracts"][0]["items"]] == [10500, 4_400_000]
    assert rows[2]["contracts"][0]["description"] == "거래정지: 보안 점검"
    assert rows[3]["contracts"][0]["status"] == "active"


def test_code_lists_are_the_closed_ones_of_the_standard(demo, history):
    schema = release_schema()
    tags = set(schema["properties"]["tag"]["items"]["enum"])
    contract_statuses = set(schema["definitions"]["Contract"]["properties"]["status"]["enum"])
    methods = set(schema["definitions"]["Tender"]["properties"]["procurementMethod"]["enum"])
    for row in all_releases(demo):
        assert set(row.data["tag"]) <= tags
        assert row.data["initiationType"] == "tender"
        assert row.data["tender"]["procurementMethod"] in methods
        for contract in row.data.get("contracts", []):
            assert contract["status"] in contract_statuses


def test_nothing_private_is_published(demo, history):
    words = private_words(demo)
    assert "정수요" in words and "buyer@demo.kr" in words
    for row in all_releases(demo):
        text = text_of(row.data)
        assert [w for w in words if w in text] == [], row.release_id
        assert "나래 오피스" not in text and "경쟁 견적" not in text  # the quote that was not awarded


def test_releases_are_never_changed_only_added(demo, people, store, history):
    before = {r.release_id: r.data for r in all_releases(demo)}
    step(demo, officer_steps.suspend, people.officer, history.contract_id, "재점검")
    after = {r.release_id: r.data for r in all_releases(demo)}
    assert {k: after[k] for k in before} == before
    assert set(after) - set(before) == {f"{PREFIX}-{history.contract_number}-suspension-2"}
    with demo.transaction() as session, pytest.raises(ReleaseIsImmutable):
        row = session.scalars(select(OcdsRelease)).first()
        row.data = {**row.data, "tag": ["compiled"]}
        session.flush()


def test_release_and_record_packages_are_public_and_valid(demo, client, history):
    ocid = f"{PREFIX}-{history.order_code}"
    package = client.get(f"/api/v1/ocds/releases/{ocid}").json()
    assert_valid("release-package-schema.json", package)
    assert [r["tag"][0] for r in package["releases"]] == [
        "award",
        "contract",
        "contractAmendment",
        "implementation",
        "contractTermination",
    ]
    records = client.get(f"/api/v1/ocds/records/{ocid}").json()
    assert_valid("record-package-schema.json", records)
    compiled = records["records"][0]["compiledRelease"]
    assert compiled["tag"] == ["compiled"]
    contract = compiled["contracts"][0]
    assert contract["status"] == "terminated" and contract["value"]["amount"] == 10_560_000
    assert [t["id"] for t in contract["implementation"]["transactions"]] == [history.invoice_code]
    assert compiled["awards"][0]["value"]["amount"] == 6_600_000  # the award as it was
    framework = client.get(f"/api/v1/ocds/records/{PREFIX}-{history.contract_number}").json()
    assert_valid("record-package-schema.json", framework)
    assert framework["records"][0]["compiledRelease"]["contracts"][0]["description"] == "거래 재개: 점검 완료"
    assert client.get(f"/api/v1/ocds/releases/{PREFIX}-ORD-1999-00001").status_code == 404
    assert client.get(f"/api/v1/ocds/records/{PREFIX}-ORD-1999-00001").status_code == 404


def test_processes_are_listed_with_a_cursor(demo, client, history):
    first = client.get("/api/v1/ocds/processes?limit=1").json()
    assert [p["ocid"] for p in first["items"]] == [f"{PREFIX}-{history.contract_number}"]
    assert first["has_more"] is True and first["items"][0]["releases"] == 4
    second = client.get(f"/api/v1/ocds/processes?limit=1&cursor={first['next_cursor']}").json()
    assert [p["ocid"] for p in second["items"]] == [f"{PREFIX}-{history.order_code}"]
    assert second["has_more"] is False
    assert client.get(second["items"][0]["record_package"]).status_code == 200
    assert client.get("/api/v1/ocds/processes?limit=0").status_code == 422


def test_backfill_writes_the_missing_releases_from_the_log_once(demo, history):
    live = {r.release_id: r for r in all_releases(demo)}
    with demo.transaction() as session:
        assert follow.backfill(session) == 0  # nothing is missing
    with demo.transaction() as session:  # as before open data existed
        session.execute(delete(OcdsRelease))
    with demo.transaction() as session:
        assert follow.backfill(session) == len(live)
    with demo.transaction() as session:
        assert follow.backfill(session) == 0
    again = {r.release_id: r for r in all_releases(demo)}
    assert set(again) == set(live)
    for release_id, row in again.items():
        assert row.date == live[release_id].date
        assert row.data == live[release_id].data, release_id
