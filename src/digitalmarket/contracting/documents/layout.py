"""The contract document (계약서) of an order, as a PDF made in-process.

``contract_pdf(doc)`` lays out a ``ContractDocument`` on A4 pages with fpdf2: the title (and 변경계약서
(제N차) for a change), the parties, the method, the service, the lines, the amounts (공급가액, 부가가치세
10 %, 합계), the period and service level, the data return and deletion terms, the change reason, a few
standard terms and the two electronic confirmation blocks. Long texts wrap, the table of lines breaks
across pages with its heading repeated, and every page carries the contract number and "page / pages".

Fonts: Pretendard GOV, shipped by the ``krds-uiux`` npm package in ``node_modules`` (found as the app
finds KRDS: ``DM_FRONTEND_DIR``, else the project's ``node_modules``). fpdf2 reads its WOFF files
directly; what does not change from one document to the next (the parsed fonts, their outlines, the lines
of the fixed paragraphs) is built once per process (`font_cache`, `subset`, `output`, `table`, `page`;
docs/contracting.md says how). The KRDS font is itself a subset (2,780 Hangul syllables: KS X 1001 and
some more); when a document needs a character it lacks (a rare syllable in a name, say), NanumGothic from
fonts-nanum is used for those characters if it is installed, else they stay missing (and are logged).

The output is deterministic: the creation date is the issue date, so the same document gives the same
bytes (and the same SHA-256, which ``order_versions.document_sha256`` stores) on the same installation.
"""

from __future__ import annotations

from fpdf.enums import Align, XPos, YPos

from ...core.formatting import won
from ..money import VAT_PERCENT
from ..stamp_duty import stamp_duty_text
from .page import BODY_PT, LABEL, LINE_H, MUTED, SMALL_PT, STRONG, TEXT, PageWriter, finish_pdf, start_pdf
from .terms import (
    BILLING_NAMES,
    DRAFT_NOTICE,
    METHOD_NAMES,
    NOT_CONCLUDED,
    SIGNED_CELL,
    SIGNED_DATE,
    SIGNED_NOTICE,
    STANDARD_DATA_CLAUSE,
    STANDARD_TERMS,
    TITLE,
    ContractDocument,
    availability,
    business_number,
    check,
    clean,
    confirmation_text,
    document_text,
    korean_amount,
    korean_date,
    krw,
    or_dash,
)


class _Writer(PageWriter):
    """The document, section by section."""

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
        if doc.signed:
            self.paragraph(SIGNED_NOTICE, style="B", fixed=True)
        elif not doc.concluded:
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
                ("인지세", stamp_duty_text(doc.supply_amount)),
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
        dated = korean_date(doc.issued_on) if doc.concluded else SIGNED_DATE if doc.signed else NOT_CONCLUDED
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
                (SIGNED_CELL, SIGNED_CELL)
                if doc.signed
                else (confirmation_text(doc.agency_confirmation), confirmation_text(doc.supplier_confirmation)),
            ):
                self.row(table, widths, [(left, {"align": "CENTER"}), (right, {"align": "CENTER"})])


def contract_pdf(doc: ContractDocument) -> bytes:
    """The contract document of ``doc`` as PDF bytes (the same document gives the same bytes)."""
    check(doc)
    footer = f"{TITLE}  {clean(doc.contract_number)}" + (f"  변경차수 {doc.change_seq}" if doc.change_seq else "")
    pdf = start_pdf(
        footer,
        doc.issued_on,
        f"{TITLE} {clean(doc.contract_number)}",
        clean(doc.service_name),
        document_text(doc),
        f"contract {doc.contract_number}",
    )

    writer = _Writer(doc, pdf)
    writer.title()
    writer.parties()
    writer.overview()
    writer.lines()
    writer.data_return()
    writer.change_reason()
    writer.terms()
    writer.signatures()
    return finish_pdf(pdf)
