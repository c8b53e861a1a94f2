"""Benchmarks of the platform's hot paths; figures go to bench/results/foundation.json and the summary
table of bench/README.md (`summary.py`).

    make bench

Measures, on the embedded SQLite default with the demo data:
- cold start: from `digitalmarket serve` to the first 200 on /healthz (goal: under 3 s), with the CPU time
  the server had used by then and the load average, since a busy machine stretches the wall time;
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
sys.path.insert(0, str(ROOT / "bench"))

import summary  # noqa: E402 - the bench folder is not a package
from http_throughput import tree_cpu  # noqa: E402

RESULTS = ROOT / "bench" / "results"
CLI = [sys.executable, "-m", "digitalmarket.cli"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(env: dict) -> tuple[subprocess.Popen, str, float, float]:
    """Start `serve`; the seconds to the first 200 on /healthz and the CPU seconds used by then."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    process = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=0.5).status_code == 200:
                return process, url, time.perf_counter() - started, tree_cpu(process.pid)
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

    cold, cold_cpu, load_before = [], [], _load_average()
    for _ in range(5):
        process, _url, seconds, cpu = _start(env)
        cold.append(seconds)
        cold_cpu.append(cpu)
        process.terminate()
        process.wait()

    load_after = _load_average()
    process, url, _, _ = _start(env)
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
        "cold_start_s": {
            "runs": [round(s, 3) for s in cold],
            "median": round(statistics.median(cold), 3),
            "cpu_runs": [round(s, 3) for s in cold_cpu],
            "cpu_median": round(statistics.median(cold_cpu), 3),
            "load_average": load_before,
            "load_average_end": load_after,
            "goal": 3.0,
        },
        "load_average": {"start": load_before, "end": _load_average()},
        "http_latency_one_client_sqlite": latency,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "foundation.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    summary.update_readme()
    print(json.dumps(result, indent=2, ensure_ascii=False))


def _load_average() -> list[float] | None:
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return None


if __name__ == "__main__":
    main()
