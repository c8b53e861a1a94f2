"""JSON shapes of the selection API."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from ..catalog.schemas import TEXT, ServiceContentIn
from .tables import Application, ApplicationDocument, CommitteeRound


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DocumentOut(BaseModel):
    id: int
    kind: str
    filename: str
    sha256: str
    size: int
    media_type: str
    uploaded_at: datetime

    @classmethod
    def of(cls, document: ApplicationDocument) -> DocumentOut:
        return cls(
            id=document.id,
            kind=document.kind,
            filename=document.filename,
            sha256=document.sha256,
            size=document.size,
            media_type=document.media_type,
            uploaded_at=document.uploaded_at,
        )


class ApplicationOut(BaseModel):
    id: int
    state: str
    supplier: str
    content: dict
    committee_month: str | None
    previous_application_id: int | None
    decision_reasons: dict | None
    documents: list[DocumentOut]
    created_at: datetime
    submitted_at: datetime | None
    accepted_at: datetime | None
    decided_at: datetime | None
    version: int

    @classmethod
    def of(cls, application: Application) -> ApplicationOut:
        return cls(
            id=application.id,
            state=application.state,
            supplier=application.supplier.name,
            content=application.content or {},
            committee_month=application.committee_month,
            previous_application_id=application.previous_application_id,
            decision_reasons=application.decision_reasons,
            documents=[DocumentOut.of(d) for d in application.documents],
            created_at=application.created_at,
            submitted_at=application.submitted_at,
            accepted_at=application.accepted_at,
            decided_at=application.decided_at,
            version=application.version,
        )


class ApplicationSummary(BaseModel):
    id: int
    state: str
    name: str
    type: str | None
    supplier: str
    committee_month: str | None
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, application: Application) -> ApplicationSummary:
        return cls(
            id=application.id,
            state=application.state,
            name=application.name,
            type=application.service_type,
            supplier=application.supplier.name,
            committee_month=application.committee_month,
            updated_at=application.updated_at,
            version=application.version,
        )


class ContentChangeIn(Strict):
    version: int
    content: ServiceContentIn


class VersionIn(Strict):
    version: int


class WithdrawIn(Strict):
    version: int
    reason: str = Field(default="", max_length=TEXT)


class SupplementIn(Strict):
    version: int
    items: dict[str, str] = Field(description="A reason per missing or wrong item (field or document kind)")


class Opinion(Strict):
    passes: bool
    comment: str = Field(default="", max_length=TEXT)


class OpinionsIn(Strict):
    version: int
    opinions: dict[str, Opinion]


class MoveIn(Strict):
    version: int
    month: str = Field(max_length=7, examples=["2027-01"])
    reason: str = Field(max_length=TEXT)


class TimelineStep(BaseModel):
    action: str
    from_state: str | None
    to_state: str
    at: datetime
    actor: str | None
    reason: str | None
    days: int


class TimelineOut(BaseModel):
    state: str
    committee_month: str | None
    steps: list[TimelineStep]


class RoundIn(Strict):
    number: int
    month: str = Field(max_length=7, examples=["2026-12"])
    meeting_date: date
    member_ids: list[int] = Field(max_length=50)


class RoundOut(BaseModel):
    id: int
    number: int
    month: str
    meeting_date: date
    closed: bool
    member_ids: list[int]
    application_ids: list[int]
    version: int

    @classmethod
    def of(cls, committee_round: CommitteeRound, applications: list[Application]) -> RoundOut:
        return cls(
            id=committee_round.id,
            number=committee_round.number,
            month=committee_round.month,
            meeting_date=committee_round.meeting_date,
            closed=committee_round.is_closed,
            member_ids=committee_round.member_ids,
            application_ids=[a.id for a in applications],
            version=committee_round.version,
        )


class DeclarationIn(Strict):
    has_relation: bool


class BallotIn(Strict):
    votes: dict[str, Opinion]


class VoteOut(BaseModel):
    criterion: str
    passes: bool
    comment: str
