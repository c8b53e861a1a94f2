"""Comparing services side by side. No I/O.

A buyer picks 2 to 4 services (`compare_facts`); `compare` lines up their facts (type, category, supplier,
CSAP, SLA, deployment, data centre, support hours, data return) and, for every comparable unit
(`compare_units`), each service's lowest price in it (`compare_prices`). Each row says whether the services
differ in it; a row of data prices whose resource cannot be told marks no lowest price.

Text facts (supplier, support hours, data return ...) differ only when their normalised text differs
(`comparable_text`): full-width forms, dashes and tildes, middle dots, spaces and case do not count.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ..accounts.rules import SIZE_LABELS
from ..core.i18n import N_, Text
from .compare_facts import ServiceFacts, check_count, show
from .compare_prices import NormalisedPrice, format_amount, lowest_prices, main_plan_text
from .compare_units import UNIT_ORDER, CanonicalUnit, tidy_unit
from .rules import CSAP_GRADE_LABELS, DEPLOYMENT_LABELS, TYPE_LABELS


def comparable_text(value: str) -> str:
    """Text as a comparison tells values apart: full-width forms and compatibility characters folded
    (NFKC), every dash and tilde one "-", middle dots one "·", no spaces, case folded.
    "평일 09:00–18:00" and "평일 09:00-18:00" are the same support hours."""
    text = unicodedata.normalize("NFKC", value)
    text = re.sub(r"[\u2010-\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d~\u223c\u301c\uff5e]", "-", text)
    text = re.sub(r"[\u00b7\u318d\u2022\u2027\u30fb\uff65\u2219]", "·", text)
    return re.sub(r"\s+", "", text).casefold()


# --- the comparison -------------------------------------------------------------------------------

NONE = "-"


@dataclass(frozen=True)
class Value:
    """One service's value in a row: ``text`` to show; ``price`` on price rows; ``lowest`` marked."""

    text: object
    key: object = None
    price: NormalisedPrice | None = None
    lowest: bool = False
    notes: tuple[Text, ...] = ()

    def render(self, locale: str | None = None) -> str:
        return show(self.text, locale)


@dataclass(frozen=True)
class Row:
    key: str
    label: Text
    values: tuple[Value, ...]
    differs: bool
    unit: CanonicalUnit | None = None
    note: Text | None = None  # why a price row marks no lowest price

    @property
    def comparable(self) -> bool:
        return self.note is None

    @property
    def is_price(self) -> bool:
        return self.unit is not None


@dataclass(frozen=True)
class Comparison:
    services: tuple[ServiceFacts, ...]
    rows: tuple[Row, ...] = field(default_factory=tuple)

    @property
    def fact_rows(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if not r.is_price)

    @property
    def price_rows(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.is_price)


def _value(text, key=None) -> Value:
    return Value(text, key if key is not None else (text if text not in (None, "") else NONE))


def _key(value: Value) -> object:
    return comparable_text(value.key) if isinstance(value.key, str) else value.key


def _row(key: str, label: Text, values: Sequence[Value]) -> Row:
    return Row(key, label, tuple(values), differs=len({_key(v) for v in values}) > 1)


def _csap(service: ServiceFacts, today: date) -> Value:
    if not service.csap_grade:
        return _value(N_("None"), NONE)
    until = service.csap_valid_until
    key = (service.csap_grade, until)
    grade = CSAP_GRADE_LABELS.get(service.csap_grade, service.csap_grade)
    if until is None:
        return _value(N_("Grade %(grade)s", grade=grade), key)
    if until < today:
        return _value(N_("Grade %(grade)s, expired on %(date)s", grade=grade, date=until.isoformat()), key)
    return _value(N_("Grade %(grade)s, valid until %(date)s", grade=grade, date=until.isoformat()), key)


def _sla(value: Decimal) -> Value:
    number = value.normalize()
    return _value(f"{number:f} %", number)


def _price_value(price: NormalisedPrice | None) -> Value:
    if price is None:
        return _value(NONE, None)
    notes: list[Text] = []
    if price.converted:
        listed = {"amount": format_amount(Decimal(price.plan.unit_price)), "unit": tidy_unit(price.plan.unit)}
        notes.append(
            N_("listed at %(amount)s won per %(unit)s, VAT included", **listed)
            if price.plan.vat_included
            else N_("listed at %(amount)s won per %(unit)s", **listed)
        )
    monthly = price.monthly_at_730_hours
    if monthly is not None:
        notes.append(N_("about %(amount)s won for 730 hours (a month)", amount=format_amount(monthly)))
    text = N_("%(amount)s won", amount=format_amount(price.amount))
    return Value(text, price.amount, price=price, notes=tuple(notes))


def _mark_lowest(values: list[Value]) -> list[Value]:
    """The lowest price of a row, when at least two services have one and they are not all equal."""
    amounts = [v.price.amount for v in values if v.price is not None]
    if len(amounts) < 2 or len(set(amounts)) == 1:
        return values
    least = min(amounts)
    return [
        Value(v.text, v.key, v.price, True, v.notes) if v.price is not None and v.price.amount == least else v
        for v in values
    ]


UNKNOWN_RESOURCE = N_(
    "Not compared: these plans do not say which resource (memory, storage or data transfer) the data is."
)


def _price_rows(services: Sequence[ServiceFacts]) -> list[Row]:
    """One row per unit and resource; a row of data prices whose resource is unknown marks no lowest."""
    per_service = [lowest_prices(s.plans) for s in services]
    units: dict[str, CanonicalUnit] = {}
    for prices in per_service:
        for key, price in prices.items():
            units.setdefault(key, price.unit)
    ordered = sorted(
        units.values(),
        key=lambda u: (
            -sum(u.key in p for p in per_service),
            UNIT_ORDER.get(u.code, len(UNIT_ORDER)),
            u.code,
            u.resource or "~",
        ),
    )
    rows = []
    for unit in ordered:
        values = [_price_value(prices.get(unit.key)) for prices in per_service]
        priced = sum(v.price is not None for v in values)
        note = UNKNOWN_RESOURCE if unit.counts_data and unit.resource is None and priced > 1 else None
        if note is None:
            values = _mark_lowest(values)
        label = N_("Lowest price %(unit)s", unit=unit.label)
        rows.append(Row(f"price:{unit.key}", label, tuple(values), len({v.key for v in values}) > 1, unit, note))
    return rows


def _main_plan(service: ServiceFacts) -> Value:
    plan = next((p for p in service.plans if p.main), service.plans[0] if service.plans else None)
    if plan is None:
        return _value(NONE, NONE)
    text = main_plan_text(plan)
    return _value(text, text.render("ko"))


def compare(services: Sequence[ServiceFacts], today: date) -> Comparison:
    """Line up 2 to 4 services; ValidationFailed for fewer or more."""
    check_count(len(services))
    rows = [
        _row("type", N_("Type of service"), [_value(TYPE_LABELS.get(s.type, s.type), s.type) for s in services]),
        _row("category", N_("Category"), [_value(s.category, s.category.ko) for s in services]),
        _row("supplier", N_("Supplier"), [_value(s.supplier) for s in services]),
        _row(
            "supplier_size",
            N_("Company size"),
            [_value(SIZE_LABELS.get(s.supplier_size, NONE), s.supplier_size or NONE) for s in services],
        ),
        _row("csap", N_("CSAP certificate"), [_csap(s, today) for s in services]),
        _row("sla", N_("SLA availability"), [_sla(s.sla_availability) for s in services]),
        _row(
            "deployment",
            N_("Deployment"),
            [_value(DEPLOYMENT_LABELS.get(s.deployment, s.deployment), s.deployment) for s in services],
        ),
        _row("data_centre", N_("Data centre location"), [_value(s.data_centre_location or NONE) for s in services]),
        _row("support_hours", N_("Support hours"), [_value(s.support_hours or NONE) for s in services]),
        _row(
            "data_return",
            N_("Data return and deletion at the end of the contract"),
            [_value(s.data_return_policy or NONE) for s in services],
        ),
        _row("main_plan", N_("Main price plan"), [_main_plan(s) for s in services]),
        *_price_rows(services),
    ]
    return Comparison(tuple(services), tuple(rows))
