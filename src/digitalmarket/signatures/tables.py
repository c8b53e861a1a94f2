"""Tables of the signatures: the signing keys (the CA, the TSA, each organisation's certificates) and the
ledger of the signed documents the platform made, by SHA-256."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.tables import Base, UTCDateTime, utcnow

ROLES_SQL = "('ca', 'tsa', 'organisation')"


class SigningKey(Base):
    """A certificate and its private key, encrypted with the key outside the database (`vault`): the
    platform's CA and TSA, or an organisation's signing certificate (issued by the CA or uploaded as
    PKCS#12). The newest row of an organisation is its certificate; a revoked or expired one cannot sign."""

    __tablename__ = "signing_keys"
    __table_args__ = (
        CheckConstraint(f"role IN {ROLES_SQL}", name="role"),
        CheckConstraint("source IN ('issued', 'uploaded')", name="source"),
        CheckConstraint("(role = 'organisation') = (organisation_id IS NOT NULL)", name="owner"),
        Index("ix_signing_keys_role_organisation", "role", "organisation_id"),
        # one CA and one TSA per installation, however many first confirmations race to make them
        Index(
            "uq_signing_keys_platform_role",
            "role",
            unique=True,
            sqlite_where=text("role IN ('ca', 'tsa')"),
            postgresql_where=text("role IN ('ca', 'tsa')"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    source: Mapped[str] = mapped_column(String(16), nullable=False, default="issued")
    serial: Mapped[str] = mapped_column(String(64), nullable=False)  # hex
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    certificate_der: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    chain_pem: Mapped[bytes | None] = mapped_column(LargeBinary)  # an uploaded certificate's issuers, PEM
    key_encrypted: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    not_after: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class SignedDocument(Base):
    """One revision of a document the platform made or signed, by SHA-256: its draft, each signature over
    it (an incremental update) and the platform's timestamp. ``family`` names the document across its
    versions (``order/ORD-2026-0001``), ``revision`` its version in the family (변경차수)."""

    __tablename__ = "signed_documents"
    __table_args__ = (
        CheckConstraint("kind IN ('draft', 'signature', 'timestamp')", name="kind"),
        Index("ix_signed_documents_family_revision", "family", "revision"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    family: Mapped[str] = mapped_column(String(120), nullable=False)
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    signs_sha256: Mapped[str | None] = mapped_column(String(64))  # the revision this one was appended to
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    signer_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
