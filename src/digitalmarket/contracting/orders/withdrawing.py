"""Withdrawing an order: the buyer takes back a draft the supplier has not accepted yet (by confirming the
contract document), with a reason the supplier is told. Nothing of it was published (an order the buyer
negotiated is awarded in public only once the supplier accepts it), and a withdrawn order is never
contracted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ...accounts.permissions import Actor
from ...core import audit
from ...core.errors import Conflict, NotFound, ValidationFailed
from ...core.i18n import N_
from ...core.notifications import notify
from ...core.tables import utcnow
from ..states import OrderAction, move
from ..tables import Order
from .access import confirmed_by, organisation_users, side_of, version_of, visible_order
from .changing import reason_problem


def withdraw(
    session: Session, actor: Actor, order_id: int, version: int, reason: str, now: datetime | None = None
) -> Order:
    """The buyer's agency withdraws its draft order with a reason; 409 once the supplier has accepted it
    (or it is contracted), 404 for anyone but the agency."""
    now = now or utcnow()
    order = visible_order(session, actor, order_id, lock=True)
    if side_of(actor, order) != "agency":
        raise NotFound()
    new_state = move("order", order.status, OrderAction.WITHDRAW)
    if confirmed_by(version_of(order, 0), "supplier"):
        raise Conflict(N_("The supplier has accepted this order: it can no longer be withdrawn."))
    problem = reason_problem(reason)
    if problem:
        raise ValidationFailed(fields={"reason": problem})
    if order.version != version:
        raise Conflict()
    order.status = new_state
    order.status_reason = reason.strip()
    order.updated_at = now
    version_of(order, 0).status = "withdrawn"  # its draft is never confirmed now, as a withdrawn change
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="order.withdrawn",
        object_type="order",
        object_id=order.id,
        details={"reason": order.status_reason},
        occurred_at=now,
    )
    notify(
        session,
        organisation_users(session, order.supplier_id),
        N_(
            "%(agency)s withdrew order %(code)s before you accepted it: %(reason)s",
            agency=order.agency.name,
            code=order.code,
            reason=order.status_reason,
        ),
        f"/orders/{order.id}",
    )
    return order
