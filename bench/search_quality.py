"""Search quality of the Korean analyzer against plain SQLite FTS5, on judged queries.

    python bench/search_quality.py SERVICES.jsonl QUERIES.jsonl [--json OUT] [--ablation]

SERVICES.jsonl is in the catalog import format (docs: DOMAIN.md); QUERIES.jsonl holds
``{"qid", "query", "relevant": {ref: grade}}``. Both rankers use an in-memory SQLite FTS5 index over
name, keywords, features, summary, description and supplier name, ranked by bm25 with FIELD_WEIGHTS:

- baseline (as the issue defines it): the unicode61 tokenizer over the raw text, the query's
  whitespace-separated words quoted and joined with OR;
- ours: the same columns holding the analyzer's `index_terms` (space-joined); every query concept
  (`weighted_query_terms`, plus typo corrections from the index vocabulary) is scored per document as
  the best of its alternatives (weight x bm25), concepts are summed, and a 초성 query that matches a
  service's name (or supplier name) lifts it above everything else.

Prints nDCG@10 (gain = grade), MRR (first result of any grade) and recall@10 and writes them to
bench/results/search_quality.json (or --json OUT). --ablation also measures ours with each piece
switched off. Benchmarks measure; they never fail.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from digitalmarket.search import analyzer  # noqa: E402
from digitalmarket.search.synonyms import SynonymIndex  # noqa: E402

FIELDS = ["name", "keywords", "features", "summary", "description", "supplier"]
K = 10
CHOSUNG_BOOST = 1000.0
SUPPLIER_CHOSUNG_BOOST = 500.0


def service_fields(service: dict) -> dict[str, list[str]]:
    """The searchable texts of a service, per field (list fields keep one text per item)."""
    return {
        "name": [service.get("name") or ""],
        "keywords": list(service.get("keywords") or []),
        "features": list(service.get("features") or []),
        "summary": [service.get("summary") or ""],
        "description": [service.get("description") or ""],
        "supplier": [(service.get("supplier") or {}).get("name") or ""],
    }


def _weights(weights: dict[str, float]) -> str:
    return ", ".join(str(weights[name]) for name in FIELDS)


def _create(connection: sqlite3.Connection, table: str, rows: list[list[str]]) -> None:
    columns = ", ".join(FIELDS)
    connection.execute(f"CREATE VIRTUAL TABLE {table} USING fts5({columns}, tokenize='unicode61')")
    placeholders = ", ".join("?" for _ in FIELDS)
    connection.executemany(
        f"INSERT INTO {table} (rowid, {columns}) VALUES (?, {placeholders})",
        [(number, *row) for number, row in enumerate(rows)],
    )


def _bm25(connection: sqlite3.Connection, table: str, match: str, weights: dict[str, float]) -> dict[int, float]:
    """Document -> score (higher is better) for one FTS5 MATCH expression."""
    sql = f"SELECT rowid, bm25({table}, {_weights(weights)}) FROM {table} WHERE {table} MATCH ?"
    return {rowid: -score for rowid, score in connection.execute(sql, (match,))}


class Baseline:
    """Plain FTS5: unicode61 over the raw text, query words quoted and joined with OR."""

    def __init__(self, services: list[dict], weights: dict[str, float]):
        self.weights = weights
        self.db = sqlite3.connect(":memory:")
        rows = [[" \n ".join(texts) for texts in service_fields(service).values()] for service in services]
        _create(self.db, "docs", rows)

    def rank(self, query: str) -> list[int]:
        words = query.split()
        if not words:
            return []
        match = " OR ".join('"' + word.replace('"', '""') + '"' for word in words)
        scores = _bm25(self.db, "docs", match, self.weights)
        return sorted(scores, key=lambda rowid: (-scores[rowid], rowid))[:K]


class Ours:
    """FTS5 over the analyzer's index terms; concepts scored as the best of their alternatives."""

    def __init__(self, services: list[dict], weights: dict[str, float], typos: bool = True, chosung: bool = True):
        self.weights, self.typos, self.chosung = weights, typos, chosung
        self.names = [service.get("name") or "" for service in services]
        self.suppliers = [(service.get("supplier") or {}).get("name") or "" for service in services]
        started = time.perf_counter()
        rows = []
        self.vocabulary: set[str] = set()
        for service in services:
            row = []
            for texts in service_fields(service).values():
                terms = [term for text in texts for term in analyzer.index_terms(text)]
                self.vocabulary.update(terms)
                row.append(" ".join(terms))
            rows.append(row)
        self.analysis_seconds = time.perf_counter() - started
        self.db = sqlite3.connect(":memory:")
        _create(self.db, "docs", rows)

    def rank(self, query: str) -> list[int]:
        scores: dict[int, float] = defaultdict(float)
        concepts = [] if analyzer.is_chosung_query(query) else analyzer.weighted_query_terms(query)
        if self.typos:
            concepts = analyzer.with_typo_corrections(concepts, self.vocabulary)
        for concept in concepts:
            best: dict[int, float] = {}
            for phrase, weight in concept.alternatives:
                for rowid, score in _bm25(self.db, "docs", analyzer.fts5_match([phrase]), self.weights).items():
                    best[rowid] = max(best.get(rowid, 0.0), weight * score)
            for rowid, score in best.items():
                scores[rowid] += concept.weight * score
        if self.chosung and analyzer.is_chosung_query(query):
            for rowid, (name, supplier) in enumerate(zip(self.names, self.suppliers, strict=True)):
                if analyzer.chosung_matches(query, name):
                    scores[rowid] += CHOSUNG_BOOST
                elif analyzer.chosung_matches(query, supplier):
                    scores[rowid] += SUPPLIER_CHOSUNG_BOOST
        return sorted(scores, key=lambda rowid: (-scores[rowid], rowid))[:K]


def evaluate(ranker, queries: list[dict], refs: list[str]) -> dict:
    """Mean nDCG@10 (gain = grade), MRR and recall@10 over the queries, and nDCG@10 per query."""
    per_query, ndcgs, rrs, recalls = {}, [], [], []
    for query in queries:
        relevant = query["relevant"]
        ranked = [refs[rowid] for rowid in ranker.rank(query["query"])]
        dcg = sum(relevant.get(ref, 0) / math.log2(rank + 2) for rank, ref in enumerate(ranked))
        ideal = sorted(relevant.values(), reverse=True)[:K]
        idcg = sum(grade / math.log2(rank + 2) for rank, grade in enumerate(ideal))
        ndcg = dcg / idcg if idcg else 0.0
        first = next((rank for rank, ref in enumerate(ranked) if relevant.get(ref, 0) > 0), None)
        ndcgs.append(ndcg)
        rrs.append(0.0 if first is None else 1 / (first + 1))
        recalls.append(sum(1 for ref in ranked if relevant.get(ref, 0) > 0) / len(relevant))
        per_query[query["qid"]] = round(ndcg, 3)
    count = len(queries)
    return {
        "ndcg@10": round(sum(ndcgs) / count, 4),
        "mrr": round(sum(rrs) / count, 4),
        "recall@10": round(sum(recalls) / count, 4),
        "per_query_ndcg@10": per_query,
    }


def chosung_hit_rate(ranker, services: list[dict]) -> float:
    """Share of services found in the top 10 by the 초성 of their name's first two Korean words."""
    hits = total = 0
    for rowid, service in enumerate(services):
        words = [word for word in (service.get("name") or "").split() if analyzer.chosung(word).isalpha()]
        query = "".join(analyzer.chosung(word) for word in words[:2])
        if not analyzer.is_chosung_query(query):
            continue
        total += 1
        hits += rowid in ranker.rank(query)
    return round(hits / total, 4) if total else 0.0


# --- ablation: each piece of the analyzer switched off --------------------------------------------


@contextmanager
def _patched(**replacements):
    saved = {name: getattr(analyzer, name) for name in replacements}
    saved_synonyms = analyzer._synonyms
    try:
        for name, value in replacements.items():
            setattr(analyzer, name, value)
        analyzer._synonyms = None
        yield
    finally:
        for name, value in saved.items():
            setattr(analyzer, name, value)
        analyzer._synonyms = saved_synonyms


def _no_morphology(text: str) -> list[list]:
    """Words as written (lower-cased, split at spaces and punctuation), no Kiwi."""
    words = "".join(char.lower() if char.isalnum() else " " for char in analyzer._normalise(text)).split()
    return [[analyzer._Part(word, word)] for word in words]


def _no_compounds(original):
    def runs(text: str) -> list[list]:
        joined = []
        for run in original(text):
            word = "".join(part.full for part in run)
            joined.append([analyzer._Part(word, word)])
        return joined

    return runs


def _empty_synonyms() -> SynonymIndex:
    return SynonymIndex([], analyzer._words)


def ablation(services: list[dict], queries: list[dict], refs: list[str]) -> dict:
    """nDCG@10 of ours with one piece off at a time, and the loss against ours in full."""
    equal = dict.fromkeys(FIELDS, 1.0)
    variants = {
        "morphology (Kiwi) off": (_patched(_runs=_no_morphology), {}),
        "compound splitting off": (_patched(_runs=_no_compounds(analyzer._runs)), {}),
        "synonyms off": (_patched(synonyms=_empty_synonyms), {}),
        "part concepts off": (_patched(_with_part_concepts=lambda concepts: concepts), {}),
        "typo corrections off": (_patched(), {"typos": False}),
        "field weights off (all 1.0)": (_patched(), {"weights": equal}),
        "초성 boost off (no 초성 query in the sample)": (_patched(), {"chosung": False}),
    }
    full = evaluate(Ours(services, analyzer.FIELD_WEIGHTS), queries, refs)["ndcg@10"]
    results = {}
    for label, (patch, options) in variants.items():
        with patch:
            ranker = Ours(services, options.pop("weights", analyzer.FIELD_WEIGHTS), **options)
            score = evaluate(ranker, queries, refs)["ndcg@10"]
        results[label] = {"ndcg@10": score, "delta": round(score - full, 4)}
    return results


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def _read_jsonl(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("services")
    parser.add_argument("queries")
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "search_quality.json"))
    parser.add_argument("--ablation", action="store_true", help="also measure ours with each piece switched off")
    args = parser.parse_args()
    services, queries = _read_jsonl(args.services), _read_jsonl(args.queries)
    refs = [service["ref"] for service in services]

    started = time.perf_counter()
    analyzer.kiwi()
    kiwi_load = time.perf_counter() - started
    baseline = evaluate(Baseline(services, analyzer.FIELD_WEIGHTS), queries, refs)
    ours_ranker = Ours(services, analyzer.FIELD_WEIGHTS)
    started = time.perf_counter()
    ours = evaluate(ours_ranker, queries, refs)
    query_seconds = (time.perf_counter() - started) / len(queries)
    texts = sum(len(texts) for service in services for texts in service_fields(service).values())
    result = {
        "benchmark": "search_quality",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _commit(),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "data": {
            "services": args.services,
            "queries": args.queries,
            "n_services": len(services),
            "n_queries": len(queries),
        },
        "field_weights": analyzer.FIELD_WEIGHTS,
        "baseline": baseline,
        "ours": ours,
        "ndcg@10_gain": round(ours["ndcg@10"] - baseline["ndcg@10"], 4),
        "chosung_name_hit_rate@10": {
            "baseline": chosung_hit_rate(Baseline(services, analyzer.FIELD_WEIGHTS), services),
            "ours": chosung_hit_rate(ours_ranker, services),
        },
        "timing": {
            "kiwi_load_s": round(kiwi_load, 3),
            "analysis_ms_per_service": round(ours_ranker.analysis_seconds / len(services) * 1000, 2),
            "analysis_ms_per_text": round(ours_ranker.analysis_seconds / texts * 1000, 3),
            "query_ms_in_memory": round(query_seconds * 1000, 2),
        },
    }
    if args.ablation:
        result["ablation_ndcg@10"] = ablation(services, queries, refs)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    print(f"{'ranker':<10}{'nDCG@10':>10}{'MRR':>8}{'R@10':>8}")
    for label, figures in (("baseline", baseline), ("ours", ours)):
        print(f"{label:<10}{figures['ndcg@10']:>10.4f}{figures['mrr']:>8.4f}{figures['recall@10']:>8.4f}")
    print(f"gain nDCG@10: {result['ndcg@10_gain']:+.4f}; timing: {result['timing']}")
    print("per query nDCG@10 (baseline -> ours):")
    for qid, score in ours["per_query_ndcg@10"].items():
        print(f"  {qid}: {baseline['per_query_ndcg@10'][qid]:.3f} -> {score:.3f}")
    print(f"초성 name hit rate@10: {result['chosung_name_hit_rate@10']}")
    for label, figures in result.get("ablation_ndcg@10", {}).items():
        print(f"  {label:<30} nDCG@10 {figures['ndcg@10']:.4f} ({figures['delta']:+.4f})")


if __name__ == "__main__":
    main()
