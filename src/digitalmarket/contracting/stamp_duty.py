"""Stamp duty (인지세) on a contract document: 인지세법 제3조 제1항, the tax on a document of a
contract for work or services (도급 등 계약서) by the amount it states (기재금액), in brackets. Plain Python, no I/O.

| 기재금액 (공급가액, won)             | 인지세     |
|--------------------------------------|------------|
| 10,000,000 or less                   | none       |
| over 10,000,000 up to 30,000,000     | 20,000     |
| over 30,000,000 up to 50,000,000     | 40,000     |
| over 50,000,000 up to 100,000,000    | 70,000     |
| over 100,000,000 up to 1,000,000,000 | 150,000    |
| over 1,000,000,000                   | 350,000    |

The stated amount is the contract's supply value: a contract that states the VAT apart is taxed on the
amount without it. The duty is due on each document, so each party pays it for the copy it keeps
(인지세법 제1조 제2항: documents made jointly are taxed jointly); a change contract (변경계약서) that
raises the amount is taxed on the new amount, as a new document.
"""

from __future__ import annotations

from dataclasses import dataclass

#: (upper bound of the bracket in won, inclusive; the duty in won). Above the last bound: `TOP_DUTY`.
BRACKETS: tuple[tuple[int, int], ...] = (
    (10_000_000, 0),
    (30_000_000, 20_000),
    (50_000_000, 40_000),
    (100_000_000, 70_000),
    (1_000_000_000, 150_000),
)
TOP_DUTY = 350_000
LAW = "인지세법 제3조"


def stamp_duty(stated_amount: int) -> int:
    """The stamp duty in won on a contract document stating ``stated_amount`` won (without VAT)."""
    if stated_amount < 0:
        raise ValueError("an amount is never negative")
    for upper, duty in BRACKETS:
        if stated_amount <= upper:
            return duty
    return TOP_DUTY


@dataclass(frozen=True)
class StampDuty:
    """The duty of a document and what it was computed on, as documents and pages show it."""

    stated_amount: int
    duty: int

    @property
    def due(self) -> bool:
        return self.duty > 0


def stamp_duty_of(stated_amount: int) -> StampDuty:
    return StampDuty(stated_amount, stamp_duty(stated_amount))


def stamp_duty_text(stated_amount: int) -> str:
    """The line a Korean document prints: "70,000원 (기재금액 60,000,000원 기준, 인지세법 제3조)" or that
    none is due."""
    duty = stamp_duty(stated_amount)
    if not duty:
        return f"비과세 (기재금액 1천만원 이하, {LAW})"
    return f"{duty:,}원 (기재금액 {stated_amount:,}원 기준, {LAW})"
