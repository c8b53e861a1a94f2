"""JSON shapes of the catalog API, and the content of a service as clients send it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..core.paths import LARGEST_ID
from . import content_rules
from .rules import Billing, Deployment, ServiceStatus, ServiceType
from .tables import PricePlan, Service

TEXT = 10_000  # generous transport limits; the rules give the exact ones with a clear message


class PricePlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="", max_length=TEXT)
    billing: Billing | Literal[""] = Field(default="", description="How the plan is billed (GET /code-lists)")
    unit: str = Field(default="", max_length=TEXT, examples=["사용자/월"])
    unit_price: int = Field(description="KRW, integer, VAT shown separately unless vat_included")
    vat_included: bool = False
    min_term_months: int = 0
    main: bool = Field(
        default=False,
        description="the service's main plan (대표 요금제), its headline price; at most one; none marked: the first",
    )


class ServiceContentIn(BaseModel):
    """Fields of a service; all optional on a draft, all required fields present to submit."""

    model_config = ConfigDict(extra="forbid")

    type: ServiceType | Literal[""] | None = Field(default=None, description="The service type (GET /code-lists)")
    category_id: int | None = Field(None, gt=0, le=LARGEST_ID)
    name: str | None = Field(default=None, max_length=TEXT)
    summary: str | None = Field(default=None, max_length=TEXT)
    description: str | None = Field(default=None, max_length=TEXT)
    features: list[str] | None = Field(default=None, max_length=content_rules.MAX_FEATURES)
    keywords: list[str] | None = Field(default=None, max_length=content_rules.MAX_KEYWORDS)
    deployment: Deployment | Literal[""] | None = Field(default=None, description="public | private | hybrid")
    data_centre_location: str | None = Field(default=None, max_length=TEXT)
    sla_availability: str | None = Field(default=None, max_length=20, examples=["99.9"])
    support_hours: str | None = Field(default=None, max_length=TEXT)
    data_return_policy: str | None = Field(default=None, max_length=TEXT)
    csap_grade: Literal["상", "중", "하", ""] | None = Field(default=None, description="상 | 중 | 하 (CSAP 등급)")
    csap_certificate_number: str | None = Field(default=None, max_length=TEXT)
    csap_valid_until: date | None = None
    csap_underlying_iaas: str | None = Field(default=None, max_length=TEXT)
    price_plans: list[PricePlanIn] | None = Field(default=None, max_length=content_rules.MAX_PLANS)

    def changes(self) -> dict:
        """Only the fields the client sent, as plain values."""
        data = self.model_dump(exclude_unset=True, mode="json")
        return data


class PricePlanOut(BaseModel):
    id: int = Field(description="the plan's id: `price_plan_id` in quote requests, orders and catalog contracts")
    name: str
    billing: Billing
    unit: str
    unit_price: int
    vat_included: bool
    min_term_months: int
    main: bool = Field(description="the service's main plan (대표 요금제), whose price search shows and sorts by")

    @classmethod
    def of(cls, plan: PricePlan, main: bool = False) -> PricePlanOut:
        return cls(
            id=plan.id,
            name=plan.name,
            billing=plan.billing,
            unit=plan.unit,
            unit_price=plan.unit_price,
            vat_included=plan.vat_included,
            min_term_months=plan.min_term_months,
            main=main,
        )


class ServiceOut(BaseModel):
    id: int = Field(description="the service's id: `service_id` in a catalog contract application")
    code: str
    ref: str | None = None
    type: ServiceType
    category: str
    name: str
    summary: str
    description: str
    features: list[str]
    keywords: list[str]
    deployment: Deployment
    data_centre_location: str | None
    sla_availability: str
    support_hours: str
    data_return_policy: str
    csap_grade: str | None
    csap_certificate_number: str | None
    csap_valid_until: date | None
    csap_underlying_iaas: str | None
    supplier: str
    supplier_size: str | None
    state: ServiceStatus = Field(description="published, suspended or delisted")
    state_reason: str | None = Field(description="Why it was suspended or delisted")
    selected_on: date | None
    committee_round: int | None
    published_at: datetime
    price_plans: list[PricePlanOut]
    version: int

    @classmethod
    def of(cls, service: Service) -> ServiceOut:
        return cls(
            id=service.id,
            code=service.code,
            ref=service.ref,
            type=service.type,
            category=service.category.name_ko,
            name=service.name,
            summary=service.summary,
            description=service.description,
            features=service.features,
            keywords=service.keywords,
            deployment=service.deployment,
            data_centre_location=service.data_centre_location,
            sla_availability=str(service.sla_availability),
            support_hours=service.support_hours,
            data_return_policy=service.data_return_policy,
            csap_grade=service.csap_grade,
            csap_certificate_number=service.csap_certificate_number,
            csap_valid_until=service.csap_valid_until,
            csap_underlying_iaas=service.csap_underlying_iaas,
            supplier=service.supplier.name,
            supplier_size=service.supplier.size,
            state=service.status,
            state_reason=service.status_reason,
            selected_on=service.selected_on,
            committee_round=service.committee_round,
            published_at=service.published_at,
            price_plans=[PricePlanOut.of(p, p.position == service.main_plan_position) for p in service.price_plans],
            version=service.version,
        )


class ServiceStatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int
    reason: str = Field(max_length=TEXT)


class CategoryOut(BaseModel):
    id: int = Field(description="`category_id` in an application's content")
    type: str = Field(description="The service type the category belongs to (`GET /code-lists`: service_types)")
    name_ko: str
    name_en: str


class CodeOut(BaseModel):
    code: str = Field(description="The value to send")
    label: str = Field(description="What it means, in the caller's language (Accept-Language)")


class CodeListsOut(BaseModel):
    """The values the catalog accepts, from the constants the product itself checks against."""

    service_types: list[CodeOut] = Field(description="`type` of a service; `code` is its public id's prefix")
    deployments: list[CodeOut] = Field(description="`deployment` of a service")
    billings: list[CodeOut] = Field(description="`billing` of a price plan")
    csap_grades: list[CodeOut] = Field(description="`csap_grade` of a cloud service (CSAP 등급)")
    units: list[str] = Field(description="Common `unit`s of a price plan; others are accepted too")
    service_statuses: list[CodeOut] = Field(description="`state` of a listed service")
    public_document_kinds: list[CodeOut] = Field(description="The documents a service page offers")
