"""The public statistics page: charts drawn by a static script from a JSON block, the same numbers in a
table under each chart (the page is complete without JavaScript), a year filter and open data downloads."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Request

from ..accounts.access import database, page_access
from ..accounts.permissions import PUBLIC, Actor
from ..core import i18n
from ..core.errors import ValidationFailed
from ..core.formatting import won
from ..core.forms import form_errors
from ..core.templating import csrf_protect, render
from . import exports, report, rules

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


def cell(value, kind: str) -> str:
    """A table cell as the page shows it: won and counts with separators, days and shares with one
    decimal, a dash for nothing."""
    if value is None or value == "":
        return "-"
    if kind in ("count", "won"):
        return won(value)
    if kind in ("days", "percent"):
        return f"{float(value):,.1f}"
    return str(value)


def short_won(amount: int, locale: str) -> str:
    """A large amount in words for the figures at a glance: 175.5억 원, or KRW 17.5 billion in English."""
    if locale == "en":
        for size, word in ((10**12, "trillion"), (10**9, "billion"), (10**6, "million")):
            if amount >= size:
                return f"KRW {amount / size:,.1f} {word}"
        return f"KRW {amount:,}"
    for size, word in ((10**12, "조"), (10**8, "억"), (10**4, "만")):
        if amount >= size:
            return f"{amount / size:,.1f}{word} 원"
    return f"{amount:,}원"


def _script_json(data) -> str:
    """JSON safe inside a <script type="application/json"> element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@router.get("/statistics")
def statistics_page(request: Request, actor: Actor | None = Depends(page_access(PUBLIC))):
    locale = i18n.current_locale.get()
    given = request.query_params.get("year")
    errors: dict[str, str] = {}
    try:
        year = rules.parse_year(given)
    except ValidationFailed as error:
        errors, year = form_errors(error), None
    with database(request).reading() as session:
        built = report.build(session, year, locale)
    query = f"year={year}&" if year is not None else ""
    downloads = [
        (dataset, fmt, f"/api/v1/exports/{dataset}.{fmt}?{query if dataset != 'catalog' else ''}lang={locale}")
        for dataset in exports.DATASETS
        for fmt in exports.FORMATS
    ]
    context = {
        "report": built,
        "year": year,
        "values": {"year": given or ""},
        "errors": errors,
        "year_options": [("", i18n.gettext("All years"))]
        + [(str(y), str(y)) for y in sorted({*built.years, *([year] if year else [])}, reverse=True)],
        "chart_data": _script_json(report.chart_json(built, locale)),
        "cell": cell,
        "won": won,
        "short_won": lambda amount: short_won(amount, locale),
        "overview": {row["indicator"]: row for row in built.table("overview").rows},
        "downloads": downloads,
    }
    return render(request, "stats_page.html", context, actor=actor, status_code=422 if errors else 200)
