"""JSON route comparing 2 to 4 published services under /api/v1 (public)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from ..accounts.access import api_access, database
from ..accounts.permissions import PUBLIC
from ..accounts.schemas import ErrorOut
from ..core.clock import today_kst
from ..core.i18n import current_locale
from . import queries, search_log
from .compare import compare
from .compare_facts import MAX_SERVICES, check_count, chosen_codes, facts_of
from .compare_schemas import ComparisonOut

router = APIRouter(tags=["catalog"], responses={s: {"model": ErrorOut} for s in (404, 422)})


@router.get(
    "/services/compare",
    response_model=ComparisonOut,
    summary="Compare 2 to 4 published services",
    description=(
        "Facts and prices side by side. Prices exclude VAT and are brought to a canonical unit where the "
        "conversion is exact (1 TB = 1,024 GB, per year ÷ 12, per minute × 60); each price row gives every "
        "service's cheapest plan in that unit and marks the lowest; a price per GB is compared only with the "
        "same resource (memory, storage, data transfer). Text facts differ only when their normalised text "
        "does (dashes, spaces, full-width forms, case). Repeated codes count once; fewer than 2 or "
        "more than 4 is a 422 on `codes`, an unknown code a 404."
    ),
)
def compare_services(
    request: Request,
    codes: list[str] = Query(
        default=[],
        description=f"2 to {MAX_SERVICES} service codes, e.g. SAS-2026-00001: the parameter repeated, or the codes "
        "apart by commas",
    ),
    actor=Depends(api_access(PUBLIC)),
):
    chosen = chosen_codes(codes)
    check_count(len(chosen))
    with database(request).reading() as session:
        services = [facts_of(service) for service in queries.public_services_by_code(session, chosen)]
    search_log.log_comparison(database(request), actor, "api", chosen)  # a signed-in buyer's only
    return ComparisonOut.of(compare(services, today_kst()), current_locale.get())
