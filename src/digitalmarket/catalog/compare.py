"""Comparing services side by side, and price plans brought to comparable units. No I/O.

A buyer picks 2 to 4 services; `compare` lines up their facts (type, category, supplier, CSAP, SLA,
deployment, data centre, support hours, data return) and, for every comparable unit, each service's
lowest price in it. Each row says whether the services differ in it.

How a price plan is brought to a canonical unit (`normalise_plan`):

* Prices are compared **excluding VAT**: a plan entered with VAT included is divided by 1.1.
* Only exact conversions are made. Storage: 1 TB = 1,024 GB (and 1 GB = 1,024 MB, 1 PB = 1,024 TB), the
  binary convention cloud providers bill by, so a price per TB is divided by 1,024. Periods: a price per
  year is divided by 12 (per month), a price per minute is multiplied by 60 (per hour). Counts: a price
  per 천 건 is divided by 1,000, per 만 자 by 10,000 (and so on).
* Synonyms name the same unit: 사용자, 명 and user(s) are all "사용자"; 월, 개월 and month(s) "월";
  시간, hour(s) "시간"; vCPU in any case "vCPU"; 인월 and person-month(s) "인월".
* A unit without a period (식, 대, GB, 건 ...) billed **monthly** is a price per month (식 -> 식/월);
  billed by usage or at a fixed price it stays a price per unit. 인월 and 시간 never get a period.
* A per-hour price is never turned into a per-month one for comparison (months differ in length);
  next to it the page shows, for orientation, the amount for 730 hours (365 × 24 ÷ 12), the average
  month cloud providers use.
* Amounts of 100 won or more are rounded half up to the won; smaller ones (a price per GB, per 건,
  per hour) keep three significant digits, so 30,000 won per TB reads 29.3 won per GB, not 29.
* A unit that cannot be read stays as written (spaces tidied) and is compared only with the same unit.
* A quantity of data (GB, TB ...) says which **resource** it prices: memory, storage or data transfer,
  named in the unit (GB 메모리/월) or else in the plan's name (메모리, 백업 용량, 전송량). Each resource
  is its own row (최저가(메모리 1GB·1개월)), so memory is never set beside storage; a data price whose
  resource cannot be told is shown in a row of its own and never marked lowest.

Text facts (supplier, support hours, data return ...) differ only when their normalised text differs
(`comparable_text`): full-width forms, dashes and tildes, middle dots, spaces and case do not count.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from ..accounts.rules import SIZE_LABELS
from ..core.errors import ValidationFailed
from ..core.formatting import UnitText
from ..core.i18n import N_, Text, current_locale
from .rules import BILLING_LABELS, CSAP_GRADE_LABELS, DEPLOYMENT_LABELS, TYPE_LABELS, Billing

MIN_SERVICES, MAX_SERVICES = 2, 4
VAT_FACTOR = Fraction(11, 10)
HOURS_PER_MONTH = 730
MAX_CODE_LENGTH = 40

#: Things a unit counts, lower-cased: (canonical name, how many of it make one canonical unit).
THINGS: dict[str, tuple[str, Fraction]] = {
    **dict.fromkeys(("사용자", "명", "user", "users", "person", "persons", "people"), ("사용자", Fraction(1))),
    **dict.fromkeys(("vcpu", "vcpus"), ("vCPU", Fraction(1))),
    **dict.fromkeys(("gpu", "gpus"), ("GPU", Fraction(1))),
    **dict.fromkeys(("gb", "gib"), ("GB", Fraction(1))),
    **dict.fromkeys(("mb", "mib"), ("GB", Fraction(1024))),
    **dict.fromkeys(("tb", "tib"), ("GB", Fraction(1, 1024))),
    **dict.fromkeys(("pb", "pib"), ("GB", Fraction(1, 1024 * 1024))),
    **dict.fromkeys(("건", "case", "cases", "request", "requests", "transaction", "transactions"), ("건", Fraction(1))),
    **dict.fromkeys(("식", "set", "sets", "lump sum", "flat fee"), ("식", Fraction(1))),
    **dict.fromkeys(("인월", "person-month", "person-months", "man-month", "man-months"), ("인월", Fraction(1))),
    **dict.fromkeys(("대", "device", "devices"), ("대", Fraction(1))),
    **dict.fromkeys(("회", "session", "sessions", "occasion", "occasions"), ("회", Fraction(1))),
    **dict.fromkeys(("시간", "hour", "hours", "hr", "hrs"), ("시간", Fraction(1))),
    **dict.fromkeys(("분", "minute", "minutes", "min", "mins"), ("시간", Fraction(60))),
}
#: Things that are a length of time themselves: a monthly bill does not add "per month" to them.
TIME_THINGS = frozenset({"인월", "시간"})
#: Periods, lower-cased: (canonical period, how many of it make one canonical period).
PERIODS: dict[str, tuple[str, Fraction]] = {
    **dict.fromkeys(("월", "개월", "달", "month", "months", "mo"), ("월", Fraction(1))),
    **dict.fromkeys(("년", "연", "year", "years", "yr"), ("월", Fraction(1, 12))),
    **dict.fromkeys(("시간", "시", "hour", "hours", "hr", "h"), ("시간", Fraction(1))),
    **dict.fromkeys(("분", "minute", "minutes", "min"), ("시간", Fraction(60))),
}
MAGNITUDES = {
    "십": 10,
    "백": 100,
    "천": 1000,
    "만": 10_000,
    "십만": 100_000,
    "백만": 1_000_000,
    "천만": 10**7,
    "억": 10**8,
}
_COUNT = re.compile(
    r"^(?P<number>\d[\d,]*(?:\.\d+)?)?\s*(?P<magnitude>십만|백만|천만|십|백|천|만|억)?(?P<space>\s*)(?P<rest>.*)$"
)

#: What each canonical unit means, and the order of the price rows (then by how many services have it).
UNIT_LABELS: dict[str, Text] = {
    "사용자/월": N_("per user per month"),
    "식/월": N_("flat fee per month"),
    "식": N_("flat fee"),
    "vCPU/시간": N_("per vCPU per hour"),
    "vCPU/월": N_("per vCPU per month"),
    "GPU/시간": N_("per GPU per hour"),
    "GB/월": N_("per GB per month"),
    "GB": N_("per GB"),
    "대/월": N_("per device per month"),
    "대": N_("per device"),
    "사용자": N_("per user"),
    "건": N_("per case"),
    "회": N_("per session"),
    "시간": N_("per hour of use"),
    "인월": N_("per person-month"),
}
UNIT_ORDER = {unit: index for index, unit in enumerate(UNIT_LABELS)}

#: Units that count a quantity of data: their price says which resource it is for.
DATA_THINGS = frozenset({"GB"})
#: Resources a quantity of data can price, and the words (lower-cased) that name each, in the order
#: they are looked for: "메모리 용량" is memory, "백업 전송" data transfer.
RESOURCE_WORDS: dict[str, tuple[str, ...]] = {
    "memory": ("메모리", "memory", "ram"),
    "transfer": ("전송", "트래픽", "송신", "아웃바운드", "다운로드", "transfer", "traffic", "egress", "outbound"),
    "storage": (
        "스토리지",
        "저장",
        "디스크",
        "볼륨",
        "백업",
        "아카이브",
        "보관",
        "스냅샷",
        "storage",
        "disk",
        "volume",
        "backup",
        "archive",
        "snapshot",
        "ssd",
        "hdd",
        "nas",
    ),
}
RESOURCE_LABELS: dict[str, Text] = {
    "memory": N_("memory"),
    "storage": N_("storage"),
    "transfer": N_("data transfer"),
}
RESOURCE_UNIT_LABELS: dict[tuple[str, str], Text] = {
    ("GB/월", "memory"): N_("per GB of memory per month"),
    ("GB/월", "storage"): N_("per GB of storage per month"),
    ("GB/월", "transfer"): N_("per GB of data transfer per month"),
    ("GB", "memory"): N_("per GB of memory"),
    ("GB", "storage"): N_("per GB of storage"),
    ("GB", "transfer"): N_("per GB of data transfer"),
}
_WORD = re.compile(r"[a-z]+")

TOO_FEW = N_("Choose at least %(min)s services to compare.", min=MIN_SERVICES)


@dataclass(frozen=True)
class Localised:
    """A value stored in both languages (a category's name)."""

    ko: str
    en: str

    def render(self, locale: str | None = None) -> str:
        return self.en if (locale or current_locale.get()) == "en" else self.ko


def show(value, locale: str | None = None) -> str:
    """A cell's text in the reader's language: messages and localised values rendered, text as is."""
    if isinstance(value, Text | Localised):
        return value.render(locale)
    return "" if value is None else str(value)


@dataclass(frozen=True)
class PlanFacts:
    name: str
    billing: str
    unit: str
    unit_price: int
    vat_included: bool = False
    main: bool = False  # the service's main plan (대표 요금제)


@dataclass(frozen=True)
class ServiceFacts:
    """What a comparison reads of a published service."""

    code: str
    name: str
    type: str
    category: Localised
    supplier: str
    supplier_size: str | None
    deployment: str
    sla_availability: Decimal
    support_hours: str
    data_return_policy: str
    data_centre_location: str | None = None
    csap_grade: str | None = None
    csap_valid_until: date | None = None
    plans: tuple[PlanFacts, ...] = ()
    suspended: bool = False


def facts_of(service) -> ServiceFacts:
    """The facts of a catalog service (any object with the attributes of `tables.Service`)."""
    return ServiceFacts(
        code=service.code,
        name=service.name,
        type=service.type,
        category=Localised(service.category.name_ko, service.category.name_en),
        supplier=service.supplier.name,
        supplier_size=service.supplier.size,
        deployment=service.deployment,
        sla_availability=Decimal(service.sla_availability),
        support_hours=service.support_hours,
        data_return_policy=service.data_return_policy,
        data_centre_location=service.data_centre_location,
        csap_grade=service.csap_grade,
        csap_valid_until=service.csap_valid_until,
        plans=tuple(
            PlanFacts(
                p.name, p.billing, p.unit, p.unit_price, bool(p.vat_included), p.position == service.main_plan_position
            )
            for p in service.price_plans
        ),
        suspended=service.status == "suspended",
    )


# --- the codes a buyer picked ---------------------------------------------------------------------


def chosen_codes(raw: Iterable[str]) -> list[str]:
    """The service codes of a query string, tidied (SAS-2026-00001), blanks and repeats left out, in order."""
    codes: list[str] = []
    for value in raw:
        code = (value or "").strip().upper()[:MAX_CODE_LENGTH]
        if code and code not in codes:
            codes.append(code)
    return codes


def check_count(count: int) -> None:
    """2 to 4 services, else a ValidationFailed on the field ``codes``."""
    if count < MIN_SERVICES:
        raise ValidationFailed(TOO_FEW, fields={"codes": TOO_FEW})
    if count > MAX_SERVICES:
        message = N_("Compare at most %(max)s services at a time; you chose %(count)s.", max=MAX_SERVICES, count=count)
        raise ValidationFailed(message, fields={"codes": message})


# --- prices in comparable units -------------------------------------------------------------------


@dataclass(frozen=True)
class CanonicalUnit:
    """A unit prices can be compared in (``code`` like 사용자/월), how many source units make one, and
    for a quantity of data the resource it prices (memory, storage, transfer; None when unknown)."""

    code: str
    factor: Fraction = Fraction(1)
    resource: str | None = None

    @property
    def key(self) -> str:
        """What a price row stands for: the unit, and the resource of a quantity of data (GB/월:memory)."""
        return f"{self.code}:{self.resource}" if self.resource else self.code

    @property
    def counts_data(self) -> bool:
        return self.code.split("/", 1)[0] in DATA_THINGS

    @property
    def label(self) -> Text:
        if self.resource:
            return RESOURCE_UNIT_LABELS.get((self.code, self.resource)) or N_(
                "per %(unit)s of %(resource)s", unit=self.code, resource=RESOURCE_LABELS[self.resource]
            )
        return UNIT_LABELS.get(self.code) or N_("per %(unit)s", unit=self.code)

    @property
    def hourly(self) -> bool:
        return self.code == "시간" or self.code.endswith("/시간")


def _tidy(unit: str) -> str:
    return re.sub(r"\s+", " ", (unit or "").strip())


def _period(text: str) -> tuple[str, Fraction] | None:
    match = re.fullmatch(r"(\d+)?\s*(.+)", text.strip().lower())
    if not match or match.group(2) not in PERIODS:
        return None
    name, factor = PERIODS[match.group(2)]
    count = int(match.group(1) or 1)
    return (name, factor / count) if count > 0 else None


def _thing(text: str) -> tuple[str, Fraction]:
    """(canonical thing, how many of the written quantity make one) for "천 건", "TB", "10 users" ..."""
    text = text.strip()
    match = _COUNT.match(text)
    count = Fraction(1)
    rest = text
    if match:
        number, magnitude, space, tail = match.group("number", "magnitude", "space", "rest")
        # A magnitude counts only when it cannot be the start of a word (백업 is not 100 × 업).
        if magnitude and not (number or space or tail.lower() in THINGS):
            magnitude, tail = None, magnitude + space + tail
        if (number or magnitude) and tail.strip():
            count = Fraction(number.replace(",", "")) if number else Fraction(1)
            count *= MAGNITUDES[magnitude] if magnitude else 1
            rest = tail.strip()
    if count <= 0:
        return text, Fraction(1)
    name, factor = THINGS.get(rest.lower(), (rest, Fraction(1)))
    return name, factor / count


def _resource_named(text: str) -> str | None:
    """The resource (memory, storage, transfer) a unit or plan name speaks of, if any."""
    lowered = text.lower()
    words = set(_WORD.findall(lowered))
    for resource, names in RESOURCE_WORDS.items():
        if any((name in words) if name.isascii() else (name in lowered) for name in names):
            return resource
    return None


def _without_resource(text: str) -> str:
    """A unit with the words naming its resource taken out: "GB 메모리/월", "GB(메모리)/월" -> "GB/월"."""
    out = text
    for names in RESOURCE_WORDS.values():
        for name in names:
            pattern = rf"\b{re.escape(name)}\b" if name.isascii() else re.escape(name)
            out = re.sub(pattern, " ", out, flags=re.IGNORECASE)
    out = re.sub(r"\(\s*\)", " ", out)
    return re.sub(r"\s*/\s*", "/", _tidy(out))


def canonical_unit(unit: str, billing: str, name: str = "") -> CanonicalUnit:
    """The unit a plan's price is compared in, and the factor from the written unit (see the module);
    a quantity of data also gets its resource, from the unit or else from the plan's ``name``."""
    tidy = _tidy(unit)
    found = _canonical(tidy, billing)
    if found.counts_data:
        return CanonicalUnit(found.code, found.factor, _resource_named(tidy) or _resource_named(name))
    named = _resource_named(tidy)
    if named:
        again = _canonical(_without_resource(tidy), billing)
        if again.counts_data:
            return CanonicalUnit(again.code, again.factor, named)
    return found


def _canonical(tidy: str, billing: str) -> CanonicalUnit:
    text = re.sub(r"\s+per\s+", "/", tidy, flags=re.IGNORECASE)
    text = re.sub(r"^per\s+", "", text, flags=re.IGNORECASE)
    text = re.sub(r"^(원|krw|won)\s*/\s*", "", text, flags=re.IGNORECASE)
    parts = [p.strip() for p in text.split("/")]
    if not all(parts) or len(parts) > 2:
        return CanonicalUnit(tidy)
    if len(parts) == 1 and _period(parts[0]) and parts[0].lower() not in THINGS:
        parts = ["식", parts[0]]  # "월", "year": a flat fee for that period
    thing, factor = _thing(parts[0])
    period = None
    if len(parts) == 2:
        found = _period(parts[1])
        if found is None:
            return CanonicalUnit(tidy)
        period, period_factor = found
        factor *= period_factor
    elif billing == Billing.MONTHLY and thing not in TIME_THINGS:
        period = "월"
    return CanonicalUnit(f"{thing}/{period}" if period else thing, factor)


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
        listed = {"amount": format_amount(Decimal(price.plan.unit_price)), "unit": _tidy(price.plan.unit)}
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


def main_plan_text(plan: PlanFacts) -> Text:
    """A main plan as a comparison shows it: name, price without VAT, the unit and billing as listed."""
    amount = Fraction(plan.unit_price) / (VAT_FACTOR if plan.vat_included else 1)
    return N_(
        "%(plan)s: %(price)s",
        plan=plan.name,
        price=price_text(round_won(amount), plan.unit, plan.billing),
    )


def unit_text(unit: str) -> str:
    """A listed unit as a price shows it after the amount: "사용자/월" -> "사용자·월"."""
    return "·".join(part.strip() for part in _tidy(unit).split("/") if part.strip()) or _tidy(unit)


def price_text(amount: Decimal | int, unit: str, billing: str) -> Text:
    """A price with its unit and billing: "28,000원 / 사용자·월 (월 정액, 부가세 별도)"."""
    return N_(
        "%(amount)s won / %(unit)s (%(billing)s, without VAT)",
        amount=format_amount(Decimal(amount)),
        unit=UnitText(unit_text(unit)),
        billing=BILLING_LABELS.get(billing) or billing,
    )


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
