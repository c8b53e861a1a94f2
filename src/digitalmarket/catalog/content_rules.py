"""The rules a service's content must meet. No I/O.

The content of a service travels as a plain dict (an application's snapshot, an import line, a
published service's fields). `clean_content` checks and normalises it (its fields, its CSAP certificate,
its price plans and the main one); with ``complete=False`` it checks only what is present, so that an
incomplete draft can be saved but a wrong value never is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from ..core.errors import ValidationFailed
from ..core.i18n import N_, Text
from .rules import CLOUD_TYPES, CSAP_GRADES, Billing, Deployment, ServiceType

LIMITS = {
    "name": 100,
    "summary": 300,
    "description": 5000,
    "data_centre_location": 200,
    "support_hours": 100,
    "data_return_policy": 2000,
    "csap_certificate_number": 50,
    "csap_underlying_iaas": 100,
}
MAX_FEATURES, MAX_KEYWORDS, MAX_FEATURE, MAX_KEYWORD = 20, 20, 200, 50
MIN_PLANS, MAX_PLANS = 1, 10
MAX_UNIT_PRICE = 10**12
MAX_MIN_TERM_MONTHS = 120

TEXT_FIELDS = ("name", "summary", "description", "data_centre_location", "support_hours", "data_return_policy")
REQUIRED_FIELDS = (
    "type",
    "category_id",
    "name",
    "summary",
    "description",
    "deployment",
    "sla_availability",
    "support_hours",
    "data_return_policy",
)
CSAP_REQUIRED = ("csap_grade", "csap_certificate_number", "csap_valid_until")


@dataclass(frozen=True)
class ContentProfile:
    """Which fields a complete service must have: all of them for an application (selection); for a
    service migrated from elsewhere (import), what the import format carries."""

    required: tuple[str, ...] = REQUIRED_FIELDS
    csap_required: tuple[str, ...] = CSAP_REQUIRED
    #: An expired certificate is refused on an application; a migrated service arrives suspended instead.
    allow_expired_csap: bool = False


SELECTION_PROFILE = ContentProfile()
IMPORT_PROFILE = ContentProfile(
    required=("type", "category_id", "name", "summary", "description", "deployment", "sla_availability"),
    csap_required=("csap_grade", "csap_valid_until"),
    allow_expired_csap=True,
)


@dataclass(frozen=True)
class CategoryRef:
    id: int
    type: str


REQUIRED = N_("This field is required.")


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value).strip())


def _string_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.replace("\r", "").split("\n")
    if not isinstance(value, list):
        return ["\x00invalid"]
    return [_text(v) for v in value if _text(v)]


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = _text(value).replace(",", "")
    if text.lstrip("-").isdigit():
        return int(text)
    return None


def _bool(value) -> bool:
    if isinstance(value, bool):
        return value
    return _text(value).lower() in {"1", "true", "yes", "on"}


def _clean_plan(raw, index: int, problems: dict[str, Text]) -> dict | None:
    if not isinstance(raw, dict):
        problems[f"price_plans.{index}"] = N_("This value is not valid.")
        return None
    key = f"price_plans.{index}"
    plan = {
        "name": _text(raw.get("name")),
        "billing": _text(raw.get("billing")),
        "unit": _text(raw.get("unit")),
        "vat_included": _bool(raw.get("vat_included")),
    }
    if not plan["name"]:
        problems[f"{key}.name"] = REQUIRED
    elif len(plan["name"]) > 100:
        problems[f"{key}.name"] = N_("At most %(max)s characters.", max=100)
    if plan["billing"] not in set(Billing):
        problems[f"{key}.billing"] = N_("Choose one of the options.")
    if not plan["unit"]:
        problems[f"{key}.unit"] = REQUIRED
    elif len(plan["unit"]) > 30:
        problems[f"{key}.unit"] = N_("At most %(max)s characters.", max=30)
    price_raw = raw.get("unit_price")
    price = _int(price_raw)
    if price is None:
        problems[f"{key}.unit_price"] = (
            REQUIRED if _text(price_raw) == "" else N_("Enter the price in whole won, without decimals.")
        )
    elif price <= 0:
        problems[f"{key}.unit_price"] = N_("The price must be more than 0 won.")
    elif price > MAX_UNIT_PRICE:
        problems[f"{key}.unit_price"] = N_("The price cannot be more than 1,000,000,000,000 won.")
    plan["unit_price"] = price
    term_raw = raw.get("min_term_months")
    term = 0 if _text(term_raw) == "" else _int(term_raw)
    if term is None or not 0 <= term <= MAX_MIN_TERM_MONTHS:
        problems[f"{key}.min_term_months"] = N_("Enter a number of months from 0 to %(max)s.", max=MAX_MIN_TERM_MONTHS)
    plan["min_term_months"] = term
    return plan


def _mark_main_plan(raw_plans: list, plans: list[dict], problems: dict[str, Text]) -> None:
    """대표 요금제: exactly one plan is the main one, the one marked ``main`` or else the first listed.
    The main plan gives the service's headline price and its place in the price sort."""
    marked = [i for i, raw in enumerate(raw_plans) if isinstance(raw, dict) and _bool(raw.get("main"))]
    if len(marked) > 1:
        problems["price_plans"] = N_("Choose one main price plan; %(count)s are marked as main.", count=len(marked))
    main = marked[0] if len(marked) == 1 and marked[0] < len(plans) else 0
    for index, plan in enumerate(plans):
        plan["main"] = index == main


def main_plan_index(plans: list[dict]) -> int:
    """The position of the main plan among checked plans (`clean_content`): the one marked, else 0."""
    return next((i for i, plan in enumerate(plans) if plan.get("main")), 0)


def _clean_csap(clean: dict, raw: dict, problems: dict[str, Text], today: date, allow_expired: bool = False) -> None:
    grade = _text(raw.get("csap_grade"))
    if grade and grade not in CSAP_GRADES:
        problems["csap_grade"] = N_("Choose one of the options.")
    clean["csap_grade"] = grade or None
    for name in ("csap_certificate_number", "csap_underlying_iaas"):
        value = _text(raw.get(name))
        if len(value) > LIMITS[name]:
            problems[name] = N_("At most %(max)s characters.", max=LIMITS[name])
        clean[name] = value or None
    valid_until = raw.get("csap_valid_until")
    clean["csap_valid_until"] = None
    if _text(valid_until):
        try:
            parsed = valid_until if isinstance(valid_until, date) else date.fromisoformat(_text(valid_until))
        except ValueError:
            problems["csap_valid_until"] = N_("Enter a date like 2026-12-31.")
        else:
            if parsed < today and not allow_expired:
                problems["csap_valid_until"] = N_("The certificate has expired; record a valid one.")
            clean["csap_valid_until"] = parsed.isoformat()


def clean_content(
    raw: dict,
    categories: dict[int, CategoryRef],
    today: date,
    *,
    complete: bool,
    profile: ContentProfile = SELECTION_PROFILE,
) -> dict:
    """Check and normalise a service's content; raise ValidationFailed naming every wrong field.

    With ``complete`` every required field must be present (submission, publication); without, only
    what is present is checked (saving a draft).
    """
    problems: dict[str, Text] = {}
    clean: dict = {}
    service_type = _text(raw.get("type"))
    if service_type and service_type not in set(ServiceType):
        problems["type"] = N_("Choose one of the options.")
    clean["type"] = service_type or None
    category_id = _int(raw.get("category_id")) if _text(raw.get("category_id")) else None
    if _text(raw.get("category_id")) and (category_id not in categories):
        problems["category_id"] = N_("Choose one of the categories.")
    elif category_id and service_type and categories[category_id].type != service_type:
        problems["category_id"] = N_("This category belongs to another type of service.")
    clean["category_id"] = category_id
    for name in TEXT_FIELDS:
        value = _text(raw.get(name))
        if len(value) > LIMITS[name]:
            problems[name] = N_("At most %(max)s characters.", max=LIMITS[name])
        clean[name] = value
    for name, most, longest in (("features", MAX_FEATURES, MAX_FEATURE), ("keywords", MAX_KEYWORDS, MAX_KEYWORD)):
        values = _string_list(raw.get(name))
        if "\x00invalid" in values:
            problems[name] = N_("This value is not valid.")
        elif len(values) > most:
            problems[name] = N_("At most %(max)s items.", max=most)
        elif any(len(v) > longest for v in values):
            problems[name] = N_("Each item may have at most %(max)s characters.", max=longest)
        clean[name] = values
    deployment = _text(raw.get("deployment"))
    if deployment and deployment not in set(Deployment):
        problems["deployment"] = N_("Choose one of the options.")
    clean["deployment"] = deployment or None
    clean["sla_availability"] = None
    sla = _text(raw.get("sla_availability")).removesuffix("%").strip()  # 99.9 or 99.9 %, as the label says (%)
    if sla:
        try:
            value = Decimal(sla)
            if not (Decimal(0) < value <= Decimal(100)) or value.as_tuple().exponent < -3:
                raise InvalidOperation
            clean["sla_availability"] = str(value)
        except InvalidOperation:
            problems["sla_availability"] = N_("Enter a percentage above 0 and at most 100, e.g. 99.9.")
    _clean_csap(clean, raw, problems, today, profile.allow_expired_csap)
    plans_raw = raw.get("price_plans") or []
    if not isinstance(plans_raw, list):
        problems["price_plans"] = N_("This value is not valid.")
        plans_raw = []
    if len(plans_raw) > MAX_PLANS:
        problems["price_plans"] = N_("At most %(max)s price plans.", max=MAX_PLANS)
    plans = [_clean_plan(p, i, problems) for i, p in enumerate(plans_raw[:MAX_PLANS])]
    clean["price_plans"] = [p for p in plans if p is not None]
    _mark_main_plan(plans_raw[:MAX_PLANS], clean["price_plans"], problems)
    if complete:
        for name in profile.required:
            if clean.get(name) in (None, "", []) and name not in problems:
                problems[name] = REQUIRED
        if not clean["price_plans"] and "price_plans" not in problems:
            problems["price_plans"] = N_("Add at least one price plan.")
        if clean["type"] in CLOUD_TYPES:
            for name in profile.csap_required:
                if not clean.get(name) and name not in problems:
                    problems[name] = N_("Cloud services need a valid CSAP certificate.")
    if problems:
        raise ValidationFailed(fields=problems)
    return clean


def missing_for_submission(content: dict, categories: dict[int, CategoryRef], today: date) -> dict[str, Text]:
    """What a draft still lacks before it can be submitted (empty when it is complete)."""
    try:
        clean_content(content, categories, today, complete=True)
    except ValidationFailed as error:
        return error.fields
    return {}


def csap_valid(content: dict, today: date) -> bool:
    valid_until = content.get("csap_valid_until")
    return bool(content.get("csap_grade")) and bool(valid_until) and date.fromisoformat(valid_until) >= today
