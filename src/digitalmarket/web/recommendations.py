"""Suggestions on the workspace pages, each with its reason in words.

- An agency sees services **similar to those it uses** (same category, shared keywords) and services
  **popular with agencies of the same kind** (중앙행정기관, 지방자치단체 ...): "같은 유형의 기관 12곳이 이용 중".
- A supplier sees the open **demand notices** that match its published services (from ``community``,
  when that stage is installed).

"Uses" means an order that is contracted, active or completed. Only published services are suggested,
never one the agency already uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..accounts.tables import Organisation
from ..catalog.rules import ServiceStatus
from ..catalog.tables import Service
from ..community.notice_queries import notices_matching_supplier
from ..contracting.states import OrderState
from ..contracting.tables import Order
from ..core.i18n import N_, Text

USED_STATES = (OrderState.CONTRACTED, OrderState.ACTIVE, OrderState.COMPLETED)
#: How many similar candidates are weighed per category used, and how many suggestions are shown.
CANDIDATES_PER_CATEGORY = 200
LIMIT = 6
#: Weights: a service of the same category with shared keywords comes before one of the same category only;
#: each agency of the same kind using a service counts as much as a shared keyword.
SAME_CATEGORY = 2
PER_SHARED_TERM = 1
PER_PEER_AGENCY = 1


@dataclass
class Suggestion:
    service: Service
    score: int = 0
    reasons: list[Text] = field(default_factory=list)


def _terms(service: Service) -> set[str]:
    return {str(k).strip().lower() for k in (service.keywords or []) if str(k).strip()}


def used_services(session: Session, agency_id: int) -> list[Service]:
    ordered = select(Order.service_id).where(
        Order.agency_id == agency_id, Order.status.in_([str(s) for s in USED_STATES])
    )
    query = select(Service).where(Service.id.in_(ordered)).order_by(Service.id)
    return list(session.scalars(query))


def peer_counts(session: Session, agency: Organisation, limit: int = 50) -> dict[int, int]:
    """service id -> how many other agencies of the same kind use it."""
    if not agency.agency_kind:
        return {}
    agencies = func.count(func.distinct(Order.agency_id))
    query = (
        select(Order.service_id, agencies)
        .join(Organisation, Organisation.id == Order.agency_id)
        .where(
            Organisation.agency_kind == agency.agency_kind,
            Order.agency_id != agency.id,
            Order.status.in_([str(s) for s in USED_STATES]),
        )
        .group_by(Order.service_id)
        .order_by(agencies.desc(), Order.service_id)
        .limit(limit)
    )
    return {service_id: count for service_id, count in session.execute(query)}


def for_agency(session: Session, agency_id: int, limit: int = LIMIT) -> list[Suggestion]:
    """Services to suggest to an agency, best first, each with why."""
    agency = session.get(Organisation, agency_id)
    if agency is None:
        return []
    used = used_services(session, agency_id)
    used_ids = {s.id for s in used}
    found: dict[int, Suggestion] = {}

    def suggestion(service: Service) -> Suggestion:
        return found.setdefault(service.id, Suggestion(service))

    for category_id in dict.fromkeys(s.category_id for s in used):
        candidates = session.scalars(
            select(Service)
            .where(
                Service.category_id == category_id,
                Service.status == ServiceStatus.PUBLISHED,
                Service.id.not_in(used_ids),
            )
            .order_by(Service.id.desc())
            .limit(CANDIDATES_PER_CATEGORY)
        )
        for candidate in candidates:
            for mine in (s for s in used if s.category_id == category_id):
                shared = sorted(_terms(candidate) & _terms(mine))
                entry = suggestion(candidate)
                if shared:
                    entry.score += SAME_CATEGORY + PER_SHARED_TERM * len(shared)
                    entry.reasons.append(
                        N_(
                            "Like %(service)s, which you use: %(terms)s",
                            service=mine.name,
                            terms=", ".join(shared[:3]),
                        )
                    )
                else:
                    entry.score += SAME_CATEGORY
                    entry.reasons.append(N_("Same category as %(service)s, which you use", service=mine.name))
    peers = peer_counts(session, agency)
    if peers:
        popular = session.scalars(
            select(Service).where(Service.id.in_(list(peers)), Service.status == ServiceStatus.PUBLISHED)
        )
        for service in popular:
            if service.id in used_ids:
                continue
            entry = suggestion(service)
            entry.score += PER_PEER_AGENCY * peers[service.id]
            entry.reasons.insert(0, N_("Used by %(count)s agencies of the same kind", count=peers[service.id]))
    ranked = sorted(found.values(), key=lambda s: (-s.score, -s.service.id))
    for entry in ranked:
        entry.reasons = entry.reasons[:2]
    return ranked[:limit]


@dataclass(frozen=True)
class NoticeSuggestion:
    notice: object
    reason: Text


def for_supplier(session: Session, supplier_id: int, limit: int = 5) -> list[NoticeSuggestion]:
    """Open demand notices matching the supplier's published services."""
    notices = notices_matching_supplier(session, supplier_id, limit)
    if not notices:
        return []
    services = session.scalars(
        select(Service)
        .where(Service.supplier_id == supplier_id, Service.status == ServiceStatus.PUBLISHED)
        .order_by(Service.id)
    ).all()
    by_category: dict[int, Service] = {}
    for service in services:
        by_category.setdefault(service.category_id, service)
    suggestions = []
    for notice in notices:
        mine = by_category.get(notice.category_id)
        reason = (
            N_("Matches %(service)s, your service in the same category", service=mine.name)
            if mine
            else N_("Matches the category of your services")
        )
        suggestions.append(NoticeSuggestion(notice, reason))
    return suggestions
