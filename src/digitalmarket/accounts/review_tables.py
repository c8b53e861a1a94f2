"""Tables of who a company is: sign-ups waiting for their e-mail confirmation, and the requests the operator
reviews (a company's business registration evidence, a change of its identity fields) with their documents."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.tables import Base, UTCDateTime, utcnow


class SignupRequest(Base):
    """A sign-up waiting for its e-mail confirmation: nothing is written in the company's name until the
    link (or its code) mailed to the address is used. Only the code's SHA-256 is stored; the details keep
    the password only as its hash."""

    __tablename__ = "signup_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), nullable=False, index=True)
    business_number: Mapped[str] = mapped_column(String(10), nullable=False)
    code_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    details: Mapped[dict] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))


class CompanyReview(Base):
    """A request the operator decides: ``registration`` (the company's 사업자등록증명 and representative, after
    which it is verified), ``change`` (new identity values with their evidence, which take effect only when
    approved; empty new values leave a field as it is) or ``claim`` (a company that finds its business number
    taken by another organisation asks for it, with its evidence)."""

    __tablename__ = "company_reviews"
    __table_args__ = (
        CheckConstraint("kind IN ('registration', 'change', 'claim')", name="kind"),
        CheckConstraint("status IN ('pending', 'approved', 'refused')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending", index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    representative: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[str | None] = mapped_column(String(16))
    credit_rating: Mapped[str | None] = mapped_column(String(16))
    sme_valid_until: Mapped[date | None] = mapped_column(Date)
    credit_rated_on: Mapped[date | None] = mapped_column(Date)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(String(500))
    # A claim (``claim``): the claimant's e-mail, name and password hash, for the account made on approval
    claimant: Mapped[dict | None] = mapped_column(JSON)

    documents: Mapped[list[ReviewDocument]] = relationship(
        back_populates="review", order_by="ReviewDocument.id", lazy="selectin"
    )


class ReviewDocument(Base):
    """Evidence attached to a review: 사업자등록증명 (``registration``), 중소기업확인서 (``sme``) or a credit rating
    certificate (``credit``), stored by SHA-256 in the document store."""

    __tablename__ = "company_review_documents"
    __table_args__ = (CheckConstraint("kind IN ('registration', 'sme', 'credit')", name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("company_reviews.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    media_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)

    review: Mapped[CompanyReview] = relationship(back_populates="documents")
