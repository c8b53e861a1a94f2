"""JSON shapes of the comparison API: the services compared and the rows lining them up."""

from __future__ import annotations

from pydantic import BaseModel, Field

from .compare import Comparison, Row, Value
from .compare_facts import ServiceFacts, show


class ComparedServiceOut(BaseModel):
    code: str
    name: str
    type: str
    supplier: str
    suspended: bool

    @classmethod
    def of(cls, service: ServiceFacts) -> ComparedServiceOut:
        return cls(
            code=service.code,
            name=service.name,
            type=service.type,
            supplier=service.supplier,
            suspended=service.suspended,
        )


class ComparedPriceOut(BaseModel):
    amount: float = Field(description="KRW excluding VAT, per the row's canonical unit")
    plan: str = Field(description="the service's cheapest plan in this unit (and resource)")
    listed_unit: str
    billing: str = Field(description="monthly | usage | fixed, as listed")
    main: bool = Field(default=False, description="whether this plan is the service's main plan (대표 요금제)")
    listed_price: int = Field(description="KRW as listed in the catalog")
    vat_included: bool = Field(description="whether the listed price includes VAT (the amount never does)")
    monthly_at_730_hours: float | None = Field(
        default=None, description="for hourly units: the amount for 730 hours, a guide only"
    )


class ComparedValueOut(BaseModel):
    text: str = Field(description="the value as the page shows it, in the caller's language")
    lowest: bool = Field(default=False, description="the lowest price of a price row")
    price: ComparedPriceOut | None = None

    @classmethod
    def of(cls, value: Value, locale: str) -> ComparedValueOut:
        price = None
        if value.price is not None:
            p = value.price
            monthly = p.monthly_at_730_hours
            price = ComparedPriceOut(
                amount=float(p.amount),
                plan=p.plan.name,
                listed_unit=p.plan.unit,
                billing=p.plan.billing,
                main=p.plan.main,
                listed_price=p.plan.unit_price,
                vat_included=p.plan.vat_included,
                monthly_at_730_hours=float(monthly) if monthly is not None else None,
            )
        return cls(text=show(value.text, locale), lowest=value.lowest, price=price)


class ComparisonRowOut(BaseModel):
    key: str = Field(examples=["sla", "price:사용자/월"])
    label: str
    unit: str | None = Field(default=None, description="the canonical unit of a price row", examples=["사용자/월"])
    resource: str | None = Field(
        default=None, description="for a price per GB: memory | storage | transfer (null when not named)"
    )
    comparable: bool = Field(
        default=True, description="whether the lowest price is marked (false: the plans' resource is not named)"
    )
    note: str | None = Field(default=None, description="why a price row is not compared")
    differs: bool = Field(description="whether the services' values differ in this row (text compared normalised)")
    values: list[ComparedValueOut] = Field(description="one per service, in the order of `services`")

    @classmethod
    def of(cls, row: Row, locale: str) -> ComparisonRowOut:
        return cls(
            key=row.key,
            label=row.label.render(locale),
            unit=row.unit.code if row.unit else None,
            resource=row.unit.resource if row.unit else None,
            comparable=row.comparable,
            note=row.note.render(locale) if row.note else None,
            differs=row.differs,
            values=[ComparedValueOut.of(v, locale) for v in row.values],
        )


class ComparisonOut(BaseModel):
    services: list[ComparedServiceOut]
    rows: list[ComparisonRowOut]

    @classmethod
    def of(cls, comparison: Comparison, locale: str) -> ComparisonOut:
        return cls(
            services=[ComparedServiceOut.of(s) for s in comparison.services],
            rows=[ComparisonRowOut.of(r, locale) for r in comparison.rows],
        )
