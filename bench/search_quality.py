"""Search quality through the product's own search, on two judged query sets.

    python bench/search_quality.py [--dev DIR] [--held-out FILE] [--ablation] [--dev-only] [--json OUT]

Both sets are reported every time:

- ``dev``: the judged sample the ranking is developed on (``DIR`` holds ``services.jsonl``, in the catalog
  import format, and ``queries.jsonl``; default ../shared/data/search-dev);
- ``held_out``: bench/search-demo/queries.jsonl, queries over the demo catalog of ``make run`` judged from
  the catalog alone (bench/search-demo/README.md). It is reported, never tuned on.

For each set a fresh SQLite database is migrated and filled the way the product fills one: the dev
services through the catalog importer (``digitalmarket import-catalog``), the demo catalog through
``seed_demo`` and ``seed_demo_work`` (``digitalmarket seed-demo --no-trade``; trade adds no service).
Every query is then ranked by `digitalmarket.search.index.search`, which calls `search.finder.find`, the
function behind ``GET /api/v1/services`` and the search page: what is measured is what a buyer gets.

The dev queries are also measured misspelt (``misspelt`` under ``dev``): each word of two or more Hangul
syllables changed by one jamo as people mistype (ㅐ/ㅔ, ㅓ/ㅕ, ㅅ/ㅆ, a final consonant dropped or added ...) and
each Latin word of three letters or more with two letters swapped, two variants a word, judged as the
query they come from (`misspelt`). It is made from the dev sample, so it is development material too.

Measured: nDCG@10 (gain = grade, unjudged services count 0), MRR (first result of any grade) and recall@10,
per set, per query and, for the held-out set, per kind of query. ``--ablation`` ranks again with each piece
of `search.settings` switched off in turn (``DM_SEARCH_OFF``), and shows what each adds on each set.
Figures go to bench/results/search_quality.json (or ``--json OUT``). Benchmarks measure; they never fail.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

K = 10
DEV = ROOT.parent / "shared" / "data" / "search-dev"
HELD_OUT = ROOT / "bench" / "search-demo" / "queries.jsonl"
GOALS = {"dev": 0.92, "held_out": 0.90}


def _read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@contextmanager
def fresh_database():
    """A migrated SQLite database in a folder of its own (its documents too), with the subscribers installed."""
    from digitalmarket import subscribers
    from digitalmarket.core.database import Database
    from digitalmarket.core.migrate import upgrade

    with tempfile.TemporaryDirectory(prefix="dm-search-quality-") as folder:
        db = Database(f"sqlite:///{folder}/quality.db")
        upgrade(db.engine)
        subscribers.install()
        try:
            yield db, Path(folder)
        finally:
            db.dispose()


def import_services(db, services_file: Path) -> None:
    """The services of a file in the catalog import format, as ``digitalmarket import-catalog`` loads them."""
    from digitalmarket.catalog import importer

    with db.transaction() as session:
        lines, problems = importer.read_file(session, services_file)
        if problems:
            raise SystemExit(f"{services_file}: {problems[0]}")
        importer.apply(session, lines, None, services_file.name, importer.ImportReport())


def seed_demo_catalog(db, folder: Path) -> None:
    """The demo catalog of ``make run``: its organisations, accounts and published services."""
    from digitalmarket.demo import seed_demo, seed_demo_work

    with db.transaction() as session:
        seed_demo(session)
        seed_demo_work(session, folder / "documents")


def ranked(db, query: str, key: str) -> list[str]:
    """The first K services of the product's search for ``query``, each by ``key`` (ref or name)."""
    from digitalmarket.search.index import search

    with db.reading() as session:
        return [getattr(hit.service, key) or "" for hit in search(session, query, limit=K)]


def evaluate(db, queries: list[dict], key: str) -> dict:
    """Mean nDCG@10, MRR and recall@10 over the queries; nDCG@10 per query and per kind of query."""
    per_query, ndcgs, rrs, recalls = {}, [], [], []
    kinds: dict[str, list[float]] = defaultdict(list)
    started = time.perf_counter()
    for query in queries:
        relevant = query["relevant"]
        found = ranked(db, query["query"], key)
        dcg = sum(relevant.get(ref, 0) / math.log2(rank + 2) for rank, ref in enumerate(found))
        ideal = sorted(relevant.values(), reverse=True)[:K]
        idcg = sum(grade / math.log2(rank + 2) for rank, grade in enumerate(ideal))
        ndcg = dcg / idcg if idcg else 0.0
        first = next((rank for rank, ref in enumerate(found) if relevant.get(ref, 0) > 0), None)
        ndcgs.append(ndcg)
        rrs.append(0.0 if first is None else 1 / (first + 1))
        recalls.append(sum(1 for ref in found if relevant.get(ref, 0) > 0) / min(len(relevant), K))
        per_query[query["qid"]] = round(ndcg, 3)
        if query.get("kind"):
            kinds[query["kind"]].append(ndcg)
    count = len(queries)
    figures = {
        "ndcg@10": round(sum(ndcgs) / count, 4),
        "mrr": round(sum(rrs) / count, 4),
        "recall@10": round(sum(recalls) / count, 4),
        "ms_per_query": round((time.perf_counter() - started) / count * 1000, 2),
        "per_query_ndcg@10": per_query,
    }
    if kinds:
        figures["by_kind_ndcg@10"] = {kind: round(sum(v) / len(v), 4) for kind, v in sorted(kinds.items())}
    return figures


_CHOSEONG = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_JUNGSEONG = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_JONGSEONG = ["", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"]
# the confusions of people typing Korean: vowels that sound or sit alike, plain and tense or aspirated
_VOWELS = dict(zip("ㅐㅔㅓㅕㅗㅜㅡㅚㅙㅢㅏㅣㅠㅛㅘㅝㅟ", "ㅔㅐㅕㅓㅓㅡㅜㅙㅚㅣㅑㅢㅜㅗㅏㅓㅜ", strict=True))
_INITIALS = dict(zip("ㅅㄷㅂㄱㅈㅋㅌㅍㅊㄴㄹㅁㅇㅎ", "ㅆㄸㅃㄲㅉㄱㄷㅂㅈㄹㄴㄴㅎㅇ", strict=True))


def _syllable_variants(word: str) -> list[tuple[str, str]]:
    out = []
    for at, char in enumerate(word):
        code = ord(char) - 0xAC00
        if not 0 <= code < 11172:
            continue
        first, vowel, final = _CHOSEONG[code // 588], _JUNGSEONG[code // 28 % 21], _JONGSEONG[code % 28]

        def spelt(c: str, v: str, f: str, at: int = at) -> str:
            made = chr(0xAC00 + (_CHOSEONG.index(c) * 21 + _JUNGSEONG.index(v)) * 28 + _JONGSEONG.index(f))
            return word[:at] + made + word[at + 1 :]

        if vowel in _VOWELS:
            out.append(("vowel", spelt(first, _VOWELS[vowel], final)))
        if first in _INITIALS:
            out.append(("initial", spelt(_INITIALS[first], vowel, final)))
        out.append(("final", spelt(first, vowel, "" if final else "ㄴ")))
    return out


def misspelt(queries: list[dict]) -> list[dict]:
    """The queries with one word misspelt at a time (see the module docstring), judged as written right."""
    variants = []
    for query in queries:
        words = query["query"].split()
        for number, word in enumerate(words):
            if sum(1 for char in word if 0xAC00 <= ord(char) < 0xAC00 + 11172) >= 2:
                options = _syllable_variants(word)
            elif word.isascii() and word.isalpha() and len(word) >= 3 and word[1] != word[2]:
                options = [("swap", word[0] + word[2] + word[1] + word[3:])]
            else:
                continue
            for kind, changed in options[len(options) // 2 :: max(1, len(options) // 2)][:2]:
                text = " ".join([*words[:number], changed, *words[number + 1 :]])
                variants.append({**query, "qid": f"{query['qid']}-{number}-{kind}", "query": text, "kind": kind})
    return variants


@contextmanager
def pieces_off(*names: str):
    """The product's search with some of its pieces switched off (`search.settings`, ``DM_SEARCH_OFF``)."""
    from digitalmarket.search.settings import ENVIRONMENT

    before = os.environ.get(ENVIRONMENT)
    os.environ[ENVIRONMENT] = ",".join(names)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(ENVIRONMENT, None)
        else:
            os.environ[ENVIRONMENT] = before


def ablation(db, queries: list[dict], key: str, full: float, variants=None, variants_full=0.0) -> dict:
    from digitalmarket.search.settings import PIECES

    results = {}
    for piece in PIECES:
        with pieces_off(piece):
            score = evaluate(db, queries, key)["ndcg@10"]
            results[f"{piece} off"] = {"ndcg@10": score, "delta": round(score - full, 4)}
            if variants:
                score = evaluate(db, variants, key)["ndcg@10"]
                results[f"{piece} off"]["misspelt"] = {"ndcg@10": score, "delta": round(score - variants_full, 4)}
    return results


def judged_by_name(db, queries: list[dict]) -> list[dict]:
    """The held-out queries judged by service name: a demo service's code depends on the month the demo is
    seeded in (bench/search-demo/README.md), its name does not. A code query asks for its target's code
    as seeded now, written in the query's case."""
    from sqlalchemy import select

    from digitalmarket.catalog.tables import Service

    with db.reading() as session:
        codes = dict(session.execute(select(Service.name, Service.code)).all())
    judged = []
    for query in queries:
        query = {**query, "relevant": query.get("relevant_names") or query["relevant"]}
        if query.get("target"):
            code = codes[query["target"]]
            query["query"] = code.lower() if query["query"] == query["query"].lower() else code
        judged.append(query)
    return judged


def measure_set(name: str, fill, queries: list[dict], key: str, with_ablation: bool, data: dict, judge=None) -> dict:
    with fresh_database() as (db, folder):
        started = time.perf_counter()
        fill(db, folder)
        if judge is not None:
            queries = judge(db, queries)
        with db.reading() as session:
            from sqlalchemy import func, select

            from digitalmarket.catalog.tables import Service

            services = session.scalar(select(func.count()).select_from(Service))
        loaded = time.perf_counter() - started
        figures = evaluate(db, queries, key)
        result = {
            "data": {**data, "n_services": services, "n_queries": len(queries)},
            "goal_ndcg@10": GOALS[name],
            "load_s": round(loaded, 1),
            **figures,
        }
        variants = misspelt(queries) if name == "dev" else None
        if variants:
            result["misspelt"] = {"n_queries": len(variants), **evaluate(db, variants, key)}
        if with_ablation:
            result["ablation_ndcg@10"] = ablation(
                db, queries, key, figures["ndcg@10"], variants, result.get("misspelt", {}).get("ndcg@10", 0.0)
            )
    return result


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dev", type=Path, default=DEV, help="folder with services.jsonl and queries.jsonl")
    parser.add_argument("--held-out", type=Path, default=HELD_OUT, help="judged queries over the demo catalog")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "search_quality.json")
    parser.add_argument("--ablation", action="store_true", help="also rank with each piece switched off")
    parser.add_argument("--dev-only", action="store_true", help="measure the dev sample alone (while developing)")
    args = parser.parse_args()

    sets = {}
    if (args.dev / "services.jsonl").exists():
        services_file = args.dev / "services.jsonl"
        sets["dev"] = measure_set(
            "dev",
            lambda db, _folder: import_services(db, services_file),
            _read_jsonl(args.dev / "queries.jsonl"),
            "ref",
            args.ablation,
            {"services": str(services_file), "queries": str(args.dev / "queries.jsonl")},
        )
    else:
        print(f"no dev sample at {args.dev}: measuring the held-out set only")
    held_out = _read_jsonl(args.held_out) if args.held_out.is_file() and not args.dev_only else []
    if held_out:
        sets["held_out"] = measure_set(
            "held_out",
            seed_demo_catalog,
            held_out,
            "name",
            args.ablation,
            {"services": "the demo catalog (seed-demo)", "queries": os.path.relpath(args.held_out, ROOT)},
            judge=judged_by_name,
        )
    else:
        print(f"no held-out queries at {args.held_out}")
    result = {
        "benchmark": "search_quality",
        "how": "the product's search (search.index.search -> search.finder.find, as the API) on fresh SQLite",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _commit(),
        "src_modified": bool(
            subprocess.run(["git", "status", "--porcelain", "src"], cwd=ROOT, capture_output=True, text=True).stdout
        ),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "sets": sets,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    print(f"{'set':<10}{'queries':>8}{'services':>9}{'nDCG@10':>9}{'MRR':>8}{'R@10':>8}{'goal':>7}")
    for name, figures in sets.items():
        data = figures["data"]
        print(
            f"{name:<10}{data['n_queries']:>8}{data['n_services']:>9}{figures['ndcg@10']:>9.4f}"
            f"{figures['mrr']:>8.4f}{figures['recall@10']:>8.4f}{figures['goal_ndcg@10']:>7.2f}"
        )
    for name, figures in sets.items():
        if "misspelt" in figures:
            wrong = figures["misspelt"]
            print(
                f"{name} misspelt: {wrong['n_queries']} queries, nDCG@10 {wrong['ndcg@10']:.4f}, by kind: "
                + ", ".join(f"{k} {v:.3f}" for k, v in wrong["by_kind_ndcg@10"].items())
            )
        if "by_kind_ndcg@10" in figures:
            print(f"{name} by kind: " + ", ".join(f"{k} {v:.3f}" for k, v in figures["by_kind_ndcg@10"].items()))
        for label, ablated in figures.get("ablation_ndcg@10", {}).items():
            extra = ablated.get("misspelt")
            more = f"; misspelt {extra['ndcg@10']:.4f} ({extra['delta']:+.4f})" if extra else ""
            print(f"  {name}: {label:<14} nDCG@10 {ablated['ndcg@10']:.4f} ({ablated['delta']:+.4f}){more}")


if __name__ == "__main__":
    main()
