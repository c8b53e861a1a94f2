"""PDF output of the contract document and the decision record: fpdf2's, with the fonts embedded from what
the process keeps (`font_cache`) instead of subset again by fontTools for every document.

``pdf.output(output_producer_class=KeptFontsOutput)`` writes the same objects as fpdf2 for a TrueType font
(a Type0 font with Identity-H, its CIDFontType2 with widths, CIDSystemInfo, descriptor, CIDToGIDMap and
ToUnicode map), but the font program is `subset.font_program` of the glyphs the document shows, which
keeps the font's own glyph ids. A font added otherwise than by ``font_cache.add_font`` is left to fpdf2.
"""

from __future__ import annotations

import logging

from fpdf.output import (
    CIDSystemInfo,
    OutputProducer,
    PDFContentStream,
    PDFFont,
    _build_cmap_blocks,
    _tt_font_widths,
)
from fpdf.syntax import Name, PDFArray

from .font_cache import KeptFont
from .subset import deflated_font_program

log = logging.getLogger("digitalmarket.contracting")

_TO_UNICODE_HEAD = (
    "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo\n<</Registry (Adobe)\n"
    "/Ordering (UCS)\n/Supplement 0\n>> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
    "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
)
_TO_UNICODE_TAIL = "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"


class KeptFontsOutput(OutputProducer):
    def _add_fonts(self, image_objects_per_index, gfxstate_objs_per_name, pattern_objs_per_name):
        fonts = self.fpdf.fonts
        kept = {key: font for key, font in fonts.items() if isinstance(font, KeptFont)}
        others = {key: font for key, font in fonts.items() if key not in kept}
        objects = {}
        if others:
            self.fpdf.fonts = others
            try:
                objects = super()._add_fonts(image_objects_per_index, gfxstate_objs_per_name, pattern_objs_per_name)
            finally:
                self.fpdf.fonts = fonts
        for font in sorted(kept.values(), key=lambda font: font.i):
            objects[font.i] = self._add_kept_font(font)
        return objects

    def _add_kept_font(self, font: KeptFont) -> PDFFont:
        fontname = f"MPDFAA+{font.name}"
        if font.missing_glyphs:
            log.warning("font %s lacks %s", fontname, "".join(chr(code) for code in font.missing_glyphs))
        code_to_glyph = {code: glyph.glyph_id for glyph, code in font.subset.items() if glyph is not None}

        type0 = PDFFont(subtype="Type0", base_font=fontname, encoding="Identity-H")
        self._add_pdf_obj(type0, "fonts")
        cid_font = PDFFont(
            subtype="CIDFontType2", base_font=fontname, d_w=font.desc.missing_width, w=_tt_font_widths(font)
        )
        self._add_pdf_obj(cid_font, "fonts")
        type0.descendant_fonts = PDFArray([cid_font])

        mappings = []
        for glyph, code in sorted(font.subset.items(), key=lambda item: item[1]):
            if glyph is None or not isinstance(glyph.unicode, tuple) or not glyph.unicode:
                continue
            mappings.append(f"<{code:04X}> <{''.join(_utf16(unicode) for unicode in glyph.unicode)}>\n")
        to_unicode = PDFContentStream(
            (_TO_UNICODE_HEAD + _build_cmap_blocks(mappings, "bfchar") + _TO_UNICODE_TAIL).encode("latin-1")
        )
        self._add_pdf_obj(to_unicode, "fonts")
        type0.to_unicode = to_unicode

        system_info = CIDSystemInfo()
        self._add_pdf_obj(system_info, "fonts")
        cid_font.c_i_d_system_info = system_info

        descriptor = font.desc
        descriptor.font_name = Name(fontname)
        self._add_pdf_obj(descriptor, "fonts")
        cid_font.font_descriptor = descriptor

        cid_to_gid = bytearray(2 * 0x10000)
        for code, gid in code_to_glyph.items():
            cid_to_gid[2 * code : 2 * code + 2] = gid.to_bytes(2, "big")
        cid_to_gid_map = PDFContentStream(contents=bytes(cid_to_gid), compress=True)
        self._add_pdf_obj(cid_to_gid_map, "fonts")
        cid_font.c_i_d_to_g_i_d_map = cid_to_gid_map

        program = _DeflatedFontStream(*deflated_font_program(font.outlines, code_to_glyph.values()))
        self._add_pdf_obj(program, "fonts")
        descriptor.font_file2 = program
        font.subset.pick.cache_clear()  # as fpdf2 does: the cache is the class's, and holds the document
        font.subset.get_glyph.cache_clear()
        return type0


class _DeflatedFontStream(PDFContentStream):
    """A FontFile2 stream already compressed (what ``PDFFontStream`` holds once it has compressed)."""

    def __init__(self, deflated: bytes, length1: int) -> None:
        super().__init__(contents=deflated)
        self.filter = Name("FlateDecode")
        self.length1 = length1


def _utf16(unicode: int) -> str:
    if unicode > 0xFFFF:
        return f"{0xD800 | (unicode - 0x10000) >> 10:04X}{0xDC00 | (unicode & 0x3FF):04X}"
    return f"{unicode:04X}"
