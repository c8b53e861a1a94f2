"""OCDS export at one million releases: releases per second, CPU time and peak memory of `export-ocds`.

    python bench/ocds_export.py [--releases 1000000] [--databases postgresql,sqlite] [--label after]
                                [--rev COMMIT] [--fresh] [--profile] [--sample 1000] [--json OUT]

Goal (issue "Benchmarks and scale"): the export of 1,000,000 releases at 20,000 releases/s or more,
with a peak memory under 300 MB.

How the million releases are made, through the domain:

1. `digitalmarket migrate` and `digitalmarket seed-demo` on a fresh database, run from the last
   commit's `src/` (`git archive HEAD`, recorded with the database, so that someone's change half-way
   in a shared checkout cannot break it): two years of trade played through the workflows (catalog
   contracts signed, amended, suspended, expired; orders awarded, contracted, changed, terminated,
   completed; invoices paid), the consumer `opendata` writing each event's release after its commit:
   about 1,500 releases of about 200 processes.
2. `opendata.follow.backfill` is run over that database while the release builders it calls
   (`ocds.order_release`, `ocds.framework_release`) are recorded: the facts of every event, taken from
   the events and the domain objects by `order_facts` / `framework_facts` as the consumer takes them. It writes
   nothing (every release exists); the bench checks that the recorded release ids are exactly those in
   the database.
3. Copy k (1, 2, ...) of the trade replays every recorded call through the same builders with the
   objects renumbered: ORD-2025-00042 becomes ORD-2025-07042 in copy 7 (number + 1000 k; the same for
   CC- and INV- codes), so that each copy has its own ocids, release ids, framework links, amendment
   release ids and transaction ids. Releases are stored as `releases._write` stores them (the same
   columns through the same JSON column type), by batches of 2,000 rows, one transaction per 20,000,
   in the order of their dates (an event, then its copies), as a live platform writes them: the table
   is in date order on disk and each process's releases are spread over it. The last copy is partial
   (its earliest events), so that the count is exact. object_type/object_id name the original order or
   catalog contract.

The databases are cached and reused while the generator version, the migrations and the count are the
same (`--fresh` rebuilds): a SQLite file `var/bench/ocds-<n>.sqlite3`, and the PostgreSQL database
`dm_bench_ocds` on 127.0.0.1:5432 (user postgres; `dm_bench_ocds_<n>` for other counts), vacuumed and
analysed after the build; `var/bench/ocds-<database>-<n>.json` describes each.

The measure: `python -m digitalmarket.cli export-ocds DIR`, the command users run, in a subprocess
waited for with `os.wait4`, so that wall time, CPU time (user + system) and peak RSS are the export's
own (PostgreSQL's backend works in its own process and is not in the CPU figure). It runs this
checkout's `src/`, or with `--rev` that commit's (`--label before --rev d6bf2f5`). The load average is
recorded before and after. The output is checked: releases.jsonl has as many lines as the database has
releases; a seeded sample of lines is validated against the OCDS 1.1.5 release schema kept in
`src/digitalmarket/opendata/schema` (each line a package of one release, dates in order); the record
package holds one record per ocid and every release once. Output files are deleted after the check.

Results go to bench/results/ocds_export.json under `runs.<label>.<database>` (other labels are kept, so
that a `before` run stays next to `after`), with machine, date, commit and load average. `--profile`
also writes a cProfile of the export per database (var/bench/ocds-profile-<database>.txt), apart from
the timed run. Benchmarks measure; they never fail.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import pstats
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import psycopg  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from sqlalchemy import func, insert, select, text  # noqa: E402

from digitalmarket.core.database import Database  # noqa: E402
from digitalmarket.opendata import follow, ocds, ocds_facts, releases, stored_releases  # noqa: E402
from digitalmarket.opendata.tables import OcdsRelease  # noqa: E402

RESULTS = ROOT / "bench" / "results"
DEFAULT_JSON = RESULTS / "ocds_export.json"
CACHE = ROOT / "var" / "bench"
#: Bump when the generated releases change, so that cached databases are rebuilt.
GENERATOR_VERSION = 3  # 2: releases stored as published (tables.PublishedJSON); 3: copies in date order
RELEASES = 1_000_000
STRIDE = 1000  # copy k of a code numbered n is numbered n + k * STRIDE
INSERT_BATCH = 2_000
COMMIT_EVERY = 20_000
PG_ADMIN_URL = os.environ.get("DM_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DATABASE = "dm_bench_ocds"
GOALS = {"releases_per_s": 20_000, "peak_rss_mb": 300}
SEED = 20261126

console = Console(width=None if sys.stdout.isatty() else 150)


# --- databases ------------------------------------------------------------------------------------------------


def pg_database(size: int) -> str:
    return PG_DATABASE if size == RELEASES else f"{PG_DATABASE}_{size}"


def database_url(kind: str, size: int) -> str:
    if kind == "sqlite":
        return f"sqlite:///{CACHE / f'ocds-{size}.sqlite3'}"
    return PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{pg_database(size)}"


def data_dir(kind: str, size: int) -> Path:
    """The data folder of the seeded platform (documents, secret key)."""
    return CACHE / f"ocds-{kind}-{size}-data"


def meta_path(kind: str, size: int) -> Path:
    return CACHE / f"ocds-{kind}-{size}.json"


def migrations_head() -> str:
    versions = sorted((ROOT / "src" / "digitalmarket" / "migrations" / "versions").glob("*.py"))
    return versions[-1].stem if versions else ""


def expected_meta(size: int) -> dict:
    return {"generator": GENERATOR_VERSION, "releases": size, "migrations": migrations_head()}


def env_for(kind: str, size: int, src: Path | None = None) -> dict:
    env = {**os.environ, "DM_DATABASE_URL": database_url(kind, size), "DM_DATA_DIR": str(data_dir(kind, size))}
    if src is not None:  # a tree of `git archive`: this checkout's front-end packages (contract fonts)
        env |= {"PYTHONPATH": str(src), "DM_FRONTEND_DIR": str(ROOT / "node_modules")}
    return env


def cached(kind: str, size: int) -> bool:
    path = meta_path(kind, size)
    if not path.exists():
        return False
    meta = json.loads(path.read_text())
    if {key: meta.get(key) for key in expected_meta(size)} != expected_meta(size):
        return False
    if kind == "sqlite" and not (CACHE / f"ocds-{size}.sqlite3").exists():
        return False
    try:
        db = Database(database_url(kind, size))
        with db.engine.connect() as connection:
            found = connection.scalar(select(func.count()).select_from(OcdsRelease))
        db.dispose()
    except Exception:  # noqa: BLE001 - a missing or broken database is rebuilt
        return False
    return found == size


def drop(kind: str, size: int) -> None:
    meta_path(kind, size).unlink(missing_ok=True)
    shutil.rmtree(data_dir(kind, size), ignore_errors=True)
    if kind == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{CACHE / f'ocds-{size}.sqlite3'}{suffix}").unlink(missing_ok=True)
    else:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{pg_database(size)}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{pg_database(size)}"')


def cli(*args: str, env: dict) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "digitalmarket.cli", *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"digitalmarket {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def committed_tree(revision: str = "HEAD") -> tuple[Path, str]:
    """``src/`` of a commit (``git archive``) and its short hash: for seeding, as the working tree of a
    shared checkout may hold someone's change half-way, and for measuring an earlier export."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", revision], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    folder = CACHE / f"ocds-tree-{commit}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", commit, "src"], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder / "src", commit


# --- generating through the domain ----------------------------------------------------------------------------


@dataclass
class BuilderCall:
    """One call of a release builder made by the backfill: everything needed to make it again."""

    kind: str  # order | framework
    ocid: str
    release_id: str
    tags: list[str]
    moment: datetime
    facts: ocds_facts.OrderFacts | ocds_facts.FrameworkFacts
    payment: ocds_facts.Payment | None = None
    object_type: str = ""
    object_id: int = 0


def record_builder_calls(db: Database) -> list[BuilderCall]:
    """Run `follow.backfill` in a read-only unit of work and keep the arguments of every release it builds."""
    calls: list[BuilderCall] = []
    order_release, framework_release, write = ocds.order_release, ocds.framework_release, releases._write

    def record_order(ocid_, release_id, tags, moment, facts, *, payment=None):
        calls.append(BuilderCall("order", ocid_, release_id, list(tags), moment, facts, payment))
        return order_release(ocid_, release_id, tags, moment, facts, payment=payment)

    def record_framework(ocid_, release_id, tags, moment, facts):
        calls.append(BuilderCall("framework", ocid_, release_id, list(tags), moment, facts))
        return framework_release(ocid_, release_id, tags, moment, facts)

    def record_write(session, object_type, object_id, release):
        calls[-1].object_type, calls[-1].object_id = object_type, object_id
        return write(session, object_type, object_id, release)

    with (
        mock.patch.object(ocds, "order_release", record_order),
        mock.patch.object(ocds, "framework_release", record_framework),
        mock.patch.object(releases, "_write", record_write),
        db.reading() as session,
    ):
        written = follow.backfill(session)
        stored = set(session.scalars(select(OcdsRelease.release_id)))
    if written:
        raise RuntimeError(f"the backfill found {written} releases missing: the seeded trade is incomplete")
    if {call.release_id for call in calls} != stored or len(calls) != len(stored):
        raise RuntimeError("the recorded builder calls are not the releases stored by the workflows")
    return calls


def clone_code(code: str, copy: int) -> str:
    head, number = code.rsplit("-", 1)
    if int(number) >= STRIDE:
        raise ValueError(f"{code}: numbers of {STRIDE} and more would collide between copies")
    return f"{head}-{int(number) + copy * STRIDE:05d}"


def _amendments(found: list[ocds_facts.Amendment], key: str) -> list[ocds_facts.Amendment]:
    return [replace(a, release_id=f"{key}-amendment-{a.seq}") if a.release_id else a for a in found]


def build_copy(call: BuilderCall, copy: int) -> dict:
    """The release of ``call`` for copy ``copy`` of the trade, made by the domain's release builder."""
    facts = call.facts
    local = facts.code if call.kind == "order" else facts.number
    prefix = call.ocid[: -len(local) - 1]
    key = ocds_facts.ocid(prefix, clone_code(local, copy))
    suffix = call.release_id[len(call.ocid) + 1 :]
    if call.kind == "framework":
        facts = replace(facts, number=clone_code(facts.number, copy), amendments=_amendments(facts.amendments, key))
        return ocds.framework_release(key, f"{key}-{suffix}", call.tags, call.moment, facts)
    framework = clone_code(facts.framework_number, copy) if facts.framework_number else None
    facts = replace(
        facts,
        code=clone_code(facts.code, copy),
        framework_number=framework,
        framework_ocid=ocds_facts.ocid(prefix, framework) if framework else None,
        amendments=_amendments(facts.amendments, key),
    )
    payment = call.payment
    if payment is not None:
        payment = replace(payment, id=clone_code(payment.id, copy))
        suffix = f"payment-{payment.id}"
    return ocds.order_release(key, f"{key}-{suffix}", call.tags, call.moment, facts, payment=payment)


def stored_row(call: BuilderCall, release: dict, now: datetime) -> dict:
    """The columns `releases._write` stores for a release."""
    return {
        "ocid": release["ocid"],
        "release_id": release["id"],
        "tag": ",".join(release["tag"]),
        "date": datetime.fromisoformat(release["date"].replace("Z", "+00:00")),
        "object_type": call.object_type,
        "object_id": call.object_id,
        "data": release,
        "published_at": now,
    }


def copied_rows(calls: list[BuilderCall], have: int, target: int) -> Iterator[dict]:
    """Rows of copies 1, 2, ... of the recorded trade, until the database would hold ``target`` releases,
    in the order of their dates (each event, then its copies), as a live platform writes them: the table
    is then in date order on disk, and a process's releases are spread over it. The last, partial copy
    holds the earliest events."""
    copies, rest = divmod(target - have, len(calls))
    now = datetime.now(UTC)
    for n, call in enumerate(sorted(calls, key=lambda call: call.moment)):
        for copy in range(1, copies + 1 + (n < rest)):
            yield stored_row(call, build_copy(call, copy), now)


def multiply(db: Database, calls: list[BuilderCall], target: int, start: int) -> None:
    """Add copies of the recorded trade until the database holds ``target`` releases: batches of
    ``INSERT_BATCH`` rows, one transaction per ``COMMIT_EVERY``."""
    rows = copied_rows(calls, start, target)
    have, began = start, time.perf_counter()
    while have < target:
        with db.transaction() as session:
            for _ in range(COMMIT_EVERY // INSERT_BATCH):
                batch = list(islice(rows, INSERT_BATCH))
                if not batch:
                    break
                session.execute(insert(OcdsRelease), batch)
                have += len(batch)
        rate = (have - start) / (time.perf_counter() - began)
        console.print(f"  {have:,} releases, {rate:,.0f}/s, load {os.getloadavg()[0]:.2f}")


def build(kind: str, size: int) -> dict:
    """Seed the demo trade through the workflows, then multiply its releases to ``size``."""
    console.print(f"[bold]Building {size:,} releases on {kind}[/bold] (cached afterwards)")
    drop(kind, size)
    url = database_url(kind, size)
    data_dir(kind, size).mkdir(parents=True, exist_ok=True)
    seed_src, seed_commit = committed_tree()
    env = env_for(kind, size, seed_src)
    began = time.perf_counter()
    cli("migrate", env=env)
    cli("seed-demo", env=env)
    seeded = time.perf_counter() - began
    db = Database(url)
    calls = record_builder_calls(db)
    console.print(f"  seed-demo: {len(calls):,} releases of the workflows in {seeded:.0f} s")
    began = time.perf_counter()
    multiply(db, calls, size, len(calls))
    multiplied = time.perf_counter() - began
    if kind == "postgresql":
        with db.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM (ANALYZE) ocds_releases"))
    else:
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.exec_driver_sql("ANALYZE")
    db.dispose()
    meta = {
        **expected_meta(size),
        "built": datetime.now(UTC).isoformat(timespec="seconds"),
        "seeded_from_commit": seed_commit,
        "seeded_releases": len(calls),
        "seeded_processes": len({call.ocid for call in calls}),
        "copies": -(-(size - len(calls)) // len(calls)),  # the last one partial
        "seed_s": round(seeded, 1),
        "multiply_s": round(multiplied, 1),
    }
    meta_path(kind, size).write_text(json.dumps(meta, indent=2) + "\n")
    return meta


# --- measuring ------------------------------------------------------------------------------------------------


def _tree(pid: int) -> list[int]:
    """The process and its descendants, from /proc."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        with contextlib.suppress(OSError):  # it ended meanwhile
            todo += [int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
    return found


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeMemory(threading.Thread):
    """The peak of the summed RSS of a process and its children, sampled every 50 ms, so that the memory of
    any process the export starts counts too."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self.processes, self.done = pid, 0, 1, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.05):
            pids = _tree(self.pid)
            self.processes = max(self.processes, len(pids))
            self.peak_kb = max(self.peak_kb, sum(_rss_kb(pid) for pid in pids))


def run_export(kind: str, size: int, src: Path, out: Path) -> dict:
    """`digitalmarket export-ocds OUT` in a subprocess: its own wall time, CPU time and peak RSS (of any
    process it starts too: `wait4` counts the children it waited for, /proc is sampled for memory)."""
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "digitalmarket.cli", "export-ocds", str(out)]
    load_before = os.getloadavg()
    with tempfile.TemporaryFile() as said, tempfile.TemporaryFile() as errors:
        began = time.perf_counter()
        process = subprocess.Popen(command, env=env_for(kind, size, src), stdout=said, stderr=errors)
        memory = TreeMemory(process.pid)
        memory.start()
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - began
        memory.done.set()
        memory.join()
        load_after = os.getloadavg()
        said.seek(0)
        errors.seek(0)
        stdout, stderr = said.read().decode(), errors.read().decode()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"export-ocds failed:\n{stdout}\n{stderr}")
    cpu = usage.ru_utime + usage.ru_stime
    return {
        "command": " ".join(["digitalmarket", *command[3:]]),
        "processes": memory.processes,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "user_s": round(usage.ru_utime, 2),
        "system_s": round(usage.ru_stime, 2),
        "releases_per_s": round(size / wall),
        "releases_per_cpu_s": round(size / cpu),
        "peak_rss_mb": round(max(memory.peak_kb, usage.ru_maxrss) / 1024, 1),
        "peak_rss_largest_process_mb": round(usage.ru_maxrss / 1024, 1),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "said": " ".join(stdout.split()[-8:]),  # "N releases and M records written to DIR."
    }


def release_validator():
    from jsonschema import Draft4Validator, FormatChecker

    schema = json.loads((stored_releases.SCHEMA_DIR / "release-schema.json").read_text(encoding="utf-8"))
    return Draft4Validator(schema, format_checker=FormatChecker())


def check_output(out: Path, db: Database, sample: int) -> dict:
    """Count, schema-validate a sample of, and check the order of the exported releases; count records."""
    with db.engine.connect() as connection:
        in_db = connection.scalar(select(func.count()).select_from(OcdsRelease))
        ocids = connection.scalar(select(func.count(OcdsRelease.ocid.distinct())))
    releases_file, records_file = out / "releases.jsonl", out / "record-package.json"
    lines = 0
    with releases_file.open("rb") as handle:
        while chunk := handle.read(1 << 24):
            lines += chunk.count(b"\n")
    picked = sorted(random.Random(SEED).sample(range(lines), min(sample, lines)))
    validator = release_validator()
    problems: list[str] = []
    dates: list[str] = []
    wanted = iter(picked)
    target = next(wanted, None)
    with releases_file.open("rb") as handle:
        for number, line in enumerate(handle):
            if number != target:
                continue
            package = json.loads(line)
            if set(package) != {"uri", "version", "publishedDate", "publisher", "releases"}:
                problems.append(f"line {number + 1}: package keys {sorted(package)}")
            if len(package["releases"]) != 1:
                problems.append(f"line {number + 1}: {len(package['releases'])} releases")
            release = package["releases"][0]
            problems += [f"line {number + 1}: {e.message}" for e in validator.iter_errors(release)]
            dates.append(release["date"])
            target = next(wanted, None)
    in_order = all(a <= b for a, b in zip(dates, dates[1:], strict=False))
    starts, packages_in_records, tail = 0, 0, b""
    with records_file.open("rb") as handle:
        head = handle.read(1 << 16)
        handle.seek(0)
        previous = b""
        while chunk := handle.read(1 << 24):
            window = previous + chunk
            starts += window.count(b'{"ocid":') - previous.count(b'{"ocid":')
            packages_in_records += window.count(b'"releases":[') - previous.count(b'"releases":[')
            previous = chunk[-16:]
            tail = window[-16:]
    head_ok = head.startswith(b'{"uri":') and b'"records":[' in head
    return {
        "releases_in_database": in_db,
        "release_lines": lines,
        "count_matches": lines == in_db,
        "sample_validated": len(picked),
        "sample_problems": problems[:20],
        "sample_dates_in_order": in_order,
        "processes_in_database": ocids,
        "records": packages_in_records,
        "records_match": packages_in_records == ocids and starts == ocids + in_db and head_ok,
        "record_package_ends": tail.endswith(b"]}\n"),
        "releases_jsonl_bytes": releases_file.stat().st_size,
        "record_package_bytes": records_file.stat().st_size,
    }


def profile_export(kind: str, size: int, src: Path, out: Path) -> str:
    """cProfile of the export (apart from the timed run: profiling slows it down)."""
    shutil.rmtree(out, ignore_errors=True)
    stats_file = CACHE / f"ocds-profile-{kind}.prof"
    subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(stats_file), "-m", "digitalmarket.cli", "export-ocds", str(out)],
        env=env_for(kind, size, src),
        check=True,
        capture_output=True,
    )
    report = CACHE / f"ocds-profile-{kind}.txt"
    with report.open("w") as handle:
        stats = pstats.Stats(str(stats_file), stream=handle)
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats(30)
    shutil.rmtree(out, ignore_errors=True)
    return str(report.relative_to(ROOT))


def machine() -> dict:
    info = {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3) as connection:
            info["postgresql"] = connection.execute("SHOW server_version").fetchone()[0]
    except psycopg.OperationalError:
        pass
    import sqlite3

    info["sqlite"] = sqlite3.sqlite_version
    return info


def working_tree() -> dict:
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "src/digitalmarket/opendata"], cwd=ROOT, capture_output=True, text=True
    )
    return {"commit": head.stdout.strip(), "src": "working tree", "opendata_modified": bool(dirty.stdout.strip())}


def show(result: dict) -> None:
    table = Table(title=f"OCDS export of {result['options']['releases']:,} releases (goal >= 20,000/s, < 300 MB)")
    for column in ("run", "database", "releases/s", "wall s", "CPU s", "peak RSS MB", "output GB", "load 1m", "valid"):
        table.add_column(column, justify="left" if column in ("run", "database") else "right")
    for label, by_database in result["runs"].items():
        for kind, run in by_database.items():
            figures, check = run["export"], run.get("check", {})
            size = (check.get("releases_jsonl_bytes", 0) + check.get("record_package_bytes", 0)) / 1e9
            valid = check.get("count_matches") and check.get("records_match") and not check.get("sample_problems")
            table.add_row(
                f"{label} ({run['commit']['commit']})",
                kind,
                f"{figures['releases_per_s']:,}",
                f"{figures['wall_s']}",
                f"{figures['cpu_s']}",
                f"{figures['peak_rss_mb']}",
                f"{size:.2f}",
                f"{figures['load_average_before'][0]} / {figures['load_average_after'][0]}",
                "yes" if valid else "NO",
            )
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--releases", type=int, default=RELEASES)
    parser.add_argument("--databases", default="postgresql,sqlite")
    parser.add_argument("--label", default="after", help="name of this run in the results (e.g. before, after)")
    parser.add_argument("--rev", help="measure the export of this commit (default: the working tree)")
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached databases")
    parser.add_argument("--profile", action="store_true", help="also profile the export (var/bench/ocds-profile-*)")
    parser.add_argument("--sample", type=int, default=1000, help="releases validated against the schema")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    result = json.loads(args.json.read_text()) if args.json.exists() else {}
    if result.get("options", {}).get("releases") != args.releases:
        result = {}
    result.update(
        {
            "benchmark": "ocds_export",
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": machine(),
            "options": {"releases": args.releases, "sample": args.sample},
            "goals": GOALS,
        }
    )
    if args.rev:
        src, commit = committed_tree(args.rev)
        code = {"commit": commit, "src": f"git archive {commit}", "opendata_modified": False}
    else:
        src, code = ROOT / "src", working_tree()
    result.setdefault("databases", {})
    result.setdefault("runs", {})
    for kind in args.databases.split(","):
        if args.fresh or not cached(kind, args.releases):
            build(kind, args.releases)
        result["databases"][kind] = json.loads(meta_path(kind, args.releases).read_text())
        out = CACHE / f"ocds-export-{kind}"
        console.print(f"Exporting {args.releases:,} releases from {kind} ({args.label}, {code['src']}) ...")
        run = {"commit": code, "date": datetime.now(UTC).isoformat(timespec="seconds")}
        run["export"] = run_export(kind, args.releases, src, out)
        db = Database(database_url(kind, args.releases))
        try:
            run["check"] = check_output(out, db, args.sample)
        finally:
            db.dispose()
            shutil.rmtree(out, ignore_errors=True)
        if args.profile:
            run["profile"] = profile_export(kind, args.releases, src, out)
        result["runs"].setdefault(args.label, {})[kind] = run
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        console.print(run)
    show(result)


if __name__ == "__main__":
    main()
