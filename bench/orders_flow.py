"""Order flow speed on PostgreSQL: concurrent quote-to-contract flows, their latency, conflicts and lost updates.

    python bench/orders_flow.py [--seconds 30] [--clients 16] [--processes 2] [--rounds 12] [--racers 4]
                                [--profile 10] [--costs 20] [--label latest] [--fresh] [--json OUT]

A *flow* is what an agency and a supplier do from a quote request to a contract, each step a call of the
workflow the API calls (in-process, not over HTTP), in its own transaction, after reading the version the
client would have on its page (as `tests/contracting/buying.py` does):

1. ``ask``: the agency's buyer asks one service for a quote (`asking.create_request`);
2. ``answer``: the supplier answers a unit price below the ceiling (`answering.answer`);
3. ``award``: the buyer awards the quote at the version seen: the order (a delivery request when the service
   has a catalog contract, else a negotiated contract), committed without its contract PDF (`awarding.award`);
4. ``document``: the buyer's page waits until the contract document exists: it is made after the award's
   commit by the consumer ``contract-documents`` (`contracting/orders/documents.py`), in the committing
   thread (``DM_CONSUMERS=inline``, the default) or by a process's follower. The bench reads the order
   again every 50 ms until it is ``ready`` (a client told ``preparing`` waits its ``Retry-After`` of 2 s;
   the bench looks more often, to measure when the document appears);
5. ``confirm_agency`` and 6. ``confirm_supplier``: both sides confirm the document; the second makes the
   order ``contracted`` (`confirming.confirm`); its document of record and OCDS contract release follow
   after the commit.

``--clients`` clients (default 16) run flows for ``--seconds`` each, as ``--processes`` processes of
threads (the GIL keeps a process's Python on one core, and the contract PDF is Python work), after one
warm-up flow each. A 409 is counted as a conflict and the step is tried again after reading again, as a
user would. Measured: completed flows per second, per-step and per-flow p50/p95/p99, CPU time of the
bench processes and of the PostgreSQL processes serving the bench database, what those sessions were
waiting for (sampled from ``pg_stat_activity``), conflicts and errors.

Afterwards (once the consumers have caught up) every flow is checked, so that nothing was lost: the order
``contracted`` with both confirmations, its document of record and the draft both confirmed stored under
their SHA-256, the request and quote ``awarded``, each audit
event (``quote_request.created``, ``quote.answered``, ``order.created``, ``quote_request.awarded``, one
``order.confirmed`` per side, ``order.contracted``) and OCDS release (award, contract) present once, the
notifications written, the versions of request, quote and order those of a flow run alone (a lost update
leaves one lower), and ``digitalmarket audit-verify`` passes over the whole chain.

The contention variant runs ``--rounds`` rounds on shared objects, ``--racers`` threads each: the same quote
awarded by several clients at once (one order, the others 409), both confirmations racing with
duplicates (contracted once, one confirmation per side), and a supplier revising the quote while the
buyer awards it (exactly one of the two succeeds; an order always has the price the buyer saw).

``--costs N`` runs N flows one after another without a profiler and counts, per step, the SQL statements
sent (in the step's transactions and, apart, by the after-commit consumers its commit runs in its thread),
the thread's CPU time and the contract PDFs made, and per flow the CPU time of the PostgreSQL sessions.
``--profile N`` runs N flows one after another under cProfile (var/bench/orders_flow-profile.txt).

Data: the demo organisations, accounts and catalog (`seed_demo`, `seed_demo_work`), 16 agencies with a
buyer each, a user for each supplier taking part and catalog contracts for half of the services, all
made through the workflows in the PostgreSQL database ``dm_bench_orders_base`` (kept while the migrations
and this set-up are the same; ``--fresh`` rebuilds it). Each run works on a copy, ``dm_bench_orders``, so
every run starts from the same state. Figures go to bench/results/orders_flow.json under ``--label``,
with the machine, date, commit, load average and CPU times. Benchmarks measure; they never fail.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import hashlib
import io
import json
import multiprocessing as mp
import os
import platform
import pstats
import queue
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

RESULTS = ROOT / "bench" / "results"
DEFAULT_JSON = RESULTS / "orders_flow.json"
CACHE = ROOT / "var" / "bench" / "orders_flow"
PROFILE_OUT = ROOT / "var" / "bench" / "orders_flow-profile.txt"
PG_ADMIN_URL = os.environ.get("DM_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
BASE_DB, RUN_DB = "dm_bench_orders_base", "dm_bench_orders"
#: Bump when the set-up changes, so that the cached base database is rebuilt.
SETUP_VERSION = 2
STEPS = ("ask", "answer", "award", "document", "confirm_agency", "confirm_supplier")
GOAL_FLOWS_PER_S = 25
GOAL_CPU_PER_FLOW_MS = 80  # bench processes and PostgreSQL together: what 25 flows/s on two cores allow
MAX_TRIES = 8  # a step tried again after a 409 at most this often
DOCUMENT_POLL_S = 0.05  # how often the bench reads an order again while its document is being made
DOCUMENT_WAIT_S = 60.0  # longer than this without a document is an error of the flow
BENCH_AGENCIES = 16
PASSWORD = "demo-pass-2026"


# --- who takes part ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Client:
    """A buyer and the supplier it buys from: one service and one price plan of it."""

    number: int
    buyer: object  # accounts.permissions.Actor
    supplier: object
    supplier_users: int  # how many active users the supplier has (each is notified)
    service_code: str
    plan_id: int
    method: str  # delivery_request | negotiated


@dataclass
class Flow:
    client: int
    warmup: bool = False
    request_id: int | None = None
    quote_id: int | None = None
    order_id: int | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    conflicts: Counter = field(default_factory=Counter)
    error: str | None = None
    total: float = 0.0
    started: float = 0.0

    @property
    def complete(self) -> bool:
        return self.error is None and len(self.seconds) == len(STEPS)


# --- the steps, through the workflows ---------------------------------------------------------------------------


def _today():
    from digitalmarket.core.clock import today_kst

    return today_kst()


def ask(db, client: Client) -> tuple[int, int]:
    from digitalmarket.contracting.quotes import asking

    today = _today()
    data = asking.RequestIn(
        title=f"업무용 협업 서비스 도입 (벤치 {client.number:02d})",
        requirements="GPKI 로그인, 망분리 환경 지원",
        desired_start=today + timedelta(days=14),
        deadline=today + timedelta(days=7),
        services=[asking.ServiceAsk(client.service_code, [asking.LineIn(client.plan_id, 10, 12)])],
    )
    with db.transaction() as session:
        request = asking.create_request(session, client.buyer, data)
        return request.id, request.quotes[0].id


def read_quote(db, quote_id: int) -> tuple[int, dict[int, int]]:
    """The quote as its page shows it: its version and each line's ceiling."""
    from digitalmarket.contracting.tables import Quote

    with db.reading() as session:
        quote = session.get(Quote, quote_id)
        return quote.version, {line.id: line.catalog_unit_price for line in quote.lines}


def answer(db, client: Client, quote_id: int, discount: float = 0.9) -> dict[int, int]:
    from digitalmarket.contracting.quotes import answering

    version, ceilings = read_quote(db, quote_id)
    prices = {line_id: max(1, int(ceiling * discount)) for line_id, ceiling in ceilings.items()}
    with db.transaction() as session:
        answering.answer(
            session, client.supplier, quote_id, version, prices, _today() + timedelta(days=30), "연간 할인"
        )
    return prices


def award(db, client: Client, request_id: int, quote_id: int, version: int | None = None) -> int:
    from digitalmarket.contracting.quotes import awarding

    if version is None:
        version, _ = read_quote(db, quote_id)
    with db.transaction() as session:
        return awarding.award(session, client.buyer, request_id, quote_id, version, reason="최저가 견적").id


def wait_for_document(db, order_id: int) -> None:
    """Read the order as its page does until the contract document of version 0 exists."""
    from digitalmarket.contracting.orders import documents
    from digitalmarket.contracting.tables import OrderVersion

    deadline = time.perf_counter() + DOCUMENT_WAIT_S
    while True:
        with db.reading() as session:
            version = session.query(OrderVersion).filter_by(order_id=order_id, seq=0).one()
            if documents.document_status(version) == "ready":
                return
        if time.perf_counter() > deadline:
            raise TimeoutError(f"no contract document for order {order_id} after {DOCUMENT_WAIT_S:.0f} s")
        time.sleep(DOCUMENT_POLL_S)


def order_version(db, order_id: int) -> int:
    from digitalmarket.contracting.tables import Order

    with db.reading() as session:
        return session.get(Order, order_id).version


def confirm(db, who, order_id: int, version: int | None = None) -> None:
    from digitalmarket.contracting.orders import confirming

    version = order_version(db, order_id) if version is None else version
    with db.transaction() as session:
        confirming.confirm(session, who, order_id, version)


def _step(flow: Flow, name: str, action):
    """Run one step, again after a 409 (reading again, as a user reloads the page), timing wall and CPU."""
    from digitalmarket.core.errors import Conflict

    started, started_cpu = time.perf_counter(), time.thread_time()
    for attempt in range(MAX_TRIES):
        try:
            result = action()
            break
        except Conflict:
            flow.conflicts[name] += 1
            if attempt == MAX_TRIES - 1:
                raise
            time.sleep(0.005 * (attempt + 1))
    flow.seconds[name] = time.perf_counter() - started
    flow.cpu[name] = time.thread_time() - started_cpu
    return result


def run_flow(db, client: Client, warmup: bool = False) -> Flow:
    flow = Flow(client.number, warmup, started=time.time())
    began = time.perf_counter()
    try:
        flow.request_id, flow.quote_id = _step(flow, "ask", lambda: ask(db, client))
        _step(flow, "answer", lambda: answer(db, client, flow.quote_id))
        flow.order_id = _step(flow, "award", lambda: award(db, client, flow.request_id, flow.quote_id))
        _step(flow, "document", lambda: wait_for_document(db, flow.order_id))
        _step(flow, "confirm_agency", lambda: confirm(db, client.buyer, flow.order_id))
        _step(flow, "confirm_supplier", lambda: confirm(db, client.supplier, flow.order_id))
    except Exception as error:  # noqa: BLE001 - every failure is counted and shown, the run goes on
        flow.error = f"{type(error).__name__}: {getattr(error, 'message', None) or error}"[:300]
    flow.total = time.perf_counter() - began
    return flow


# --- worker processes -------------------------------------------------------------------------------------------


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def worker(url: str, documents: str, clients: list[Client], seconds: float, barrier, results) -> None:
    """One process: a thread per client, a warm-up flow each, then flows until the time is up."""
    from digitalmarket import subscribers
    from digitalmarket.core import collector
    from digitalmarket.core.consumers import Follower
    from digitalmarket.core.database import Database

    subscribers.install()  # as the app does at start-up
    db = Database(url)
    follower = Follower.start(db)  # as each served process has: catches up every second
    collector.settle()  # as a served worker does after its warm-up (`web.warmup`), before any order is made
    flows: list[Flow] = []
    lock = threading.Lock()
    go = threading.Event()
    deadline = [0.0]

    def client_loop(client: Client) -> None:
        warm = run_flow(db, client, warmup=True)
        with lock:
            flows.append(warm)
        ready.wait()
        go.wait()
        while time.perf_counter() < deadline[0]:
            flow = run_flow(db, client)
            with lock:
                flows.append(flow)

    ready = threading.Barrier(len(clients) + 1)
    threads = [threading.Thread(target=client_loop, args=(c,), daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    ready.wait()
    barrier.wait()  # every process warm: the parent starts its clocks
    cpu_before, wall_before = _cpu_seconds(), time.perf_counter()
    deadline[0] = wall_before + seconds
    go.set()
    for thread in threads:
        thread.join()
    results.put(
        {
            "pid": os.getpid(),
            "flows": [flow.__dict__ | {"conflicts": dict(flow.conflicts)} for flow in flows],
            "cpu_seconds": _cpu_seconds() - cpu_before,
            "wall_seconds": time.perf_counter() - wall_before,
        }
    )
    follower.stop()
    db.dispose()


# --- what the server waits for -------------------------------------------------------------------------------------


class WaitSampler(threading.Thread):
    """Samples ``pg_stat_activity`` of the bench database every ``interval`` seconds: how many sessions run
    (CPU), wait for a lock (which), for the disk, or sit idle in a transaction while the client computes;
    and the CPU time of the server processes serving those sessions (from /proc: the server runs on this
    machine), from the first sample in which each appears to the last."""

    def __init__(self, database: str, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.database, self.interval = database, interval
        self.counts: Counter = Counter()
        self.samples = 0
        self.left_out: set[int] = set()  # server processes of the bench's own samplers
        self.first_cpu: dict[int, float] = {}
        self.last_cpu: dict[int, float] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
            while not self.stop.is_set():
                rows = connection.execute(
                    "SELECT pid, state, wait_event_type, wait_event, query FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
                    (self.database,),
                ).fetchall()
                rows = [row for row in rows if row[0] not in self.left_out]
                self.samples += 1
                for pid, seconds in process_cpu([row[0] for row in rows]).items():
                    self.first_cpu.setdefault(pid, seconds)
                    self.last_cpu[pid] = seconds
                for _, state, kind, event, query in rows:
                    if state == "active" and kind == "Lock":
                        self.counts[f"waiting: {kind} {event} ({_statement(query)})"] += 1
                    elif state == "active":
                        self.counts["running" if kind is None else f"waiting: {kind} {event}"] += 1
                    elif state and state.startswith("idle in transaction"):
                        self.counts["in a transaction, client working"] += 1
                    else:
                        self.counts["idle between transactions"] += 1
                time.sleep(self.interval)

    def server_cpu(self) -> float | None:
        if not self.last_cpu:
            return None
        return sum(seconds - self.first_cpu[pid] for pid, seconds in self.last_cpu.items())

    def summary(self) -> dict:
        if not self.samples:
            return {}
        return {
            "samples": self.samples,
            "mean_sessions": {k: round(v / self.samples, 2) for k, v in self.counts.most_common()},
        }


class LagSampler(threading.Thread):
    """Samples every ``interval`` seconds how far behind the log each after-commit consumer is
    (`core.consumers.status`: the age of the oldest event it follows and has not handled) and how old the
    oldest event waiting for the sequencer is: the lag a reader of a read model sees."""

    def __init__(self, url: str, interval: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.url, self.interval = url, interval
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.backend: int | None = None  # its own server process, left out of the server's CPU
        self.stop = threading.Event()

    def run(self) -> None:
        from sqlalchemy import func, select, text

        from digitalmarket.core import consumers
        from digitalmarket.core.audit import AuditEvent
        from digitalmarket.core.database import Database

        db = Database(self.url)
        try:
            while not self.stop.is_set():
                with db.reading() as session:
                    if self.backend is None:
                        self.backend = session.scalar(text("SELECT pg_backend_pid()"))
                    now = session.scalar(text("SELECT now()"))
                    oldest = session.scalar(select(func.min(AuditEvent.occurred_at)).where(AuditEvent.seq.is_(None)))
                    self.samples["sequencer"].append((now - oldest).total_seconds() if oldest else 0.0)
                    for lag in consumers.status(session)[1]:
                        self.samples[lag.name].append(lag.seconds(now))
                time.sleep(self.interval)
        finally:
            db.dispose()

    def summary(self) -> dict:
        def pick(values: list[float], q: float) -> float:
            ordered = sorted(values)
            return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)

        return {
            name: {
                "samples": len(values),
                "p50_s": pick(values, 0.5),
                "p95_s": pick(values, 0.95),
                "max_s": round(max(values), 3),
            }
            for name, values in self.samples.items()
            if values
        }


def _statement(query: str) -> str:
    """What a waiting statement is, in a few words: "UPDATE code_sequences", "SELECT pg_advisory_xact_lock"."""
    words = (query or "").replace("(", " ").split()
    if not words:
        return "?"
    verb = words[0].upper()
    if verb == "SELECT" and "pg_advisory_xact_lock" in query:
        return "SELECT pg_advisory_xact_lock"
    target = {"UPDATE": 1, "INSERT": 2, "DELETE": 2}.get(verb)
    if target is not None and len(words) > target:
        return f"{verb} {words[target]}"
    if verb == "SELECT" and "FROM" in words:
        return f"SELECT FROM {words[words.index('FROM') + 1]}"
    return verb


def process_cpu(pids: list[int]) -> dict[int, float]:
    """CPU seconds so far of each process."""
    ticks = os.sysconf("SC_CLK_TCK")
    found: dict[int, float] = {}
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = Path(f"/proc/{pid}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            found[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return found


# --- the database --------------------------------------------------------------------------------------------------


def _url(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"


def migration_head() -> str:
    from alembic.script import ScriptDirectory

    from digitalmarket.core.migrate import alembic_config

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() or ""


def _admin():
    import psycopg

    return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)


def prepare_base(fresh: bool) -> dict:
    """The base database with the demo data and the bench's agencies, buyers and catalog contracts."""
    from psycopg import sql

    key = f"s{SETUP_VERSION}-{migration_head()}"
    with _admin() as admin:
        row = admin.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", (BASE_DB,)
        ).fetchone()
        if row and row[0] and not fresh:
            stored = json.loads(row[0])
            if stored.get("key") == key:
                return stored | {"cached": True}
            if stored.get("key", "").startswith(f"s{SETUP_VERSION}-"):  # only newer migrations: apply them
                return _migrate_base(admin, stored, key)
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(BASE_DB)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BASE_DB)))
    shutil.rmtree(CACHE / "base-documents", ignore_errors=True)
    started = time.perf_counter()
    clients = build_world(_url(BASE_DB), CACHE / "base-documents")
    note = {"key": key, "seconds": round(time.perf_counter() - started, 1), "clients": len(clients)}
    with _admin() as admin:
        admin.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(BASE_DB), sql.Literal(json.dumps(note)))
        )
    return note | {"cached": False}


def _migrate_base(admin, stored: dict, key: str) -> dict:
    """The cached base database brought to the newest migrations (the same set-up, a newer schema)."""
    from psycopg import sql
    from sqlalchemy import create_engine

    from digitalmarket.core.migrate import upgrade

    started = time.perf_counter()
    engine = create_engine(_url(BASE_DB))
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    note = stored | {
        "key": key,
        "migrated_from": stored["key"],
        "migrate_seconds": round(time.perf_counter() - started, 1),
    }
    admin.execute(
        sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(BASE_DB), sql.Literal(json.dumps(note)))
    )
    return note | {"cached": True}


def build_world(url: str, documents: Path) -> list[Client]:
    """Everything through the workflows, as `seed-demo` and the tests do."""
    from sqlalchemy import select

    from digitalmarket import subscribers
    from digitalmarket.accounts import registration, user_accounts
    from digitalmarket.accounts.rules import Role
    from digitalmarket.accounts.tables import User
    from digitalmarket.catalog.tables import Service
    from digitalmarket.contracting.catalog_contracts import applying, contract_items, officer_steps, queries
    from digitalmarket.contracting.money import catalog_price
    from digitalmarket.core.database import Database
    from digitalmarket.core.migrate import upgrade
    from digitalmarket.demo import seed_demo, seed_demo_work

    subscribers.install()  # as the app does at start-up
    db = Database(url)
    try:
        upgrade(db.engine)
        with db.transaction() as session:
            seed_demo(session)
            seed_demo_work(session, documents)
        with db.transaction() as session:
            for number in range(1, BENCH_AGENCIES + 1):
                # with the head and address a contract document prints (`contract_pdf.party_problems`)
                given = registration.NewAgency(
                    f"BENCH{number:03d}",
                    f"벤치행정기관 {number:02d}",
                    "central",
                    representative=f"기관장 {number:02d}",
                    address=f"세종특별자치시 한누리대로 {number}",
                )
                agency = registration.create_agency(session, None, given)
                user = user_accounts.NewUser(
                    f"bench-buyer{number:02d}@demo.kr", f"구매담당 {number:02d}", Role.AGENCY_BUYER, agency.id, PASSWORD
                )
                user_accounts.create_user(session, None, user)
            services = _chosen_services(session)
            with_users = set(session.scalars(select(User.organisation_id).where(User.role == Role.SUPPLIER)))
            for service in services:
                if service.supplier_id not in with_users:
                    org = service.supplier
                    user = user_accounts.NewUser(
                        f"bench-sales-{org.business_number}@demo.kr",
                        f"{org.name} 영업",
                        Role.SUPPLIER,
                        org.id,
                        PASSWORD,
                    )
                    user_accounts.create_user(session, None, user)
                    with_users.add(org.id)
            codes = [service.code for service in services]
        officer = _actor(db, "officer@demo.kr")
        today = _today()
        for code in codes[::2]:  # half of the services are in the shopping mall: delivery requests
            with db.reading() as session:
                service = session.scalars(select(Service).where(Service.code == code)).one()
                supplier = _supplier_actor(session, service.supplier_id)
                items = [
                    contract_items.ItemInput(plan.id, int(catalog_price(plan.unit_price, plan.vat_included) * 0.95))
                    for plan in service.price_plans
                ]
                service_id = service.id
            with db.transaction() as session:
                contract_id = applying.apply(
                    session, supplier, service_id, items, today, today + timedelta(days=729)
                ).id
            for step in (officer_steps.start_review, officer_steps.sign):
                with db.transaction() as session:
                    step(session, officer, contract_id, queries.load(session, contract_id).version)
        return load_clients(db)
    finally:
        db.dispose()


def _chosen_services(session) -> list:
    """One published service of each supplier (then more of the same suppliers) for the bench's agencies,
    among the suppliers whose profile has every detail a contract document prints."""
    from sqlalchemy import select

    from digitalmarket.accounts.profiles import contract_party_gaps
    from digitalmarket.catalog.tables import Service

    services = [
        service
        for service in session.scalars(select(Service).where(Service.status == "published").order_by(Service.id))
        if not contract_party_gaps(service.supplier)
    ]
    chosen, seen = [], set()
    for service in services:
        if service.supplier_id not in seen and service.price_plans:
            chosen.append(service)
            seen.add(service.supplier_id)
    for service in services:
        if len(chosen) >= BENCH_AGENCIES:
            break
        if service not in chosen and service.price_plans:
            chosen.append(service)
    return chosen[:BENCH_AGENCIES]


def _actor(db, email: str):
    from sqlalchemy import select

    from digitalmarket.accounts.tables import User
    from digitalmarket.accounts.user_accounts import actor_of

    with db.reading() as session:
        return actor_of(session.scalars(select(User).where(User.email == email)).one())


def _supplier_actor(session, organisation_id: int):
    from sqlalchemy import select

    from digitalmarket.accounts.rules import Role
    from digitalmarket.accounts.tables import User
    from digitalmarket.accounts.user_accounts import actor_of

    query = select(User).where(User.organisation_id == organisation_id, User.role == Role.SUPPLIER, User.is_active)
    return actor_of(session.scalars(query.order_by(User.id)).first())


def load_clients(db) -> list[Client]:
    from sqlalchemy import func, select

    from digitalmarket.accounts.tables import User
    from digitalmarket.contracting.orders.making import catalog_contract_of

    clients = []
    with db.reading() as session:
        services = _chosen_services(session)
        for number in range(1, BENCH_AGENCIES + 1):
            service = services[(number - 1) % len(services)]
            users = session.scalar(
                select(func.count()).where(User.organisation_id == service.supplier_id, User.is_active)
            )
            contract = catalog_contract_of(session, service, _today())
            clients.append(
                Client(
                    number=number,
                    buyer=None,
                    supplier=_supplier_actor(session, service.supplier_id),
                    supplier_users=users,
                    service_code=service.code,
                    plan_id=service.price_plans[0].id,
                    method="delivery_request" if contract else "negotiated",
                )
            )
    return [Client(**(c.__dict__ | {"buyer": _actor(db, f"bench-buyer{c.number:02d}@demo.kr")})) for c in clients]


def clone_run_database() -> str:
    from psycopg import sql

    with _admin() as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(RUN_DB)))
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(RUN_DB), sql.Identifier(BASE_DB)))
    return _url(RUN_DB)


# --- checking that nothing was lost --------------------------------------------------------------------------------


def expected_versions(db, flow: Flow) -> tuple[int, int, int]:
    from digitalmarket.contracting.tables import Order, Quote, QuoteRequest

    with db.reading() as session:
        return (
            session.get(QuoteRequest, flow.request_id).version,
            session.get(Quote, flow.quote_id).version,
            session.get(Order, flow.order_id).version,
        )


FLOW_EVENTS = {
    ("quote_request", "quote_request.created"): 1,
    ("quote_request", "quote_request.awarded"): 1,
    ("quote", "quote.answered"): 1,
    ("order", "order.created"): 1,
    ("order", "order.confirmed"): 2,
    ("order", "order.contracted"): 1,
}


def verify(db, store, flows: list[Flow], clients: dict[int, Client], expected: tuple[int, int, int]) -> dict:
    """Check every complete flow against the database; returns counts and the first problems found."""
    from sqlalchemy import func, select

    from digitalmarket.contracting.tables import Order, Quote, QuoteRequest
    from digitalmarket.core.audit import AuditEvent
    from digitalmarket.core.notifications import Notification
    from digitalmarket.opendata.release_facts import order_ocid
    from digitalmarket.opendata.tables import OcdsRelease

    problems: list[str] = []
    bad: set[int] = set()

    def problem(flow: Flow, text: str) -> None:
        bad.add(flow.order_id or -flow.client)
        if len(problems) < 30:
            problems.append(f"client {flow.client}, order {flow.order_id}: {text}")

    done = [f for f in flows if f.complete]
    with db.reading() as session:
        ids = {
            "quote_request": [str(f.request_id) for f in done],
            "quote": [str(f.quote_id) for f in done],
            "order": [str(f.order_id) for f in done],
        }
        events: dict[tuple[str, str], Counter] = defaultdict(Counter)
        sides: dict[str, Counter] = defaultdict(Counter)
        drafts: dict[str, set] = defaultdict(set)  # the documents each side confirmed
        for kind, object_ids in ids.items():
            for start in range(0, len(object_ids), 2000):
                rows = session.execute(
                    select(AuditEvent.object_type, AuditEvent.object_id, AuditEvent.action, AuditEvent.details).where(
                        AuditEvent.object_type == kind, AuditEvent.object_id.in_(object_ids[start : start + 2000])
                    )
                )
                for object_type, object_id, action, details in rows:
                    events[(object_type, object_id)][action] += 1
                    if action == "order.confirmed":
                        sides[object_id][(details or {}).get("side")] += 1
                        drafts[object_id].add((details or {}).get("document_sha256"))
        orders = {o.id: o for o in session.scalars(select(Order).where(Order.id.in_([f.order_id for f in done])))}
        quotes_ = {q.id: q for q in session.scalars(select(Quote).where(Quote.id.in_([f.quote_id for f in done])))}
        requests = {
            r.id: r
            for r in session.scalars(select(QuoteRequest).where(QuoteRequest.id.in_([f.request_id for f in done])))
        }
        releases = Counter(
            session.scalars(
                select(OcdsRelease.release_id).where(
                    OcdsRelease.object_type == "order", OcdsRelease.object_id.in_(orders)
                )
            )
        )
        links: Counter = Counter(
            session.scalars(
                select(Notification.link).where(
                    Notification.link.in_(
                        [f"/orders/{f.order_id}" for f in done]
                        + [f"/supplier/quotes/{f.quote_id}" for f in done]
                        + [f"/agency/quote-requests/{f.request_id}" for f in done]
                    )
                )
            )
        )
        for flow in done:
            order, quote, request = orders.get(flow.order_id), quotes_.get(flow.quote_id), requests.get(flow.request_id)
            if order is None or quote is None or request is None:
                problem(flow, "order, quote or request missing")
                continue
            if order.status != "contracted" or order.contracted_at is None:
                problem(flow, f"order is {order.status}, not contracted")
            first = next((v for v in order.versions if v.seq == 0), None)
            if first is None or first.agency_confirmed_at is None or first.supplier_confirmed_at is None:
                problem(flow, "a confirmation is missing")
            elif first.status != "confirmed":
                problem(flow, f"version 0 is {first.status}")
            if [v.seq for v in order.versions] != [0]:
                problem(flow, f"order versions {[v.seq for v in order.versions]}")
            if first is not None:
                # the document of record, and the draft both sides confirmed (named by their audit events)
                confirmed = drafts.get(str(flow.order_id), set())
                if len(confirmed) != 1 or first.document_sha256 in confirmed:
                    problem(flow, f"the sides confirmed {len(confirmed)} drafts; the record is one of them")
                for name, sha in [("document of record", first.document_sha256)] + [("draft", d) for d in confirmed]:
                    path = store.path_of(sha) if sha else None
                    if path is None or not path.is_file():
                        problem(flow, f"contract {name} not stored")
                    elif hashlib.sha256(path.read_bytes()).hexdigest() != sha:
                        problem(flow, f"contract {name} does not match its SHA-256")
            if quote.status != "awarded" or request.status != "awarded":
                problem(flow, f"quote {quote.status}, request {request.status}")
            if order.quote_id != quote.id:
                problem(flow, "order not linked to its quote")
            if (request.version, quote.version, order.version) != expected:
                problem(flow, f"versions {(request.version, quote.version, order.version)}, expected {expected}")
            object_ids = {"quote_request": flow.request_id, "quote": flow.quote_id, "order": flow.order_id}
            for (kind, action), count in FLOW_EVENTS.items():
                found = events[(kind, str(object_ids[kind]))][action]
                if found != count:
                    problem(flow, f"{found} audit events {action}, expected {count}")
            if sides[str(flow.order_id)] != Counter({"agency": 1, "supplier": 1}):
                problem(flow, f"confirmations by side {dict(sides[str(flow.order_id)])}")
            for suffix in ("award", "contract"):
                if releases[f"{order_ocid(order)}-{suffix}"] != 1:
                    problem(flow, f"OCDS {suffix} release missing")
            users = clients[flow.client].supplier_users
            wanted = {
                f"/supplier/quotes/{flow.quote_id}": users,  # asked
                f"/agency/quote-requests/{flow.request_id}": 1,  # answered
                f"/orders/{flow.order_id}": 2 * users + 1,  # order made, agency confirmed, contracted
            }
            for link, count in wanted.items():
                if links[link] != count:
                    problem(flow, f"{links[link]} notifications to {link}, expected {count}")
        orders_total = session.scalar(select(func.count()).select_from(Order))
    return {
        "flows_checked": len(done),
        "flows_with_problems": len(bad),
        "lost_updates": len(bad),
        "orders_in_database": orders_total,
        "problems": problems,
    }


def audit_verify(url: str) -> dict:
    """``digitalmarket audit-verify`` over the whole chain, as an operator runs it."""
    env = os.environ | {"DM_DATABASE_URL": url, "DM_DATA_DIR": str(CACHE / "data")}
    (CACHE / "data").mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "digitalmarket.cli", "audit-verify"], env=env, capture_output=True, text=True
    )
    return {
        "ok": done.returncode == 0,
        "output": " ".join((done.stdout + done.stderr).split())[:300],
        "seconds": round(time.perf_counter() - started, 2),
    }


# --- the measured run ----------------------------------------------------------------------------------------------


def percentiles(samples: list[float]) -> dict:
    if not samples:
        return {}
    ordered = sorted(samples)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)

    return {
        "n": len(ordered),
        "p50_ms": pick(0.50),
        "p95_ms": pick(0.95),
        "p99_ms": pick(0.99),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def load_average() -> list[float] | None:
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return None


def measure(url: str, documents: Path, clients: list[Client], processes: int, seconds: float) -> tuple[dict, list]:
    context = mp.get_context("spawn")
    barrier = context.Barrier(processes + 1)
    results = context.Queue()
    shares = [clients[index::processes] for index in range(processes)]
    workers = [
        context.Process(target=worker, args=(url, str(documents), share, seconds, barrier, results))
        for share in shares
        if share
    ]
    for process in workers:
        process.start()
    sampler = WaitSampler(RUN_DB)
    lags = LagSampler(url)
    barrier.wait(timeout=600)
    load_before = load_average()
    wall_before, started_at = time.perf_counter(), time.time()
    lags.start()
    while lags.backend is None and lags.is_alive():
        time.sleep(0.01)
    sampler.left_out.add(lags.backend)
    sampler.start()
    reports = []
    while len(reports) < len(workers):
        try:
            reports.append(results.get(timeout=5))
        except queue.Empty:
            if not any(p.is_alive() for p in workers):
                break
    window = time.perf_counter() - wall_before
    sampler.stop.set()
    lags.stop.set()
    sampler.join(timeout=5)
    lags.join(timeout=5)
    pg_used, load_after = sampler.server_cpu(), load_average()
    for process in workers:
        process.join(timeout=30)
    flows = [_flow_of(raw) for report in reports for raw in report["flows"]]
    measured = [f for f in flows if not f.warmup]
    complete = [f for f in measured if f.complete]
    # throughput over the time every client was starting flows (the last flows still finish after it)
    ended = max((f.started + f.total for f in complete), default=started_at + window) - started_at
    errors = Counter(f.error for f in measured if f.error)
    conflicts: Counter = Counter()
    for flow in flows:
        conflicts.update(flow.conflicts)
    python_cpu = sum(report["cpu_seconds"] for report in reports)
    cpu_per_flow = (python_cpu + (pg_used or 0.0)) / len(complete) if complete else None
    summary = {
        "clients": len(clients),
        "processes": len(workers),
        "threads_per_process": max(len(s) for s in shares),
        "seconds_asked": seconds,
        "window_s": round(ended, 2),
        "flows_started": len(measured),
        "flows_completed": len(complete),
        "flows_per_s": round(len(complete) / ended, 2) if ended else 0.0,
        "goal_flows_per_s": GOAL_FLOWS_PER_S,
        "goal_cpu_per_flow_ms": GOAL_CPU_PER_FLOW_MS,
        "flow": percentiles([f.total for f in complete]),
        "steps": {
            name: percentiles([f.seconds[name] for f in complete])
            | {"cpu_mean_ms": round(statistics.fmean([f.cpu[name] for f in complete]) * 1000, 1) if complete else None}
            for name in STEPS
        },
        "conflicts": sum(conflicts.values()),
        "conflicts_by_step": dict(conflicts),
        "errors": sum(errors.values()),
        "error_samples": [f"{count} x {text}" for text, count in errors.most_common(5)],
        "cpu": {
            "bench_processes_s": round(python_cpu, 2),
            "postgres_server_s": round(pg_used, 2) if pg_used is not None else None,
            "window_s": round(window, 2),
            "cores": os.cpu_count(),
            "bench_cpu_per_flow_ms": round(python_cpu / len(complete) * 1000, 1) if complete else None,
            "postgres_cpu_per_flow_ms": round(pg_used / len(complete) * 1000, 1) if complete and pg_used else None,
            # what the cores could do if the flows used nothing but them (no waits, no one else on the machine)
            "cpu_bound_flows_per_s": round((os.cpu_count() or 1) / cpu_per_flow, 1) if cpu_per_flow else None,
        },
        "load_average_before": load_before,
        "load_average_after": load_after,
        "server_sessions": sampler.summary(),
        "consumer_lag": lags.summary(),
    }
    return summary, flows


def _flow_of(raw: dict) -> Flow:
    flow = Flow(**{k: v for k, v in raw.items() if k != "conflicts"})
    flow.conflicts = Counter(raw["conflicts"])
    return flow


# --- contention: several clients on the same objects ---------------------------------------------------------------


def _race(actions: list) -> list[tuple[str, float]]:
    """Run the actions at the same moment, one thread each: ("ok" | "conflict" | error, seconds)."""
    from digitalmarket.core.errors import Conflict

    gate = threading.Barrier(len(actions))
    outcomes: list[tuple[str, float]] = [("", 0.0)] * len(actions)

    def run(index: int, action) -> None:
        gate.wait()
        started = time.perf_counter()
        try:
            action()
            outcome = "ok"
        except Conflict:
            outcome = "conflict"
        except Exception as error:  # noqa: BLE001
            outcome = f"{type(error).__name__}: {error}"[:200]
        outcomes[index] = (outcome, time.perf_counter() - started)

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _confirm_until_done(db, who, order_id: int, side: str) -> tuple[str, int]:
    """Confirm; after a 409 read again and try again until this side's confirmation is in."""
    from digitalmarket.contracting.tables import Order
    from digitalmarket.core.errors import Conflict

    conflicts = 0
    for _ in range(MAX_TRIES * 2):
        with db.reading() as session:
            order = session.get(Order, order_id)
            first = next(v for v in order.versions if v.seq == 0)
            if (first.agency_confirmed_at if side == "agency" else first.supplier_confirmed_at) is not None:
                return "ok", conflicts
            version = order.version
        try:
            confirm(db, who, order_id, version)
            return "ok", conflicts
        except Conflict:
            conflicts += 1
    return "gave up", conflicts


def _award_into(awarded: list[int], *args) -> None:
    awarded.append(award(*args))


def contention(db, clients: list[Client], rounds: int, racers: int) -> dict:
    from sqlalchemy import select

    from digitalmarket.contracting.tables import Order, OrderLine
    from digitalmarket.core.audit import AuditEvent
    from digitalmarket.opendata.tables import OcdsRelease

    tally: dict[str, Counter] = defaultdict(Counter)
    seconds: dict[str, list[float]] = defaultdict(list)
    problems: list[str] = []
    for number in range(rounds):
        client = clients[number % len(clients)]
        # 1. the same quote awarded by several clients at once
        request_id, quote_id = ask(db, client)
        answer(db, client, quote_id)
        version, _ = read_quote(db, quote_id)
        made: list[int] = []

        award_once = partial(_award_into, made, db, client, request_id, quote_id, version)
        for outcome, took in _race([award_once] * racers):
            tally["award_same_quote"][outcome] += 1
            seconds["award_same_quote"].append(took)
        with db.reading() as session:
            orders = list(session.scalars(select(Order).where(Order.quote_id == quote_id)))
        if len(orders) != 1 or len(made) != 1:
            problems.append(f"round {number}: {len(orders)} orders for one quote, {len(made)} awards succeeded")
            continue
        order_id = orders[0].id
        wait_for_document(db, order_id)
        # 2. both confirmations racing, each side twice (a double click)
        half = max(1, racers // 2)
        sides = [("agency", client.buyer)] * half + [("supplier", client.supplier)] * half
        confirm_conflicts = []

        def confirm_side(side=None, who=None, order_id=order_id, out=confirm_conflicts):
            outcome, conflicts = _confirm_until_done(db, who, order_id, side)
            out.append(conflicts)
            if outcome != "ok":
                raise RuntimeError(outcome)

        for outcome, took in _race([partial(confirm_side, side, who) for side, who in sides]):
            tally["confirm_both_sides"][outcome] += 1
            seconds["confirm_both_sides"].append(took)
        tally["confirm_both_sides"]["conflicts_then_retried"] += sum(confirm_conflicts)
        with db.reading() as session:
            order = session.get(Order, order_id)
            first = next(v for v in order.versions if v.seq == 0)
            actions = Counter(
                session.scalars(
                    select(AuditEvent.action).where(
                        AuditEvent.object_type == "order", AuditEvent.object_id == str(order_id)
                    )
                )
            )
            releases = list(
                session.scalars(
                    select(OcdsRelease.release_id).where(
                        OcdsRelease.object_type == "order", OcdsRelease.object_id == order_id
                    )
                )
            )
            if order.status != "contracted" or not (first.agency_confirmed_at and first.supplier_confirmed_at):
                problems.append(f"round {number}: order {order.code} is {order.status} after racing confirmations")
            if actions["order.confirmed"] != 2 or actions["order.contracted"] != 1:
                problems.append(f"round {number}: audit events {dict(actions)}")
            if sorted(r.rsplit("-", 1)[1] for r in releases) != ["award", "contract"]:
                problems.append(f"round {number}: releases {releases}")
        # 3. the supplier revises the quote while the buyer awards the version it saw
        request_id, quote_id = ask(db, client)
        seen_prices = answer(db, client, quote_id)
        seen_version, _ = read_quote(db, quote_id)
        awarded: list[int] = []
        outcomes = _race(
            [
                partial(answer, db, client, quote_id, discount=0.8),
                partial(_award_into, awarded, db, client, request_id, quote_id, seen_version),
            ]
        )
        for (outcome, took), who in zip(outcomes, ("revise", "award"), strict=True):
            tally[f"revise_vs_award: {who}"][outcome] += 1
            seconds["revise_vs_award"].append(took)
        if sum(1 for outcome, _ in outcomes if outcome == "ok") != 1:
            problems.append(f"round {number}: revise and award both {outcomes[0][0]}/{outcomes[1][0]}")
        if awarded:
            with db.reading() as session:
                prices = list(session.scalars(select(OrderLine.unit_price).where(OrderLine.order_id == awarded[0])))
            if prices != list(seen_prices.values()):
                problems.append(f"round {number}: order at {prices}, the buyer saw {list(seen_prices.values())}")
    outcomes = {race: dict(counts) for race, counts in tally.items()}
    errors = race_errors(outcomes)
    return {
        "rounds": rounds,
        "racers": racers,
        "outcomes": outcomes,
        "latency": {race: percentiles(samples) for race, samples in seconds.items()},
        "errors": errors,
        "problems": problems[:20],
        "ok": not problems and not errors,
    }


def race_errors(outcomes: dict[str, dict[str, int]]) -> int:
    """Racing clients told neither "done" nor 409 (a 500 for an API caller: a deadlock, a unique key)."""
    expected = {"ok", "conflict", "conflicts_then_retried"}
    return sum(count for counts in outcomes.values() for outcome, count in counts.items() if outcome not in expected)


# --- what a flow costs, step by step ----------------------------------------------------------------------------------


class _Costs:
    """Counts the SQL statements each step sends (SQLAlchemy's ``before_cursor_execute``), apart from those of
    the after-commit consumers the step's commit runs in its thread (`core.consumers.run`), and times the
    contract PDFs (`documents.layout.contract_pdf`, wherever it is called from)."""

    def __init__(self) -> None:
        self.local = threading.local()
        self.statements: Counter = Counter()
        self.pdf_seconds: Counter = Counter()
        self.pdfs: Counter = Counter()

    def key(self, part: str) -> tuple[str, str]:
        return (getattr(self.local, "step", "-"), part if not getattr(self.local, "after", 0) else "after commit")

    def on_statement(self, *_args) -> None:
        self.statements[self.key("step")] += 1

    def wrap_consumers(self, run):
        def wrapped(*args, **kwargs):
            self.local.after = getattr(self.local, "after", 0) + 1
            try:
                return run(*args, **kwargs)
            finally:
                self.local.after -= 1

        return wrapped

    def wrap_pdf(self, make):
        def wrapped(*args, **kwargs):
            started = time.thread_time()
            try:
                return make(*args, **kwargs)
            finally:
                step = getattr(self.local, "step", "-")
                self.pdf_seconds[step] += time.thread_time() - started
                self.pdfs[step] += 1

        return wrapped


@contextlib.contextmanager
def _patched(module, name: str, wrap):
    original = getattr(module, name, None)
    if original is None:
        yield
        return
    setattr(module, name, wrap(original))
    try:
        yield
    finally:
        setattr(module, name, original)


def _flow_step(db, client: Client, flow: Flow, name: str) -> None:
    """One step of ``flow``, by name, once (no tries again)."""
    if name == "ask":
        flow.request_id, flow.quote_id = ask(db, client)
    elif name == "answer":
        answer(db, client, flow.quote_id)
    elif name == "award":
        flow.order_id = award(db, client, flow.request_id, flow.quote_id)
    elif name == "document":
        wait_for_document(db, flow.order_id)
    else:
        confirm(db, client.buyer if name == "confirm_agency" else client.supplier, flow.order_id)


def costs(db, url: str, client: Client, flows: int) -> dict:
    """``flows`` flows one after another in this process (the consumers inline, as the default), without a
    profiler: per step, the SQL statements sent (in the step's transactions, and after its commit by the
    consumers it runs), the CPU time of this thread and the contract PDFs made; per flow, the CPU time of
    the PostgreSQL sessions serving them."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from digitalmarket.contracting.documents import layout
    from digitalmarket.contracting.orders import documents
    from digitalmarket.core import consumers

    counter = _Costs()
    cpu: Counter = Counter()
    database = url.rsplit("/", 1)[1]

    def backends() -> dict[int, float]:
        with _admin() as admin:
            pids = [row[0] for row in admin.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (database,))]
        return process_cpu(pids)

    run_flow(db, client)  # connections open, caches warm
    event.listen(Engine, "before_cursor_execute", counter.on_statement)
    done = 0
    try:
        with (
            _patched(consumers, "run", counter.wrap_consumers),
            _patched(documents, "contract_pdf", counter.wrap_pdf),
            _patched(layout, "contract_pdf", counter.wrap_pdf),
        ):
            server_before = backends()
            for _ in range(flows):
                flow = Flow(client.number)
                for name in STEPS:
                    counter.local.step = name
                    started = time.thread_time()
                    _flow_step(db, client, flow, name)
                    cpu[name] += time.thread_time() - started
                counter.local.step = "-"
                done += 1
            server_after = backends()
    finally:
        event.remove(Engine, "before_cursor_execute", counter.on_statement)
    server = sum(seconds - server_before.get(pid, 0.0) for pid, seconds in server_after.items())
    per_step = {}
    for name in STEPS:
        in_step, after = counter.statements[(name, "step")], counter.statements[(name, "after commit")]
        per_step[name] = {
            "statements": round(in_step / done, 1),
            "statements_after_commit": round(after / done, 1),
            "cpu_ms": round(cpu[name] / done * 1000, 1),
            "pdfs": round(counter.pdfs[name] / done, 2),
            "pdf_ms": round(counter.pdf_seconds[name] / done * 1000, 1),
        }
    pdfs = sum(counter.pdfs.values())
    return {
        "flows": done,
        "note": (
            "one client alone, consumers inline (the after-commit statements are those the step's commit ran in "
            "its thread: sequencer, documents, OCDS); CPU of this thread, PDF time included in its step"
        ),
        "steps": per_step,
        "statements_per_flow": round(sum(counter.statements.values()) / done, 1),
        "python_cpu_per_flow_ms": round(sum(cpu.values()) / done * 1000, 1),
        "postgres_cpu_per_flow_ms": round(server / done * 1000, 1),
        "pdfs_per_flow": round(pdfs / done, 2),
        "pdf_ms_each": round(sum(counter.pdf_seconds.values()) / pdfs * 1000, 1) if pdfs else None,
    }


# --- profile ---------------------------------------------------------------------------------------------------------


def profile(db, client: Client, flows: int) -> dict:
    """``flows`` flows one after another under cProfile, timed by the thread's CPU time (waits for the
    database left out): where the CPU time of a flow goes, by function and by library."""
    profiler = cProfile.Profile(time.thread_time)
    started, started_cpu = time.perf_counter(), time.process_time()
    profiler.enable()
    for _ in range(flows):
        run_flow(db, client)
    profiler.disable()
    wall, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    stats.sort_stats("cumulative").print_stats(60)
    stats.sort_stats("tottime").print_stats(30)
    PROFILE_OUT.parent.mkdir(parents=True, exist_ok=True)
    PROFILE_OUT.write_text(stream.getvalue())
    watched = {
        "contract PDF (documents.layout.contract_pdf)": ("layout.py", "contract_pdf"),
        "font loading (fpdf add_font)": ("fpdf.py", "add_font"),
        "font subsetting and PDF output (fpdf output)": ("fpdf.py", "output"),
        "audit appends (audit.record_many)": ("audit.py", "record_many"),
        "OCDS releases (opendata.releases._write + facts)": ("releases.py", "_order"),
        "notifications (notify)": ("notifications.py", "notify"),
        "commits (Session.commit)": ("session.py", "commit"),
        "flushes (Session.flush)": ("session.py", "flush"),
    }
    shares = {}
    for label, (filename, function) in watched.items():
        total = sum(
            stat[3]
            for (path, _, name), stat in stats.stats.items()  # type: ignore[attr-defined]
            if path.endswith(filename) and name == function
        )
        shares[label] = {"seconds_per_flow": round(total / flows, 4), "share_of_cpu": round(total / cpu, 3)}
    return {
        "flows": flows,
        "wall_per_flow_ms": round(wall / flows * 1000, 1),
        "cpu_per_flow_ms": round(cpu / flows * 1000, 1),
        "note": "one client alone, under cProfile timed by CPU (which slows Python down); cumulative times overlap",
        "cumulative": shares,
        "by_library_ms_per_flow": by_library(stats, flows),
        "file": str(PROFILE_OUT.relative_to(ROOT)),
    }


#: Where a function's own CPU time is counted: the first of these found in its file's path.
LIBRARIES = (
    ("our code", "/digitalmarket/"),
    ("SQLAlchemy", "/sqlalchemy/"),
    ("psycopg", "/psycopg"),
    ("pyHanko", "/pyhanko/"),
    ("pyHanko certvalidator", "/pyhanko_certvalidator/"),
    ("asn1crypto", "/asn1crypto/"),
    ("cryptography", "/cryptography/"),
    ("fpdf2 and fontTools", "/fpdf/"),
    ("fpdf2 and fontTools", "/fontTools/"),
    ("asyncio", "/asyncio/"),
)


def by_library(stats: pstats.Stats, flows: int) -> dict[str, float]:
    """Each function's own CPU time (tottime), summed by the library it belongs to, in ms per flow."""
    totals: Counter = Counter()
    for (path, _, _), stat in stats.stats.items():  # type: ignore[attr-defined]
        name = next((label for label, part in LIBRARIES if part in path), "Python and the rest")
        totals[name] += stat[2]
    return {name: round(seconds / flows * 1000, 1) for name, seconds in totals.most_common()}


# --- the run and the report -----------------------------------------------------------------------------------------


def git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def machine() -> dict:
    cpu = ""
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    server = None
    with contextlib.suppress(Exception), _admin() as admin:
        server = admin.execute("SHOW server_version").fetchone()[0]
        settings = dict(
            admin.execute(
                "SELECT name, setting FROM pg_settings WHERE name IN "
                "('synchronous_commit', 'fsync', 'shared_buffers', 'max_connections', 'wal_level')"
            ).fetchall()
        )
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "platform": platform.platform(),
        "postgresql": server,
        "postgresql_settings": settings if server else None,
    }


def print_table(run: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if sys.stdout.isatty() else 130)
    main = run["main"]
    title = (
        f"Order flows on PostgreSQL, {main['clients']} clients ({main['processes']} processes x "
        f"{main['threads_per_process']} threads), {main['window_s']} s: "
        f"{main['flows_per_s']} flows/s (goal {GOAL_FLOWS_PER_S})"
    )
    table = Table(title=title)
    for name in ("step", "n", "p50 ms", "p95 ms", "p99 ms", "mean ms", "CPU mean ms", "409s"):
        table.add_column(name, justify="right" if name != "step" else "left")
    for name in STEPS:
        figures = main["steps"][name]
        table.add_row(
            name,
            str(figures.get("n", 0)),
            *(str(figures.get(k, "-")) for k in ("p50_ms", "p95_ms", "p99_ms", "mean_ms", "cpu_mean_ms")),
            str(main["conflicts_by_step"].get(name, 0)),
        )
    flow = main["flow"]
    table.add_row(
        "whole flow",
        str(flow.get("n", 0)),
        *(str(flow.get(k, "-")) for k in ("p50_ms", "p95_ms", "p99_ms", "mean_ms")),
        "",
        str(main["conflicts"]),
        style="bold",
    )
    console.print(table)
    cpu = main["cpu"]
    console.print(
        f"completed {main['flows_completed']} of {main['flows_started']} flows, errors {main['errors']}, "
        f"conflicts {main['conflicts']}; CPU: bench {cpu['bench_processes_s']} s, PostgreSQL "
        f"{cpu['postgres_server_s']} s in {cpu['window_s']} s on {cpu['cores']} cores "
        f"({cpu['bench_cpu_per_flow_ms']} + {cpu['postgres_cpu_per_flow_ms']} ms per flow: at most "
        f"{cpu['cpu_bound_flows_per_s']} flows/s on these cores); load average "
        f"{main['load_average_before']} -> {main['load_average_after']}"
    )
    for text in main["error_samples"]:
        console.print(f"[red]{text}[/red]")
    sessions = main["server_sessions"].get("mean_sessions", {})
    if sessions:
        console.print("server sessions (mean): " + ", ".join(f"{k} {v}" for k, v in sessions.items()))
    if main.get("consumer_lag"):
        console.print(
            "consumer lag (p50 / p95 / max s): "
            + ", ".join(
                f"{k} {v['p50_s']} / {v['p95_s']} / {round(v['max_s'], 2)}" for k, v in main["consumer_lag"].items()
            )
        )
    check = run["verification"]
    colour = "green" if not check["lost_updates"] and check["audit_verify"]["ok"] else "red"
    console.print(
        f"[{colour}]verified {check['flows_checked']} flows: {check['lost_updates']} with a lost update or a "
        f"missing record; audit-verify: {check['audit_verify']['output']}[/{colour}]"
    )
    for text in check["problems"][:10]:
        console.print(f"[red]  {text}[/red]")
    if run.get("contention"):
        race = run["contention"]
        table = Table(title=f"Contention: {race['rounds']} rounds, {race['racers']} racers")
        table.add_column("race")
        table.add_column("outcomes")
        table.add_column("p50 / p95 ms", justify="right")
        for name, outcomes in race["outcomes"].items():
            key = name.split(":")[0]
            latency = race["latency"].get(key, {})
            table.add_row(
                name,
                ", ".join(f"{k} {v}" for k, v in outcomes.items()),
                f"{latency.get('p50_ms', '-')} / {latency.get('p95_ms', '-')}",
            )
        console.print(table)
        if race["ok"]:
            console.print("[green]final states correct, every loser told 409[/green]")
        else:
            console.print(f"[red]{race['errors']} errors (neither done nor 409); {race['problems']}[/red]")
    if run.get("costs"):
        cost = run["costs"]
        table = Table(
            title=f"One flow alone ({cost['flows']} flows): {cost['statements_per_flow']} statements, "
            f"{cost['python_cpu_per_flow_ms']} ms Python + {cost['postgres_cpu_per_flow_ms']} ms PostgreSQL CPU, "
            f"{cost['pdfs_per_flow']} PDFs of {cost['pdf_ms_each']} ms"
        )
        for name in ("step", "statements", "after commit", "CPU ms", "PDFs", "PDF ms"):
            table.add_column(name, justify="right" if name != "step" else "left")
        for name, figures in cost["steps"].items():
            table.add_row(
                name,
                *(str(figures[k]) for k in ("statements", "statements_after_commit", "cpu_ms", "pdfs", "pdf_ms")),
            )
        console.print(table)
    if run.get("profile"):
        prof = run["profile"]
        console.print(
            f"profile of {prof['flows']} flows alone: {prof['wall_per_flow_ms']} ms wall, "
            f"{prof['cpu_per_flow_ms']} ms CPU per flow ({prof['file']})"
        )
        for label, figures in prof["cumulative"].items():
            console.print(f"  {label}: {figures['seconds_per_flow'] * 1000:.1f} ms ({figures['share_of_cpu']:.0%})")
        console.print(
            "  own CPU by library (ms per flow): "
            + ", ".join(f"{name} {ms}" for name, ms in prof["by_library_ms_per_flow"].items())
        )


def write_results(path: Path, label: str, run: dict) -> None:
    existing = json.loads(path.read_text()) if path.exists() else {}
    runs = existing.get("runs", {})
    runs[label] = run
    result = {
        "bench": "orders_flow",
        "how": (
            "quote-to-contract flows through the workflows the API calls (in-process, no HTTP), each step in "
            "its own transaction after reading the version a client would see; clients are threads in "
            "several processes; PostgreSQL"
        ),
        "goal": (
            f">= {GOAL_FLOWS_PER_S} complete flows/s with 16 clients, contract documents included, at most "
            f"{GOAL_CPU_PER_FLOW_MS} ms of CPU per flow (bench and PostgreSQL), and zero lost updates on this machine"
        ),
        "command": "python bench/orders_flow.py --label LABEL",
        "latest": label,
        "runs": runs,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="how long the clients start new flows")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--processes", type=int, default=2, help="processes the clients are spread over")
    parser.add_argument("--rounds", type=int, default=12, help="rounds of the contention variant (0: none)")
    parser.add_argument("--racers", type=int, default=4, help="clients racing in each contention round")
    parser.add_argument("--profile", type=int, default=10, help="flows run alone under cProfile (0: none)")
    parser.add_argument("--costs", type=int, default=20, help="flows run alone to count statements (0: none)")
    parser.add_argument("--label", default="latest", help="name of this run in the results file")
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached base database")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    args = parser.parse_args()

    from digitalmarket import subscribers
    from digitalmarket.core.consumers import run as run_consumers
    from digitalmarket.core.database import Database
    from digitalmarket.core.files import DocumentStore

    subscribers.install()  # the consumers run after this process's commits too, as in the app
    # The consumer makes the contract documents in the installation's store (DM_DATA_DIR/documents): the
    # same folder, in this process and in the workers it starts. The key that seals the signing keys is
    # the one in that folder too, from the base database's set-up on (`signatures.vault`).
    os.environ["DM_DATA_DIR"] = str(CACHE)
    load_start, cpu_start, wall_start = load_average(), time.process_time(), time.perf_counter()
    base = prepare_base(args.fresh)
    url = clone_run_database()
    documents = CACHE / "documents"
    shutil.rmtree(documents, ignore_errors=True)
    store = DocumentStore(documents)
    db = Database(url)
    try:
        clients = load_clients(db)
        clients = [clients[i % len(clients)] for i in range(args.clients)]
        reference = run_flow(db, clients[0])  # alone: the versions every flow must end with
        if not reference.complete:
            raise SystemExit(f"a flow alone fails: {reference.error}")
        expected = expected_versions(db, reference)
        db.dispose()
        summary, flows = measure(url, documents, clients, args.processes, args.seconds)
        by_number = {c.number: c for c in clients}
        run_consumers(db, wait=True)  # what the workers' last commits left for the consumers
        checked = verify(db, store, [reference, *flows], by_number, expected)
        checked["expected_versions"] = dict(zip(("request", "quote", "order"), expected, strict=True))
        checked["audit_verify"] = audit_verify(url)
        race = contention(db, clients, args.rounds, args.racers) if args.rounds else None
        cost = costs(db, url, clients[0], args.costs) if args.costs else None
        prof = profile(db, clients[0], args.profile) if args.profile else None
    except Exception:
        traceback.print_exc()
        raise
    finally:
        db.dispose()
    run = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": git("rev-parse", "--short", "HEAD"),
        "src_modified": bool(git("status", "--porcelain", "src")),
        "machine": machine(),
        "base_database": base,
        "main": summary,
        "verification": checked,
        "contention": race,
        "costs": cost,
        "profile": prof,
        "bench_cpu_s": round(time.process_time() - cpu_start, 2),
        "bench_wall_s": round(time.perf_counter() - wall_start, 1),
        "load_average_start": load_start,
        "load_average_end": load_average(),
    }
    write_results(args.json, args.label, run)
    print_table(run)


if __name__ == "__main__":
    main()
