"""HTML routes of search: the list of published services (`/services`: search box, facets, sort, one page
of results, a form to compare them) and the search box's suggestions. Each service's own page is the
catalog's (`catalog/pages.py`); what a result shows of a service comes from the catalog's views."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Depends, Request

from ..accounts.access import database, page_access
from ..accounts.permissions import PUBLIC
from ..catalog import search_log, views
from ..core import i18n
from ..core.errors import DomainError
from ..core.forms import form_errors
from ..core.templating import csrf_protect, render
from . import cards, finder, listing, misses
from .suggest import suggest

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


@router.get("/services")
def services(request: Request, background: BackgroundTasks, actor=Depends(page_access(PUBLIC))):
    """The catalog: search box, facets, sort, one page of results, and a form to compare results. A search
    that found little is kept for the demand radar after the page is sent (`misses`)."""
    params = dict(request.query_params)
    errors: dict = {}
    try:
        query = finder.Query.parse(params)
    except DomainError as error:
        errors = form_errors(error)
        query = finder.Query(q=(params.get("q") or "").strip()[: finder.MAX_QUERY])
    with database(request).reading() as session:
        results = finder.find(session, query)
        categories = listing.categories(session)
        locale = i18n.current_locale.get()
        facets = listing.options(results, categories, locale)
        context = {
            **views.labels(),
            "results": results,
            "cards": cards.cards(results.items, locale),
            "query": query,
            "chips": listing.chips(results, locale),
            "facet_titles": listing.FACET_TITLES,
            "sort_labels": listing.SORT_LABELS,
            "url": listing.url,
            "facet_links": listing.facet_links(query, facets, locale),
            "facet_url": listing.facet_url,
            "filter_names": finder.FILTERS,  # kept by a new search in the box, cleared all at once
            "page_numbers": listing.pages(query, results.pages),
            "errors": errors,
            "chosen_filters": [(name, option) for name, values in facets.items() for option in values if option.chosen],
        }
        codes = [found.service.code for found in results.items]
        search_log.log_found(database(request), actor, "page", query, results.total, codes)  # a buyer's only
        found = None if errors else misses.of_results(results)
        if found is not None:  # a search that found enough leaves no work after the page
            background.add_task(misses.record, database(request), found, actor is not None)
        return render(request, "search_services.html", context, actor=actor, status_code=422 if errors else 200)


@router.get("/services/suggestions")
def suggestions(request: Request, q: str = "", actor=Depends(page_access(PUBLIC))):
    """Options of the search box's datalist, as the searcher types (an HTML fragment for htmx)."""
    with database(request).reading() as session:
        found = suggest(session, q[:200])
    return render(request, "search_suggestions.html", {"suggestions": found}, actor=actor)
