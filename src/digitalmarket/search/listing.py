"""Results as people read them: facet values with labels and counts, in the reader's language.

Shared by the JSON API and the catalog page, so both name a facet value the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from ..accounts.rules import SIZE_LABELS
from ..catalog import queries as catalog
from ..catalog import regions
from ..catalog.rules import CSAP_GRADE_LABELS, DEPLOYMENT_LABELS, TYPE_LABELS
from ..catalog.tables import Category
from ..core import i18n
from ..core.formatting import won
from ..core.i18n import N_, render
from . import understanding
from .entries import NO_CSAP
from .facts import facts
from .finder import PER_PAGE, Query, Results

FACET_TITLES = {
    "type": N_("Type of service"),
    "category": N_("Category"),
    "csap": N_("CSAP grade"),
    "size": N_("Supplier size"),
    "deployment": N_("Deployment"),
    "region": N_("Data centre region"),
    "price": N_("Main plan price (without VAT)"),
    "contract": N_("Catalog contract"),
}
SORT_LABELS = {
    "relevance": N_("Best match"),
    "newest": N_("Newest"),
    "price": N_("Lowest price"),
    "rating": N_("Best rated"),
    "contracts": N_("Most contracts"),
}


def categories(session: Session) -> dict[int, Category]:
    """The categories by id, read once per catalog revision (they change only with a migration)."""
    return facts(session).answer(("categories",), lambda: {c.id: c for c in catalog.categories(session)})


@dataclass(frozen=True)
class Option:
    """One value of a facet: what to send back (``value``), what to show, how many, whether chosen."""

    value: str
    label: str
    count: int
    chosen: bool


def _price_label(value: str, locale: str) -> str:
    low, _, high = value.partition("-")
    if not high:
        return render(N_("%(low)s won or more", low=won(int(low))), locale)
    if int(low) == 0:
        return render(N_("Under %(high)s won", high=won(int(high) + 1)), locale)
    return render(N_("%(low)s to %(high)s won", low=won(int(low)), high=won(int(high) + 1)), locale)


def label(name: str, value, categories: dict[int, Category], locale: str) -> str:
    """The label of one facet value in a language."""
    if name == "category":
        category = categories.get(value)
        return category.label(locale) if category else str(value)
    return _label(name, value, locale)


@lru_cache(maxsize=1024)
def _label(name: str, value, locale: str) -> str:
    """The label of a value of a facet other than the category, made once per value and language: every
    search names each facet's values."""
    if name == "type":
        return render(TYPE_LABELS[value], locale)
    if name == "csap":
        if value == NO_CSAP:
            return render(N_("No CSAP certificate"), locale)
        return "CSAP " + render(CSAP_GRADE_LABELS.get(value, value), locale)
    if name == "size":
        return render(SIZE_LABELS[value], locale)
    if name == "deployment":
        return render(DEPLOYMENT_LABELS[value], locale)
    if name == "region":
        return regions.BY_CODE[value].label(locale) if value in regions.BY_CODE else str(value)
    if name == "price":
        return _price_label(value, locale)
    if name == "contract":
        return render(N_("In the shopping mall") if value else N_("No catalog contract yet"), locale)
    return str(value)


@dataclass(frozen=True)
class Chip:
    """A constraint read from the query's words (`understanding`), as the page shows it: its label and the
    search without it."""

    label: str
    phrase: str
    remove_url: str
    total_without: int  # the results without this condition


def chips(results: Results, locale: str) -> list[Chip]:
    out = []
    for constraint, total_without in zip(results.understood, results.without, strict=True):
        if constraint.field == "price_max":
            text = render(N_("Main plan up to %(amount)s won", amount=won(int(constraint.value))), locale)
        elif constraint.field == "region":
            text = render(N_("Data centre in %(region)s", region=label("region", constraint.value, {}, locale)), locale)
        else:
            text = label(constraint.field, constraint.value, {}, locale)
        remove = url(results.query, q=understanding.without(results.query.q, constraint.phrase))
        out.append(Chip(text, constraint.phrase, remove, total_without))
    return out


def _chosen(query: Query, name: str, value) -> bool:
    if name == "price":
        low, _, high = str(value).partition("-")
        return query.price_min == int(low) and query.price_max == (int(high) if high else None)
    return getattr(query, name) == value


def options(results: Results, categories: dict[int, Category], locale: str) -> dict[str, list[Option]]:
    """Every facet's options, most results first (prices in ascending bands)."""
    out: dict[str, list[Option]] = {}
    for name, counts in results.facets.items():
        if name == "price":
            counts = sorted(counts, key=lambda item: int(str(item[0]).partition("-")[0]))
        out[name] = [
            Option(_wire(value), label(name, value, categories, locale), count, _chosen(results.query, name, value))
            for value, count in counts
        ]
    return out


def _wire(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _values(query: Query) -> dict:
    """The values of a query as its catalog URL carries them (defaults left out as None), in URL order."""
    return {
        "q": query.q,
        "type": query.type,
        "category": query.category,
        "csap": query.csap,
        "size": query.size,
        "deployment": query.deployment,
        "region": query.region,
        "price_min": query.price_min,
        "price_max": query.price_max,
        "contract": None if query.contract is None else _wire(query.contract),
        "sort": query.sort if query.sort != ("relevance" if query.q else "newest") else None,
        "page": None,
        "per_page": query.per_page if query.per_page != PER_PAGE else None,
    }


@lru_cache(maxsize=4096)
def _parameter(key: str, value) -> str | None:
    """``key=value`` encoded for a URL, or None for an empty value (left out); remembered, since a page of
    results links some 40 facet values, mostly the same from one search to the next."""
    return None if value in (None, "") else urlencode([(key, str(value))])


@lru_cache(maxsize=256)
def _parameters(query: Query) -> dict[str, str | None]:
    """A query's URL parameters, encoded once: a page of results links its own query some 40 times (each
    facet value, each page number), each with one value changed."""
    return {key: _parameter(key, value) for key, value in _values(query).items()}


def url(query: Query, path: str = "/services", **changes) -> str:
    """The catalog URL of a query with some values changed (None clears one); back to page 1
    unless the page itself is changed."""
    parameters = _parameters(query)
    if changes:
        parameters = {**parameters, **{key: _parameter(key, value) for key, value in changes.items()}}
    joined = "&".join(filter(None, parameters.values()))
    return path + ("?" + joined if joined else "")


def facet_url(query: Query, name: str, option: Option) -> str:
    """The URL choosing a facet value, or clearing it when it is the chosen one."""
    if name == "price":
        low, _, high = option.value.partition("-")
        if option.chosen:
            return url(query, price_min=None, price_max=None)
        return url(query, price_min=low, price_max=high or None)
    return url(query, **{name: None if option.chosen else option.value})


def facet_links(query: Query, facets: dict[str, list], locale: str) -> list[tuple[str, bool, list[tuple]]]:
    """The facets as the page lists them, those with values: each with whether it shows open (the type, and any
    with a chosen value) and each of its `Option`s with the URL choosing it (clearing it when chosen) and its
    count as a screen reader says it. Built here, not in the template: a page links some 40 values, and a
    template's calls cost several times a function's."""
    return [
        (
            name,
            name == "type" or any(option.chosen for option in options),
            [(option, facet_url(query, name, option), services_count(option.count, locale)) for option in options],
        )
        for name, options in facets.items()
        if options
    ]


@lru_cache(maxsize=2048)
def services_count(count: int, locale: str) -> str:
    """A facet value's count as a screen reader says it: "12개 서비스", "1 service" (a page says some 40)."""
    return i18n.ngettext("%(count)s service", "%(count)s services", count, locale, count=count)


def pages(query: Query, total_pages: int, around: int = 2) -> list[int | None]:
    """Page numbers to link: the first, the last and a few around the current one (None: a gap)."""
    shown = sorted({1, total_pages, *range(max(1, query.page - around), min(total_pages, query.page + around) + 1)})
    out: list[int | None] = []
    for number in shown:
        if out and out[-1] is not None and number - out[-1] > 1:
            out.append(None)
        out.append(number)
    return out
