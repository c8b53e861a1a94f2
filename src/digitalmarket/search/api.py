"""JSON routes of search under /api/v1: published services found, filtered and sorted, and suggestions as
the user types. Each service by its code is the catalog's API (`catalog/api.py`)."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request, Response
from pydantic_core import to_json

from ..accounts.access import api_access, database
from ..accounts.permissions import PUBLIC
from ..accounts.schemas import ErrorOut
from ..catalog import search_log
from ..catalog.compare_prices import price_label
from ..core import i18n, paging, query_models
from ..core.errors import ValidationFailed
from . import finder, listing, misses, understanding
from .facts import facts
from .schemas import (
    SearchParams,
    ServiceListOut,
    SuggestionOut,
)
from .suggest import suggest
from .written import Written

# Tagged "catalog" like the rest of the services' API, so that its documentation keeps one section.
router = APIRouter(tags=["catalog"], responses={s: {"model": ErrorOut} for s in (401, 403, 404, 409, 422)})


@router.get(
    "/services",
    response_model=ServiceListOut,
    summary="Search and filter published services",
    openapi_extra=query_models.documented(SearchParams),
)
def services(
    request: Request,
    *,
    background: BackgroundTasks,
    actor=Depends(api_access(PUBLIC)),  # first: who may ask comes before what was asked
    asked: SearchParams = Depends(query_models.parsed(SearchParams)),
):
    """Ranked by relevance when `q` is given (newest first otherwise), filtered, one page at a time.
    Facet counts of each facet apply every other chosen filter, so they tell what choosing that value
    would give. Words that found at most two services are kept, without the caller, for the demand radar
    (`GET /api/v1/demand-radar`)."""
    params = {k: v for k, v in request.query_params.items() if k not in ("cursor", "limit")}
    if asked.limit is not None:
        params["per_page"] = str(asked.limit)
    if asked.cursor:
        after = paging.decode(asked.cursor)
        if len(after) != 1 or not isinstance(after[0], int) or not 1 <= after[0] <= 10_000:
            raise ValidationFailed(fields={"cursor": paging.BAD_CURSOR})
        params["page"] = str(after[0])
    query = finder.Query.parse(params)
    locale = i18n.current_locale.get()
    with database(request).reading() as session:
        # The same question at the same catalog revision gets the same answer: computed once.
        body, found = facts(session).answer(("api/services", locale, query), lambda: _listing(session, query, locale))
    search_log.log_api_page(database(request), actor, query, body)  # a signed-in buyer's search only
    # every ask counts, the cached answer too: kept for the demand radar after the answer is sent
    if found is not None:
        background.add_task(misses.record, database(request), found, actor is not None)
    return Response(body, media_type="application/json")


def _listing(session, query: finder.Query, locale: str) -> tuple[bytes, misses.Miss | None]:
    """The JSON of one page of the search API (`ServiceListOut`), and the miss it stands for (kept with it).
    The page is written from plain values of the right types, in the order of the model's fields, and
    turned into JSON by the serializer the model would use: no model is built for each result, and each
    result's JSON is written once per service as it stands (`_item`)."""
    results = finder.find(session, query)
    categories = listing.categories(session)
    head = {
        "total": results.total,
        "page": query.page,
        "per_page": query.per_page,
        "pages": results.pages,
        "next_cursor": paging.encode([query.page + 1]) if query.page < results.pages else None,
        "sort": results.sort,
    }
    tail = {
        "facets": listing.options(results, categories, locale),  # `Option`s: `FacetOptionOut`'s fields, in order
        "understood": [
            {
                "field": c.field,
                "value": c.value,
                "phrase": c.phrase,
                "without": understanding.without(query.q, c.phrase),
                "total_without": total,
            }
            for c, total in zip(results.understood, results.without, strict=True)
        ],
        "did_you_mean": results.did_you_mean,
        "conditions_only": results.conditions_only,  # a dataclass of `ConditionsOnlyOut`'s fields, in order
        "missing_words": list(results.missing),
        "total_every_word": results.total_every_word,
    }
    # the same bytes as one object of every field in this order: compact JSON joins its members with commas
    items = b"[" + b",".join(_item(found, locale) for found in results.items) + b"]"
    body = to_json(head)[:-1] + b',"items":' + items + b"," + to_json(tail)[1:]
    return body, misses.of_results(results)


#: Each result's JSON but its score and snippet, by service and language (`written.py`): written again when what
#: it shows may have changed.
_written: Written[bytes] = Written()


def _item(found: finder.Found, locale: str) -> bytes:
    """One result as the API lists it (`ServiceItemOut`'s fields, in order), as JSON."""
    kept = _written.get(
        (found.service.id, locale), (found.service, found.entry), lambda: to_json(_facts_of(found, locale))[:-1]
    )
    score = round(found.score, 6) if found.score is not None else None
    snippet = {"text": found.snippet.text, "marks": list(found.snippet.marks)} if found.snippet else None
    return kept + b',"score":' + to_json(score) + b',"snippet":' + to_json(snippet) + b"}"


def _facts_of(found: finder.Found, locale: str) -> dict:
    """A result's fields as the API lists them, but its score and snippet (which depend on the query)."""
    service, entry = found.service, found.entry
    supplier = service.supplier
    return {
        "id": service.id,
        "code": service.code,
        "ref": service.ref,
        "name": service.name,
        "type": service.type,
        "category_id": service.category_id,
        "category": service.category.label(locale),
        "supplier": supplier.name,
        "supplier_size": supplier.size,
        "summary": service.summary,
        "deployment": service.deployment,
        "data_centre_location": service.data_centre_location,
        "regions": list(entry.regions),
        "sla_availability": str(service.sla_availability),
        "csap_grade": service.csap_grade,
        "csap_valid_until": service.csap_valid_until,
        "main_price": {
            "amount": entry.price,
            "unit": entry.price_unit,
            "billing": entry.price_billing,
            "text": price_label(entry.price, entry.price_unit, entry.price_billing, locale),
        }
        if entry.price is not None
        else None,
        "contracts": entry.contracts,
        "rating": entry.rating,
        "has_catalog_contract": entry.has_contract,
        "published_at": service.published_at,
    }


@router.get("/services/suggestions", response_model=list[SuggestionOut], summary="Suggestions as the user types")
def suggestions(request: Request, q: str = Query("", max_length=200), _=Depends(api_access(PUBLIC))):
    """Published service names that start with (or, for 초성, whose initials start with) what was typed,
    then frequent index words completing its last word."""
    with database(request).reading() as session:
        return [SuggestionOut(text=s.text, kind=s.kind, code=s.code) for s in suggest(session, q)]
