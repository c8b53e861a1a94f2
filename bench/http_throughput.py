"""HTTP throughput of the platform as served in production, measured with `wrk` over loopback.

    python bench/http_throughput.py [--duration 15] [--connections 16,64] [--databases sqlite,postgresql]
                                    [--targets home,search_page,service_page,search_api]
                                    [--section after|before] [--workers 2] [--json OUT]

`digitalmarket serve --workers 2` (the README's production settings) runs on a copy of the generated
10,000-service catalog that bench/search_speed.py builds and caches (`var/bench/sqlite-10000.sqlite3`;
on PostgreSQL a copy of `dm_bench_10000` when that database exists). For each target, wrk (2 threads)
runs a short warm-up, then ~15 s at 16 and at 64 connections:

- `home`: GET /
- `search_page`: GET /services?q=클라우드 백업
- `search_page_distinct`: the search page with a new question at every request, questions of the same kind
  as `search_api_distinct` (below) but never the same ones, to compare the page's cost with the API's
- `service_page`: GET /services/<code>, eight published services in turn
- `search_api`: GET /api/v1/services?q=..., eight realistic queries in turn (the API keeps the answer of
  a question it has seen, per catalog revision, so this measures mostly that memory)
- `search_api_distinct`: the same API with a new question at every request (two words of a list of 40, each
  pair once on a page from 1 to 8, then three words; 30,000 for the API and 30,000 others for the page, no two
  with the same words, since a question's pages share its ranking), which measures the search itself

In the same run a bare Starlette "hello" app (bench/hello_app.py) is served by uvicorn with the same
worker count and options, so the ratio shows the platform's own cost. Figures: requests/s, p50/p95/p99
latency, answers outside 2xx, socket errors, CPU time of the server's processes and of wrk, and the load
average before and after each run. wrk runs on the same cores as the server and takes its share of
them: the figures are those of a client and a server sharing one small machine.

Results go to bench/results/http_throughput.json under `--section` ("after" by default; "before" keeps
the figures taken before a change, and each section is kept when the other is written; within a section,
the figures of targets and databases a run did not measure again are kept, with the date they were
measured at). Goal: the
search API answers at least 300 requests/s on SQLite. Benchmarks measure; they never fail.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import httpx
from rich.console import Console
from rich.table import Table

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import summary  # noqa: E402 - the bench folder is not a package
import wrk  # noqa: E402
from search_speed import PG_ADMIN_URL, commit, load_average, machine  # noqa: E402

RESULTS = BENCH / "results" / "http_throughput.json"
README = BENCH / "README.md"
README_START, README_END = "<!-- http_throughput -->", "<!-- /http_throughput -->"
DOCS = ROOT / "docs" / "performance.md"
CACHE = ROOT / "var" / "bench"
SIZE = 10_000
GOAL_SEARCH_API_RPS = 300.0
#: The goals of a new question at every request, at 64 connections (issue 18): the search API on SQLite and on
#: PostgreSQL, and the search page's server CPU per request next to the API's on the same questions.
GOAL_DISTINCT_RPS = {"sqlite": 600.0, "postgresql": 300.0}
GOAL_PAGE_OVER_API_CPU = 1.5
GOAL_CONNECTIONS = 64
SEARCH_PAGE_QUERY = "클라우드 백업"
#: Realistic queries of the search API: words of the dev sample's queries, some phrased as a person would.
API_QUERIES = (
    "클라우드 백업",
    "화상 회의",
    "전자결재",
    "VDI",
    "민원 응대를 자동으로 해주는 서비스",
    "데이터 시각화 대시보드",
    "쿠버네티스 컨테이너 배포",
    "개인정보 비식별화",
)
#: Words recombined into distinct search API questions (two or three words each), so that no
#: question is asked twice in a run: the API keeps the answer of a repeated question per catalog revision,
#: and `search_api` (eight questions in turn) measures mostly that memory.
DISTINCT_WORDS = (  # noqa: SIM905 - a line of words reads better than 40 quoted strings
    "클라우드 백업 화상 회의 전자결재 VDI 민원 자동 데이터 시각화 대시보드 쿠버네티스 컨테이너 배포 개인정보 "
    "비식별화 보안 그룹웨어 메신저 교육 플랫폼 문서 변환 지리정보 경보 침수 급여 회계 협업 스토리지 CDN MSP "
    "DR 컨설팅 모니터링 로그 분석 AI 챗봇 메일"
).split()
#: Distinct questions in all, half for the API and half for the page: each of a target's four wrk runs (warm-up
#: and timed, at 16 and 64 connections) gets a quarter of its half, 7,500, more than 10 s at 600 requests/s asks.
DISTINCT_PATHS = 60_000
TARGETS = ("home", "search_page", "search_page_distinct", "service_page", "search_api", "search_api_distinct")
NOTE = (
    "wrk (2 threads) runs on the same cores as the server it measures, so the server has less than the "
    "machine's CPUs; wrk_cpu_s says how much wrk took. server_cpu_ms_per_request (CPU time of every server "
    "process over requests answered; on PostgreSQL the database server's is not in it) is the figure least "
    "moved by other work on the machine."
)

console = Console(width=None if sys.stdout.isatty() else 160)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and all its living descendants."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    family, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, ppid in parents.items() if ppid == parent and child not in family]
        family.update(children)
        frontier += children
    return sum(times.get(member, 0.0) for member in family)


@contextmanager
def served(argv: list[str], env: dict, port: int, log: Path):
    """Start a server, wait for /healthz, yield its process; stop it afterwards."""
    with log.open("w") as handle:
        process = subprocess.Popen(argv, env=env, stdout=handle, stderr=subprocess.STDOUT, cwd=ROOT)
    started = time.perf_counter()
    try:
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
            if process.poll() is not None or time.perf_counter() - started > 90:
                raise RuntimeError("the server did not start: " + log.read_text()[-1500:])
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_idle(process, most: float = 90.0) -> float:
    """Wait until the server's processes use (almost) no CPU for a second: each served worker loads the
    analyzer and the search facts in the background once started, which would be measured otherwise."""
    started = time.perf_counter()
    while time.perf_counter() - started < most:
        before = tree_cpu(process.pid)
        time.sleep(1)
        if tree_cpu(process.pid) - before < 0.05:
            break
    return round(time.perf_counter() - started, 1)


def restarts(log: Path) -> int:
    """Workers the uvicorn supervisor found unresponsive (no answer to its ping in 5 s) and replaced."""
    return log.read_text(errors="replace").count(" died")


def measure(process, port: int, paths: list[str], connections: int, args, log: Path, warm: list[str] | None = None):
    """Warm up (on ``warm``, else the same paths), then one timed wrk run with the CPU time of the server
    and the load around it."""
    base = f"http://127.0.0.1:{port}"
    if args.warmup > 0:
        wrk.run(base, warm or paths, connections=connections, seconds=args.warmup)
    load_before, cpu_before, restarts_before = load_average(), tree_cpu(process.pid), restarts(log)
    figures = wrk.run(base, paths, connections=connections, seconds=args.duration)
    server_cpu = tree_cpu(process.pid) - cpu_before
    figures["load_average"] = {"before": load_before, "after": load_average()}
    figures["worker_restarts"] = restarts(log) - restarts_before
    figures["server_cpu_s"] = round(server_cpu, 2)
    if figures.get("requests"):
        figures["server_cpu_ms_per_request"] = round(server_cpu / figures["requests"] * 1000, 3)
    return figures


def _probe(port: int, paths: list[str], clients: int = 8) -> dict[str, int | str]:
    """Status of each path, asked by several clients at once so that every worker answers it once at least
    (and loads what it needs before the timed runs): a target answering 404 or 500 would measure nothing."""
    from concurrent.futures import ThreadPoolExecutor

    def ask(path: str) -> tuple[str, int | str]:
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
                return path, client.get(path).status_code
        except httpx.HTTPError as error:  # e.g. a worker replaced by the supervisor while it answered
            return path, type(error).__name__

    with ThreadPoolExecutor(clients) as pool:
        return dict(pool.map(ask, [path for path in paths for _ in range(max(1, clients // len(paths)))]))


# --- the databases -------------------------------------------------------------------------------------------


def sqlite_copy(workdir: Path) -> tuple[str, str]:
    cached = CACHE / f"sqlite-{SIZE}.sqlite3"
    if not cached.exists():
        raise FileNotFoundError(
            f"{cached.relative_to(ROOT)} is missing: build it with "
            f"`python bench/search_speed.py --sizes {SIZE} --databases sqlite --no-http --repeat 1`"
        )
    copy = workdir / "catalog.sqlite3"
    with closing(sqlite3.connect(f"file:{cached}?mode=ro", uri=True)) as source, closing(sqlite3.connect(copy)) as out:
        source.backup(out)
    return f"sqlite:///{copy}", str(cached.relative_to(ROOT))


def postgres_copy() -> tuple[str, str]:
    """A copy of the cached dm_bench_10000 (CREATE DATABASE ... TEMPLATE), dropped by `drop_postgres`."""
    import psycopg
    from psycopg import sql

    source, name = f"dm_bench_{SIZE}", f"dm_bench_http_{SIZE}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as admin:
        row = admin.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", (source,)
        ).fetchone()
        if not row or not row[0]:  # search_speed.py writes its note on the database once the import is done
            raise FileNotFoundError(f"no complete PostgreSQL database {source} (bench/search_speed.py builds it)")
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        for attempt in range(10):  # the template must have no other connection while it is copied
            try:
                admin.execute(
                    sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(source))
                )
                break
            except psycopg.errors.ObjectInUse:
                if attempt == 9:
                    raise
                time.sleep(3)
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return f"{base}/{name}", source


def drop_postgres(url: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as admin:
        name = url.rsplit("/", 1)[1]
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def service_codes(url: str, count: int = 8) -> list[str]:
    """Published services spread over the catalog."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            codes = list(
                connection.execute(text("SELECT code FROM services WHERE status = 'published' ORDER BY id")).scalars()
            )
    finally:
        engine.dispose()
    step = max(1, len(codes) // count)
    return codes[::step][:count]


def target_paths(target: str, codes: list[str]) -> list[str]:
    if target == "home":
        return ["/"]
    if target == "search_page":
        return [f"/services?q={quote(SEARCH_PAGE_QUERY)}"]
    if target == "service_page":
        return [f"/services/{code}" for code in codes]
    if target == "search_api":
        return [f"/api/v1/services?q={quote(q)}" for q in API_QUERIES]
    if target == "search_page_distinct":
        return [f"/services?q={quote(q)}&page={page}" for q, page in distinct_share(target)]
    return [f"/api/v1/services?q={quote(q)}&page={page}" for q, page in distinct_share(target)]


def distinct_questions() -> list[tuple[str, int]]:
    """`DISTINCT_PATHS` questions, no two with the same words: every two words of `DISTINCT_WORDS` once, each on
    a page from 1 to 8, then three words on page 1, shuffled. The pages of one question share its ranking
    (`search.finder.find` keeps it for them), so a question's second page would not be a new question."""
    rng = random.Random(SIZE)
    pairs = [(f"{a} {b}", rng.randint(1, 8)) for a in DISTINCT_WORDS for b in DISTINCT_WORDS if a != b]
    triples = [f"{a} {b} {c}" for a in DISTINCT_WORDS for b in DISTINCT_WORDS for c in DISTINCT_WORDS
               if len({a, b, c}) == 3]  # fmt: skip
    chosen = pairs + [(q, 1) for q in rng.sample(triples, DISTINCT_PATHS - len(pairs))]
    rng.shuffle(chosen)
    return chosen


def distinct_share(target: str) -> list[tuple[str, int]]:
    """The distinct questions of one target: the API every other question, the page the others, so that the
    page and the API ask the same kind of questions and neither asks one the other asked (both keep what
    they found for the catalog's revision)."""
    return distinct_questions()[0 if target == "search_api_distinct" else 1 :: 2]


def _slices(target: str, paths: list[str], runs: int) -> list[list[str]]:
    """For distinct questions, a share of the paths of its own for each warm-up and each timed run."""
    if not target.endswith("_distinct"):
        return [paths] * runs
    size = len(paths) // runs
    return [paths[i * size : (i + 1) * size] for i in range(runs)]


# --- the run -------------------------------------------------------------------------------------------------


def _env() -> dict:
    """The environment of both servers: this checkout's code first."""
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])),
    }


def run_hello(args, workdir: Path) -> list[dict]:
    port = _free_port()
    argv = [sys.executable, str(BENCH / "hello_app.py"), "--port", str(port), "--workers", str(args.workers)]
    runs, log = [], workdir / "hello.log"
    with served(argv, _env(), port, log) as process:
        for connections in args.connections:
            console.print(f"hello, {connections} connections")
            runs.append({"server": "hello", "database": None, "target": "hello", "paths": ["/"],
                         **measure(process, port, ["/"], connections, args, log)})  # fmt: skip
    return runs


def run_platform(database: str, args, workdir: Path) -> dict:
    url, source = sqlite_copy(workdir) if database == "sqlite" else postgres_copy()
    try:
        port = _free_port()
        env = {
            **_env(),
            "DM_DATA_DIR": str(workdir / f"data-{database}"),
            "DM_DATABASE_URL": url,
            "DM_SECRET_KEY": "bench-http-throughput",
            # wrk is one address asking thousands of times a minute: the API's limits would answer 429
            "DM_API_LIMIT_PER_ADDRESS": "0",
            "DM_API_LIMIT_PER_TOKEN": "0",
        }
        argv = [sys.executable, "-m", "digitalmarket.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                "--workers", str(args.workers)]  # fmt: skip
        codes = service_codes(url)
        runs, log = [], workdir / f"serve-{database}.log"
        with served(argv, env, port, log) as process:
            warm_up_s = wait_until_idle(process)
            for target in args.targets:
                paths = target_paths(target, codes)
                statuses = _probe(port, paths[:8])
                wait_until_idle(process, most=30)
                shares = _slices(target, paths[8:] if len(paths) > 8 else paths, 2 * len(args.connections))
                for index, connections in enumerate(args.connections):
                    console.print(f"{database}, {target}, {connections} connections")
                    warm, timed = shares[2 * index], shares[2 * index + 1]
                    runs.append({"server": "digitalmarket", "database": database, "target": target,
                                 "paths": timed if len(timed) <= 8 else [*timed[:3], f"... {len(timed)} paths"],
                                 "probe_statuses": sorted(set(statuses.values()), key=str),
                                 **measure(process, port, timed, connections, args, log, warm)})  # fmt: skip
        return {"source": source, "services": SIZE, "warm_up_s": warm_up_s, "worker_restarts": restarts(log),
                "runs": runs}  # fmt: skip
    finally:
        if database == "postgresql":
            drop_postgres(url)


def ratios(runs: list[dict]) -> list[dict]:
    """Requests/s of the bare hello app over the platform's, at the same number of connections."""
    hello = {r["connections"]: r.get("requests_per_s") for r in runs if r["server"] == "hello"}
    out = []
    for run in runs:
        base = hello.get(run["connections"])
        if run["server"] != "hello" and base and run.get("requests_per_s"):
            out.append({"database": run["database"], "target": run["target"], "connections": run["connections"],
                        "hello_over_platform": round(base / run["requests_per_s"], 1)})  # fmt: skip
    return out


def check_goal(runs: list[dict]) -> dict:
    """The goal on the eight questions in turn (`search_api`), with distinct questions beside it."""

    def best(target: str) -> dict | None:
        figures = [r for r in runs if r["target"] == target and r["database"] == "sqlite" and r.get("requests")]
        return max(figures, key=lambda r: r["requests_per_s"], default=None)

    repeated, distinct = best("search_api"), best("search_api_distinct")
    return {
        "measure": "search API requests/s on SQLite, 10,000 services, eight questions in turn (best of the "
        "connection counts)",
        "at_least": GOAL_SEARCH_API_RPS,
        "figure": repeated["requests_per_s"] if repeated else None,
        "connections": repeated["connections"] if repeated else None,
        "met": None
        if repeated is None
        else repeated["requests_per_s"] >= GOAL_SEARCH_API_RPS and repeated["non_2xx"] == 0,
        "distinct_questions": {
            "figure": distinct["requests_per_s"] if distinct else None,
            "connections": distinct["connections"] if distinct else None,
            "met": None if distinct is None else distinct["requests_per_s"] >= GOAL_SEARCH_API_RPS,
        },
    }


def check_distinct_goals(runs: list[dict]) -> list[dict]:
    """The goals of a new question at every request: requests/s of the search API on each database, and the
    search page's server CPU per request over the API's, both at `GOAL_CONNECTIONS` connections."""

    def run_of(target: str, database: str) -> dict | None:
        return next(
            (r for r in runs if (r["target"], r["database"], r["connections"]) == (target, database, GOAL_CONNECTIONS)
             and r.get("requests")),
            None,
        )  # fmt: skip

    goals = []
    for database, at_least in GOAL_DISTINCT_RPS.items():
        run = run_of("search_api_distinct", database)
        goals.append({
            "key": f"search_api_distinct_rps_{database}",
            "measure": f"search API requests/s with a new question at every request on {database}, "
                       f"{GOAL_CONNECTIONS} connections",
            "at_least": at_least,
            "figure": run["requests_per_s"] if run else None,
            "cpu_ms_per_request": run.get("server_cpu_ms_per_request") if run else None,
            "load_average": run["load_average"] if run else None,
            "met": None if run is None else run["requests_per_s"] >= at_least and run["non_2xx"] == 0,
        })  # fmt: skip
    for database in GOAL_DISTINCT_RPS:
        page, api = run_of("search_page_distinct", database), run_of("search_api_distinct", database)
        cpu = (page or {}).get("server_cpu_ms_per_request"), (api or {}).get("server_cpu_ms_per_request")
        ratio = round(cpu[0] / cpu[1], 2) if cpu[0] and cpu[1] else None
        goals.append({
            "key": f"search_page_over_api_cpu_{database}",
            "measure": f"search page's server CPU per request over the search API's, a new question at every "
                       f"request on {database}, {GOAL_CONNECTIONS} connections",
            "at_most": GOAL_PAGE_OVER_API_CPU,
            "figure": ratio,
            "cpu_ms_per_request": {"page": cpu[0], "api": cpu[1]},
            "met": None if ratio is None else ratio <= GOAL_PAGE_OVER_API_CPU,
        })  # fmt: skip
    return goals


def _key(run: dict) -> tuple:
    return run["server"], run.get("database"), run["target"], run["connections"]


def kept_runs(earlier: dict | None, runs: list[dict]) -> list[dict]:
    """This run's figures, and those of the section's earlier runs that it did not measure again (a run
    of some targets or one database leaves the others' figures in place), each of those with the date and
    commit it was measured at."""
    measured = {_key(run) for run in runs}
    kept = []
    for run in (earlier or {}).get("runs", []):
        if _key(run) not in measured:
            kept.append({"measured": {"date": earlier["date"], "commit": earlier.get("commit")}} | run)
    return runs + kept


def print_table(section: dict, title: str) -> None:
    table = Table(title=f"HTTP throughput ({title}): wrk -t2 over loopback, {section['options']['workers']} workers")
    for column in ("server", "target", "conns", "req/s", "p50 ms", "p95 ms", "p99 ms", "non-2xx", "sock err",
                   "server CPU ms/req", "wrk CPU s", "restarts", "load before → after"):  # fmt: skip
        table.add_column(column, justify="right")
    for run in section["runs"]:
        if "error" in run:
            table.add_row(run["server"], run["target"], str(run["connections"]), run["error"][:60])
            continue
        latency, load = run["latency_ms"], run["load_average"]
        table.add_row(
            run["server"] + (f" {run['database']}" if run["database"] else ""),
            run["target"],
            str(run["connections"]),
            f"{run['requests_per_s']:,}",
            str(latency["p50"]),
            str(latency["p95"]),
            str(latency["p99"]),
            str(run["non_2xx"]),
            str(sum(run["socket_errors"].values())),
            str(run.get("server_cpu_ms_per_request", "-")),
            str(run["wrk_cpu_s"]),
            str(run.get("worker_restarts", "-")),
            f"{load['before'][0] if load['before'] else '-'} → {load['after'][0] if load['after'] else '-'}",
        )
    console.print(table)
    for skipped in section.get("skipped", {}).items():
        console.print(f"[yellow]{skipped[0]} skipped: {skipped[1]}[/yellow]")
    goal = section["goal"]
    verdict = {True: "[green]met[/green]", False: "[red]missed[/red]", None: "not measured"}[goal["met"]]
    console.print(f"goal: {goal['measure']} >= {goal['at_least']}: {goal['figure']} {verdict}")
    for each in section.get("distinct_goals", []):
        bound = f">= {each['at_least']}" if "at_least" in each else f"<= {each['at_most']}"
        console.print(f"goal: {each['measure']} {bound}: {each['figure']} (CPU ms/req {each['cpu_ms_per_request']})")
    console.print(NOTE)


README_INTRO = (
    "## HTTP throughput (`bench/http_throughput.py`)",
    "",
    "`digitalmarket serve --workers 2` on a copy of the generated 10,000-service catalog (SQLite; PostgreSQL",
    "when `dm_bench_10000` exists), measured with `wrk -t2` over loopback after a warm-up, next to a bare",
    'Starlette "hello" app served the same way. wrk runs on the same two cores as the server, so the server',
    "has less than the whole machine; the CPU time of the server's processes per request is the figure least",
    "moved by other work (on PostgreSQL the database server's own CPU time is not in it).",
    "`search_api` asks eight questions in turn (answered from memory once seen), `search_api_distinct` a new",
    "question at each request (30,000 questions, no two with the same words; wrk's two threads start apart),",
    "`search_page_distinct` 30,000 others of the same kind on the search page. The served platform has no API",
    "rate limit here (wrk is one address). `python bench/http_throughput.py [--duration 15] [--databases",
    "sqlite] [--section before|after]`; `make bench HTTP_DURATION=5` shortens each run. Figures:",
    "`results/http_throughput.json`.",
)


def _cell(run: dict | None) -> str:
    if not run or not run.get("requests"):
        return "-"
    latency = run["latency_ms"]
    cpu = run.get("server_cpu_ms_per_request", "-")
    errors = sum(run["socket_errors"].values()) + run["non_2xx"]
    earlier = run.get("measured")  # kept from an earlier run of the section (`kept_runs`)
    return (
        f"{run['requests_per_s']:,} req/s, p50 {latency['p50']} / p99 {latency['p99']} ms, CPU {cpu} ms/req"
        + (f", {errors} errors" if errors else "")
        + (f" (measured {earlier['date'][:16].replace('T', ' ')} UTC, `{earlier['commit']}`)" if earlier else "")
    )


def figures_table(result: dict) -> list[str]:
    """The before and after figures side by side, one row per target and number of connections."""
    sections = {label: result[label] for label in ("before", "after") if label in result}
    lines = []
    for label, section in sections.items():
        load = section["load_average"]
        lines.append(
            f"- {label}: {section['date']}, commit `{section['commit']}`"
            f"{' (src modified)' if section.get('src_modified') else ''}, load average {load.get('start')} at the "
            f"start, {load.get('end')} at the end; {section['options']['duration_s']} s per run."
        )
    keys: list[tuple] = []
    for section in sections.values():
        for run in section["runs"]:
            key = (run["server"], run.get("database"), run["target"], run["connections"])
            if key not in keys:
                keys.append(key)
    lines += [
        "",
        "| server | target | connections | " + " | ".join(sections) + " |",
        "|---|---|---|" + "---|" * len(sections),
    ]
    for server, database, target, connections in keys:
        cells = []
        for section in sections.values():
            run = next(
                (r for r in section["runs"] if (r["server"], r.get("database"), r["target"], r["connections"])
                 == (server, database, target, connections)),
                None,
            )  # fmt: skip
            cells.append(_cell(run))
        name = "hello" if server == "hello" else f"platform, {database}"
        lines.append(f"| {name} | {target} | {connections} | " + " | ".join(cells) + " |")
    latest = result.get("after") or result.get("before")
    goal = latest["goal"]
    verdict = {True: "met", False: "missed", None: "not measured"}[goal["met"]]
    distinct = (goal.get("distinct_questions") or {}).get("figure")
    lines += [
        "",
        f"- goal: {goal['measure']} >= {goal['at_least']}: {verdict} ({goal['figure']})"
        + (f"; with a new question at each request (`search_api_distinct`): {distinct}" if distinct else ""),
    ]
    for each in latest.get("distinct_goals", []):
        bound = f">= {each['at_least']}" if "at_least" in each else f"<= {each['at_most']}"
        verdict = {True: "met", False: "missed", None: "not measured"}[each["met"]]
        lines.append(f"- goal: {each['measure']} {bound}: {verdict} ({each['figure']}; server CPU ms/request "
                     f"{each['cpu_ms_per_request']})")  # fmt: skip
    for skipped, reason in latest.get("skipped", {}).items():
        lines.append(f"- {skipped} not measured: {reason.splitlines()[0]}")
    return lines


def _replace(path: Path, start: str, end: str, lines: list[str]) -> None:
    """Put ``lines`` between the markers of a Markdown file (appended with them when absent)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    section = "\n".join([start, *lines, end])
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


def update_readme(result: dict) -> None:
    """This bench's section of bench/README.md, the figures of docs/performance.md, then the summary table."""
    _replace(README, README_START, README_END, [*README_INTRO, "", *figures_table(result)])
    _replace(DOCS, "<!-- figures -->", "<!-- /figures -->", figures_table(result))
    summary.update_readme()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=15, help="seconds of each timed wrk run")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of wrk before each timed run")
    parser.add_argument("--connections", default="16,64", help="comma-separated connection counts")
    parser.add_argument("--databases", default="sqlite,postgresql", help="sqlite, postgresql or both")
    parser.add_argument("--targets", default=",".join(TARGETS), help="comma-separated: " + ", ".join(TARGETS))
    parser.add_argument("--workers", type=int, default=2, help="worker processes of both servers")
    parser.add_argument("--section", default="after", choices=("before", "after"), help="where the figures go")
    parser.add_argument("--json", default=str(RESULTS), help="results file")
    args = parser.parse_args()
    args.connections = [int(c) for c in args.connections.split(",") if c.strip()]
    args.targets = [t.strip() for t in args.targets.split(",") if t.strip() in TARGETS]
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]

    section: dict = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        **commit(),
        "machine": machine(),
        "options": {
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "connections": args.connections,
            "workers": args.workers,
            "wrk_threads": 2,
            "size": SIZE,
            "api_queries": list(API_QUERIES),
        },  # fmt: skip
        "load_average": {"start": load_average()},
        "runs": [],
        "skipped": {},
    }
    with tempfile.TemporaryDirectory(prefix="dm-bench-http-") as tmp:
        workdir = Path(tmp)
        try:
            section["runs"] += run_hello(args, workdir)
        except Exception as error:  # noqa: BLE001 - benchmarks never fail; the reason is recorded
            section["skipped"]["hello"] = f"{type(error).__name__}: {error}"[:500]
        for database in databases:
            try:
                result = run_platform(database, args, workdir)
                section.setdefault("databases", {})[database] = {k: v for k, v in result.items() if k != "runs"}
                section["runs"] += result["runs"]
            except Exception as error:  # noqa: BLE001
                console.print(f"[yellow]{database}: {traceback.format_exc()[-1500:]}[/yellow]")
                section["skipped"][database] = f"{type(error).__name__}: {error}"[:500]
    section["load_average"]["end"] = load_average()
    out = Path(args.json)
    previous = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    section["runs"] = kept_runs(previous.get(args.section), section["runs"])
    section["ratios"] = ratios(section["runs"])
    section["goal"] = check_goal(section["runs"])
    section["distinct_goals"] = check_distinct_goals(section["runs"])

    result = {
        "benchmark": "http_throughput",
        "note": NOTE,
        **{name: previous[name] for name in ("before", "after") if name in previous},
        args.section: section,
    }
    latest = result.get("after") or result.get("before")
    result["goals"] = {"search_api_rps_sqlite": latest["goal"]} | {
        goal["key"]: goal for goal in latest.get("distinct_goals", [])
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if out.resolve() == RESULTS.resolve():
        update_readme(result)
    print_table(section, args.section)
    console.print(f"Figures written to {out}")


if __name__ == "__main__":
    main()
