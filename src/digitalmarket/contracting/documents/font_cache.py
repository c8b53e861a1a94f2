"""Fonts of the contract document and the decision record, read once per process instead of once per
document.

``FPDF.add_font`` parses the font file every time (its character map, widths and glyph ids: about a tenth
of a second for Pretendard GOV), and at output fpdf2 subsets the font in place, so a parsed font serves
one document only. `add_font` here keeps, per process and font file:

- the parsed font as fpdf2 holds it (``TTFFont``): its widths, character map and glyph ids, never
  changed by a document; each document gets a copy (`KeptFont`) with its own subset map (`KeptSubset`),
  descriptor, list of missing characters and widths of the texts it measured;
- the font's outlines (`subset.Outlines`), from which `output.KeptFontsOutput` embeds the glyphs
  a document shows without fontTools' subsetter;
- the font file as plain SFNT bytes (WOFF unpacked), without the OpenType layout tables (GDEF, GPOS, GSUB)
  and the signature (DSIG), for a PDF written by fpdf2's own output (``pdf.output()``), which subsets a
  fresh font read from memory.

A document's bytes do not depend on what the process made before it (tests/contracting/test_document.py
makes one in a fresh process). A font file that changes on disk (a new KRDS package) is read again.
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

from .subset import Outlines, outlines_of

#: Tables fpdf2 drops from every subset it embeds (or that fontTools' subsetter drops by default): left out
#: of the kept font so that no document parses them. The subsetter keeps a ``kern`` table only when there is
#: no GPOS; the fonts used here have no ``kern``, and `_prepared` refuses to drop GPOS from one that has.
DROPPED_TABLES = ("GDEF", "GPOS", "GSUB", "DSIG")


class KeptFont(TTFFont):
    """A document's copy of a kept font: `output.KeptFontsOutput` embeds it from ``outlines``, and the
    width of a text is summed once per document and text, the widths of the texts a line grows through
    from the one before it (fpdf2's line breaking asks for every prefix of a line in turn)."""

    __slots__ = ("outlines", "text_widths")

    def get_text_width(self, text: str, font_size_pt: float, text_shaping_params) -> tuple[int, float]:
        if text_shaping_params or self.is_symbol:
            return super().get_text_width(text, font_size_pt, text_shaping_params)
        if font_size_pt > self.biggest_size_pt:
            self.biggest_size_pt = font_size_pt
        widths = self.text_widths
        total = widths.get(text)
        if total is None:
            before = widths.get(text[:-1]) if len(text) > 1 else None
            # from the text before it: the same sum, added in the same order
            total = sum(self.cw[ord(char)] for char in text) if before is None else before + self.cw[ord(text[-1])]
            widths[text] = total
        return len(text), total * font_size_pt * 0.001


class KeptSubset(SubsetMap):
    """The codes a document's text is written with: a character's own code point (U+AC00 is code 0xAC00),
    so that a code never depends on the order in which layout first met its character (the lines of fixed
    texts are broken once per process, so the first document measures texts that later ones do not). A glyph
    without a single character of the Basic Multilingual Plane takes the highest free code."""

    def __init__(self, font: TTFFont) -> None:
        super().__init__(font)
        self._taken = set(self._char_id_per_glyph.values())

    def pick_glyph(self, glyph):
        if glyph is None:
            return None
        code = self._char_id_per_glyph.get(glyph)
        if code is None:
            unicode = glyph.unicode
            if isinstance(unicode, tuple) and len(unicode) == 1 and unicode[0] <= 0xFFFF:
                code = unicode[0]
            if code is None or code in self._taken:
                code = max(set(range(0xF000, 0x10000)) - self._taken)
            self._taken.add(code)
            self._char_id_per_glyph[glyph] = code
        return code


@dataclass(frozen=True)
class _Prepared:
    template: TTFFont
    sfnt: bytes
    outlines: Outlines


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
    sfnt = data.getvalue()
    plain = TTFont(io.BytesIO(sfnt), recalcTimestamp=False, lazy=True)
    try:
        outlines = outlines_of(plain)
    finally:
        plain.close()
    return _Prepared(template, sfnt, outlines)


def prepared(path: Path) -> _Prepared:
    with _lock:  # two threads starting at once parse the file once
        return _prepared(_signature(Path(path)))


def add_font(pdf: FPDF, family: str, style: str, path: Path) -> None:
    """``pdf.add_font(family, style, path)``, from what this process has already read of the file."""
    kept = prepared(path)
    style = "".join(sorted(style.upper()))
    fontkey = f"{family.lower()}{style}"
    font = KeptFont.__new__(KeptFont)
    for slot in TTFFont.__slots__:
        if hasattr(kept.template, slot):
            setattr(font, slot, getattr(kept.template, slot))
    font.outlines = kept.outlines
    font.text_widths = {}
    font.i = len(pdf.fonts) + 1
    font.fontkey = fontkey
    font.emphasis = type(kept.template.emphasis).coerce(style)
    font.ttfont = TTFont(io.BytesIO(kept.sfnt), recalcTimestamp=False, lazy=True)
    font.desc = copy.copy(kept.template.desc)  # the output names it and numbers it as a PDF object
    font.cw = copy.copy(kept.template.cw)  # a defaultdict: reading a missing character adds it
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = None
    font.subset = KeptSubset(font)
    pdf.fonts[fontkey] = font
