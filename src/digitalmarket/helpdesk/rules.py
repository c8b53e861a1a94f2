"""The rules of the help desk: inquiry categories and states, what an inquiry, a message, an FAQ entry
and a notice must say, and the publishing states of FAQ entries and notices. No I/O.

An inquiry (문의) is a thread: the user asks, an operator answers, the user may follow up and the
operator answers again. ``open`` waits for the operator, ``answered`` for the user; a follow-up reopens
an answered or closed inquiry; either side may close it.
"""

from __future__ import annotations

from enum import StrEnum

from ..core.i18n import N_, Text
from ..core.states import StateMachine

MAX_SUBJECT = 200
MAX_BODY = 5000
MAX_QUESTION = 300
MAX_ANSWER = 10_000
MAX_TITLE = 200
MAX_NOTICE_BODY = 20_000
MAX_ATTACHMENTS = 10
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


class Category(StrEnum):
    ACCOUNT = "account"
    SELECTION = "selection"
    CONTRACT = "contract"
    PAYMENT = "payment"
    TECHNICAL = "technical"
    OTHER = "other"


CATEGORY_LABELS = {
    Category.ACCOUNT: N_("Account and sign-in"),
    Category.SELECTION: N_("Selection of services"),
    Category.CONTRACT: N_("Contracts and orders"),
    Category.PAYMENT: N_("Usage and payment"),
    Category.TECHNICAL: N_("Technical problems"),
    Category.OTHER: N_("Other"),
}


class InquiryState(StrEnum):
    OPEN = "open"  # waiting for the operator
    ANSWERED = "answered"  # waiting for the user
    CLOSED = "closed"


class InquiryAction(StrEnum):
    ANSWER = "answer"  # the operator
    FOLLOW_UP = "follow_up"  # the user; reopens
    CLOSE = "close"  # either side


INQUIRY_TRANSITIONS: dict[tuple[InquiryState, InquiryAction], InquiryState] = {
    (InquiryState.OPEN, InquiryAction.ANSWER): InquiryState.ANSWERED,
    (InquiryState.ANSWERED, InquiryAction.ANSWER): InquiryState.ANSWERED,
    (InquiryState.OPEN, InquiryAction.FOLLOW_UP): InquiryState.OPEN,
    (InquiryState.ANSWERED, InquiryAction.FOLLOW_UP): InquiryState.OPEN,
    (InquiryState.CLOSED, InquiryAction.FOLLOW_UP): InquiryState.OPEN,
    (InquiryState.OPEN, InquiryAction.CLOSE): InquiryState.CLOSED,
    (InquiryState.ANSWERED, InquiryAction.CLOSE): InquiryState.CLOSED,
}
INQUIRY_STATE_LABELS = {
    InquiryState.OPEN: N_("Waiting for an answer"),
    InquiryState.ANSWERED: N_("Answered"),
    InquiryState.CLOSED: N_("Ended"),
}


class PublishState(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    UNPUBLISHED = "unpublished"


class PublishAction(StrEnum):
    PUBLISH = "publish"
    UNPUBLISH = "unpublish"


PUBLISH_TRANSITIONS: dict[tuple[PublishState, PublishAction], PublishState] = {
    (PublishState.DRAFT, PublishAction.PUBLISH): PublishState.PUBLISHED,
    (PublishState.UNPUBLISHED, PublishAction.PUBLISH): PublishState.PUBLISHED,
    (PublishState.PUBLISHED, PublishAction.UNPUBLISH): PublishState.UNPUBLISHED,
}
PUBLISH_STATE_LABELS = {
    PublishState.DRAFT: N_("Draft"),
    PublishState.PUBLISHED: N_("Published"),
    PublishState.UNPUBLISHED: N_("Unpublished"),
}

_KINDS: dict[str, StateMachine] = {
    "inquiry": StateMachine(InquiryState, InquiryAction, INQUIRY_TRANSITIONS, INQUIRY_STATE_LABELS, N_("The inquiry")),
    "faq": StateMachine(PublishState, PublishAction, PUBLISH_TRANSITIONS, PUBLISH_STATE_LABELS, N_("The FAQ entry")),
    "notice": StateMachine(PublishState, PublishAction, PUBLISH_TRANSITIONS, PUBLISH_STATE_LABELS, N_("The notice")),
}


def move(kind: str, state: str, action: str) -> StrEnum:
    """The state after ``action`` on a ``kind`` (inquiry | faq | notice) in ``state``, or 409 naming it."""
    return _KINDS[kind].move(state, action)


def allowed(kind: str, state: str) -> list[str]:
    """The actions possible in a state (for pages: which buttons to show)."""
    return [str(action) for action in _KINDS[kind].allowed(state)]


def text_problem(value: str | None, maximum: int, required: bool = True) -> Text | None:
    value = (value or "").strip()
    if required and not value:
        return N_("This field is required.")
    if len(value) > maximum:
        return N_("At most %(max)s characters.", max=maximum)
    return None


def category_problem(value: str | None) -> Text | None:
    if value not in set(Category):  # named, for a caller of the API who sees no list to choose from
        return N_("Choose one of: %(choices)s.", choices=", ".join(c.value for c in Category))
    return None


def inquiry_problems(subject: str | None, category: str | None, body: str | None) -> dict[str, Text]:
    problems: dict[str, Text] = {}
    for name, problem in (
        ("subject", text_problem(subject, MAX_SUBJECT)),
        ("category", category_problem(category)),
        ("body", text_problem(body, MAX_BODY)),
    ):
        if problem:
            problems[name] = problem
    return problems


def faq_problems(category: str | None, question: str | None, answer: str | None) -> dict[str, Text]:
    problems: dict[str, Text] = {}
    for name, problem in (
        ("category", category_problem(category)),
        ("question", text_problem(question, MAX_QUESTION)),
        ("answer", text_problem(answer, MAX_ANSWER)),
    ):
        if problem:
            problems[name] = problem
    return problems


def notice_problems(title: str | None, body: str | None) -> dict[str, Text]:
    problems: dict[str, Text] = {}
    for name, problem in (("title", text_problem(title, MAX_TITLE)), ("body", text_problem(body, MAX_NOTICE_BODY))):
        if problem:
            problems[name] = problem
    return problems


def matches(query: str, *texts: str) -> bool:
    """A simple filter: every word of the query appears in one of the texts (case ignored)."""
    words = (query or "").casefold().split()
    haystack = " ".join(texts).casefold()
    return all(word in haystack for word in words)
