"""Who sees an order and where it stands: the side an organisation is on, the orders it sees (another
organisation's order is a 404, as if it did not exist), the versions of an order and the next step each
side has to take. Read by the order pages and API and by settlement.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...accounts.permissions import Actor
from ...accounts.rules import Role
from ...accounts.tables import User
from ...core.errors import NotFound
from ...core.i18n import N_, Text
from ..states import OrderState
from ..tables import Order, OrderVersion

# --- who sees what --------------------------------------------------------------------------------------------


def side_of(actor: Actor, order: Order) -> str | None:
    """ "agency" or "supplier" when the caller is a party to the order, else None."""
    if actor.role == Role.AGENCY_BUYER and order.agency_id == actor.organisation_id:
        return "agency"
    if actor.role == Role.SUPPLIER and order.supplier_id == actor.organisation_id:
        return "supplier"
    return None


def visible_order(session: Session, actor: Actor, order_id: int, *, lock: bool = False) -> Order:
    """An order for its two parties; 404 for anyone else (another agency, a competitor). ``lock`` holds the
    order's row until the transaction ends (``SELECT ... FOR UPDATE`` on PostgreSQL): every step that
    writes an order takes it first, so that two steps on one order (a confirmation and a withdrawal, say)
    take turns instead of locking the order's and its versions' rows in opposite orders."""
    # with ``lock``, read and locked in one statement: the order's row only, not the rows joined to it
    order = session.get(Order, order_id, with_for_update={"of": Order} if lock else None)
    if order is None or side_of(actor, order) is None:
        raise NotFound()
    return order


def orders_of(session: Session, actor: Actor) -> list[Order]:
    if actor.role == Role.AGENCY_BUYER:
        query = select(Order).where(Order.agency_id == actor.organisation_id)
    elif actor.role == Role.SUPPLIER:
        query = select(Order).where(Order.supplier_id == actor.organisation_id)
    else:
        return []
    return list(session.scalars(query.order_by(Order.id.desc())))


def version_of(order: Order, seq: int) -> OrderVersion:
    found = next((v for v in order.versions if v.seq == seq), None)
    if found is None:
        raise NotFound()
    return found


def pending_change(order: Order) -> OrderVersion | None:
    """A change proposed and not yet confirmed by both sides."""
    return next((v for v in order.versions if v.seq > order.change_seq and v.status == "proposed"), None)


def confirmed_by(version: OrderVersion, side: str) -> bool:
    return (version.agency_confirmed_at if side == "agency" else version.supplier_confirmed_at) is not None


def next_action(order: Order, side: str) -> Text | None:
    """What the order waits for, as the lists show it."""
    if order.status == OrderState.DRAFT:
        first = version_of(order, 0)
        if not confirmed_by(first, side):
            return N_("Check the contract document and confirm it.")
        return N_("Waiting for the other side to confirm.")
    pending = pending_change(order)
    if pending is not None and order.status in (OrderState.CONTRACTED, OrderState.ACTIVE):
        if not confirmed_by(pending, side):
            return N_("A contract change waits for your confirmation.")
        return N_("A contract change waits for the other side.")
    if order.status == OrderState.CONTRACTED:
        return N_("Use starts on %(date)s.", date=order.start_date.isoformat())
    if order.status == OrderState.ACTIVE:
        return N_("In use until %(date)s.", date=order.end_date.isoformat())
    return None


def organisation_users(session: Session, organisation_id: int) -> list[int]:
    query = select(User.id).where(User.organisation_id == organisation_id, User.is_active)
    return list(session.scalars(query))
