"""Finding services: one query (words, filters, sort, page) in, one page of results with facets out.

The API (`GET /api/v1/services`), the catalog page and `digitalmarket search` all call `find`, so they
show the same ranking. Relevance comes from `index.relevance`; filters, facet counts and the other
sorts work on the catalog's facts (`facts.py`). Facet counts are disjunctive: the counts of one facet
apply every chosen filter except that facet's own, so a searcher sees what choosing another value
would give.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
from sqlalchemy.orm import Session

from ..accounts.rules import SupplierSize
from ..catalog import regions
from ..catalog.rules import CSAP_GRADES, Deployment, ServiceType
from ..core.errors import ValidationFailed
from ..core.i18n import N_, Text
from . import settings as search_settings
from . import turns, understanding
from .columns import SORT_KEYS, Columns
from .entries import NO_CSAP, SEARCH_FACETS, Entry
from .facts import Facts, facts
from .index import relevance
from .rows import Listed, listed
from .snippets import Snippet, snippet

SORTS = ("relevance", "newest", "price", "rating", "contracts")
#: The fields of a `Query` that filter (besides its words, sort and page).
FILTERS = ("type", "category", "csap", "size", "deployment", "region", "price_min", "price_max", "contract")
PER_PAGE, MAX_PER_PAGE, MAX_QUERY = 20, 100, 200


#: The values a search's choices take (`Query.parse`), spelled once.
_TYPES = tuple(str(t) for t in ServiceType)
_CSAP = (*CSAP_GRADES, NO_CSAP)
_SIZES = tuple(str(s) for s in SupplierSize)
_DEPLOYMENTS = tuple(str(d) for d in Deployment)


@dataclass(frozen=True)
class Query:
    """What a searcher asks for. Empty values mean "any"."""

    q: str = ""
    type: str | None = None
    category: int | None = None
    csap: str | None = None  # 상 | 중 | 하 | none
    size: str | None = None  # the supplier's size: sme | middle | large
    deployment: str | None = None
    region: str | None = None  # a region its data centre location names (`catalog.regions`)
    price_min: int | None = None  # the main plan's price, won without VAT
    price_max: int | None = None
    contract: bool | None = None  # has an active catalog contract
    sort: str = "relevance"
    page: int = 1
    per_page: int = PER_PAGE

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> Query:
        """A query from request parameters; every wrong value is named in one ValidationFailed."""
        errors: dict[str, Text] = {}
        values: dict = {}

        def text(name: str) -> str:
            return (params.get(name) or "").strip()

        def number(name: str, low: int, high: int | None = None) -> int | None:
            raw = text(name)
            if not raw:
                return None
            try:
                value = int(raw)
            except ValueError:
                errors[name] = N_("Enter a whole number.")
                return None
            if value < low or (high is not None and value > high):
                errors[name] = (
                    N_("Enter a number from %(low)s to %(high)s.", low=low, high=high)
                    if high is not None
                    else N_("Enter a number of at least %(low)s.", low=low)
                )
                return None
            return value

        def choice(name: str, allowed) -> str | None:
            raw = text(name)
            if raw and raw not in allowed:
                errors[name] = N_("Choose one of: %(choices)s.", choices=", ".join(allowed))
                return None
            return raw or None

        values["q"] = text("q")
        if len(values["q"]) > MAX_QUERY:
            errors["q"] = N_("Use at most %(count)s characters.", count=MAX_QUERY)
        values["type"] = choice("type", _TYPES)
        values["category"] = number("category", 1)
        values["csap"] = choice("csap", _CSAP)
        values["size"] = choice("size", _SIZES)
        values["deployment"] = choice("deployment", _DEPLOYMENTS)
        values["region"] = choice("region", regions.CODES)
        values["price_min"] = number("price_min", 0)
        values["price_max"] = number("price_max", 0)
        contract = choice("contract", ("true", "false"))
        values["contract"] = None if contract is None else contract == "true"
        values["sort"] = choice("sort", SORTS) or ("relevance" if values["q"] else "newest")
        values["page"] = number("page", 1, 10_000) or 1
        values["per_page"] = number("per_page", 1, MAX_PER_PAGE) or PER_PAGE
        low, high = values["price_min"], values["price_max"]
        if low is not None and high is not None and low > high:
            errors["price_max"] = N_("The highest price must not be below the lowest price.")
        if errors:
            raise ValidationFailed(N_("Check the search conditions."), fields=errors)
        return cls(**values)

    def filters(self) -> dict:
        """The filters chosen (`FILTERS`, empty ones left out), by name."""
        return {name: getattr(self, name) for name in FILTERS if getattr(self, name) is not None}

    def without(self, *names: str) -> Query:
        """The same query with some filters cleared (and back on the first page)."""
        return replace(self, page=1, **{name: None for name in names})


@dataclass(frozen=True)
class Found:
    service: Listed  # as the page and the API show it (`rows.py`)
    entry: Entry
    score: float | None
    snippet: Snippet | None


@dataclass(frozen=True)
class ConditionsOnly:
    """The conditions read from a query's words, searched without its other words: the way out when those
    words find nothing under the conditions (중소기업 IaaS 폐쇄망 → 중소기업 IaaS, 9 services)."""

    q: str  # the query of the conditions alone: their phrases as written
    words: str  # the words it leaves out
    total: int  # how many services it finds


@dataclass(frozen=True)
class Results:
    query: Query
    total: int
    items: list[Found]
    facets: dict[str, list[tuple[object, int]]]  # facet -> [(value, count)], most first
    did_you_mean: str | None = None  # the query with its misspelt words corrected (search.index.Ranking)
    understood: tuple[understanding.Constraint, ...] = ()  # constraints taken from the words as filters
    without: tuple[int, ...] = ()  # for each of `understood`, the total the query gives without it
    conditions_only: ConditionsOnly | None = None  # with `understood` and other words: the conditions alone
    sort: str = "newest"  # the order the results are in (newest when no words are left to rank)
    sorts: tuple[str, ...] = SORTS[1:]  # the orders this query can be put in: relevance only with words to rank
    # how many of the results hold every word ranked (or are what the query names): 0 with results says that
    # only services holding some of the words are left (1인당 월 1만원 이하 화상회의: no video meeting costs
    # that little); None without words to rank
    total_every_word: int | None = None
    words: str = ""  # the words ranked: the query without the phrases read as conditions
    missing: tuple[str, ...] = ()  # words of the query no service holds (even corrected): searched without them

    @property
    def only_some_words(self) -> bool:
        """Results, but none holding every word under the conditions (read or chosen): the page says so
        and offers each condition's removal."""
        return self.total > 0 and self.total_every_word == 0 and self.filtered

    @property
    def found_as_asked(self) -> int:
        """How many services hold what was asked: none when a word is held nowhere, those holding every word
        when the conditions leave only services holding some (the demand radar counts these)."""
        if self.missing:
            return 0
        return self.total_every_word if self.only_some_words else self.total

    @property
    def filtered(self) -> bool:
        return bool(self.understood or self.query.filters())

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))


def _filters(query: Query, columns: Columns) -> dict[str, np.ndarray]:
    """The chosen filters, by facet name, as masks over the catalog's positions."""
    chosen: dict[str, np.ndarray] = {}
    if query.type:
        chosen["type"] = columns.facet_is("type", query.type)
    if query.category:
        chosen["category"] = columns.facet_is("category", query.category)
    if query.csap:
        chosen["csap"] = columns.facet_is("csap", query.csap)
    if query.size:
        chosen["size"] = columns.facet_is("size", query.size)
    if query.deployment:
        chosen["deployment"] = columns.facet_is("deployment", query.deployment)
    if query.region:
        chosen["region"] = columns.facet_is("region", query.region)
    if query.price_min is not None or query.price_max is not None:
        chosen["price"] = columns.priced(query.price_min or 0, query.price_max)
    if query.contract is not None:
        chosen["contract"] = columns.facet_is("contract", query.contract)
    return chosen


def _passing(mask: np.ndarray, chosen: dict[str, np.ndarray], but: str | None = None) -> np.ndarray:
    """The services of ``mask`` that every chosen filter (but the one named ``but``) lets through."""
    out = mask.copy()
    for name, filtered in chosen.items():
        if name != but:
            out &= filtered
    return out


def _facets(
    columns: Columns, candidates: np.ndarray, chosen: dict[str, np.ndarray], passing: np.ndarray
) -> dict[str, list]:
    """Each facet's counts among the candidates passing every chosen filter but the facet's own: those
    ``passing`` every filter for a facet with none chosen."""
    return {
        name: columns.counts(name, _passing(candidates, chosen, but=name) if name in chosen else passing)
        for name in SEARCH_FACETS
    }


def _understood_as_corrected(session: Session, query: Query, ranking, understood: tuple, known: Facts):
    """The query, its ranking and its constraints once the constraints of the words as corrected are read
    too: a misspelt constraint (상 등굽 for 상 등급, 중소기엽) filters as if written right."""
    found = understanding.understand(ranking.corrected)
    fresh = tuple(
        replace(c, phrase=understanding.as_written(c.phrase, ranking.corrected, query.q))
        for c in found.constraints
        if getattr(query, c.field) is None
    )
    if not fresh:
        return query, ranking, understood
    sort = query.sort if found.text or query.sort != "relevance" else "newest"
    query = replace(query, q=found.text, sort=sort, **{c.field: c.value for c in fresh})
    return query, relevance(session, found.text, known) if found.text else None, understood + fresh


@dataclass(frozen=True)
class _Whole:
    """What a query finds before it is cut into pages, the same for each of its pages at one revision of the
    catalog: its results without items, the positions passing every filter in the order shown, their
    scores (None: not ranked) and the words to mark in snippets."""

    results: Results
    matched: np.ndarray
    scores: np.ndarray | None
    words: frozenset[str]

    @property
    def nbytes(self) -> int:
        return self.matched.nbytes + (self.scores.nbytes if self.scores is not None else 0)


def find(session: Session, query: Query) -> Results:
    """One page of published services for a query, with the total and the facet counts. Constraints
    written as words (`understanding`: 중소기업, CSAP 상 등급, IaaS, 1만원 이하) filter as the facets do, unless
    the searcher chose that facet; the results name them (`Results.understood`).

    The query's ranking, filters and counts are kept for its other pages at this revision of the catalog
    (`Facts.whole`): a buyer turning to page 2, or a client following ``next_cursor`` through every page,
    has only that page's services read. Searches of one process take turns (`turns`)."""
    with turns.turn(session):
        return _page(session, query)


def keep_every_row(session: Session) -> int:
    """What searches read of each published service, read for all of them at once when they fit in the
    facts (`Facts.keep_every_row`): a served worker's warm-up. Returns how many services were read."""
    with turns.turn(session):
        return facts(session).keep_every_row(session, listed)


def _page(session: Session, query: Query) -> Results:
    """`find`, in its turn."""
    known: Facts = facts(session)
    first = replace(query, page=1)
    whole = known.whole((search_settings.current(), first), lambda: _whole(session, first, known))
    start = (query.page - 1) * query.per_page
    page = whole.matched[start : start + query.per_page]
    scores = whole.scores[start : start + len(page)] if whole.scores is not None else None
    entries = [known.columns.entries[p] for p in page]
    services = known.listed(session, [e.id for e in entries], listed)
    items = []
    for k, entry in enumerate(entries):
        service = services.get(entry.id)
        if service is None:  # the facts are ahead of this (older) snapshot, which does not see it yet
            continue
        found = snippet(service.summary, service.description, whole.words) if whole.words else None
        items.append(Found(service, entry, float(scores[k]) if scores is not None else None, found))
    return replace(whole.results, query=query, items=items)


def _whole(session: Session, query: Query, known: Facts) -> _Whole:
    """Everything `find` gives but the page of services (`_Whole`)."""
    asked, understood = query, ()
    if query.q and search_settings.current().understanding:
        found = understanding.understand(query.q)
        if found.constraints:
            understood = tuple(c for c in found.constraints if getattr(query, c.field) is None)
            chosen = {c.field: c.value for c in understood}
            sort = query.sort if found.text or query.sort != "relevance" else "newest"
            query = replace(query, q=found.text, sort=sort, **chosen)
    columns = known.columns
    ranking = relevance(session, query.q, known) if query.q else None
    corrected = ranking.corrected if ranking is not None else None
    ranked = query.q  # the words `corrected` corrects
    if corrected and search_settings.current().understanding:
        query, ranking, understood = _understood_as_corrected(session, query, ranking, understood, known)
    candidates = columns.mask(ranking.order if ranking is not None else None)
    chosen = _filters(query, columns)
    passing = _passing(candidates, chosen)
    facet_counts = _facets(columns, candidates, chosen, passing)
    every_word = None
    if ranking is not None and ranking.complete is not None:
        every_word = int(np.count_nonzero(passing[ranking.complete]))
    without = tuple(_total_without(query, constraint, candidates, columns) for constraint in understood)
    alone = _conditions_only(query, understood, chosen, columns) if understood and query.q else None
    scores = None
    if ranking is not None and (query.sort == "relevance" or not query.sort):
        keep = passing[ranking.order]
        matched, scores = ranking.order[keep], ranking.scores[keep]
    else:
        order = columns.order(query.sort if query.sort in SORT_KEYS else "newest")
        matched = order[passing[order]]
        if ranking is not None:  # sorted otherwise, each still with its relevance
            every = np.zeros(columns.size)
            every[ranking.order] = ranking.scores
            scores = every[matched]
    if corrected and understood:
        phrases = tuple(c.phrase for c in understood)
        corrected = understanding.corrected_in_full(asked.q, ranked, corrected, phrases)
    results = Results(
        asked,
        len(matched),
        [],
        facet_counts,
        did_you_mean=corrected,
        understood=understood,
        without=without,
        conditions_only=alone,
        sort=query.sort if ranking is not None or query.sort != "relevance" else "newest",
        sorts=SORTS if ranking is not None else SORTS[1:],
        total_every_word=every_word,
        words=query.q,
        missing=ranking.missing if ranking is not None else (),
    )
    return _Whole(results, matched, scores, ranking.words if ranking is not None else frozenset())


def _total_without(query: Query, constraint: understanding.Constraint, candidates, columns: Columns) -> int:
    """How many services the query finds with one constraint read from its words left out (the chip's ×):
    on a page with none or few results, the way out names what each condition costs."""
    return int(np.count_nonzero(_passing(candidates, _filters(replace(query, **{constraint.field: None}), columns))))


def _conditions_only(
    query: Query, understood: tuple, chosen: dict[str, np.ndarray], columns: Columns
) -> ConditionsOnly:
    """The services every filter finds (those read from the words and those chosen) whatever the words left
    to rank: what searching the conditions' phrases alone would find."""
    passing = _passing(columns.mask(None), chosen)
    phrases = " ".join(constraint.phrase for constraint in understood)
    return ConditionsOnly(phrases, query.q, int(np.count_nonzero(passing)))
