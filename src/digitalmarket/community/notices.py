"""Use cases of demand notices (수요예보): an agency posts, edits and closes its planned needs; suppliers
with published services in the category are told; a supplier says it is interested with a short note.

Every function runs inside the caller's transaction: it loads, asks the rules, writes, records an audit
event and notifies whoever should know. Notices are public open information; interest notes are seen
only by the agency that posted the notice and by the supplier that wrote them. Another agency's notice
is a 404 for editing, as if it did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..accounts.permissions import Actor
from ..accounts.rules import Role
from ..accounts.tables import User
from ..catalog.rules import ServiceStatus
from ..catalog.tables import Category, Service
from ..core import audit
from ..core.clock import today_kst
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.i18n import N_
from ..core.ids import next_code
from ..core.notifications import notify
from ..core.tables import utcnow
from . import rules
from .rules import InterestAction, InterestState, NoticeAction, NoticeState
from .tables import DemandInterest, DemandNotice

PAGE_SIZE = 20


@dataclass(frozen=True)
class NoticeIn:
    title: str
    description: str
    category_id: int | None
    budget_min: int | None
    budget_max: int | None
    expected_month: str


# --- who hears of a notice ---------------------------------------------------------------------------------------


def _users_of(session: Session, organisation_ids) -> list[int]:
    ids = list(organisation_ids)
    if not ids:
        return []
    query = select(User.id).where(User.organisation_id.in_(ids), User.is_active)
    return list(session.scalars(query))


def matching_suppliers(session: Session, category_id: int) -> list[int]:
    """The suppliers with at least one published service in the category."""
    query = (
        select(Service.supplier_id)
        .where(Service.category_id == category_id, Service.status == ServiceStatus.PUBLISHED)
        .distinct()
    )
    return sorted(session.scalars(query))


def _link(notice: DemandNotice) -> str:
    return f"/demand-notices/{notice.id}"


# --- reading ---------------------------------------------------------------------------------------------------


def public_notice(session: Session, notice_id: int) -> DemandNotice:
    notice = session.get(DemandNotice, notice_id)
    if notice is None:
        raise NotFound()
    return notice


def own_notice(session: Session, actor: Actor, notice_id: int) -> DemandNotice:
    """A notice of the caller's agency (any other caller: 404)."""
    notice = session.get(DemandNotice, notice_id)
    if notice is None or actor.role != Role.AGENCY_BUYER or notice.agency_id != actor.organisation_id:
        raise NotFound()
    return notice


def is_owner(actor: Actor | None, notice: DemandNotice) -> bool:
    return actor is not None and actor.role == Role.AGENCY_BUYER and notice.agency_id == actor.organisation_id


def public_notices(
    session: Session,
    *,
    category_id: int | None = None,
    status: str | None = NoticeState.OPEN,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> tuple[list[DemandNotice], int]:
    """A page of notices, newest first, and how many there are in all."""
    query = select(DemandNotice)
    if category_id:
        query = query.where(DemandNotice.category_id == category_id)
    if status:
        query = query.where(DemandNotice.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(DemandNotice.id.desc()).offset((max(page, 1) - 1) * page_size).limit(page_size)
    )
    return list(rows), total


def notices_of_agency(session: Session, actor: Actor) -> list[DemandNotice]:
    query = select(DemandNotice).where(DemandNotice.agency_id == actor.organisation_id)
    return list(session.scalars(query.order_by(DemandNotice.id.desc())))


def notices_matching_supplier(session: Session, supplier_id: int, limit: int = 5) -> list[DemandNotice]:
    """Open notices in the categories where the supplier has published services, newest first (for the
    supplier's home page recommendations)."""
    categories = select(Service.category_id).where(
        Service.supplier_id == supplier_id, Service.status == ServiceStatus.PUBLISHED
    )
    query = (
        select(DemandNotice)
        .where(DemandNotice.status == NoticeState.OPEN, DemandNotice.category_id.in_(categories))
        .order_by(DemandNotice.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def interest_of(session: Session, actor: Actor | None, notice: DemandNotice) -> DemandInterest | None:
    """The caller's own interest in a notice (suppliers only)."""
    if actor is None or actor.role != Role.SUPPLIER:
        return None
    return next((i for i in notice.interests if i.supplier_id == actor.organisation_id), None)


def interests_of_supplier(session: Session, actor: Actor) -> list[DemandInterest]:
    query = select(DemandInterest).where(DemandInterest.supplier_id == actor.organisation_id)
    return list(session.scalars(query.order_by(DemandInterest.updated_at.desc())))


@dataclass(frozen=True)
class InterestedSupplier:
    interest: DemandInterest
    services: list[Service]  # the supplier's published services in the notice's category


def interested_suppliers(session: Session, actor: Actor, notice_id: int) -> list[InterestedSupplier]:
    """Who is interested in the agency's own notice: company, size, its published services in the
    category and the note (404 for anyone but the agency)."""
    notice = own_notice(session, actor, notice_id)
    active = [i for i in notice.interests if i.status == InterestState.ACTIVE]
    if not active:
        return []
    services = session.scalars(
        select(Service)
        .where(
            Service.supplier_id.in_([i.supplier_id for i in active]),
            Service.category_id == notice.category_id,
            Service.status == ServiceStatus.PUBLISHED,
        )
        .order_by(Service.name)
    ).all()
    return [InterestedSupplier(i, [s for s in services if s.supplier_id == i.supplier_id]) for i in active]


def active_interest_count(notice: DemandNotice) -> int:
    return sum(1 for i in notice.interests if i.status == InterestState.ACTIVE)


# --- the agency -------------------------------------------------------------------------------------------------


def _checked(session: Session, data: NoticeIn, now: datetime) -> None:
    known = data.category_id is not None and session.get(Category, data.category_id) is not None
    problems = rules.notice_problems(
        title=data.title,
        description=data.description,
        category_known=known,
        budget_min=data.budget_min,
        budget_max=data.budget_max,
        expected_month=data.expected_month,
        today=today_kst(now),
    )
    if problems:
        raise ValidationFailed(fields=problems)


def post_notice(session: Session, actor: Actor, data: NoticeIn, now: datetime | None = None) -> DemandNotice:
    """Post a demand notice; every user of a supplier with a published service in the category is told."""
    now = now or utcnow()
    if actor.role != Role.AGENCY_BUYER:
        raise NotFound()
    _checked(session, data, now)
    notice = DemandNotice(
        code=next_code(session, "DN", today_kst(now).year),
        agency_id=actor.organisation_id,
        posted_by=actor.user_id,
        title=data.title.strip(),
        description=data.description.strip(),
        category_id=data.category_id,
        budget_min=data.budget_min,
        budget_max=data.budget_max,
        expected_month=rules.normal_month(data.expected_month),
        status=NoticeState.OPEN,
        created_at=now,
        updated_at=now,
    )
    session.add(notice)
    session.flush()
    suppliers = matching_suppliers(session, notice.category_id)
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="demand_notice.posted",
        object_type="demand_notice",
        object_id=notice.id,
        details={
            "code": notice.code,
            "category_id": notice.category_id,
            "budget": [notice.budget_min, notice.budget_max],
            "expected_month": notice.expected_month,
            "suppliers_notified": suppliers,
        },
    )
    notify(
        session,
        _users_of(session, suppliers),
        N_(
            "%(agency)s plans to buy: %(title)s (%(month)s). Tell them if you are interested.",
            agency=notice.agency.name,
            title=notice.title,
            month=notice.expected_month,
        ),
        _link(notice),
    )
    return notice


def _tell_interested(session: Session, notice: DemandNotice, message) -> None:
    active = [i.supplier_id for i in notice.interests if i.status == InterestState.ACTIVE]
    notify(session, _users_of(session, active), message, _link(notice))


def edit_notice(
    session: Session, actor: Actor, notice_id: int, version: int, data: NoticeIn, now: datetime | None = None
) -> DemandNotice:
    now = now or utcnow()
    notice = own_notice(session, actor, notice_id)
    rules.move("notice", notice.status, NoticeAction.EDIT)
    _checked(session, data, now)
    if notice.version != version:
        raise Conflict()
    before = {
        "title": notice.title,
        "category_id": notice.category_id,
        "budget": [notice.budget_min, notice.budget_max],
        "expected_month": notice.expected_month,
    }
    old_category = notice.category_id
    notice.title = data.title.strip()
    notice.description = data.description.strip()
    notice.category_id = data.category_id
    notice.budget_min, notice.budget_max = data.budget_min, data.budget_max
    notice.expected_month = rules.normal_month(data.expected_month)
    notice.updated_at = now
    session.flush()
    session.expire(notice, ["category"])
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="demand_notice.edited",
        object_type="demand_notice",
        object_id=notice.id,
        details={"before": before, "version": notice.version},
    )
    _tell_interested(
        session,
        notice,
        N_("%(agency)s changed its demand notice %(title)s.", agency=notice.agency.name, title=notice.title),
    )
    if notice.category_id != old_category:
        told = {i.supplier_id for i in notice.interests if i.status == InterestState.ACTIVE}
        newly = [s for s in matching_suppliers(session, notice.category_id) if s not in told]
        notify(
            session,
            _users_of(session, newly),
            N_(
                "%(agency)s plans to buy: %(title)s (%(month)s). Tell them if you are interested.",
                agency=notice.agency.name,
                title=notice.title,
                month=notice.expected_month,
            ),
            _link(notice),
        )
    return notice


def close_notice(
    session: Session, actor: Actor, notice_id: int, version: int, reason: str = "", now: datetime | None = None
) -> DemandNotice:
    now = now or utcnow()
    notice = own_notice(session, actor, notice_id)
    new_state = rules.move("notice", notice.status, NoticeAction.CLOSE)
    problem = rules.text_problem(reason, rules.MAX_NOTE, required=False)
    if problem:
        raise ValidationFailed(fields={"reason": problem})
    if notice.version != version:
        raise Conflict()
    notice.status = new_state
    notice.close_reason = (reason or "").strip() or None
    notice.closed_at = notice.updated_at = now
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="demand_notice.closed",
        object_type="demand_notice",
        object_id=notice.id,
        details={"reason": notice.close_reason},
    )
    _tell_interested(
        session,
        notice,
        N_("%(agency)s closed its demand notice %(title)s.", agency=notice.agency.name, title=notice.title),
    )
    return notice


# --- the supplier -----------------------------------------------------------------------------------------------


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
