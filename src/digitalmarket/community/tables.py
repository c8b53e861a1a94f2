"""Tables of demand notices (수요예보) and the interest suppliers express in them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.tables import Organisation
from ..catalog.tables import Category
from ..core.tables import Base, UTCDateTime, utcnow


class DemandNotice(Base):
    """수요예보: an agency's planned need (what, when, budget range) that suppliers can answer."""

    __tablename__ = "demand_notices"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed')", name="status"),
        CheckConstraint("budget_min >= 0 AND budget_max >= budget_min", name="budget"),
        Index("ix_demand_notices_status_category", "status", "category_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), nullable=False, unique=True)  # DN-2026-00001
    agency_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    posted_by: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), nullable=False)
    budget_min: Mapped[int] = mapped_column(BigInteger, nullable=False)  # KRW
    budget_max: Mapped[int] = mapped_column(BigInteger, nullable=False)
    expected_month: Mapped[str] = mapped_column(String(7), nullable=False)  # YYYY-MM
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    close_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    agency: Mapped[Organisation] = relationship(lazy="joined")
    category: Mapped[Category] = relationship(lazy="joined")
    interests: Mapped[list[DemandInterest]] = relationship(
        back_populates="notice", order_by="DemandInterest.id", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}


class DemandInterest(Base):
    """A supplier's interest in a demand notice, with a short note: one per supplier and notice."""

    __tablename__ = "demand_interests"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'withdrawn')", name="status"),
        UniqueConstraint("notice_id", "supplier_id", name="uq_demand_interests_notice_supplier"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("demand_notices.id"), nullable=False)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)  # who last wrote the note
    note: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    notice: Mapped[DemandNotice] = relationship(back_populates="interests")
    supplier: Mapped[Organisation] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}
