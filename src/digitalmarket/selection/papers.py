"""The papers of the application a service was selected through, as catalog offers them to later stages
(`catalog.papers`, installed by `digitalmarket.subscribers`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..catalog.papers import Paper, Papers
from .tables import Application


def papers_of_service(session: Session, service_id: int) -> Papers | None:
    application = session.scalars(select(Application).where(Application.service_id == service_id)).first()
    if application is None:
        return None
    documents = tuple(
        Paper(d.id, d.kind, d.filename, d.sha256, d.size, d.media_type, d.uploaded_at) for d in application.documents
    )
    return Papers(application.id, documents)
