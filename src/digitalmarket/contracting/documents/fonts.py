"""The typefaces of the contract document and the decision record, found on this installation.

Pretendard GOV, shipped by the ``krds-uiux`` npm package in ``node_modules`` (found as the app finds KRDS:
``DM_FRONTEND_DIR``, else the project's ``node_modules``); when a document needs a character it lacks (a
rare syllable in a name, say), NanumGothic from fonts-nanum is used for those characters if it is
installed, else they stay missing (and are logged). `embed_fonts` adds them to a PDF through the
per-process cache (`font_cache`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF

from ...core.settings import PROJECT_ROOT
from . import font_cache

log = logging.getLogger("digitalmarket.contracting")

PRETENDARD = "pretendard"
NANUM = "nanum"
KRDS_FONT_DIR = Path("krds-uiux") / "resources" / "fonts"
PRETENDARD_FILES = {"": "PretendardGOV-Regular.subset.woff", "B": "PretendardGOV-Bold.subset.woff"}
NANUM_DIR = Path("/usr/share/fonts/truetype/nanum")
NANUM_FILES = {"": "NanumGothic.ttf", "B": "NanumGothicBold.ttf"}


def frontend_dir() -> Path:
    """Where the npm packages are: ``DM_FRONTEND_DIR``, else the project's ``node_modules`` (as
    ``core.settings`` reads it)."""
    return Path(os.environ.get("DM_FRONTEND_DIR", PROJECT_ROOT / "node_modules"))


def pretendard_files(base: Path | None = None) -> dict[str, Path]:
    """The regular and bold Pretendard GOV files, or ``ContractFontMissing`` saying how to install them."""
    folder = (base or frontend_dir()) / KRDS_FONT_DIR
    found = {style: folder / name for style, name in PRETENDARD_FILES.items()}
    missing = [str(path) for path in found.values() if not path.is_file()]
    if missing:
        raise ContractFontMissing(
            "The contract document needs the Pretendard GOV font of the KRDS package, not found at "
            f"{', '.join(missing)}. Install the front-end packages (`make setup`, which runs `npm ci`) "
            "or point DM_FRONTEND_DIR to a folder holding node_modules/krds-uiux."
        )
    return found


def nanum_files() -> dict[str, Path] | None:
    """NanumGothic (fonts-nanum) when installed: the fallback for characters Pretendard GOV lacks."""
    found = {style: NANUM_DIR / name for style, name in NANUM_FILES.items()}
    return found if all(path.is_file() for path in found.values()) else None


@lru_cache(maxsize=4)
def font_coverage(*paths: Path) -> frozenset[int]:
    """The code points every one of the font files maps to a glyph."""
    covered: frozenset[int] | None = None
    for path in paths:
        font = TTFont(path, lazy=True)
        try:
            cmap = frozenset(font.getBestCmap())
        finally:
            font.close()
        covered = cmap if covered is None else covered & cmap
    return covered or frozenset()


def uncovered(text: Iterable[str], coverage: frozenset[int]) -> set[str]:
    """The characters of ``text`` (whitespace aside) that the font lacks."""
    return {char for char in set("".join(text)) if not char.isspace() and ord(char) not in coverage}


# --- formatting -------------------------------------------------------------------------------------------------
class ContractFontMissing(RuntimeError):
    """The Pretendard GOV font of the KRDS package is not installed."""


def embed_fonts(pdf: FPDF, texts: Iterable[str], what: str) -> None:
    """Pretendard GOV (KRDS's typeface) in every style the documents use, and NanumGothic as the fallback
    for characters of ``texts`` it lacks when fonts-nanum is installed (said in the log either way)."""
    pretendard = pretendard_files()
    missing = uncovered(texts, font_coverage(*pretendard.values()))
    for style, path in pretendard.items():
        font_cache.add_font(pdf, PRETENDARD, style, path)
    if not missing:
        return
    nanum = nanum_files()
    if nanum:
        for style, path in nanum.items():
            font_cache.add_font(pdf, NANUM, style, path)
        pdf.set_fallback_fonts([NANUM], exact_match=False)
        log.info("%s: NanumGothic for %s", what, "".join(sorted(missing)))
    else:
        log.warning(
            "%s: Pretendard GOV lacks %s and fonts-nanum is not installed; they will not show",
            what,
            "".join(sorted(missing)),
        )
