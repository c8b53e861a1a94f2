"""Catalog import: round trip, idempotence, every kind of bad line, all or nothing."""

import json

import pytest
from sqlalchemy import func, select

from digitalmarket.catalog.importer import import_files
from digitalmarket.catalog.tables import Service
from digitalmarket.core.audit import AuditEvent, verify_chain
from tests.conftest import shared_dir

SAMPLE = shared_dir() / "data" / "search-dev" / "services.jsonl"
GOOD = {
    "ref": "t-001",
    "name": "시험 그룹웨어",
    "type": "SaaS",
    "category": "협업·그룹웨어",
    "supplier": {"business_number": "1208147521", "name": "(주)가상소프트", "size": "sme"},
    "summary": "시험용 서비스",
    "description": "시험용 설명",
    "features": ["메일"],
    "keywords": ["그룹웨어"],
    "csap": {"grade": "하", "valid_until": "2028-01-31"},
    "deployment": "public",
    "sla_availability": 99.9,
    "price_plans": [
        {"name": "기본", "billing": "monthly", "unit": "사용자/월", "unit_price": 9000, "vat_included": False}
    ],
}


def _write(tmp_path, name, rows):
    path = tmp_path / name
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    return path


def _count(db):
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(Service))


@pytest.mark.skipif(not SAMPLE.exists(), reason="the shared search sample is not next to this checkout")
def test_the_dev_sample_imports_and_carries_its_refs(db, client):
    report = import_files(db.transaction, [SAMPLE])
    assert (report.created, report.updated, report.problems) == (100, 0, [])
    listing = client.get("/api/v1/services", params={"per_page": 100}).json()
    items = listing["items"]
    assert listing["total"] == len(items)
    with db.reading() as session:
        suspended = session.scalars(select(Service).where(Service.status == "suspended")).all()
    assert all(s.status_reason.startswith("CSAP expired") for s in suspended)  # certificates that ran out
    assert len(items) + len(suspended) == 100
    assert {i["ref"] for i in items} | {s.ref for s in suspended} == {f"dev-{n:03d}" for n in range(1, 101)}
    with db.reading() as session:
        events = session.scalar(select(func.count()).where(AuditEvent.action == "service.published"))
        assert events == 100 and verify_chain(session).ok
    again = import_files(db.transaction, [SAMPLE])
    assert (again.created, again.updated) == (0, 100)
    assert _count(db) == 100


def test_reimporting_a_ref_updates_that_service(db, tmp_path):
    import_files(db.transaction, [_write(tmp_path, "a.jsonl", [GOOD])])
    changed = {**GOOD, "name": "바뀐 그룹웨어", "price_plans": [{**GOOD["price_plans"][0], "unit_price": 8000}]}
    report = import_files(db.transaction, [_write(tmp_path, "b.jsonl", [changed])])
    assert (report.created, report.updated) == (0, 1)
    with db.reading() as session:
        service = session.scalars(select(Service)).one()
        assert service.name == "바뀐 그룹웨어" and service.price_plans[0].unit_price == 8000
        assert service.code.startswith("SAS-")


def test_a_service_moved_to_another_supplier_is_found_by_the_new_suppliers_name(db, tmp_path, client):
    import_files(db.transaction, [_write(tmp_path, "a.jsonl", [GOOD])])
    moved = {**GOOD, "supplier": {"business_number": "2148627859", "name": "새빛정보기술", "size": "sme"}}
    import_files(db.transaction, [_write(tmp_path, "b.jsonl", [moved])])

    def found(words):
        return [i["supplier"] for i in client.get("/api/v1/services", params={"q": words}).json()["items"]]

    assert found("새빛정보기술") == ["새빛정보기술"]
    assert found("가상소프트") == []


BAD_LINES = [
    ("{not json", "invalid JSON"),
    ({**GOOD, "type": "FaaS"}, "unknown type"),
    ({**GOOD, "category": "우주항공"}, "unknown category"),
    ({**GOOD, "supplier": {"business_number": "1208147522", "name": "가짜", "size": "sme"}}, "business number"),
    ({**GOOD, "price_plans": [{**GOOD["price_plans"][0], "unit_price": -100}]}, "price"),
    ({k: v for k, v in GOOD.items() if k != "summary"}, "missing field"),
]


@pytest.mark.parametrize(("line", "reason"), BAD_LINES, ids=[r for _, r in BAD_LINES])
def test_a_bad_line_is_reported_and_nothing_of_its_file_is_imported(db, tmp_path, line, reason):
    path = _write(tmp_path, "mixed.jsonl", [GOOD, {**GOOD, "ref": "t-002", "name": "둘째"}, line])
    report = import_files(db.transaction, [path])
    assert [str(p) for p in report.problems] == [f"mixed.jsonl:3: {p.reason}" for p in report.problems]
    assert len(report.problems) == 1 and reason in report.problems[0].reason
    assert report.skipped_files == [str(path)] and _count(db) == 0
    skipped = import_files(db.transaction, [path], skip_invalid=True)
    assert skipped.created == 2 and _count(db) == 2


def test_the_import_command(db, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from digitalmarket import cli
    from digitalmarket.core.settings import load_settings

    monkeypatch.setenv("DM_DATABASE_URL", db.url)
    monkeypatch.setenv("DM_DATA_DIR", str(tmp_path))
    monkeypatch.setattr("digitalmarket.cli.environment.get_settings", load_settings)
    bad = _write(tmp_path, "bad.jsonl", [GOOD, "{oops"])
    result = CliRunner().invoke(cli.app, ["import-catalog", str(bad)])
    assert result.exit_code == 1 and "bad.jsonl:2: invalid JSON" in result.output
    good = _write(tmp_path, "good.jsonl", [GOOD])
    result = CliRunner().invoke(cli.app, ["import-catalog", str(good)])
    assert result.exit_code == 0, result.output
    assert "1 services published" in result.output


def test_a_service_leaves_the_catalog_when_its_certificate_expires(db, tmp_path, client):
    from datetime import date, timedelta

    from digitalmarket.catalog.certificates import suspend_expired_certificates
    from digitalmarket.core.clock import today_kst

    last_day = today_kst().isoformat()
    expiring = {**GOOD, "csap": {"grade": "하", "valid_until": last_day}}
    support = {**GOOD, "ref": "t-sup", "type": "SUPPORT", "category": "컨설팅", "csap": None, "name": "컨설팅"}
    import_files(db.transaction, [_write(tmp_path, "c.jsonl", [expiring, support])])
    with db.transaction() as session:
        assert suspend_expired_certificates(session, date.fromisoformat(last_day)) == []  # still valid today
    with db.transaction() as session:
        suspended = suspend_expired_certificates(session, today_kst() + timedelta(days=1))
        assert [s.ref for s in suspended] == ["t-001"]
    with db.reading() as session:
        service = session.scalars(select(Service).where(Service.ref == "t-001")).one()
        assert service.status == "suspended" and last_day in service.status_reason
        assert verify_chain(session).ok


SUPPLIERS = {
    "x": {"business_number": "1208147521", "name": "(주)가상소프트", "size": "sme"},
    "y": {"business_number": "2148600001", "name": "한빛컨설팅 주식회사", "size": "large"},
    "z": {"business_number": "214-86-00016", "name": " 누리데이터 ", "size": "sme"},
    "w": {"business_number": "2148600020", "name": "다온클라우드", "size": "sme"},
}
SUPPORT = {**GOOD, "type": "SUPPORT", "category": "컨설팅", "csap": None}
FIRST = [
    {**GOOD, "supplier": SUPPLIERS["x"]},
    {**SUPPORT, "ref": "t-002", "name": "클라우드 전환 컨설팅", "supplier": SUPPLIERS["y"]},
    {
        **GOOD,
        "ref": "t-003",
        "name": "화상회의 서비스",
        "keywords": ["화상 회의", "그룹웨어"],
        "supplier": SUPPLIERS["x"],
    },
    {**GOOD, "ref": "t-004", "name": "만료된 백업", "csap": {"grade": "하", "valid_until": "2020-01-31"}},
    {**SUPPORT, "ref": "t-005", "name": "데이터 시각화 교육", "supplier": SUPPLIERS["z"]},
]
SECOND = [
    {**FIRST[2], "name": "화상회의 서비스 2", "supplier": SUPPLIERS["y"]},
    {**SUPPORT, "ref": "t-006", "name": "보안 컨설팅", "supplier": SUPPLIERS["w"]},
    {**GOOD, "price_plans": [{**GOOD["price_plans"][0], "unit_price": 7000}, GOOD["price_plans"][0]]},
]


def _one_line_at_a_time(session, path):
    """The import as it was first written: supplier, then publish or replace_content, line by line."""
    from digitalmarket.accounts.registration import register_supplier
    from digitalmarket.catalog import importer, queries, workflow
    from digitalmarket.catalog.content_rules import IMPORT_PROFILE

    lines, problems = importer.read_file(session, path)
    assert problems == []
    for line in lines:
        supplier = line.supplier
        org = register_supplier(
            session, None, str(supplier["business_number"]), str(supplier["name"]), str(supplier.get("size") or "sme")
        )
        existing = queries.service_by_ref(session, line.ref)
        origin = f"import:{path.name}"
        if existing is None:
            workflow.publish(
                session, actor_user_id=None, supplier_id=org.id, content=line.content, origin=origin, ref=line.ref,
                profile=IMPORT_PROFILE,
            )  # fmt: skip
        else:
            existing.supplier = org
            workflow.replace_content(
                session, actor_user_id=None, service=existing, content=line.content, reason=origin,
                profile=IMPORT_PROFILE,
            )  # fmt: skip


def _contents(db):
    from digitalmarket.accounts.tables import Organisation
    from digitalmarket.catalog.tables import PricePlan
    from digitalmarket.search.tables import ServiceSearch

    skip = {"published_at", "updated_at", "created_at", "occurred_at", "hash", "prev_hash", "version"}

    def rows(model):
        columns = [c.name for c in model.__table__.columns if c.name not in skip]
        ordered = session.scalars(select(model).order_by(*model.__table__.primary_key.columns))
        return [{name: getattr(row, name) for name in columns} for row in ordered]

    with db.reading() as session:
        return {m.__tablename__: rows(m) for m in (Organisation, Service, PricePlan, ServiceSearch, AuditEvent)}


def test_the_import_writes_what_importing_one_line_at_a_time_writes(db, tmp_path, request, monkeypatch):
    import shutil

    from digitalmarket.catalog import importer
    from digitalmarket.core.database import Database
    from digitalmarket.search import projections

    files = [_write(tmp_path, "first.jsonl", FIRST), _write(tmp_path, "second.jsonl", SECOND)]
    shutil.copy(request.getfixturevalue("sqlite_template"), tmp_path / "reference.sqlite3")
    reference = Database(f"sqlite:///{tmp_path / 'reference.sqlite3'}")
    for path in files:
        with reference.transaction() as session:
            _one_line_at_a_time(session, path)
    monkeypatch.setattr(importer, "CHUNK", 2)  # chunk boundaries inside both files
    monkeypatch.setattr(projections, "ANALYSED_TEXTS", 12)  # and the index's analyses forgotten between chunks
    reports = [import_files(db.transaction, [path]) for path in files]
    assert [(r.created, r.updated, r.problems) for r in reports] == [(5, 0, []), (1, 2, [])]
    expected, imported = _contents(reference), _contents(db)
    reference.dispose()
    for table, rows in expected.items():
        assert imported[table] == rows, table
    assert [e["action"] for e in imported["audit_events"]][:4] == [
        "organisation.created",
        "service.published",
        "organisation.created",
        "service.published",
    ]
    with db.reading() as session:
        assert verify_chain(session).ok
