"""The documents of an order's settlement, made after the step that calls for them has committed (never in
its write transaction): the after-commit consumer ``settlement-documents`` follows

- ``invoice.accepted``: the 검수조서 (inspection report) of the month, signed by the agency, and the PDF
  (signed by the supplier, its issuer) and XML of the tax invoice issued with the inspection;
- ``invoice.claimed``: the 대금청구서 (payment claim), signed by the supplier, with the due date counted
  from the claim;
- ``tax_invoice.amended``: the PDF and XML of each amended tax invoice (수정세금계산서).

Each PDF is signed (PAdES, `signatures.signing.sign_pdf`, the signing person named) and sealed with the
platform's document timestamp (`seal`); every revision (draft, signature, timestamp) is remembered in the
ledger of signed documents (`signatures.ledger`), so that ``/verify`` knows it. The steps check the
signer's certificate first (`authority.signer_for`, 409 when revoked or expired). Each document is
stored in the installation's document store by its SHA-256 and listed in ``settlement_documents`` with its
kind, the subject it documents (the invoice's code, the tax invoice's approval number), its version and
its signers. Idempotent: a subject that has its document is not made again. Replayable:
``digitalmarket rebuild settlement-documents`` empties the list (`reset`) and makes them all again (new
signatures, so new hashes; the ledger keeps the earlier ones).
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
from ..signatures import ledger
from ..signatures.authority import CannotSign, current_certificate
from ..signatures.signing import seal, sign_pdf
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
    revisions: tuple[dict, ...] = ()  # for the ledger of signed documents: draft, signature, timestamp


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


def _made(
    store: DocumentStore, invoice: Invoice, kind: str, subject: str, data: bytes, signed: Signed | None = None, **extra
) -> Made:
    media = XML if kind == "tax_invoice_xml" else PDF
    suffix = "xml" if media == XML else "pdf"
    filename = f"{kind.replace('_xml', '').replace('_', '-')}-{subject}.{suffix}"
    if signed is not None:
        data = signed.pdf
        for revision in signed.revisions:
            store_bytes(store, revision["pdf"])
    sha = store_bytes(store, data)
    return Made(
        kind,
        subject,
        invoice.order_id,
        invoice.id,
        extra.get("tax_invoice_id"),
        sha,
        len(data),
        media,
        filename,
        signed.signers if signed else (),
        signed.revisions if signed else (),
    )


@dataclass(frozen=True)
class Signed:
    pdf: bytes
    signers: tuple[str, ...]
    revisions: tuple[dict, ...]


def signed(
    session: Session,
    pdf: bytes,
    *,
    organisation_id: int | None,
    organisation_name: str,
    person: str,
    reason: str,
    field: str,
    family: str,
    title: str,
) -> Signed:
    """``pdf`` signed by the organisation (PAdES, `signatures.signing.sign_pdf`) when it has a usable
    certificate, then sealed with the platform's document timestamp; each revision for the ledger. An
    organisation whose certificate was revoked or expired since the step leaves the document with the
    platform's timestamp only (logged): the step that calls for the document refuses such a signer first."""
    revisions: list[dict] = [{"kind": "draft", "pdf": pdf}]
    signers: tuple[str, ...] = ()
    current = pdf
    if organisation_id is not None and current_certificate(session, organisation_id) is not None:
        try:
            current = sign_pdf(session, organisation_id, pdf, reason=reason, signer_name=person, field=field)
        except (CannotSign, ValueError) as error:  # revoked or expired since the step; a certificate not valid yet
            log.warning("%s: %s cannot sign (%s); sealed without its signature", title, organisation_name, error)
        else:
            revisions.append(
                {"kind": "signature", "pdf": current, "signs": pdf, "organisation_id": organisation_id, "name": person}
            )
            signers = (f"{organisation_name} ({person})",)
    try:
        sealed = seal(session, current)
    except ValueError as error:  # the platform's time-stamping authority cannot sign now: kept unsealed
        log.error("%s cannot be sealed (%s); kept without the platform's timestamp", title, error)
        sealed = current
    else:
        revisions.append({"kind": "timestamp", "pdf": sealed, "signs": current})
    for revision in revisions:
        revision.update(family=family, title=title)
    return Signed(sealed, signers, tuple(revisions))


def _person(session: Session, user_id: int | None, default: str | None = None) -> str:
    user = session.get(User, user_id) if user_id else None
    return user.name if user else (default or "-")


def _listed(session: Session, kind: str, subject: str) -> bool:
    query = select(SettlementDocument.id).where(SettlementDocument.kind == kind, SettlementDocument.subject == subject)
    return session.scalars(query).first() is not None


def _tax_invoice_documents(session: Session, store: DocumentStore, tax_invoice: TaxInvoice) -> list[Made]:
    """The tax invoice's PDF, signed by the supplier (the issuer, 공급자) and sealed, and its XML."""
    subject = tax_invoice.approval_number
    if _listed(session, "tax_invoice", subject):
        return []
    invoice = tax_invoice.invoice
    original = session.get(TaxInvoice, tax_invoice.amends_id) if tax_invoice.amends_id else None
    number = original.approval_number if original else None
    paper = tax_invoice_paper(tax_invoice, number, invoice.code)
    supplier = invoice.order.supplier
    pdf = signed(
        session,
        paper_pdf(paper),
        organisation_id=supplier.id,
        organisation_name=supplier.name,
        person=_person(
            session, tax_invoice.issued_by if tax_invoice.kind == "amended" else None, supplier.representative
        ),
        reason="세금계산서 발급",
        field="Supplier",
        family=f"tax-invoice/{subject}",
        title=f"{paper.title} {subject}",
    )
    xml = tax_invoice_xml(tax_invoice, number, invoice.code)
    return [
        _made(store, invoice, "tax_invoice", subject, b"", pdf, tax_invoice_id=tax_invoice.id),
        _made(store, invoice, "tax_invoice_xml", subject, xml, tax_invoice_id=tax_invoice.id),
    ]


def _inspection_documents(session: Session, store: DocumentStore, invoice: Invoice, event: AuditEvent) -> list[Made]:
    """The 검수조서, signed by the agency (its inspector) and sealed, and the month's tax invoice."""
    originals = session.scalars(
        select(TaxInvoice).where(TaxInvoice.invoice_id == invoice.id, TaxInvoice.kind == "original")
    ).all()
    made: list[Made] = []
    if not _listed(session, "inspection_report", invoice.code):
        number = originals[0].approval_number if originals else "-"
        inspector = _person(session, event.actor_user_id)
        paper = inspection_report(invoice, event.occurred_at, inspector, number)
        agency = invoice.order.agency
        pdf = signed(
            session,
            paper_pdf(paper),
            organisation_id=agency.id,
            organisation_name=agency.name,
            person=inspector,
            reason="검수 확인",
            field="Agency",
            family=f"inspection/{invoice.order.code}/{invoice.month}",
            title=f"검수조서 {invoice.order.code} {invoice.month}",
        )
        made.append(_made(store, invoice, "inspection_report", invoice.code, b"", pdf))
    for tax_invoice in originals:
        made += _tax_invoice_documents(session, store, tax_invoice)
    return made


def _claim_documents(session: Session, store: DocumentStore, invoice: Invoice) -> list[Made]:
    """The 대금청구서, signed by the supplier (the person who claimed) and sealed."""
    if _listed(session, "payment_claim", invoice.code):
        return []
    claimant = _person(session, invoice.claimed_by)
    supplier = invoice.order.supplier
    pdf = signed(
        session,
        paper_pdf(payment_claim(invoice, invoice.claimed_at, claimant)),
        organisation_id=supplier.id,
        organisation_name=supplier.name,
        person=claimant,
        reason="대금 청구",
        field="Supplier",
        family=f"claim/{invoice.order.code}/{invoice.month}",
        title=f"대금청구서 {invoice.order.code} {invoice.month}",
    )
    return [_made(store, invoice, "payment_claim", invoice.code, b"", pdf)]


def documents_of_event(session: Session, store: DocumentStore, event: AuditEvent) -> list[Made]:
    """The documents an event calls for that are not listed yet, made, signed and stored."""
    if event.action == "tax_invoice.amended":
        numbers = list(event.details.get("amended") or [])
        found = session.scalars(select(TaxInvoice).where(TaxInvoice.approval_number.in_(numbers)))
        return [made for tax_invoice in found for made in _tax_invoice_documents(session, store, tax_invoice)]
    invoice = session.get(Invoice, int(event.object_id))
    if invoice is None:
        return []
    if event.action == "invoice.accepted" and invoice.accepted_on is not None:
        return _inspection_documents(session, store, invoice, event)
    if event.action == "invoice.claimed" and invoice.claimed_at is not None:
        return _claim_documents(session, store, invoice)
    return []


def documents_prepared(session: Session, events: Sequence[AuditEvent]) -> list[Made]:
    """The consumer's slow part: every document the events call for, made and stored, outside the write
    lock. A document that cannot be made is logged and skipped (the next replay tries again)."""
    store = installed_store()
    made: list[Made] = []
    for event in events:
        try:
            made += documents_of_event(session, store, event)
        except (ValueError, CannotSign) as error:
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
        for revision in document.revisions:
            ledger.register_made(session, revision, revision=1)
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
