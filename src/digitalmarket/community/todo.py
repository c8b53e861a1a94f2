"""What waits in the community (할 일): for an agency, suppliers interested in its open demand notices;
for a supplier, open demand notices in the categories of its published services it has not answered."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..catalog.rules import ServiceStatus
from ..catalog.tables import Service
from ..core.i18n import N_
from ..core.todo import TodoItem, TodoKind
from .rules import InterestState, NoticeState
from .tables import DemandInterest, DemandNotice

INTERESTED = TodoKind(
    "demand_notice_interest", N_("Suppliers interested in your demand notices"), "/agency/demand-notices"
)
MATCHING = TodoKind("demand_notices_to_answer", N_("Demand notices in your categories"), "/supplier/demand-notices")


def for_agency(session: Session, agency_id: int) -> list[TodoItem]:
    """The agency's open notices with active interest, since the latest interest."""
    found = session.execute(
        select(DemandNotice.id, DemandNotice.code, DemandNotice.title, func.max(DemandInterest.updated_at))
        .join(DemandInterest, DemandInterest.notice_id == DemandNotice.id)
        .where(
            DemandNotice.agency_id == agency_id,
            DemandNotice.status == NoticeState.OPEN,
            DemandInterest.status == InterestState.ACTIVE,
        )
        .group_by(DemandNotice.id, DemandNotice.code, DemandNotice.title)
    ).all()
    return [
        TodoItem(INTERESTED, f"{code} · {title}", f"/demand-notices/{notice_id}", since)
        for notice_id, code, title, since in found
    ]


def for_supplier(session: Session, supplier_id: int) -> list[TodoItem]:
    """Open notices in the supplier's categories (as the recommendations choose them) without its interest."""
    categories = select(Service.category_id).where(
        Service.supplier_id == supplier_id, Service.status == ServiceStatus.PUBLISHED
    )
    answered = select(DemandInterest.notice_id).where(DemandInterest.supplier_id == supplier_id)
    found = session.execute(
        select(DemandNotice.id, DemandNotice.code, DemandNotice.title, DemandNotice.created_at).where(
            DemandNotice.status == NoticeState.OPEN,
            DemandNotice.category_id.in_(categories),
            DemandNotice.id.not_in(answered),
        )
    ).all()
    return [TodoItem(MATCHING, f"{r.code} · {r.title}", f"/demand-notices/{r.id}", r.created_at) for r in found]
