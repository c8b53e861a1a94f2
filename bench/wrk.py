"""Run Debian's `wrk` against a list of paths and read its figures back as a dict.

A generated Lua script rotates the paths (each wrk thread starts at its own share of them), counts answers
outside 2xx in `response()` and prints one JSON line from `done()`: requests, duration, bytes, socket
errors, non-2xx answers and latency percentiles. The CPU time wrk itself used is read from
`getrusage(RUSAGE_CHILDREN)` around the run: on a small machine wrk competes with the server for the
same cores, and that share is worth knowing.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import tempfile
from pathlib import Path

WRK = shutil.which("wrk") or "/usr/bin/wrk"
MARKER = "WRK_JSON "

LUA = r"""
local paths = {%(paths)s}
local threads = {}
local counter = 0

function setup(thread)
  thread:set("offset", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  -- each thread starts its own share of the paths, so that threads do not ask the same path in step
  index = math.floor((offset or 0) * #paths / %(threads)d) %% #paths
  non2xx = 0
end

function request()
  index = index %% #paths + 1
  return wrk.format("GET", paths[index])
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("non2xx") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    '%(marker)s{"requests": %%d, "duration_us": %%d, "bytes": %%d, "connect": %%d, "read": %%d, ' ..
    '"write": %%d, "status": %%d, "timeout": %%d, "non_2xx": %%d, "p50_us": %%d, "p90_us": %%d, ' ..
    '"p95_us": %%d, "p99_us": %%d, "mean_us": %%.1f, "max_us": %%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    bad, latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99),
    latency.mean, latency.max))
end
"""


def lua_script(paths: list[str], threads: int = 2) -> str:
    quoted = ", ".join(json.dumps(path) for path in paths)  # a JSON string of ASCII is a valid Lua string
    return LUA % {"paths": quoted, "marker": MARKER, "threads": threads}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(base_url: str, paths: list[str], *, connections: int, seconds: float, threads: int = 2) -> dict:
    """One wrk run; latencies in milliseconds. Paths must be URL-encoded (ASCII)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua_script(paths, threads))
    try:
        cpu_before = _children_cpu()
        completed = subprocess.run(
            [
                WRK,
                f"-t{threads}",
                f"-c{connections}",
                f"-d{max(1, round(seconds))}s",
                "--timeout",
                "10s",
                "-s",
                script.name,
                base_url,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        wrk_cpu = _children_cpu() - cpu_before
    finally:
        Path(script.name).unlink(missing_ok=True)
    line = next((ln for ln in completed.stdout.splitlines() if ln.startswith(MARKER)), None)
    if line is None:
        return {"error": f"wrk exit {completed.returncode}: {(completed.stderr or completed.stdout)[-500:]}"}
    raw = json.loads(line[len(MARKER) :])
    seconds_run = raw["duration_us"] / 1e6
    return {
        "threads": threads,
        "connections": connections,
        "duration_s": round(seconds_run, 2),
        "requests": raw["requests"],
        "requests_per_s": round(raw["requests"] / seconds_run, 1) if seconds_run else None,
        "latency_ms": {
            name: round(raw[f"{name}_us"] / 1000, 2) for name in ("p50", "p90", "p95", "p99", "mean", "max")
        },
        "non_2xx": raw["non_2xx"],
        "socket_errors": {name: raw[name] for name in ("connect", "read", "write", "timeout")},
        "bytes_per_request": round(raw["bytes"] / raw["requests"]) if raw["requests"] else None,
        "wrk_cpu_s": round(wrk_cpu, 2),
    }
