"""Documents other than an order's contract (the settlement's 검수조서, 대금청구서 and 세금계산서, the
카탈로그 계약서 of a catalog contract) laid out as PDF with the contract document's machinery (fpdf2, the KRDS
typeface Pretendard GOV and its per-process font cache, the page's furniture and ruled tables), so that they
look like the contract.

A document is a ``Paper``: a title, its number and date, and blocks in order (key-value tables, tables
with headings, paragraphs). `paper_pdf` lays it out; the same paper gives the same bytes (the creation date
is the document's date), so a document made again has the same SHA-256.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from fpdf.enums import Align, XPos, YPos

from .page import BODY_PT, LABEL, MUTED, SMALL_PT, TEXT, PageWriter, finish_pdf, start_pdf
from .terms import clean, korean_date


@dataclass(frozen=True)
class KeyValues:
    title: str
    rows: list[tuple[str, str]]


@dataclass(frozen=True)
class Grid:
    """A table: headings, rows of texts, column widths (mm, adding up to the page's 174) and alignments."""

    title: str
    headings: tuple[str, ...]
    rows: list[tuple[str, ...]]
    widths: tuple[float, ...]
    align: tuple[str, ...]


@dataclass(frozen=True)
class Paragraph:
    text: str
    title: str = ""
    small: bool = False


@dataclass(frozen=True)
class Paper:
    title: str
    subtitle: str
    number_label: str
    number: str
    dated: date
    blocks: list = field(default_factory=list)
    footer: str = ""
    subject: str = ""


class _PaperWriter(PageWriter):
    def heading(self, paper: Paper) -> None:
        self.font("B", 20)
        self.pdf.cell(0, 12, paper.title, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if paper.subtitle:
            self.font("B", 12)
            self.pdf.cell(0, 7, clean(paper.subtitle), align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(3)
        self.font("", BODY_PT)
        self.pdf.set_text_color(*MUTED)
        self.pdf.cell(self.pdf.epw / 2, 6, f"{paper.number_label}  {clean(paper.number)}", align=Align.L)
        self.pdf.cell(self.pdf.epw / 2, 6, f"작성일자  {korean_date(paper.dated)}", align=Align.R, new_x=XPos.LMARGIN)
        self.pdf.ln(7)
        self.pdf.set_draw_color(*TEXT)
        self.pdf.set_line_width(0.5)
        self.pdf.line(self.pdf.l_margin, self.pdf.get_y(), self.pdf.w - self.pdf.r_margin, self.pdf.get_y())
        self.pdf.set_text_color(*TEXT)
        self.pdf.ln(2)

    def block(self, block) -> None:
        if isinstance(block, KeyValues):
            self.section(block.title)
            self.key_values(block.rows)
        elif isinstance(block, Grid):
            self.section(block.title, keep=40)
            with self.table(block.widths) as table:
                heading = table.row()
                for text in block.headings:
                    heading.cell(text, align="CENTER")
                for values in block.rows:
                    cells = [(clean(value), {"align": align}) for value, align in zip(values, block.align, strict=True)]
                    if values and values[0] in ("합계", "계"):
                        cells = [(text, {**options, "style": LABEL}) for text, options in cells]
                    self.row(table, block.widths, cells)
        elif isinstance(block, Paragraph):
            if block.title:
                self.section(block.title, keep=25)
            else:
                self.pdf.ln(2)
            if block.small:
                self.font("", SMALL_PT)
                self.pdf.set_text_color(*MUTED)
                self.pdf.multi_cell(0, 4.6, clean(block.text), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                self.pdf.set_text_color(*TEXT)
            else:
                self.paragraph(block.text)
        else:  # pragma: no cover - a paper holds only these blocks
            raise TypeError(f"not a block: {block!r}")


def paper_texts(paper: Paper) -> list[str]:
    """Every text the paper prints, for the font coverage check."""
    texts = [paper.title, paper.subtitle, paper.number, paper.number_label, paper.footer, "작성일자 년 월 일"]
    for block in paper.blocks:
        if isinstance(block, KeyValues):
            texts += [block.title] + [text for row in block.rows for text in row]
        elif isinstance(block, Grid):
            texts += [block.title, *block.headings] + [text for row in block.rows for text in row]
        elif isinstance(block, Paragraph):
            texts += [block.title, block.text]
    return [clean(text) for text in texts]


def paper_pdf(paper: Paper) -> bytes:
    """The paper as PDF bytes (the same paper gives the same bytes)."""
    pdf = start_pdf(
        paper.footer or f"{paper.title}  {clean(paper.number)}",
        paper.dated,
        f"{paper.title} {clean(paper.number)}",
        clean(paper.subject or paper.subtitle),
        paper_texts(paper),
        f"{paper.title} {paper.number}",
    )
    writer = _PaperWriter(None, pdf)
    writer.heading(paper)
    for block in paper.blocks:
        writer.block(block)
    return finish_pdf(pdf)
