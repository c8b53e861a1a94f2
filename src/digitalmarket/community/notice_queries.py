"""What is read of demand notices (수요예보): the public list and a notice, an agency's own notices (404 for
any other caller when editing), what a supplier sees and has said, who is interested in an agency's notice;
and who hears of a notice (the users of the suppliers with published services in its category).

Notices are public open information; interest notes are seen only by the agency that posted the notice and
by the supplier that wrote them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..accounts.permissions import Actor
from ..accounts.rules import Role
from ..accounts.tables import User
from ..catalog.rules import ServiceStatus
from ..catalog.tables import Service
from ..core.errors import NotFound
from .rules import InterestState, NoticeState
from .tables import DemandInterest, DemandNotice

PAGE_SIZE = 20


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
