"""The contract documents (계약서) of orders, made after the step that calls for one has committed.

A step never makes a document in its transaction: the award, a direct order and a change proposal commit
the order version with ``document_sha256`` empty (the document is *preparing*), and so does the second
confirmation (of the contract or of a change), which empties it for the document of record. The
after-commit consumer ``contract-documents`` (`CONSUMER`, installed by `digitalmarket.subscribers`)
follows those steps' events (`ACTIONS`) and makes the document each version of the order lacks
(`make_pending`): the draft while a side has yet to confirm, the document of record once both have. It
stores the PDF in the installation's document store (`installed_store`) and records its SHA-256 and size
on the version; confirming waits for it (`orders.DocumentPreparing`, 409 with ``Retry-After``).

Idempotent: a version that has its document is left as it is, so an event handled twice makes nothing
twice; and a document made again is the same bytes (the PDF is deterministic: `contracting.documents.layout`).
Replayable: ``digitalmarket rebuild contract-documents`` empties every version's document (`reset`) and
makes them all again from the log, for instance after losing the documents folder.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..core import consumers
from ..core.audit import AuditEvent
from ..core.files import DocumentStore
from ..core.i18n import N_
from . import orders
from .documents.layout import contract_pdf
from .tables import Order, OrderVersion

log = logging.getLogger("digitalmarket.contracting.documents")

CONSUMER = "contract-documents"
#: The steps after which a version of the order waits for its document: an order made (awarded or
#: directly), a change proposed, and the second confirmation of the contract or of a change.
ACTIONS = ("order.created", "order.change_proposed", "order.contracted", "order.changed")


def installed_store() -> DocumentStore:
    """The installation's document store: ``DM_DATA_DIR/documents``, the folder the app's settings name
    (`Settings.documents_dir`) and serve the documents from (the app is made from the same environment)."""
    from ..core.settings import load_settings

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
    catalog_number = orders.order_catalog_number(order)
    for version in order.versions:
        if version.document_sha256 is not None:
            continue
        terms = orders._terms(order, version, order.lines_of(version.seq), catalog_number)
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
