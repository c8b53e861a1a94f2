"""The papers behind a service: the documents its supplier submitted once, when the service was selected.

A catalog contract is applied for with the same papers as the selection (DOMAIN.md: "submitted once, for
both gates"). Selection keeps them with its application; stages after catalog ask catalog for them, and
catalog asks the provider installed at start-up (`digitalmarket.subscribers`: selection's
`selection.papers.papers_of_service`). So contracting reads them without knowing selection, and catalog
without knowing who keeps them. Without a provider (a service imported or registered otherwise), a
service has no papers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Paper:
    """One submitted document: its bytes are stored once under their SHA-256 (`core.files`)."""

    id: int
    kind: str
    filename: str
    sha256: str
    size: int
    media_type: str
    uploaded_at: datetime


@dataclass(frozen=True)
class Papers:
    """The documents of the application (its number) a service was selected through."""

    application_id: int
    documents: tuple[Paper, ...]

    def document(self, document_id: int) -> Paper | None:
        return next((paper for paper in self.documents if paper.id == document_id), None)


Provider = Callable[[Session, int], "Papers | None"]

_provider: Provider | None = None


def install(provider: Provider | None) -> None:
    """Who keeps the papers (called by `digitalmarket.subscribers.install`)."""
    global _provider
    _provider = provider


def papers_of(session: Session, service_id: int) -> Papers | None:
    """The papers behind service ``service_id``, or None when it was not selected on this platform."""
    return _provider(session, service_id) if _provider is not None else None
