"""Public JSON routes of the statistics, and the open data exports, under /api/v1.

Exports: ``GET /api/v1/exports/{catalog|contracts|statistics}.{csv|xlsx}``. Headers and labels are in
Korean unless ``?lang=en`` (or, without ``lang``, an ``Accept-Language`` preferring English) asks for
English; ``?year=`` keeps the contracts (and the statistics) of a year.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel

from ..accounts.access import api_access, database
from ..accounts.permissions import PUBLIC
from ..accounts.schemas import ErrorOut
from ..core import i18n
from ..core.clock import today_kst
from . import exports, report, rules

router = APIRouter(tags=["statistics and open data"], responses={422: {"model": ErrorOut}})

YEAR_HELP = "A year (KST) such as 2026; all years when left out"
#: The years the rules accept, declared in the schema; the rules check them and say so in the reader's words.
YEAR_RANGE = {"minimum": rules.FIRST_YEAR, "maximum": rules.LAST_YEAR}


class ColumnOut(BaseModel):
    key: str
    label: str
    kind: str  # text, count, won, days or percent


class TableOut(BaseModel):
    key: str
    title: str
    note: str | None
    columns: list[ColumnOut]
    rows: list[dict[str, str | int | float | None]]


class ShareOut(BaseModel):
    contracts: float
    amount: float


class StatisticsOut(BaseModel):
    year: int | None
    years: list[int]
    sme_share: ShareOut
    tables: list[TableOut]


@router.get(
    "/statistics",
    response_model=StatisticsOut,
    summary="Public statistics: contracts and amounts, SME share, top categories, lead times, counts",
)
def statistics(
    request: Request,
    year: int | None = Query(None, json_schema_extra=YEAR_RANGE, description=YEAR_HELP),
    _=Depends(api_access(PUBLIC)),
):
    chosen = rules.parse_year(None if year is None else str(year))
    locale = i18n.current_locale.get()
    with database(request).reading() as session:
        return report.report_json(report.build(session, chosen, locale), locale)


@router.get(
    "/exports/{dataset}.{fmt}",
    summary="Open data files: the catalog, the contracts or the statistics tables, as CSV or XLSX",
    response_class=Response,
    responses={
        200: {
            "content": {exports.CSV_MEDIA_TYPE: {}, exports.XLSX_MEDIA_TYPE: {}},
            "description": "CSV (UTF-8 with BOM) or XLSX",
        }
    },
)
def export(
    request: Request,
    dataset: Literal["catalog", "contracts", "statistics"],
    fmt: Literal["csv", "xlsx"],
    year: int | None = Query(None, json_schema_extra=YEAR_RANGE, description=YEAR_HELP + " (not used for the catalog)"),
    lang: Literal["ko", "en"] | None = Query(None, description="Language of headers and labels; else Accept-Language"),
    _=Depends(api_access(PUBLIC)),
):
    chosen = rules.parse_year(None if year is None else str(year))
    locale = lang or i18n.current_locale.get()
    db = database(request)
    name = exports.filename(dataset, fmt, chosen if dataset != "catalog" else None, today_kst())
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "X-Content-Type-Options": "nosniff"}
    if dataset == "statistics":
        with db.reading() as session:
            built = report.build(session, chosen, locale)
        if fmt == "csv":
            return Response(exports.statistics_csv(built, locale), media_type=exports.CSV_MEDIA_TYPE, headers=headers)
        return Response(exports.statistics_xlsx(built, locale), media_type=exports.XLSX_MEDIA_TYPE, headers=headers)
    if fmt == "csv":
        body = exports.stream_csv(db, dataset, locale, chosen)
        return StreamingResponse(body, media_type=exports.CSV_MEDIA_TYPE, headers=headers)
    return Response(
        exports.dataset_xlsx(db, dataset, locale, chosen), media_type=exports.XLSX_MEDIA_TYPE, headers=headers
    )
