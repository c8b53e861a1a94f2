"""The money of contracting: a line's supply value, VAT, the amounts of a quote or an order, and a plan's
catalog price without VAT. No I/O.

Money is KRW in integers. A line's supply value (공급가액) is unit price x quantity x months for monthly
and usage billing (quantity per month) and unit price x quantity for a fixed price; VAT is 10 % of the
supply value, cut to the won (원 미만 절사); the total is supply value + VAT. Agreed unit prices are
without VAT and never above the catalog price of the same plan (its price without VAT), nor above the
catalog contract's item price for a delivery request (`lines.ceiling`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

VAT_PERCENT = 10


def line_amount(billing: str, unit_price: int, quantity: int, months: int) -> int:
    """공급가액 of one line (see the module docstring)."""
    if billing == "fixed":
        return unit_price * quantity
    return unit_price * quantity * months


def vat_of(supply: int) -> int:
    return supply * VAT_PERCENT // 100


@dataclass(frozen=True)
class Amounts:
    supply: int
    vat: int
    total: int


def amounts(line_amounts: Iterable[int]) -> Amounts:
    supply = sum(line_amounts)
    vat = vat_of(supply)
    return Amounts(supply, vat, supply + vat)


def catalog_price(unit_price: int, vat_included: bool) -> int:
    """A plan's catalog unit price without VAT (a price entered with VAT is divided by 1.1)."""
    return round(unit_price * 100 / (100 + VAT_PERCENT)) if vat_included else unit_price
