"""A price plan's price in its canonical unit, the lowest per unit, and a price as text. No I/O.

How a plan's price is brought to its canonical unit (`normalise_plan`; the unit itself is `compare_units`'):

* Prices are compared **excluding VAT**: a plan entered with VAT included is divided by 1.1.
* A per-hour price is never turned into a per-month one for comparison (months differ in length);
  next to it the page shows, for orientation, the amount for 730 hours (365 × 24 ÷ 12), the average
  month cloud providers use.
* Amounts of 100 won or more are rounded half up to the won; smaller ones (a price per GB, per 건,
  per hour) keep three significant digits, so 30,000 won per TB reads 29.3 won per GB, not 29.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache

from ..core.formatting import UnitText
from ..core.i18n import N_, Text
from .compare_facts import PlanFacts
from .compare_units import CanonicalUnit, canonical_unit, tidy_unit
from .rules import BILLING_LABELS

VAT_FACTOR = Fraction(11, 10)
HOURS_PER_MONTH = 730


def round_won(value: Fraction) -> Decimal:
    """Half up to the won from 100 won; below, three significant digits (29.296875 -> 29.3)."""
    amount = Decimal(value.numerator) / Decimal(value.denominator)
    if amount >= 100 or amount == 0:
        return amount.quantize(Decimal(1), ROUND_HALF_UP)
    rounded = amount.quantize(Decimal(1).scaleb(amount.adjusted() - 2), ROUND_HALF_UP)
    return rounded.quantize(Decimal(1)) if rounded == rounded.to_integral_value() else rounded.normalize()


def format_amount(amount: Decimal) -> str:
    """12000 -> "12,000"; 29.3 -> "29.3" (no exponent, ever)."""
    if amount == amount.to_integral_value():
        return f"{int(amount):,}"
    return f"{amount.normalize():,f}"


@dataclass(frozen=True)
class NormalisedPrice:
    """A plan's price excluding VAT in its canonical unit."""

    unit: CanonicalUnit
    amount: Decimal
    plan: PlanFacts

    @property
    def converted(self) -> bool:
        """Whether the amount differs from the listed price (VAT taken out, or another quantity)."""
        return self.plan.vat_included or self.unit.factor != 1

    @property
    def monthly_at_730_hours(self) -> Decimal | None:
        """For a per-hour price, the amount for an average month (730 h), for orientation only."""
        return round_won(Fraction(self.amount) * HOURS_PER_MONTH) if self.unit.hourly else None


def normalise_plan(plan: PlanFacts) -> NormalisedPrice:
    unit = canonical_unit(plan.unit, plan.billing, plan.name)
    amount = Fraction(plan.unit_price) * unit.factor
    if plan.vat_included:
        amount /= VAT_FACTOR
    return NormalisedPrice(unit, round_won(amount), plan)


def lowest_prices(plans: Iterable[PlanFacts]) -> dict[str, NormalisedPrice]:
    """Per canonical unit and resource (`CanonicalUnit.key`), the plan with the lowest normalised price
    (the first of equals)."""
    lowest: dict[str, NormalisedPrice] = {}
    for plan in plans:
        price = normalise_plan(plan)
        current = lowest.get(price.unit.key)
        if current is None or price.amount < current.amount:
            lowest[price.unit.key] = price
    return lowest


def main_plan_text(plan: PlanFacts) -> Text:
    """A main plan as a comparison shows it: name, price without VAT, the unit and billing as listed."""
    amount = Fraction(plan.unit_price) / (VAT_FACTOR if plan.vat_included else 1)
    return N_(
        "%(plan)s: %(price)s",
        plan=plan.name,
        price=price_text(round_won(amount), plan.unit, plan.billing),
    )


@lru_cache(maxsize=1024)
def unit_text(unit: str) -> str:
    """A listed unit as a price shows it after the amount: "사용자/월" -> "사용자·월" (a catalog lists a few
    dozen units, and a page of results shows one per service: each is tidied once)."""
    return "·".join(part.strip() for part in tidy_unit(unit).split("/") if part.strip()) or tidy_unit(unit)


def price_text(amount: Decimal | int, unit: str, billing: str) -> Text:
    """A price with its unit and billing: "28,000원 / 사용자·월 (월 정액, 부가세 별도)"."""
    return N_(
        "%(amount)s won / %(unit)s (%(billing)s, without VAT)",
        amount=format_amount(Decimal(amount)),
        unit=UnitText(unit_text(unit)),
        billing=BILLING_LABELS.get(billing) or billing,
    )


@lru_cache(maxsize=4096)
def price_label(amount: Decimal | int, unit: str, billing: str, locale: str) -> str:
    """`price_text` as read in one language, remembered: every page of results shows twenty main plans, the
    same plans come back in many searches, and formatting one costs more than the rest of its result."""
    return price_text(amount, unit, billing).render(locale)
