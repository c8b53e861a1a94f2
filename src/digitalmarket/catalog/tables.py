"""Tables of the catalog: categories, published services and their price plans."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.tables import Organisation
from ..core.tables import Base, UTCDateTime, utcnow

SERVICE_TYPES_SQL = "('IaaS', 'PaaS', 'SaaS', 'SUPPORT', 'CONVERGENCE')"


class Category(Base):
    """A catalog category of one service type (stored as data, editable by admins)."""

    __tablename__ = "categories"
    __table_args__ = (
        UniqueConstraint("type", "name_ko", name="uq_categories_type_name"),
        CheckConstraint(f"type IN {SERVICE_TYPES_SQL}", name="type"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(16), nullable=False)
    name_ko: Mapped[str] = mapped_column(String(100), nullable=False)
    name_en: Mapped[str] = mapped_column(String(100), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    def label(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_ko


class Service(Base):
    """디지털서비스: a selected (or imported) service, published in the catalog."""

    __tablename__ = "services"
    __table_args__ = (
        CheckConstraint(f"type IN {SERVICE_TYPES_SQL}", name="type"),
        CheckConstraint("status IN ('published', 'suspended', 'delisted')", name="status"),
        CheckConstraint("deployment IN ('public', 'private', 'hybrid')", name="deployment"),
        CheckConstraint("sla_availability > 0 AND sla_availability <= 100", name="sla"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), nullable=False, unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    type: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    summary: Mapped[str] = mapped_column(String(300), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    features: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    keywords: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    deployment: Mapped[str] = mapped_column(String(16), nullable=False)
    data_centre_location: Mapped[str | None] = mapped_column(String(200))
    sla_availability: Mapped[Decimal] = mapped_column(Numeric(6, 3), nullable=False)
    support_hours: Mapped[str] = mapped_column(String(100), nullable=False)
    data_return_policy: Mapped[str] = mapped_column(Text, nullable=False)
    csap_grade: Mapped[str | None] = mapped_column(String(4))
    csap_certificate_number: Mapped[str | None] = mapped_column(String(50))
    csap_valid_until: Mapped[date | None] = mapped_column(Date)
    csap_underlying_iaas: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="published", index=True)
    status_reason: Mapped[str | None] = mapped_column(String(500))
    selected_on: Mapped[date | None] = mapped_column(Date)
    committee_round: Mapped[int | None] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(100), nullable=False)
    ref: Mapped[str | None] = mapped_column(String(100), unique=True)  # the importer's own identifier
    #: 대표 요금제: the position of the plan the supplier chose as the service's main one (the headline
    #: price of search results and the price sort); one number, so a service has exactly one.
    main_plan_position: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    supplier: Mapped[Organisation] = relationship(lazy="joined")
    category: Mapped[Category] = relationship(lazy="joined")
    price_plans: Mapped[list[PricePlan]] = relationship(
        back_populates="service", order_by="PricePlan.position", lazy="selectin", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def main_plan(self) -> PricePlan | None:
        """The supplier's main price plan (the first one when the position is out of range)."""
        plans = self.price_plans
        found = next((p for p in plans if p.position == self.main_plan_position), None)
        return found or (plans[0] if plans else None)


class PricePlan(Base):
    """요금제: unit prices are integer won."""

    __tablename__ = "price_plans"
    __table_args__ = (
        CheckConstraint("unit_price > 0 AND unit_price <= 1000000000000", name="unit_price"),
        CheckConstraint("billing IN ('monthly', 'usage', 'fixed')", name="billing"),
        CheckConstraint("min_term_months >= 0", name="min_term"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    billing: Mapped[str] = mapped_column(String(16), nullable=False)
    unit: Mapped[str] = mapped_column(String(30), nullable=False)
    unit_price: Mapped[int] = mapped_column(BigInteger, nullable=False)
    vat_included: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    min_term_months: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    service: Mapped[Service] = relationship(back_populates="price_plans")

    @property
    def main(self) -> bool:
        """Whether this is its service's main plan (대표 요금제)."""
        return self.service is not None and self.service.main_plan is self


class ServiceDocument(Base):
    """A public document of a service (서비스 설명서, SLA, 요금표) as published; its bytes are stored once by
    SHA-256. Every version is kept; buyers are offered the latest of each kind."""

    __tablename__ = "service_documents"
    __table_args__ = (
        UniqueConstraint("service_id", "kind", "version", name="uq_service_documents_service_kind_version"),
        CheckConstraint("kind IN ('service_description', 'sla', 'price_list')", name="kind"),
        CheckConstraint("version > 0", name="version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    media_type: Mapped[str] = mapped_column(String(100), nullable=False)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
