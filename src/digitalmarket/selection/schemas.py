"""JSON shapes of the selection API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import object_session

from ..catalog.schemas import TEXT, ServiceContentIn
from ..catalog.tables import Service
from ..core.i18n import Text
from ..core.paths import LARGEST_ID
from . import history, months
from .history import committee_decision
from .rules import WAITING_FOR_COMMITTEE, Criterion, DocumentKind, RoundKind, State
from .tables import Application, ApplicationDocument, CommitteeRound


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ApplicationDocumentOut(BaseModel):
    id: int
    kind: DocumentKind
    filename: str
    sha256: str
    size: int
    media_type: str
    uploaded_at: datetime

    @classmethod
    def of(cls, document: ApplicationDocument) -> ApplicationDocumentOut:
        return cls(
            id=document.id,
            kind=document.kind,
            filename=document.filename,
            sha256=document.sha256,
            size=document.size,
            media_type=document.media_type,
            uploaded_at=document.uploaded_at,
        )


def _text(value) -> str:
    return value.render() if isinstance(value, Text) else str(value)


class RoundRef(BaseModel):
    """The committee round an application waits for (or was decided by)."""

    id: int = Field(description="the round's id: `GET /rounds/{round_id}` and the reviewers' routes under it")
    number: int
    kind: str = Field(description="regular (정기) or extra (수시 심사위원회)")
    month: str
    meeting_date: date
    closed: bool

    @classmethod
    def of(cls, committee_round: CommitteeRound) -> RoundRef:
        return cls(
            id=committee_round.id,
            number=committee_round.number,
            kind=committee_round.kind,
            month=committee_round.month,
            meeting_date=committee_round.meeting_date,
            closed=committee_round.is_closed,
        )


def round_ref(application: Application) -> RoundRef | None:
    session = object_session(application)
    found = months.assigned_round(session, application) if session is not None else None
    return RoundRef.of(found) if found is not None else None


class FailedCriterionOut(BaseModel):
    criterion: str
    label: str
    reasons: list[str] = Field(description="The members' reasons for a fail, without their names")


class DecisionOut(BaseModel):
    """The committee's decision as the supplier is told it."""

    outcome: Literal["selected", "rejected"]
    round_number: int | None
    decided_at: datetime
    failed_criteria: list[FailedCriterionOut]

    @classmethod
    def of(cls, application: Application) -> DecisionOut | None:
        decision = committee_decision(application)
        if decision is None:
            return None
        return cls(
            outcome=decision["outcome"],
            round_number=decision["round"],
            decided_at=decision["decided_at"],
            failed_criteria=[
                FailedCriterionOut(
                    criterion=f["criterion"], label=_text(f["label"]), reasons=[_text(r) for r in f["reasons"]]
                )
                for f in decision["failed"]
            ],
        )


class ApplicationOut(BaseModel):
    id: int
    state: State
    supplier: str
    content: dict
    committee_month: str | None
    committee_round: RoundRef | None = Field(
        description="The round it waits for or was decided by; none while its month has no round yet"
    )
    waiting_on_closed_round: bool = Field(description="Waiting for a round that is already closed: to be moved")
    decision: DecisionOut | None
    previous_application_id: int | None
    decision_reasons: dict | None
    supplement_items: dict[str, str] | None = Field(
        None,
        description="While a supplement is asked (`supplement_requested`): each item asked (a group of fields or a "
        "document kind) with the operator's reason",
    )
    documents: list[ApplicationDocumentOut]
    service_id: int | None = Field(description="The published service's id, once published (`service_id` elsewhere)")
    service_code: str | None = Field(description="The published service's public code (GET /services/{code})")
    created_at: datetime
    submitted_at: datetime | None
    accepted_at: datetime | None
    decided_at: datetime | None
    version: int

    @classmethod
    def of(cls, application: Application) -> ApplicationOut:
        session = object_session(application)
        service = session.get(Service, application.service_id) if session and application.service_id else None
        return cls(
            id=application.id,
            state=application.state,
            supplier=application.supplier.name,
            content=application.content or {},
            committee_month=application.committee_month,
            committee_round=(ref := round_ref(application)),
            waiting_on_closed_round=bool(ref and ref.closed and application.state in WAITING_FOR_COMMITTEE),
            decision=DecisionOut.of(application),
            previous_application_id=application.previous_application_id,
            decision_reasons=application.decision_reasons,
            supplement_items=history.asked_supplement(application)
            if application.state == State.SUPPLEMENT_REQUESTED
            else None,
            documents=[ApplicationDocumentOut.of(d) for d in application.documents],
            service_id=service.id if service else None,
            service_code=service.code if service else None,
            created_at=application.created_at,
            submitted_at=application.submitted_at,
            accepted_at=application.accepted_at,
            decided_at=application.decided_at,
            version=application.version,
        )


class ApplicationSummary(BaseModel):
    id: int
    state: State
    name: str
    type: str | None
    supplier: str
    committee_month: str | None
    waiting_on_closed_round: bool = Field(description="Waiting for a round that is already closed: to be moved")
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, application: Application, waiting_on_closed_round: bool = False) -> ApplicationSummary:
        return cls(
            id=application.id,
            state=application.state,
            name=application.name,
            type=application.service_type,
            supplier=application.supplier.name,
            committee_month=application.committee_month,
            waiting_on_closed_round=waiting_on_closed_round,
            updated_at=application.updated_at,
            version=application.version,
        )


class ContentChangeIn(Strict):
    version: int
    content: ServiceContentIn


class ApplicationVersionIn(Strict):
    version: int


class SubmitIn(Strict):
    version: int
    reply: str | None = Field(
        default=None, max_length=TEXT, description="On a resubmission: the reply to the supplement request"
    )


class ApplicationWithdrawIn(Strict):
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
    opinions: dict[Criterion, Opinion] = Field(description="An opinion per committee criterion")


class MoveIn(Strict):
    version: int
    month: str | None = Field(default=None, max_length=7, examples=["2027-01"], description="A committee month")
    round_id: int | None = Field(
        default=None, gt=0, le=LARGEST_ID, description="Or a given open round, such as an extra round (수시 심사위원회)"
    )
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
    committee_round: RoundRef | None
    decision: DecisionOut | None
    steps: list[TimelineStep]


class RoundIn(Strict):
    number: int = Field(ge=1, le=LARGEST_ID, description="The round's number (제N회)")
    kind: Literal["regular", "extra"] = Field(
        default="regular", description="extra: a 수시 심사위원회 in the current month, meeting today or later"
    )
    month: str | None = Field(default=None, max_length=7, examples=["2026-12"], description="Optional for extra")
    meeting_date: date
    member_ids: list[int] = Field(max_length=50)


class RoundOut(BaseModel):
    id: int
    number: int
    kind: RoundKind
    month: str
    meeting_date: date
    closable_from: date = Field(description="A round closes on or after its meeting date")
    closed: bool
    member_ids: list[int]
    application_ids: list[int]
    version: int

    @classmethod
    def of(cls, committee_round: CommitteeRound, applications: list[Application]) -> RoundOut:
        return cls(
            id=committee_round.id,
            number=committee_round.number,
            kind=committee_round.kind,
            month=committee_round.month,
            meeting_date=committee_round.meeting_date,
            closable_from=committee_round.meeting_date,
            closed=committee_round.is_closed,
            member_ids=committee_round.member_ids,
            application_ids=[a.id for a in applications],
            version=committee_round.version,
        )


class DeclarationIn(Strict):
    has_relation: bool


class BallotIn(Strict):
    votes: dict[Criterion, Opinion] = Field(description="A vote per committee criterion")


class VoteOut(BaseModel):
    criterion: Criterion
    passes: bool
    comment: str


class OpinionOut(BaseModel):
    """The expert pre-review's opinion on one criterion, as the operator recorded it."""

    criterion: Criterion
    passes: bool
    comment: str
    recorded_at: datetime


class SelectionCodeOut(BaseModel):
    code: str
    label: str = Field(description="In the caller's language (Accept-Language)")


class DocumentKindOut(SelectionCodeOut):
    required_for: list[str] = Field(description="The service types whose application needs it to be submitted")
    public: bool = Field(description="Offered on the published service's page; else for the operator and committee")


class SelectionCodeListsOut(BaseModel):
    document_kinds: list[DocumentKindOut]
    criteria: list[SelectionCodeOut] = Field(description="The committee's criteria: keys of opinions and votes")
    states: list[SelectionCodeOut] = Field(description="An application's `state`")
    round_kinds: list[SelectionCodeOut] = Field(description="A committee round's `kind`")
