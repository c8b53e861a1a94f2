"""What another process of the platform changes (a second worker, a tool) is searched at once: its commit
raises the database's change signal (`core.change_signal`), and this process's search facts, which answer
without asking the database while the signal is quiet, look at the log again."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from digitalmarket.core import change_signal
from tests.catalog.test_import import GOOD, _write

SRC = Path(__file__).resolve().parents[2] / "src"


def _refs(client, q: str) -> list[str]:
    response = client.get("/api/v1/services", params={"q": q})
    assert response.status_code == 200
    return [item["ref"] for item in response.json()["items"]]


def test_a_service_another_process_imports_is_found_at_once(demo, client, tmp_path, monkeypatch):
    monkeypatch.setattr(change_signal, "LOOK_EVERY", 3600.0)  # only the signal can tell this process
    assert _refs(client, "가상소프트") == []
    assert _refs(client, "가상소프트") == []  # the facts are in memory and the signal quiet: no look

    env = {
        **os.environ,
        "DM_DATABASE_URL": demo.url,
        "DM_DATA_DIR": str(tmp_path / "tool"),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")])),
    }
    path = _write(tmp_path, "a.jsonl", [GOOD])
    command = [sys.executable, "-m", "digitalmarket.cli", "import-catalog", str(path)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr

    assert _refs(client, "가상소프트") == ["t-001"]
    assert "시험 그룹웨어" in client.get("/services", params={"q": "가상소프트"}).text


def test_a_change_no_signal_reaches_is_found_within_the_bound(demo, client, tmp_path, monkeypatch):
    """A commit the signal does not carry (another machine on the same PostgreSQL database, a change made
    outside the platform) is found once `LOOK_EVERY` has passed since the last look."""
    assert _refs(client, "가상소프트") == []
    monkeypatch.setattr(change_signal.Signal, "raise_", lambda self: None)  # as if on another machine
    from digitalmarket.catalog.importer import import_files

    import_files(demo.transaction, [_write(tmp_path, "a.jsonl", [GOOD])])
    monkeypatch.setattr(change_signal, "LOOK_EVERY", 3600.0)
    assert _refs(client, "가상소프트") == []  # not told, and looked a moment ago
    monkeypatch.setattr(change_signal, "LOOK_EVERY", 0.0)
    assert _refs(client, "가상소프트") == ["t-001"]
