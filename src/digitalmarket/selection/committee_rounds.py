"""The rounds of the monthly Digital Service Review Committee (디지털서비스 심사위원회).

The operator creates a round for a month with reviewers as members; applications accepted the month
before are in it automatically (an extra round, 수시 심사위원회, holds those the operator moves into it).
Who sees which round, and which applications a round holds. A member's declarations and votes are in
`committee_votes`; closing a round, in `committee_decisions`.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.permissions import Actor
from ..accounts.rules import Role
from ..accounts.tables import User
from ..core import audit
from ..core.clock import today_kst
from ..core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from ..core.i18n import N_, Text
from ..core.notifications import notify
from . import months
from .rules import WAITING_FOR_COMMITTEE, RoundKind, is_month_key, month_key
from .tables import Application, CommitteeRound, Decision, RoundMember


def create_round(
    session: Session,
    actor: Actor,
    *,
    number: int,
    month: str | None,
    meeting_date: date,
    member_ids: list[int],
    kind: str = RoundKind.REGULAR,
) -> CommitteeRound:
    """The regular round of a month, or an extra round (수시 심사위원회) in the current month meeting
    today or later, into which the operator then moves applications by hand."""
    problems: dict[str, Text] = {}
    today = today_kst()
    extra = kind == RoundKind.EXTRA
    if kind not in set(RoundKind):
        problems["kind"] = N_("Choose one of the options.")
    if extra and not month and meeting_date is not None:
        month = month_key(meeting_date)
    if number <= 0:
        problems["number"] = N_("Enter a whole number above 0.")
    if not is_month_key(month or ""):
        problems["month"] = N_("Enter the month like 2026-12.")
    elif meeting_date.strftime("%Y-%m") != month:
        problems["meeting_date"] = N_("The meeting date must fall in the round's month.")
    elif extra and (month != month_key(today) or meeting_date < today):
        problems["meeting_date"] = N_(
            "An extra round meets in the current month, today or later: from %(today)s to the end of %(month)s.",
            today=today.isoformat(),
            month=month_key(today),
        )
    members = list(session.scalars(select(User).where(User.id.in_(set(member_ids)))))
    not_reviewers = sorted(
        set(member_ids) - {m.id for m in members if m.role == Role.REVIEWER and m.is_active}
    )  # unknown ids, other roles, closed accounts: named, so that the caller knows which to change
    if not_reviewers:
        problems["member_ids"] = N_(
            "Members must be active reviewer accounts; these are not: %(ids)s.",
            ids=", ".join(str(i) for i in not_reviewers),
        )
    elif len(members) < 3:
        problems["member_ids"] = N_("Choose at least three reviewers.")
    if problems:
        raise ValidationFailed(fields=problems)
    if session.scalar(select(CommitteeRound.id).where(CommitteeRound.number == number)):
        raise Conflict(N_("Some details are already registered."), fields={"number": N_("This round number exists.")})
    if not extra and months.regular_round(session, month) is not None:
        raise Conflict(
            N_("Some details are already registered."),
            fields={"month": N_("This month has a regular round; convene an extra round instead.")},
        )
    committee_round = CommitteeRound(
        number=number,
        month=month,
        kind=str(kind),
        meeting_date=meeting_date,
        members=[RoundMember(user_id=m.id) for m in members],
    )
    session.add(committee_round)
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="committee.round_created",
        object_type="committee_round",
        object_id=committee_round.id,
        details={"month": month, "kind": str(kind), "members": sorted(member_ids)},
    )
    notify(
        session,
        [m.id for m in members],
        N_("You sit on committee round %(number)s (%(month)s).", number=number, month=month),
        f"/reviewer/rounds/{committee_round.id}",
    )
    return committee_round


def rounds(session: Session) -> list[CommitteeRound]:
    return list(session.scalars(select(CommitteeRound).order_by(CommitteeRound.month.desc())))


def load_round(session: Session, round_id: int) -> CommitteeRound:
    committee_round = session.get(CommitteeRound, round_id)
    if committee_round is None:
        raise NotFound()
    return committee_round


def round_applications(session: Session, committee_round: CommitteeRound) -> list[Application]:
    """Applications of the round: those waiting in its month, and after closing those it decided."""
    decided = select(Decision.application_id).where(Decision.round_id == committee_round.id)
    if committee_round.is_extra:
        assigned = Application.committee_round_id == committee_round.id
    else:
        assigned = (Application.committee_month == committee_round.month) & Application.committee_round_id.is_(None)
    query = select(Application).where(
        (assigned & Application.state.in_(WAITING_FOR_COMMITTEE)) | Application.id.in_(decided)
    )
    return list(session.scalars(query.order_by(Application.id)))


# --- reviewers ----------------------------------------------------------------------------------------


def rounds_of_reviewer(session: Session, actor: Actor) -> list[CommitteeRound]:
    query = select(CommitteeRound).join(RoundMember).where(RoundMember.user_id == actor.user_id)
    return list(session.scalars(query.order_by(CommitteeRound.month.desc())))


def rounds_for(session: Session, actor: Actor) -> list[CommitteeRound]:
    """Every round for the operator; for a reviewer, the rounds it sits on."""
    if actor.role in (Role.OPERATOR, Role.ADMIN):
        return rounds(session)
    if actor.role == Role.REVIEWER:
        return rounds_of_reviewer(session, actor)
    raise PermissionDenied()


def round_for(session: Session, actor: Actor, round_id: int) -> CommitteeRound:
    if actor.role in (Role.OPERATOR, Role.ADMIN):
        return load_round(session, round_id)
    if actor.role == Role.REVIEWER:
        return reviewer_round(session, actor, round_id)
    raise PermissionDenied()


def reviewer_round(session: Session, actor: Actor, round_id: int) -> CommitteeRound:
    """A round the reviewer sits on; any other is 404."""
    committee_round = session.get(CommitteeRound, round_id)
    if committee_round is None or actor.user_id not in committee_round.member_ids:
        raise NotFound()
    return committee_round
