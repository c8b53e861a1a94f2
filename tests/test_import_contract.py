"""The house plan of docs/architecture.md is checked by `lint-imports` (the contracts in pyproject.toml):
it holds on the real tree, and a back arrow added to a copy of the package breaks it by name."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(project: Path) -> subprocess.CompletedProcess:
    """`lint-imports` on the package under project/src, with project/pyproject.toml's contracts."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=project,
        env={"PYTHONPATH": str(project / "src"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _only_python(folder: str, names: list[str]) -> set[str]:
    return {n for n in names if n == "__pycache__" or (Path(folder, n).is_file() and not n.endswith(".py"))}


def test_the_real_tree_keeps_every_contract():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " kept, 0 broken." in result.stdout


def test_a_back_arrow_a_sibling_import_and_an_unplaced_package_each_break_the_plan(tmp_path):
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    package = tmp_path / "src" / "digitalmarket"
    shutil.copytree(ROOT / "src" / "digitalmarket", package, ignore=_only_python)
    # core reaching up into the web layer, selection into its sibling contracting, a package nobody placed
    (package / "core" / "back_arrow.py").write_text("from digitalmarket.web import app  # noqa: F401\n")
    (package / "selection" / "sideways.py").write_text("from digitalmarket.contracting import money  # noqa\n")
    (package / "annex").mkdir()
    (package / "annex" / "__init__.py").write_text("")

    result = _lint_imports(tmp_path)

    assert result.returncode != 0
    report = result.stdout + result.stderr
    assert "digitalmarket.core is not allowed to import digitalmarket.web" in report
    assert "digitalmarket.core.back_arrow -> digitalmarket.web" in report
    assert "digitalmarket.selection is not allowed to import digitalmarket.contracting" in report
    assert "digitalmarket.selection.sideways -> digitalmarket.contracting" in report
    assert "not listed as layers:\n\n- digitalmarket.annex\n" in report
