"""Who sees which application, and the operator's queue of them.

A supplier sees its own organisation's applications, the operator every one; reviewers see theirs
through the committee (`committee_votes`). Anyone else gets 404, as if the application did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.permissions import Actor
from ..accounts.rules import Role
from ..core.errors import NotFound, PermissionDenied
from ..core.tables import utcnow
from .rules import OPEN_STATES, State
from .tables import Application, ApplicationDocument

STAFF_ROLES = {Role.OPERATOR, Role.ADMIN}


# --- who sees what ------------------------------------------------------------------------------------


def load(session: Session, application_id: int) -> Application:
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound()
    return application


def visible_application(session: Session, actor: Actor, application_id: int) -> Application:
    """A supplier sees its own organisation's applications, the operator every one; nobody else here
    (reviewers see theirs through the committee). Others get 404, as if it did not exist."""
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound()
    if actor.role in STAFF_ROLES:
        return application
    if actor.role == Role.SUPPLIER and application.supplier_id == actor.organisation_id:
        return application
    raise NotFound()


def own_application(session: Session, actor: Actor, application_id: int) -> Application:
    application = visible_application(session, actor, application_id)
    if application.supplier_id != actor.organisation_id:
        raise NotFound()
    return application


def applications_of_supplier(session: Session, actor: Actor) -> list[Application]:
    query = select(Application).where(Application.supplier_id == actor.organisation_id)
    return list(session.scalars(query.order_by(Application.id.desc())))


def applications_for(session: Session, actor: Actor, filters: QueueFilter) -> list[Application]:
    """A supplier's own applications; for the operator, the queue; for anyone else, nothing to see."""
    if actor.role == Role.SUPPLIER:
        return applications_of_supplier(session, actor)
    if actor.role in STAFF_ROLES:
        return queue(session, filters)
    raise PermissionDenied()


@dataclass(frozen=True)
class QueueFilter:
    state: str | None = None
    service_type: str | None = None
    supplier: str | None = None
    min_days_waiting: int | None = None


def queue(session: Session, filters: QueueFilter, now: datetime | None = None) -> list[Application]:
    """The operator's queue: applications under way past the draft stage, longest waiting first."""
    now = now or utcnow()
    query = select(Application).where(Application.state != State.DRAFT)
    if filters.state:
        query = query.where(Application.state == filters.state)
    else:  # by default only what is still under way; finished ones by choosing their state
        query = query.where(Application.state.in_(OPEN_STATES))
    rows = list(session.scalars(query.order_by(Application.updated_at)))
    if filters.service_type:
        rows = [a for a in rows if a.service_type == filters.service_type]
    if filters.supplier:
        needle = filters.supplier.strip().lower()
        rows = [a for a in rows if needle in a.supplier.name.lower() or needle in (a.supplier.business_number or "")]
    if filters.min_days_waiting is not None:
        rows = [a for a in rows if days_waiting(a, now) >= filters.min_days_waiting]
    return rows


def days_waiting(application: Application, now: datetime | None = None) -> int:
    """Days since the application last changed state."""
    last = application.events[-1].occurred_at if application.events else application.created_at
    return max(0, ((now or utcnow()) - last).days)


def document_for(session: Session, actor: Actor, application_id: int, document_id: int) -> ApplicationDocument:
    """A document, for those who may see its application (reviewers: see `committee_votes.reviewer_document`)."""
    application = visible_application(session, actor, application_id)
    document = next((d for d in application.documents if d.id == document_id), None)
    if document is None:
        raise NotFound()
    return document
