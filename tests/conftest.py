"""Test fixtures: a migrated database per test on SQLite and on PostgreSQL, the app, and clients.

Database tests take the ``db`` fixture and run once per backend. PostgreSQL tests use a fresh database
created for the run and dropped afterwards; without a server they skip, unless DM_REQUIRE_POSTGRES=1
turns the skip into a failure (as CI does).

`make test` runs the suite in two processes (pytest-xdist, `pytest_xdist_make_scheduler`): each test file goes
whole to one process (its module fixtures are made once), the files that read the seeded two years of
trade (`demo_trade`, a session fixture that takes a minute and a half) go to the same one, and so do all
the browser tests.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from digitalmarket import subscribers
from digitalmarket.core.database import Database
from digitalmarket.core.migrate import upgrade
from digitalmarket.core.settings import PROJECT_ROOT, Settings
from digitalmarket.models import metadata
from digitalmarket.web.app import create_app

#: Test files that share a costly session fixture, kept in one process when the suite runs in several.
SHARED_SESSION = {"test_page_crawl.py": "demo_trade", "test_demo_contracting.py": "demo_trade"}


def group_of(nodeid: str) -> str:
    """The group a test runs in: its file (as ``--dist loadfile``), the files of `SHARED_SESSION` together,
    and every browser test in one group (one browser and its server at a time, as each waits for pages
    under time limits that two at once on two cores would strain)."""
    path = nodeid.split("::", 1)[0]
    if path.startswith("tests/browser/"):
        return "browser"
    return SHARED_SESSION.get(path.rsplit("/", 1)[-1], path)


def pytest_xdist_make_scheduler(config, log):
    """Whole groups (`group_of`) to one process each. xdist's own ``loadgroup`` reads a group from a
    suffix it adds to the node id, which pytest 9 no longer shows; a scope scheduler asks this function."""
    from xdist.scheduler import LoadScopeScheduling

    class ByGroup(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return group_of(nodeid)

    return ByGroup(config, log)


PG_ADMIN_URL = os.environ.get("DM_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKENDS = ["sqlite", "postgresql"]
# One key seals the signing keys for the whole run, whichever data folder a test's installation uses.
os.environ.setdefault("DM_SIGNING_KEY", "the signing key of the test run")


def shared_dir() -> Path:
    """The project's shared material (OCDS schemas, the judged search sample): ``DM_SHARED_DIR``, else
    ``shared/`` next to this checkout, else the workplace's copy."""
    for candidate in (os.environ.get("DM_SHARED_DIR"), PROJECT_ROOT.parent / "shared", "/work/shared"):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return PROJECT_ROOT.parent / "shared"


def _required(name: str) -> bool:
    return os.environ.get(name, "").strip() in {"1", "true", "yes"}


def skip_or_fail(variable: str, reason: str) -> None:
    if _required(variable):
        pytest.fail(f"{reason} ({variable}=1 forbids skipping)")
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def installation_data_dir(tmp_path_factory) -> Iterator[Path]:
    """Workflows called without a document store use the installation's (``DM_DATA_DIR``, as
    `orders.confirm` does): in tests that is a folder of the run, never the project's ``var``."""
    path = tmp_path_factory.mktemp("installation")
    before = os.environ.get("DM_DATA_DIR")
    os.environ["DM_DATA_DIR"] = str(path)
    yield path
    if before is None:
        os.environ.pop("DM_DATA_DIR", None)
    else:
        os.environ["DM_DATA_DIR"] = before


@pytest.fixture(scope="session", autouse=True)
def installed_subscribers() -> None:
    """Workflows called straight from tests reach the same event subscribers and page sections as the
    app's (`digitalmarket.subscribers`), as at start-up."""
    subscribers.install()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file migrated once; every test gets its own copy."""
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    db = Database(f"sqlite:///{path}")
    upgrade(db.engine)
    with db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, migrated once and dropped at the end."""
    name = f"dm_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        skip_or_fail("DM_REQUIRE_POSTGRES", f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {error}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"
    db = Database(url)
    upgrade(db.engine)
    db.dispose()
    yield url
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


#: Reference data the migrations load; kept between tests.
REFERENCE_TABLES = {"categories"}


def _truncate_all(db: Database) -> None:
    names = [t.name for t in metadata.sorted_tables if t.name not in REFERENCE_TABLES] + ["service_tsv"]
    tables = ", ".join(f'"{name}"' for name in names)
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def db(backend, request, tmp_path) -> Iterator[Database]:
    """A migrated, empty database on the test's backend."""
    if backend == "sqlite":
        path = tmp_path / "market.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        database = Database(f"sqlite:///{path}")
    else:
        database = Database(request.getfixturevalue("postgres_url"))
        _truncate_all(database)
    yield database
    database.dispose()


@pytest.fixture
def settings(db, tmp_path, monkeypatch) -> Settings:
    # The installation these settings describe: workflows called without a document store use its store.
    monkeypatch.setenv("DM_DATA_DIR", str(tmp_path))
    return Settings(
        data_dir=tmp_path,
        database_url=db.url,
        secret_key="test-secret",
        frontend_dir=PROJECT_ROOT / "node_modules",
    )


@pytest.fixture
def app(settings, db):
    return create_app(settings, db)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def demo(db):
    """The demo organisations and accounts, created through the workflows."""
    from digitalmarket.demo import seed_demo

    with db.transaction() as session:
        seed_demo(session)
    return db


@pytest.fixture(scope="session")
def demo_trade(sqlite_template, tmp_path_factory):
    """The demo with its selection history and two years of trade (`seed-demo`), seeded once for the run
    on SQLite (it takes a while: every order has its contract document). Tests only read it."""
    from digitalmarket.demo import seed_demo, seed_demo_trade, seed_demo_work

    directory = tmp_path_factory.mktemp("demo-trade")
    shutil.copy(sqlite_template, directory / "market.sqlite3")
    db = Database(f"sqlite:///{directory / 'market.sqlite3'}")
    settings = Settings(
        data_dir=directory, database_url=db.url, secret_key="test-secret", frontend_dir=PROJECT_ROOT / "node_modules"
    )
    with db.transaction() as session:
        seed_demo(session)
        seed_demo_work(session, settings.documents_dir)
        counts = seed_demo_trade(session, settings.documents_dir)
    yield db, settings, counts
    db.dispose()
