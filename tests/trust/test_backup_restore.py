"""Backup and restore on SQLite and PostgreSQL: every table and every uploaded document come back as they
were, the audit chain verifies, old tokens still work; a non-empty target or a damaged archive is refused
with nothing written."""

import hashlib
import io
import json
import tarfile
import uuid
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, select
from typer.testing import CliRunner

from digitalmarket import cli
from digitalmarket.accounts.tables import Organisation
from digitalmarket.core.audit import verify_chain
from digitalmarket.core.backup import BackupRefused, create_backup, read_manifest, restore_backup
from digitalmarket.core.database import Database
from digitalmarket.core.settings import PROJECT_ROOT, Settings, load_settings
from digitalmarket.models import metadata
from tests.conftest import PG_ADMIN_URL
from tests.helpers import api_token, app_on
from tests.web.test_authorization import _invoice, _quote_and_order


@pytest.fixture
def market(demo_work, settings):
    """A platform in use: applications with documents (`demo_work`), a quote awarded into an order with its
    contract document, an order in use with an invoice, all through the workflows."""
    demo = demo_work
    with demo.reading() as session:
        supplier_id = session.scalars(select(Organisation.id).where(Organisation.name == "(주)가상소프트")).one()
    _quote_and_order(demo, settings, supplier_id)
    _invoice(demo, settings, supplier_id)
    return demo


@pytest.fixture
def empty_target(backend, tmp_path):
    """The URL of an empty database of the same kind (a new PostgreSQL database, dropped afterwards)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored' / 'market.sqlite3'}"
        return
    name = f"dm_restore_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def table_contents(url: str) -> dict[str, list[tuple]]:
    """Every row of every table of the models, in primary-key order."""
    db = Database(url)
    try:
        with db.reading() as session:
            return {
                table.name: [tuple(row) for row in session.execute(select(table).order_by(*table.primary_key.columns))]
                for table in metadata.sorted_tables
            }
    finally:
        db.dispose()


def documents(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in folder.rglob("*")
        if path.is_file()
    }


def test_a_round_trip_restores_every_table_and_document(market, settings, empty_target, tmp_path):
    headers = api_token(market, "buyer@demo.kr")
    archive = tmp_path / "backup.tar.gz"
    manifest = create_backup(market.url, settings.documents_dir, archive)
    assert manifest["database"]["kind"] == ("sqlite" if market.is_sqlite else "postgresql")
    assert manifest["documents"] >= 3
    assert read_manifest(archive) == manifest

    restored_documents = tmp_path / "restored" / "documents"
    report = restore_backup(archive, empty_target, restored_documents)

    before, after = table_contents(market.url), table_contents(empty_target)
    assert {name: len(rows) for name, rows in after.items()} == {name: len(rows) for name, rows in before.items()}
    assert sum(len(rows) for rows in before.values()) > 100
    for name in before:
        assert after[name] == before[name], name
    assert documents(restored_documents) == documents(settings.documents_dir)
    assert report.documents == manifest["documents"] and report.audit_rows == len(before["audit_events"])
    restored = Database(empty_target)
    with restored.reading() as session:
        assert verify_chain(session).ok
    # The restored platform works for its users: the same API token, the same orders, the documents.
    restored_settings = Settings(
        data_dir=restored_documents.parent,
        database_url=empty_target,
        secret_key="t",
        frontend_dir=PROJECT_ROOT / "node_modules",
    )
    with TestClient(app_on(restored_settings, restored)) as client:
        orders = client.get("/api/v1/orders", headers=headers)
        assert orders.status_code == 200 and orders.json()["items"]
        order_id = orders.json()["items"][0]["id"]
        document = client.get(f"/api/v1/orders/{order_id}/document", headers=headers)
        assert document.status_code == 200 and document.content.startswith(b"%PDF")
    restored.dispose()


def test_a_database_that_is_not_empty_is_refused(market, settings, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    create_backup(market.url, settings.documents_dir, archive)
    target_documents = tmp_path / "elsewhere" / "documents"
    with pytest.raises(BackupRefused) as refused:
        restore_backup(archive, market.url, target_documents)
    assert "비어 있지 않습니다" in refused.value.message.render("ko")
    assert "tables" in refused.value.message.render("en")
    assert not target_documents.exists()


def test_a_documents_folder_that_is_not_empty_is_refused(market, settings, empty_target, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    create_backup(market.url, settings.documents_dir, archive)
    with pytest.raises(BackupRefused) as refused:
        restore_backup(archive, empty_target, settings.documents_dir)
    assert "folder" in refused.value.message.render("en")


def _tampered(archive: Path, target: Path) -> None:
    """The same archive with one document's bytes changed (the manifest left as it was)."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as copy:
        changed = False
        for member in source:
            data = source.extractfile(member).read()
            if member.name.startswith("documents/") and not changed:
                data, changed = data + b"tampered", True
                member.size = len(data)
            copy.addfile(member, io.BytesIO(data))


def test_a_damaged_archive_is_refused_before_anything_is_written(market, settings, empty_target, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    create_backup(market.url, settings.documents_dir, archive)
    damaged = tmp_path / "damaged.tar.gz"
    _tampered(archive, damaged)
    target_documents = tmp_path / "restored" / "documents"
    with pytest.raises(BackupRefused) as refused:
        restore_backup(damaged, empty_target, target_documents)
    assert "checksum" in refused.value.message.render("en")
    assert not target_documents.exists() or not any(target_documents.iterdir())
    if empty_target.startswith("sqlite"):
        assert not Path(empty_target.removeprefix("sqlite:///")).exists()
    else:
        engine = create_engine(empty_target)
        with engine.connect() as connection:
            assert inspect(connection).get_table_names() == []
        engine.dispose()
    not_a_backup = tmp_path / "not-a-backup.tar.gz"
    not_a_backup.write_bytes(b"%PDF-1.4 not a backup")
    with pytest.raises(BackupRefused):
        restore_backup(not_a_backup, empty_target, target_documents)


class TestCommands:
    @pytest.fixture
    def backend(self):
        return "sqlite"

    def test_backup_and_restore(self, market, settings, monkeypatch, tmp_path):
        runner = CliRunner()
        monkeypatch.setattr("digitalmarket.cli.environment.get_settings", load_settings)
        monkeypatch.setenv("DM_DATABASE_URL", market.url)
        monkeypatch.setenv("DM_DATA_DIR", str(settings.data_dir))
        archive = tmp_path / "nightly.tar.gz"
        made = runner.invoke(cli.app, ["backup", str(archive)])
        assert made.exit_code == 0, made.output
        assert "Backup written" in made.output
        manifest = read_manifest(archive)
        assert set(manifest) >= {"format", "format_version", "created_at", "database", "files"}
        assert json.loads(json.dumps(manifest))["database"]["alembic_revision"]

        again = runner.invoke(cli.app, ["restore", str(archive)])  # into the database it came from: refused
        assert again.exit_code == 2
        assert "비어 있지 않습니다" in again.output

        restored = tmp_path / "restored"
        monkeypatch.setenv("DM_DATA_DIR", str(restored))
        monkeypatch.setenv("DM_DATABASE_URL", f"sqlite:///{restored / 'market.sqlite3'}")
        done = runner.invoke(cli.app, ["restore", str(archive)])
        assert done.exit_code == 0, done.output
        assert "audit chain intact" in done.output
        assert documents(restored / "documents") == documents(settings.documents_dir)
