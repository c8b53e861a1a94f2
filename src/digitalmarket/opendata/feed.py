"""The change feed: services, orders and catalog contracts in the order they last changed.

A client keeps the cursor of the last item it read and asks for what comes after it; it never pages by
offset. Each object has one feed entry (``feed_entries``), moved to the end of the feed by every change
of its row: triggers write it in the changing transaction (see migration 0010).

Why a reader never misses a change (the watermark). A position taken by a transaction that commits
after one holding a higher position would appear behind a reader that had already passed the higher one.
So positions are handed out in commit order. On SQLite writers take turns (``BEGIN IMMEDIATE``) and the
trigger numbers the change at once. On PostgreSQL the trigger leaves the position empty, and the change is
numbered after its transaction has committed, by the audit log's sequencer (`number_changes`, run under
the sequencer's lock by `core.consumers`): numbers are taken and committed by one sequencer at a time, so
the feed's watermark is simply the highest committed position, and no writer waits for another writer's
commit to take a number. An object whose change is not numbered yet is left out of the feed until it is
(well under a second later: see ``/healthz/consumers``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, text
from sqlalchemy.orm import Session

from ..catalog.tables import Service
from ..contracting.tables import CatalogContract, Order
from ..core.errors import ValidationFailed
from ..core.i18n import N_
from .release_facts import framework_ocid, order_ocid
from .tables import FeedEntry

KINDS = ("services", "orders", "catalog-contracts")
MODELS = {"services": Service, "orders": Order, "catalog-contracts": CatalogContract}
MAX_LIMIT = 500
CURSOR = re.compile(r"^\d{1,19}$")


@dataclass(frozen=True)
class Page:
    items: list[dict]
    next_cursor: str | None
    has_more: bool


def parse_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    if not CURSOR.match(cursor.strip()):
        raise ValidationFailed(fields={"cursor": N_("Give the cursor of the last item read, as the feed gave it.")})
    return int(cursor.strip())


def _organisation(organisation) -> dict:
    return {"name": organisation.name, "business_number": organisation.business_number}


def service_item(service: Service) -> dict:
    return {
        "code": service.code,
        "name": service.name,
        "type": service.type,
        "category": {"ko": service.category.name_ko, "en": service.category.name_en},
        "status": service.status,
        "supplier": _organisation(service.supplier),
        "csap_grade": service.csap_grade,
        "csap_valid_until": service.csap_valid_until.isoformat() if service.csap_valid_until else None,
        "published_at": service.published_at.isoformat(),
        "version": service.version,
    }


def order_item(order: Order) -> dict:
    return {
        "code": order.code,
        "ocid": order_ocid(order),
        "status": order.status,
        "method": order.method,
        "agency": {"name": order.agency.name, "agency_code": order.agency.agency_code},
        "supplier": _organisation(order.supplier),
        "service_code": order.service.code,
        "change_seq": order.change_seq,
        "start_date": order.start_date.isoformat(),
        "end_date": order.end_date.isoformat(),
        "supply_amount": order.supply_amount,
        "vat": order.vat,
        "total": order.total,
        "currency": "KRW",
        "version": order.version,
    }


def catalog_contract_item(contract: CatalogContract) -> dict:
    return {
        "number": contract.number,
        "ocid": framework_ocid(contract.number),
        "status": contract.status,
        "service_code": contract.service.code,
        "supplier": _organisation(contract.supplier),
        "change_seq": contract.change_seq,
        "period_start": contract.period_start.isoformat(),
        "period_end": contract.period_end.isoformat(),
        "version": contract.version,
    }


SERIALISERS = {"services": service_item, "orders": order_item, "catalog-contracts": catalog_contract_item}


def _public(kind: str):
    """What may be listed: a catalog contract once signed (applications are not public); an order the buyer
    negotiated alone once the supplier has accepted it (it is contracted), as its OCDS award waits too."""
    if kind == "catalog-contracts":
        return CatalogContract.number.is_not(None)
    if kind == "orders":
        return or_(Order.method != "negotiated", Order.contracted_at.is_not(None))
    return None


def number_changes(session: Session) -> None:
    """Number the committed, not yet numbered changes of feed objects (PostgreSQL), in the sequencer's
    transaction and under its lock. A change whose transaction is still open is passed by (its row is
    locked) and numbered on a later run, after its commit."""
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(
        text(
            "UPDATE feed_entries SET position = nextval('feed_position_seq') WHERE (kind, object_id) IN "
            "(SELECT kind, object_id FROM feed_entries WHERE position IS NULL "
            "ORDER BY kind, object_id FOR UPDATE SKIP LOCKED)"
        )
    )


def page(session: Session, kind: str, cursor: str | None, limit: int) -> Page:
    """The objects of a kind changed after ``cursor``, oldest change first, each in its current state."""
    if kind not in MODELS:
        raise ValueError(kind)
    after = parse_cursor(cursor)
    model = MODELS[kind]
    limit = max(1, min(limit, MAX_LIMIT))
    query = (
        select(FeedEntry.position, model)
        .join(model, model.id == FeedEntry.object_id)
        .where(FeedEntry.kind == kind, FeedEntry.position > after)
        .order_by(FeedEntry.position)
        .limit(limit + 1)
    )
    public = _public(kind)
    if public is not None:
        query = query.where(public)
    rows = session.execute(query).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    items = []
    for position, obj in rows:
        changed: datetime = obj.updated_at
        items.append(
            {
                "cursor": str(position),
                "kind": kind,
                "id": obj.id,
                "changed_at": changed.isoformat(),
                "data": SERIALISERS[kind](obj),
            }
        )
    next_cursor = items[-1]["cursor"] if items else (cursor or None)
    return Page(items, next_cursor, has_more)
