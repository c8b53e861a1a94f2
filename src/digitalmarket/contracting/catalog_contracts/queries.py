"""Catalog contracts as others read them: the contract in force for a service on a day and its item prices
(the queries delivery requests and orders build on), who sees which contract (the supplier its own, the
contracting officer all), the papers behind it (`catalog.papers`), and what the pages show of a contract
(its timeline from the audit trail, the differences between two versions).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from ...accounts.permissions import Actor
from ...accounts.rules import Role
from ...accounts.tables import User
from ...catalog.papers import Paper, papers_of
from ...catalog.rules import ServiceStatus
from ...catalog.tables import Service
from ...core.audit import AuditEvent
from ...core.errors import NotFound, PermissionDenied
from ...signatures import ledger
from ...signatures.tables import SignedDocument
from ..catalog_items import catalog_diff
from ..states import CATALOG_OPEN_STATES, CatalogState
from ..tables import CatalogContract
from .contract_items import as_items, items_of, version_of

# --- queries for other stages (delivery requests, orders) -------------------------------------------------------


#: `Session.info` key: the catalog contract found in force per (service id, day) in this session
_IN_FORCE = "catalog_contracts.in_force"


def active_catalog_contract(session: Session, service_id: int, on: date) -> CatalogContract | None:
    """The service's catalog contract in force on a day: contracted (not suspended, not expired) and with
    a period covering the day; None when the service is not in the shopping mall that day.

    A step asks several times (the quote's ceiling, the award's period, the order's lines): the contract
    found is remembered for the session, as it stands in the session (a contract suspended or changed
    meanwhile in the same transaction is looked for again). Its service and
    supplier are those the session holds (loaded when first read), not read again with it."""
    found = session.info.setdefault(_IN_FORCE, {})  # the contract itself: the identity map holds it weakly
    known = found.get((service_id, on))
    if known is not None and known in session and _in_force(known, service_id, on):
        return known
    contract = session.scalars(
        select(CatalogContract)
        .where(
            CatalogContract.service_id == service_id,
            CatalogContract.status == CatalogState.CONTRACTED,
            CatalogContract.period_start <= on,
            CatalogContract.period_end >= on,
        )
        .options(lazyload(CatalogContract.service), lazyload(CatalogContract.supplier))
        .order_by(CatalogContract.id.desc())
        .limit(1)
    ).first()
    if contract is not None:
        found[(service_id, on)] = contract
    return contract


def _in_force(contract: CatalogContract, service_id: int, on: date) -> bool:
    return (
        contract.service_id == service_id
        and contract.status == CatalogState.CONTRACTED
        and contract.period_start <= on <= contract.period_end
    )


def catalog_item_price(contract: CatalogContract, price_plan_id: int) -> int | None:
    """The contracted unit price (KRW without VAT) of a price plan in the contract's current 변경차수, or
    None when the plan is not an item of it."""
    for item in contract.current_items():
        if item.price_plan_id == price_plan_id:
            return item.unit_price
    return None


# --- who sees what ---------------------------------------------------------------------------------------------

OFFICER_SIDE = {Role.CONTRACTING_OFFICER, Role.ADMIN}
#: What the officer's queue shows by default: applications waiting for PPS or for the supplier.
REVIEW_STATES = (CatalogState.APPLIED, CatalogState.PPS_REVIEW, CatalogState.SUPPLEMENT_REQUESTED)


def load(session: Session, contract_id: int) -> CatalogContract:
    contract = session.get(CatalogContract, contract_id)
    if contract is None:
        raise NotFound()
    return contract


def visible_contract(session: Session, actor: Actor, contract_id: int) -> CatalogContract:
    """PPS (and admins) see every catalog contract, a supplier its own; anyone else gets 404, as if it did
    not exist."""
    contract = session.get(CatalogContract, contract_id)
    if contract is None:
        raise NotFound()
    if actor.role in OFFICER_SIDE:
        return contract
    if actor.role == Role.SUPPLIER and contract.supplier_id == actor.organisation_id:
        return contract
    raise NotFound()


def own_contract(session: Session, actor: Actor, contract_id: int) -> CatalogContract:
    contract = visible_contract(session, actor, contract_id)
    if contract.supplier_id != actor.organisation_id:
        raise NotFound()
    return contract


def contracts_of_supplier(session: Session, actor: Actor) -> list[CatalogContract]:
    query = select(CatalogContract).where(CatalogContract.supplier_id == actor.organisation_id)
    return list(session.scalars(query.order_by(CatalogContract.id.desc())))


def queue(session: Session, state: str | None = None) -> list[CatalogContract]:
    """The officer's queue: by default what waits for PPS or the supplier, the longest waiting first; any
    other state when asked for."""
    query = select(CatalogContract)
    if state:
        query = query.where(CatalogContract.status == state)
    else:
        query = query.where(CatalogContract.status.in_([str(s) for s in REVIEW_STATES]))
    return list(session.scalars(query.order_by(CatalogContract.updated_at, CatalogContract.id)))


def contracts_for(session: Session, actor: Actor, state: str | None = None) -> list[CatalogContract]:
    if actor.role == Role.SUPPLIER:
        rows = contracts_of_supplier(session, actor)
        return [c for c in rows if c.status == state] if state else rows
    if actor.role in OFFICER_SIDE:
        return queue(session, state)
    raise PermissionDenied()


def open_contract_of_service(session: Session, service_id: int) -> CatalogContract | None:
    """The service's catalog contract that is not expired (at most one), if any."""
    return session.scalars(
        select(CatalogContract)
        .where(
            CatalogContract.service_id == service_id,
            CatalogContract.status.in_([str(s) for s in CATALOG_OPEN_STATES]),
        )
        .order_by(CatalogContract.id.desc())
        .limit(1)
    ).first()


def own_service(session: Session, actor: Actor, service_id: int) -> Service:
    service = session.get(Service, service_id)
    if service is None or service.supplier_id != actor.organisation_id or service.status == ServiceStatus.DELISTED:
        raise NotFound()
    return service


def contract_document(session: Session, actor: Actor, contract_id: int, document_id: int) -> Paper:
    """A paper of the service behind a catalog contract (submitted once with its selection application, for
    both gates), for those who see the contract."""
    contract = visible_contract(session, actor, contract_id)
    papers = papers_of(session, contract.service_id)
    document = papers.document(document_id) if papers else None
    if document is None:
        raise NotFound()
    return document


# --- what the pages show -----------------------------------------------------------------------------------------


def timeline(session: Session, contract: CatalogContract) -> list[dict]:
    """Every step of the contract from the audit trail: action, states, time, actor, reason, details."""
    rows = session.execute(
        select(AuditEvent, User)
        .outerjoin(User, User.id == AuditEvent.actor_user_id)
        .where(AuditEvent.object_type == "catalog_contract", AuditEvent.object_id == str(contract.id))
        .order_by(AuditEvent.id)
    ).all()
    steps = []
    for index, (event, user) in enumerate(rows):
        details = dict(event.details or {})
        steps.append(
            {
                "action": event.action.removeprefix("catalog_contract."),
                "from_state": details.get("from"),
                "to_state": details.get("to"),
                "change_seq": details.get("change_seq", 0),
                "at": event.occurred_at,
                "actor": user.name if user else None,
                "actor_role": user.role if user else None,
                "reason": details.get("reason"),
                "details": details,
                "current": index + 1 == len(rows),
            }
        )
    return steps


def diff(contract: CatalogContract, before_seq: int, after_seq: int) -> dict:
    """The differences between two versions (변경차수) of a contract: items and period."""
    before, after = version_of(contract, before_seq), version_of(contract, after_seq)
    if before is None or after is None:
        raise NotFound()
    changes = catalog_diff(as_items(items_of(contract, before_seq)), as_items(items_of(contract, after_seq)))
    return {
        "from_seq": before_seq,
        "to_seq": after_seq,
        "reason": after.reason,
        "period_before": (before.period_start, before.period_end),
        "period_after": (after.period_start, after.period_end),
        "period_changed": (before.period_start, before.period_end) != (after.period_start, after.period_end),
        "items": changes.items,
    }


# --- the signed 카탈로그 계약서 of each version (made after commit by `contracting.catalog_documents`) ---------


def document_family(contract: CatalogContract) -> str:
    """The contract's documents in the ledger of signed documents, one revision number per 변경차수."""
    return f"catalog-contract/{contract.number}"


def signed_documents(session: Session, contract: CatalogContract) -> dict[int, SignedDocument]:
    """Each version's signed and sealed 카탈로그 계약서, by 변경차수 (a version still being made is absent)."""
    if not contract.number:
        return {}
    found: dict[int, SignedDocument] = {}
    for version in contract.versions:
        chain = ledger.chain(session, document_family(contract), version.seq)
        sealed = [row for row in chain if row.kind == "timestamp"]
        if sealed:
            found[version.seq] = sealed[-1]
    return found
