"""Search speed: import time and search latency on generated catalogs of 1,000, 10,000 and 100,000 services.

    python bench/search_speed.py [--sizes 1000,10000,100000] [--databases sqlite,postgresql]
                                 [--repeat 3] [--fresh] [--no-http] [--profile] [--json OUT]

For each size, a catalog is generated in the import format of DOMAIN.md (seeded, so always the same;
the 1,000 services are the first 1,000 of the 10,000): Korean texts recombined from the judged dev
sample (`shared/data/search-dev/services.jsonl`), its types, categories, deployments and CSAP grades in
the sample's proportions, 300 suppliers with valid business numbers, price plans whose prices vary
around the sample's. Texts are reworded per service (qualifiers, openings, a closing sentence about
the supplier), so that at 10,000 services about 97 % of descriptions, 80 % of names, 55 % of summaries
and 35 % of features are distinct, and keywords are shared as in a real catalog; an import that reuses
the analysis of identical texts gains from the repeats, less than it would from a plain copy.

Each catalog is imported into a fresh, migrated database with `catalog.importer.import_files` (the search
index follows its events); the import is timed (goal: 10,000 services in under 60 s).

Generated catalogs and databases are cached under `var/bench/` (SQLite files; PostgreSQL databases
`dm_bench_<size>` on 127.0.0.1:5432, user postgres, vacuumed and analyzed before every measurement
as autovacuum would do after an import) and reused while the generator version, the sample and the
migrations are the same; `--fresh` rebuilds them. A database whose search index was built by
another version of the analyzer or the index code is reused with a warning: rebuild it with `--fresh`.
Importing 100,000 services takes a long time (tens of minutes per database on 2 cores); the first run
with the default sizes builds all of them.

About 100 queries: the sample's 20, their words recombined, a few 초성 queries, and some with filters
(type, CSAP grade, deployment, price range), other sorts, a later page, and no words at all. Measured:

- in-process: `search.finder.find(session, Query(...))` inside `db.reading()`, once per query as a
  request would, after one warm-up pass (the first, cold call is reported apart); then each query
  once more at *first sight*, as the first search of its words after a change of the catalog (the
  facts' cache of phrase holders, kept per catalog revision, emptied before it);
- over HTTP: `GET /api/v1/services?q=...&per_page=20` against `digitalmarket serve` on the same
  database, one client with keep-alive over loopback.

p50/p95/p99/mean go to bench/results/search_speed.json (or --json OUT) with machine, date and commit,
and, when written to the default place, to a section of bench/README.md. Goals: p95 <= 15 ms at
10,000 and <= 60 ms at 100,000 services, in-process on SQLite. `--profile` runs cProfile on the
slowest query of each database and size (var/bench/profile-*.txt). Benchmarks measure; they never fail.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import hashlib
import io
import json
import os
import platform
import pstats
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

RESULTS = ROOT / "bench" / "results"
DEFAULT_JSON = RESULTS / "search_speed.json"
CACHE = ROOT / "var" / "bench"
README = ROOT / "bench" / "README.md"
README_START, README_END = "<!-- search_speed -->", "<!-- /search_speed -->"

#: Bump when the generated catalogs change, so that cached catalogs and databases are rebuilt.
GENERATOR_VERSION = 2
SEED = 20261126
SIZES = (1_000, 10_000, 100_000)
DATABASES = ("sqlite", "postgresql")
SUPPLIERS = 300
PER_PAGE = 20
PG_ADMIN_URL = os.environ.get("DM_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
#: Sorts other than relevance that the bench asks for (as `Query.sort` and `?sort=`).
SORTS = ("price", "newest", "rating", "contracts")
#: Code whose change makes a cached search index stale (it is then reused with a warning).
INDEX_SOURCES = ("search/analyzer.py", "search/synonyms.txt", "search/index.py", "search/hangul.py")

GOALS = {
    "import_10000_s": {"size": 10_000, "measure": "import seconds", "at_most": 60.0},
    "inprocess_p95_ms_10000_sqlite": {
        "size": 10_000,
        "database": "sqlite",
        "measure": "in-process p95 ms",
        "at_most": 15.0,
    },
    "inprocess_p95_ms_100000_sqlite": {
        "size": 100_000,
        "database": "sqlite",
        "measure": "in-process p95 ms",
        "at_most": 60.0,
    },
}

console = Console(width=None if sys.stdout.isatty() else 150)


# --- the dev sample ------------------------------------------------------------------------------------------


def shared_dir() -> Path:
    """``DM_SHARED_DIR``, else ``shared/`` next to this checkout, else the workplace's copy."""
    for candidate in (os.environ.get("DM_SHARED_DIR"), ROOT.parent / "shared", "/work/shared"):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return ROOT.parent / "shared"


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def file_hash(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()[:8]


# --- catalog generator ---------------------------------------------------------------------------------------

FIRST_SYLLABLES = "가나다라마바사아자하한누새온이솔별빛봄들미루해달결늘든모세푸은초"
SECOND_SYLLABLES = "람온리빛솔루음움담들결별봄나래터길샘숲찬울윤마로슬아비랑채"
SUPPLIER_SUFFIXES = (
    "소프트",
    "테크",
    "시스템즈",
    "정보통신",
    "클라우드",
    "데이터",
    "네트웍스",
    "아이앤씨",
    "랩스",
    "솔루션",
    "정보기술",
    "에이아이",
)
NAME_VARIANTS = ("플러스", "공공 에디션", "for 공공", "엔터프라이즈", "라이트", "2.0", "클라우드", "프로", "공공형")
SIZE_WEIGHTS = {"sme": 61, "large": 26, "middle": 13}  # the sample's proportions
NAME_QUALIFIERS = ("스마트", "공공", "통합", "클라우드", "AI", "온라인", "모바일", "차세대", "올인원", "간편")
SUMMARY_OPENINGS = (
    "설치 없이 바로 쓰는 ",
    "중소 규모 기관에 맞춘 ",
    "공공기관 전용 ",
    "클라우드 기반의 ",
    "지자체와 공공기관을 위한 ",
    "보안인증을 받은 ",
)
SUMMARY_ENDINGS = ("{count}개 기관 도입.", "{brand} 제공.", "전담 기술지원 포함.", "최소 {count}명부터.")
FEATURE_PREFIXES = ("실시간 ", "자동 ", "통합 ", "모바일 ", "대용량 ", "기관별 ", "간편 ", "다중 ")
FEATURE_SUFFIXES = (" 지원", " 기능", "(옵션)", " 제공", " 연계", " 관리")
#: A sentence about the supplier or its customers: real descriptions differ even where the service does.
CLOSINGS = (
    "{count}개 공공기관이 이용하고 있습니다.",
    "도입 문의는 {supplier} 공공사업팀이 받습니다.",
    "{supplier} 전담 엔지니어가 도입부터 운영까지 지원합니다.",
    "{year}년부터 공공 부문에 제공되었습니다.",
    "무료 체험 {count}일을 제공합니다.",
)
EXPIRED_SHARE = 0.03  # services whose CSAP expired: imported as suspended, indexed but never found


def _weighted(rng: random.Random, counts: dict) -> object:
    keys = list(counts)
    return rng.choices(keys, weights=[counts[k] for k in keys])[0]


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def _nice_price(value: float) -> int:
    """A price as a catalog would write it: two significant figures, at least 1 won."""
    value = max(1.0, value)
    if value < 100:
        return int(round(value))
    step = 10 ** (len(str(int(value))) - 2)
    return int(round(value / step) * step)


def _month_end(year: int, month: int) -> str:
    following = date(year + (month == 12), month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1).isoformat()


def _business_number(rng: random.Random, taken: set[str]) -> str:
    from digitalmarket.accounts.rules import business_number_check_digit, is_valid_business_number

    while True:
        first_nine = f"{rng.randint(101, 899)}{rng.choice([81, 81, 86, 87, 88, 12, 23])}{rng.randint(0, 9999):04d}"
        number = first_nine + str(business_number_check_digit(first_nine))
        if number not in taken and is_valid_business_number(number):
            taken.add(number)
            return number


def _suppliers(rng: random.Random, categories: Counter) -> list[dict]:
    brands = [a + b for a in FIRST_SYLLABLES for b in SECOND_SYLLABLES if a != b]
    brands = rng.sample(brands, SUPPLIERS)
    taken: set[str] = set()
    suppliers = []
    for brand in brands:
        suffix = rng.choice(SUPPLIER_SUFFIXES)
        form = rng.random()
        name = f"{brand}{suffix}"
        name = f"(주){name}" if form < 0.7 else f"{name} 주식회사" if form < 0.85 else f"{name}(주)"
        favoured = {_weighted(rng, categories) for _ in range(rng.randint(1, 3))}
        suppliers.append(
            {
                "brand": brand,
                "favoured": favoured,
                "record": {
                    "business_number": _business_number(rng, taken),
                    "name": name,
                    "size": _weighted(rng, SIZE_WEIGHTS),
                },
            }
        )
    return suppliers


def generate(sample: list[dict], size: int, seed: int = SEED) -> Iterator[dict]:
    """`size` services in the import format; the first n are the same for every size >= n."""
    rng = random.Random(seed)
    categories = Counter((s["type"], s["category"]) for s in sample)
    by_category: dict[tuple[str, str], list[dict]] = defaultdict(list)
    by_type: dict[str, list[dict]] = defaultdict(list)
    for service in sample:
        by_category[(service["type"], service["category"])].append(service)
        by_type[service["type"]].append(service)
    grades = {kind: Counter((s["csap"] or {}).get("grade") for s in by_type[kind]) for kind in by_type}
    deployments = Counter(s["deployment"] for s in sample)
    slas = Counter(s["sla_availability"] for s in sample)
    suppliers = _suppliers(rng, categories)
    makers = {key: [s for s in suppliers if key in s["favoured"]] or suppliers for key in categories}
    valid_months = [(year, month) for year in range(2027, 2031) for month in range(1, 13)]
    expired_months = [(2025, month) for month in range(1, 13)]

    for number in range(size):
        key = _weighted(rng, categories)
        kind = key[0]
        primary = rng.choice(by_category[key])
        secondary = rng.choice(by_category[key] if rng.random() < 0.7 else by_type[kind])
        supplier = rng.choice(makers[key])

        words = primary["name"].split()
        core = words[1:] if len(words) > 1 else words
        if rng.random() < 0.25 and len(secondary["name"].split()) > 1:
            core = [*(core[:-1] if len(core) > 1 else core), secondary["name"].split()[-1]]
        qualifier = [rng.choice(NAME_QUALIFIERS)] if rng.random() < 0.4 else []
        name = " ".join(dict.fromkeys([supplier["brand"], *qualifier, *core]))
        if rng.random() < 0.3:
            name += " " + rng.choice(NAME_VARIANTS)
        summary = primary["summary"] if rng.random() < 0.8 else secondary["summary"]
        if rng.random() < 0.6:
            summary = rng.choice(SUMMARY_OPENINGS) + summary
        if rng.random() < 0.6:
            summary += " " + rng.choice(SUMMARY_ENDINGS).format(count=rng.randint(3, 400), brand=supplier["brand"])

        sentences = _sentences(primary["description"])
        sentences = sentences[: rng.randint(min(2, len(sentences)), len(sentences))]
        extra = _sentences(secondary["description"])
        sentences += rng.sample(extra, min(len(extra), rng.randint(1, 2)))
        if rng.random() < 0.1:  # a long description, as some suppliers write
            for other in rng.sample(by_category[key] + by_type[kind], 3):
                sentences += _sentences(other["description"])
        if rng.random() < 0.8:
            count, year = rng.randint(3, 400), rng.randint(2015, 2025)
            sentences.append(rng.choice(CLOSINGS).format(count=count, supplier=supplier["record"]["name"], year=year))
        description = " ".join(dict.fromkeys(sentences))[:5000]

        features = rng.sample(primary["features"], min(len(primary["features"]), rng.randint(3, 5)))
        features += rng.sample(secondary["features"], min(len(secondary["features"]), rng.randint(1, 2)))
        for position, feature in enumerate(features):
            prefix = rng.choice(FEATURE_PREFIXES)
            if rng.random() < 0.6 and not feature.startswith(prefix.strip()):  # each supplier words it its own way
                features[position] = prefix + feature + rng.choice(("", *FEATURE_SUFFIXES))
        keywords = rng.sample(primary["keywords"], min(len(primary["keywords"]), rng.randint(3, 5)))
        keywords += rng.sample(secondary["keywords"], min(len(secondary["keywords"]), rng.randint(1, 2)))

        plans = [dict(plan) for plan in primary["price_plans"]]
        added = rng.choice(secondary["price_plans"])
        if rng.random() < 0.3 and all(plan["name"] != added["name"] for plan in plans):
            plans.append(dict(added))
        for plan in plans:
            plan["unit_price"] = _nice_price(plan["unit_price"] * rng.lognormvariate(0, 0.6))

        grade = _weighted(rng, grades[kind])
        if grade is None and kind in ("IaaS", "PaaS", "SaaS"):
            grade = "하"
        csap = None
        if grade:
            year, month = rng.choice(expired_months if rng.random() < EXPIRED_SHARE else valid_months)
            csap = {"grade": grade, "valid_until": _month_end(year, month)}

        yield {
            "ref": f"bench-{number:06d}",
            "name": name[:100],
            "type": kind,
            "category": key[1],
            "supplier": supplier["record"],
            "summary": summary[:300],
            "description": description,
            "features": list(dict.fromkeys(features))[:20],
            "keywords": list(dict.fromkeys(keywords))[:20],
            "csap": csap,
            "deployment": _weighted(rng, deployments),
            "sla_availability": _weighted(rng, slas),
            "price_plans": plans[:10],
        }


def catalog_file(sample_path: Path, size: int, fresh: bool) -> Path:
    """The generated catalog of `size` services, written once per generator version and sample."""
    path = CACHE / f"catalog-{size}-g{GENERATOR_VERSION}-{file_hash(sample_path)}.jsonl"
    if path.exists() and not fresh:
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8") as handle:
        for service in generate(read_jsonl(sample_path), size):
            handle.write(json.dumps(service, ensure_ascii=False) + "\n")
    partial.replace(path)
    return path


# --- queries -------------------------------------------------------------------------------------------------

PARTICLES = ("으로", "로", "를", "을")
NOT_ALONE = {"상", "등급", "전에", "해주는", "세워주는", "옮기기", "바꾸기"}
PRICE_RANGES = ((None, 100_000), (100_000, 1_000_000), (1_000_000, None), (10_000, 500_000))
FILTERS = ("type", "csap", "deployment", "price")


def _query(qid: str, kind: str, q: str, **options) -> dict:
    query = {
        "qid": qid,
        "kind": kind,
        "q": q,
        "type": None,
        "csap": None,
        "deployment": None,
        "price_min": None,
        "price_max": None,
        "sort": "relevance",
        "page": 1,
    }
    query.update(options)
    return query


def _content_words(text: str) -> list[str]:
    words = []
    for word in text.split():
        for particle in PARTICLES:
            if word.endswith(particle) and len(word) > len(particle) + 1:
                word = word[: -len(particle)]
                break
        if word not in NOT_ALONE:
            words.append(word)
    return words


def build_queries(sample_queries: list[dict], seed: int = SEED) -> list[dict]:
    """About 100 queries from the judged sample's: as written, recombined, 초성, filtered, sorted."""
    from digitalmarket.search import analyzer

    rng = random.Random(seed)
    written = [q["query"] for q in sample_queries]
    queries = [_query(f"s{n:02d}", "sample", text) for n, text in enumerate(written, start=1)]
    seen = set(written)
    word_lists = [_content_words(text) for text in written]
    recombined: list[str] = []
    while len(recombined) < 45:
        first, second = rng.sample(word_lists, 2)
        count = rng.choices((1, 2, 3), weights=(3, 5, 2))[0]
        words = rng.sample(first, 1) + rng.sample(second, min(len(second), count - 1))
        text = " ".join(dict.fromkeys(words))
        if text not in seen:
            seen.add(text)
            recombined.append(text)
    queries += [_query(f"r{n:02d}", "recombined", text) for n, text in enumerate(recombined, start=1)]
    for n, text in enumerate(("화상회의", "전자결재", "지리정보", "클라우드 백업"), start=1):
        queries.append(_query(f"c{n:02d}", "chosung", analyzer.chosung(text).replace(" ", "")))
    texts = written + recombined
    for n in range(1, 23):
        options: dict = {}
        for name in rng.sample(FILTERS, rng.choice((1, 1, 2))):
            if name == "type":
                options["type"] = rng.choice(("SaaS", "SaaS", "IaaS", "PaaS", "SUPPORT", "CONVERGENCE"))
            elif name == "csap":
                options["csap"] = rng.choice(("상", "중", "하"))
            elif name == "deployment":
                options["deployment"] = rng.choice(("public", "private", "hybrid"))
            else:
                options["price_min"], options["price_max"] = rng.choice(PRICE_RANGES)
        queries.append(_query(f"f{n:02d}", "filtered", rng.choice(texts), **options))
    for n, sort in enumerate([*SORTS, *SORTS], start=1):
        queries.append(_query(f"o{n:02d}", "sorted", rng.choice(texts), sort=sort))
    queries.append(_query("p01", "page", "클라우드", page=3))
    queries.append(_query("p02", "page", "보안", page=2))
    queries.append(_query("b01", "no words", "", type="SaaS"))
    queries.append(_query("b02", "no words", "", csap="상", sort=SORTS[0]))
    queries.append(_query("b03", "no words", "", deployment="private", sort=SORTS[-1]))
    return queries


def http_params(query: dict) -> dict:
    params = {"q": query["q"], "per_page": PER_PAGE}
    for name in ("type", "csap", "deployment", "price_min", "price_max"):
        if query[name] is not None:
            params[name] = query[name]
    if query["sort"] != "relevance":
        params["sort"] = query["sort"]
    if query["page"] != 1:
        params["page"] = query["page"]
    return params


# --- databases -----------------------------------------------------------------------------------------------


def migration_head() -> str:
    from alembic.script import ScriptDirectory

    from digitalmarket.core.migrate import alembic_config

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() or ""


def index_fingerprint() -> str:
    return file_hash(*(ROOT / "src" / "digitalmarket" / name for name in INDEX_SOURCES))


def cache_key(sample_path: Path) -> str:
    """What a cached database must match to be reused."""
    return f"g{GENERATOR_VERSION}-{file_hash(sample_path)}-{migration_head()}"


def _import(url: str, catalog: Path, size: int) -> dict:
    """Migrate a fresh database and import the catalog into it; the import is timed."""
    from digitalmarket import subscribers
    from digitalmarket.catalog.importer import import_files
    from digitalmarket.core.database import Database
    from digitalmarket.core.migrate import upgrade
    from digitalmarket.search import analyzer

    subscribers.install()  # as the app does at start-up: the index follows the import's events
    db = Database(url)
    try:
        upgrade(db.engine)
        analyzer.kiwi()  # loaded once per process; not part of the import's cost per service
        with Progress(
            TextColumn(f"importing {size:,} services"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task("import", total=size)
            started, started_cpu = time.perf_counter(), time.process_time()
            report = import_files(db.transaction, [catalog], progress=lambda: progress.advance(task))
            seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - started_cpu
        if report.problems or report.created != size:
            problems = [str(problem) for problem in report.problems[:5]]
            raise RuntimeError(f"import created {report.created} of {size} services: {problems}")
        with db.engine.connect() as connection:
            statuses = dict(connection.exec_driver_sql("SELECT status, count(*) FROM services GROUP BY status").all())
    finally:
        db.dispose()
    if db.is_sqlite:  # fold the write-ahead log into the file before it is renamed
        with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {
        "seconds": round(seconds, 2),
        "services_per_s": round(size / seconds, 1),
        "cpu_seconds": round(cpu_seconds, 2),  # of this process (on PostgreSQL the server works besides)
        "load_average": load_average(),
        "statuses": statuses,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit()["commit"],
        "index_fingerprint": index_fingerprint(),
    }


def prepare_sqlite(size: int, catalog: Path, key: str, fresh: bool) -> tuple[str, dict]:
    path = CACHE / f"sqlite-{size}.sqlite3"
    manifest_path = path.with_suffix(".json")
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() and path.exists() else {}
    if not fresh and manifest.get("key") == key:
        return f"sqlite:///{path}", {**manifest["import"], "cached": True}
    for stale in (path, manifest_path, *(path.with_name(path.name + s) for s in ("-wal", "-shm"))):
        stale.unlink(missing_ok=True)
    building = path.with_name(path.name + ".building")
    for leftover in (building, *(building.with_name(building.name + s) for s in ("-wal", "-shm"))):
        leftover.unlink(missing_ok=True)
    figures = _import(f"sqlite:///{building}", catalog, size)
    building.replace(path)
    manifest_path.write_text(json.dumps({"key": key, "import": figures}, indent=2) + "\n")
    return f"sqlite:///{path}", {**figures, "cached": False}


def prepare_postgres(size: int, catalog: Path, key: str, fresh: bool) -> tuple[str, dict]:
    import psycopg
    from psycopg import sql

    name = f"dm_bench_{size}"
    url = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as admin:
        row = admin.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if row and not fresh and row[0]:
            stored = json.loads(row[0])
            if stored.get("key") == key:
                return url, {**stored["import"], "cached": True}
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    figures = _import(url, catalog, size)
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        note = json.dumps({"key": key, "import": figures})
        admin.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(note)))
    return url, {**figures, "cached": False}


def vacuum_analyze(url: str) -> float | None:
    """VACUUM (ANALYZE) the bench database, as autovacuum would soon after an import (it is off on some
    development servers). Until then the GIN index's pending list holds the imported rows and is read
    in full by every search: on 10,000 services that made a search about 8 times slower."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    started = time.perf_counter()
    try:
        with psycopg.connect(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", autocommit=True) as connection:
            connection.execute("VACUUM (ANALYZE)")
    except psycopg.Error as error:
        console.print(f"[yellow]VACUUM (ANALYZE) of {name} failed: {error}[/yellow]")
        return None
    return round(time.perf_counter() - started, 2)


def database_size(url: str) -> int | None:
    try:
        if url.startswith("sqlite"):
            return Path(url.removeprefix("sqlite:///")).stat().st_size
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3) as admin:
            return admin.execute("SELECT pg_database_size(%s)", (url.rsplit("/", 1)[1],)).fetchone()[0]
    except Exception:  # noqa: BLE001 - a missing figure, not a failed bench
        return None


# --- measuring -----------------------------------------------------------------------------------------------


def percentiles(samples: list[float]) -> dict:
    """Seconds in, milliseconds out (nearest rank, as bench/run.py)."""
    if not samples:
        return {"n": 0}
    ordered = sorted(samples)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)

    return {
        "n": len(ordered),
        "p50_ms": pick(0.50),
        "p95_ms": pick(0.95),
        "p99_ms": pick(0.99),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def summarise(queries: list[dict], samples: dict[str, list[float]], totals: dict[str, int], errors: dict) -> dict:
    kinds: dict[str, list[float]] = defaultdict(list)
    for query in queries:
        kinds[query["kind"]] += samples.get(query["qid"], [])
    medians = {qid: statistics.median(times) for qid, times in samples.items() if times}
    texts = {query["qid"]: query for query in queries}
    slowest = sorted(medians, key=medians.get, reverse=True)[:5]
    return {
        **percentiles([t for times in samples.values() for t in times]),
        "by_kind": {kind: percentiles(times) for kind, times in kinds.items()},
        "slowest": [
            {"qid": qid, "q": texts[qid]["q"], "median_ms": round(medians[qid] * 1000, 2), "total": totals.get(qid)}
            for qid in slowest
        ],
        "median_total": statistics.median(totals.values()) if totals else None,
        "errors": errors,
    }


def _finder():
    from digitalmarket.search import finder

    return finder


def make_query(finder, query: dict):
    return finder.Query(
        q=query["q"],
        type=query["type"],
        category=None,
        csap=query["csap"],
        size=None,
        deployment=query["deployment"],
        price_min=query["price_min"],
        price_max=query["price_max"],
        contract=None,
        sort=query["sort"],
        page=query["page"],
        per_page=PER_PAGE,
    )


def measure_inprocess(url: str, queries: list[dict], repeat: int, seed: int) -> dict:
    from digitalmarket.core.database import Database
    from digitalmarket.search import analyzer
    from digitalmarket.search.facts import facts as catalog_facts

    finder = _finder()
    analyzer.kiwi()  # loaded once per process: the first query below is cold in every other way
    db = Database(url)
    samples: dict[str, list[float]] = defaultdict(list)
    cpu: list[float] = []
    first_sight: list[float] = []
    first_sight_cpu: list[float] = []
    totals: dict[str, int] = {}
    errors: dict[str, str] = {}
    try:
        started = time.perf_counter()
        with db.reading() as session:
            finder.find(session, make_query(finder, queries[0]))
        first = time.perf_counter() - started
        for query in queries:  # warm-up pass; a query that fails is reported and left out
            try:
                with db.reading() as session:
                    totals[query["qid"]] = finder.find(session, make_query(finder, query)).total
            except Exception as error:  # noqa: BLE001 - reported, never fatal
                errors[query["qid"]] = f"{type(error).__name__}: {error}"[:300]
        working = [query for query in queries if query["qid"] not in errors]
        rng = random.Random(seed)
        for _ in range(repeat):
            order = working[:]
            rng.shuffle(order)
            for query in order:
                built = make_query(finder, query)
                with db.reading() as session:  # a query's pages share its ranking: time the ranking too
                    forget = getattr(catalog_facts(session), "forget_results", None)
                    if forget is not None:  # (a finder of before it had no such memory)
                        forget()
                begun, begun_cpu = time.perf_counter(), time.process_time()
                with db.reading() as session:
                    result = finder.find(session, built)
                    _ = result.total, len(result.items), result.facets
                samples[query["qid"]].append(time.perf_counter() - begun)
                cpu.append(time.process_time() - begun_cpu)
        # First sight: the same queries, each timed as the first search of its words after a change of
        # the catalog (the facts' cache of phrase holders emptied before it; the facts themselves kept).
        for query in working:
            built = make_query(finder, query)
            with db.reading() as session:
                catalog_facts(session).forget_phrases()
            begun, begun_cpu = time.perf_counter(), time.process_time()
            with db.reading() as session:
                finder.find(session, built)
            first_sight.append(time.perf_counter() - begun)
            first_sight_cpu.append(time.process_time() - begun_cpu)
    finally:
        db.dispose()
    return {
        "finder": getattr(finder, "__file__", "") or "",
        "first_query_ms": round(first * 1000, 1),
        "repeat": repeat,
        **summarise(queries, samples, totals, errors),
        # CPU time of this process per query: close to the wall time on an idle machine, and still
        # meaningful on a busy one (on PostgreSQL the server's own work is not in it).
        "cpu": percentiles(cpu),
        "first_sight": {**percentiles(first_sight), "cpu": percentiles(first_sight_cpu)},
    }


def profile_query(url: str, query: dict, label: str, calls: int = 5) -> dict:
    """cProfile of `calls` runs of one query; the text report goes to var/bench/profile-<label>.txt."""
    from digitalmarket.core.database import Database

    finder = _finder()
    db = Database(url)
    profiler = cProfile.Profile()
    try:
        with db.reading() as session:
            finder.find(session, make_query(finder, query))
        for _ in range(calls):
            profiler.enable()
            with db.reading() as session:
                finder.find(session, make_query(finder, query))
            profiler.disable()
    finally:
        db.dispose()
    stats = pstats.Stats(profiler)
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(40)
    path = CACHE / f"profile-{label}.txt"
    path.write_text(f"query {json.dumps(query, ensure_ascii=False)}, {calls} calls\n\n" + text.getvalue())
    top = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:12]  # by own time
    return {
        "query": query,
        "calls": calls,
        "file": str(path.relative_to(ROOT)),
        "top_own_time": [
            {
                "function": f"{Path(file).name}:{line} {function}",
                "own_ms_per_call": round(own / calls * 1000, 2),
                "cumulative_ms_per_call": round(cumulative / calls * 1000, 2),
                "calls_per_query": round(count / calls, 1),
            }
            for (file, line, function), (_, count, own, cumulative, _) in top
        ],
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure_http(url: str, queries: list[dict], repeat: int, seed: int) -> dict:
    """Latency of GET /api/v1/services?q= against `digitalmarket serve` on the given database."""
    data_dir = Path(tempfile.mkdtemp(prefix="dm-bench-speed-"))
    port = _free_port()
    env = {
        **os.environ,
        "DM_DATA_DIR": str(data_dir),
        "DM_DATABASE_URL": url,
        "DM_API_LIMIT_PER_ADDRESS": "0",  # one client asking hundreds of times a minute: no 429 here
        "PORT": str(port),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])),
    }
    log_path = data_dir / "server.log"
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "digitalmarket.cli", "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
            if process.poll() is not None or time.perf_counter() - started > 60:
                return {"skipped": "the server did not start: " + log_path.read_text()[-1500:]}
        start_seconds = time.perf_counter() - started
        samples: dict[str, list[float]] = defaultdict(list)
        totals: dict[str, int] = {}
        errors: dict[str, str] = {}
        with httpx.Client(base_url=base, timeout=120) as client:
            probe = client.get("/api/v1/services", params=http_params(queries[0]) | {"per_page": 1})
            body = probe.json() if probe.headers.get("content-type", "").startswith("application/json") else None
            if probe.status_code != 200 or not isinstance(body, dict) or "total" not in body:
                return {
                    "skipped": "GET /api/v1/services does not search yet (no {total, items, facets} for ?q=); "
                    f"status {probe.status_code}, {type(body).__name__} body"
                }
            for query in queries:  # warm-up pass
                response = client.get("/api/v1/services", params=http_params(query))
                if response.status_code == 200:
                    totals[query["qid"]] = response.json().get("total")
                else:
                    errors[query["qid"]] = f"HTTP {response.status_code}: {response.text[:200]}"
            working = [query for query in queries if query["qid"] not in errors]
            rng = random.Random(seed)
            for _ in range(repeat):
                order = working[:]
                rng.shuffle(order)
                for query in order:
                    params = http_params(query)
                    begun = time.perf_counter()
                    response = client.get("/api/v1/services", params=params)
                    response.read()
                    samples[query["qid"]].append(time.perf_counter() - begun)
                    if response.status_code != 200:
                        errors[query["qid"]] = f"HTTP {response.status_code}: {response.text[:200]}"
        summary = summarise(queries, samples, totals, errors)
        return {"server_start_s": round(start_seconds, 2), "repeat": repeat, **summary}
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(data_dir, ignore_errors=True)


# --- the run -------------------------------------------------------------------------------------------------


def commit() -> dict:
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    return {"commit": git("rev-parse", "--short", "HEAD"), "src_modified": bool(git("status", "--porcelain", "src"))}


def machine() -> dict:
    cpu = ""
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    versions = {"sqlite": sqlite3.sqlite_version, "postgresql": None}
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3) as admin:
            versions["postgresql"] = admin.execute("SHOW server_version").fetchone()[0]
    except Exception:  # noqa: BLE001 - PostgreSQL is optional
        pass
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "platform": platform.platform(),
        **versions,
    }


def load_average() -> list[float] | None:
    """1, 5 and 15 minute load: above the number of cores, other work competed with the bench."""
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return None


def run_one(database: str, size: int, args, sample_path: Path, queries: list[dict], key: str) -> dict:
    entry: dict = {"database": database, "size": size}
    catalog = catalog_file(sample_path, size, args.fresh)
    entry["catalog"] = str(catalog.relative_to(ROOT))
    prepare = prepare_sqlite if database == "sqlite" else prepare_postgres
    console.print(f"[bold]{database}, {size:,} services[/bold]: preparing the database")
    url, entry["import"] = prepare(size, catalog, key, args.fresh)
    if database == "postgresql":
        entry["vacuum_analyze_s"] = vacuum_analyze(url)
    entry["database_bytes"] = database_size(url)
    if entry["import"].get("index_fingerprint") != index_fingerprint():
        entry["stale_index"] = True
        console.print(
            f"[yellow]{database} {size:,}: the cached index was built by other analyzer/index code "
            f"(commit {entry['import'].get('commit')}); --fresh rebuilds it.[/yellow]"
        )
    console.print(f"  import {entry['import']['seconds']} s{' (cached)' if entry['import']['cached'] else ''}")
    try:
        _finder()
    except ImportError as error:
        entry["inprocess"] = {"skipped": f"digitalmarket.search.finder is not available ({error})"}
    else:
        try:
            entry["inprocess"] = measure_inprocess(url, queries, args.repeat, SEED)
            console.print(f"  in-process {_figures(entry['inprocess'])}")
            if args.profile and entry["inprocess"].get("slowest"):
                slowest = next(q for q in queries if q["qid"] == entry["inprocess"]["slowest"][0]["qid"])
                entry["profile"] = profile_query(url, slowest, f"{database}-{size}")
        except Exception as error:  # noqa: BLE001 - benchmarks never fail
            entry["inprocess"] = {"error": f"{type(error).__name__}: {error}"[:500]}
            console.print(f"[red]  in-process failed:[/red] {traceback.format_exc()[-1500:]}")
    if args.no_http:
        entry["http"] = {"skipped": "--no-http"}
    else:
        try:
            entry["http"] = measure_http(url, queries, args.repeat, SEED)
        except Exception as error:  # noqa: BLE001
            entry["http"] = {"error": f"{type(error).__name__}: {error}"[:500]}
        console.print(f"  http {_figures(entry['http'])}")
    return entry


def _triple(measure: dict) -> str:
    if "p95_ms" not in measure:
        return "-"
    return f"{measure['p50_ms']} / {measure['p95_ms']} / {measure['p99_ms']}"


def _figures(measure: dict | None) -> str:
    if not measure:
        return "-"
    if "p95_ms" in measure:
        return f"p50 {measure['p50_ms']} / p95 {measure['p95_ms']} / p99 {measure['p99_ms']} ms"
    return measure.get("skipped") or measure.get("error") or "-"


def kept_runs(previous: dict, measured: list[dict]) -> list[dict]:
    """The runs of a previous results file for databases and sizes not measured now, each saying which run
    it comes from (`kept_from`), so that a run of some sizes keeps the figures of the others."""
    now = {(entry["database"], entry["size"]) for entry in measured}
    kept = []
    for entry in previous.get("runs", []):
        if (entry["database"], entry["size"]) in now or "error" in entry:
            continue
        origin = entry.get("kept_from") or {
            "date": previous.get("date"),
            "commit": previous.get("commit"),
            "load_average": (previous.get("load_average") or {}).get("start"),
        }
        kept.append({**entry, "kept_from": origin})
    return kept


def check_goals(entries: list[dict]) -> dict:
    goals = {}
    for name, goal in GOALS.items():
        matching = [
            e for e in entries if e["size"] == goal["size"] and goal.get("database", e["database"]) == e["database"]
        ]
        figures = {}
        for entry in matching:
            if goal["measure"] == "import seconds":
                figures[entry["database"]] = (entry.get("import") or {}).get("seconds")
            else:
                figures[entry["database"]] = (entry.get("inprocess") or {}).get("p95_ms")
        measured = {db: value for db, value in figures.items() if value is not None}
        goals[name] = {
            **goal,
            "figures": figures,
            "met": None if not measured else all(value <= goal["at_most"] for value in measured.values()),
        }
    return goals


def print_table(result: dict) -> None:
    table = Table(title="Search speed: import in s, latency in ms")
    for column in (
        "database",
        "services",
        "import",
        "in-process p50 / p95 / p99",
        "mean",
        "CPU p95",
        "first sight p95",
        "first",
    ):
        table.add_column(column, justify="right")
    for column in ("HTTP p50 / p95 / p99", "mean"):
        table.add_column(column, justify="right")
    for entry in result["runs"]:
        imported = entry.get("import") or {}
        local, remote = entry.get("inprocess") or {}, entry.get("http") or {}
        table.add_row(
            entry["database"],
            f"{entry['size']:,}",
            f"{imported.get('seconds', '-')}{'*' if imported.get('cached') else ''}",
            _triple(local),
            str(local.get("mean_ms", "-")),
            str((local.get("cpu") or {}).get("p95_ms", "-")),
            str((local.get("first_sight") or {}).get("p95_ms", "-")),
            str(local.get("first_query_ms", "-")),
            _triple(remote),
            str(remote.get("mean_ms", "-")),
        )
    console.print(table)
    console.print("* import time from the run that built the cached database")
    loads = [load for load in result["load_average"].values() if load]
    if any(load[0] > (result["machine"]["cpus"] or 1) for load in loads):
        console.print(f"[yellow]load average {result['load_average']}: other work competed for the CPUs[/yellow]")
    for entry in result["runs"]:
        for mode in ("inprocess", "http"):
            measure = entry.get(mode) or {}
            note = measure.get("skipped") or measure.get("error")
            if note:
                console.print(f"[yellow]{entry['database']} {entry['size']:,} {mode}: {note}[/yellow]")
            elif measure.get("errors"):
                console.print(f"[yellow]{entry['database']} {entry['size']:,} {mode}: {measure['errors']}[/yellow]")
    for name, goal in result["goals"].items():
        verdict = {True: "[green]met[/green]", False: "[red]missed[/red]", None: "not measured"}[goal["met"]]
        console.print(f"goal {name} (<= {goal['at_most']}): {goal['figures']} {verdict}")


README_INTRO = (
    "## Search speed (`bench/search_speed.py`)",
    "",
    "Generated catalogs of 1,000, 10,000 and 100,000 services (recombined from the dev sample) imported into",
    "SQLite and PostgreSQL; about 100 queries (the sample's, recombined, 초성, filtered, sorted) timed",
    "in-process (`search.finder.find`) and over HTTP (`GET /api/v1/services?q=`, one client, loopback).",
    "`python bench/search_speed.py [--sizes 1000,10000] [--databases sqlite] [--repeat 3] [--fresh] [--profile]`;",
    "catalogs and databases are cached in `var/bench/` (building 100,000 takes tens of minutes per database);",
    "`make bench SPEED_SIZES=1000,10000` skips the largest. Figures: `results/search_speed.json`.",
)


def update_readme(result: dict) -> None:
    """Replace (or append) this bench's section of bench/README.md (bench/run.py rewrites the rest)."""
    lines = [
        README_START,
        *README_INTRO,
        "",
        f"Last run {result['date']}, commit `{result['commit']}`{' (src modified)' if result['src_modified'] else ''}, "
        f"{result['machine']['cpus']} cores (load average {result['load_average']['start']} at the start), "
        f"{result['queries']['count']} queries x {result['options']['repeat']} passes; import time marked * "
        "comes from the run that built the cached database.",
        "",
        "| database | services | import | in-process p50 / p95 / p99 | HTTP p50 / p95 / p99 |",
        "|---|---|---|---|---|",
    ]
    for entry in result["runs"]:
        imported = entry.get("import") or {}
        cells = []
        for mode in ("inprocess", "http"):
            measure = entry.get(mode) or {}
            if "p95_ms" in measure:
                cpu = (measure.get("cpu") or {}).get("p95_ms")
                first = (measure.get("first_sight") or {}).get("p95_ms")
                notes = [f"CPU p95 {cpu} ms"] if cpu is not None else []
                notes += [f"first sight p95 {first} ms"] if first is not None else []
                cells.append(
                    f"{measure['p50_ms']} / {measure['p95_ms']} / {measure['p99_ms']} ms"
                    + (f" ({'; '.join(notes)})" if notes else "")
                )
            else:
                cells.append("not measured")
        seconds = f"{imported.get('seconds', '-')} s{'*' if imported.get('cached') else ''}"
        lines.append(f"| {entry['database']} | {entry['size']:,} | {seconds} | {cells[0]} | {cells[1]} |")
    lines.append("")
    for entry in result["runs"]:
        if origin := entry.get("kept_from"):
            lines.append(
                f"The {entry['database']} row of {entry['size']:,} services is kept from the run of {origin['date']} "
                f"(commit `{origin['commit']}`, load average {origin['load_average']} at the start): that size was "
                "not measured again."
            )
    if any("kept_from" in entry for entry in result["runs"]):
        lines.append("")
    for goal in result["goals"].values():
        verdict = {True: "met", False: "missed", None: "not measured"}[goal["met"]]
        where = f" on {goal['database']}" if goal.get("database") else ""
        lines.append(
            f"- goal: {goal['measure']} <= {goal['at_most']} at {goal['size']:,}{where}: {verdict} {goal['figures']}"
        )
    lines.append(README_END)
    section = "\n".join(lines)
    text = README.read_text(encoding="utf-8") if README.exists() else "# Benchmarks\n"
    if README_START in text and README_END in text:
        head, rest = text.split(README_START, 1)
        text = head + section + rest.split(README_END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    README.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES), help="comma-separated catalog sizes")
    parser.add_argument("--databases", default=",".join(DATABASES), help="sqlite, postgresql or both")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over the queries (after one warm-up)")
    parser.add_argument("--fresh", action="store_true", help="generate and import again instead of the cache")
    parser.add_argument("--no-http", action="store_true", help="in-process figures only")
    parser.add_argument("--profile", action="store_true", help="cProfile the slowest query of each run")
    parser.add_argument("--sample", default=None, help="folder of the dev sample (services.jsonl, queries.jsonl)")
    parser.add_argument("--json", default=str(DEFAULT_JSON), help="where the figures go")
    args = parser.parse_args()
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(line_buffering=True)  # progress shows in a log file too
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    unknown = set(databases) - set(DATABASES)
    if unknown:
        parser.error(f"unknown database(s): {', '.join(sorted(unknown))}")

    sample_dir = Path(args.sample) if args.sample else shared_dir() / "data" / "search-dev"
    sample_path = sample_dir / "services.jsonl"
    queries = build_queries(read_jsonl(sample_dir / "queries.jsonl"))
    key = cache_key(sample_path)
    result = {
        "benchmark": "search_speed",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        **commit(),
        "machine": machine(),
        "options": {"sizes": sizes, "databases": databases, "repeat": args.repeat, "per_page": PER_PAGE},
        "generator": {"version": GENERATOR_VERSION, "seed": SEED, "suppliers": SUPPLIERS, "sample": str(sample_path)},
        "queries": {"count": len(queries), "by_kind": dict(Counter(q["kind"] for q in queries)), "list": queries},
        "load_average": {"start": load_average()},
        "runs": [],
    }
    for database in databases:
        for size in sizes:
            try:
                result["runs"].append(run_one(database, size, args, sample_path, queries, key))
            except Exception as error:  # noqa: BLE001 - benchmarks never fail; the reason is recorded
                console.print(f"[red]{database} {size:,} failed:[/red] {traceback.format_exc()[-2000:]}")
                result["runs"].append({"database": database, "size": size, "error": f"{type(error).__name__}: {error}"})
    result["load_average"]["end"] = load_average()
    out = Path(args.json)
    if out.resolve() == DEFAULT_JSON.resolve() and out.exists():  # the sizes not run this time stay
        result["runs"] += kept_runs(json.loads(out.read_text(encoding="utf-8")), result["runs"])
    result["goals"] = check_goals(result["runs"])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if out.resolve() == DEFAULT_JSON.resolve():
        update_readme(result)
    print_table(result)
    console.print(f"Figures written to {out}")


if __name__ == "__main__":
    main()
