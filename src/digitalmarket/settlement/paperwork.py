"""Who may see an order's documents and which they are: the contract document of each version (made by
contracting) and the settlement's documents (검수조서, 대금청구서, tax invoices as PDF and XML), each with
its kind, hash, signers and versions. Both parties of the order and the operator (and administrators)
see them; anyone else gets 404, as if the order did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.permissions import Actor
from ..accounts.rules import Role
from ..contracting.orders.access import side_of
from ..contracting.orders.documents import document_filename
from ..contracting.tables import Order
from ..core.errors import NotFound
from ..core.i18n import N_, Text
from .documents import KINDS
from .tables import SettlementDocument

STAFF_WHO_SEE = (Role.OPERATOR, Role.ADMIN)
CONTRACT = "contract"
KIND_LABELS: dict[str, Text] = {CONTRACT: N_("Contract document (계약서)"), **KINDS}


@dataclass(frozen=True)
class OrderDocument:
    kind: str
    subject: str  # the order's code (a contract), an invoice's code, a tax invoice's approval number
    version: int  # 변경차수 of a contract; the document's version otherwise
    sha256: str
    size: int
    media_type: str
    filename: str
    signers: list[str]
    made_at: datetime | None

    @property
    def label(self) -> Text:
        return KIND_LABELS[self.kind]


def order_for_documents(session: Session, actor: Actor, order_id: int) -> Order:
    """The order, for its two parties and the operator; 404 for anyone else."""
    order = session.get(Order, order_id)
    if order is None or (actor.role not in STAFF_WHO_SEE and side_of(actor, order) is None):
        raise NotFound()
    return order


def documents_of_order(session: Session, order: Order) -> list[OrderDocument]:
    """Every document of the order: its contract documents by version, then its settlement's, in the
    order they were made."""
    found = [
        OrderDocument(
            CONTRACT,
            order.code,
            version.seq,
            version.document_sha256,
            version.document_size or 0,
            "application/pdf",
            document_filename(order, version.seq),
            _contract_signers(order, version),
            None,
        )
        for version in order.versions
        if version.document_sha256
    ]
    rows = session.scalars(
        select(SettlementDocument).where(SettlementDocument.order_id == order.id).order_by(SettlementDocument.id)
    )
    found += [
        OrderDocument(
            row.kind,
            row.subject,
            row.version,
            row.sha256,
            row.size,
            row.media_type,
            row.filename,
            row.signers,
            row.made_at,
        )
        for row in rows
    ]
    return found


def _contract_signers(order: Order, version) -> list[str]:
    """The parties that confirmed a version (the document records their confirmations)."""
    signers = []
    if version.agency_confirmed_at:
        signers.append(order.agency.name)
    if version.supplier_confirmed_at:
        signers.append(order.supplier.name)
    return signers


def document_by_hash(session: Session, actor: Actor, order_id: int, sha256: str) -> OrderDocument:
    """One document of an order by its SHA-256, for whoever may see the order's documents."""
    order = order_for_documents(session, actor, order_id)
    found = next((doc for doc in documents_of_order(session, order) if doc.sha256 == sha256), None)
    if found is None:
        raise NotFound()
    return found
