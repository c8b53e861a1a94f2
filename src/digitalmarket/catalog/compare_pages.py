"""The page comparing 2 to 4 published services side by side (/services/compare?codes=...&codes=...).

The search results carry a GET form with a ``codes`` checkbox per service; this page only reads the query
string. It is registered before the catalog's pages, so /services/compare is not taken for a service code.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request

from ..accounts.access import database, page_access
from ..accounts.permissions import PUBLIC
from ..core.clock import today_kst
from ..core.errors import ValidationFailed
from ..core.i18n import current_locale
from ..core.templating import csrf_protect, render
from . import queries, search_log
from .compare import compare
from .compare_facts import MAX_SERVICES, MIN_SERVICES, check_count, chosen_codes, facts_of, show
from .compare_prices import HOURS_PER_MONTH

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


def compare_url(codes: list[str]) -> str:
    return "/services/compare" + (f"?{urlencode([('codes', c) for c in codes])}" if codes else "")


@router.get("/services/compare")
def compare_services(request: Request, codes: list[str] = Query(default=[]), actor=Depends(page_access(PUBLIC))):
    chosen = chosen_codes(codes)
    context = {
        "codes": chosen,
        "min_services": MIN_SERVICES,
        "max_services": MAX_SERVICES,
        "hours_per_month": HOURS_PER_MONTH,
        "show": show,
        "locale": current_locale.get(),
        "comparison": None,
        "single": None,
        "problem": None,
    }
    if len(chosen) > MAX_SERVICES:
        try:
            check_count(len(chosen))
        except ValidationFailed as error:
            context |= {"problem": error.message.render(), "first_url": compare_url(chosen[:MAX_SERVICES])}
        return render(request, "catalog_compare.html", context, actor=actor, status_code=422)
    with database(request).reading() as session:
        services = queries.public_services_by_code(session, chosen)
        if len(services) < MIN_SERVICES:
            context["single"] = services[0] if services else None
            return render(request, "catalog_compare.html", context, actor=actor)
        comparison = compare([facts_of(s) for s in services], today_kst())
    search_log.log_comparison(database(request), actor, "page", chosen)  # a signed-in buyer's only
    columns = [
        {"service": s, "url": f"/services/{s.code}", "remove_url": compare_url([c for c in chosen if c != s.code])}
        for s in comparison.services
    ]
    context |= {"comparison": comparison, "columns": columns}
    return render(request, "catalog_compare.html", context, actor=actor)
