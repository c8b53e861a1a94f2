"""The rules of tax invoices (전자세금계산서), plain Python, no I/O: the approval number's form, the tax of
each item (the items' taxes add up to the invoice's), and amendments (수정세금계산서) with the reason codes
of 부가가치세법 시행령 제70조 제1항 as the national standard numbers them (1-6).

How each reason amends an original here:

| code | reason | the amended invoice |
|---|---|---|
| 1 | 기재사항 착오·정정 | two: the original cancelled (negative), and its supply restated with the details corrected |
| 2 | 공급가액 변동 | the change of supply value (more or less), dated the day of the change |
| 3 | 환입 | a reduction (negative change) |
| 4 | 계약의 해제 | the original cancelled in full, dated the day of the termination |
| 5 | 내국신용장 사후개설 | refused: a digital service here is never supplied under a local letter of credit |
| 6 | 착오에 의한 이중발급 | the original cancelled in full |
"""

from __future__ import annotations

from datetime import date

from ..contracting.money import vat_of
from ..core.i18n import N_, Text

AMENDMENT_REASONS: dict[int, str] = {
    1: "기재사항 착오·정정",
    2: "공급가액 변동",
    3: "환입",
    4: "계약의 해제",
    5: "내국신용장 사후개설",
    6: "착오에 의한 이중발급",
}
#: Reasons that cancel the original in full.
CANCELLING = (4, 6)
#: Reasons that state a change of supply value: 2 more or less, 3 only less.
CHANGING = (2, 3)
#: The system code in the approval number (the 8 digits after the date): this platform's, not the NTS's.
ISSUER_CODE = "41000000"
MAX_NOTE = 500


def approval_number(issued_on: date, serial: int) -> str:
    """24 digits as the national standard's approval numbers are (작성일자 YYYYMMDD, 8 digits of the
    issuing system, 8 of serial)."""
    return f"{issued_on:%Y%m%d}{ISSUER_CODE}{serial % 100_000_000:08d}"


def signed_tax(supply: int) -> int:
    """10 % of a supply value cut to the won, a reduction's tax negative as its value."""
    return vat_of(supply) if supply >= 0 else -vat_of(-supply)


def item_taxes(supplies: list[int], total_tax: int) -> list[int]:
    """Each item's tax (10 % cut to the won), the last item taking the difference so that they add up to
    the invoice's tax (the tax of the whole, as the invoice computed it)."""
    taxes = [signed_tax(supply) for supply in supplies]
    if taxes:
        taxes[-1] += total_tax - sum(taxes)
    return taxes


def amendment_problems(code: object, supply_change: object, note: object, remaining_supply: int) -> dict[str, Text]:
    """What is wrong with an amendment of an invoice whose supply value still stands at
    ``remaining_supply`` (the original plus its amendments so far), by field."""
    problems: dict[str, Text] = {}
    if not isinstance(code, int) or code not in AMENDMENT_REASONS:
        return {"code": N_("Choose the reason of the amendment (1 to 6).")}
    if code == 5:
        problems["code"] = N_(
            "A local letter of credit (내국신용장) does not apply to a digital service; choose another reason."
        )
    if remaining_supply <= 0:
        problems["code"] = N_("This tax invoice is already cancelled in full by its amendments.")
    if code in CHANGING:
        if not isinstance(supply_change, int) or isinstance(supply_change, bool) or supply_change == 0:
            problems["supply_change"] = N_("Give the change of the supply value in won (not 0).")
        elif code == 3 and supply_change > 0:
            problems["supply_change"] = N_("Goods returned (환입) reduce the supply value: give a negative change.")
        elif supply_change < -remaining_supply:
            problems["supply_change"] = N_(
                "The reduction is larger than the supply value that remains (%(left)s won).",
                left=f"{remaining_supply:,}",
            )
        elif abs(supply_change) > 10**13:
            problems["supply_change"] = N_("The change is too large.")
    if not isinstance(note, str) or len(note) > MAX_NOTE:
        problems["note"] = N_("Write at most %(n)s characters.", n=MAX_NOTE)
    return problems
