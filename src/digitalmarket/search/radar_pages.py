"""The demand radar's page (`/demand-radar`, 검색 수요 레이더): what was searched for and not found in a month
(search/misses.py), for the operator, the administrators and suppliers."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select

from ..accounts.access import database, page_access
from ..catalog.tables import Category
from ..core import i18n
from ..core.clock import today_kst
from ..core.errors import ValidationFailed
from ..core.formatting import won
from ..core.forms import form_errors
from ..core.i18n import N_, render
from ..core.templating import csrf_protect
from ..core.templating import render as render_page
from . import finder, listing, misses

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


@dataclass(frozen=True)
class Row:
    """One line of the radar as the page shows it."""

    demand: misses.Demand
    search_url: str  # the same search today
    filters: list[str]  # each choice of filters made with these words, as labels ("" for none)
    suggestion_url: str | None


@router.get("/demand-radar")
def demand_radar(request: Request, actor=Depends(page_access(misses.READERS))):
    """A month's searches that found nothing or little, most asked first, and the months to choose from."""
    given = request.query_params.get("month")
    today = today_kst()
    errors: dict[str, str] = {}
    try:
        month = misses.parse_month(given, today)
    except ValidationFailed as error:
        errors, month = form_errors(error), misses.month_of(today)
    locale = i18n.current_locale.get()
    with database(request).reading() as session:
        items = misses.radar(session, month)
        known = misses.months(session)
        categories = {c.id: c for c in session.scalars(select(Category))} if items else {}
    context = {
        "month": month,
        "months": sorted({*known, misses.month_of(today), month}, reverse=True),
        "rows": [_row(item, categories, locale) for item in items],
        "few": misses.FEW,
        "errors": errors,
        "values": {"month": given if errors else month},
    }
    return render_page(request, "demand_radar.html", context, actor=actor, status_code=422 if errors else 200)


def _row(item: misses.Demand, categories: dict, locale: str) -> Row:
    asked = finder.Query(q=item.query, **(item.filters[0] if len(item.filters) == 1 else {}))
    suggestion = listing.url(finder.Query(q=item.did_you_mean)) if item.did_you_mean else None
    return Row(item, listing.url(asked), [_filters(chosen, categories, locale) for chosen in item.filters], suggestion)


def _filters(chosen: dict, categories: dict, locale: str) -> str:
    """One choice of filters in words: "서비스 유형: SaaS, 공급기업 규모: 중소기업"."""
    parts = []
    for name, value in chosen.items():
        if name in ("price_min", "price_max"):
            continue
        parts.append(f"{render(listing.FACET_TITLES[name], locale)}: {listing.label(name, value, categories, locale)}")
    low, high = chosen.get("price_min"), chosen.get("price_max")
    if low is not None or high is not None:
        if high is None:
            price = N_("%(low)s won or more", low=won(low))
        elif not low:
            price = N_("Main plan up to %(amount)s won", amount=won(high))
        else:
            price = N_("%(low)s to %(high)s won", low=won(low), high=won(high))
        parts.append(render(price, locale))
    return ", ".join(parts)
