"""The tax invoice (전자세금계산서, or 수정전자세금계산서) as a ``Paper`` for `paper_layout.paper_pdf`: the
fields of 부가가치세법 제32조 제1항 and 시행령 제67조 in the order of the national form."""

from __future__ import annotations

from ..contracting.documents.terms import business_number, korean_date
from ..core.formatting import won
from .paper_layout import Grid, KeyValues, Paper, Paragraph
from .tables import TaxInvoice
from .tax_rules import AMENDMENT_REASONS


def _signed(amount: int) -> str:
    return f"-{won(-amount)}" if amount < 0 else won(amount)


def tax_invoice_paper(tax_invoice: TaxInvoice, original_number: str | None, invoice_code: str) -> Paper:
    t = tax_invoice
    amended = t.kind == "amended"
    side = (38, 68, 68)
    parties = Grid(
        "공급자와 공급받는자",
        ("구분", "공급자", "공급받는자"),
        [
            ("등록번호", business_number(t.supplier_number), business_number(t.buyer_number)),
            ("상호 (법인명)", t.supplier_name, t.buyer_name),
            ("성명 (대표자)", t.supplier_representative or "-", t.buyer_representative or "-"),
            ("사업장 주소", t.supplier_address or "-", t.buyer_address or "-"),
        ],
        side,
        ("LEFT", "LEFT", "LEFT"),
    )
    summary = [
        ("작성일자", korean_date(t.issued_on)),
        ("공급가액", f"{_signed(t.supply_amount)}원"),
        ("세액", f"{_signed(t.tax)}원"),
        ("합계금액", f"{_signed(t.total)}원"),
        ("영수/청구", "이 금액을 청구함"),
        ("거래 (청구번호)", invoice_code),
    ]
    if amended:
        summary += [
            ("수정사유", f"{t.amendment_code:02d} {AMENDMENT_REASONS[t.amendment_code]}"),
            ("당초 승인번호", original_number or "-"),
        ]
        if t.amendment_note:
            summary.append(("비고", t.amendment_note))
    items = Grid(
        "품목",
        ("월일", "품목", "규격", "수량", "단가", "공급가액", "세액"),
        [
            (
                f"{item.supplied_on.month:02d}/{item.supplied_on.day:02d}",
                item.name,
                item.specification or "-",
                f"{item.quantity:,}",
                _signed(item.unit_price),
                _signed(item.supply_amount),
                _signed(item.tax),
            )
            for item in t.items
        ],
        (16, 52, 22, 16, 22, 26, 20),
        ("CENTER", "LEFT", "CENTER", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
    )
    return Paper(
        title="수정전자세금계산서" if amended else "전자세금계산서",
        subtitle="(공급받는자 보관용)",
        number_label="승인번호",
        number=t.approval_number,
        dated=t.issued_on,
        subject=invoice_code,
        blocks=[
            parties,
            KeyValues("금액과 작성일자", summary),
            items,
            Paragraph(
                "부가가치세법 제32조와 같은 법 시행령 제67조에 따른 기재사항을 담은 세금계산서입니다. 승인번호는 "
                "디지털서비스 마켓이 부여한 것으로, 국세청 전송 전에는 국세청 승인번호가 아닙니다.",
                small=True,
            ),
        ],
    )
