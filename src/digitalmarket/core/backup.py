"""Backup and restore of the whole platform: the database and the uploaded documents in one archive.

The archive is a gzipped tar holding, in this order:

- ``manifest.json``: format and version, time of creation, database kind, Alembic revision, and the
  SHA-256 and size of every other member;
- ``database.sqlite3`` (SQLite, copied with the online backup API while the platform keeps running) or
  ``database.pgdump`` (PostgreSQL, ``pg_dump -Fc``);
- ``documents/ab/cd/<sha256>``: the documents folder as it is on disk.

The database is copied first and the documents after: documents are written before the transaction that
refers to them commits and are never changed, so every document the copied database names is in the archive.

A restore goes into an empty database (no tables) and an empty documents folder, of the same kind as the
backup; every member is checked against its checksum before anything is written, and the audit chain is
verified afterwards.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, inspect, make_url, text
from sqlalchemy.engine import URL

from . import change_signal
from .errors import DomainError
from .i18n import N_

FORMAT = "digitalmarket-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
_MEMBER_NAME = re.compile(r"(database\.sqlite3|database\.pgdump|documents/[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64})")


class BackupRefused(DomainError):
    status = 409
    code = "backup_refused"
    default_message = N_("The backup cannot be made or restored.")


@dataclass(frozen=True)
class RestoreReport:
    kind: str
    revision: str
    documents: int
    audit_rows: int


def _kind(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupRefused(N_("Backups need a SQLite database in a file."))
    return Path(database)


# --- PostgreSQL client tools ------------------------------------------------------------------------------


def _libpq(url: str) -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump/pg_restore, the password in the environment, never on the command line."""
    parsed: URL = make_url(url)
    args = ["--dbname", parsed.database or ""]
    if parsed.host:
        args += ["--host", parsed.host]
    if parsed.port:
        args += ["--port", str(parsed.port)]
    if parsed.username:
        args += ["--username", parsed.username]
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    return args, env


def _tool(name: str, url: str) -> str:
    """The client tool, refused when missing or older than the server (pg_dump cannot dump a newer server)."""
    path = shutil.which(name)
    if path is None:
        raise BackupRefused(N_("%(tool)s is not installed: install the PostgreSQL client tools.", tool=name))
    output = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout
    client_major = int(re.search(r"\(PostgreSQL\)\s+(\d+)", output).group(1))
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            server_major = int(connection.execute(text("SHOW server_version_num")).scalar()) // 10000
    finally:
        engine.dispose()
    if client_major < server_major:
        raise BackupRefused(
            N_(
                "%(tool)s is version %(client)s but the server is version %(server)s: install client tools "
                "of the server's version.",
                tool=name,
                client=client_major,
                server=server_major,
            )
        )
    return path


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise BackupRefused(N_("%(tool)s failed: %(problem)s", tool=Path(command[0]).name, problem=done.stderr[-500:]))


# --- backup -----------------------------------------------------------------------------------------------


def _dump_database(url: str, target: Path) -> None:
    if _kind(url) == "sqlite":
        source = sqlite3.connect(_sqlite_path(url))
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
        return
    args, env = _libpq(url)
    _run([_tool("pg_dump", url), "--format=custom", "--no-owner", "--no-privileges", "--file", str(target), *args], env)


def create_backup(database_url: str, documents_dir: Path, target: Path, now: datetime | None = None) -> dict:
    """Write the archive to ``target`` (atomically: a temporary file renamed at the end); returns the manifest."""
    kind = _kind(database_url)
    revision = _revision(database_url)
    if revision is None:
        raise BackupRefused(N_("The database has no schema yet: run `digitalmarket migrate` first."))
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".backup-") as work:
        dump = Path(work) / DATABASE_MEMBER[kind]
        _dump_database(database_url, dump)
        members: dict[str, Path] = {DATABASE_MEMBER[kind]: dump}
        if documents_dir.is_dir():
            for path in sorted(documents_dir.rglob("*")):
                name = "documents/" + path.relative_to(documents_dir).as_posix()
                if path.is_file() and _MEMBER_NAME.fullmatch(name):
                    members[name] = path
        files = {name: {"sha256": _sha256(path), "bytes": path.stat().st_size} for name, path in members.items()}
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
            "database": {"kind": kind, "member": DATABASE_MEMBER[kind], "alembic_revision": revision},
            "documents": sum(1 for name in members if name.startswith("documents/")),
            "files": files,
        }
        manifest_path = Path(work) / MANIFEST
        manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True))
        partial = Path(work) / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(manifest_path, MANIFEST, recursive=False)
            for name, path in members.items():
                archive.add(path, name, recursive=False)
        os.replace(partial, target)
    return manifest


# --- restore ----------------------------------------------------------------------------------------------


def read_manifest(archive_path: Path) -> dict:
    try:
        with tarfile.open(archive_path, "r:*") as archive:
            member = archive.getmember(MANIFEST)
            manifest = json.loads(archive.extractfile(member).read())
    except (OSError, KeyError, tarfile.TarError, ValueError) as error:
        raise BackupRefused(N_("This file is not a backup of the platform.")) from error
    if manifest.get("format") != FORMAT:
        raise BackupRefused(N_("This file is not a backup of the platform."))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupRefused(
            N_(
                "This backup has format version %(found)s; this version reads %(known)s.",
                found=manifest.get("format_version"),
                known=FORMAT_VERSION,
            )
        )
    return manifest


def _unpack_checked(archive_path: Path, manifest: dict, into: Path) -> None:
    """Extract the members the manifest lists, nothing else, each checked against its SHA-256."""
    expected = manifest["files"]
    seen = set()
    with tarfile.open(archive_path, "r:*") as archive:
        for member in archive:
            if member.name == MANIFEST:
                continue
            if member.name not in expected or not member.isfile() or not _MEMBER_NAME.fullmatch(member.name):
                raise BackupRefused(N_("The backup holds an unexpected file: %(name)s.", name=member.name[:200]))
            path = into / member.name
            path.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            with archive.extractfile(member) as source, path.open("wb") as target:
                for block in iter(lambda source=source: source.read(1 << 20), b""):
                    digest.update(block)
                    target.write(block)
            if digest.hexdigest() != expected[member.name]["sha256"]:
                raise BackupRefused(
                    N_("The backup is damaged: %(name)s does not match its checksum.", name=member.name)
                )
            seen.add(member.name)
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupRefused(N_("The backup is incomplete: %(name)s is missing.", name=missing[0]))


def _table_count(url: str) -> int:
    if _kind(url) == "sqlite" and not _sqlite_path(url).exists():
        return 0
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return len(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def _refuse_unless_empty(database_url: str, documents_dir: Path) -> None:
    tables = _table_count(database_url)
    if tables:
        raise BackupRefused(
            N_(
                "The database is not empty (%(count)s tables). Restore into a new, empty database.",
                count=tables,
            )
        )
    if documents_dir.exists() and any(documents_dir.iterdir()):
        raise BackupRefused(
            N_("The documents folder %(path)s is not empty. Restore into an empty folder.", path=str(documents_dir))
        )


def _load_database(kind: str, dump: Path, database_url: str) -> None:
    if kind == "sqlite":
        target_path = _sqlite_path(database_url)
        target_path.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(dump)
        target = sqlite3.connect(target_path)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
        return
    args, env = _libpq(database_url)
    command = [_tool("pg_restore", database_url), "--no-owner", "--no-privileges", "--exit-on-error", *args]
    _run([*command, "--single-transaction", str(dump)], env)


def restore_backup(archive_path: Path, database_url: str, documents_dir: Path) -> RestoreReport:
    """Restore an archive into an empty database of the same kind and an empty documents folder."""
    from .audit import verify_chain
    from .database import Database

    manifest = read_manifest(archive_path)
    kind = manifest["database"]["kind"]
    if kind != _kind(database_url):
        raise BackupRefused(
            N_("This is a backup of a %(kind)s database; restore it into a %(kind)s database.", kind=kind)
        )
    _refuse_unless_empty(database_url, documents_dir)
    staging_parent = documents_dir.parent if documents_dir.parent.exists() else None
    with tempfile.TemporaryDirectory(dir=staging_parent, prefix=".restore-") as work:
        staging = Path(work)
        _unpack_checked(archive_path, manifest, staging)
        _load_database(kind, staging / manifest["database"]["member"], database_url)
        documents_dir.mkdir(parents=True, exist_ok=True)
        unpacked = staging / "documents"
        if unpacked.is_dir():
            for path in sorted(unpacked.rglob("*")):
                if path.is_file():
                    destination = documents_dir / path.relative_to(unpacked)
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    shutil.move(path, destination)
    change_signal.of(database_url).raise_()  # a process that knew this address's empty database looks again
    revision = _revision(database_url)
    if revision != manifest["database"]["alembic_revision"]:
        raise BackupRefused(N_("The restored database is not at the backup's schema revision."))
    db = Database(database_url)
    try:
        with db.reading() as session:
            chain = verify_chain(session)
    finally:
        db.dispose()
    if not chain.ok:
        raise BackupRefused(
            N_(
                "The restored audit chain is broken at row %(row)s: %(problem)s.",
                row=chain.broken_id,
                problem=chain.problem,
            )
        )
    return RestoreReport(kind, revision, manifest["documents"], chain.checked)
