"""The contract documents (계약서) of orders, made after the step that calls for one has committed: the
terms of a version as a ``ContractDocument`` (`terms_of`, laid out by `contracting.documents`), whether a
version's document is ready (`document_status`, `refuse_until_document`) and the consumer that makes them.

A step never makes a document in its transaction: the award, a direct order and a change proposal commit
the order version with ``document_sha256`` empty (the document is *preparing*), and so does the second
confirmation (of the contract or of a change), which empties it for the document of record. The
after-commit consumer ``contract-documents`` (`CONSUMER`, installed by `digitalmarket.subscribers`)
follows those steps' events (`ACTIONS`) and makes the document each version of the order lacks
(`make_pending`): the draft while a side has yet to confirm, the document of record once both have. It
stores the PDF in the installation's document store (`installed_store`) and records its SHA-256 and size
on the version; confirming waits for it (`DocumentPreparing`, 409 with ``Retry-After``).

Idempotent: a version that has its document is left as it is, so an event handled twice makes nothing
twice; and a document made again is the same bytes (the PDF is deterministic: `contracting.documents.layout`).
Replayable: ``digitalmarket rebuild contract-documents`` empties every version's document (`reset`) and
makes them all again from the log, for instance after losing the documents folder.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, object_session

from ...accounts.tables import User
from ...core import consumers
from ...core.audit import AuditEvent
from ...core.clock import today_kst
from ...core.errors import Conflict
from ...core.files import DocumentStore
from ...core.i18n import N_
from ..documents.layout import contract_pdf
from ..documents.parties import refuse_unless_parties_complete
from ..documents.terms import Confirmation, ContractDocument, DocumentLine, Party
from ..tables import CatalogContract, Order, OrderLine, OrderVersion

# --- the contract document --------------------------------------------------------------------------------------


def _confirmed(session: Session, at: datetime | None, user_id: int | None) -> Confirmation | None:
    """A side's confirmation as the document prints it (time and name), or None before it confirmed."""
    if at is None:
        return None
    person = session.get(User, user_id) if user_id else None
    return Confirmation(at, person.name if person else "-")


def terms_of(
    order: Order, version: OrderVersion, lines: list[OrderLine], catalog_number: str | None
) -> ContractDocument:
    """The terms of a version's document: the parties from their profiles as they are now, the confirmations
    made so far, and the day it is dated: when both have confirmed, the day the second did (계약일자)."""
    service, agency, supplier = order.service, order.agency, order.supplier
    session = object_session(order)
    agency_confirmed = _confirmed(session, version.agency_confirmed_at, version.agency_confirmed_by)
    supplier_confirmed = _confirmed(session, version.supplier_confirmed_at, version.supplier_confirmed_by)
    if agency_confirmed and supplier_confirmed:
        issued_on = today_kst(max(agency_confirmed.at, supplier_confirmed.at))
    else:
        issued_on = today_kst(version.created_at) if version.created_at else today_kst()
    return ContractDocument(
        contract_number=order.code,
        change_seq=version.seq,
        method=order.method,
        catalog_contract_number=catalog_number,
        agency=Party(agency.name, agency.agency_code or "", agency.representative or "", agency.address or ""),
        supplier=Party(
            supplier.name, supplier.business_number or "", supplier.representative or "", supplier.address or ""
        ),
        service_name=service.name,
        service_code=service.code,
        lines=[
            DocumentLine(line.item, line.unit, line.billing, line.quantity, line.months, line.unit_price, line.amount)
            for line in lines
        ],
        supply_amount=version.supply_amount,
        vat=version.vat,
        total=version.total,
        start_date=version.start_date,
        end_date=version.end_date,
        sla_availability=str(service.sla_availability.normalize()),
        support_hours=service.support_hours,
        data_return_policy=service.data_return_policy,
        change_reason=version.reason or None,
        issued_on=issued_on,
        agency_confirmation=agency_confirmed,
        supplier_confirmation=supplier_confirmed,
    )


def order_catalog_number(order: Order) -> str | None:
    if order.catalog_contract_id is None:
        return None
    contract = object_session(order).get(CatalogContract, order.catalog_contract_id)
    return contract.number if contract else None


class DocumentPreparing(Conflict):
    """The version's document is still being made (after the step that called for it committed, by the
    consumer of `documents`): nothing can be confirmed before it exists. 409 with ``Retry-After``."""

    code = "document_preparing"
    default_message = N_("The contract document is being prepared. Please check again in a moment.")
    retry_after_seconds = 2


def document_status(version: OrderVersion) -> str:
    """``ready`` once the version's document is stored, ``preparing`` until then."""
    return "ready" if version.document_sha256 else "preparing"


def refuse_until_document(version: OrderVersion) -> None:
    if version.document_sha256 is None:
        raise DocumentPreparing()


def conclude_document(order: Order, version: OrderVersion) -> dict:
    """Both sides have confirmed the version: its document of record, with both confirmations (time in KST
    and person) and dated the day of the second, is made after the commit (`documents`), so the
    version's document is emptied until then. The draft both confirmed stays in the store under its own
    SHA-256, which the returned audit details name. A party detail missing since is a 409 naming it."""
    refuse_unless_parties_complete(order.agency, order.supplier)
    draft = version.document_sha256
    version.document_sha256, version.document_size = None, None
    return {"draft_sha256": draft}


def document_filename(order: Order, seq: int) -> str:
    return f"contract-{order.code}-{seq}.pdf"


# --- the consumer that makes them after commit ---------------------------------------------------------------

log = logging.getLogger("digitalmarket.contracting.documents")

CONSUMER = "contract-documents"
#: The steps after which a version of the order waits for its document: an order made (awarded or
#: directly), a change proposed, and the second confirmation of the contract or of a change.
ACTIONS = ("order.created", "order.change_proposed", "order.contracted", "order.changed")


def installed_store() -> DocumentStore:
    """The installation's document store: ``DM_DATA_DIR/documents``, the folder the app's settings name
    (`Settings.documents_dir`) and serve the documents from (the app is made from the same environment)."""
    from ...core.settings import load_settings

    return DocumentStore.of(load_settings())


def make_pending(session: Session, order: Order, store: DocumentStore) -> int:
    """Make, store and record the document of every version of ``order`` that has none (in one step: the
    demo's seed and tools). Returns how many were made."""
    made = write_prepared(session, prepare_order(order, store))
    session.flush()
    return made


#: What a document was made from: the version's confirmations as they stood (a version confirmed since
#: needs another document).
Key = tuple[int, int]  # (order id, version seq)


def prepare_order(order: Order, store: DocumentStore) -> dict[Key, tuple]:
    """The slow part: the document of every version of ``order`` that has none, as the version stands
    (with the confirmations given so far, dated the day of the second once both have confirmed), made and
    stored (the store is content-addressed: storing the same bytes twice changes nothing). Returns, per
    version, its SHA-256 and size and the confirmations it was made with. A party detail missing from a
    profile since the step checked it leaves that version preparing and is logged (the next event of the
    order tries again)."""
    prepared: dict[Key, tuple] = {}
    catalog_number = order_catalog_number(order)
    for version in order.versions:
        if version.document_sha256 is not None:
            continue
        terms = terms_of(order, version, order.lines_of(version.seq), catalog_number)
        try:
            data = contract_pdf(terms)
        except ValueError as error:  # a missing party detail; a missing font (not a ValueError) is raised
            log.error("The document of order %s, version %s, cannot be made: %s", order.code, version.seq, error)
            continue
        stored = store.accept(data, f"{order.code}-{version.seq}.pdf", "document")
        prepared[(order.id, version.seq)] = (stored.sha256, stored.size, _confirmations(version))
    return prepared


def _confirmations(version: OrderVersion) -> tuple:
    return (version.agency_confirmed_at, version.supplier_confirmed_at)


def write_prepared(session: Session, prepared: dict[Key, tuple]) -> int:
    """The quick part: record each prepared document on its version, unless the version has one by now or
    was confirmed since the document was made (then the event of that confirmation makes the right one)."""
    written = 0
    for (order_id, seq), (sha256, size, confirmations) in prepared.items():
        version = session.scalars(
            select(OrderVersion).where(OrderVersion.order_id == order_id, OrderVersion.seq == seq)
        ).first()
        if version is None or version.document_sha256 is not None or _confirmations(version) != confirmations:
            continue
        version.document_sha256, version.document_size = sha256, size
        written += 1
    return written


def documents_prepared(session: Session, events: Sequence[AuditEvent]) -> dict[Key, tuple]:
    """The consumer's slow part (`consumers.Consumer.prepare`): the documents the orders named by
    ``events`` lack, made and stored in the installation's store, outside the write lock on SQLite."""
    store = installed_store()
    prepared: dict[Key, tuple] = {}
    for order_id in sorted({int(event.object_id) for event in events}):
        order = session.get(Order, order_id)
        if order is not None:
            prepared.update(prepare_order(order, store))
    return prepared


def documents_followed(session: Session, events: Sequence[AuditEvent], prepared: dict[Key, tuple]) -> None:
    """The consumer's handler: record the prepared documents on their versions."""
    write_prepared(session, prepared)
    session.flush()


def reset(session: Session) -> None:
    """Before a replay: every version's document is to be made again (the stored files stay; the same
    terms give the same bytes)."""
    session.execute(update(OrderVersion).values(document_sha256=None, document_size=None))


def consumer() -> consumers.Consumer:
    """The after-commit consumer that makes the documents (installed by `digitalmarket.subscribers`)."""
    return consumers.consumer(
        CONSUMER,
        ACTIONS,
        documents_followed,
        prepare=documents_prepared,
        reset=reset,
        title=N_("Contract documents"),
    )
