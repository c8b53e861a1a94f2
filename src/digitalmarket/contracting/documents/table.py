"""The tables of the contract document: ruled cells, grey headings and labels, text wrapped and centred
vertically, a row never split across pages and the heading rows repeated at the top of a new page.

What the document needs of fpdf2's ``FPDF.table``, drawn directly: fpdf2 lays out every cell twice (once
to measure the row, once to draw it) through ``multi_cell``, which was half the time of a document. Here a
cell's text is broken into lines once (a text that fits on one line is not broken at all, and the lines of
a text already broken at that width and font are remembered by the process), then each line is one
``cell``. Used as fpdf2's table is::

    with Table(pdf, widths, line_height=5.6, padding=(1.4, 2.0), headings_style=HEADING) as table:
        row = table.row()
        row.cell("text", style=LABEL, align="CENTER", border="NONE")
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fpdf import FPDF, FontFace
from fpdf.enums import Align, MethodReturnValue

#: Lines of texts already broken, per font, size, width and text (bounded: cleared when full).
_BROKEN: dict[tuple, list[str]] = {}
_BROKEN_MAX = 20_000


@dataclass
class _Cell:
    text: str
    style: FontFace | None
    align: str | None
    border: bool


@dataclass
class Row:
    cells: list[_Cell] = field(default_factory=list)

    def cell(self, text: str = "", *, style: FontFace | None = None, align: str | None = None, border=None) -> None:
        self.cells.append(_Cell(text, style, align, border != "NONE"))


class Table:
    def __init__(
        self,
        pdf: FPDF,
        widths: tuple[float, ...],
        *,
        line_height: float,
        padding: tuple[float, float],
        headings_style: FontFace,
        text_align: str = "LEFT",
        first_row_as_headings: bool = True,
    ) -> None:
        self.pdf = pdf
        self.widths = widths
        self.line_height = line_height
        self.pad_y, self.pad_x = padding
        self.headings_style = headings_style
        self.text_align = text_align
        self.headings = 1 if first_row_as_headings else 0
        self.rows: list[Row] = []

    def row(self) -> Row:
        row = Row()
        self.rows.append(row)
        return row

    def __enter__(self) -> Table:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.render()

    def render(self) -> None:
        pdf = self.pdf
        family, style, size = pdf.font_family, pdf.font_style, pdf.font_size_pt
        color, margin = pdf.text_color, pdf.c_margin
        pdf.c_margin = 0
        try:
            laid = [self._lay_out(index, row) for index, row in enumerate(self.rows)]
            for index, row in enumerate(laid):
                if pdf.y + row[2] > pdf.page_break_trigger:
                    pdf.add_page()
                    if index >= self.headings:
                        for heading in laid[: self.headings]:
                            self._draw(*heading)
                self._draw(*row)
        finally:
            pdf.c_margin = margin
            pdf.set_font(family, style, size)
            pdf.text_color = color
        pdf.x = pdf.l_margin

    def _face(self, index: int, cell: _Cell) -> FontFace | None:
        return cell.style or (self.headings_style if index < self.headings else None)

    def _use(self, face: FontFace | None, base: tuple[str, str, float]) -> None:
        family, style, size = base
        if face is not None:
            family = face.family or family
            style = face.emphasis.style if face.emphasis is not None else ""
            size = face.size_pt or size
        self.pdf.set_font(family, style, size)

    def _lay_out(self, index: int, row: Row) -> tuple[int, Row, float, list[list[str]]]:
        pdf = self.pdf
        base = (pdf.font_family, pdf.font_style, pdf.font_size_pt)
        lines = []
        for width, cell in zip(self.widths, row.cells, strict=False):
            self._use(self._face(index, cell), base)
            lines.append(self._lines(cell.text, width - 2 * self.pad_x))
        self._use(None, base)
        most = max((len(cell_lines) for cell_lines in lines), default=0)
        return index, row, max(most, 1) * self.line_height + 2 * self.pad_y, lines

    def _lines(self, text: str, width: float) -> list[str]:
        if not text:
            return []
        pdf = self.pdf
        font = pdf.current_font
        outlines = getattr(font, "outlines", None)
        if not _in_kept_font(font, text):
            return pdf.multi_cell(width, self.line_height, text, dry_run=True, output=MethodReturnValue.LINES)
        if "\n" not in text and pdf.get_string_width(text) <= width:
            return [text]
        key = (outlines, pdf.font_size_pt, width, text)
        lines = _BROKEN.get(key)
        if lines is None:
            lines = pdf.multi_cell(width, self.line_height, text, dry_run=True, output=MethodReturnValue.LINES)
            if len(_BROKEN) >= _BROKEN_MAX:
                _BROKEN.clear()
            _BROKEN[key] = lines
        return lines

    def _draw(self, index: int, row: Row, height: float, lines: list[list[str]]) -> None:
        pdf = self.pdf
        base = (pdf.font_family, pdf.font_style, pdf.font_size_pt)
        x, y = pdf.l_margin, pdf.y
        for width, cell, cell_lines in zip(self.widths, row.cells, lines, strict=False):
            face = self._face(index, cell)
            fill = face.fill_color if face is not None else None
            if fill is not None:
                pdf.set_fill_color(fill)
            if fill is not None or cell.border:
                pdf.rect(x, y, width, height, style=("F" if fill is not None else "") + ("D" if cell.border else ""))
            self._use(face, base)
            align = cell.align or self.text_align
            top = y + (height - len(cell_lines) * self.line_height) / 2
            for number, line in enumerate(cell_lines):
                self._print(x + self.pad_x, top + number * self.line_height, width - 2 * self.pad_x, line, align)
            x += width
        self._use(None, base)
        pdf.set_xy(pdf.l_margin, y + height)

    def _print(self, x: float, y: float, width: float, line: str, align) -> None:
        """One line of a cell, where ``cell(width, line_height, line, align=align)`` at (x, y) would print it.
        A line all in a font kept by font_cache is written as one text object at the cell's baseline
        (``text``), which is what ``cell`` writes for it, without laying the line out again as styled
        fragments (a third of a settlement paper's layout); any other (a character of the fallback font, an
        alignment other than left, centre or right) goes through ``cell``."""
        pdf = self.pdf
        font = pdf.current_font
        align = Align.coerce(align)
        if not line or align not in _PLAIN_ALIGN or not _in_kept_font(font, line):
            pdf.set_xy(x, y)
            pdf.cell(width, self.line_height, line, align=align)
            return
        offset = 0.0
        if align is not Align.L:
            room = width - pdf.get_string_width(line)
            offset = room if align is Align.R else room / 2
        pdf.text(x + offset, y + 0.5 * self.line_height + 0.3 * pdf.font_size, line)


_PLAIN_ALIGN = (Align.L, Align.C, Align.R)


def _in_kept_font(font, text: str) -> bool:
    """Whether ``font`` is one kept by font_cache and holds every character of ``text`` (no fallback font)."""
    return getattr(font, "outlines", None) is not None and all(ord(char) in font.cmap for char in text)
