"""Tables of contracting: catalog contracts with PPS, quote requests and quotes, orders (use contracts).

Every amendment or change keeps what came before: a catalog contract's items and an order's lines carry
the change sequence (변경차수) they belong to, and each sequence has a version row with its period, its
reason and (for orders) its amounts and contract document. The current version is the one whose number
is the parent's ``change_seq``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.tables import Organisation
from ..catalog.tables import Service
from ..core.tables import Base, UTCDateTime, utcnow

CATALOG_STATES_SQL = "('applied', 'pps_review', 'supplement_requested', 'contracted', 'suspended', 'expired')"
REQUEST_STATES_SQL = "('open', 'awarded', 'closed', 'cancelled')"
QUOTE_STATES_SQL = "('requested', 'quoted', 'declined', 'awarded', 'not_awarded')"
ORDER_STATES_SQL = "('draft', 'contracted', 'active', 'completed', 'terminated', 'withdrawn')"
CHANGE_STATES_SQL = "('proposed', 'confirmed', 'withdrawn')"


# --- catalog contracts (카탈로그 계약) -----------------------------------------------------------------------


class CatalogContract(Base):
    """카탈로그 계약: PPS lists a selected service in the shopping mall for a period, at item prices."""

    __tablename__ = "catalog_contracts"
    __table_args__ = (
        CheckConstraint(f"status IN {CATALOG_STATES_SQL}", name="status"),
        CheckConstraint("period_end >= period_start", name="period"),
        Index("ix_catalog_contracts_service_status", "service_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str | None] = mapped_column(String(20), unique=True)  # CC-2026-00017, once contracted
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), nullable=False)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    applied_by: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(32), nullable=False, default="applied")
    change_seq: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # 변경차수
    period_start: Mapped[date] = mapped_column(Date, nullable=False)
    period_end: Mapped[date] = mapped_column(Date, nullable=False)
    status_reason: Mapped[str | None] = mapped_column(Text)  # supplement request, suspension ...
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    contracted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    service: Mapped[Service] = relationship(lazy="joined")
    supplier: Mapped[Organisation] = relationship(lazy="joined")
    items: Mapped[list[CatalogContractItem]] = relationship(
        back_populates="contract", order_by="(CatalogContractItem.seq, CatalogContractItem.position)", lazy="selectin"
    )
    versions: Mapped[list[CatalogContractVersion]] = relationship(
        back_populates="contract", order_by="CatalogContractVersion.seq", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}

    def current_items(self) -> list[CatalogContractItem]:
        return [item for item in self.items if item.seq == self.change_seq]


class CatalogContractVersion(Base):
    """One 변경차수 of a catalog contract: 0 is the contract (or the application), then each amendment."""

    __tablename__ = "catalog_contract_versions"
    __table_args__ = (UniqueConstraint("contract_id", "seq", name="uq_catalog_contract_versions_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("catalog_contracts.id"), nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    period_start: Mapped[date] = mapped_column(Date, nullable=False)
    period_end: Mapped[date] = mapped_column(Date, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    contract: Mapped[CatalogContract] = relationship(back_populates="versions")


class CatalogContractItem(Base):
    """A contracted item (품목) in one 변경차수: a price plan of the service at a unit price <= the plan's."""

    __tablename__ = "catalog_contract_items"
    __table_args__ = (
        CheckConstraint("unit_price > 0", name="unit_price"),
        UniqueConstraint("contract_id", "seq", "product_id", name="uq_catalog_contract_items_product"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("catalog_contracts.id"), nullable=False, index=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    price_plan_id: Mapped[int] = mapped_column(ForeignKey("price_plans.id"), nullable=False)
    product_id: Mapped[str] = mapped_column(String(40), nullable=False)  # 물품식별번호 style
    item: Mapped[str] = mapped_column(String(200), nullable=False)
    unit: Mapped[str] = mapped_column(String(30), nullable=False)
    unit_price: Mapped[int] = mapped_column(BigInteger, nullable=False)  # KRW without VAT

    contract: Mapped[CatalogContract] = relationship(back_populates="items")


# --- quote requests and quotes (견적요청, 견적) --------------------------------------------------------------


class QuoteRequest(Base):
    """견적요청: an agency asks 1 to 5 services for a price on the same need."""

    __tablename__ = "quote_requests"
    __table_args__ = (CheckConstraint(f"status IN {REQUEST_STATES_SQL}", name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), nullable=False, unique=True)  # QR-2026-00001
    agency_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    requirements: Mapped[str] = mapped_column(Text, nullable=False, default="")
    desired_start: Mapped[date] = mapped_column(Date, nullable=False)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)  # answers accepted until
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    # Why the awarded quote was chosen (lowest price, or why not the lowest); kept with the award.
    award_reason: Mapped[str | None] = mapped_column(Text)
    # Why the award came before the deadline while a supplier had not answered; shown to the suppliers.
    early_award_reason: Mapped[str | None] = mapped_column(Text)
    awarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    agency: Mapped[Organisation] = relationship(lazy="joined")
    quotes: Mapped[list[Quote]] = relationship(back_populates="request", order_by="Quote.id", lazy="selectin")

    __mapper_args__ = {"version_id_col": version}


class Quote(Base):
    """견적: one service's answer to a quote request (a row exists from the request on, `requested`)."""

    __tablename__ = "quotes"
    __table_args__ = (
        CheckConstraint(f"status IN {QUOTE_STATES_SQL}", name="status"),
        UniqueConstraint("request_id", "service_id", name="uq_quotes_request_service"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("quote_requests.id"), nullable=False, index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), nullable=False)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="requested")
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # answers given so far
    valid_until: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    decline_reason: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    request: Mapped[QuoteRequest] = relationship(back_populates="quotes")
    service: Mapped[Service] = relationship(lazy="joined")
    supplier: Mapped[Organisation] = relationship(lazy="joined")
    lines: Mapped[list[QuoteLine]] = relationship(
        back_populates="quote", order_by="QuoteLine.position", lazy="selectin", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}


class QuoteLine(Base):
    """A line asked of one service (price plan, quantity, months) and, once answered, its unit price."""

    __tablename__ = "quote_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("months BETWEEN 1 AND 60", name="months"),
        CheckConstraint("unit_price IS NULL OR unit_price > 0", name="unit_price"),
        CheckConstraint("offered_months IS NULL OR offered_months BETWEEN 1 AND months", name="offered_months"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id", ondelete="CASCADE"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    price_plan_id: Mapped[int] = mapped_column(ForeignKey("price_plans.id"), nullable=False)
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)
    months: Mapped[int] = mapped_column(Integer, nullable=False)  # as the agency asked
    catalog_unit_price: Mapped[int] = mapped_column(BigInteger, nullable=False)  # the ceiling when asked
    unit_price: Mapped[int | None] = mapped_column(BigInteger)  # the supplier's answer, without VAT
    # A shorter period the supplier proposes (e.g. to end with its catalog contract); None: as asked.
    offered_months: Mapped[int | None] = mapped_column(Integer)

    @property
    def quoted_months(self) -> int:
        """The months the answer prices: the supplier's shorter proposal, else the months asked."""
        return self.offered_months or self.months

    quote: Mapped[Quote] = relationship(back_populates="lines")


# --- orders (이용계약) ------------------------------------------------------------------------------------------


class Order(Base):
    """이용계약: an agency's contract for a service, by delivery request (납품요구) or negotiation (수의계약)."""

    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(f"status IN {ORDER_STATES_SQL}", name="status"),
        CheckConstraint("method IN ('negotiated', 'delivery_request')", name="method"),
        CheckConstraint("end_date >= start_date", name="period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), nullable=False, unique=True)  # ORD-2026-00001
    agency_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), nullable=False, index=True)
    method: Mapped[str] = mapped_column(String(20), nullable=False)
    catalog_contract_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_contracts.id"))
    quote_id: Mapped[int | None] = mapped_column(ForeignKey("quotes.id"), unique=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="draft")
    change_seq: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # 변경차수 in force
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    end_date: Mapped[date] = mapped_column(Date, nullable=False)
    supply_amount: Mapped[int] = mapped_column(BigInteger, nullable=False)  # 공급가액, KRW
    vat: Mapped[int] = mapped_column(BigInteger, nullable=False)
    total: Mapped[int] = mapped_column(BigInteger, nullable=False)
    status_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    contracted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    agency: Mapped[Organisation] = relationship(foreign_keys=[agency_id], lazy="joined")
    supplier: Mapped[Organisation] = relationship(foreign_keys=[supplier_id], lazy="joined")
    service: Mapped[Service] = relationship(lazy="joined")
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="(OrderLine.seq, OrderLine.position)", lazy="selectin"
    )
    versions: Mapped[list[OrderVersion]] = relationship(
        back_populates="order", order_by="OrderVersion.seq", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}

    def lines_of(self, seq: int) -> list[OrderLine]:
        return [line for line in self.lines if line.seq == seq]

    def current_lines(self) -> list[OrderLine]:
        return self.lines_of(self.change_seq)


class OrderVersion(Base):
    """One 변경차수 of an order: 0 is the contract, then each change. A change is `proposed` until both
    sides confirm it; its contract document (PDF) is stored by SHA-256."""

    __tablename__ = "order_versions"
    __table_args__ = (
        CheckConstraint(f"status IN {CHANGE_STATES_SQL}", name="status"),
        UniqueConstraint("order_id", "seq", name="uq_order_versions_seq"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="proposed")
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    end_date: Mapped[date] = mapped_column(Date, nullable=False)
    supply_amount: Mapped[int] = mapped_column(BigInteger, nullable=False)
    vat: Mapped[int] = mapped_column(BigInteger, nullable=False)
    total: Mapped[int] = mapped_column(BigInteger, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    proposed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    document_sha256: Mapped[str | None] = mapped_column(String(64))
    document_size: Mapped[int | None] = mapped_column(Integer)
    agency_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    agency_confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    supplier_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    supplier_confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    order: Mapped[Order] = relationship(back_populates="versions")


class OrderLine(Base):
    """A line of one 변경차수 of an order: a price plan, quantity, months and the agreed unit price."""

    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("months BETWEEN 1 AND 60", name="months"),
        CheckConstraint("unit_price > 0 AND unit_price <= catalog_unit_price", name="unit_price"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), nullable=False, index=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    price_plan_id: Mapped[int] = mapped_column(ForeignKey("price_plans.id"), nullable=False)
    item: Mapped[str] = mapped_column(String(200), nullable=False)
    unit: Mapped[str] = mapped_column(String(30), nullable=False)
    billing: Mapped[str] = mapped_column(String(16), nullable=False)
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)
    months: Mapped[int] = mapped_column(Integer, nullable=False)
    catalog_unit_price: Mapped[int] = mapped_column(BigInteger, nullable=False)  # the ceiling, without VAT
    unit_price: Mapped[int] = mapped_column(BigInteger, nullable=False)  # agreed, without VAT
    amount: Mapped[int] = mapped_column(BigInteger, nullable=False)  # supply value of the line

    order: Mapped[Order] = relationship(back_populates="lines")


# --- catalog contract change requests (변경 요청) ------------------------------------------------------------

CHANGE_REQUEST_KINDS_SQL = "('extension', 'price_cut')"
CHANGE_REQUEST_STATES_SQL = "('pending', 'approved', 'refused', 'withdrawn')"


class CatalogContractChangeRequest(Base):
    """변경 요청: the supplier asks PPS to extend its catalog contract's period or to cut item prices, with a
    reason; the contracting officer approves it (an amendment, 변경차수 + 1) or refuses it with a reason.
    At most one request per contract is pending (a partial unique index)."""

    __tablename__ = "catalog_contract_change_requests"
    __table_args__ = (
        CheckConstraint(f"kind IN {CHANGE_REQUEST_KINDS_SQL}", name="kind"),
        CheckConstraint(f"status IN {CHANGE_REQUEST_STATES_SQL}", name="status"),
        CheckConstraint("kind <> 'extension' OR period_end IS NOT NULL", name="extension_end"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("catalog_contracts.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # extension | price_cut
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    period_end_before: Mapped[date] = mapped_column(Date, nullable=False)  # the end when asked
    period_end: Mapped[date | None] = mapped_column(Date)  # the end asked for (an extension)
    # a price cut: [{"price_plan_id": 3, "before": 11000, "unit_price": 10000}, ...] (KRW without VAT)
    prices: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)  # why it was refused
    change_seq: Mapped[int | None] = mapped_column(Integer)  # the 변경차수 an approval made
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    contract: Mapped[CatalogContract] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}


Index(
    "uq_catalog_contract_change_requests_pending",
    CatalogContractChangeRequest.contract_id,
    unique=True,
    sqlite_where=CatalogContractChangeRequest.status == "pending",
    postgresql_where=CatalogContractChangeRequest.status == "pending",
)
