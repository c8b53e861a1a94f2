"""Benchmarks of the platform's hot paths; figures go to bench/results/*.json and bench/README.md.

    make bench

Measures, on the embedded SQLite default with the demo data:
- cold start: from `digitalmarket serve` to the first 200 on /healthz (goal: under 3 s);
- request latency over HTTP on loopback, one client, for the home page, /healthz and /api/v1/me.
Benchmarks measure; they never fail the test suite.
"""

from __future__ import annotations

import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
CLI = [sys.executable, "-m", "digitalmarket.cli"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(env: dict) -> tuple[subprocess.Popen, str, float]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    process = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=0.5).status_code == 200:
                return process, url, time.perf_counter() - started
        except httpx.HTTPError:
            time.sleep(0.01)
        if time.perf_counter() - started > 30:
            process.kill()
            raise RuntimeError("server did not start")


def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)

    return {
        "n": len(ordered),
        "p50_ms": pick(0.50),
        "p95_ms": pick(0.95),
        "p99_ms": pick(0.99),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 2),
    }


def main() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="dm-bench-"))
    env = {**os.environ, "DM_DATA_DIR": str(data_dir)}
    env.pop("DM_DATABASE_URL", None)
    subprocess.run([*CLI, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([*CLI, "seed-demo"], env=env, check=True, capture_output=True)
    token = (
        subprocess.run(
            [*CLI, "create-token", "--email", "buyer@demo.kr", "--name", "bench"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )

    cold = []
    for _ in range(5):
        process, _url, seconds = _start(env)
        cold.append(seconds)
        process.terminate()
        process.wait()

    process, url, _ = _start(env)
    latency = {}
    try:
        with httpx.Client(base_url=url) as client:
            targets = {
                "GET /": ({}, "/"),
                "GET /healthz": ({}, "/healthz"),
                "GET /api/v1/me": ({"Authorization": f"Bearer {token}"}, "/api/v1/me"),
            }
            for name, (headers, path) in targets.items():
                for _ in range(20):
                    client.get(path, headers=headers)
                samples = []
                for _ in range(300):
                    begun = time.perf_counter()
                    response = client.get(path, headers=headers)
                    samples.append(time.perf_counter() - begun)
                    assert response.status_code == 200, (path, response.status_code)
                latency[name] = _percentiles(samples)
    finally:
        process.terminate()
        process.wait()

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    result = {
        "benchmark": "foundation",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit.strip(),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "cold_start_s": {"runs": [round(s, 3) for s in cold], "median": round(statistics.median(cold), 3), "goal": 3.0},
        "http_latency_one_client_sqlite": latency,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "foundation.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    _write_summary(result)
    print(json.dumps(result, indent=2, ensure_ascii=False))


def _write_summary(result: dict) -> None:
    lines = [
        "# Benchmarks",
        "",
        "`make bench` runs every benchmark and writes `bench/results/*.json` and this table. Benchmarks",
        "measure; they never fail the test suite. Figures below are from the last committed run.",
        "",
        f"Machine: {result['machine']['platform']}, {result['machine']['cpus']} cores, Python "
        f"{result['machine']['python']}. Date: {result['date']}. Commit: `{result['commit']}`.",
        "",
        "| measure | figure | goal |",
        "|---|---|---|",
        f"| cold start, `serve` to first 200 on /healthz (median of 5) "
        f"| {result['cold_start_s']['median']} s | < 3 s |",
    ]
    quality = RESULTS / "search_quality.json"
    if quality.exists():
        figures = json.loads(quality.read_text())
        ours, base = figures["ours"], figures["baseline"]
        lines.append(
            f"| search quality on the dev sample, nDCG@10 / MRR / recall@10 (`bench/search_quality.py`, "
            f"{figures['date'][:10]}) | ours {ours['ndcg@10']} / {ours['mrr']} / {ours['recall@10']}; "
            f"plain FTS5 {base['ndcg@10']} / {base['mrr']} / {base['recall@10']} | >= 0.88, +0.15 |"
        )
    for name, figures in result["http_latency_one_client_sqlite"].items():
        lines.append(
            f"| {name}, one client over loopback, SQLite | p50 {figures['p50_ms']} ms, "
            f"p95 {figures['p95_ms']} ms, p99 {figures['p99_ms']} ms | |"
        )
    (ROOT / "bench" / "README.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
