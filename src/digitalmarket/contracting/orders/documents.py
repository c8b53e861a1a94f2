"""The contract documents (계약서) of orders, made and signed after the step that calls for one has
committed: the terms of a version as a ``ContractDocument`` (`terms_of`, laid out by
`contracting.documents`), whether a version's document is ready (`document_status`,
`refuse_until_document`) and the consumer that makes them.

A step never makes or signs a document in its transaction: the award, a direct order and a change
proposal commit the order version with ``document_sha256`` empty (the document is *preparing*), and so
does the second confirmation (of the contract or of a change), which empties it for the document of
record. The after-commit consumer ``contract-documents`` (`CONSUMER`, installed by
`digitalmarket.subscribers`) follows those steps' events and each confirmation (`ACTIONS`) and makes what
each version of the order lacks, one order at a time under a lease of that order beside the consumer's
claim (`order_documents_made`, `core.consumer_work`), so that orders' documents are made side by side:
the draft both sides confirm; each confirming side's PAdES signature over it, as an incremental update,
right after its confirmation (the second signature over the first); and once both have signed, the
platform's document timestamp (`signatures.signing`). The signed and sealed draft is the document of
record. Every revision is stored in the installation's document store (`installed_store`) and remembered
by SHA-256 in the ledger of signed documents (`signatures.ledger`, family ``order/<code>``, one revision
number per version); the version records the one to confirm or the document of record; confirming waits
for it (`DocumentPreparing`, 409 with ``Retry-After``). See docs/documents.md.

Idempotent: what a version has (its document, its revisions in the ledger) is not made again, so an
event handled twice makes nothing twice; and a draft made again is the same bytes (the PDF is
deterministic: `contracting.documents.layout`). Replayable: ``digitalmarket rebuild contract-documents``
empties every version's document (`reset`) and finds them again from the log: the revisions the store
keeps are taken as they are; files lost are made again from the newest one kept (`_kept`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, defaultload, object_session

from ...accounts.tables import User
from ...catalog.tables import Service
from ...core import consumers
from ...core.audit import AuditEvent
from ...core.clock import today_kst
from ...core.errors import Conflict
from ...core.files import DocumentStore
from ...core.i18n import N_
from ...signatures import ledger
from ...signatures.ledger import sha256_of
from ...signatures.signing import SigningError, seal, sign_pdf
from ...signatures.vault import KeyUnavailable
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
    """The number of the catalog contract a delivery request was made under (its number alone: the
    contract's items and versions are not loaded for it)."""
    if order.catalog_contract_id is None:
        return None
    query = select(CatalogContract.number).where(CatalogContract.id == order.catalog_contract_id)
    return object_session(order).scalar(query)


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
    """Both sides have confirmed the version: its document of record, the document both confirmed with
    the second signature and the platform's timestamp appended, is made after the commit (`documents`),
    so the version's document is emptied until then. The document both confirmed stays in the store under
    its own SHA-256, which the returned audit details name. A party detail missing since is a 409 naming it."""
    refuse_unless_parties_complete(order.agency, order.supplier)
    draft = version.document_sha256
    version.document_sha256, version.document_size = None, None
    return {"draft_sha256": draft}


def document_filename(order: Order, seq: int) -> str:
    return f"contract-{order.code}-{seq}.pdf"


# --- the consumer that makes them after commit ---------------------------------------------------------------

log = logging.getLogger("digitalmarket.contracting.documents")

CONSUMER = "contract-documents"
#: The steps after which a version of the order waits for its document or a signature: an order made
#: (awarded or directly), a change proposed, a side's confirmation, and the second confirmation of the
#: contract or of a change.
ACTIONS = ("order.created", "order.change_proposed", "order.confirmed", "order.contracted", "order.changed")


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
    """The slow part: what every version of ``order`` still lacks, made and stored (the store is
    content-addressed: storing the same bytes twice changes nothing). A version nobody has confirmed
    needs its draft; each side that has confirmed signs the version's latest revision (`signing`: the
    draft, then over the first signature), and once both have, the platform seals it with its timestamp:
    that is the document of record. Returns, per version, the SHA-256 and size of its newest revision, the
    confirmations it was made with, and the revisions to remember (`ledger`). A party detail missing from
    a profile since the step checked it, or a certificate revoked since, leaves the version preparing and
    is logged (the next event of the order tries again)."""
    prepared: dict[Key, tuple] = {}
    catalog_number = order_catalog_number(order)
    for version in order.versions:
        try:
            made = _signed_revisions(order, version, store, catalog_number)
        except (ValueError, Conflict, KeyUnavailable, SigningError) as error:  # a detail, a certificate, a key
            log.error("The document of order %s, version %s, cannot be made: %s", order.code, version.seq, error)
            continue
        if made is not None:
            final, revisions = made
            prepared[(order.id, version.seq)] = (sha256_of(final), len(final), _confirmations(version), revisions)
    return prepared


def family_of(order: Order) -> str:
    """The order's documents in the ledger of signed documents, one revision number per version."""
    return f"order/{order.code}"


def _title(order: Order, version: OrderVersion) -> str:
    change = f" 변경계약서 (제{version.seq}차)" if version.seq else ""
    return f"디지털서비스 이용계약서 {order.code}{change}"


def draft_pdf(order: Order, version: OrderVersion, catalog_number: str | None) -> bytes:
    """The version's document as both sides confirm it: the terms, no confirmation printed (the
    signatures appended to it are the confirmations), dated the day the version was drawn up."""
    terms = terms_of(order, version, order.lines_of(version.seq), catalog_number)
    drawn_up = today_kst(version.created_at) if version.created_at else terms.issued_on
    terms = replace(terms, agency_confirmation=None, supplier_confirmation=None, issued_on=drawn_up, signed=True)
    return contract_pdf(terms)


#: Each side's signature field and the organisation it signs for.
FIELDS = {"agency": "Agency", "supplier": "Supplier"}


def _sides_confirmed(order: Order, version: OrderVersion) -> list[tuple[str, int, int | None]]:
    """The sides that confirmed the version, first first: (side, organisation, person)."""
    sides = [
        (version.agency_confirmed_at, "agency", order.agency_id, version.agency_confirmed_by),
        (version.supplier_confirmed_at, "supplier", order.supplier_id, version.supplier_confirmed_by),
    ]
    return [(side, organisation, person) for at, side, organisation, person in sorted(
        (entry for entry in sides if entry[0] is not None), key=lambda entry: entry[0]
    )]  # fmt: skip


def _signed_revisions(
    order: Order, version: OrderVersion, store: DocumentStore, catalog_number: str | None
) -> tuple[bytes, list[dict]] | None:
    """The version's newest revision and the revisions made for it now, or None when it lacks nothing."""
    session = object_session(order)
    family, seq = family_of(order), version.seq
    sides = _sides_confirmed(order, version)
    have = _kept(ledger.chain(session, family, seq), store)
    signed = {row.organisation_id for row in have if row.kind == "signature"}
    sealed = any(row.kind == "timestamp" for row in have)
    to_sign = [entry for entry in sides if entry[1] not in signed]
    both = len(sides) == 2
    if version.document_sha256 is not None and not to_sign and (sealed or not both):
        return None
    revisions: list[dict] = []
    if have:
        current = store.path_of(have[-1].sha256).read_bytes()
    else:
        current = draft_pdf(order, version, catalog_number)
        revisions.append({"kind": "draft", "pdf": current})
    title = _title(order, version)
    reason = f"변경계약 확인 (제{seq}차)" if seq else "계약 확인"
    for side, organisation_id, person_id in to_sign:
        person = session.get(User, person_id) if person_id else None
        name = person.name if person else "-"
        before = current
        current = sign_pdf(session, organisation_id, before, reason=reason, signer_name=name, field=FIELDS[side])
        revisions.append(
            {"kind": "signature", "pdf": current, "signs": before, "organisation_id": organisation_id, "name": name}
        )
    if both and not sealed:
        before = current
        current = seal(session, before)
        revisions.append({"kind": "timestamp", "pdf": current, "signs": before})
    for revision in revisions:
        store.accept(revision["pdf"], f"{order.code}-{seq}.pdf", "document")
        revision.update(family=family, revision=seq, title=title)
    return current, revisions


def _kept(chain: list, store: DocumentStore) -> list:
    """A version's revisions up to the newest whose file the store still has. Files lost (a documents
    folder restored without them) are made again from there: the draft is the same bytes, and the
    signatures that were in the lost files are applied again (logged)."""
    for index in range(len(chain), 0, -1):
        if store.path_of(chain[index - 1].sha256).exists():
            if index < len(chain):
                log.warning("Revisions of %s after %s lost: made again.", chain[0].family, chain[index - 1].sha256)
            return chain[:index]
    return []


def _confirmations(version: OrderVersion) -> tuple:
    return (version.agency_confirmed_at, version.supplier_confirmed_at)


def write_prepared(session: Session, prepared: dict[Key, tuple]) -> int:
    """The quick part: remember the revisions made (`ledger`) and record each version's newest on it when
    it has none (the draft to confirm, the draft signed by the proposer of a change, the document of
    record), unless the version was confirmed since they were made (then the event of that confirmation
    makes the right ones)."""
    written = 0
    for (order_id, seq), (sha256, size, confirmations, revisions) in prepared.items():
        version = session.scalars(
            select(OrderVersion).where(OrderVersion.order_id == order_id, OrderVersion.seq == seq)
        ).first()
        if version is None or _confirmations(version) != confirmations:
            continue
        for revision in revisions:
            ledger.register_made(session, revision)
        if version.document_sha256 is None:
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


def order_documents_made(session: Session, object_id: str) -> dict[Key, tuple]:
    """The consumer's slow work for one order (`consumers.Consumer.make`), in a read transaction that holds
    no lock: what its versions lack, made and stored."""
    # the document names the order's lines, never its service's price plans: those are not read with it
    order = session.get(Order, int(object_id), options=[defaultload(Order.service).lazyload(Service.price_plans)])
    return prepare_order(order, installed_store()) if order is not None else {}


def order_documents_written(session: Session, object_id: str, made: dict[Key, tuple]) -> None:
    """The consumer's quick part for one order: record what was made on its versions."""
    write_prepared(session, made)
    session.flush()


def reset(session: Session) -> None:
    """Before a replay: every version's document is to be found again. The revisions the store still has
    are taken as they are (a signature is not made again while its file is kept); the same terms give the
    same draft."""
    session.execute(update(OrderVersion).values(document_sha256=None, document_size=None))


def consumer() -> consumers.Consumer:
    """The after-commit consumer that makes the documents (installed by `digitalmarket.subscribers`)."""
    return consumers.consumer(
        CONSUMER,
        ACTIONS,
        order_documents_written,
        make=order_documents_made,
        reset=reset,
        title=N_("Contract documents"),
    )
