"""The end of an order: the agency terminates it early with a reason (중도 해지), and the daily run
activates orders whose start date has come and completes those whose period has ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...accounts.permissions import Actor
from ...core import audit
from ...core.clock import today_kst
from ...core.errors import Conflict, NotFound, ValidationFailed
from ...core.i18n import N_
from ...core.notifications import notify
from ...core.tables import utcnow
from ..states import OrderAction, OrderState, move
from ..tables import Order
from .access import organisation_users, pending_change, side_of, visible_order
from .changing import reason_problem
from .confirming import activate

# --- the end of an order -----------------------------------------------------------------------------------------


def terminate(
    session: Session, actor: Actor, order_id: int, version: int, reason: str, now: datetime | None = None
) -> Order:
    """Early termination by the agency, with a reason; a change still waiting is withdrawn."""
    now = now or utcnow()
    order = visible_order(session, actor, order_id, lock=True)
    if side_of(actor, order) != "agency":
        raise NotFound()
    new_state = move("order", order.status, OrderAction.TERMINATE)
    problem = reason_problem(reason)
    if problem:
        raise ValidationFailed(fields={"reason": problem})
    if order.version != version:
        raise Conflict()
    pending = pending_change(order)
    if pending is not None:
        pending.status = "withdrawn"
    order.status = new_state
    order.status_reason = reason.strip()
    order.updated_at = now
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="order.terminated",
        object_type="order",
        object_id=order.id,
        details={"reason": order.status_reason},
        occurred_at=now,
    )
    notify(
        session,
        organisation_users(session, order.supplier_id),
        N_("%(agency)s terminated order %(code)s early.", agency=order.agency.name, code=order.code),
        f"/orders/{order.id}",
    )
    return order


@dataclass(frozen=True)
class Advanced:
    activated: list[str]
    completed: list[str]


def activate_and_complete_due_orders(session: Session, today: date | None = None) -> Advanced:
    """Contracted orders whose start date has come become active; active orders whose period ended are
    completed. Run daily (``digitalmarket advance-orders``)."""
    today = today or today_kst()
    now = utcnow()
    activated, completed = [], []
    due = session.scalars(
        select(Order).where(Order.status == OrderState.CONTRACTED, Order.start_date <= today).order_by(Order.id)
    ).all()
    for order in due:
        activate(session, order, None, now)
        activated.append(order.code)
    ended = session.scalars(
        select(Order).where(Order.status == OrderState.ACTIVE, Order.end_date < today).order_by(Order.id)
    ).all()
    for order in ended:
        order.status = move("order", order.status, OrderAction.COMPLETE)
        order.updated_at = now
        pending = pending_change(order)
        if pending is not None:
            pending.status = "withdrawn"
        session.flush()
        audit.record(
            session,
            actor_user_id=None,
            action="order.completed",
            object_type="order",
            object_id=order.id,
            details={"end_date": order.end_date.isoformat()},
            occurred_at=now,
        )
        completed.append(order.code)
    return Advanced(activated, completed)
