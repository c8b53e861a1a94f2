"""Tables of settlement: monthly invoices of an order (이용실적 -> 청구 -> 검수 -> 대금지급) with every
revision kept, and the agencies' reviews (이용후기) of the services they used.

An invoice covers one calendar month of one order, one item per line of the order in force. After the
inspection the supplier files the payment claim (대금청구), from which the payment due date counts. A rejected
invoice is corrected as a new revision: its items carry the revision they belong to, and the current
revision is the invoice's ``revision``.
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
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.tables import User
from ..contracting.tables import Order
from ..core.tables import Base, UTCDateTime, utcnow

INVOICE_STATES_SQL = "('reported', 'rejected', 'accepted', 'claimed', 'paid')"


class Invoice(Base):
    """청구: the usage of one month of an order, priced at the agreed unit prices."""

    __tablename__ = "invoices"
    __table_args__ = (
        CheckConstraint(f"status IN {INVOICE_STATES_SQL}", name="status"),
        UniqueConstraint("order_id", "month", name="uq_invoices_order_month"),
        Index("ix_invoices_status_due", "status", "due_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), nullable=False, unique=True)  # INV-2026-00001
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), nullable=False, index=True)
    month: Mapped[str] = mapped_column(String(7), nullable=False)  # YYYY-MM
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="reported")
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    supply_amount: Mapped[int] = mapped_column(BigInteger, nullable=False)
    vat: Mapped[int] = mapped_column(BigInteger, nullable=False)
    total: Mapped[int] = mapped_column(BigInteger, nullable=False)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    accepted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: 대금청구: when the supplier filed the payment claim after the inspection; the due date counts from it
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_date: Mapped[date | None] = mapped_column(Date)
    paid_on: Mapped[date | None] = mapped_column(Date)
    paid_recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    overdue_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    order: Mapped[Order] = relationship(lazy="joined")
    claimant: Mapped[User | None] = relationship(foreign_keys=[claimed_by], lazy="joined")
    revisions: Mapped[list[InvoiceRevision]] = relationship(
        back_populates="invoice", order_by="InvoiceRevision.revision", lazy="selectin"
    )
    items: Mapped[list[InvoiceItem]] = relationship(
        back_populates="invoice", order_by="(InvoiceItem.revision, InvoiceItem.position)", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}

    def items_of(self, revision: int) -> list[InvoiceItem]:
        return [item for item in self.items if item.revision == revision]

    def current_items(self) -> list[InvoiceItem]:
        return self.items_of(self.revision)

    def current_revision(self) -> InvoiceRevision:
        return next(r for r in self.revisions if r.revision == self.revision)


class InvoiceRevision(Base):
    """One report of an invoice: the first, then each correction after a rejection."""

    __tablename__ = "invoice_revisions"
    __table_args__ = (UniqueConstraint("invoice_id", "revision", name="uq_invoice_revisions_revision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), nullable=False)
    revision: Mapped[int] = mapped_column(Integer, nullable=False)
    supply_amount: Mapped[int] = mapped_column(BigInteger, nullable=False)
    vat: Mapped[int] = mapped_column(BigInteger, nullable=False)
    total: Mapped[int] = mapped_column(BigInteger, nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    reported_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    rejected_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    invoice: Mapped[Invoice] = relationship(back_populates="revisions")


class InvoiceItem(Base):
    """A line of the order in one revision of an invoice: the reported quantity and what it bills."""

    __tablename__ = "invoice_items"
    __table_args__ = (
        CheckConstraint("quantity >= 0", name="quantity"),
        CheckConstraint("amount >= 0", name="amount"),
        UniqueConstraint("invoice_id", "revision", "position", name="uq_invoice_items_position"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), nullable=False, index=True)
    revision: Mapped[int] = mapped_column(Integer, nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)  # the order line's position
    item: Mapped[str] = mapped_column(String(200), nullable=False)
    unit: Mapped[str] = mapped_column(String(30), nullable=False)
    billing: Mapped[str] = mapped_column(String(16), nullable=False)
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)
    unit_price: Mapped[int] = mapped_column(BigInteger, nullable=False)  # agreed, without VAT
    amount: Mapped[int] = mapped_column(BigInteger, nullable=False)  # supply value billed

    invoice: Mapped[Invoice] = relationship(back_populates="items")


class Review(Base):
    """이용후기: an agency's rating (1-5) and comment on the service of one of its orders, and the
    supplier's one answer."""

    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
        Index("ix_reviews_service", "service_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), nullable=False, unique=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), nullable=False)
    agency_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    rating: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    comment: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    order: Mapped[Order] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}


# --- the paperwork of an accepted month: tax invoices (전자세금계산서) and the documents made after commit ----

TAX_INVOICE_KINDS_SQL = "('original', 'amended')"


class TaxInvoice(Base):
    """전자세금계산서: the tax invoice of an accepted month, with every field 부가가치세법 제32조 and 시행령
    제67조 require, as the parties' profiles stood when it was issued. A correction after issue is a new
    row of kind ``amended`` (수정세금계산서) naming the original (``amends_id``, its approval number) and the
    reason code of 시행령 제70조 (1-6); its amounts are what it adds to or takes from the original."""

    __tablename__ = "tax_invoices"
    __table_args__ = (
        CheckConstraint(f"kind IN {TAX_INVOICE_KINDS_SQL}", name="kind"),
        CheckConstraint(
            "(kind = 'original' AND amends_id IS NULL AND amendment_code IS NULL) OR "
            "(kind = 'amended' AND amends_id IS NOT NULL AND amendment_code BETWEEN 1 AND 6)",
            name="amendment",
        ),
        CheckConstraint("total = supply_amount + tax", name="total"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), nullable=False, index=True)
    approval_number: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)  # 승인번호
    kind: Mapped[str] = mapped_column(String(10), nullable=False, default="original")
    amends_id: Mapped[int | None] = mapped_column(ForeignKey("tax_invoices.id"))
    amendment_code: Mapped[int | None] = mapped_column(SmallInteger)
    amendment_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    issued_on: Mapped[date] = mapped_column(Date, nullable=False)  # 작성일자
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    supplier_number: Mapped[str] = mapped_column(String(16), nullable=False)  # 공급자 사업자등록번호
    supplier_name: Mapped[str] = mapped_column(String(200), nullable=False)
    supplier_representative: Mapped[str] = mapped_column(String(100), nullable=False)
    supplier_address: Mapped[str] = mapped_column(String(300), nullable=False)
    buyer_number: Mapped[str] = mapped_column(String(16), nullable=False)  # 공급받는자 등록번호 (고유번호)
    buyer_name: Mapped[str] = mapped_column(String(200), nullable=False)
    buyer_representative: Mapped[str] = mapped_column(String(100), nullable=False)
    buyer_address: Mapped[str] = mapped_column(String(300), nullable=False)
    supply_amount: Mapped[int] = mapped_column(BigInteger, nullable=False)  # 공급가액 (negative: a reduction)
    tax: Mapped[int] = mapped_column(BigInteger, nullable=False)  # 세액
    total: Mapped[int] = mapped_column(BigInteger, nullable=False)  # 합계금액
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    invoice: Mapped[Invoice] = relationship(lazy="joined")
    items: Mapped[list[TaxInvoiceItem]] = relationship(
        back_populates="tax_invoice", order_by="TaxInvoiceItem.position", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}


class TaxInvoiceItem(Base):
    """A line of a tax invoice: the day supplied (월일), the item, its specification, quantity, unit price,
    supply value and tax."""

    __tablename__ = "tax_invoice_items"
    __table_args__ = (UniqueConstraint("tax_invoice_id", "position", name="uq_tax_invoice_items_position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tax_invoice_id: Mapped[int] = mapped_column(ForeignKey("tax_invoices.id"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    supplied_on: Mapped[date] = mapped_column(Date, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    specification: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)
    unit_price: Mapped[int] = mapped_column(BigInteger, nullable=False)
    supply_amount: Mapped[int] = mapped_column(BigInteger, nullable=False)
    tax: Mapped[int] = mapped_column(BigInteger, nullable=False)

    tax_invoice: Mapped[TaxInvoice] = relationship(back_populates="items")


SETTLEMENT_DOCUMENT_KINDS_SQL = "('inspection_report', 'payment_claim', 'tax_invoice', 'tax_invoice_xml')"


class SettlementDocument(Base):
    """A document of an order's settlement as stored (검수조서, 대금청구서, 세금계산서 PDF and XML), made
    after commit by the ``settlement-documents`` consumer: its SHA-256, size and who signed it. A document
    made again with other bytes is a new version of the same subject (an invoice's code, a tax invoice's
    approval number); the earlier ones stay listed."""

    __tablename__ = "settlement_documents"
    __table_args__ = (
        CheckConstraint(f"kind IN {SETTLEMENT_DOCUMENT_KINDS_SQL}", name="kind"),
        UniqueConstraint("kind", "subject", "version", name="uq_settlement_documents_version"),
        Index("ix_settlement_documents_order", "order_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), nullable=False)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), nullable=False)
    tax_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("tax_invoices.id"))
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    subject: Mapped[str] = mapped_column(String(40), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    media_type: Mapped[str] = mapped_column(String(40), nullable=False)
    filename: Mapped[str] = mapped_column(String(120), nullable=False)
    signers: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
