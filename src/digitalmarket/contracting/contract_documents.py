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

from sqlalchemy import update
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
    """Make and store the document of every version of ``order`` that has none, as the version stands:
    with the confirmations given so far, dated the day of the second once both have confirmed. Returns how
    many were made. A party detail missing from a profile since the step checked it leaves that version
    preparing and is logged (the next event of the order tries again)."""
    made = 0
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
        version.document_sha256, version.document_size = stored.sha256, stored.size
        made += 1
    session.flush()
    return made


def documents_followed(session: Session, events: Sequence[AuditEvent]) -> None:
    """The consumer's handler: the documents the orders named by ``events`` lack, in the store of the
    installation."""
    store = installed_store()
    for order_id in sorted({int(event.object_id) for event in events}):
        order = session.get(Order, order_id)
        if order is not None:
            make_pending(session, order, store)


def reset(session: Session) -> None:
    """Before a replay: every version's document is to be made again (the stored files stay; the same
    terms give the same bytes)."""
    session.execute(update(OrderVersion).values(document_sha256=None, document_size=None))


def consumer() -> consumers.Consumer:
    """The after-commit consumer that makes the documents (installed by `digitalmarket.subscribers`)."""
    return consumers.consumer(CONSUMER, ACTIONS, documents_followed, reset=reset, title=N_("Contract documents"))
