"""A supplier's interest in an open demand notice (수요예보): it says it is interested with a short note,
edits the note or withdraws, and the agency's user who posted the notice is told each time.

Every function runs inside the caller's transaction: it loads, asks the rules, writes, records an audit
event and notifies the agency.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ..accounts.permissions import Actor
from ..accounts.rules import Role
from ..core import audit
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.i18n import N_
from ..core.notifications import notify
from ..core.tables import utcnow
from . import rules
from .notice_queries import _link, interest_of, public_notice
from .rules import InterestAction, InterestState, NoticeState
from .tables import DemandInterest, DemandNotice


def _open_notice(session: Session, notice_id: int) -> DemandNotice:
    notice = public_notice(session, notice_id)
    if notice.status != NoticeState.OPEN:
        raise Conflict(
            N_(
                "%(subject)s is %(state)s; this step is not possible now.",
                subject=N_("The demand notice"),
                state=rules.NOTICE_STATE_LABELS[NoticeState(notice.status)],
            )
        )
    return notice


def _tell_agency(session: Session, notice: DemandNotice, message) -> None:
    notify(session, [notice.posted_by], message, _link(notice))


def express_interest(
    session: Session, actor: Actor, notice_id: int, note: str, now: datetime | None = None
) -> DemandInterest:
    """Say the supplier is interested, with a short note: once per notice (again after withdrawing)."""
    now = now or utcnow()
    if actor.role != Role.SUPPLIER:
        raise NotFound()
    notice = _open_notice(session, notice_id)
    interest = interest_of(session, actor, notice)
    if interest is not None and interest.status == InterestState.ACTIVE:
        raise Conflict(N_("Your company has already said it is interested; edit the note instead."))
    problem = rules.note_problem(note)
    if problem:
        raise ValidationFailed(fields={"note": problem})
    if interest is None:
        interest = DemandInterest(
            notice=notice,
            supplier_id=actor.organisation_id,
            user_id=actor.user_id,
            note=note.strip(),
            status=InterestState.ACTIVE,
            created_at=now,
            updated_at=now,
        )
        session.add(interest)
    else:
        interest.status = rules.move("interest", interest.status, InterestAction.EXPRESS)
        interest.note, interest.user_id, interest.updated_at = note.strip(), actor.user_id, now
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="demand_interest.expressed",
        object_type="demand_notice",
        object_id=notice.id,
        details={"supplier_id": actor.organisation_id, "interest_id": interest.id},
    )
    _tell_agency(
        session,
        notice,
        N_(
            "%(supplier)s is interested in your demand notice %(title)s.",
            supplier=actor.organisation_name,
            title=notice.title,
        ),
    )
    return interest


def _own_interest(session: Session, actor: Actor, notice: DemandNotice) -> DemandInterest:
    interest = interest_of(session, actor, notice)
    if interest is None:
        raise NotFound()
    return interest


def edit_interest(
    session: Session, actor: Actor, notice_id: int, version: int, note: str, now: datetime | None = None
) -> DemandInterest:
    now = now or utcnow()
    if actor.role != Role.SUPPLIER:
        raise NotFound()
    notice = public_notice(session, notice_id)
    interest = _own_interest(session, actor, notice)
    rules.move("interest", interest.status, InterestAction.EDIT)
    notice = _open_notice(session, notice_id)
    problem = rules.note_problem(note)
    if problem:
        raise ValidationFailed(fields={"note": problem})
    if interest.version != version:
        raise Conflict()
    interest.note, interest.user_id, interest.updated_at = note.strip(), actor.user_id, now
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="demand_interest.edited",
        object_type="demand_notice",
        object_id=notice.id,
        details={"supplier_id": actor.organisation_id, "interest_id": interest.id},
    )
    _tell_agency(
        session,
        notice,
        N_(
            "%(supplier)s changed its note on your demand notice %(title)s.",
            supplier=actor.organisation_name,
            title=notice.title,
        ),
    )
    return interest


def withdraw_interest(
    session: Session, actor: Actor, notice_id: int, version: int, now: datetime | None = None
) -> DemandInterest:
    now = now or utcnow()
    if actor.role != Role.SUPPLIER:
        raise NotFound()
    notice = public_notice(session, notice_id)
    interest = _own_interest(session, actor, notice)
    new_state = rules.move("interest", interest.status, InterestAction.WITHDRAW)
    notice = _open_notice(session, notice_id)
    if interest.version != version:
        raise Conflict()
    interest.status, interest.user_id, interest.updated_at = new_state, actor.user_id, now
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="demand_interest.withdrawn",
        object_type="demand_notice",
        object_id=notice.id,
        details={"supplier_id": actor.organisation_id, "interest_id": interest.id},
    )
    _tell_agency(
        session,
        notice,
        N_(
            "%(supplier)s withdrew its interest in your demand notice %(title)s.",
            supplier=actor.organisation_name,
            title=notice.title,
        ),
    )
    return interest
