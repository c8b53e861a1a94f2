"""The bulk export on SQLite and PostgreSQL: release packages in JSON Lines and a record package, valid
against the official schema, written as the API would write them (compact UTF-8 JSON, the compiled release
of ocdsmerge), from releases stored as published or in the older form; ``--since``; memory that does not
grow with the number of releases; and the commands."""

from __future__ import annotations

import json
import re
import tracemalloc
from datetime import timedelta

import pytest
from sqlalchemy import Text, cast, select, text
from typer.testing import CliRunner

from digitalmarket.contracting.catalog_contracts import officer_steps, queries
from digitalmarket.core.clock import today_kst
from digitalmarket.core.files import DocumentStore
from digitalmarket.opendata import export, ocds_packages, stored_releases
from digitalmarket.opendata.merge import Compiler, NeedsFullMerge
from digitalmarket.opendata.tables import OcdsRelease
from tests.contracting.buying import catalog_contract, people_of, publish
from tests.opendata.ocds_schema import assert_valid
from tests.opendata.publishing import whole_history

BASE = "https://digitalmarket.example.kr"


@pytest.fixture
def people(demo):
    return people_of(demo)


def trade_pauses(db, officer, contract_id: int, times: int) -> None:
    """Suspend and resume trade under the catalog contract ``times`` times: two releases each."""
    for start in range(0, times, 10):
        with db.transaction() as session:
            for n in range(start, min(start + 10, times)):
                officer_steps.suspend(
                    session, officer, contract_id, queries.load(session, contract_id).version, f"점검 {n}"
                )
                officer_steps.resume(
                    session, officer, contract_id, queries.load(session, contract_id).version, f"점검 {n} 완료"
                )


def lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_every_release_and_a_record_package_are_exported(demo, people, tmp_path):
    first = catalog_contract(demo, people, publish(demo, people.supplier, "가상웍스 그룹웨어"))
    second = catalog_contract(demo, people, publish(demo, people.supplier2, "나래 오피스"))
    trade_pauses(demo, people.officer, second, 2)
    done = export.export(demo, tmp_path / "out", BASE)
    assert (done.releases, done.records) == (6, 2)
    packages = lines(tmp_path / "out" / export.RELEASES_FILE)
    assert len(packages) == 6
    for package in packages:
        assert_valid("release-package-schema.json", package)
        assert len(package["releases"]) == 1
    records = json.loads((tmp_path / "out" / export.RECORDS_FILE).read_text(encoding="utf-8"))
    assert_valid("record-package-schema.json", records)
    assert [len(r["releases"]) for r in records["records"]] == [1, 5]
    assert records["records"][1]["compiledRelease"]["contracts"][0]["description"] == "거래 재개: 점검 1 완료"
    assert first != second
    later = export.export(demo, tmp_path / "later", BASE, since=today_kst() + timedelta(days=1))
    assert (later.releases, later.records) == (0, 0)
    assert json.loads((tmp_path / "later" / export.RECORDS_FILE).read_text())["records"] == []


def test_a_second_process_writes_the_same_record_package(demo, people, tmp_path):
    """Large exports write the record package in a process of their own: the files are byte for byte
    those of one process (but for the moment they were published), with and without ``since``."""
    contract_id = catalog_contract(demo, people, publish(demo, people.supplier, "가상웍스 그룹웨어"))
    catalog_contract(demo, people, publish(demo, people.supplier2, "나래 오피스"))
    trade_pauses(demo, people.officer, contract_id, 3)
    for since in (None, today_kst()):
        alone = export.export(demo, tmp_path / "alone", BASE, since=since, parallel=False)
        apart = export.export(demo, tmp_path / "apart", BASE, since=since, parallel=True)
        assert (apart.releases, apart.records) == (alone.releases, alone.records) == (8, 2)
        for name in (export.RELEASES_FILE, export.RECORDS_FILE):
            assert unpublished(tmp_path / "apart" / name) == unpublished(tmp_path / "alone" / name)


def unpublished(path) -> bytes:
    return re.sub(rb'"publishedDate":"[^"]+"', b'"publishedDate":""', path.read_bytes())


def compact(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def assert_written_as_published(db, folder) -> None:
    """Every line is the release package the mapping makes, in compact UTF-8 JSON; every record holds its
    process's releases and ocdsmerge's compiled release, keys in the same order."""
    with db.reading() as session:
        stored = {
            ocid: stored_releases.releases_of(session, ocid)
            for ocid, _, _ in stored_releases.processes(session, None, 100)
        }
    text = (folder / export.RELEASES_FILE).read_text(encoding="utf-8")
    for line in text.splitlines():
        package = json.loads(line)
        (release,) = package["releases"]
        uri = f"{BASE}/api/v1/ocds/releases/{release['ocid']}"
        assert release in stored[release["ocid"]]
        expected = ocds_packages.release_package(uri, BASE, export.utcnow(), [release])
        assert line == compact(expected | {"publishedDate": package["publishedDate"]})
    records = json.loads((folder / export.RECORDS_FILE).read_text(encoding="utf-8"))["records"]
    assert [record["ocid"] for record in records] == sorted(stored)
    for record in records:
        assert compact(record["releases"]) == compact(stored[record["ocid"]])
        assert compact(record["compiledRelease"]) == compact(stored_releases.compile_releases(stored[record["ocid"]]))


def test_the_files_hold_what_the_api_serves(demo, people, tmp_path, monkeypatch):
    """A catalog contract amended, suspended and resumed, and an order awarded, contracted, changed, paid
    and terminated: the same bytes as the mapping and ocdsmerge give, also when ocdsmerge compiles."""
    whole_history(demo, people, DocumentStore(tmp_path / "documents"))
    done = export.export(demo, tmp_path / "out", BASE)
    assert (done.releases, done.records) == (9, 2)
    assert_written_as_published(demo, tmp_path / "out")
    with demo.engine.connect() as connection:  # the export's connection, back in the pool, reads text as str
        assert connection.scalar(select(cast(OcdsRelease.data, Text)).limit(1)).startswith('{"ocid":')

    def declined(self, release):
        raise NeedsFullMerge("declined in this test")

    monkeypatch.setattr(Compiler, "append", declined)
    export.export(demo, tmp_path / "full", BASE)
    assert_written_as_published(demo, tmp_path / "full")


def stored_texts(db) -> list[tuple[int, str, dict]]:
    """(id, the text as stored, the release) of every release, in the order they were written."""
    with db.reading() as session:
        query = select(OcdsRelease.id, cast(OcdsRelease.data, Text), OcdsRelease.data).order_by(OcdsRelease.id)
        return [tuple(row) for row in session.execute(query).all()]


def test_releases_are_stored_as_published_and_older_rows_exported_alike(demo, people, tmp_path):
    """The workflows store a release as it is published (compact UTF-8), which the export copies; rows
    stored before that in json.dumps' default form (written again so here) are exported the same."""
    whole_history(demo, people, DocumentStore(tmp_path / "documents"))
    rows = stored_texts(demo)
    assert [stored for _, stored, _ in rows] == [compact(data) for _, _, data in rows]
    older = text(
        "UPDATE ocds_releases SET data = "
        + ("CAST(:stored AS JSON)" if demo.url.startswith("postgresql") else ":stored")
        + " WHERE id = :id"
    )
    with demo.transaction() as session:
        for release_id, _, data in rows[::2]:
            session.execute(older, {"stored": json.dumps(data), "id": release_id})
    forms = [stored.startswith('{"ocid": "') for _, stored, _ in stored_texts(demo)]
    assert forms == [n % 2 == 0 for n in range(len(rows))]
    export.export(demo, tmp_path / "out", BASE)
    assert_written_as_published(demo, tmp_path / "out")
    export.export(demo, tmp_path / "apart", BASE, parallel=True)  # the record package by a second process
    assert_written_as_published(demo, tmp_path / "apart")


def _peak(db, folder) -> int:
    tracemalloc.start()
    try:
        export.export(db, folder, BASE)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_number_of_releases(demo, people, tmp_path, backend, monkeypatch):
    """Peak Python memory of an export of 41 and of 401 releases, read in batches of 10 rows (both runs
    fill whole batches): the same, give or take."""
    if backend != "sqlite":
        pytest.skip("measured once: the streaming code is the same on both databases")
    monkeypatch.setattr(export, "BATCH", 10)
    contract_id = catalog_contract(demo, people, publish(demo, people.supplier, "가상웍스 그룹웨어"))
    trade_pauses(demo, people.officer, contract_id, 20)
    export.export(demo, tmp_path / "warm", BASE)  # caches of SQLAlchemy and the merge rules
    small = _peak(demo, tmp_path / "small")
    trade_pauses(demo, people.officer, contract_id, 180)
    large = _peak(demo, tmp_path / "large")
    assert len(lines(tmp_path / "large" / export.RELEASES_FILE)) == 401
    assert len(lines(tmp_path / "small" / export.RELEASES_FILE)) == 41
    assert large < small * 1.3, (small, large)


def test_the_commands(demo, people, tmp_path, monkeypatch, settings):
    from digitalmarket import cli
    from digitalmarket.core.settings import get_settings

    catalog_contract(demo, people, publish(demo, people.supplier, "가상웍스 그룹웨어"))
    monkeypatch.setenv("DM_DATABASE_URL", demo.url)
    monkeypatch.setenv("DM_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        backfilled = runner.invoke(cli.app, ["ocds-backfill"])
        assert backfilled.exit_code == 0, backfilled.output
        assert "0 OCDS releases written" in backfilled.output
        exported = runner.invoke(cli.app, ["export-ocds", str(tmp_path / "out"), "--since", today_kst().isoformat()])
        assert exported.exit_code == 0, exported.output
        assert "1 releases and 1 records written" in exported.output
        assert len(lines(tmp_path / "out" / export.RELEASES_FILE)) == 1
        refused = runner.invoke(cli.app, ["export-ocds", str(tmp_path / "bad"), "--since", "어제"])
        assert refused.exit_code == 2
    finally:
        get_settings.cache_clear()
