"""The agency's steps on its demand notices (수요예보): post, edit and close its planned needs. Posting tells
every supplier with a published service in the category; editing and closing tell the suppliers that said
they are interested (and a new category's suppliers, when it changes).

Every function runs inside the caller's transaction: it loads, asks the rules, writes, records an audit
event and notifies whoever should know. Another agency's notice is a 404, as if it did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ..accounts.permissions import Actor
from ..accounts.rules import Role
from ..catalog.tables import Category
from ..core import audit
from ..core.clock import today_kst
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.i18n import N_
from ..core.ids import next_code
from ..core.notifications import notify
from ..core.tables import utcnow
from . import rules
from .notice_queries import _link, _users_of, matching_suppliers, own_notice
from .rules import InterestState, NoticeAction, NoticeState
from .tables import DemandNotice


@dataclass(frozen=True)
class NoticeIn:
    title: str
    description: str
    category_id: int | None
    budget_min: int | None
    budget_max: int | None
    expected_month: str


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
