"""Finding services: one query (words, filters, sort, page) in, one page of results with facets out.

The API (`GET /api/v1/services`), the catalog page and `digitalmarket search` all call `find`, so they
show the same ranking. Relevance comes from `search.relevance`; filters, facet counts and the other
sorts work on the catalog's facts (`facts.py`). Facet counts are disjunctive: the counts of one facet
apply every chosen filter except that facet's own, so a searcher sees what choosing another value
would give.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from operator import attrgetter, itemgetter

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.rules import SupplierSize
from ..core.errors import ValidationFailed
from ..core.i18n import N_, Text
from .facts import FACETS, NO_CSAP, Entry, Facts, facts
from .rules import CSAP_GRADES, Deployment, ServiceType
from .search import relevance
from .snippets import Snippet, snippet
from .tables import Service

SORTS = ("relevance", "newest", "price", "rating", "contracts")
PER_PAGE, MAX_PER_PAGE, MAX_QUERY = 20, 100, 200


@dataclass(frozen=True)
class Query:
    """What a searcher asks for. Empty values mean "any"."""

    q: str = ""
    type: str | None = None
    category: int | None = None
    csap: str | None = None  # 상 | 중 | 하 | none
    size: str | None = None  # the supplier's size: sme | middle | large
    deployment: str | None = None
    price_min: int | None = None  # the lowest plan price, won without VAT
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
        values["type"] = choice("type", [str(t) for t in ServiceType])
        values["category"] = number("category", 1)
        values["csap"] = choice("csap", [*CSAP_GRADES, NO_CSAP])
        values["size"] = choice("size", [str(s) for s in SupplierSize])
        values["deployment"] = choice("deployment", [str(d) for d in Deployment])
        values["price_min"] = number("price_min", 0)
        values["price_max"] = number("price_max", 0)
        contract = choice("contract", ["true", "false"])
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

    def without(self, *names: str) -> Query:
        """The same query with some filters cleared (and back on the first page)."""
        return replace(self, page=1, **{name: None for name in names})


@dataclass(frozen=True)
class Found:
    service: Service
    entry: Entry
    score: float | None
    snippet: Snippet | None


@dataclass(frozen=True)
class Results:
    query: Query
    total: int
    items: list[Found]
    facets: dict[str, list[tuple[object, int]]]  # facet -> [(value, count)], most first

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))


def _filters(query: Query) -> dict[str, Callable[[Entry], bool]]:
    """The chosen filters, by facet name."""
    chosen: dict[str, Callable[[Entry], bool]] = {}
    if query.type:
        chosen["type"] = lambda e: e.type == query.type
    if query.category:
        chosen["category"] = lambda e: e.category_id == query.category
    if query.csap:
        grade = "" if query.csap == NO_CSAP else query.csap
        chosen["csap"] = lambda e: e.csap == grade
    if query.size:
        chosen["size"] = lambda e: e.size == query.size
    if query.deployment:
        chosen["deployment"] = lambda e: e.deployment == query.deployment
    if query.price_min is not None or query.price_max is not None:
        low = query.price_min or 0
        high = query.price_max

        def priced(e: Entry) -> bool:
            return e.price is not None and e.price >= low and (high is None or e.price <= high)

        chosen["price"] = priced
    if query.contract is not None:
        chosen["contract"] = lambda e: e.has_contract == query.contract
    return chosen


def _facets(matched: list[Entry], chosen: dict[str, Callable[[Entry], bool]]) -> dict[str, list[tuple[object, int]]]:
    values = [entry.facets for entry in matched]
    passes = {name: [test(entry) for entry in matched] for name, test in chosen.items()}
    out: dict[str, list[tuple[object, int]]] = {}
    for position, name in enumerate(FACETS):
        others = [passes[other] for other in chosen if other != name]
        rows = values if not others else [v for v, *ok in zip(values, *others, strict=True) if all(ok)]
        counts = Counter(map(itemgetter(position), rows))
        counts.pop(None, None)
        out[name] = sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))
    return out


def _sort(entries: list[Entry], sort: str, scores: dict[int, float]) -> None:
    """Sort in place; ties always by code. Python's sort is stable, so the tie-break goes first."""
    entries.sort(key=attrgetter("code"))
    if sort == "relevance" and scores:
        entries.sort(key=lambda e: scores[e.id], reverse=True)
    elif sort == "price":
        entries.sort(key=lambda e: (e.price is None, e.price or 0))
    elif sort == "rating":
        entries.sort(key=lambda e: (e.rating is None, -(e.rating or 0), -e.contracts))
    elif sort == "contracts":
        entries.sort(key=attrgetter("contracts"), reverse=True)
    else:  # newest
        entries.sort(key=attrgetter("published_at"), reverse=True)


def find(session: Session, query: Query) -> Results:
    """One page of published services for a query, with the total and the facet counts."""
    known: Facts = facts(session)
    ranking = relevance(session, query.q, known) if query.q else None
    if ranking is not None:
        candidates = [known.entries[service_id] for service_id in ranking.scores]
        scores = ranking.scores
    else:
        candidates, scores = list(known.entries.values()), {}
    chosen = _filters(query)
    facet_counts = _facets(candidates, chosen)
    matched = [entry for entry in candidates if all(test(entry) for test in chosen.values())]
    _sort(matched, query.sort, scores)
    start = (query.page - 1) * query.per_page
    page = matched[start : start + query.per_page]
    services = {s.id: s for s in session.scalars(select(Service).where(Service.id.in_([e.id for e in page])))}
    items = []
    for entry in page:
        service = services[entry.id]
        found = snippet(service.summary, service.description, ranking.words) if ranking and ranking.words else None
        items.append(Found(service, entry, scores.get(entry.id), found))
    return Results(query=query, total=len(matched), items=items, facets=facet_counts)
