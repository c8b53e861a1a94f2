"""The contract document (계약서) of an order version as PDF: what the two parties confirm.

`render_contract` is the one place orders turn their terms into bytes: the laid-out document of
`contracting.document` when it is installed, otherwise a plain one-page rendering with fpdf2.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/noto/NotoSansKR-Regular.ttf"),
)


@dataclass(frozen=True)
class ContractLine:
    item: str
    unit: str
    billing: str
    quantity: int
    months: int
    unit_price: int
    amount: int


@dataclass(frozen=True)
class ContractTerms:
    number: str  # the order's code
    change_seq: int  # 변경차수
    method: str  # negotiated | delivery_request
    agency: str
    agency_code: str
    supplier: str
    supplier_business_number: str
    service_name: str
    service_code: str
    start: date
    end: date
    lines: list[ContractLine] = field(default_factory=list)
    supply: int = 0
    vat: int = 0
    total: int = 0
    sla: str = ""
    support_hours: str = ""
    data_return: str = ""
    reason: str = ""
    catalog_contract: str | None = None
    issued_on: date | None = None


def _font() -> Path | None:
    return next((path for path in FONT_CANDIDATES if path.is_file()), None)


def _won(amount: int) -> str:
    return f"{amount:,}원"


METHOD_NAMES = {"negotiated": "수의계약", "delivery_request": "납품요구"}


def render_contract(terms: ContractTerms) -> bytes:
    """The PDF bytes of the contract document."""
    try:
        from . import document
    except ImportError:
        return _plain_pdf(terms)
    return document.contract_pdf(
        document.ContractDocument(
            contract_number=terms.number,
            change_seq=terms.change_seq,
            method=terms.method,
            catalog_contract_number=terms.catalog_contract,
            agency=document.Party(terms.agency, terms.agency_code),
            supplier=document.Party(terms.supplier, terms.supplier_business_number),
            service_name=terms.service_name,
            service_code=terms.service_code,
            lines=[
                document.DocumentLine(
                    line.item, line.unit, line.billing, line.quantity, line.months, line.unit_price, line.amount
                )
                for line in terms.lines
            ],
            supply_amount=terms.supply,
            vat=terms.vat,
            total=terms.total,
            start_date=terms.start,
            end_date=terms.end,
            sla_availability=terms.sla,
            support_hours=terms.support_hours,
            data_return_policy=terms.data_return,
            change_reason=terms.reason or None,
            issued_on=terms.issued_on or terms.start,
        )
    )


def _plain_pdf(terms: ContractTerms) -> bytes:
    from fpdf import FPDF

    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)  # tables it cannot subset are dropped

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(f"디지털서비스 이용계약서 {terms.number}")
    pdf.set_creator("디지털서비스 마켓")
    font = _font()
    if font is not None:
        pdf.add_font("kr", "", str(font))
        family = "kr"
    else:  # without a Korean font the document is still produced, in Latin letters only
        family = "helvetica"
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def text(value: str, size: int = 10, height: float = 6, align: str = "L") -> None:
        pdf.set_font(family, size=size)
        pdf.multi_cell(
            width,
            height,
            value if family == "kr" else value.encode("latin-1", "replace").decode(),
            align=align,
            new_x="LMARGIN",
            new_y="NEXT",
        )

    title = "디지털서비스 이용계약서" if terms.change_seq == 0 else "디지털서비스 이용계약 변경계약서"
    text(title, 16, 10, "C")
    text(f"계약번호 {terms.number}  ·  변경차수 {terms.change_seq}", 10, 6, "C")
    pdf.ln(4)
    text("1. 계약 당사자", 12, 8)
    text(f"수요기관: {terms.agency}" + (f" (기관코드 {terms.agency_code})" if terms.agency_code else ""))
    text(
        f"공급기업: {terms.supplier}"
        + (f" (사업자등록번호 {terms.supplier_business_number})" if terms.supplier_business_number else "")
    )
    pdf.ln(2)
    text("2. 계약 내용", 12, 8)
    text(f"서비스: {terms.service_name} ({terms.service_code})")
    method = METHOD_NAMES.get(terms.method, terms.method)
    if terms.catalog_contract:
        method += f" (카탈로그 계약 {terms.catalog_contract})"
    text(f"계약방법: {method}")
    text(f"계약기간: {terms.start.isoformat()} ~ {terms.end.isoformat()}")
    pdf.ln(2)
    text("3. 품목과 금액 (단가는 부가가치세 별도)", 12, 8)
    columns = (("품목", 0.30), ("단위", 0.14), ("수량", 0.10), ("개월", 0.08), ("단가", 0.18), ("공급가액", 0.20))
    pdf.set_font(family, size=9)
    for label, share in columns:
        pdf.cell(width * share, 7, label, border=1, align="C")
    pdf.ln()
    for line in terms.lines:
        cells = (
            line.item,
            line.unit,
            f"{line.quantity:,}",
            str(line.months),
            _won(line.unit_price),
            _won(line.amount),
        )
        for (_, share), value in zip(columns, cells, strict=True):
            shown = value if family == "kr" else value.encode("latin-1", "replace").decode()
            pdf.cell(width * share, 7, shown[:40], border=1, align="R" if share <= 0.2 and value[:1].isdigit() else "L")
        pdf.ln()
    pdf.ln(2)
    text(f"공급가액 {_won(terms.supply)}   부가가치세(10%) {_won(terms.vat)}   합계 {_won(terms.total)}", 10)
    pdf.ln(2)
    text("4. 서비스 수준과 지원", 12, 8)
    text(f"가용성(SLA): {terms.sla} %   지원시간: {terms.support_hours}")
    text("5. 계약 종료 시 데이터 반환과 파기", 12, 8)
    text(terms.data_return)
    if terms.reason:
        text("6. 변경 사유", 12, 8)
        text(terms.reason)
    pdf.ln(4)
    text(
        "위 내용으로 수요기관과 공급기업이 디지털서비스 마켓에서 각각 확인함으로써 계약이 성립합니다. "
        "합의한 단가는 카탈로그 가격을 넘지 않습니다.",
        9,
    )
    return bytes(pdf.output())
