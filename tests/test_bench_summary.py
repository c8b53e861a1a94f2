"""The summary table of bench/README.md: a row for every known results file, built from whatever it holds."""

import sys

from digitalmarket.core.settings import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "bench"))

import summary  # noqa: E402

RUN = {"requests": 900, "requests_per_s": 60.0, "latency_ms": {"p50": 250.0, "p99": 700.0}, "non_2xx": 0}
RESULTS = {
    "foundation.json": {
        "date": "2026-11-26T07:16:17",
        "commit": "697c388",
        "cold_start_s": {"median": 2.4, "goal": 3.0},
    },
    "search_quality.json": {
        "sets": {
            "dev": {
                "ndcg@10": 0.93,
                "mrr": 1.0,
                "recall@10": 0.86,
                "goal_ndcg@10": 0.92,
                "data": {"n_queries": 20, "n_services": 100},
            },
            "held_out": {
                "ndcg@10": 0.82,
                "mrr": 0.89,
                "recall@10": 0.78,
                "goal_ndcg@10": 0.9,
                "data": {"n_queries": 63, "n_services": 182},
            },
        }
    },
    "search_speed.json": {
        "goals": {
            "p95": {
                "size": 10000,
                "database": "sqlite",
                "measure": "in-process p95 ms",
                "at_most": 15.0,
                "figures": {"sqlite": 42.9},
                "met": False,
            }
        }  # fmt: skip
    },
    "http_throughput.json": {
        "before": {
            "goal": {
                "measure": "search API requests/s",
                "at_least": 300,
                "figure": 20.0,
                "connections": 16,
                "met": False,
            },
            "runs": [],
        },  # fmt: skip
        "after": {
            "commit": "abc1234",
            "goal": {
                "measure": "search API requests/s",
                "at_least": 300,
                "figure": 310.0,
                "connections": 64,
                "met": True,
            },
            "runs": [
                {"server": "digitalmarket", "database": "sqlite", "target": "search_api", "connections": 16, **RUN}
            ],
        },
    },
    "orders_flow.json": {
        "latest": "after",
        "runs": {
            "after": {"main": {"flows_per_s": 120.0, "goal_flows_per_s": 100}, "verification": {"lost_updates": 0}}
        },
    },
    "ocds_export.json": {
        "goals": {"releases_per_s": 20000, "peak_rss_mb": 300},
        "runs": {"before": {"sqlite": {"export": {"releases_per_s": 2400, "peak_rss_mb": 100}}}},
    },
    "fuzz_api.json": {"operations": 128, "calls": 7924, "findings": []},
}


def _rows_of(name, rows):
    return [row for row in rows if name in row.source]


def test_every_known_results_file_gives_its_rows_with_goal_and_verdict():
    rows = summary.rows(RESULTS)
    for name in RESULTS:
        assert _rows_of(name, rows), name
    verdicts = {name: [row.met for row in _rows_of(name, rows) if row.goal] for name in RESULTS}
    assert verdicts == {
        "foundation.json": [True],
        "search_quality.json": [True, False],
        "search_speed.json": [False],
        "http_throughput.json": [True],  # the latest section, "after"
        "orders_flow.json": [True],
        "ocds_export.json": [False],
        "fuzz_api.json": [True],
    }
    table = summary.render(rows, "header")
    assert table.count("\n| ") == len(rows) + 1 and "310.0 requests/s at 64 connections" in table
    assert "60.0 req/s" in table  # a throughput run without a goal of its own


def test_missing_files_leave_their_rows_out_and_unreadable_ones_are_named():
    rows = summary.rows({"orders_flow.json": {"runs": {}}, "new_bench.json": {"x": 1}})
    assert [row.source for row in rows] == ["orders_flow.json", "new_bench.json"]
    assert "not summarised" in rows[0].figure and "no summary reader" in rows[1].figure


def test_a_run_that_only_counted_statements_does_not_hide_the_flows_measured_before():
    """`bench/orders_flow.py --seconds 0 --costs 10` counts one flow's statements and measures no flows per
    second: the table keeps the latest run that did, not "0.0 flows/s with 1 clients"."""
    flows = {"main": {"flows_per_s": 3.95, "clients": 16}, "verification": {"lost_updates": 0}, "date": "2026-12-06"}
    counted = {"main": {"flows_per_s": 0.0, "clients": 1}, "verification": {"lost_updates": 0}, "date": "2026-12-07"}
    (row,) = summary.orders_rows({"latest": "counted", "runs": {"measured": flows, "counted": counted}})
    assert row.figure.startswith("3.95 flows/s") and "16 clients" in row.measure and "(measured)" in row.source
