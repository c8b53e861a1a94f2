"""Tables of accounts: organisations, users, web sessions and API tokens."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.tables import Base, UTCDateTime, utcnow


class Organisation(Base):
    """An organisation: a supplier (공급기업), an agency (수요기관), the operator (NIA) or PPS (조달청)."""

    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint("kind IN ('supplier', 'agency', 'operator', 'pps')", name="kind"),
        CheckConstraint("verification IN ('unverified', 'pending', 'verified', 'refused')", name="verification"),
        CheckConstraint("kind <> 'supplier' OR business_number IS NOT NULL", name="supplier_has_number"),
        CheckConstraint("kind <> 'agency' OR agency_code IS NOT NULL", name="agency_has_code"),
        CheckConstraint("size IS NULL OR size IN ('large', 'middle', 'sme')", name="size"),
        CheckConstraint(
            "agency_kind IS NULL OR agency_kind IN ('central', 'local', 'public_institution', 'education')",
            name="agency_kind",
        ),
        CheckConstraint(
            "sanction_until IS NULL OR sanction_from IS NULL OR sanction_from <= sanction_until",
            name="sanction_period",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    # Supplier (공급기업)
    business_number: Mapped[str | None] = mapped_column(String(10), unique=True)
    representative: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[str | None] = mapped_column(String(16))
    credit_rating: Mapped[str | None] = mapped_column(String(16))
    sanction_from: Mapped[date | None] = mapped_column(Date)
    sanction_until: Mapped[date | None] = mapped_column(Date)
    # Who the company is: unverified until the operator has checked its business registration evidence
    # (`verification.py`); until then it cannot apply, quote or sign. Identity fields (name,
    # representative, size, credit rating) change only through an approved request (`identity_changes.py`).
    verification: Mapped[str] = mapped_column(String(16), nullable=False, default="verified", server_default="verified")
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sme_valid_until: Mapped[date | None] = mapped_column(Date)  # 중소기업확인서 validity
    credit_rated_on: Mapped[date | None] = mapped_column(Date)  # the credit rating certificate's date
    # A claim on the business number is being decided (`claims.py`): no applying, quoting or signing meanwhile
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Agency (수요기관)
    agency_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    agency_kind: Mapped[str | None] = mapped_column(String(32))
    # Supplier and agency: the address (주소); with `representative` (an agency's is its head, 기관장) it is
    # printed on contract documents
    address: Mapped[str | None] = mapped_column(String(300))
    # Contacts
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    users: Mapped[list[User]] = relationship(back_populates="organisation")

    __mapper_args__ = {"version_id_col": version}


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role IN ('supplier', 'agency_buyer', 'operator', 'reviewer', 'contracting_officer', 'admin')",
            name="role",
        ),
        CheckConstraint("failed_logins >= 0", name="failed_logins"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    email: Mapped[str] = mapped_column(String(254), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    role: Mapped[str] = mapped_column(String(32), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(256), nullable=False)
    failed_logins: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # 조직 관리자: invites colleagues into the organisation and removes them (the company's first user)
    is_org_admin: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    organisation: Mapped[Organisation] = relationship(back_populates="users", lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class WebSession(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class ApiToken(Base):
    """A personal API token for machines, shown once and stored as its SHA-256; limited to its scopes and
    its expiry (at most a year), revoked by hand, by a rotation or when its user's password changes."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    prefix: Mapped[str] = mapped_column(String(12), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    # what the token may do, space-separated (accounts.token_rules): "read" and its user's role's write scope
    scopes: Mapped[str] = mapped_column(String(100), nullable=False, default="read", server_default="read")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PasswordReset(Base):
    """비밀번호 재설정: a link sent by e-mail, usable once before it expires; only its SHA-256 is stored."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Invitation(Base):
    """An organisation administrator invites a colleague by e-mail: the link (stored as its SHA-256) lets
    the invitee set a name and a password once before it expires, and join with the organisation's role."""

    __tablename__ = "invitations"
    __table_args__ = (
        CheckConstraint(
            "role IN ('supplier', 'agency_buyer', 'operator', 'reviewer', 'contracting_officer', 'admin')",
            name="role",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    email: Mapped[str] = mapped_column(String(254), nullable=False, index=True)
    role: Mapped[str] = mapped_column(String(32), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    invited_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
