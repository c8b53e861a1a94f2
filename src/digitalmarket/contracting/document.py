"""The contract document (계약서) of an order, as a PDF made in-process.

``contract_pdf(doc)`` lays out a ``ContractDocument`` on A4 pages with fpdf2: the title (and 변경계약서
(제N차) for a change), the parties, the method, the service, the lines, the amounts (공급가액, 부가가치세
10 %, 합계), the period and service level, the data return and deletion terms, the change reason, a few
standard terms and the two electronic confirmation blocks. Long texts wrap, the table of lines breaks
across pages with its heading repeated, and every page carries the contract number and "page / pages".

Fonts: Pretendard GOV, shipped by the ``krds-uiux`` npm package in ``node_modules`` (found as the app
finds KRDS: ``DM_FRONTEND_DIR``, else the project's ``node_modules``). fpdf2 reads its WOFF files
directly; what does not change from one document to the next (the parsed fonts, their outlines, the lines
of the fixed paragraphs) is built once per process (`pdf_fonts`, `pdf_subset`, `pdf_output`, `pdf_table`;
docs/contracting.md says how). The KRDS font is itself a subset (2,780 Hangul syllables: KS X 1001 and
some more); when a document needs a character it lacks (a rare syllable in a name, say), NanumGothic from
fonts-nanum is used for those characters if it is installed, else they stay missing (and are logged).

The output is deterministic: the creation date is the issue date, so the same document gives the same
bytes (and the same SHA-256, which ``order_versions.document_sha256`` stores) on the same installation.
"""

from __future__ import annotations

import logging
import os
import unicodedata
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF, FontFace
from fpdf.enums import Align, MethodReturnValue, XPos, YPos

from ..core.clock import KST
from ..core.formatting import won
from ..core.settings import PROJECT_ROOT
from . import pdf_fonts
from .pdf_output import KeptFontsOutput
from .pdf_table import Table
from .rules import VAT_PERCENT, vat_of

log = logging.getLogger("digitalmarket.contracting")

# --- what a document holds ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    """발주기관 (agency: its code) or 계약상대자 (supplier: its 사업자등록번호)."""

    name: str
    business_number_or_code: str
    representative: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class Confirmation:
    """A party's electronic confirmation (전자적 확인): when (an aware time, printed in KST) and by whom."""

    at: datetime
    person: str


@dataclass(frozen=True)
class DocumentLine:
    """A line of the contract: amount = unit price x quantity (x months unless billing is ``fixed``)."""

    item: str
    unit: str
    billing: str  # monthly | usage | fixed
    quantity: int
    months: int
    unit_price: int  # KRW without VAT
    amount: int  # 공급가액 of the line


@dataclass(frozen=True)
class ContractDocument:
    contract_number: str  # the order code, ORD-2026-00012
    change_seq: int  # 변경차수; 0 is the original contract
    method: str  # negotiated | delivery_request
    catalog_contract_number: str | None
    agency: Party
    supplier: Party
    service_name: str
    service_code: str
    lines: list[DocumentLine]
    supply_amount: int
    vat: int
    total: int
    start_date: date
    end_date: date
    sla_availability: str  # "99.9"
    support_hours: str
    data_return_policy: str
    change_reason: str | None
    issued_on: date  # the day it was drawn up; once both confirmed, the day the second one did (계약일자)
    agency_confirmation: Confirmation | None = None
    supplier_confirmation: Confirmation | None = None

    @property
    def concluded(self) -> bool:
        """Both parties confirmed: the document of record, else a draft (계약서안)."""
        return self.agency_confirmation is not None and self.supplier_confirmation is not None


class ContractFontMissing(RuntimeError):
    """The Pretendard GOV font of the KRDS package is not installed."""


# --- fixed wording ------------------------------------------------------------------------------------------

TITLE = "디지털서비스 이용계약서"
METHOD_NAMES = {"negotiated": "수의계약", "delivery_request": "납품요구"}
BILLING_NAMES = {"monthly": "월 과금", "usage": "사용량 과금", "fixed": "정액"}
DELETION_DAYS = 30
PAYMENT_DAYS = 5  # 근무일 (working days), 국가계약법 시행령 제58조
DRAFT_NOTICE = (
    "이 문서는 양 당사자가 확인하기 전의 계약서안입니다. 발주기관과 계약상대자가 모두 전자적으로 확인하면 계약이 "
    "성립하고, 확인한 시각과 확인자가 적힌 계약서가 새로 만들어집니다."
)
NOT_CONCLUDED = "(양 당사자 확인 전)"
NOT_CONFIRMED = "확인 전"
CONFIRMED = "전자적으로 확인함"

STANDARD_DATA_CLAUSE = (
    "계약상대자는 계약이 끝나거나 해지되면 발주기관의 데이터를 표준 형식(CSV, JSON 등 기계가 읽을 수 있는 "
    f"형식)으로 발주기관에 반환하고, 종료일부터 {DELETION_DAYS}일 이내에 백업과 복제본을 포함한 모든 데이터를 "
    "복구할 수 없도록 파기한 뒤 데이터 파기 확인서를 발주기관에 제출한다."
)

STANDARD_TERMS = (
    (
        "계약의 목적",
        "이 계약은 발주기관이 계약상대자가 제공하는 디지털서비스를 이용하는 데 필요한 사항과 양 당사자의 권리 및 "
        "의무를 정함을 목적으로 한다.",
    ),
    (
        "대금 지급",
        "계약상대자는 이용실적에 대하여 발주기관의 검수를 받은 후 대금청구서를 제출한다. 발주기관은 검수를 마친 뒤 "
        f"적법한 대금청구를 받으면 그 청구를 받은 다음 날부터 세어 {PAYMENT_DAYS}근무일(토요일, 일요일 및 공휴일은 "
        "세지 아니한다) 이내에 대금을 지급한다. 청구 내용의 전부 또는 일부가 부당하면 발주기관은 그 사유를 밝혀 "
        "청구서를 돌려보낼 수 있으며, 돌려보낸 날부터 다시 청구를 받은 날까지는 지급 기간에 넣지 아니한다(국가를 "
        "당사자로 하는 계약에 관한 법률 시행령 제58조).",
    ),
    (
        "보안",
        "계약상대자는 클라우드컴퓨팅서비스 보안인증 등 관계 법령과 발주기관의 보안 요구사항을 지키며, 계약을 "
        "이행하며 알게 된 정보를 발주기관의 승인 없이 제3자에게 제공하거나 누설하지 아니한다. 보안 사고가 생기면 "
        "지체 없이 발주기관에 알리고 필요한 조치를 한다.",
    ),
    (
        "계약의 변경",
        "수량, 기간 또는 단가의 변경은 양 당사자가 전자적으로 확인한 변경계약으로 하며, 변경할 때마다 변경차수가 "
        "하나씩 늘어난다. 단가는 카탈로그 단가를 넘을 수 없다.",
    ),
    (
        "해지",
        "어느 한쪽이 계약상 의무를 이행하지 아니하여 상대방이 상당한 기간을 정하여 이행을 요구하였음에도 그 기간 "
        "안에 이행하지 아니하면 상대방은 계약을 해지할 수 있다. 해지하는 경우에도 데이터의 반환과 파기는 이 "
        "계약서의 데이터 반환 및 파기 조항에 따른다.",
    ),
    (
        "그 밖의 사항",
        "이 계약에서 정하지 아니한 사항은 국가를 당사자로 하는 계약에 관한 법률, 지방자치단체를 당사자로 하는 "
        "계약에 관한 법률 등 관계 법령과 조달청의 디지털서비스 계약 관련 규정에 따른다.",
    ),
)

# --- fonts ------------------------------------------------------------------------------------------------------

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


def krw(amount: int) -> str:
    """1357400 -> "1,357,400원"."""
    return f"{won(amount)}원"


_DIGITS = "영일이삼사오육칠팔구"
_SMALL_UNITS = ("천", "백", "십", "")
_LARGE_UNITS = ("", "만", "억", "조", "경")


def korean_amount(amount: int) -> str:
    """An amount in Korean numerals as contracts write it, every digit spelt (일백, 일십) so that it cannot
    be altered: 1357400 -> "일백삼십오만칠천사백"."""
    if amount < 0:
        raise ValueError("an amount is never negative")
    if amount == 0:
        return "영"
    groups: list[int] = []
    while amount:
        amount, group = divmod(amount, 10_000)
        groups.append(group)
    if len(groups) > len(_LARGE_UNITS):
        raise ValueError("amount too large")
    words = []
    for power in range(len(groups) - 1, -1, -1):
        group = groups[power]
        if not group:
            continue
        part = "".join(
            _DIGITS[int(digit)] + unit for digit, unit in zip(f"{group:04d}", _SMALL_UNITS, strict=True) if digit != "0"
        )
        words.append(part + _LARGE_UNITS[power])
    return "".join(words)


def korean_date(day: date) -> str:
    return f"{day.year}년 {day.month}월 {day.day}일"


def business_number(value: str) -> str:
    """A 10-digit 사업자등록번호 as 123-45-67890; anything else as given."""
    digits = value.replace("-", "").strip()
    if len(digits) == 10 and digits.isdigit():
        return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"
    return value


def clean(text: str | None) -> str:
    """NFC (decomposed Hangul from some systems would miss the font), one kind of line break, no tabs or
    other control characters."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return "".join(char for char in text if char == "\n" or unicodedata.category(char)[0] != "C").strip()


def availability(sla: str | None) -> str:
    """ "99.9" (or "99.90", "1E+2" from a normalised Decimal, "99.9%") -> "99.9% 이상 (월 기준)"."""
    text = clean(sla).rstrip("%").strip()
    if not text:
        return "-"
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    if not number.is_finite():
        return text
    shown = format(number.normalize(), "f")
    return f"{shown}% 이상 (월 기준)"


def or_dash(text: str | None) -> str:
    return clean(text) or "-"


def check(doc: ContractDocument) -> None:
    """Refuse a document whose figures do not add up by the money rules (a contract must never show a sum
    that is not the sum) or whose method is unknown."""
    if doc.method not in METHOD_NAMES:
        raise ValueError(f"unknown contract method {doc.method!r}")
    if doc.method == "delivery_request" and not doc.catalog_contract_number:
        raise ValueError("a delivery request names its catalog contract")
    if doc.change_seq < 0:
        raise ValueError("change_seq is 0 or more")
    if doc.end_date < doc.start_date:
        raise ValueError("the period ends before it starts")
    if sum(line.amount for line in doc.lines) != doc.supply_amount:
        raise ValueError("supply_amount is not the sum of the lines")
    if doc.vat != vat_of(doc.supply_amount) or doc.total != doc.supply_amount + doc.vat:
        raise ValueError(f"vat must be {VAT_PERCENT}% of supply_amount (won cut) and total their sum")
    missing = [
        f"{side}.{f.name}"
        for side, party in (("agency", doc.agency), ("supplier", doc.supplier))
        for f in fields(party)
        if not clean(getattr(party, f.name))
    ]
    if missing:
        raise ValueError(f"a contract names every party in full; missing: {', '.join(missing)}")


# --- layout -------------------------------------------------------------------------------------------------------

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


class _ContractPDF(FPDF):
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


#: The lines of the fixed paragraphs, per font, size, width and text: the same in every document.
_FIXED_LINES: dict[tuple, list[str]] = {}


class _Writer:
    """The document, section by section."""

    def __init__(self, doc: ContractDocument, pdf: _ContractPDF) -> None:
        self.doc = doc
        self.pdf = pdf
        self.section_no = 0

    # primitives

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
        text = clean(text)
        outlines = getattr(self.pdf.current_font, "outlines", None)  # a font kept by pdf_fonts
        if not fixed or outlines is None or not all(ord(char) in self.pdf.current_font.cmap for char in text):
            self.pdf.set_x(self.pdf.l_margin + indent)
            self.pdf.multi_cell(width, LINE_H, text, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            return
        key = (outlines, size, width, text)
        lines = _FIXED_LINES.get(key)
        if lines is None:
            lines = self.pdf.multi_cell(width, LINE_H, text, dry_run=True, output=MethodReturnValue.LINES)
            _FIXED_LINES[key] = lines
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

    # sections

    def title(self) -> None:
        doc = self.doc
        self.font("B", 20)
        self.pdf.cell(0, 12, TITLE, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if doc.change_seq > 0:
            self.font("B", 13)
            self.pdf.cell(
                0, 8, f"변경계약서 (제{doc.change_seq}차)", align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
        self.pdf.ln(3)
        self.font("", BODY_PT)
        self.pdf.set_text_color(*MUTED)
        number = f"계약번호  {clean(doc.contract_number)}"
        if doc.change_seq > 0:
            number += f"  (변경차수 {doc.change_seq})"
        self.pdf.cell(self.pdf.epw / 2, 6, number, align=Align.L)
        dated = "계약일자" if doc.concluded else "작성일자"
        self.pdf.cell(self.pdf.epw / 2, 6, f"{dated}  {korean_date(doc.issued_on)}", align=Align.R, new_x=XPos.LMARGIN)
        self.pdf.ln(7)
        self.pdf.set_draw_color(*TEXT)
        self.pdf.set_line_width(0.5)
        self.pdf.line(self.pdf.l_margin, self.pdf.get_y(), self.pdf.w - self.pdf.r_margin, self.pdf.get_y())
        self.pdf.set_text_color(*TEXT)
        self.pdf.ln(4)
        if not doc.concluded:
            self.paragraph(DRAFT_NOTICE, style="B", fixed=True)
            self.pdf.ln(1)
        if doc.change_seq > 0:
            intro = (
                f"발주기관과 계약상대자는 계약번호 {clean(doc.contract_number)}의 디지털서비스 이용계약을 아래와 같이 "
                f"변경(제{doc.change_seq}차)한다. 이 변경계약서에 적힌 사항이 종전 계약의 해당 사항을 대신한다."
            )
        else:
            intro = "발주기관과 계약상대자는 아래와 같이 디지털서비스 이용계약을 체결한다."
        self.paragraph(intro)

    def parties(self) -> None:
        agency, supplier = self.doc.agency, self.doc.supplier
        self.section("계약 당사자")
        label_w = 38
        side_w = (self.pdf.epw - label_w) / 2
        widths = (label_w, side_w, side_w)
        with self.table(widths) as table:
            heading = table.row()
            for text in ("구분", "발주기관", "계약상대자"):
                heading.cell(text)
            rows = (
                ("기관명 / 상호", clean(agency.name), clean(supplier.name)),
                (
                    "기관코드 / 사업자등록번호",
                    clean(agency.business_number_or_code),
                    clean(business_number(supplier.business_number_or_code)),
                ),
                ("대표자", clean(agency.representative), clean(supplier.representative)),
                ("주소", clean(agency.address), clean(supplier.address)),
            )
            for label, left, right in rows:
                self.row(table, widths, [(label, {"style": LABEL}), (left, {}), (right, {})])

    def overview(self) -> None:
        doc = self.doc
        self.section("계약 개요")
        method = METHOD_NAMES[doc.method]
        if doc.catalog_contract_number:
            method += f" (카탈로그 계약번호 {clean(doc.catalog_contract_number)})"
        self.key_values(
            [
                ("계약방법", method),
                ("서비스", f"{clean(doc.service_name)} ({clean(doc.service_code)})"),
                ("계약기간", f"{korean_date(doc.start_date)} ~ {korean_date(doc.end_date)}"),
                ("계약금액", f"금 {korean_amount(doc.total)}원정 (₩{won(doc.total)}, 부가가치세 포함)"),
                ("서비스 가용성", availability(doc.sla_availability)),
                ("기술지원 시간", or_dash(doc.support_hours)),
            ]
        )

    def lines(self) -> None:
        doc = self.doc
        self.section("계약 품목 및 금액", keep=40)
        widths = (10, 54, 22, 16, 12, 28, 32)
        align = ("CENTER", "LEFT", "CENTER", "RIGHT", "RIGHT", "RIGHT", "RIGHT")
        with self.table(widths) as table:
            heading = table.row()
            for text in ("번호", "품목", "단위", "수량", "개월", "단가", "금액"):
                heading.cell(text, align="CENTER")
            for number, line in enumerate(doc.lines, start=1):
                billing = BILLING_NAMES.get(line.billing, clean(line.billing))
                months = "-" if line.billing == "fixed" else f"{line.months:,}"
                values = (
                    str(number),
                    f"{clean(line.item)} ({billing})",
                    or_dash(line.unit),
                    f"{line.quantity:,}",
                    months,
                    won(line.unit_price),
                    won(line.amount),
                )
                self.row(
                    table,
                    widths,
                    [(value, {"align": cell_align}) for value, cell_align in zip(values, align, strict=True)],
                )
        self.pdf.ln(2)
        self.keep(3 * (LINE_H + 2.8) + 2)
        label_w = 70
        with self.table((self.pdf.epw - label_w - 50, label_w, 50), first_row_as_headings=False) as table:
            for label, amount, style in (
                ("공급가액", doc.supply_amount, None),
                (f"부가가치세 ({VAT_PERCENT}%)", doc.vat, None),
                ("합계", doc.total, STRONG),
            ):
                row = table.row()
                row.cell("", border="NONE")
                row.cell(label, style=LABEL, align="CENTER")
                row.cell(krw(amount), align="RIGHT", style=style)
        self.font("", SMALL_PT)
        self.pdf.set_text_color(*MUTED)
        self.pdf.multi_cell(
            0,
            4.6,
            "단가와 금액은 부가가치세 별도, 원 단위. 금액 = 단가 x 수량 x 개월(정액은 단가 x 수량). "
            f"부가가치세는 공급가액의 {VAT_PERCENT}%, 원 미만 절사.",
            align=Align.R,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.pdf.set_text_color(*TEXT)

    def data_return(self) -> None:
        self.section("데이터 반환 및 파기", keep=35)
        policy = clean(self.doc.data_return_policy)
        if policy:
            self.paragraph("가. 서비스의 데이터 반환·파기 정책", style="B", fixed=True)
            self.paragraph(policy, indent=4)
            self.pdf.ln(1)
            self.paragraph("나. 표준 조건", style="B", fixed=True)
            self.paragraph(STANDARD_DATA_CLAUSE, indent=4, fixed=True)
        else:
            self.paragraph(STANDARD_DATA_CLAUSE, fixed=True)

    def change_reason(self) -> None:
        reason = clean(self.doc.change_reason)
        if not reason:
            return
        self.section("변경 사유")
        self.paragraph(reason)

    def terms(self) -> None:
        self.section("일반 조건", keep=35)
        for number, (title, text) in enumerate(STANDARD_TERMS, start=1):
            self.keep(LINE_H * 3)
            self.paragraph(f"제{number}조 ({title})", style="B", fixed=True)
            self.paragraph(text, indent=4, fixed=True)
            self.pdf.ln(1)

    def signatures(self) -> None:
        doc = self.doc
        self.keep(60)
        self.pdf.ln(4)
        self.paragraph(
            "위 계약의 성립을 증명하기 위하여 발주기관과 계약상대자가 이 계약서를 디지털서비스 마켓에서 "
            "전자적으로 확인하고, 각자 전자문서로 보관한다.",
            fixed=True,
        )
        self.pdf.ln(2)
        self.font("B", 11)
        dated = korean_date(doc.issued_on) if doc.concluded else NOT_CONCLUDED
        self.pdf.cell(0, 8, dated, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(2)
        half = self.pdf.epw / 2
        widths = (half, half)
        with self.table(widths) as table:
            heading = table.row()
            heading.cell("발주기관", align="CENTER")
            heading.cell("계약상대자", align="CENTER")
            for left, right in (
                (clean(doc.agency.name), clean(doc.supplier.name)),
                (f"대표자  {clean(doc.agency.representative)}", f"대표자  {clean(doc.supplier.representative)}"),
                (confirmation_text(doc.agency_confirmation), confirmation_text(doc.supplier_confirmation)),
            ):
                self.row(table, widths, [(left, {"align": "CENTER"}), (right, {"align": "CENTER"})])


def kst_time(moment: datetime) -> str:
    """An aware time (a naive one is UTC, as the database keeps it) as read in Korea, with its date:
    "2026년 12월 5일 14:03 (KST)"."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(KST)
    return f"{korean_date(local.date())} {local:%H:%M} (KST)"


def confirmation_text(confirmation: Confirmation | None) -> str:
    """A party's confirmation line: printed only once it has confirmed, with the time and the person."""
    if confirmation is None:
        return NOT_CONFIRMED
    return f"{CONFIRMED}\n{kst_time(confirmation.at)}\n확인자  {clean(confirmation.person)}"


def document_text(doc: ContractDocument) -> list[str]:
    """Every text the document may print, for the font coverage check."""
    texts: list[str] = [TITLE, STANDARD_DATA_CLAUSE, *METHOD_NAMES.values(), *BILLING_NAMES.values()]
    texts += [DRAFT_NOTICE, NOT_CONCLUDED, NOT_CONFIRMED, CONFIRMED, "계약일자 작성일자 확인자 (KST)"]
    for confirmation in (doc.agency_confirmation, doc.supplier_confirmation):
        if confirmation is not None:
            texts.append(confirmation.person)
    for title, text in STANDARD_TERMS:
        texts += [title, text]
    for value in (doc.agency, doc.supplier, *doc.lines):
        texts += [str(getattr(value, f.name) or "") for f in fields(value)]
    nested = {"agency", "supplier", "lines", "agency_confirmation", "supplier_confirmation"}
    texts += [str(getattr(doc, f.name) or "") for f in fields(doc) if f.name not in nested]
    return [clean(text) for text in texts]


def embed_fonts(pdf: FPDF, texts: Iterable[str], what: str) -> None:
    """Pretendard GOV (KRDS's typeface) in every style the documents use, and NanumGothic as the fallback
    for characters of ``texts`` it lacks when fonts-nanum is installed (said in the log either way)."""
    pretendard = pretendard_files()
    missing = uncovered(texts, font_coverage(*pretendard.values()))
    for style, path in pretendard.items():
        pdf_fonts.add_font(pdf, PRETENDARD, style, path)
    if not missing:
        return
    nanum = nanum_files()
    if nanum:
        for style, path in nanum.items():
            pdf_fonts.add_font(pdf, NANUM, style, path)
        pdf.set_fallback_fonts([NANUM], exact_match=False)
        log.info("%s: NanumGothic for %s", what, "".join(sorted(missing)))
    else:
        log.warning(
            "%s: Pretendard GOV lacks %s and fonts-nanum is not installed; they will not show",
            what,
            "".join(sorted(missing)),
        )


def contract_pdf(doc: ContractDocument) -> bytes:
    """The contract document of ``doc`` as PDF bytes (the same document gives the same bytes)."""
    check(doc)
    footer = f"{TITLE}  {clean(doc.contract_number)}" + (f"  변경차수 {doc.change_seq}" if doc.change_seq else "")
    pdf = _ContractPDF(footer)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.set_creation_date(datetime.combine(doc.issued_on, time(), tzinfo=KST))
    pdf.set_lang("ko")
    pdf.set_title(f"{TITLE} {clean(doc.contract_number)}")
    pdf.set_subject(clean(doc.service_name))
    pdf.set_author("디지털서비스 마켓")
    pdf.set_creator("디지털서비스 마켓")
    embed_fonts(pdf, document_text(doc), f"contract {doc.contract_number}")
    pdf.set_text_color(*TEXT)
    pdf.add_page()

    writer = _Writer(doc, pdf)
    writer.title()
    writer.parties()
    writer.overview()
    writer.lines()
    writer.data_return()
    writer.change_reason()
    writer.terms()
    writer.signatures()
    with _quiet("fontTools.subset"):  # it names every table of NanumGothic it drops when subsetting
        return bytes(pdf.output(output_producer_class=KeptFontsOutput))


@contextmanager
def _quiet(logger_name: str):
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)
