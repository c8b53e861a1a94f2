"""The public documents of a service (서비스 설명서, SLA, 요금표), as buyers download them.

They are handed to the catalog when a service is published (selection's publishing step passes the public
documents of the selected application), like the service's fields: the catalog keeps what was published
and never reads an application. Each kind is numbered; publishing a kind again adds its next version, and
buyers are offered the latest. A supplier's business documents never reach this table: its kinds are
limited to `PublicDocumentKind` (by the rule here and by a check constraint).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import NotFound, ValidationFailed
from ..core.formatting import file_size as file_size  # the service page's document list shows sizes
from ..core.i18n import N_
from .rules import PublicDocumentKind
from .tables import Service, ServiceDocument


@dataclass(frozen=True)
class PublicDocument:
    """A stored file (by SHA-256) to publish as one of a service's public documents."""

    kind: str
    filename: str
    sha256: str
    size: int
    media_type: str


def publish_documents(
    session: Session, *, actor_user_id: int | None, service: Service, documents: Iterable[PublicDocument]
) -> list[ServiceDocument]:
    """Publish documents of a service, each as the next version of its kind, with one audit event."""
    documents = list(documents)
    if any(d.kind not in set(PublicDocumentKind) for d in documents):
        raise ValidationFailed(fields={"kind": N_("Choose one of the options.")})
    versions = {d.kind: d.version for d in _all_versions(session, service.id)}
    added = []
    for document in documents:
        versions[document.kind] = versions.get(document.kind, 0) + 1
        row = ServiceDocument(
            service_id=service.id,
            kind=document.kind,
            version=versions[document.kind],
            filename=document.filename,
            sha256=document.sha256,
            size=document.size,
            media_type=document.media_type,
        )
        session.add(row)
        added.append(row)
    if not added:
        return added
    session.flush()
    audit.record(
        session,
        actor_user_id=actor_user_id,
        action="service.documents_published",
        object_type="service",
        object_id=service.id,
        details={"documents": [{"kind": d.kind, "version": d.version, "sha256": d.sha256} for d in added]},
    )
    return added


def _all_versions(session: Session, service_id: int) -> list[ServiceDocument]:
    query = select(ServiceDocument).where(ServiceDocument.service_id == service_id)
    return list(session.scalars(query.order_by(ServiceDocument.kind, ServiceDocument.version)))


def latest_documents(session: Session, service: Service) -> list[ServiceDocument]:
    """The latest version of each public document of a service: service description, SLA, price list."""
    latest: dict[str, ServiceDocument] = {}
    for document in _all_versions(session, service.id):
        latest[document.kind] = document
    return [latest[kind] for kind in PublicDocumentKind if kind in latest]


def latest_document(session: Session, service: Service, kind: str) -> ServiceDocument:
    """The latest version of one public document; 404 for a kind that is not public or not published."""
    found = next((d for d in latest_documents(session, service) if d.kind == kind), None)
    if found is None:
        raise NotFound()
    return found
