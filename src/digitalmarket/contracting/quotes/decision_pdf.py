"""The award decision record (낙찰 결정 기록) as a PDF and as CSV.

The PDF is made like the contract document (`documents.layout`): fpdf2 with Pretendard GOV of the KRDS
package (NanumGothic for characters it lacks, when installed), A4, Korean. It is kept simple: headed
sections of text and tables, every instant in Korean time. The CSV holds the same facts, one row each,
in the reader's language, UTF-8 with a byte order mark so that spreadsheets read the Hangul.
"""

from __future__ import annotations

import csv
import io

from fpdf import FPDF, FontFace
from fpdf.enums import Align, XPos, YPos

from ...core.cells import neutralised
from ...core.i18n import N_
from ..documents.fonts import PRETENDARD, embed_fonts
from ..documents.output import KeptFontsOutput
from ..documents.terms import clean, krw
from ..states import QUOTE_STATE_LABELS
from .decision_record import DecisionRecord, kst_time

TITLE = "낙찰 결정 기록"
STATUS_KO = {
    "requested": "미응답",
    "quoted": "견적 제출",
    "declined": "견적 포기",
    "awarded": "낙찰",
    "not_awarded": "유찰",
}
CHANNEL_KO = {"page": "화면", "api": "API"}
FILTER_KO = {
    "type": "유형",
    "category": "분류",
    "csap": "CSAP",
    "size": "기업 규모",
    "deployment": "배포 방식",
    "region": "데이터센터 지역",
    "price_min": "최저가 이상",
    "price_max": "최저가 이하",
    "contract": "카탈로그 계약",
    "sort": "정렬",
    "page": "쪽",
}
WINDOW_KO = {"previous_request": "직전 견적요청 이후", "30_days": "견적요청 30일 전부터"}
GREY = (242, 244, 247)
HEADING = FontFace(family=PRETENDARD, emphasis="BOLD", fill_color=GREY, size_pt=8.5)


#: Filter values a search has without choosing them, left out when a search is shown.
DEFAULT_FILTERS = {"sort": "relevance", "page": 1}


def filters_text(filters: dict, labels: dict | None = None) -> str:
    """The chosen filters as ``name=value``, named in Korean by default (``labels={}``: as stored)."""
    labels = FILTER_KO if labels is None else labels
    chosen = [(name, value) for name, value in filters.items() if DEFAULT_FILTERS.get(name) != value]
    return ", ".join(f"{labels.get(name, name)}={value}" for name, value in chosen)


#: At most this many codes of a search's page are printed in the PDF (all are in the CSV and the JSON).
PDF_CODES = 20


def shown_codes(codes: list[str]) -> str:
    if not codes:
        return "-"
    more = len(codes) - PDF_CODES
    return ", ".join(codes[:PDF_CODES]) + (f" 외 {more}개" if more > 0 else "")


def _money(value: int | None) -> str:
    return krw(value) if value is not None else "-"


class _PDF(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer_text

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(PRETENDARD, "", 8)
        self.cell(0, 5, self.footer_text, align=Align.L)
        self.set_x(self.l_margin)
        self.cell(0, 5, f"{self.page_no()} / {{nb}}", align=Align.R)


def _texts(record: DecisionRecord) -> list[str]:
    """Every text of the record, for the font coverage check."""
    found: list[str] = []

    def walk(value) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            found.append(clean(value))

    walk(record.data)
    return found


def decision_pdf(record: DecisionRecord) -> bytes:
    """The record as PDF bytes."""
    data = record.data
    request, award = data["request"], data["award"]
    pdf = _PDF(f"{TITLE}  {clean(request['code'])}  {clean(record.order_code)}")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_lang("ko")
    pdf.set_title(f"{TITLE} {clean(request['code'])}")
    pdf.set_author("디지털서비스 마켓")
    pdf.set_creator("디지털서비스 마켓")
    embed_fonts(pdf, _texts(record), f"decision record {request['code']}")
    pdf.add_page()

    def text(value: str, style: str = "", size: float = 9.5) -> None:
        pdf.set_font(PRETENDARD, style, size)
        pdf.multi_cell(pdf.epw, 5.4, clean(value) or "-", align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def section(title: str) -> None:
        pdf.ln(3)
        text(title, "B", 11.5)
        pdf.ln(1)

    def table(widths: tuple[int, ...], head: list[str], rows: list[list[str]]) -> None:
        pdf.set_font(PRETENDARD, "", 8.5)
        with pdf.table(col_widths=widths, width=pdf.epw, line_height=4.8, headings_style=HEADING) as grid:
            heading = grid.row()
            for cell in head:
                heading.cell(cell)
            for values in rows:
                row = grid.row()
                for value in values:
                    row.cell(clean(str(value)) or "-")

    text(TITLE, "B", 18)
    pdf.ln(2)
    text(f"견적요청 {request['code']} · 계약 {record.order_code}")
    if not data.get("frozen", True):
        text("이 기록은 기록 보관 이전의 낙찰이므로 현재 자료로 구성되었습니다.", "B")
    else:
        frozen = record.frozen_at.isoformat() if record.frozen_at else None
        text(f"낙찰 시점에 확정된 기록입니다 ({kst_time(frozen)}). SHA-256 {record.sha256}", size=8)

    section("1. 견적요청")
    table(
        (35, 135),
        ["항목", "내용"],
        [
            ["제목", request["title"]],
            ["수요기관", request["agency"]],
            ["담당자", request["buyer"]],
            ["요청일시", kst_time(request["created_at"])],
            ["답변 마감", kst_time(request["deadline"])],
            ["희망 시작일", request["desired_start"]],
        ],
    )
    pdf.ln(1)
    text(f"요구사항: {request['requirements'] or '-'}")  # long texts as paragraphs: a table row cannot span pages

    section("2. 검색 기록")
    window = data["window"]
    text(
        f"{kst_time(window['after'])} 이후 ~ {kst_time(window['until'])} "
        f"({WINDOW_KO.get(window['rule'], window['rule'])}, 낙찰까지)",
        size=8.5,
    )
    if data["searches"]:
        table(
            (30, 14, 40, 16, 70),
            ["일시", "경로", "검색어 · 조건", "결과 수", "표시된 서비스"],
            [
                [
                    kst_time(s["at"]),
                    CHANNEL_KO.get(s["channel"], s["channel"]),
                    " · ".join(part for part in (s["query"], filters_text(s["filters"])) if part) or "-",
                    f"{s['result_count']:,}",
                    shown_codes(s["codes"]),
                ]
                for s in data["searches"]
            ],
        )
    else:
        text("이 기간에 기록된 검색이 없습니다.")
    if data.get("searches_left_out"):
        text(f"앞선 검색 {data['searches_left_out']}건은 생략되었습니다.", size=8.5)

    section("3. 비교 기록")
    if data["comparisons"]:
        table(
            (30, 14, 126),
            ["일시", "경로", "비교한 서비스"],
            [
                [
                    kst_time(c["at"]),
                    CHANNEL_KO.get(c["channel"], c["channel"]),
                    ", ".join(f"{s['name']} ({s['code']})" for s in c["services"]),
                ]
                for c in data["comparisons"]
            ],
        )
    else:
        text("이 기간에 기록된 비교가 없습니다.")

    section("4. 견적 요청 대상 (후보)")
    table(
        (40, 70, 60),
        ["서비스 코드", "서비스", "공급기업"],
        [[s["code"], s["name"], s["supplier"]] for s in data["shortlist"]],
    )

    section("5. 견적 및 포기")
    for quote in data["quotes"]:
        pdf.ln(1)
        status = STATUS_KO.get(quote["status"], quote["status"])
        text(f"{quote['service']} ({quote['service_code']}) · {quote['supplier']} · {status}", "B")
        if quote["status"] == "declined":
            text(f"포기 사유: {quote['decline_reason'] or '-'} ({kst_time(quote['answered_at'])})")
            continue
        if quote["total"] is None:
            text("견적을 제출하지 않았습니다.")
            continue
        table(
            (50, 18, 18, 14, 34, 36),
            ["품목", "단위", "수량", "개월", "단가 (상한)", "금액"],
            [
                [
                    line["item"],
                    line["unit"],
                    f"{line['quantity']:,}",
                    str(line["months"]),
                    f"{_money(line['unit_price'])} ({_money(line['catalog_unit_price'])})",
                    _money(line["amount"]),
                ]
                for line in quote["lines"]
            ],
        )
        text(
            f"공급가액 {_money(quote['supply_amount'])} · 부가가치세 {_money(quote['vat'])} · "
            f"합계 {_money(quote['total'])} · 유효기간 {quote['valid_until'] or '-'} · "
            f"제출 {kst_time(quote['answered_at'])}",
            size=8.5,
        )
        if quote["note"]:
            text(f"비고: {quote['note']}", size=8.5)

    section("6. 낙찰")
    table(
        (35, 135),
        ["항목", "내용"],
        [
            ["낙찰 서비스", f"{award['service'] or '-'} ({award['service_code'] or '-'})"],
            ["공급기업", award["supplier"] or "-"],
            ["계약", award["order_code"] or record.order_code],
            ["낙찰일시", kst_time(award["awarded_at"])],
            ["결정자", award["awarded_by"] or "-"],
        ],
    )
    pdf.ln(1)
    text(f"낙찰 사유: {award['reason'] or '-'}", "B")
    text(f"조기 낙찰 사유: {award['early_reason'] or '-'}")
    return bytes(pdf.output(output_producer_class=KeptFontsOutput))


# --- CSV -------------------------------------------------------------------------------------------------------------

CSV_HEADER = (
    N_("Section"),
    N_("Time (KST)"),
    N_("Service code"),
    N_("Service or query"),
    N_("Supplier"),
    N_("Detail"),
    N_("Count"),
    N_("Amount (KRW)"),
)
SECTIONS = {
    "request": N_("Quote request"),
    "search": N_("Search"),
    "compare": N_("Comparison"),
    "shortlist": N_("Asked for a quote"),
    "quote": N_("Quote"),
    "line": N_("Quote line"),
    "decline": N_("Declined quote"),
    "award": N_("Award"),
    "award_reason": N_("Award reason"),
    "early_reason": N_("Early award reason"),
}


def decision_csv(record: DecisionRecord, locale: str) -> bytes:
    """The record as CSV: one row per fact, columns `CSV_HEADER`."""
    data = record.data
    request, award = data["request"], data["award"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([label.render(locale) for label in CSV_HEADER])

    def row(section: str, at="", code="", subject="", supplier="", detail="", count="", amount="") -> None:
        cells = [SECTIONS[section].render(locale), at, code, subject, supplier, detail, count, amount]
        writer.writerow([neutralised(cell) for cell in cells])  # a buyer's title or a search may start a formula

    row(
        "request",
        kst_time(request["created_at"]),
        request["code"],
        request["title"],
        request["agency"],
        request["requirements"],
    )
    for search in data["searches"]:
        shown = " ".join(search["codes"])  # the services shown, in the order shown
        row(
            "search",
            kst_time(search["at"]),
            shown,
            search["query"],
            "",
            filters_text(search["filters"], FILTER_KO if locale == "ko" else {}),
            search["result_count"],
            "",
        )
    for comparison in data["comparisons"]:
        codes = " ".join(s["code"] for s in comparison["services"])
        names = ", ".join(s["name"] for s in comparison["services"])
        row("compare", kst_time(comparison["at"]), codes, names, "", "", len(comparison["services"]), "")
    for listed in data["shortlist"]:
        row("shortlist", "", listed["code"], listed["name"], listed["supplier"])
    for quote in data["quotes"]:
        if quote["status"] == "declined":
            row(
                "decline",
                kst_time(quote["answered_at"]),
                quote["service_code"],
                quote["service"],
                quote["supplier"],
                quote["decline_reason"] or "",
            )
            continue
        row(
            "quote",
            kst_time(quote["answered_at"]),
            quote["service_code"],
            quote["service"],
            quote["supplier"],
            QUOTE_STATE_LABELS[quote["status"]].render(locale)
            if quote["status"] in QUOTE_STATE_LABELS
            else quote["status"],
            "",
            quote["total"] if quote["total"] is not None else "",
        )
        for line in quote["lines"]:
            detail = N_(
                "%(quantity)s x %(unit)s, %(months)s months, unit price %(price)s won (ceiling %(ceiling)s won)",
                unit=line["unit"],
                quantity=line["quantity"],
                months=line["months"],
                price=line["unit_price"],
                ceiling=line["catalog_unit_price"],
            ).render(locale)
            row(
                "line",
                "",
                quote["service_code"],
                line["item"],
                quote["supplier"],
                detail,
                line["quantity"],
                line["amount"] if line["amount"] is not None else "",
            )
    row(
        "award",
        kst_time(award["awarded_at"]),
        award["service_code"] or "",
        award["service"] or "",
        award["supplier"] or "",
        award["order_code"] or record.order_code,
    )
    row("award_reason", "", "", "", "", award["reason"])
    if award["early_reason"]:
        row("early_reason", "", "", "", "", award["early_reason"])
    return ("\ufeff" + out.getvalue()).encode()
