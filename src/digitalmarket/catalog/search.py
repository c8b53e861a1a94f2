"""Catalog search: an index of the analyzer's terms, kept in the service's own transaction.

One interface, two backends. Each backend only finds *candidates* (every service containing any of
the query's phrases): SQLite through an FTS5 table, PostgreSQL through a GIN-indexed tsvector. The
ranking is then computed here, from the terms stored in `service_search`, with FTS5's bm25 formula
and the analyzer's field weights. Because every service that contains a phrase is a candidate, the
phrase's document frequency is exact, and both databases rank identically.

Suspended or delisted services stay indexed but are never returned: the status is read with the
results, in the same transaction as any change to it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import ForeignKey, Integer, String, Text, func, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..core.tables import Base
from . import analyzer
from .rules import ServiceStatus
from .tables import Service

FIELDS = ("name", "keywords", "features", "summary", "description", "supplier")
K1, B = 1.2, 0.75
CHOSUNG_BOOST = 1000.0


class ServiceSearch(Base):
    """The analyzer's terms of one service, per field (space-joined), and the 초성 of its name."""

    __tablename__ = "service_search"

    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(Text, nullable=False, default="")
    keywords: Mapped[str] = mapped_column(Text, nullable=False, default="")
    features: Mapped[str] = mapped_column(Text, nullable=False, default="")
    summary: Mapped[str] = mapped_column(Text, nullable=False, default="")
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    supplier: Mapped[str] = mapped_column(Text, nullable=False, default="")
    chosung: Mapped[str] = mapped_column(String(400), nullable=False, default="")
    length: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


def _texts(service: Service) -> dict[str, list[str]]:
    return {
        "name": [service.name],
        "keywords": list(service.keywords or []),
        "features": list(service.features or []),
        "summary": [service.summary],
        "description": [service.description],
        "supplier": [service.supplier.name if service.supplier else ""],
    }


def index_service(session: Session, service: Service) -> None:
    """(Re)index one service inside the caller's transaction."""
    texts = _texts(service)
    fields = {name: " ".join(t for item in items for t in analyzer.index_terms(item)) for name, items in texts.items()}
    row = session.get(ServiceSearch, service.id) or ServiceSearch(service_id=service.id)
    for name, value in fields.items():
        setattr(row, name, value)
    row.chosung = analyzer.chosung(service.name) + " " + analyzer.chosung(texts["supplier"][0])
    row.length = sum(len(value.split()) for value in fields.values())
    session.add(row)
    session.flush()
    backend_for(session).store(session, service.id, " ".join(fields.values()))


# --- backends: where candidates come from ---------------------------------------------------------------


class Fts5Backend:
    """SQLite: an FTS5 table of all terms, one row per service (rowid = service id)."""

    def store(self, session: Session, service_id: int, terms: str) -> None:
        session.execute(text("DELETE FROM service_fts WHERE rowid = :id"), {"id": service_id})
        session.execute(
            text("INSERT INTO service_fts (rowid, terms) VALUES (:id, :terms)"), {"id": service_id, "terms": terms}
        )

    def candidates(self, session: Session, phrases: list[str]) -> set[int]:
        match = " OR ".join('"' + phrase.replace('"', '""') + '"' for phrase in phrases)
        return set(session.scalars(text("SELECT rowid FROM service_fts WHERE service_fts MATCH :m"), {"m": match}))


class PostgresBackend:
    """PostgreSQL: a tsvector of all terms ('simple' configuration) with a GIN index."""

    def store(self, session: Session, service_id: int, terms: str) -> None:
        session.execute(
            text(
                "INSERT INTO service_tsv (service_id, document) VALUES (:id, to_tsvector('simple', :terms)) "
                "ON CONFLICT (service_id) DO UPDATE SET document = EXCLUDED.document"
            ),
            {"id": service_id, "terms": terms},
        )

    def candidates(self, session: Session, phrases: list[str]) -> set[int]:
        query = " || ".join(f"phraseto_tsquery('simple', :p{n})" for n in range(len(phrases)))
        params = {f"p{n}": phrase for n, phrase in enumerate(phrases)}
        sql = f"SELECT service_id FROM service_tsv WHERE document @@ ({query})"
        return set(session.scalars(text(sql), params))


def backend_for(session: Session):
    return PostgresBackend() if session.get_bind().dialect.name == "postgresql" else Fts5Backend()


# --- ranking -------------------------------------------------------------------------------------------------


def _count(tokens: list[str], phrase: list[str]) -> int:
    size = len(phrase)
    return sum(1 for i in range(len(tokens) - size + 1) if tokens[i : i + size] == phrase)


@dataclass(frozen=True)
class Hit:
    service: Service
    score: float


def search(session: Session, query: str, *, limit: int = 10, service_type: str | None = None) -> list[Hit]:
    """Published services for a query, best first (ties by code)."""
    query = (query or "").strip()
    if not query:
        return []
    if analyzer.is_chosung_query(query):
        return _chosung_search(session, query, limit, service_type)
    concepts = analyzer.weighted_query_terms(query)
    phrases = list(dict.fromkeys(p for c in concepts for p, _ in c.alternatives if p.strip()))
    if not phrases:
        return []
    ids = backend_for(session).candidates(session, phrases)
    if not ids:
        return []
    rows = list(session.scalars(select(ServiceSearch).where(ServiceSearch.service_id.in_(ids))))
    total, average = session.execute(select(func.count(), func.avg(ServiceSearch.length))).one()
    average = float(average or 1)
    tokens = {r.service_id: {f: getattr(r, f).split() for f in FIELDS} for r in rows}
    tf = {p: {} for p in phrases}
    for phrase in phrases:
        words = phrase.split()
        for service_id, fields in tokens.items():
            weighted = sum(analyzer.FIELD_WEIGHTS[f] * _count(fields[f], words) for f in FIELDS)
            if weighted:
                tf[phrase][service_id] = weighted
    idf = {p: max(1e-6, math.log((total - len(hits) + 0.5) / (len(hits) + 0.5))) for p, hits in tf.items()}
    length = {r.service_id: r.length for r in rows}
    scores: dict[int, float] = {}
    for concept in concepts:
        best: dict[int, float] = {}
        for phrase, weight in concept.alternatives:
            for service_id, weighted_tf in tf.get(phrase, {}).items():
                norm = K1 * (1 - B + B * length[service_id] / average)
                value = weight * idf[phrase] * weighted_tf * (K1 + 1) / (weighted_tf + norm)
                best[service_id] = max(best.get(service_id, 0.0), value)
        for service_id, value in best.items():
            scores[service_id] = scores.get(service_id, 0.0) + concept.weight * value
    return _published_hits(session, scores, limit, service_type)


def _chosung_search(session: Session, query: str, limit: int, service_type: str | None) -> list[Hit]:
    wanted = analyzer.chosung(query)
    rows = session.execute(
        select(ServiceSearch.service_id, Service.name, Service.supplier_id)
        .join(Service, Service.id == ServiceSearch.service_id)
        .where(ServiceSearch.chosung.contains(wanted[:1]))
    ).all()
    scores = {row.service_id: CHOSUNG_BOOST for row in rows if analyzer.chosung_matches(query, row.name)}
    return _published_hits(session, scores, limit, service_type)


def _published_hits(session: Session, scores: dict[int, float], limit: int, service_type: str | None) -> list[Hit]:
    if not scores:
        return []
    query = select(Service).where(Service.id.in_(scores), Service.status == ServiceStatus.PUBLISHED)
    if service_type:
        query = query.where(Service.type == service_type)
    services = list(session.scalars(query))
    services.sort(key=lambda s: (-round(scores[s.id], 9), s.code))
    return [Hit(s, scores[s.id]) for s in services[:limit]]


def reindex(session: Session) -> int:
    """Index every service again (after a change of the analyzer or its synonyms)."""
    services = list(session.scalars(select(Service)))
    for service in services:
        index_service(session, service)
    return len(services)
