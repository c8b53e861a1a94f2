"""The rules of demand notices (수요예보): what a notice must say, its states and those of an interest.

No I/O. A notice names a planned need of an agency: a title, a description, a catalog category, a budget
range in won (whole numbers, the least at most the most) and the month the agency expects to contract
(YYYY-MM, not before the current month). A supplier says it is interested with a short note, once per
notice; it may edit or withdraw the note while the notice is open.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

from ..core.i18n import N_, Text
from ..core.states import StateMachine

MAX_TITLE = 200
MAX_DESCRIPTION = 4000
MAX_NOTE = 1000
MAX_BUDGET = 10_000_000_000_000  # 10조 won: anything above is a typing mistake
MAX_MONTHS_AHEAD = 60
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class NoticeState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class NoticeAction(StrEnum):
    EDIT = "edit"
    CLOSE = "close"


class InterestState(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class InterestAction(StrEnum):
    EXPRESS = "express"  # again after a withdrawal
    EDIT = "edit"
    WITHDRAW = "withdraw"


NOTICE_TRANSITIONS: dict[tuple[NoticeState, NoticeAction], NoticeState] = {
    (NoticeState.OPEN, NoticeAction.EDIT): NoticeState.OPEN,
    (NoticeState.OPEN, NoticeAction.CLOSE): NoticeState.CLOSED,
}
INTEREST_TRANSITIONS: dict[tuple[InterestState, InterestAction], InterestState] = {
    (InterestState.WITHDRAWN, InterestAction.EXPRESS): InterestState.ACTIVE,
    (InterestState.ACTIVE, InterestAction.EDIT): InterestState.ACTIVE,
    (InterestState.ACTIVE, InterestAction.WITHDRAW): InterestState.WITHDRAWN,
}

NOTICE_STATE_LABELS = {NoticeState.OPEN: N_("Open"), NoticeState.CLOSED: N_("Closed")}
INTEREST_STATE_LABELS = {
    InterestState.ACTIVE: N_("Interested"),
    InterestState.WITHDRAWN: N_("Withdrawn"),
}

_KINDS: dict[str, StateMachine] = {
    "notice": StateMachine(NoticeState, NoticeAction, NOTICE_TRANSITIONS, NOTICE_STATE_LABELS, N_("The demand notice")),
    "interest": StateMachine(
        InterestState, InterestAction, INTEREST_TRANSITIONS, INTEREST_STATE_LABELS, N_("Your interest")
    ),
}


def move(kind: str, state: str, action: str) -> StrEnum:
    """The state after ``action`` on a ``kind`` (notice | interest) in ``state``, or 409 naming the state."""
    return _KINDS[kind].move(state, action)


def allowed(kind: str, state: str) -> list[str]:
    """The actions possible in a state (for pages: which buttons to show)."""
    return [str(action) for action in _KINDS[kind].allowed(state)]


def parse_month(value: str | None) -> tuple[int, int] | None:
    """ "2027-03" -> (2027, 3); None when it is not a month written as YYYY-MM."""
    match = _MONTH.match((value or "").strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or year < 2000:
        return None
    return year, month


def month_problem(value: str | None, today: date) -> Text | None:
    """What is wrong with an expected contract month: written as YYYY-MM, not before this month, at most
    five years ahead."""
    if not (value or "").strip():
        return N_("Enter a month.")
    parsed = parse_month(value)
    if parsed is None:
        return N_("Enter a month like 2027-03.")
    index = parsed[0] * 12 + parsed[1] - 1
    now = today.year * 12 + today.month - 1
    if index < now:
        return N_("The expected month cannot be in the past.")
    if index - now > MAX_MONTHS_AHEAD:
        return N_("Announce needs at most five years ahead.")
    return None


def _amount_problem(value: object, least: int) -> Text | None:
    if value is None:
        return N_("Enter an amount in won.")
    if not isinstance(value, int) or isinstance(value, bool):
        return N_("Enter a whole number of won.")
    if value < least or value > MAX_BUDGET:
        return N_("Enter an amount from %(least)s to %(most)s won.", least=f"{least:,}", most=f"{MAX_BUDGET:,}")
    return None


def text_problem(value: str | None, maximum: int, required: bool = True) -> Text | None:
    value = (value or "").strip()
    if required and not value:
        return N_("This field is required.")
    if len(value) > maximum:
        return N_("At most %(max)s characters.", max=maximum)
    return None


def notice_problems(
    *,
    title: str | None,
    description: str | None,
    category_known: bool,
    budget_min: object,
    budget_max: object,
    expected_month: str | None,
    today: date,
) -> dict[str, Text]:
    """What is wrong with a demand notice (empty when it is fine)."""
    problems: dict[str, Text] = {}
    for name, value, maximum in (("title", title, MAX_TITLE), ("description", description, MAX_DESCRIPTION)):
        problem = text_problem(value, maximum)
        if problem:
            problems[name] = problem
    if not category_known:
        problems["category_id"] = N_("Choose a category of the catalog.")
    least = _amount_problem(budget_min, 0)
    most = _amount_problem(budget_max, 1)
    if least:
        problems["budget_min"] = least
    if most:
        problems["budget_max"] = most
    if not least and not most and budget_min > budget_max:  # type: ignore[operator]
        problems["budget_max"] = N_("The highest budget must not be below the lowest.")
    month = month_problem(expected_month, today)
    if month:
        problems["expected_month"] = month
    return problems


def note_problem(note: str | None) -> Text | None:
    return text_problem(note, MAX_NOTE)


def normal_month(value: str) -> str:
    year, month = parse_month(value)  # type: ignore[misc]
    return f"{year:04d}-{month:02d}"
