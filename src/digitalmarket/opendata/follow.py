"""The consumer ``opendata``: writes the OCDS releases after commit, by following the audit log.

No stage writes a release. The workflows of contracting and settlement record their events (an order
awarded, contracted, changed, ended; an invoice paid; a catalog contract signed, amended, suspended,
resumed, expired) and commit; right after, the consumers read the new events in log order
(`core.consumers`), and this one writes the release that each event tells (`releases`), in the consumer's
transaction with its new position. It runs inline, in the thread that committed, so an API call's releases
exist when it answers; in ``DM_CONSUMERS=worker`` mode they follow within a second or so (the lag is on
``/healthz/consumers``).

A release is built from the event (its object, its details, its ``occurred_at`` as the release date), from
what the log held before it (the change of an order in force, whether the order had ended, how many
suspensions came before) and from the rows' versioned history (order versions and lines by ``seq``, catalog
contract versions and items), never from what a row holds *now*: replaying the consumer from the start
(`consumers.replay`, ``digitalmarket rebuild opendata``) writes the same releases, byte for byte, however the
rows have changed since. ``backfill`` (``digitalmarket ocds-backfill``) hands the whole log to the same
handler without emptying anything: it writes only the releases that are missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, defaultload

from ..catalog.tables import Service
from ..contracting.tables import CatalogContract, Order
from ..core import consumers
from ..core.audit import AuditEvent
from ..core.i18n import N_
from ..settlement.tables import Invoice
from . import ocds_facts, release_facts, releases
from .tables import OcdsRelease

NAME = "opendata"

#: The events that tell a release (the order's and the catalog contract's steps that open data publishes).
ORDER_ACTIONS = (
    "order.created",
    "order.confirmed",
    "order.contracted",
    "order.changed",
    "order.terminated",
    "order.completed",
)
#: Orders the buyer makes alone, at a price it negotiated: their award is published once the supplier has
#: accepted it (its confirmation of the contract document), never on the buyer's word alone. An award of a
#: quote (the supplier offered that price) or a delivery request (the catalog contract's price) is
#: published when it is made.
AWARDED_WHEN_ACCEPTED = ("negotiated",)
CATALOG_ACTIONS = (
    "catalog_contract.contract",
    "catalog_contract.amend",
    "catalog_contract.suspend",
    "catalog_contract.resume",
    "catalog_contract.expire",
)
ACTIONS = (*ORDER_ACTIONS, "invoice.paid", *CATALOG_ACTIONS)
ENDED = ("order.terminated", "order.completed")


def consumer() -> consumers.Consumer:
    """The consumer to install (`digitalmarket.subscribers`)."""
    return consumers.consumer(NAME, ACTIONS, handle, reset=reset, title=N_("OCDS releases"))


def handle(session: Session, events: Sequence[AuditEvent]) -> None:
    """Write the release of each event, in log order."""
    orders: dict[int, tuple] = {}  # each order of the batch and its names, read once (the session keeps a
    # row only while something refers to it)
    for event in events:
        if event.action.startswith("catalog_contract."):
            _catalog_event(session, event)
        elif event.action == "invoice.paid":
            _payment(session, event)
        else:
            _order_event(session, event, orders)


def reset(session: Session) -> None:
    """Empty the releases before a replay. The mapper refuses to delete a release (`tables._refuse_delete`:
    a published release is never taken back by the application); a replay writes every one of them again,
    the same, so it empties the table with one core statement, which the mapper's event does not see."""
    session.execute(delete(OcdsRelease))


def backfill(session: Session) -> int:
    """Write the releases missing for the whole log (those already there are left as they are); how many
    were written. Running it again writes nothing."""
    before = session.scalar(select(func.count()).select_from(OcdsRelease)) or 0
    position = 0
    while True:
        events = list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.seq > position, AuditEvent.action.in_(ACTIONS))
                .order_by(AuditEvent.seq)
                .limit(1000)
            )
        )
        if not events:
            break
        handle(session, events)
        position = events[-1].seq
    return (session.scalar(select(func.count()).select_from(OcdsRelease)) or 0) - before


# --- what the log held before an event ----------------------------------------------------------------------------


def _before(session: Session, event: AuditEvent, object_type: str, object_id: int, actions: Iterable[str]):
    """The events of an object with one of ``actions``, earlier in the log than ``event``, oldest first."""
    return session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.object_type == object_type,
            AuditEvent.object_id == str(object_id),
            AuditEvent.action.in_(tuple(actions)),
            AuditEvent.seq < event.seq,
        )
        .order_by(AuditEvent.seq)
    ).all()


def _change_in_force(session: Session, event: AuditEvent, order_id: int) -> int:
    """The order's 변경차수 in force when ``event`` happened: the last change confirmed before it."""
    changes = _before(session, event, "order", order_id, ["order.changed"])
    return max((int(change.details.get("seq", 0)) for change in changes), default=0)


def _order_named(session: Session, event: AuditEvent, order: Order) -> release_facts.Named:
    """The names recorded by the order's award event (this event, or the first ``order.created``)."""
    if event.action == "order.created":
        return release_facts.order_named(order, event.details)
    created = session.scalars(
        select(AuditEvent.details)
        .where(
            AuditEvent.object_type == "order",
            AuditEvent.object_id == str(order.id),
            AuditEvent.action == "order.created",
        )
        .order_by(AuditEvent.id)
        .limit(1)
    ).first()
    return release_facts.order_named(order, created)


# --- the releases of each event -------------------------------------------------------------------------------------


def _tells_a_release(event: AuditEvent, order: Order) -> bool:
    """Whether an order's event publishes anything: its award (made by the buyer's word, or, for an order
    the buyer made alone, accepted by the supplier's confirmation), its contract, a change, its end."""
    if event.action == "order.created":
        return order.method not in AWARDED_WHEN_ACCEPTED
    if event.action == "order.confirmed":
        return order.method in AWARDED_WHEN_ACCEPTED and (event.details or {}).get("side") == "supplier"
    return True


def _order_event(session: Session, event: AuditEvent, orders: dict[int, tuple] | None = None) -> None:
    if event.action == "order.confirmed" and (event.details or {}).get("side") != "supplier":
        return  # an agency's confirmation publishes nothing, whatever the order (`_tells_a_release`)
    orders = {} if orders is None else orders
    key = int(event.object_id)
    if key not in orders:
        # a release names the order's service, never its price plans: those are not read with it
        orders[key] = (
            session.get(Order, key, options=[defaultload(Order.service).lazyload(Service.price_plans)]),
            None,
        )
    order, named = orders[key]
    if order is None or not _tells_a_release(event, order):
        return
    if named is None or event.action == "order.created":
        named = _order_named(session, event, order)
        orders[key] = (order, named)
    moment, details = event.occurred_at, event.details or {}
    if event.action == "order.created":
        if order.method not in AWARDED_WHEN_ACCEPTED:
            releases.order_awarded(session, order, moment, named)
    elif event.action == "order.confirmed":
        if order.method in AWARDED_WHEN_ACCEPTED and details.get("side") == "supplier":
            releases.order_awarded(session, order, moment, named)
    elif event.action == "order.contracted":
        releases.order_contracted(session, order, moment, named)
    elif event.action == "order.changed":
        releases.order_changed(session, order, int(details["seq"]), moment, named)
    else:  # ended: terminated early, with its reason, or completed at the end of its period
        termination = details.get("reason", "") if event.action == "order.terminated" else None
        seq = _change_in_force(session, event, order.id)
        releases.order_ended(session, order, moment, seq=seq, termination=termination, named=named)


def _payment(session: Session, event: AuditEvent) -> None:
    invoice = session.get(Invoice, int(event.object_id))
    if invoice is None:
        return
    order = session.get(Order, invoice.order_id)
    details = event.details or {}
    paid_on = details.get("paid_on")
    payment = ocds_facts.Payment(
        details.get("code", invoice.code),
        date.fromisoformat(paid_on) if paid_on else invoice.paid_on,
        int(details.get("total", invoice.total)),
        invoice.month,
    )
    ended = bool(_before(session, event, "order", order.id, ENDED))
    seq = _change_in_force(session, event, order.id)
    named = _order_named(session, event, order)
    releases.invoice_paid(session, order, payment, event.occurred_at, seq=seq, ended=ended, named=named)


def _catalog_event(session: Session, event: AuditEvent) -> None:
    contract = session.get(CatalogContract, int(event.object_id))
    if contract is None or contract.number is None:
        return
    signed = event if event.action == "catalog_contract.contract" else None
    if signed is None:
        signed = next(iter(_before(session, event, "catalog_contract", contract.id, [CATALOG_ACTIONS[0]])), None)
    named = release_facts.framework_named(session, contract, signed.details if signed is not None else None)
    moment, details = event.occurred_at, event.details or {}
    seq = int(details.get("change_seq", 0))
    action = event.action.removeprefix("catalog_contract.")
    if action == "contract":
        releases.catalog_contracted(session, contract, moment, named)
    elif action == "amend":
        releases.catalog_amended(session, contract, seq, moment, named)
    elif action in ("suspend", "resume"):
        number = len(_before(session, event, "catalog_contract", contract.id, [event.action])) + 1
        reason = details.get("reason", "")
        releases.catalog_trade_changed(
            session, contract, action == "suspend", reason, moment, number=number, seq=seq, named=named
        )
    else:
        releases.catalog_expired(session, contract, moment, seq=seq, named=named)
