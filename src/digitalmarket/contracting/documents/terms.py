"""What a contract document (계약서) holds and says, before it is laid out.

The facts of an order's version as a ``ContractDocument`` (the parties, the lines and amounts, the period,
the confirmations), the fixed wording every document prints (title, data clause, standard terms), and the
formatting of figures, dates and texts in Korean (`korean_amount`, `korean_date`, `kst_time`). `check`
refuses a document whose figures do not add up; `layout.contract_pdf` lays a checked one out.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from ...core.clock import KST
from ...core.formatting import won
from ..money import VAT_PERCENT, vat_of

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
    signed: bool = False  # the parties confirm by electronic signatures appended to this very PDF (전자서명)

    @property
    def concluded(self) -> bool:
        """Both parties confirmed: the document of record, else a draft (계약서안)."""
        return self.agency_confirmation is not None and self.supplier_confirmation is not None


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
SIGNED_NOTICE = (
    "발주기관과 계약상대자는 이 계약서에 각각 전자서명하여 확인한다. 두 당사자의 전자서명과 디지털서비스 마켓의 "
    "시점확인이 이 문서에 덧붙여지면 계약이 성립하며, 서명한 사람과 시각은 서명 정보에 기록되고 누구나 "
    "디지털서비스 마켓의 문서 검증(/verify)에서 확인할 수 있다."
)
SIGNED_DATE = "(계약일자: 두 번째 전자서명의 날짜)"
SIGNED_CELL = "전자서명\n(이 문서의 서명 정보)"
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
    texts += [SIGNED_NOTICE, SIGNED_DATE, SIGNED_CELL]
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
