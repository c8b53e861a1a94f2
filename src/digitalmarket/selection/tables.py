"""Tables of selection: applications with their documents and history, expert opinions, committee rounds."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.tables import Organisation, User
from ..core.tables import Base, UTCDateTime, utcnow

STATES_SQL = (
    "('draft', 'submitted', 'document_check', 'supplement_requested', 'accepted', 'expert_review', "
    "'committee', 'selected', 'rejected', 'withdrawn', 'published')"
)
CRITERIA_SQL = "('management', 'sanctions', 'security', 'stability', 'support')"


class Application(Base):
    """선정 신청: a snapshot of the service as the supplier submits it, and where it stands."""

    __tablename__ = "applications"
    __table_args__ = (
        CheckConstraint(f"state IN {STATES_SQL}", name="state"),
        Index("ix_applications_state_month", "state", "committee_month"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    state: Mapped[str] = mapped_column(String(32), nullable=False, default="draft")
    content: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    committee_month: Mapped[str | None] = mapped_column(String(7))
    #: The round the operator moved it into by hand (an extra round); none: the regular round of its month.
    committee_round_id: Mapped[int | None] = mapped_column(ForeignKey("committee_rounds.id"))
    previous_application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"), unique=True)
    decision_reasons: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    supplier: Mapped[Organisation] = relationship(lazy="joined")
    documents: Mapped[list[ApplicationDocument]] = relationship(
        back_populates="application", order_by="ApplicationDocument.id", lazy="selectin"
    )
    events: Mapped[list[ApplicationEvent]] = relationship(
        back_populates="application", order_by="ApplicationEvent.id", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def name(self) -> str:
        return (self.content or {}).get("name") or ""

    @property
    def service_type(self) -> str | None:
        return (self.content or {}).get("type")


class ApplicationDocument(Base):
    """A document attached to an application; its bytes are stored once by SHA-256."""

    __tablename__ = "application_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    media_type: Mapped[str] = mapped_column(String(100), nullable=False)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    application: Mapped[Application] = relationship(back_populates="documents")


class ApplicationEvent(Base):
    """One step of an application's history: who moved it from which state to which, when and why."""

    __tablename__ = "application_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    action: Mapped[str] = mapped_column(String(40), nullable=False)
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32), nullable=False)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    application: Mapped[Application] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship(lazy="joined")


class SupplementRequest(Base):
    """보완 요청: what the application held (fields and documents) when the operator asked for a supplement,
    and the supplier's reply. One per request step of the history; the items asked are in that step."""

    __tablename__ = "supplement_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    event_id: Mapped[int] = mapped_column(
        ForeignKey("application_events.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    #: {"content": {...}, "documents": [{"id", "kind", "filename", "sha256", "size", "uploaded_at"}]};
    #: none for a request made before snapshots were kept.
    snapshot: Mapped[dict | None] = mapped_column(JSON)
    reply: Mapped[str | None] = mapped_column(Text)
    replied_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[ApplicationEvent] = relationship(lazy="joined")


class ExpertOpinion(Base):
    """The expert pre-review's opinion on one criterion of one application."""

    __tablename__ = "expert_opinions"
    __table_args__ = (
        UniqueConstraint("application_id", "criterion", name="uq_expert_opinions_application_criterion"),
        CheckConstraint(f"criterion IN {CRITERIA_SQL}", name="criterion"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), nullable=False)
    criterion: Mapped[str] = mapped_column(String(16), nullable=False)
    passes: Mapped[bool] = mapped_column(Boolean, nullable=False)
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class CommitteeRound(Base):
    """심사위원회 회차: the regular committee of one month, or an extra one (수시) the operator convenes."""

    __tablename__ = "committee_rounds"
    __table_args__ = (
        CheckConstraint("kind IN ('regular', 'extra')", name="kind"),
        Index(
            "uq_committee_rounds_regular_month",
            "month",
            unique=True,
            sqlite_where=text("kind = 'regular'"),
            postgresql_where=text("kind = 'regular'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, nullable=False, unique=True)
    month: Mapped[str] = mapped_column(String(7), nullable=False)
    kind: Mapped[str] = mapped_column(String(8), nullable=False, default="regular", server_default="regular")
    meeting_date: Mapped[date] = mapped_column(Date, nullable=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    members: Mapped[list[RoundMember]] = relationship(lazy="selectin", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def is_extra(self) -> bool:
        return self.kind == "extra"

    @property
    def member_ids(self) -> list[int]:
        return [m.user_id for m in self.members]


class RoundMember(Base):
    __tablename__ = "round_members"
    __table_args__ = (UniqueConstraint("round_id", "user_id", name="uq_round_members_round_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("committee_rounds.id", ondelete="CASCADE"), nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)

    user: Mapped[User] = relationship(lazy="joined")


class ConflictDeclaration(Base):
    """A reviewer's declaration, per application, of whether it has a relation to the supplier."""

    __tablename__ = "conflict_declarations"
    __table_args__ = (
        UniqueConstraint("round_id", "application_id", "reviewer_id", name="uq_conflict_declarations_once"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("committee_rounds.id"), nullable=False)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), nullable=False, index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    has_relation: Mapped[bool] = mapped_column(Boolean, nullable=False)
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class Vote(Base):
    """A reviewer's pass or fail on one criterion of one application; a fail carries a comment."""

    __tablename__ = "votes"
    __table_args__ = (
        UniqueConstraint("round_id", "application_id", "reviewer_id", "criterion", name="uq_votes_once"),
        CheckConstraint(f"criterion IN {CRITERIA_SQL}", name="criterion"),
        CheckConstraint("passes OR length(comment) > 0", name="fail_has_comment"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("committee_rounds.id"), nullable=False)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), nullable=False, index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    criterion: Mapped[str] = mapped_column(String(16), nullable=False)
    passes: Mapped[bool] = mapped_column(Boolean, nullable=False)
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class Decision(Base):
    """The committee's decision on an application in a round: one per application per round."""

    __tablename__ = "committee_decisions"
    __table_args__ = (
        UniqueConstraint("round_id", "application_id", name="uq_committee_decisions_once"),
        CheckConstraint("outcome IN ('selected', 'rejected', 'no_quorum')", name="outcome"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("committee_rounds.id"), nullable=False)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), nullable=False, index=True)
    outcome: Mapped[str] = mapped_column(String(16), nullable=False)
    tally: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    reasons: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
