"""The documents of an order's settlement, made after the step that calls for them has committed (never in
its write transaction): the after-commit consumer ``settlement-documents`` follows

- ``invoice.accepted``: the 검수조서 (inspection report) of the month and the PDF and XML of the tax invoice
  issued with the inspection;
- ``invoice.claimed``: the 대금청구서 (payment claim), with the due date counted from the claim;
- ``tax_invoice.amended``: the PDF and XML of each amended tax invoice (수정세금계산서).

Each is stored in the installation's document store by its SHA-256 and listed in ``settlement_documents``
with its kind, the subject it documents (the invoice's code, the tax invoice's approval number), its
version and its signers. Idempotent: a document made again with the same bytes (the documents are
deterministic) is not listed twice; other bytes make a new version of the same subject. Replayable:
``digitalmarket rebuild settlement-documents`` empties the list (`reset`) and makes them all again.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..accounts.tables import User
from ..core import consumers
from ..core.audit import AuditEvent
from ..core.files import DocumentStore
from ..core.i18n import N_
from .paper_layout import paper_pdf
from .reports import inspection_report, payment_claim
from .tables import Invoice, SettlementDocument, TaxInvoice
from .tax_invoice_pdf import tax_invoice_paper
from .tax_invoice_xml import tax_invoice_xml

log = logging.getLogger("digitalmarket.settlement.documents")

CONSUMER = "settlement-documents"
ACTIONS = ("invoice.accepted", "invoice.claimed", "tax_invoice.amended")
KINDS = {
    "inspection_report": N_("Inspection report (검수조서)"),
    "payment_claim": N_("Payment claim (대금청구서)"),
    "tax_invoice": N_("Tax invoice (전자세금계산서)"),
    "tax_invoice_xml": N_("Tax invoice, national standard XML"),
}
PDF, XML = "application/pdf", "application/xml"


@dataclass(frozen=True)
class Made:
    """A document made and stored, waiting to be listed."""

    kind: str
    subject: str
    order_id: int
    invoice_id: int
    tax_invoice_id: int | None
    sha256: str
    size: int
    media_type: str
    filename: str
    signers: tuple[str, ...] = ()


def installed_store() -> DocumentStore:
    from ..core.settings import load_settings

    return DocumentStore.of(load_settings())


def store_bytes(store: DocumentStore, data: bytes) -> str:
    """Store any bytes by their SHA-256 (the XML, which the upload check of `DocumentStore.accept` does
    not take); the same bytes are stored once."""
    digest = hashlib.sha256(data).hexdigest()
    path = store.path_of(digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            handle.write(data)
            handle.flush()
        os.replace(handle.name, path)
    return digest


def _made(store: DocumentStore, invoice: Invoice, kind: str, subject: str, data: bytes, **extra) -> Made:
    media = XML if kind == "tax_invoice_xml" else PDF
    suffix = "xml" if media == XML else "pdf"
    filename = f"{kind.replace('_xml', '').replace('_', '-')}-{subject}.{suffix}"
    sha = store_bytes(store, data)
    return Made(
        kind, subject, invoice.order_id, invoice.id, extra.get("tax_invoice_id"), sha, len(data), media, filename
    )


def _person(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id else None
    return user.name if user else "-"


def _tax_invoice_documents(session: Session, store: DocumentStore, tax_invoice: TaxInvoice) -> list[Made]:
    invoice = tax_invoice.invoice
    original = session.get(TaxInvoice, tax_invoice.amends_id) if tax_invoice.amends_id else None
    number = original.approval_number if original else None
    pdf = paper_pdf(tax_invoice_paper(tax_invoice, number, invoice.code))
    xml = tax_invoice_xml(tax_invoice, number, invoice.code)
    subject = tax_invoice.approval_number
    return [
        _made(store, invoice, "tax_invoice", subject, pdf, tax_invoice_id=tax_invoice.id),
        _made(store, invoice, "tax_invoice_xml", subject, xml, tax_invoice_id=tax_invoice.id),
    ]


def documents_of_event(session: Session, store: DocumentStore, event: AuditEvent) -> list[Made]:
    """The documents an event calls for, made and stored (not listed yet)."""
    if event.action == "tax_invoice.amended":
        numbers = list(event.details.get("amended") or [])
        found = session.scalars(select(TaxInvoice).where(TaxInvoice.approval_number.in_(numbers)))
        return [made for tax_invoice in found for made in _tax_invoice_documents(session, store, tax_invoice)]
    invoice = session.get(Invoice, int(event.object_id))
    if invoice is None:
        return []
    if event.action == "invoice.accepted" and invoice.accepted_on is not None:
        originals = session.scalars(
            select(TaxInvoice).where(TaxInvoice.invoice_id == invoice.id, TaxInvoice.kind == "original")
        ).all()
        number = originals[0].approval_number if originals else "-"
        report = inspection_report(invoice, event.occurred_at, _person(session, event.actor_user_id), number)
        made = [_made(store, invoice, "inspection_report", invoice.code, paper_pdf(report))]
        for tax_invoice in originals:
            made += _tax_invoice_documents(session, store, tax_invoice)
        return made
    if event.action == "invoice.claimed" and invoice.claimed_at is not None:
        claim = payment_claim(invoice, invoice.claimed_at, _person(session, invoice.claimed_by))
        return [_made(store, invoice, "payment_claim", invoice.code, paper_pdf(claim))]
    return []


def documents_prepared(session: Session, events: Sequence[AuditEvent]) -> list[Made]:
    """The consumer's slow part: every document the events call for, made and stored, outside the write
    lock. A document that cannot be made is logged and skipped (the next replay tries again)."""
    store = installed_store()
    made: list[Made] = []
    for event in events:
        try:
            made += documents_of_event(session, store, event)
        except ValueError as error:
            log.error("The documents of event %s (%s) cannot be made: %s", event.id, event.action, error)
    return made


def list_made(session: Session, made: Sequence[Made]) -> int:
    """The quick part: list each document, as a new version of its subject unless its bytes are listed."""
    listed = 0
    for document in made:
        latest = session.scalars(
            select(SettlementDocument)
            .where(SettlementDocument.kind == document.kind, SettlementDocument.subject == document.subject)
            .order_by(SettlementDocument.version.desc())
        ).first()
        if latest is not None and latest.sha256 == document.sha256:
            continue
        session.add(
            SettlementDocument(
                order_id=document.order_id,
                invoice_id=document.invoice_id,
                tax_invoice_id=document.tax_invoice_id,
                kind=document.kind,
                subject=document.subject,
                version=(latest.version + 1) if latest else 1,
                sha256=document.sha256,
                size=document.size,
                media_type=document.media_type,
                filename=document.filename,
                signers=list(document.signers),
            )
        )
        session.flush()
        listed += 1
    return listed


def documents_followed(session: Session, events: Sequence[AuditEvent], prepared: list[Made]) -> None:
    list_made(session, prepared)


def reset(session: Session) -> None:
    """Before a replay: the list is made again from the log (the stored files stay)."""
    session.execute(delete(SettlementDocument))


def consumer() -> consumers.Consumer:
    """The after-commit consumer that makes the settlement's documents (installed by
    `digitalmarket.subscribers`)."""
    return consumers.consumer(
        CONSUMER,
        ACTIONS,
        documents_followed,
        prepare=documents_prepared,
        reset=reset,
        title=N_("Settlement documents"),
    )
