"""What a comparison reads: the codes of the 2 to 4 services a buyer picked, and the facts of each
service and of its price plans. No I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..core.errors import ValidationFailed
from ..core.i18n import N_, Text, current_locale

MIN_SERVICES, MAX_SERVICES = 2, 4
MAX_CODE_LENGTH = 40

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
    """The service codes of a query string, tidied (SAS-2026-00001), blanks and repeats left out, in order;
    a value may hold several codes apart by commas (``codes=A,B`` as ``codes=A&codes=B``)."""
    codes: list[str] = []
    for value in raw:
        for part in (value or "").split(","):
            code = part.strip().upper()[:MAX_CODE_LENGTH]
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
