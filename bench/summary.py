"""The summary table of bench/README.md, built from every bench/results/*.json present.

    python bench/summary.py          # rewrite the table between <!-- summary --> and <!-- /summary -->

One row per measure with its figure, its goal and whether the goal is met, and where and when the figure
was taken. Each results file has its own reader; files are read defensively, since each bench writes its
own shape and some are being extended: a missing file leaves its rows out, a missing key its row, and an
unreadable file is named in the table rather than failing `make bench`. `rows` is a pure function of the
loaded files, so a test can feed it small dicts.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
README = BENCH / "README.md"
START, END = "<!-- summary -->", "<!-- /summary -->"


@dataclass(frozen=True)
class Row:
    measure: str
    figure: str
    goal: str = ""
    met: bool | None = None  # None: no goal, or not measured
    source: str = ""  # results file, date and commit of the figure


def _when(name: str, data: dict) -> str:
    date, commit = str(data.get("date") or "")[:10], data.get("commit")
    commit = commit.get("commit") if isinstance(commit, dict) else commit
    return ", ".join(part for part in (name, date, f"`{commit}`" if commit else "") if part)


def _ms(figures: dict) -> str:
    return f"p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, p99 {figures['p99_ms']} ms"


# --- one reader per results file -----------------------------------------------------------------------------


def foundation_rows(data: dict) -> list[Row]:
    cold, where = data["cold_start_s"], _when("foundation.json", data)
    goal = cold.get("goal", 3.0)
    cpu = f", CPU {cold['cpu_median']} s" if cold.get("cpu_median") is not None else ""
    load = ""
    if cold.get("load_average"):
        end = cold.get("load_average_end")
        load = f" (load average {cold['load_average'][0]} at the start{f', {end[0]} at the end' if end else ''})"
    rows = [
        Row(
            f"cold start, `serve` to first 200 on /healthz (median of {len(cold.get('runs', [])) or 5})",
            f"{cold['median']} s{cpu}{load}",
            f"< {goal} s",
            cold["median"] < goal,
            where,
        )
    ]
    for name, figures in (data.get("http_latency_one_client_sqlite") or {}).items():
        rows.append(Row(f"{name}, one client over loopback, SQLite (demo data)", _ms(figures), source=where))
    return rows


def quality_rows(data: dict) -> list[Row]:
    where = _when("search_quality.json", data)
    titles = {"dev": "the dev sample", "held_out": "the held-out demo set (never tuned on)"}
    rows = []
    for name, figures in (data.get("sets") or {}).items():
        goal = figures.get("goal_ndcg@10")
        rows.append(
            Row(
                f"search quality on {titles.get(name, name)}, nDCG@10 / MRR / recall@10, "
                f"through the product's search (`bench/search_quality.py`)",
                f"{figures['ndcg@10']} / {figures['mrr']} / {figures['recall@10']} "
                f"({figures['data']['n_queries']} queries, {figures['data']['n_services']} services)",
                f"nDCG@10 >= {goal}" if goal else "",
                figures["ndcg@10"] >= goal if goal else None,
                where,
            )
        )
    return rows


def speed_rows(data: dict) -> list[Row]:
    rows, where = [], _when("search_speed.json", data)
    for goal in (data.get("goals") or {}).values():
        place = f" on {goal['database']}" if goal.get("database") else ""
        figures = "; ".join(f"{db} {value}" for db, value in (goal.get("figures") or {}).items() if value is not None)
        rows.append(
            Row(
                f"search speed: {goal['measure']} at {goal['size']:,} services{place} (`bench/search_speed.py`)",
                figures or "not measured",
                f"<= {goal['at_most']}",
                goal.get("met"),
                where,
            )
        )
    return rows


def throughput_rows(data: dict) -> list[Row]:
    label = "after" if "after" in data else "before"
    section = data[label]
    where = _when(f"http_throughput.json ({label})", section)
    rows = []
    goal = section.get("goal") or {}
    if goal:
        rows.append(
            Row(
                f"HTTP throughput: {goal['measure']} (`bench/http_throughput.py`)",
                f"{goal['figure']} requests/s at {goal['connections']} connections"
                + _distinct(goal)
                + f" (load average {(section.get('load_average') or {}).get('start')} at the start)"
                if goal.get("figure") is not None
                else "not measured",
                f">= {goal['at_least']} requests/s",
                goal.get("met"),
                where,
            )
        )
    for each in section.get("distinct_goals") or []:
        bound = f">= {each['at_least']} requests/s" if "at_least" in each else f"<= {each['at_most']}"
        figure = each.get("figure")
        rows.append(
            Row(
                f"HTTP throughput: {each['measure']} (`bench/http_throughput.py`)",
                "not measured"
                if figure is None
                else f"{figure} (server CPU ms/request {each.get('cpu_ms_per_request')}"
                + (f", load average {each['load_average']}" if each.get("load_average") else "")
                + ")",
                bound,
                each.get("met"),
                where,
            )
        )
    by_target: dict[tuple, list[dict]] = {}
    for run in section.get("runs", []):
        if run.get("requests"):
            by_target.setdefault((run["server"], run.get("database"), run["target"]), []).append(run)
    for (server, database, target), runs in by_target.items():
        figures = "; ".join(
            f"{r['connections']} conns: {r['requests_per_s']} req/s, p50 {r['latency_ms']['p50']} ms, "
            f"p99 {r['latency_ms']['p99']} ms, CPU {r.get('server_cpu_ms_per_request', '-')} ms/req"
            + (f", {r['non_2xx']} non-2xx" if r.get("non_2xx") else "")
            for r in runs
        )
        what = "bare Starlette hello" if server == "hello" else f"{target}, {database}"
        rows.append(Row(f"HTTP throughput, {what}, 2 workers, wrk over loopback", figures, source=where))
    return rows


def _distinct(goal: dict) -> str:
    distinct = goal.get("distinct_questions") or {}
    if distinct.get("figure") is None:
        return ""
    return f"; a new question each request: {distinct['figure']} requests/s at {distinct['connections']} connections"


def orders_rows(data: dict) -> list[Row]:
    """The latest run that measured flows under load: a run that only counted one flow's statements
    (``--seconds 0``) says nothing of flows per second."""
    runs = data["runs"]
    label = data.get("latest") or ("after" if "after" in runs else next(iter(runs)))
    if not (runs[label].get("main") or {}).get("flows_per_s"):
        measured = [name for name, run in runs.items() if (run.get("main") or {}).get("flows_per_s")]
        label = max(measured, key=lambda name: str(runs[name].get("date", "")), default=label)
    run = runs[label]
    main, where = run["main"], _when(f"orders_flow.json ({label})", run)
    goal = main.get("goal_flows_per_s", 100)
    lost = (run.get("verification") or {}).get("lost_updates")
    return [
        Row(
            f"quote-to-contract flows with {main.get('clients', '?')} clients (`bench/orders_flow.py`)",
            f"{main['flows_per_s']} flows/s, {lost if lost is not None else '?'} lost updates, "
            f"{main.get('errors', 0)} errors",
            data.get("goal") or f">= {goal} flows/s, zero lost updates",
            main["flows_per_s"] >= goal and lost == 0,
            where,
        )
    ]


def ocds_rows(data: dict) -> list[Row]:
    goals, runs = data.get("goals") or {}, data["runs"]
    label = max(runs, key=lambda name: max(str(run.get("date", "")) for run in runs[name].values()))  # the latest
    releases = (data.get("options") or {}).get("releases")
    rows = []
    for database, run in runs[label].items():
        figures = run["export"]
        where = _when(f"ocds_export.json ({label})", run)
        per_s, rss = figures.get("releases_per_s"), figures.get("peak_rss_mb")
        want_rate, want_rss = goals.get("releases_per_s"), goals.get("peak_rss_mb")
        met = None
        if per_s is not None and rss is not None and want_rate and want_rss:
            met = per_s >= want_rate and rss < want_rss
        rows.append(
            Row(
                f"OCDS export of {releases:,} releases, {database} (`bench/ocds_export.py`)"
                if releases
                else f"OCDS export, {database} (`bench/ocds_export.py`)",
                f"{per_s} releases/s, peak RSS {rss} MB",
                f">= {want_rate} releases/s, < {want_rss} MB" if want_rate and want_rss else "",
                met,
                where,
            )
        )
    return rows


def fuzz_rows(data: dict) -> list[Row]:
    findings = data["findings"]
    return [
        Row(
            f"API fuzzing as every role, {data['operations']} operations (`bench/fuzz_api.sh`)",
            f"{data['calls']:,} calls, {len(findings)} findings",
            "no 5xx, no response outside its schema",
            not findings,
            "fuzz_api.json",
        )
    ]


READERS: dict[str, Callable[[dict], list[Row]]] = {
    "foundation.json": foundation_rows,
    "search_quality.json": quality_rows,
    "search_speed.json": speed_rows,
    "http_throughput.json": throughput_rows,
    "orders_flow.json": orders_rows,
    "ocds_export.json": ocds_rows,
    "fuzz_api.json": fuzz_rows,
}


def rows(results: dict[str, dict]) -> list[Row]:
    """Rows of every results file given (name -> its loaded JSON), in the order of `READERS`."""
    out: list[Row] = []
    for name, read in READERS.items():
        if name not in results:
            continue
        try:
            out += read(results[name])
        except (KeyError, TypeError, ValueError, IndexError, AttributeError, StopIteration) as error:
            out.append(Row(f"`{name}`", f"not summarised: {type(error).__name__} {error}", source=name))
    for name in sorted(set(results) - set(READERS)):
        out.append(Row(f"`{name}`", "figures present, no summary reader yet", source=name))
    return out


# --- the table -----------------------------------------------------------------------------------------------

VERDICT = {True: "met", False: "**missed**", None: ""}


def render(table: list[Row], header: str) -> str:
    lines = [
        START,
        "## Summary",
        "",
        header,
        "",
        "| measure | figure | goal | met | figures from |",
        "|---|---|---|---|---|",
    ]
    for row in table:
        cells = (row.measure, row.figure, row.goal, VERDICT[row.met], row.source)
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    lines.append(END)
    return "\n".join(lines)


def load(directory: Path = RESULTS) -> dict[str, dict]:
    results = {}
    for path in sorted(directory.glob("*.json")):
        try:
            results[path.name] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            results[path.name] = {"unreadable": str(error)}
    return results


def header() -> str:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=BENCH, capture_output=True, text=True, check=False
    ).stdout.strip()
    try:
        load_now = ", load average " + " / ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        load_now = ""
    return (
        f"Table built {datetime.now(UTC).isoformat(timespec='seconds')} at commit `{commit}` on "
        f"{platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}{load_now}. "
        "Each row says which results file, date and commit its figures come from; figures taken on a busy "
        "machine say their load average in the results file."
    )


def update_readme(readme: Path = README, directory: Path = RESULTS) -> str:
    """Write the table into the README between its markers (before the first bench section if absent)."""
    section = render(rows(load(directory)), header())
    text = readme.read_text(encoding="utf-8") if readme.exists() else "# Benchmarks\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + section + rest.split(END, 1)[1]
    elif "<!-- " in text:
        head, rest = text.split("<!-- ", 1)
        text = head.rstrip("\n") + "\n\n" + section + "\n\n<!-- " + rest
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    readme.write_text(text, encoding="utf-8")
    return section


if __name__ == "__main__":
    print(update_readme())
