"""The demand radar's JSON route under /api/v1: what was searched for and not found in a month
(search/misses.py), for the operator, the administrators and suppliers."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from ..accounts.access import api_access, database
from ..accounts.schemas import ErrorOut
from ..core.clock import today_kst
from . import misses
from .schemas import DemandOut, DemandRadarOut

router = APIRouter(tags=["catalog"], responses={s: {"model": ErrorOut} for s in (401, 403, 422)})


@router.get("/demand-radar", response_model=DemandRadarOut, summary="What buyers searched for and did not find")
def demand_radar(
    request: Request,
    month: str | None = Query(None, description="YYYY-MM in Korean time; this month when left out"),
    _=Depends(api_access(misses.READERS)),
):
    """The searches of a month that found no service or at most `few`, by query text, most asked first:
    how often (signed in or not; nobody's identity is kept), the last result count and suggestion, the
    phrases read as filters. A month not written as YYYY-MM is a 422 naming the field `month`."""
    shown = misses.parse_month(month, today_kst())
    with database(request).reading() as session:
        items = misses.radar(session, shown)
        known = misses.months(session)
    return DemandRadarOut(
        month=shown,
        months=known,
        few=misses.FEW,
        items=[
            DemandOut(
                query=item.query,
                count=item.count,
                signed_in=item.signed_in,
                anonymous=item.anonymous,
                result_count=item.result_count,
                did_you_mean=item.did_you_mean,
                understood=list(item.understood),
                filters=[dict(chosen) for chosen in item.filters],
                first_at=item.first_at,
                last_at=item.last_at,
            )
            for item in items
        ],
    )
