"""The search index: the analyzer's terms of each service, kept in the transaction of the step that
published or changed it (`projections.py` follows the catalog's events).

One interface, two backends. Each backend only finds *candidates* (every service containing any of
the query's phrases): SQLite through an FTS5 table, PostgreSQL through a GIN-indexed tsvector. The
ranking is then computed (`scoring.py`) from the terms stored in `service_search`, with FTS5's bm25
formula and the analyzer's field weights. Because every service that contains a phrase is a candidate, the
phrase's document frequency is exact, and both databases rank identically.

Suspended or delisted services stay indexed but are never returned: only services in the catalog's
facts (`facts.py`, published services, current as of the caller's transaction) can match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np
from sqlalchemy import select, text
from sqlalchemy.orm import Session, object_session

from ..catalog.tables import Category, Service
from . import analyzer, feedback, typos
from . import settings as search_settings
from .facts import Facts, Posting, facts
from .names import Names
from .rows import Listed
from .scoring import FIELDS, ranked
from .tables import ServiceSearch

__all__ = ["FIELDS", "Hit", "Ranking", "backend_for", "index_service", "index_texts", "relevance", "reindex", "search"]

CHOSUNG_BOOST = 1000.0


def index_texts(service: Service) -> dict[str, list[str]]:
    """The texts of each field of a service that the index analyses (the category: its Korean and English
    names; the supplier: its name)."""
    return {
        "name": [service.name],
        "keywords": list(service.keywords or []),
        "features": list(service.features or []),
        "category": _category_names(service),
        "summary": [service.summary],
        "description": [service.description],
        "supplier": [service.supplier.name if service.supplier else ""],
    }


def _category_names(service: Service) -> list[str]:
    """The Korean and English names of the service's category, read by its ``category_id``: a step that
    moved the service set that id, and the loaded ``category`` may still be the one before."""
    session = object_session(service)
    category = session.get(Category, service.category_id) if session is not None else service.category
    return [category.name_ko, category.name_en] if category is not None else []


def index_service(session: Session, service: Service, terms: dict[str, list[str]] | None = None) -> None:
    """(Re)index one service inside the caller's transaction. ``terms``, the analyzer's terms of each
    field (its items' `index_terms` concatenated), when the caller has already computed them."""
    texts = index_texts(service)
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


# --- backends: where candidates come from ---------------------------------------------------------------
#
# A backend answers one question: which services hold each of these phrases. Each phrase's services
# come back as one comma-separated string (SQLite's group_concat, PostgreSQL's string_agg), read into
# an array at once: a word held by half of a large catalog costs one row, not tens of thousands.


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

    def holders(self, session: Session, phrases: list[str]) -> dict[str, np.ndarray]:
        """For each phrase, the ids of the services holding it, in one round trip."""
        sql = " UNION ALL ".join(
            f"SELECT {n}, (SELECT group_concat(rowid) FROM service_fts WHERE service_fts MATCH :p{n})"
            for n in range(len(phrases))
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

    def holders(self, session: Session, phrases: list[str]) -> dict[str, np.ndarray]:
        """For each phrase, the ids of the services holding it, in one round trip."""
        sql = " UNION ALL ".join(
            f"SELECT {n}, (SELECT string_agg(service_id::text, ',') FROM service_tsv "
            f"WHERE document @@ phraseto_tsquery('simple', :p{n}))"
            for n in range(len(phrases))
        )
        return _grouped(session, sql, {f"p{n}": p for n, p in enumerate(phrases)}, phrases)


def _quoted(phrase: str) -> str:
    return '"' + phrase.replace('"', '""') + '"'


def _grouped(session: Session, sql: str, params: dict, phrases: list[str]) -> dict[str, np.ndarray]:
    found = {phrase: np.zeros(0, dtype=np.int64) for phrase in phrases}
    if phrases:
        for number, ids in session.execute(text(sql), params):
            if ids:
                found[phrases[number]] = np.fromstring(ids, dtype=np.int64, sep=",")
    return found


def backend_for(session: Session):
    return PostgresBackend() if session.get_bind().dialect.name == "postgresql" else Fts5Backend()


# --- ranking -------------------------------------------------------------------------------------------------

SUPPLIER_CHOSUNG_BOOST = 500.0


@dataclass(frozen=True)
class Ranking:
    """The published services matching a query, best first: their positions (`columns.py`) and their
    relevance (higher is better, aligned with the positions), and the index words the query looked
    for (to highlight them)."""

    order: np.ndarray
    scores: np.ndarray
    words: frozenset[str] = frozenset()
    corrected: str | None = None  # the query with its misspelt words corrected, when some were
    # the positions that hold every word of the query (or are what it names); None: not told apart
    complete: np.ndarray | None = None
    missing: tuple[str, ...] = ()  # the query's words that no service holds, even corrected: left out

    @classmethod
    def empty(cls) -> Ranking:
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0))

    def lifted(self, tiers: list[tuple[np.ndarray, float]], *, only: bool = False) -> Ranking:
        """This ranking with the positions of each tier (higher first; within one, in the order given)
        above every other, scored above the best text score; ``only``: the tiers alone."""
        seen: set[int] = set()
        order: list[int] = []
        scores: list[float] = []
        top = float(self.scores.max()) if len(self.scores) else 1.0
        for positions, tier in sorted(tiers, key=lambda pair: -pair[1]):
            fresh = [int(p) for p in positions if int(p) not in seen]
            for rank, position in enumerate(fresh):
                seen.add(position)
                order.append(position)
                scores.append(top * (1.0 + tier) * (1.0 - rank / (len(fresh) + 1) / 10))
        if not order:
            return self
        # what the query names is what it asks for, whatever words it holds
        named = np.array(order, dtype=np.int64)
        complete = None if self.complete is None else named if only else np.union1d(self.complete, named)
        if not only:
            rest = np.array([p not in seen for p in self.order.tolist()], dtype=bool)
            order.extend(self.order[rest].tolist())
            scores.extend(self.scores[rest].tolist())
        order_array, scores_array = np.array(order, dtype=np.int64), np.array(scores)
        return Ranking(order_array, scores_array, self.words, self.corrected, complete, self.missing)


def relevance(session: Session, query: str, known: Facts | None = None) -> Ranking:
    """Published services for a query, best first: what the query names (`names`: the service of a code,
    the services of a name or a name's beginning, a supplier's brand) above what its words match
    (`text_relevance`). A query that is a code returns that service alone; a brand alone, that supplier's
    services only."""
    query = (query or "").strip()
    known = known or facts(session)
    if not query:
        return Ranking.empty()
    if not search_settings.current().names:
        return text_relevance(session, query, known)
    named = Names.of(known.columns)
    code = named.code(query)
    if code is not None:  # a code names one service: that one alone, not those sharing its year or number
        named_one = np.array([code], dtype=np.int64)
        return Ranking(named_one, np.ones(1), complete=named_one)
    brand = named.brand(query)
    if brand is not None and not brand[1]:  # the brand alone: its services, those the words match first
        text = replace(text_relevance(session, query, known), corrected=None)  # a name, not a misspelling
        return text.lifted([(_in(text.order, brand[0]), 1.0), (brand[0], 0.5)], only=True)
    text = text_relevance(session, brand[1] if brand is not None else query, known)
    tiers = [
        (np.array(named.exact(query), dtype=np.int64), 3.0),
        (np.array(named.prefixed(query), dtype=np.int64), 2.0),
    ]
    if brand is not None:  # a brand and other words: the brand's services those words match first
        tiers.append((_in(text.order, brand[0]), 1.0))
    if len(tiers[0][0]):  # a whole name is no misspelling
        text = replace(text, corrected=None)
    return text.lifted(tiers)


_A_WORD = re.compile(r"[가-힣0-9A-Za-z]")


def _missing(unmatched, written, found, looked_up) -> tuple[str, ...]:
    """The words of the query that no service holds, even corrected: its concepts found nowhere, but the
    pieces of a written word found as a whole (그룹웨여, cut into 그룹 + 웨 + 여, found as 그룹웨어) and letters
    that make no word (ㅋㅋ). A compound no service holds whole (회의록 자동 작성 as one phrase) is searched as
    its words: only those of its words that were looked up and found nowhere are named, never the compound
    glued (회의록자동작성), which the buyer did not write."""
    whole = [concept.text for concept in written if any(found(p) for p, _ in concept.alternatives)]
    named: list[str] = []
    for concept in unmatched:
        if (
            concept.optional
            or any(found(p) for p, _ in concept.alternatives)
            or any(concept.text in word for word in whole)
            or not _A_WORD.search(concept.text)
        ):
            continue
        words = concept.alternatives[0][0].split() if concept.alternatives else []
        if len(words) > 1:
            named.extend(w for w in words if looked_up(w) and not found(w) and _A_WORD.search(w) and w not in named)
        elif concept.text not in named:
            named.append(concept.text)
    return tuple(named)


def _in(order: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """The positions of ``order`` that are among ``positions``, in ``order``'s order."""
    return order[np.isin(order, positions)]


def text_relevance(session: Session, query: str, known: Facts | None = None) -> Ranking:
    """Published services matching a query's words, best first.

    Which services match is decided by `_matching`. Each phrase's services come from the backend
    (or the facts' cache of this catalog revision), so each phrase's document frequency is exact. A
    cheap pre-score (concept weight x alternative weight x idf, times the name's field weight when the
    phrase is in the name), computed over arrays, orders all matches; the best `RERANK` are then scored
    exactly with bm25 over the weighted fields (see the module docstring), and the rest follow below
    them in pre-score order. On a catalog of a few hundred services every match is scored exactly; on
    a large one the pre-score keeps the cost flat.
    """
    query = (query or "").strip()
    known = known or facts(session)
    columns = known.columns
    if not query:
        return Ranking.empty()
    pieces = search_settings.current()
    if pieces.chosung and analyzer.is_chosung_query(query):
        wanted = analyzer.chosung(query)
        by_name = columns.chosung_hits(wanted, "name")
        by_supplier = np.setdiff1d(columns.chosung_hits(wanted, "supplier"), by_name)
        order = np.concatenate([by_name, by_supplier])
        boosts = [np.full(len(by_name), CHOSUNG_BOOST), np.full(len(by_supplier), SUPPLIER_CHOSUNG_BOOST)]
        return Ranking(order, np.concatenate(boosts))
    backend = backend_for(session)
    concepts = analyzer.weighted_query_terms(query)
    matches: dict[str, Posting] = {}

    def look_up(concept_list) -> None:
        wanted = [p for c in concept_list for p, _ in c.alternatives if p.strip() and p not in matches]
        matches.update(known.postings(list(dict.fromkeys(wanted)), lambda some: backend.holders(session, some)))

    def found(phrase: str) -> bool:
        return phrase in matches and len(matches[phrase][1]) > 0

    look_up(concepts)
    unmatched = [c for c in concepts if not any(found(p) for p, _ in c.alternatives)]
    corrected = None
    written: list[analyzer.Concept] = []
    # typo tolerance, only where a word was found nowhere as written or was cut into a lone syllable
    if pieces.typos and (unmatched or typos.looks_broken(query, concepts)):
        vocabulary = known.vocabulary(session, backend)
        corrected = typos.corrected_query(query, vocabulary)
        typos.with_typo_corrections(unmatched, vocabulary)
        if corrected is not None:  # the query as meant, analysed again: its compounds and synonyms
            concepts = typos.as_corrected(analyzer.weighted_query_terms(corrected), unmatched)
            look_up(concepts)
        else:
            look_up(unmatched)
        if corrected is None and not any(found(p) for c in unmatched for p, _ in c.alternatives):
            written = typos.surface_typo_concepts(query, vocabulary)
            concepts = [c for c in concepts if c not in unmatched] + written
            look_up(written)
    looked_for = frozenset(word for phrase in matches if found(phrase) for word in phrase.split())
    missing = () if corrected else _missing(unmatched, written, found, matches.__contains__)
    order, scores, complete = ranked(session, concepts, matches, known, pieces)
    holding_all = 0 if complete is None else len(complete)
    if pieces.feedback and len(order) and holding_all < feedback.ENOUGH:  # what the best share, weighted down
        vocabulary = known.vocabulary(session, backend)
        expansion = feedback.expansion(session, concepts, order, scores, known, vocabulary)
        if expansion:
            look_up(expansion)
            fresh = ranked(session, concepts + expansion, matches, known, pieces, expansion, order, feedback.RERANK)
            order, scores = feedback.merged(order, scores, *fresh[:2])
    return Ranking(order, scores, looked_for, corrected, complete, missing)


@dataclass(frozen=True)
class Hit:
    service: Listed
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
