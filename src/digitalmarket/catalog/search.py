"""Catalog search: an index of the analyzer's terms, kept in the service's own transaction.

One interface, two backends. Each backend only finds *candidates* (every service containing any of
the query's phrases): SQLite through an FTS5 table, PostgreSQL through a GIN-indexed tsvector. The
ranking is then computed here, from the terms stored in `service_search`, with FTS5's bm25 formula
and the analyzer's field weights. Because every service that contains a phrase is a candidate, the
phrase's document frequency is exact, and both databases rank identically.

Suspended or delisted services stay indexed but are never returned: only services in the catalog's
facts (`facts.py`, published services, current as of the caller's transaction) can match.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import ForeignKey, Integer, String, Text, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..core.tables import Base
from . import analyzer
from .facts import Facts, catalog_changed, facts
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


def index_service(session: Session, service: Service, terms: dict[str, list[str]] | None = None) -> None:
    """(Re)index one service inside the caller's transaction. ``terms``, the analyzer's terms of each
    field (its items' `index_terms` concatenated), when the caller has already computed them."""
    texts = _texts(service)
    if terms is None:
        terms = {name: [t for item in items for t in analyzer.index_terms(item)] for name, items in texts.items()}
    fields = {name: " ".join(terms[name]) for name in texts}
    row = session.get(ServiceSearch, service.id) or ServiceSearch(service_id=service.id)
    for name, value in fields.items():
        setattr(row, name, value)
    row.chosung = analyzer.chosung(service.name) + " " + analyzer.chosung(texts["supplier"][0])
    row.length = sum(len(value.split()) for value in fields.values())
    session.add(row)
    session.flush()
    backend_for(session).store(session, service.id, " ".join(fields.values()))
    catalog_changed(session)


# --- backends: where candidates come from ---------------------------------------------------------------


class Fts5Backend:
    """SQLite: an FTS5 table of all terms, one row per service (rowid = service id)."""

    def store(self, session: Session, service_id: int, terms: str) -> None:
        session.execute(text("DELETE FROM service_fts WHERE rowid = :id"), {"id": service_id})
        session.execute(
            text("INSERT INTO service_fts (rowid, terms) VALUES (:id, :terms)"), {"id": service_id, "terms": terms}
        )

    def vocabulary(self, session: Session) -> dict[str, int]:
        """Every indexed term with the number of services holding it (FTS5's own vocabulary)."""
        session.execute(
            text("CREATE VIRTUAL TABLE IF NOT EXISTS temp.service_fts_terms USING fts5vocab(main, service_fts, 'row')")
        )
        return dict(session.execute(text("SELECT term, doc FROM temp.service_fts_terms")).all())

    def candidates(self, session: Session, phrases: list[str]) -> set[int]:
        match = " OR ".join(_quoted(phrase) for phrase in phrases)
        return set(session.scalars(text("SELECT rowid FROM service_fts WHERE service_fts MATCH :m"), {"m": match}))

    def holders(self, session: Session, phrases: list[str]) -> dict[str, set[int]]:
        """For each phrase, the services holding it, in one round trip."""
        sql = " UNION ALL ".join(
            f"SELECT {n}, rowid FROM service_fts WHERE service_fts MATCH :p{n}" for n in range(len(phrases))
        )
        return _grouped(session, sql, {f"p{n}": _quoted(p) for n, p in enumerate(phrases)}, phrases)


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

    def vocabulary(self, session: Session) -> dict[str, int]:
        """Every indexed term with the number of services holding it (``ts_stat``)."""
        return dict(session.execute(text("SELECT word, ndoc FROM ts_stat('SELECT document FROM service_tsv')")).all())

    def holders(self, session: Session, phrases: list[str]) -> dict[str, set[int]]:
        """For each phrase, the services holding it, in one round trip."""
        sql = " UNION ALL ".join(
            f"SELECT {n}, service_id FROM service_tsv WHERE document @@ phraseto_tsquery('simple', :p{n})"
            for n in range(len(phrases))
        )
        return _grouped(session, sql, {f"p{n}": p for n, p in enumerate(phrases)}, phrases)

    def candidates(self, session: Session, phrases: list[str]) -> set[int]:
        query = " || ".join(f"phraseto_tsquery('simple', :p{n})" for n in range(len(phrases)))
        params = {f"p{n}": phrase for n, phrase in enumerate(phrases)}
        sql = f"SELECT service_id FROM service_tsv WHERE document @@ ({query})"
        return set(session.scalars(text(sql), params))


def _quoted(phrase: str) -> str:
    return '"' + phrase.replace('"', '""') + '"'


def _grouped(session: Session, sql: str, params: dict, phrases: list[str]) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {phrase: set() for phrase in phrases}
    if phrases:
        for number, service_id in session.execute(text(sql), params):
            found[phrases[number]].add(service_id)
    return found


def backend_for(session: Session):
    return PostgresBackend() if session.get_bind().dialect.name == "postgresql" else Fts5Backend()


# --- ranking -------------------------------------------------------------------------------------------------

RERANK = 100  # candidates scored exactly; the rest follow in the order of their pre-score
SUPPLIER_CHOSUNG_BOOST = 500.0
FOCUSED_MIN = 10  # fewer focused matches than this: return every loose match


def _count(tokens: list[str], phrase: list[str]) -> int:
    size = len(phrase)
    return sum(1 for i in range(len(tokens) - size + 1) if tokens[i : i + size] == phrase)


@dataclass(frozen=True)
class Ranking:
    """The published services matching a query with their relevance (higher is better), and the index
    words the query looked for (to highlight them)."""

    scores: dict[int, float]
    words: frozenset[str] = frozenset()


def relevance(session: Session, query: str, known: Facts | None = None) -> Ranking:
    """Published services matching a query, with their relevance.

    Which services match is decided by `_matching`. Candidates come from the
    backend one phrase at a time, so each phrase's document frequency is exact. A cheap pre-score
    (concept weight x alternative weight x idf, times the name's field weight when the phrase is in the
    name) orders all matches; the best `RERANK` are then scored exactly with bm25 over the weighted
    fields (see the module docstring). On a catalog of a few hundred services every match is scored
    exactly; on a large one the pre-score keeps the cost flat.
    """
    query = (query or "").strip()
    known = known or facts(session)
    if not query:
        return Ranking({})
    if analyzer.is_chosung_query(query):
        wanted = analyzer.chosung(query)
        found = {}
        for entry in known.entries.values():
            if wanted in entry.name_chosung:
                found[entry.id] = CHOSUNG_BOOST
            elif wanted in entry.supplier_chosung:
                found[entry.id] = SUPPLIER_CHOSUNG_BOOST
        return Ranking(found)
    backend = backend_for(session)
    concepts = analyzer.weighted_query_terms(query)
    matches: dict[str, set[int]] = {}

    def look_up(concept_list) -> None:
        wanted = [p for c in concept_list for p, _ in c.alternatives if p.strip() and p not in matches]
        matches.update(backend.holders(session, list(dict.fromkeys(wanted))))

    look_up(concepts)
    unmatched = [c for c in concepts if not any(matches.get(p) for p, _ in c.alternatives)]
    if unmatched:  # typo tolerance, only where nothing was found as written
        vocabulary = known.vocabulary(session, backend)
        analyzer.with_typo_corrections(unmatched, vocabulary)
        look_up(unmatched)
        if not any(matches.get(p) for c in unmatched for p, _ in c.alternatives):
            written = analyzer.surface_typo_concepts(query, vocabulary)
            concepts = [c for c in concepts if c not in unmatched] + written
            look_up(written)
    looked_for = frozenset(word for phrase, ids in matches.items() if ids for word in phrase.split())
    total = known.indexed
    idf = {p: max(1e-6, math.log((total - len(ids) + 0.5) / (len(ids) + 0.5))) for p, ids in matches.items()}
    pool = _matching(concepts, matches, known)
    entries = known.entries
    name_weight = analyzer.FIELD_WEIGHTS["name"]
    pre: dict[int, float] = {}
    for concept in concepts:
        best: dict[int, float] = {}
        for phrase, weight in concept.alternatives:
            if phrase not in matches:
                continue
            words = phrase.split()
            base = weight * idf[phrase]
            for service_id in matches[phrase] & pool:
                value = base * name_weight if all(w in entries[service_id].name_terms for w in words) else base
                if value > best.get(service_id, 0.0):
                    best[service_id] = value
        for service_id, value in best.items():
            pre[service_id] = pre.get(service_id, 0.0) + concept.weight * value
    if len(pre) <= RERANK:
        return Ranking(_bm25(session, concepts, matches, idf, known, list(pre)), looked_for)
    ordered = sorted(pre, key=lambda service_id: (-pre[service_id], entries[service_id].code))
    exact = _bm25(session, concepts, matches, idf, known, ordered[:RERANK])
    floor = min(exact.values(), default=1.0)
    top = pre[ordered[RERANK]] or 1.0
    for service_id in ordered[RERANK:]:  # below every exact score, in pre-score order
        exact[service_id] = floor * 0.999 * pre[service_id] / top
    return Ranking(exact, looked_for)


def _matching(concepts, matches: dict[str, set[int]], known: Facts) -> set[int]:
    """The published services a query returns: those holding most of its concepts (all of one or two,
    two of three, three of four ...), or, when fewer than `FOCUSED_MIN` do, every service holding any
    of its phrases. A precise query gets a focused list; a vague or rare one still finds something."""
    published = known.entries.keys()
    holders = [set().union(*(matches.get(p, ()) for p, _ in c.alternatives)) for c in concepts]
    loose = set().union(*holders) & published
    required = [ids for ids, concept in zip(holders, concepts, strict=True) if not concept.optional]
    need = len(required) - len(required) // 3
    if need <= 0:
        return loose
    counts: Counter = Counter()
    for ids in required:
        counts.update(ids)
    focused = {service_id for service_id, count in counts.items() if count >= need} & published
    return focused if len(focused) >= FOCUSED_MIN else loose


def _bm25(session, concepts, matches, idf, known: Facts, ids: list[int]) -> dict[int, float]:
    if not ids:
        return {}
    columns = [getattr(ServiceSearch, f) for f in FIELDS]
    rows = session.execute(
        select(ServiceSearch.service_id, ServiceSearch.length, *columns).where(ServiceSearch.service_id.in_(ids))
    )
    tokens = {row[0]: (dict(zip(FIELDS, (v.split() for v in row[2:]), strict=True)), row[1]) for row in rows}
    average = known.average_length
    scores: dict[int, float] = {}
    for concept in concepts:
        best: dict[int, float] = {}
        for phrase, weight in concept.alternatives:
            if phrase not in matches:
                continue
            words = phrase.split()
            for service_id in matches[phrase] & tokens.keys():
                fields, length = tokens[service_id]
                if len(words) == 1:
                    tf = sum(analyzer.FIELD_WEIGHTS[f] * fields[f].count(words[0]) for f in FIELDS)
                else:
                    tf = sum(
                        analyzer.FIELD_WEIGHTS[f] * _count(fields[f], words) for f in FIELDS if words[0] in fields[f]
                    )
                if not tf:
                    continue
                norm = K1 * (1 - B + B * length / average)
                value = weight * idf[phrase] * tf * (K1 + 1) / (tf + norm)
                best[service_id] = max(best.get(service_id, 0.0), value)
        for service_id, value in best.items():
            scores[service_id] = scores.get(service_id, 0.0) + concept.weight * value
    return scores


@dataclass(frozen=True)
class Hit:
    service: Service
    score: float


def search(session: Session, query: str, *, limit: int = 10, service_type: str | None = None) -> list[Hit]:
    """Published services for a query, best first (ties by code): the ranking of the catalog's search."""
    from .finder import Query, find

    results = find(session, Query(q=query, type=service_type, per_page=limit))
    return [Hit(item.service, item.score) for item in results.items]


def reindex(session: Session) -> int:
    """Index every service again (after a change of the analyzer or its synonyms)."""
    services = list(session.scalars(select(Service)))
    for service in services:
        index_service(session, service)
    return len(services)
