"""The page of the contract document (계약서) and what every section writes with.

The furniture: A4 with its margins, type sizes, colours and the faces of headings and labels, and the
footer every page carries (the contract number and "page / pages"). The primitives: room left on a page,
keeping a block on one page, wrapped paragraphs (the lines of a fixed one broken once per process), the
numbered section headings, and tables whose rows continue below when a cell is too long for one page.
`layout` writes the sections with them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, time

from fpdf import FPDF, FontFace
from fpdf.enums import Align, MethodReturnValue, XPos, YPos

from ...core.clock import KST
from .fonts import PRETENDARD, embed_fonts
from .output import KeptFontsOutput
from .table import Table
from .terms import ContractDocument, clean

MARGIN = 18.0
BODY_PT = 9.5
SMALL_PT = 8.0
LINE_H = 5.6
CELL_PAD_Y, CELL_PAD_X = 1.4, 2.0
MAX_ROW_LINES = 40  # a table row never taller than this, so that it always fits a page
GREY = (242, 244, 247)
TEXT = (30, 32, 37)
MUTED = (100, 104, 112)
RULE = (150, 155, 163)
HEADING = FontFace(family=PRETENDARD, emphasis="BOLD", fill_color=GREY, size_pt=BODY_PT)
LABEL = FontFace(family=PRETENDARD, emphasis="BOLD", fill_color=GREY, size_pt=BODY_PT)
STRONG = FontFace(family=PRETENDARD, emphasis="BOLD", size_pt=BODY_PT)


class ContractPDF(FPDF):
    """A4 pages whose footer carries the contract number and "page / pages"."""

    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer_text

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(PRETENDARD, "", SMALL_PT)
        self.set_text_color(*MUTED)
        self.cell(0, 5, self.footer_text, align=Align.L)
        self.set_x(self.l_margin)
        self.cell(0, 5, f"{self.page_no()} / {{nb}}", align=Align.R)
        self.set_text_color(*TEXT)


def start_pdf(footer: str, dated: date, title: str, subject: str, texts: Iterable[str], what: str) -> ContractPDF:
    """A document's first page, ready to write on: A4 with the margins, dated ``dated`` (so that the same
    document gives the same bytes), its title and subject, and the fonts holding ``texts`` embedded."""
    pdf = ContractPDF(footer)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.set_creation_date(datetime.combine(dated, time(), tzinfo=KST))
    pdf.set_lang("ko")
    pdf.set_title(title)
    pdf.set_subject(subject)
    pdf.set_author("디지털서비스 마켓")
    pdf.set_creator("디지털서비스 마켓")
    embed_fonts(pdf, texts, what)
    pdf.set_text_color(*TEXT)
    pdf.add_page()
    return pdf


def finish_pdf(pdf: ContractPDF) -> bytes:
    """The document's bytes, its fonts written as kept (fontTools, which names every table of NanumGothic
    it drops when subsetting, is kept quiet meanwhile)."""
    logger = logging.getLogger("fontTools.subset")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        return bytes(pdf.output(output_producer_class=KeptFontsOutput))
    finally:
        logger.setLevel(level)


#: The lines of the fixed paragraphs, per font, size, width and text: the same in every document.
_FIXED_LINES: dict[tuple, list[str] | None] = {}


class PageWriter:
    """Writing on the pages of a contract document: the primitives of its sections."""

    def __init__(self, doc: ContractDocument, pdf: ContractPDF) -> None:
        self.doc = doc
        self.pdf = pdf
        self.section_no = 0

    def room(self) -> float:
        return self.pdf.h - self.pdf.b_margin - self.pdf.get_y()

    def keep(self, height: float) -> None:
        """Start a new page unless ``height`` mm still fit on this one."""
        if self.room() < height:
            self.pdf.add_page()

    def font(self, style: str = "", size: float = BODY_PT) -> None:
        self.pdf.set_font(PRETENDARD, style, size)

    def paragraph(
        self, text: str, *, style: str = "", size: float = BODY_PT, indent: float = 0.0, fixed: bool = False
    ) -> None:
        """A wrapped paragraph. The lines of a ``fixed`` one (the same words in every document) are broken
        once per process and font, then printed line by line."""
        self.font(style, size)
        width = self.pdf.epw - indent
        outlines = getattr(self.pdf.current_font, "outlines", None)  # a font kept by font_cache
        lines = None
        if fixed and outlines is not None:
            key = (outlines, size, width, text)
            if key not in _FIXED_LINES:
                # cleaned and broken once, when the font has every character of it (else None: fpdf2 breaks
                # it in every document)
                cleaned = clean(text)
                covered = all(ord(char) in self.pdf.current_font.cmap for char in cleaned)
                _FIXED_LINES[key] = (
                    self.pdf.multi_cell(width, LINE_H, cleaned, dry_run=True, output=MethodReturnValue.LINES)
                    if covered
                    else None
                )
            lines = _FIXED_LINES[key]
        if lines is None:
            self.pdf.set_x(self.pdf.l_margin + indent)
            self.pdf.multi_cell(width, LINE_H, clean(text), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            return
        for line in lines:
            self.pdf.set_x(self.pdf.l_margin + indent)
            self.pdf.cell(width, LINE_H, line, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def section(self, title: str, *, keep: float = 30.0) -> None:
        self.section_no += 1
        self.keep(keep)
        self.pdf.ln(4)
        self.font("B", 11)
        self.pdf.cell(0, 7, f"{self.section_no}. {title}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(1)

    def table(self, col_widths: tuple[float, ...], **options):
        self.font("", BODY_PT)
        self.pdf.set_draw_color(*RULE)
        self.pdf.set_line_width(0.2)
        return Table(
            self.pdf,
            col_widths,
            line_height=LINE_H,
            padding=(CELL_PAD_Y, CELL_PAD_X),
            headings_style=HEADING,
            **options,
        )

    def row(self, table, widths: tuple[float, ...], cells: list[tuple[str, dict]]) -> None:
        """A table row; a cell too long for one page continues in the rows below it (fpdf2 cannot break a
        row across pages), so no text is ever cut."""
        self.font("", BODY_PT)
        if all(len(text) < MAX_ROW_LINES for text, _ in cells):  # every line holds a character at least
            split = None
        else:
            split = [
                self.pdf.multi_cell(width - 2 * CELL_PAD_X, LINE_H, text, dry_run=True, output=MethodReturnValue.LINES)
                for width, (text, _) in zip(widths, cells, strict=True)
            ]
        if split is None or max(len(lines) for lines in split) <= MAX_ROW_LINES:
            parts = [[text] for text, _ in cells]
        else:
            parts = [
                ["\n".join(lines[start : start + MAX_ROW_LINES]) for start in range(0, len(lines), MAX_ROW_LINES)]
                for lines in split
            ]
        for index in range(max(len(part) for part in parts)):
            row = table.row()
            for part, (_, options) in zip(parts, cells, strict=True):
                row.cell(part[index] if index < len(part) else "", **options)

    def key_values(self, rows: list[tuple[str, str]]) -> None:
        widths = (38, self.pdf.epw - 38)
        with self.table(widths, first_row_as_headings=False) as table:
            for label, value in rows:
                self.row(table, widths, [(label, {"style": LABEL}), (clean(value), {})])
