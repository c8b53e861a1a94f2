"""The contract document (계약서) of an order version as PDF: what the two parties confirm.

`render_contract` is the one place orders turn their terms into bytes: the laid-out document of
`contracting.document` when it is installed, otherwise a plain one-page rendering with fpdf2.

Every party detail the document prints (name or 상호, agency code or 사업자등록번호, 대표자, 주소) comes from
the organisations' profiles; `refuse_unless_parties_complete` refuses to make a document while one is
missing (409 naming the details and the profile page where they are entered), so none is ever printed
as "-". A party's confirmation (time and person) is printed only once it has confirmed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ..accounts.rules import CONTRACT_PARTY_LABELS, OrganisationKind
from ..accounts.workflow import contract_party_gaps
from ..core.errors import Conflict
from ..core.i18n import N_, Text

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
class Confirmed:
    """A side's confirmation as the document prints it: when, and the name of the person."""

    at: datetime
    person: str


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
    agency_representative: str = ""
    agency_address: str = ""
    supplier_representative: str = ""
    supplier_address: str = ""
    agency_confirmed: Confirmed | None = None
    supplier_confirmed: Confirmed | None = None


class PartiesIncomplete(Conflict):
    """A party's profile lacks a detail the contract document prints."""

    code = "contract_parties_incomplete"
    default_message = N_(
        "The contract document cannot be made yet: it needs every detail of both parties. Enter the missing "
        "details and try again."
    )


#: Where each kind of organisation enters its details.
PROFILE_PAGES = {OrganisationKind.AGENCY: "/agency/profile", OrganisationKind.SUPPLIER: "/supplier/profile"}


def refuse_unless_parties_complete(agency, supplier) -> None:
    """409 naming, per party (field ``agency`` or ``supplier``), the details its profile lacks and the page
    where they are entered. Nothing is written: the caller's transaction ends with the error."""
    problems = party_problems(agency, supplier)
    if problems:
        raise PartiesIncomplete(fields=problems)


def party_problems(agency, supplier) -> dict[str, Text]:
    """What `refuse_unless_parties_complete` would say, per side, as messages a page can show as the next
    step before anyone tries (empty when both profiles are complete)."""
    problems: dict[str, Text] = {}
    for side, org in (("agency", agency), ("supplier", supplier)):
        gaps = contract_party_gaps(org)
        if not gaps:
            continue
        missing = [CONTRACT_PARTY_LABELS[name] for name in gaps]
        if side == "agency":
            text = N_(
                "The agency %(name)s has not entered: %(missing)s. Its buyers enter them on the agency's "
                "details page (%(page)s).",
                name=org.name,
                missing=missing,
                page=PROFILE_PAGES[OrganisationKind.AGENCY],
            )
        else:
            text = N_(
                "The supplier %(name)s has not entered: %(missing)s. Its users enter them on the company "
                "profile page (%(page)s).",
                name=org.name,
                missing=missing,
                page=PROFILE_PAGES[OrganisationKind.SUPPLIER],
            )
        problems[side] = text
    return problems


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
            agency=document.Party(terms.agency, terms.agency_code, terms.agency_representative, terms.agency_address),
            supplier=document.Party(
                terms.supplier, terms.supplier_business_number, terms.supplier_representative, terms.supplier_address
            ),
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
            agency_confirmation=_confirmation(document, terms.agency_confirmed),
            supplier_confirmation=_confirmation(document, terms.supplier_confirmed),
        )
    )


def _confirmation(document, confirmed: Confirmed | None):
    return document.Confirmation(confirmed.at, confirmed.person) if confirmed else None


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
