"""Which committee round an application waits for, and where it may go (the committee month rule).

An accepted application waits for the regular round of its ``committee_month``, or, when the operator
moved it there by hand, for the round named by ``committee_round_id`` (an extra round, 수시 심사위원회).
The month is chosen by `rules.first_open_month`: never a month whose round is closed or meets too soon.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from .rules import WAITING_FOR_COMMITTEE, RoundKind, RoundSlot, first_open_month
from .tables import Application, CommitteeRound


def slot_of(committee_round: CommitteeRound) -> RoundSlot:
    return RoundSlot(committee_round.month, committee_round.meeting_date, committee_round.is_closed)


def regular_rounds(session: Session) -> dict[str, RoundSlot]:
    """The regular round of each month that has one."""
    query = select(CommitteeRound).where(CommitteeRound.kind == RoundKind.REGULAR)
    return {r.month: slot_of(r) for r in session.scalars(query)}


def regular_round(session: Session, month: str) -> CommitteeRound | None:
    query = select(CommitteeRound).where(CommitteeRound.kind == RoundKind.REGULAR, CommitteeRound.month == month)
    return session.scalar(query)


def open_month(session: Session, today: date, earliest: str) -> str:
    """The first month from ``earliest`` on whose round is open and leaves time to prepare."""
    return first_open_month(today, regular_rounds(session), earliest)


def assigned_round(session: Session, application: Application) -> CommitteeRound | None:
    """The round the application waits for (or was last in); None while its month has no round yet."""
    if application.committee_round_id is not None:
        return session.get(CommitteeRound, application.committee_round_id)
    if application.committee_month is None:
        return None
    return regular_round(session, application.committee_month)


def waiting_on_closed_rounds(session: Session, applications: Iterable[Application]) -> dict[int, CommitteeRound]:
    """The applications still waiting for the committee whose round is already closed, with that round:
    nothing will decide them until the operator moves them."""
    waiting = [a for a in applications if a.state in WAITING_FOR_COMMITTEE and a.committee_month]
    if not waiting:
        return {}
    rounds = list(session.scalars(select(CommitteeRound).where(CommitteeRound.closed_at.is_not(None))))
    by_id = {r.id: r for r in rounds}
    regular = {r.month: r for r in rounds if r.kind == RoundKind.REGULAR}
    found = {}
    for application in waiting:
        if application.committee_round_id is not None:
            committee_round = by_id.get(application.committee_round_id)
        else:
            committee_round = regular.get(application.committee_month)
        if committee_round is not None:
            found[application.id] = committee_round
    return found


def move_targets(session: Session, today: date) -> list[CommitteeRound]:
    """Rounds an application can be moved into by hand: open and meeting today or later."""
    query = select(CommitteeRound).where(CommitteeRound.closed_at.is_(None), CommitteeRound.meeting_date >= today)
    return list(session.scalars(query.order_by(CommitteeRound.meeting_date, CommitteeRound.number)))
