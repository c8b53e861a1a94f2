"""Tables of the help desk: inquiries and their messages, FAQ entries, notices and their attachments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.tables import User
from ..core.tables import Base, UTCDateTime, utcnow

CATEGORIES_SQL = "('account', 'selection', 'contract', 'payment', 'technical', 'other')"
PUBLISH_SQL = "('draft', 'published', 'unpublished')"


class Inquiry(Base):
    """문의: a signed-in user's question to the operator, answered in a thread of messages."""

    __tablename__ = "inquiries"
    __table_args__ = (
        CheckConstraint(f"category IN {CATEGORIES_SQL}", name="category"),
        CheckConstraint("status IN ('open', 'answered', 'closed')", name="status"),
        Index("ix_inquiries_status_waiting", "status", "last_message_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), nullable=False, unique=True)  # INQ-2026-00001
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)
    subject: Mapped[str] = mapped_column(String(200), nullable=False)
    category: Mapped[str] = mapped_column(String(16), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    user: Mapped[User] = relationship(lazy="joined")
    messages: Mapped[list[InquiryMessage]] = relationship(
        back_populates="inquiry", order_by="InquiryMessage.id", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}


class InquiryMessage(Base):
    """One message of an inquiry's thread: the question, an answer or a follow-up."""

    __tablename__ = "inquiry_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id"), nullable=False, index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    from_operator: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    inquiry: Mapped[Inquiry] = relationship(back_populates="messages")
    author: Mapped[User] = relationship(lazy="joined")


class FaqEntry(Base):
    """자주 묻는 질문: a question and its answer, in a category, at a position the operator chooses."""

    __tablename__ = "faq_entries"
    __table_args__ = (
        CheckConstraint(f"category IN {CATEGORIES_SQL}", name="category"),
        CheckConstraint(f"status IN {PUBLISH_SQL}", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category: Mapped[str] = mapped_column(String(16), nullable=False)
    question: Mapped[str] = mapped_column(String(300), nullable=False)
    answer: Mapped[str] = mapped_column(Text, nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="draft")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}


class Notice(Base):
    """공지: an announcement of the operator, with attachments; pinned notices come first."""

    __tablename__ = "notices"
    __table_args__ = (CheckConstraint(f"status IN {PUBLISH_SQL}", name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    pinned: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="draft")
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    attachments: Mapped[list[NoticeAttachment]] = relationship(
        back_populates="notice", order_by="NoticeAttachment.id", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}


class NoticeAttachment(Base):
    """A file attached to a notice, stored by SHA-256 in the document store."""

    __tablename__ = "notice_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), nullable=False, index=True)
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    media_type: Mapped[str] = mapped_column(String(100), nullable=False)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    notice: Mapped[Notice] = relationship(back_populates="attachments")
