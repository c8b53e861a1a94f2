"""The 검수조서 (inspection report) of an accepted month and the 대금청구서 (payment claim) that follows it,
as ``Paper``s for `paper_layout.paper_pdf`: built from the invoice and the moment of the step (the
inspection's or the claim's audit event), so that a report made again from the log is the same.
"""

from __future__ import annotations

from datetime import date, datetime

from ..contracting.documents.terms import business_number, korean_amount, korean_date, kst_time
from ..contracting.stamp_duty import stamp_duty_text
from ..core.clock import today_kst
from ..core.formatting import won
from .paper_layout import Grid, KeyValues, Paper, Paragraph
from .rules import PAYMENT_DAYS
from .tables import Invoice

BILLING = {"monthly": "월 과금", "usage": "사용량 과금", "fixed": "정액"}
PAYMENT_RULE = f"청구를 받은 날의 다음 날부터 세어 {PAYMENT_DAYS}일(토요일과 공휴일은 세지 않음) 이내"
PAYMENT_LAW = "국가를 당사자로 하는 계약에 관한 법률 시행령 제58조 제1항"


def month_text(month: str) -> str:
    year, number = month.split("-")
    return f"{int(year)}년 {int(number)}월"


def _items_grid(invoice: Invoice, title: str) -> Grid:
    rows = [
        (
            str(number),
            f"{item.item} ({BILLING.get(item.billing, item.billing)})",
            item.unit or "-",
            "-" if item.billing == "fixed" else f"{item.quantity:,}",
            won(item.unit_price),
            won(item.amount),
        )
        for number, item in enumerate(invoice.current_items(), start=1)
    ]
    rows.append(("합계", "", "", "", "", won(invoice.supply_amount)))
    return Grid(
        title,
        ("번호", "품목", "단위", "수량", "단가", "금액"),
        rows,
        (12, 70, 22, 18, 24, 28),
        ("CENTER", "LEFT", "CENTER", "RIGHT", "RIGHT", "RIGHT"),
    )


def _amounts(invoice: Invoice) -> list[tuple[str, str]]:
    return [
        ("공급가액", f"{won(invoice.supply_amount)}원"),
        ("부가가치세 (10%)", f"{won(invoice.vat)}원"),
        ("합계", f"금 {korean_amount(invoice.total)}원정 (₩{won(invoice.total)})"),
    ]


def _contract(invoice: Invoice) -> list[tuple[str, str]]:
    order = invoice.order
    return [
        ("계약번호", order.code),
        ("서비스", f"{order.service.name} ({order.service.code})"),
        ("발주기관", order.agency.name),
        ("계약상대자", f"{order.supplier.name} ({business_number(order.supplier.business_number or '')})"),
        ("대상 기간", f"{month_text(invoice.month)} 이용분"),
    ]


def inspection_report(invoice: Invoice, accepted_at: datetime, inspector: str, tax_invoice_number: str) -> Paper:
    """검수조서: what was inspected (order, month, lines, quantities, amounts), by whom and when (KST)."""
    return Paper(
        title="검수조서",
        subtitle=f"{invoice.order.service.name} {month_text(invoice.month)} 이용분",
        number_label="청구번호",
        number=f"{invoice.code} (제{invoice.revision}차 청구)",
        dated=invoice.accepted_on,
        subject=invoice.order.code,
        blocks=[
            KeyValues("계약 및 검수 대상", _contract(invoice)),
            _items_grid(invoice, "검수 내역"),
            KeyValues("금액", _amounts(invoice)),
            KeyValues(
                "검수 결과",
                [
                    ("결과", "합격 (검수 완료)"),
                    ("검수기관", invoice.order.agency.name),
                    ("검수자", inspector),
                    ("검수일시", kst_time(accepted_at)),
                    ("세금계산서 승인번호", tax_invoice_number),
                ],
            ),
            Paragraph(
                f"위 계약의 {month_text(invoice.month)} 이용실적을 검수한 결과 계약 내용과 같음을 확인합니다. "
                f"계약상대자는 이 검수 후 대금을 청구할 수 있으며, 대금은 {PAYMENT_RULE}에 지급합니다({PAYMENT_LAW})."
            ),
            Paragraph(f"{korean_date(invoice.accepted_on)}\n{invoice.order.agency.name}  검수자 {inspector}"),
        ],
    )


def payment_claim(invoice: Invoice, claimed_at: datetime, claimant: str) -> Paper:
    """대금청구서: the supplier's claim of an inspected month, its amount, the due date counted from the claim
    and the stamp duty of the contract."""
    order = invoice.order
    supplier = order.supplier
    return Paper(
        title="대금청구서",
        subtitle=f"{order.service.name} {month_text(invoice.month)} 이용분",
        number_label="청구번호",
        number=invoice.code,
        dated=_claim_day(claimed_at),
        subject=order.code,
        blocks=[
            KeyValues(
                "청구인 (계약상대자)",
                [
                    ("상호", supplier.name),
                    ("사업자등록번호", business_number(supplier.business_number or "")),
                    ("대표자", supplier.representative or "-"),
                    ("주소", supplier.address or "-"),
                ],
            ),
            KeyValues("계약", _contract(invoice)),
            _items_grid(invoice, "청구 내역"),
            KeyValues("청구 금액", _amounts(invoice)),
            KeyValues(
                "검수와 지급",
                [
                    ("검수일", korean_date(invoice.accepted_on)),
                    ("청구일시", kst_time(claimed_at)),
                    ("지급기한", f"{korean_date(invoice.due_date)}까지"),
                    ("지급기한의 근거", f"{PAYMENT_RULE}, {PAYMENT_LAW}"),
                    ("계약서 인지세", stamp_duty_text(order.supply_amount)),
                ],
            ),
            Paragraph("위 계약의 이용실적에 대하여 발주기관의 검수를 마쳤으므로 위 금액을 청구합니다."),
            Paragraph(f"{korean_date(_claim_day(claimed_at))}\n청구인  {supplier.name}  {claimant}"),
        ],
    )


def _claim_day(claimed_at: datetime) -> date:
    return today_kst(claimed_at)
