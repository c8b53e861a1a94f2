"""The state machines of contracting: the catalog contract, the quote request, the quote and the order,
with the labels of their states; `move` and `allowed` for any of them by its kind. No I/O."""

from __future__ import annotations

from enum import StrEnum

from ..core.i18n import N_
from ..core.states import StateMachine, not_possible


class CatalogState(StrEnum):
    APPLIED = "applied"
    PPS_REVIEW = "pps_review"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    CONTRACTED = "contracted"  # listed in the shopping mall
    SUSPENDED = "suspended"  # 거래정지
    EXPIRED = "expired"


class CatalogAction(StrEnum):
    START_REVIEW = "start_review"
    REQUEST_SUPPLEMENT = "request_supplement"
    RESUBMIT = "resubmit"
    CONTRACT = "contract"
    AMEND = "amend"
    SUSPEND = "suspend"
    RESUME = "resume"
    EXPIRE = "expire"


CATALOG_TRANSITIONS: dict[tuple[CatalogState, CatalogAction], CatalogState] = {
    (CatalogState.APPLIED, CatalogAction.START_REVIEW): CatalogState.PPS_REVIEW,
    (CatalogState.PPS_REVIEW, CatalogAction.REQUEST_SUPPLEMENT): CatalogState.SUPPLEMENT_REQUESTED,
    (CatalogState.SUPPLEMENT_REQUESTED, CatalogAction.RESUBMIT): CatalogState.APPLIED,
    (CatalogState.PPS_REVIEW, CatalogAction.CONTRACT): CatalogState.CONTRACTED,
    (CatalogState.CONTRACTED, CatalogAction.AMEND): CatalogState.CONTRACTED,  # 변경차수 + 1
    (CatalogState.CONTRACTED, CatalogAction.SUSPEND): CatalogState.SUSPENDED,
    (CatalogState.SUSPENDED, CatalogAction.RESUME): CatalogState.CONTRACTED,
    (CatalogState.CONTRACTED, CatalogAction.EXPIRE): CatalogState.EXPIRED,
    (CatalogState.SUSPENDED, CatalogAction.EXPIRE): CatalogState.EXPIRED,
}
#: States in which a service has no other catalog contract application running.
CATALOG_OPEN_STATES = frozenset(set(CatalogState) - {CatalogState.EXPIRED})


class QuoteState(StrEnum):
    REQUESTED = "requested"
    QUOTED = "quoted"
    DECLINED = "declined"
    AWARDED = "awarded"
    NOT_AWARDED = "not_awarded"


class QuoteAction(StrEnum):
    ANSWER = "answer"  # first answer and each revision until the deadline
    DECLINE = "decline"
    AWARD = "award"
    PASS_OVER = "pass_over"  # another quote of the request was awarded, or the request was cancelled


QUOTE_TRANSITIONS: dict[tuple[QuoteState, QuoteAction], QuoteState] = {
    (QuoteState.REQUESTED, QuoteAction.ANSWER): QuoteState.QUOTED,
    (QuoteState.QUOTED, QuoteAction.ANSWER): QuoteState.QUOTED,
    (QuoteState.REQUESTED, QuoteAction.DECLINE): QuoteState.DECLINED,
    (QuoteState.QUOTED, QuoteAction.DECLINE): QuoteState.DECLINED,
    (QuoteState.QUOTED, QuoteAction.AWARD): QuoteState.AWARDED,
    (QuoteState.REQUESTED, QuoteAction.PASS_OVER): QuoteState.NOT_AWARDED,
    (QuoteState.QUOTED, QuoteAction.PASS_OVER): QuoteState.NOT_AWARDED,
}
#: Quotes still waiting for the award: answered or to answer. An order would fall under the catalog contract
#: in force, which their request shows; an award passes over every other one.
OPEN_QUOTE_STATES = (QuoteState.REQUESTED, QuoteState.QUOTED)


class RequestState(StrEnum):
    OPEN = "open"
    AWARDED = "awarded"
    CLOSED = "closed"  # the deadline passed without an award and the buyer closed it
    CANCELLED = "cancelled"


class RequestAction(StrEnum):
    AWARD = "award"
    CLOSE = "close"
    CANCEL = "cancel"


REQUEST_TRANSITIONS: dict[tuple[RequestState, RequestAction], RequestState] = {
    (RequestState.OPEN, RequestAction.AWARD): RequestState.AWARDED,
    (RequestState.OPEN, RequestAction.CLOSE): RequestState.CLOSED,
    (RequestState.OPEN, RequestAction.CANCEL): RequestState.CANCELLED,
}


class OrderState(StrEnum):
    DRAFT = "draft"  # awarded or made directly; the contract document waits for both confirmations
    CONTRACTED = "contracted"
    ACTIVE = "active"
    COMPLETED = "completed"
    TERMINATED = "terminated"
    WITHDRAWN = "withdrawn"  # the buyer took it back before the supplier accepted it


class OrderAction(StrEnum):
    CONFIRM = "confirm"  # the second side's confirmation contracts the order
    ACTIVATE = "activate"  # its start date has come
    CHANGE = "change"  # 계약변경 confirmed by both sides: 변경차수 + 1
    COMPLETE = "complete"  # its end date has passed
    TERMINATE = "terminate"  # early, with a reason
    WITHDRAW = "withdraw"  # a draft the supplier has not accepted, by the buyer, with a reason


ORDER_TRANSITIONS: dict[tuple[OrderState, OrderAction], OrderState] = {
    (OrderState.DRAFT, OrderAction.CONFIRM): OrderState.CONTRACTED,
    (OrderState.DRAFT, OrderAction.WITHDRAW): OrderState.WITHDRAWN,
    (OrderState.CONTRACTED, OrderAction.ACTIVATE): OrderState.ACTIVE,
    (OrderState.CONTRACTED, OrderAction.CHANGE): OrderState.CONTRACTED,
    (OrderState.ACTIVE, OrderAction.CHANGE): OrderState.ACTIVE,
    (OrderState.ACTIVE, OrderAction.COMPLETE): OrderState.COMPLETED,
    (OrderState.CONTRACTED, OrderAction.TERMINATE): OrderState.TERMINATED,
    (OrderState.ACTIVE, OrderAction.TERMINATE): OrderState.TERMINATED,
}

CATALOG_STATE_LABELS = {
    CatalogState.APPLIED: N_("Applied"),
    CatalogState.PPS_REVIEW: N_("Under PPS review"),
    CatalogState.SUPPLEMENT_REQUESTED: N_("Supplement requested"),
    CatalogState.CONTRACTED: N_("In the shopping mall"),
    CatalogState.SUSPENDED: N_("Trade suspended"),
    CatalogState.EXPIRED: N_("Expired"),
}
QUOTE_STATE_LABELS = {
    QuoteState.REQUESTED: N_("Waiting for the answer"),
    QuoteState.QUOTED: N_("Quoted"),
    QuoteState.DECLINED: N_("Declined"),
    QuoteState.AWARDED: N_("Awarded"),
    QuoteState.NOT_AWARDED: N_("Not awarded"),
}
REQUEST_STATE_LABELS = {
    RequestState.OPEN: N_("Open"),
    RequestState.AWARDED: N_("Awarded"),
    RequestState.CLOSED: N_("Closed"),
    RequestState.CANCELLED: N_("Cancelled"),
}
ORDER_STATE_LABELS = {
    OrderState.DRAFT: N_("Waiting for confirmation"),
    OrderState.CONTRACTED: N_("Contracted"),
    OrderState.ACTIVE: N_("In use"),
    OrderState.COMPLETED: N_("Completed"),
    OrderState.TERMINATED: N_("Terminated"),
    OrderState.WITHDRAWN: N_("Withdrawn"),
}
METHOD_LABELS = {
    "negotiated": N_("Negotiated contract (수의계약)"),
    "delivery_request": N_("Delivery request (납품요구)"),
}

#: The steps a person takes, as a refused step lists those possible (`core.states.not_possible_here`); the
#: steps that happen by themselves (a contract starting or ending on its date, a quote passed over when
#: another is awarded, a catalog contract expiring) are not offered.
CATALOG_STEPS = {
    CatalogAction.START_REVIEW: N_("Start the review (the contracting officer)"),
    CatalogAction.REQUEST_SUPPLEMENT: N_("Request a supplement (the contracting officer)"),
    CatalogAction.RESUBMIT: N_("Resubmit (the supplier)"),
    CatalogAction.CONTRACT: N_("Sign the catalog contract (the contracting officer)"),
    CatalogAction.AMEND: N_("Record an amendment (the contracting officer)"),
    CatalogAction.SUSPEND: N_("Suspend trade (the contracting officer)"),
    CatalogAction.RESUME: N_("Resume trade (the contracting officer)"),
}
QUOTE_STEPS = {
    QuoteAction.ANSWER: N_("Answer or revise (the supplier)"),
    QuoteAction.DECLINE: N_("Decline (the supplier)"),
    QuoteAction.AWARD: N_("Award it (the buyer)"),
}
REQUEST_STEPS = {
    RequestAction.AWARD: N_("Award a quote (the buyer)"),
    RequestAction.CLOSE: N_("Close it after its deadline (the buyer)"),
    RequestAction.CANCEL: N_("Cancel it (the buyer)"),
}
ORDER_STEPS = {
    OrderAction.CONFIRM: N_("Confirm the contract document (each side)"),
    OrderAction.WITHDRAW: N_("Withdraw it (the buyer, before the supplier accepts)"),
    OrderAction.CHANGE: N_("Propose a change (계약변경)"),
    OrderAction.TERMINATE: N_("Terminate early (the buyer)"),
}

_KINDS: dict[str, StateMachine] = {
    "catalog": StateMachine(
        CatalogState,
        CatalogAction,
        CATALOG_TRANSITIONS,
        CATALOG_STATE_LABELS,
        N_("The catalog contract"),
        steps=CATALOG_STEPS,
    ),
    "quote": StateMachine(
        QuoteState, QuoteAction, QUOTE_TRANSITIONS, QUOTE_STATE_LABELS, N_("The quote"), steps=QUOTE_STEPS
    ),
    "request": StateMachine(
        RequestState,
        RequestAction,
        REQUEST_TRANSITIONS,
        REQUEST_STATE_LABELS,
        N_("The quote request"),
        steps=REQUEST_STEPS,
    ),
    "order": StateMachine(
        OrderState, OrderAction, ORDER_TRANSITIONS, ORDER_STATE_LABELS, N_("The contract"), steps=ORDER_STEPS
    ),
}


def move(kind: str, state: str, action: str) -> StrEnum:
    """The state after ``action`` on a ``kind`` (catalog | quote | request | order) in ``state``, or 409
    naming the state it is in."""
    return _KINDS[kind].move(state, action)


#: "<subject> is <state>; this step is not possible now." (also for refusals outside the tables).
wrong_state = not_possible


def allowed(kind: str, state: str) -> list[str]:
    """The actions possible in a state (for pages: which buttons to show)."""
    return [str(action) for action in _KINDS[kind].allowed(state)]
