"""Units of price plans brought to canonical units prices can be compared in (`canonical_unit`). No I/O.

* Only exact conversions are made. Storage: 1 TB = 1,024 GB (and 1 GB = 1,024 MB, 1 PB = 1,024 TB), the
  binary convention cloud providers bill by, so a price per TB is divided by 1,024. Periods: a price per
  year is divided by 12 (per month), a price per minute is multiplied by 60 (per hour). Counts: a price
  per 천 건 is divided by 1,000, per 만 자 by 10,000 (and so on).
* Synonyms name the same unit: 사용자, 명 and user(s) are all "사용자"; 월, 개월 and month(s) "월";
  시간, hour(s) "시간"; vCPU in any case "vCPU"; 인월 and person-month(s) "인월".
* A unit without a period (식, 대, GB, 건 ...) billed **monthly** is a price per month (식 -> 식/월);
  billed by usage or at a fixed price it stays a price per unit. 인월 and 시간 never get a period.
* A unit that cannot be read stays as written (spaces tidied) and is compared only with the same unit.
* A quantity of data (GB, TB ...) says which **resource** it prices: memory, storage or data transfer,
  named in the unit (GB 메모리/월) or else in the plan's name (메모리, 백업 용량, 전송량). Each resource
  is its own row (최저가(메모리 1GB·1개월)), so memory is never set beside storage; a data price whose
  resource cannot be told is shown in a row of its own and never marked lowest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from ..core.i18n import N_, Text
from .rules import Billing

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


def tidy_unit(unit: str) -> str:
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
    return re.sub(r"\s*/\s*", "/", tidy_unit(out))


def canonical_unit(unit: str, billing: str, name: str = "") -> CanonicalUnit:
    """The unit a plan's price is compared in, and the factor from the written unit (see the module);
    a quantity of data also gets its resource, from the unit or else from the plan's ``name``."""
    tidy = tidy_unit(unit)
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
