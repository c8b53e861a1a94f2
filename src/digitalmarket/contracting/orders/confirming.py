"""Confirming the contract: each side confirms the contract document (the stored SHA-256 of its draft),
which its organisation's certificate signs right after the commit; the second confirmation concludes it
(the document of record, signed by both and sealed, follows after commit) and an order whose start date
has come becomes active.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from ...accounts.permissions import Actor
from ...accounts.verification import refuse_unless_verified
from ...core import audit
from ...core.clock import today_kst
from ...core.errors import Conflict
from ...core.i18n import N_
from ...core.notifications import notify
from ...core.tables import utcnow
from ...signatures.authority import signer_for
from ..states import OrderAction, move
from ..tables import CatalogContract, Order, OrderVersion
from .access import confirmed_by, organisation_users, side_of, version_of, visible_order
from .documents import conclude_document, refuse_until_document
from .making import refuse_unless_contract_holds, refuse_unless_orderable

# --- confirming the contract ----------------------------------------------------------------------------------------


def other_side(session: Session, order: Order, side: str) -> list[int]:
    if side == "agency":
        return organisation_users(session, order.supplier_id)
    return [order.buyer_id]


def stamp(version: OrderVersion, side: str, actor: Actor, now: datetime) -> None:
    if side == "agency":
        version.agency_confirmed_at, version.agency_confirmed_by = now, actor.user_id
    else:
        version.supplier_confirmed_at, version.supplier_confirmed_by = now, actor.user_id


def refuse_unless_side_can_sign(session: Session, order: Order, side: str) -> None:
    """The confirming side's organisation signs the document after the commit: its certificate must be
    in force now (one is issued on first need); a revoked or expired one is a 409 saying what to do."""
    signer_for(session, order.agency_id if side == "agency" else order.supplier_id)


def check_tradable(session: Session, order: Order, start: date, end: date, today: date) -> None:
    refuse_unless_orderable(session, order.service, today)
    if order.method == "delivery_request":
        contract = session.get(CatalogContract, order.catalog_contract_id) if order.catalog_contract_id else None
        refuse_unless_contract_holds(contract, start, end, today)


def _activated(order: Order, actor_user_id: int | None) -> dict:
    """The audit event of an order whose use starts."""
    return {
        "actor_user_id": actor_user_id,
        "action": "order.activated",
        "object_type": "order",
        "object_id": order.id,
        "details": {"start_date": order.start_date.isoformat()},
    }


def activate(session: Session, order: Order, actor_user_id: int | None, now: datetime) -> None:
    order.status = move("order", order.status, OrderAction.ACTIVATE)
    order.updated_at = now
    session.flush()
    audit.record(session, **_activated(order, actor_user_id))


def confirm(
    session: Session,
    actor: Actor,
    order_id: int,
    version: int,
    now: datetime | None = None,
) -> Order:
    """One side confirms the contract document, once it exists (409 `DocumentPreparing` before); the
    second confirmation contracts the order, and it is active at once when its start date has come. The
    document of record, with both confirmations, is made after the commit; see `conclude_document`."""
    now = now or utcnow()
    today = today_kst(now)
    order = visible_order(session, actor, order_id, lock=True)
    side = side_of(actor, order)
    if side == "supplier":
        refuse_unless_verified(order.supplier)  # an unverified company cannot sign
    new_state = move("order", order.status, OrderAction.CONFIRM)
    first = version_of(order, 0)
    if confirmed_by(first, side):
        raise Conflict(N_("You have already confirmed; the other side has not yet."))
    refuse_until_document(first)
    check_tradable(session, order, order.start_date, order.end_date, today)
    refuse_unless_side_can_sign(session, order, side)
    if order.version != version:
        raise Conflict()
    # Everything is read before the order's row is written: writing it takes the change feed's position
    # under the audit chain's lock (migration 0010), which every other writer waits for until the commit.
    others = other_side(session, order, side)
    seen = first.document_sha256
    stamp(first, side, actor, now)
    both = confirmed_by(first, "agency") and confirmed_by(first, "supplier")
    concluded = conclude_document(order, first) if both else {}
    order.updated_at = now
    confirmed = {
        "actor_user_id": actor.user_id,
        "action": "order.confirmed",
        "object_type": "order",
        "object_id": order.id,
        "details": {"side": side, "document_sha256": seen},
        "occurred_at": now,  # the step's moment, as the contract's: an award it publishes never dates after it
    }
    if not both:
        session.flush()
        notify(
            session,
            others,
            N_(
                "The other side confirmed the contract of order %(code)s; your confirmation completes it.",
                code=order.code,
            ),
            f"/orders/{order.id}",
        )
        audit.record(session, **confirmed)
        return order
    first.status = "confirmed"
    order.status = new_state
    order.contracted_at = now
    events = [
        confirmed,
        {
            "actor_user_id": actor.user_id,
            "action": "order.contracted",
            "object_type": "order",
            "object_id": order.id,
            "details": {"code": order.code, "total": order.total, **concluded},
            "occurred_at": now,
        },
    ]
    if order.start_date <= today:
        order.status = move("order", order.status, OrderAction.ACTIVATE)
        events.append(_activated(order, actor.user_id))
    session.flush()
    notify(
        session,
        others,
        N_("Order %(code)s is contracted.", code=order.code),
        f"/orders/{order.id}",
    )
    audit.record_many(session, events)  # its number of contracts: the search facts follow this event
    return order
