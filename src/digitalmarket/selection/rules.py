"""The rules of selection: the application state machine, required documents, the committee rule. No I/O."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from ..catalog.rules import CLOUD_TYPES
from ..core.i18n import N_, Text
from ..core.states import StateMachine


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    DOCUMENT_CHECK = "document_check"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    ACCEPTED = "accepted"  # 접수완료
    EXPERT_REVIEW = "expert_review"
    COMMITTEE = "committee"
    SELECTED = "selected"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    PUBLISHED = "published"  # 서비스 등록·공개


class Action(StrEnum):
    SUBMIT = "submit"
    START_CHECK = "start_check"
    REQUEST_SUPPLEMENT = "request_supplement"
    RESUBMIT = "resubmit"
    ACCEPT = "accept"
    START_EXPERT_REVIEW = "start_expert_review"
    SEND_TO_COMMITTEE = "send_to_committee"
    SELECT = "select"
    REJECT = "reject"
    WITHDRAW = "withdraw"
    PUBLISH = "publish"


#: Every allowed move. Anything not listed is refused with 409.
TRANSITIONS: dict[tuple[State, Action], State] = {
    (State.DRAFT, Action.SUBMIT): State.SUBMITTED,
    (State.SUBMITTED, Action.START_CHECK): State.DOCUMENT_CHECK,
    (State.DOCUMENT_CHECK, Action.REQUEST_SUPPLEMENT): State.SUPPLEMENT_REQUESTED,
    (State.SUPPLEMENT_REQUESTED, Action.RESUBMIT): State.SUBMITTED,
    (State.DOCUMENT_CHECK, Action.ACCEPT): State.ACCEPTED,
    (State.ACCEPTED, Action.START_EXPERT_REVIEW): State.EXPERT_REVIEW,
    (State.EXPERT_REVIEW, Action.SEND_TO_COMMITTEE): State.COMMITTEE,
    (State.COMMITTEE, Action.SELECT): State.SELECTED,
    (State.COMMITTEE, Action.REJECT): State.REJECTED,
    (State.DRAFT, Action.WITHDRAW): State.WITHDRAWN,
    (State.SUBMITTED, Action.WITHDRAW): State.WITHDRAWN,
    (State.SUPPLEMENT_REQUESTED, Action.WITHDRAW): State.WITHDRAWN,
    (State.SELECTED, Action.PUBLISH): State.PUBLISHED,
}

#: Who takes each action: the supplier, the operator, or the committee (closing a round).
ACTOR_OF_ACTION = {
    Action.SUBMIT: "supplier",
    Action.RESUBMIT: "supplier",
    Action.WITHDRAW: "supplier",
    Action.START_CHECK: "operator",
    Action.REQUEST_SUPPLEMENT: "operator",
    Action.ACCEPT: "operator",
    Action.START_EXPERT_REVIEW: "operator",
    Action.SEND_TO_COMMITTEE: "operator",
    Action.PUBLISH: "operator",
    Action.SELECT: "committee",
    Action.REJECT: "committee",
}

#: States in which the supplier may still change fields and documents.
EDITABLE_STATES = frozenset({State.DRAFT, State.SUPPLEMENT_REQUESTED})
OPEN_STATES = frozenset(set(State) - {State.REJECTED, State.WITHDRAWN, State.PUBLISHED})
#: Accepted and waiting for its committee month: may be moved to a later month.
WAITING_FOR_COMMITTEE = (State.ACCEPTED, State.EXPERT_REVIEW, State.COMMITTEE)
#: Before the committee, or decided by it: what the members of a round see.
BEFORE_THE_COMMITTEE = (State.COMMITTEE, State.SELECTED, State.REJECTED, State.PUBLISHED)

STATE_LABELS = {
    State.DRAFT: N_("Draft"),
    State.SUBMITTED: N_("Submitted"),
    State.DOCUMENT_CHECK: N_("Document check"),
    State.SUPPLEMENT_REQUESTED: N_("Supplement requested"),
    State.ACCEPTED: N_("Accepted"),
    State.EXPERT_REVIEW: N_("Expert review"),
    State.COMMITTEE: N_("Committee review"),
    State.SELECTED: N_("Selected"),
    State.REJECTED: N_("Rejected"),
    State.WITHDRAWN: N_("Withdrawn"),
    State.PUBLISHED: N_("Published"),
}
ACTION_LABELS = {
    Action.SUBMIT: N_("Submit"),
    Action.START_CHECK: N_("Start the document check"),
    Action.REQUEST_SUPPLEMENT: N_("Request a supplement"),
    Action.RESUBMIT: N_("Resubmit"),
    Action.ACCEPT: N_("Accept (접수완료)"),
    Action.START_EXPERT_REVIEW: N_("Start the expert review"),
    Action.SEND_TO_COMMITTEE: N_("Send to the committee"),
    Action.SELECT: N_("Select"),
    Action.REJECT: N_("Reject"),
    Action.WITHDRAW: N_("Withdraw"),
    Action.PUBLISH: N_("Publish the service"),
}


#: An application's way from draft to publication; a refused step names the state and the possible steps.
MACHINE: StateMachine[State, Action] = StateMachine(
    State, Action, TRANSITIONS, STATE_LABELS, N_("The application"), steps=ACTION_LABELS
)


def allowed_actions(state: State) -> list[Action]:
    return MACHINE.allowed(state)


def move(state: str, action: str) -> State:
    """The state after ``action``, or 409 saying what state it is in and what is allowed."""
    return MACHINE.move(state, action)


# --- documents ------------------------------------------------------------------------------------------


class DocumentKind(StrEnum):
    SERVICE_DESCRIPTION = "service_description"  # 서비스 설명서
    PRICE_LIST = "price_list"  # 요금표
    SLA = "sla"  # SLA
    BUSINESS_REGISTRATION = "business_registration"  # 사업자등록증
    CREDIT_RATING = "credit_rating"  # 신용평가등급확인서
    CSAP_CERTIFICATE = "csap_certificate"  # CSAP 인증서


DOCUMENT_LABELS = {
    DocumentKind.SERVICE_DESCRIPTION: N_("Service description (서비스 설명서)"),
    DocumentKind.PRICE_LIST: N_("Price list (요금표)"),
    DocumentKind.SLA: N_("Service level agreement (SLA)"),
    DocumentKind.BUSINESS_REGISTRATION: N_("Business registration certificate (사업자등록증)"),
    DocumentKind.CREDIT_RATING: N_("Credit rating certificate (신용평가등급확인서)"),
    DocumentKind.CSAP_CERTIFICATE: N_("CSAP certificate"),
}
MAX_DOCUMENTS = 30
#: What a published service offers buyers (copied into the catalog when it is published); every other
#: kind (사업자등록증, 신용평가등급확인서, CSAP 인증서) is for the operator and the committee only.
PUBLIC_DOCUMENT_KINDS = frozenset({DocumentKind.SERVICE_DESCRIPTION, DocumentKind.SLA, DocumentKind.PRICE_LIST})


def required_documents(service_type: str | None) -> list[DocumentKind]:
    kinds = [k for k in DocumentKind if k != DocumentKind.CSAP_CERTIFICATE]
    if service_type in CLOUD_TYPES:
        kinds.append(DocumentKind.CSAP_CERTIFICATE)
    return kinds


def missing_documents(service_type: str | None, present: Iterable[str]) -> list[DocumentKind]:
    have = set(present)
    return [kind for kind in required_documents(service_type) if kind not in have]


# --- committee ----------------------------------------------------------------------------------------


class Criterion(StrEnum):
    MANAGEMENT = "management"  # 경영상태
    SANCTIONS = "sanctions"  # 제재 여부
    SECURITY = "security"  # 보안성
    STABILITY = "stability"  # 운영안정성
    SUPPORT = "support"  # 지원체계


CRITERION_LABELS = {
    Criterion.MANAGEMENT: N_("Business health (경영상태)"),
    Criterion.SANCTIONS: N_("No active sanction (제재 여부)"),
    Criterion.SECURITY: N_("Security (보안성)"),
    Criterion.STABILITY: N_("Operational stability (운영안정성)"),
    Criterion.SUPPORT: N_("Support organisation (지원체계)"),
}


@dataclass(frozen=True)
class Decision:
    """The committee's decision on one application, or no decision for lack of quorum."""

    outcome: str  # "selected" | "rejected" | "no_quorum"
    voters: int
    quorum: int
    tally: dict[str, tuple[int, int]] = field(default_factory=dict)  # criterion -> (pass, fail)
    failed: tuple[str, ...] = ()


def quorum_of(members: int) -> int:
    """A decision needs two thirds of the round's members."""
    return math.ceil(members * 2 / 3)


def decide(
    members: Iterable[int],
    conflicted: Iterable[int],
    votes: Mapping[int, Mapping[str, bool]],
) -> Decision:
    """The committee rule: quorum 2/3 of the round's members; per criterion a simple majority of the
    members voting; selection needs every criterion to pass. A tie fails. Members with a declared
    relation are excluded; a member counts as voting when it voted on every criterion.
    """
    member_set = set(members)
    excluded = set(conflicted) & member_set
    voters = [m for m in member_set - excluded if set(votes.get(m, {})) >= set(Criterion)]
    quorum = quorum_of(len(member_set))
    if not member_set or len(voters) < quorum:
        return Decision("no_quorum", len(voters), quorum)
    tally: dict[str, tuple[int, int]] = {}
    for criterion in Criterion:
        passes = sum(1 for m in voters if votes[m][criterion])
        tally[criterion] = (passes, len(voters) - passes)
    failed = tuple(c for c, (yes, no) in tally.items() if yes <= no)
    return Decision("rejected" if failed else "selected", len(voters), quorum, tally, failed)


# --- committee months ----------------------------------------------------------------------------------


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def next_month(key: str) -> str:
    year, month = (int(p) for p in key.split("-"))
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return f"{year:04d}-{month:02d}"


def committee_month_for(accepted_on: date) -> str:
    """The earliest month for an application accepted in month M: the round of month M+1. Which month it
    really gets also depends on the rounds already set (`first_open_month`)."""
    return next_month(month_key(accepted_on))


#: Days the committee needs between an application's assignment and the meeting: the operator sends the
#: papers, the members declare their relations and read. An application is never assigned on its own to
#: a round that meets sooner; the operator may still move one there by hand (the page says it is short).
PREPARATION_DAYS = 7


class RoundKind(StrEnum):
    REGULAR = "regular"  # 정기 심사위원회: one a month
    EXTRA = "extra"  # 수시 심사위원회: convened by the operator in the current month


ROUND_KIND_LABELS = {
    RoundKind.REGULAR: N_("Regular round (정기 심사위원회)"),
    RoundKind.EXTRA: N_("Extra round (수시 심사위원회)"),
}


@dataclass(frozen=True)
class RoundSlot:
    """What the month rule needs to know of a round."""

    month: str
    meeting_date: date
    closed: bool

    def open_on(self, today: date) -> bool:
        """Open, and meeting on or after today."""
        return not self.closed and self.meeting_date >= today

    def prepared_on(self, today: date) -> bool:
        """Open, with at least `PREPARATION_DAYS` until the meeting."""
        return not self.closed and self.meeting_date >= today + timedelta(days=PREPARATION_DAYS)


def first_open_month(today: date, regular_rounds: Mapping[str, RoundSlot], earliest: str) -> str:
    """The committee month of an application: from ``earliest`` on (never a past month), the first month
    whose regular round is open and meets at least `PREPARATION_DAYS` after today, or a later month whose
    round is not set yet. A closed round, or one meeting too soon, is skipped."""
    current = month_key(today)
    month = max(earliest, current)
    while True:
        slot = regular_rounds.get(month)
        if slot is None and month > current:
            return month
        if slot is not None and slot.prepared_on(today):
            return month
        month = next_month(month)


def short_preparation(meeting_date: date, today: date) -> bool:
    """Fewer than `PREPARATION_DAYS` left until the meeting."""
    return meeting_date < today + timedelta(days=PREPARATION_DAYS)


def closable_on(meeting_date: date, today: date) -> bool:
    """A round closes on or after its meeting date, never before."""
    return today >= meeting_date


def is_month_key(value: str) -> bool:
    try:
        year, month = (int(p) for p in value.split("-"))
    except ValueError:
        return False
    return len(value) == 7 and 2020 <= year <= 2100 and 1 <= month <= 12


#: What a supplement request can name besides each required document: the main groups of fields.
SUPPLEMENT_GROUP_KEYS = ("basic", "operation", "csap", "price_plans")


def supplement_keys(service_type: str | None) -> list[str]:
    """Every item a supplement request may name for an application of this type."""
    return [*SUPPLEMENT_GROUP_KEYS, *(str(kind) for kind in required_documents(service_type))]


def supplement_items_problem(items: Mapping[str, str], allowed: Iterable[str] | None = None) -> Text | None:
    """Why a supplement request cannot go out: an item the supplier could not act on, or no reason."""
    if allowed is not None:
        allowed = list(allowed)
        unknown = [key for key in items if key not in allowed]
        if unknown:
            return N_(
                "Unknown item: %(key)s. Name one of: %(allowed)s.", key=", ".join(unknown), allowed=", ".join(allowed)
            )
    if not any((reason or "").strip() for reason in items.values()):
        return N_("Name at least one missing or wrong item with a reason.")
    return None


#: The reason recorded when the company was under a sanction at closing time (shown translated).
SANCTION_REASON = "active sanction"
