"""Test fixtures: a migrated database per test on SQLite and on PostgreSQL, the app, and clients.

Database tests take the ``db`` fixture and run once per backend. PostgreSQL tests use a fresh database
created for the run and dropped afterwards; without a server they skip, unless DM_REQUIRE_POSTGRES=1
turns the skip into a failure (as CI does).

A test that asks for `demo` finds the demo organisations and accounts already there: `seed_demo` runs
once per backend for the run, and each test gets a copy (a file copy on SQLite, ``COPY`` of the tables
on PostgreSQL, `PostgresState`). A test that asks for `demo_work` finds the demo's committee history as
well (applications in every state with their documents, rounds and votes), seeded and copied the same way.

`make test` runs the suite in two processes (pytest-xdist, `pytest_xdist_make_scheduler`): each test file goes
whole to one process (its module fixtures are made once), the files that read the seeded two years of
trade (`demo_trade`, a session fixture that takes minutes) go to the same one, and the two longest groups
(`LONG_FIRST`: the browser tests and that trade) start first, one on each process, the few other slow ones
next (`SLOW_NEXT`), so that the run ends with short groups.
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
from hypothesis import HealthCheck, settings

from digitalmarket import subscribers
from digitalmarket.core import change_signal
from digitalmarket.core.database import Database
from digitalmarket.core.migrate import upgrade
from digitalmarket.core.settings import PROJECT_ROOT, Settings
from digitalmarket.models import metadata
from digitalmarket.web.app import create_app
from tests.helpers import app_on, copy_of, installation_at

# The machines are shared and noisy: speed is measured in bench/, never asserted by a test. Hypothesis' own
# deadline for an example (200 ms) and its health check of slow input generation would be such assertions
# (a loaded machine failed one). Tests that set their own settings keep the rest of this profile (one that
# names health checks of its own adds them to `settings.default.suppress_health_check`).
settings.register_profile("shared-machines", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("shared-machines")

#: Test files that share a costly session fixture, kept in one process when the suite runs in several.
SHARED_SESSION = {
    "test_page_crawl.py": "demo_trade",
    "test_demo_contracting.py": "demo_trade",
    "test_demo_selection.py": "demo_trade",  # the selection history that the trade starts from
}

#: Groups that take minutes, started first (in this order, one on each process) so that neither process is
#: left alone with a long group at the end of the run: the browser tests (a server and Chromium on a copy
#: of the demo, and the two whole journeys) and the two years of demo trade. Every other group follows in
#: the order of collection (`SLOW_NEXT` first), to whichever process is free. The Makefile runs pytest-xdist
#: with ``--no-loadscope-reorder``, since xdist otherwise starts the groups with the most tests first.
LONG_FIRST = ("browser", "demo_trade")

#: Groups of half a minute or more (the slowest of a full run's ``--durations``), started next, so that the
#: run ends with short groups that fill whichever process is free rather than with a long one that leaves
#: the other process idle.
SLOW_NEXT = (
    "tests/test_demo.py",
    "tests/web/test_authorization.py",
    "tests/trust/test_crash_safety.py",
    "tests/trust/test_fuzz_api.py",
    "tests/trust/test_load_conflicts.py",
    "tests/api_client/test_journey.py",
)


def group_of(nodeid: str) -> str:
    """The group a test runs in: its file (as ``--dist loadfile``; its module fixtures are made once), the
    files of `SHARED_SESSION` together, and every browser test in one group (its process starts a server
    and Chromium on a copy of the demo seeded once for the run)."""
    path = nodeid.split("::", 1)[0]
    if path.startswith("tests/browser/"):
        return "browser"
    return SHARED_SESSION.get(path.rsplit("/", 1)[-1], path)


def _rank(group: str) -> int:
    if group in LONG_FIRST:
        return LONG_FIRST.index(group)
    return len(LONG_FIRST) + (0 if group in SLOW_NEXT else 1)


def pytest_collection_modifyitems(items) -> None:
    """The groups of `LONG_FIRST` first, then those of `SLOW_NEXT`, then the others; within a group, and
    among the others, the order of collection."""
    items.sort(key=lambda item: _rank(group_of(item.nodeid)))


def pytest_xdist_make_scheduler(config, log):
    """Whole groups (`group_of`) to one process each, in the order of the collected tests. xdist's own
    ``loadgroup`` reads a group from a suffix it adds to the node id, which pytest 9 no longer shows; a
    scope scheduler asks this function."""
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


def _migrated_sqlite(path: Path) -> Database:
    db = Database(f"sqlite:///{path}")
    upgrade(db.engine)
    return db


def _seal_sqlite(db: Database) -> None:
    """Write the WAL into the file and close, so that a copy of the file alone holds everything."""
    with db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()


def _seed_demo(db: Database) -> None:
    from digitalmarket.demo import seed_demo

    with db.transaction() as session:
        seed_demo(session)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory, installed_subscribers) -> Path:
    """A SQLite file migrated once; every test gets its own copy."""
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    _seal_sqlite(_migrated_sqlite(path))
    return path


def _seed_work(db: Database, documents: Path) -> None:
    from digitalmarket.demo import seed_demo_work

    with db.transaction() as session:
        seed_demo_work(session, documents, catalog=False)


@pytest.fixture(scope="session")
def sqlite_work_template(sqlite_demo_template, tmp_path_factory) -> Path:
    """A folder with the demo and its committee history (`demo_work`) on SQLite: ``market.sqlite3`` and the
    applications' documents (``documents``), made once for the process."""
    folder = tmp_path_factory.mktemp("sqlite-work")
    shutil.copy(sqlite_demo_template, folder / "market.sqlite3")
    db = Database(f"sqlite:///{folder / 'market.sqlite3'}")
    _seed_work(db, folder / "documents")
    _seal_sqlite(db)
    return folder


@pytest.fixture(scope="session")
def postgres_work_documents(tmp_path_factory) -> Path:
    """The applications' documents of the PostgreSQL snapshot ``work`` (`demo_work`)."""
    return tmp_path_factory.mktemp("postgres-work") / "documents"


@pytest.fixture(scope="session")
def sqlite_demo_template(sqlite_template, tmp_path_factory) -> Path:
    """The migrated file with the demo organisations and accounts, made once through the workflows
    (`seed_demo`); every test that asks for `demo` on SQLite gets its own copy."""
    path = tmp_path_factory.mktemp("sqlite-demo") / "template.sqlite3"
    shutil.copy(sqlite_template, path)
    db = Database(f"sqlite:///{path}")
    _seed_demo(db)
    _seal_sqlite(db)
    return path


#: Reference data the migrations load; kept between tests.
REFERENCE_TABLES = {"categories"}


class PostgresState:
    """The session's PostgreSQL database between tests: emptied as ``TRUNCATE ... RESTART IDENTITY`` would
    leave it (every table but the reference data, their own sequences back to the start), and, for the
    tests that ask for `demo`, the demo as `seed_demo` made it once for the run, copied back table by
    table (``COPY``), as a template database would give it, without the cost of one per test.

    Emptying deletes rather than truncates: ``TRUNCATE`` of some seventy tables makes new files for each
    and their indexes, which took one to two seconds a test on a loaded machine; ``DELETE`` of the few
    rows a test wrote took a tenth of that. Both run as replication (``session_replication_role``)
    so that neither foreign keys nor triggers act: the state is restored, not rewritten."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.tables = [t.name for t in metadata.sorted_tables if t.name not in REFERENCE_TABLES] + ["service_tsv"]
        #: per snapshot ("demo", "work"): each table's rows (``COPY ... BINARY``) and the sequences' values
        self.snapshots: dict[str, tuple[dict[str, bytes], list[tuple[str, int, bool]]]] = {}

    def _owned_sequences(self, connection) -> list[tuple[str, int]]:
        """The sequences of the emptied tables' columns (``serial``, identity), each with its start."""
        query = (
            "SELECT d.objid::regclass::text, s.seqstart FROM pg_depend d"
            " JOIN pg_sequence s ON s.seqrelid = d.objid JOIN pg_class t ON t.oid = d.refobjid"
            " WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass"
            " AND d.deptype IN ('a', 'i') AND t.relname = ANY(%(tables)s)"
        )
        return [tuple(row) for row in connection.exec_driver_sql(query, {"tables": self.tables})]

    def empty(self, db: Database, *, snapshot: str | None = None) -> None:
        """Empty the database, then copy ``snapshot`` (a name `keep` was given) back into it."""
        with db.engine.begin() as connection:
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
            for name in reversed(self.tables):
                connection.exec_driver_sql(f'DELETE FROM "{name}"')
            if snapshot is not None:
                rows, sequences = self.snapshots[snapshot]
                cursor = connection.connection.driver_connection.cursor()
                for name, data in rows.items():
                    with cursor.copy(f'COPY "{name}" FROM STDIN (FORMAT BINARY)') as copy:
                        copy.write(data)
                for name, last, called in sequences:
                    connection.exec_driver_sql(
                        "SELECT setval(%(n)s, %(v)s, %(c)s)", {"n": name, "v": last, "c": called}
                    )
            else:
                for name, start in self._owned_sequences(connection):
                    connection.exec_driver_sql("SELECT setval(%(n)s, %(v)s, false)", {"n": name, "v": start})
        change_signal.of(db.engine.url).raise_()  # another database under the same address: facts look again

    def keep(self, db: Database, name: str, seed, *, on: str | None = None) -> None:
        """Seed (``seed(db)``, through the workflows) into the database emptied to snapshot ``on``, and keep a
        copy of every table as snapshot ``name``."""
        self.empty(db, snapshot=on)
        seed(db)
        rows = {}
        with db.engine.connect() as connection:
            cursor = connection.connection.driver_connection.cursor()
            for table in self.tables:
                with cursor.copy(f'COPY "{table}" TO STDOUT (FORMAT BINARY)') as copy:
                    data = b"".join(bytes(block) for block in copy)
                if connection.exec_driver_sql(f'SELECT count(*) FROM "{table}"').scalar():
                    rows[table] = data
            sequences = [
                (sequence, *connection.exec_driver_sql(f"SELECT last_value, is_called FROM {sequence}").one())
                for sequence, _ in self._owned_sequences(connection)
            ]
            connection.rollback()
        self.snapshots[name] = (rows, sequences)


@pytest.fixture(scope="session")
def postgres_state(installed_subscribers) -> Iterator[PostgresState]:
    """A fresh PostgreSQL database for this test run, migrated once and dropped at the end. Commits do not
    wait for the disk (``synchronous_commit = off``): nothing of a test run needs to survive a crash."""
    name = f"dm_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        skip_or_fail("DM_REQUIRE_POSTGRES", f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {error}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        admin.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    url = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"
    db = Database(url)
    upgrade(db.engine)
    db.dispose()
    yield PostgresState(url)
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_url(postgres_state) -> str:
    return postgres_state.url


def _truncate_all(db: Database) -> None:
    """Empty the session's PostgreSQL database as a test finds it (`PostgresState.empty`)."""
    PostgresState(db.url).empty(db)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def db(backend, request, tmp_path) -> Iterator[Database]:
    """A migrated, empty database on the test's backend; with the demo in it when the test asks for `demo`."""
    with_work = "demo_work" in request.fixturenames
    with_demo = with_work or "demo" in request.fixturenames
    if backend == "sqlite":
        path = tmp_path / "market.sqlite3"
        if with_work:
            shutil.copy(request.getfixturevalue("sqlite_work_template") / "market.sqlite3", path)
        else:
            shutil.copy(request.getfixturevalue("sqlite_demo_template" if with_demo else "sqlite_template"), path)
        database = Database(f"sqlite:///{path}")
    else:
        state = request.getfixturevalue("postgres_state")
        database = Database(state.url)
        if with_demo and "demo" not in state.snapshots:
            state.keep(database, "demo", _seed_demo)
        if with_work and "work" not in state.snapshots:
            documents = request.getfixturevalue("postgres_work_documents")
            state.keep(database, "work", lambda db: _seed_work(db, documents), on="demo")
        state.empty(database, snapshot="work" if with_work else "demo" if with_demo else None)
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
    """The app on the test's database and settings (`tests.helpers.app_on`: one per process, pointed at
    them)."""
    return app_on(settings, db)


@pytest.fixture
def fresh_app(settings, db):
    """An app of the test's own, for a test that adds a route to it (the others share one, `app`)."""
    return create_app(settings, db)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def demo_work(db, backend, settings, request):
    """The demo with its committee history (``seed_demo_work(..., catalog=False)``: applications with their
    documents in every state, the rounds and their votes), seeded once per backend for the process; each
    test gets a copy of the database (the `db` fixture) and of the documents (into its own folder)."""
    if backend == "sqlite":
        documents = request.getfixturevalue("sqlite_work_template") / "documents"
    else:
        documents = request.getfixturevalue("postgres_work_documents")
    if documents.exists():
        shutil.copytree(documents, settings.documents_dir, dirs_exist_ok=True)
    return db


@pytest.fixture
def demo(db):
    """The demo organisations and accounts, created through the workflows (`seed_demo`) once per backend
    for the run; each test gets its own copy of them (the `db` fixture)."""
    return db


@pytest.fixture(scope="session")
def demo_work_template(sqlite_template, tmp_path_factory) -> tuple[Path, dict[str, int]]:
    """A data folder with the demo and its selection history (`seed_demo`, `seed_demo_work`: 182 services
    selected by two years of committee rounds), played once for the run on SQLite; the selection history's
    tests and `demo_trade` start from copies of it (`copy_of`), as ``seed-demo`` plays the trade after it."""
    from digitalmarket.demo import seed_demo, seed_demo_work

    directory = tmp_path_factory.mktemp("demo-work")
    shutil.copy(sqlite_template, directory / "market.sqlite3")
    db, settings = installation_at(directory)
    with db.transaction() as session:
        seed_demo(session)
        counts = seed_demo_work(session, settings.documents_dir)
    _seal_sqlite(db)
    return directory, counts


@pytest.fixture(scope="session")
def demo_trade(demo_work_template, tmp_path_factory):
    """The demo with its selection history and two years of trade (`seed-demo`), seeded once for the run
    on SQLite (it takes a while: every order has its contract document, every accepted month its signed
    papers). Tests only read it."""
    from digitalmarket.demo import seed_demo_trade

    db, settings = copy_of(demo_work_template[0], tmp_path_factory.mktemp("demo-trade"))
    with db.transaction() as session:
        counts = seed_demo_trade(session, settings.documents_dir)
    yield db, settings, counts
    db.dispose()
