"""`make setup` installs from requirements.lock: every dependency of pyproject.toml is there, at one version
with its hashes, so that a fresh clone runs exactly what CI tested."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_every_dependency_is_locked_at_one_version_with_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pinned = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+) \\$", lock, flags=re.MULTILINE))
    assert wanted - {name.lower() for name in pinned} == set()
    entries = re.split(r"\n(?=[A-Za-z0-9_.-]+==)", lock)[1:]
    assert len(entries) == len(pinned) and all("--hash=sha256:" in entry for entry in entries)
