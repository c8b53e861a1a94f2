"""Fonts of the contract document, read once per process instead of once per document.

``FPDF.add_font`` parses the font file every time (its character map, widths and glyph ids: about a tenth
of a second for Pretendard GOV), and at output fpdf2 subsets the font in place, so a parsed font serves
one document only. `add_font` here keeps, per process and font file:

- the parsed font as fpdf2 holds it (``TTFFont``): its widths, character map and glyph ids, never
  changed by a document; each document gets a copy with its own subset, descriptor and list of missing
  characters;
- the font file as plain SFNT bytes (WOFF unpacked), without the OpenType layout tables (GDEF, GPOS, GSUB)
  and the signature (DSIG) that fpdf2's subsetter drops anyway, so each document's subset starts from a
  fresh font read from memory and skips unpacking and parsing tables it would throw away.

The document is the same, byte for byte, as with ``FPDF.add_font`` (tests/contracting/test_document.py).
A font file that changes on disk (a new KRDS package) is read again.
"""

from __future__ import annotations

import copy
import io
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

#: Tables fpdf2 drops from every subset it embeds (or that fontTools' subsetter drops by default): left out
#: of the kept font so that no document parses them. The subsetter keeps a ``kern`` table only when there is
#: no GPOS; the fonts used here have no ``kern``, and `_prepared` refuses to drop GPOS from one that has.
DROPPED_TABLES = ("GDEF", "GPOS", "GSUB", "DSIG")


@dataclass(frozen=True)
class _Prepared:
    template: TTFFont
    sfnt: bytes


_lock = threading.Lock()


def _signature(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return str(path), stat.st_mtime_ns, stat.st_size


@lru_cache(maxsize=8)
def _prepared(signature: tuple[str, int, int]) -> _Prepared:
    path = Path(signature[0])
    scratch = FPDF()
    scratch.add_font("template", "", path)
    template = scratch.fonts["template"]
    font = TTFont(path, recalcTimestamp=False, lazy=True)
    try:
        font.flavor = None
        if "kern" not in font:
            for tag in DROPPED_TABLES:
                if tag in font:
                    del font[tag]
        data = io.BytesIO()
        font.save(data)
    finally:
        font.close()
    return _Prepared(template, data.getvalue())


def prepared(path: Path) -> _Prepared:
    with _lock:  # two threads starting at once parse the file once
        return _prepared(_signature(Path(path)))


def add_font(pdf: FPDF, family: str, style: str, path: Path) -> None:
    """``pdf.add_font(family, style, path)``, from what this process has already read of the file."""
    kept = prepared(path)
    style = "".join(sorted(style.upper()))
    fontkey = f"{family.lower()}{style}"
    font = copy.copy(kept.template)
    font.i = len(pdf.fonts) + 1
    font.fontkey = fontkey
    font.emphasis = type(kept.template.emphasis).coerce(style)
    font.ttfont = TTFont(io.BytesIO(kept.sfnt), recalcTimestamp=False, lazy=True)
    font.desc = copy.copy(kept.template.desc)  # the output names it and numbers it as a PDF object
    font.cw = copy.copy(kept.template.cw)  # a defaultdict: reading a missing character adds it
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = None
    font.subset = SubsetMap(font)
    pdf.fonts[fontkey] = font
