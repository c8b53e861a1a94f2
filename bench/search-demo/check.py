"""Check the held-out judged queries against the demo catalog, and re-key them when its codes moved.

    python bench/search-demo/check.py [--db FILE] [--rekey]

Without ``--db`` a throwaway SQLite database is seeded the way ``make run`` seeds one (``digitalmarket
migrate`` then ``digitalmarket seed-demo --no-trade``; trade adds no service). The check reads the
``services`` table only: it never runs a search.

Checked: every judged code exists and carries the name recorded next to it (``relevant_names``, and
``target`` for a code query), every query has a grade-3 service, grades are 1-3, a code query asks for its
target's code (in upper or lower case). Printed: queries and judged services per kind.

A service's code carries the year of the committee round that selected it, and the demo seed spreads the
catalog over the rounds up to the last one decided before the day it runs: a seed made in another month
numbers the same services differently. ``--rekey`` rewrites queries.jsonl from the names (which do not
change) to the codes of the catalog checked, code queries included, keeping each query's letter case.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUERIES = HERE / "queries.jsonl"
KINDS = ("need", "brand", "code", "name", "typo", "constraint", "english", "mixed")


def seeded_catalog() -> dict[str, str]:
    """Code -> name of the published services of a freshly seeded demo database."""
    with tempfile.TemporaryDirectory(prefix="dm-search-demo-") as folder:
        env = {**os.environ, "DM_DATA_DIR": folder}
        env.pop("DM_DATABASE_URL", None)
        for args in (["migrate"], ["seed-demo", "--no-trade"]):
            subprocess.run([sys.executable, "-m", "digitalmarket.cli", *args], env=env, check=True, capture_output=True)
        return read_catalog(Path(folder) / "market.sqlite3")


def read_catalog(db: Path) -> dict[str, str]:
    if not db.is_file():
        raise SystemExit(f"no database at {db}")
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        rows = connection.execute("SELECT code, name FROM services WHERE status = 'published'").fetchall()
    return dict(rows)


def problems(queries: list[dict], catalog: dict[str, str]) -> list[str]:
    found = []
    for query in queries:
        qid, relevant, names = query["qid"], query["relevant"], query.get("relevant_names", {})
        if query["kind"] not in KINDS:
            found.append(f"{qid}: unknown kind {query['kind']!r}")
        if 3 not in relevant.values():
            found.append(f"{qid}: no grade-3 service")
        if set(relevant.values()) - {1, 2, 3}:
            found.append(f"{qid}: grades outside 1-3")
        if sorted(relevant.values()) != sorted(names.values()):
            found.append(f"{qid}: relevant and relevant_names disagree")
        for code, grade in relevant.items():
            if code not in catalog:
                found.append(f"{qid}: {code} is not in the catalog")
            elif names.get(catalog[code]) != grade:
                found.append(f"{qid}: {code} is {catalog[code]!r}, not judged under that name")
        if query["kind"] == "code":
            target = [code for code, name in catalog.items() if name == query.get("target")]
            if target != [query["query"].upper()]:
                found.append(f"{qid}: code query {query['query']!r} is not the code of {query.get('target')!r}")
    return found


def rekey(queries: list[dict], catalog: dict[str, str]) -> list[dict]:
    code_of = {name: code for code, name in catalog.items()}
    missing = {n for q in queries for n in [*q["relevant_names"], q.get("target")] if n and n not in code_of}
    if missing:
        raise SystemExit(f"names not in the catalog, cannot re-key: {sorted(missing)}")
    out = []
    for query in queries:
        query = dict(query)
        query["relevant"] = {code_of[name]: grade for name, grade in query["relevant_names"].items()}
        if query["kind"] == "code":
            code = code_of[query["target"]]
            query["query"] = code.lower() if query["query"].islower() else code
        out.append(query)
    return out


def table(queries: list[dict]) -> str:
    per_kind: dict[str, Counter] = defaultdict(Counter)
    for query in queries:
        counts = per_kind[query["kind"]]
        counts["queries"] += 1
        for grade in query["relevant"].values():
            counts[grade] += 1
    lines = [f"{'kind':<11}{'queries':>8}{'grade 3':>9}{'grade 2':>9}{'grade 1':>9}"]
    for kind in [k for k in KINDS if k in per_kind]:
        c = per_kind[kind]
        lines.append(f"{kind:<11}{c['queries']:>8}{c[3]:>9}{c[2]:>9}{c[1]:>9}")
    total = sum((per_kind[k] for k in per_kind), Counter())
    lines.append(f"{'all':<11}{total['queries']:>8}{total[3]:>9}{total[2]:>9}{total[1]:>9}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, help="a seeded demo SQLite file (default: seed a throwaway one)")
    parser.add_argument("--rekey", action="store_true", help="rewrite the codes of queries.jsonl from the names")
    args = parser.parse_args()

    with open(QUERIES, encoding="utf-8") as handle:
        queries = [json.loads(line) for line in handle if line.strip()]
    catalog = read_catalog(args.db) if args.db else seeded_catalog()
    if args.rekey:
        queries = rekey(queries, catalog)
        with open(QUERIES, "w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(q, ensure_ascii=False) + "\n" for q in queries)
        print(f"re-keyed {len(queries)} queries to the codes of this catalog")
    print(f"{len(queries)} queries over {len(catalog)} published services")
    print(table(queries))
    found = problems(queries, catalog)
    for problem in found:
        print("PROBLEM", problem)
    if found:
        raise SystemExit(1)
    print("every judged code exists under its judged name; every query has a grade-3 service")


if __name__ == "__main__":
    main()
