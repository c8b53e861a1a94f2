"""What waits in selection (할 일): supplements the operator asked of a supplier; applications to check,
review and publish, committee months without a round and rounds to close for the operator; declarations
and votes for a committee member.

Each function reads what it needs in a few queries (no query per application) and keeps selection's
rules: an application waits since it entered the state that starts its step; the operator's targets for
a step (``DM_TARGET_*_DAYS``, the same the daily reminders use) make it late the day after the target
has passed; a round closes on or after its meeting date (`rules.closable_on`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.clock import KST
from ..core.i18n import N_
from ..core.todo import TodoItem, TodoKind, days_late, start_of
from . import rules
from .rules import WAITING_FOR_COMMITTEE, Action, Criterion, State
from .tables import Application, ApplicationEvent, CommitteeRound, ConflictDeclaration, RoundMember, Vote

SUPPLEMENT = TodoKind(
    "supplements_requested", N_("Supplements requested on your applications"), "/supplier/applications"
)
SCREEN = TodoKind("applications_to_check", N_("Applications to check"), "/operator/applications")
RETURNED = TodoKind("supplements_returned", N_("Supplements returned by suppliers"), "/operator/applications")
EXPERT = TodoKind("applications_to_pre_review", N_("Accepted applications for expert review"), "/operator/applications")
PUBLISH = TodoKind("services_to_publish", N_("Selected services to publish"), "/operator/applications?state=selected")
NO_ROUND = TodoKind("rounds_to_set", N_("Committee months without a round"), "/operator/rounds")
CLOSE = TodoKind("rounds_to_close", N_("Committee rounds to close"), "/operator/rounds")
DECLARE = TodoKind("declarations_to_make", N_("Relations to declare"), "/reviewer/rounds")
VOTE = TodoKind("votes_to_cast", N_("Applications to vote on"), "/reviewer/rounds")


def _entries(session: Session, application_ids: Iterable[int]) -> dict[int, list[ApplicationEvent]]:
    """The history of each application, in order (one query)."""
    ids = list(application_ids)
    found: dict[int, list[ApplicationEvent]] = {i: [] for i in ids}
    if ids:
        query = select(ApplicationEvent).where(ApplicationEvent.application_id.in_(ids)).order_by(ApplicationEvent.id)
        for event in session.scalars(query):
            found[event.application_id].append(event)
    return found


def _last_entry(events: list[ApplicationEvent], state: State) -> ApplicationEvent | None:
    return next((e for e in reversed(events) if e.to_state == state), None)


def _applications(session: Session, *where) -> list:
    query = select(Application.id, Application.content, Application.state, Application.created_at).where(*where)
    return session.execute(query.order_by(Application.id)).all()


def _name(row) -> str:
    return (row.content or {}).get("name") or f"#{row.id}"


def for_supplier(session: Session, supplier_id: int) -> list[TodoItem]:
    """The supplier's applications waiting for a supplement, since the operator asked for it."""
    rows = _applications(
        session, Application.supplier_id == supplier_id, Application.state == State.SUPPLEMENT_REQUESTED
    )
    history = _entries(session, (r.id for r in rows))
    items = []
    for row in rows:
        entry = _last_entry(history[row.id], State.SUPPLEMENT_REQUESTED)
        since = entry.occurred_at if entry else row.created_at
        items.append(TodoItem(SUPPLEMENT, _name(row), f"/supplier/applications/{row.id}", since))
    return items


def _late(since: datetime, today: date, target_days: int) -> tuple[date, int]:
    """The last day of the step's target (counted in Korean days from the day it started) and the days
    past it: late once more than ``target_days`` have passed, as the daily reminder counts."""
    due = since.astimezone(KST).date() + timedelta(days=target_days)
    return due, days_late(due, today)


def for_operator(session: Session, today: date, targets: dict[str, int]) -> list[TodoItem]:
    """Applications to check (first submissions and returned supplements), to pre-review and to publish;
    committee months with applications but no round; rounds whose meeting day has come."""
    states = (State.SUBMITTED, State.DOCUMENT_CHECK, State.ACCEPTED, State.EXPERT_REVIEW, State.SELECTED)
    rows = _applications(session, Application.state.in_([str(s) for s in states]))
    history = _entries(session, (r.id for r in rows))
    items = []
    for row in rows:
        events, href = history[row.id], f"/operator/applications/{row.id}"
        if row.state in (State.SUBMITTED, State.DOCUMENT_CHECK):
            entry = _last_entry(events, State.SUBMITTED)
            since = entry.occurred_at if entry else row.created_at
            kind = RETURNED if entry is not None and entry.action == Action.RESUBMIT else SCREEN
            items.append(TodoItem(kind, _name(row), href, since, *_late(since, today, targets["document_check"])))
        elif row.state == State.EXPERT_REVIEW:
            entry = _last_entry(events, State.EXPERT_REVIEW)
            since = entry.occurred_at if entry else row.created_at
            items.append(TodoItem(EXPERT, _name(row), href, since, *_late(since, today, targets["expert_review"])))
        else:
            entry = _last_entry(events, State(row.state))
            kind = EXPERT if row.state == State.ACCEPTED else PUBLISH
            items.append(TodoItem(kind, _name(row), href, entry.occurred_at if entry else row.created_at))
    return items + _rounds_for_operator(session, today)


def _rounds_for_operator(session: Session, today: date) -> list[TodoItem]:
    rounds = session.scalars(select(CommitteeRound).where(CommitteeRound.closed_at.is_(None))).all()
    items = [
        TodoItem(
            CLOSE,
            N_("Round %(number)s (%(month)s)", number=r.number, month=r.month),
            f"/operator/rounds/{r.id}",
            start_of(r.meeting_date),
            r.meeting_date,
        )
        for r in rounds
        if rules.closable_on(r.meeting_date, today)
    ]
    regular = set(session.scalars(select(CommitteeRound.month).where(CommitteeRound.kind == "regular")))
    waiting = session.execute(
        select(Application.committee_month, Application.accepted_at).where(
            Application.state.in_([str(s) for s in WAITING_FOR_COMMITTEE]),
            Application.committee_round_id.is_(None),
            Application.committee_month.is_not(None),
        )
    ).all()
    months: dict[str, list[datetime]] = {}
    for month, accepted_at in waiting:
        if month not in regular and accepted_at is not None:
            months.setdefault(month, []).append(accepted_at)
    items += [
        TodoItem(
            NO_ROUND,
            N_("%(month)s: %(count)s applications wait for a round", month=month, count=len(accepted)),
            NO_ROUND.href,
            min(accepted),
        )
        for month, accepted in months.items()
    ]
    return items


def for_reviewer(session: Session, reviewer_id: int) -> list[TodoItem]:
    """In each open round the reviewer sits on, the applications before the committee without the
    reviewer's declaration, and those declared without a relation and not voted on every criterion."""
    rounds = session.scalars(
        select(CommitteeRound)
        .join(RoundMember, RoundMember.round_id == CommitteeRound.id)
        .where(RoundMember.user_id == reviewer_id, CommitteeRound.closed_at.is_(None))
    ).all()
    if not rounds:
        return []
    declared = {
        (d.round_id, d.application_id): d.has_relation
        for d in session.scalars(select(ConflictDeclaration).where(ConflictDeclaration.reviewer_id == reviewer_id))
    }
    voted: dict[tuple[int, int], set[str]] = {}
    for round_id, application_id, criterion in session.execute(
        select(Vote.round_id, Vote.application_id, Vote.criterion).where(Vote.reviewer_id == reviewer_id)
    ):
        voted.setdefault((round_id, application_id), set()).add(criterion)
    items = []
    for committee_round in rounds:
        items += _waiting_in_round(session, committee_round, declared, voted)
    return items


def _waiting_in_round(session: Session, committee_round: CommitteeRound, declared: dict, voted: dict) -> list:
    """The applications before the committee in one round, waiting for the reviewer's declaration or vote."""
    if committee_round.is_extra:
        assigned = Application.committee_round_id == committee_round.id
    else:
        assigned = (Application.committee_month == committee_round.month) & Application.committee_round_id.is_(None)
    rows = _applications(session, assigned, Application.state == State.COMMITTEE)
    history = _entries(session, (r.id for r in rows))
    items = []
    for row in rows:
        key = (committee_round.id, row.id)
        title = N_(
            "%(name)s, round %(number)s (%(month)s)",
            name=_name(row),
            number=committee_round.number,
            month=committee_round.month,
        )
        entry = _last_entry(history[row.id], State.COMMITTEE)
        since, due = (entry.occurred_at if entry else row.created_at), committee_round.meeting_date
        if key not in declared:
            items.append(TodoItem(DECLARE, title, f"/reviewer/rounds/{committee_round.id}", since, due))
        elif not declared[key] and len(voted.get(key, ())) < len(Criterion):
            href = f"/reviewer/rounds/{committee_round.id}/applications/{row.id}"
            items.append(TodoItem(VOTE, title, href, since, due))
    return items
