"""Zero results are data: the demand radar (검색 수요 레이더).

A search that found nothing, or at most `FEW` services, says what buyers look for and the catalog lacks.
After the search page (`pages.py`) or the search API (`api.py`) has made its answer, and only for words
asked (`q`) on the first page, `record` keeps it: one row per day in Korea, normalised query text and
chosen filters (`tables.SearchMiss`), whose count rises each time it is asked again, with the result
count, the corrected query the answer offered (이것을 찾으셨나요) and the phrases read as filters of the last
time. A search for a service's exact code or name that found it is a find, not a miss.

Nothing about the searcher is kept: no user, no organisation, no address, only whether they were signed
in. The row is written after the answer, in a short transaction of its own (the routes hand it to the
response's background tasks), so that searching never waits for it; a failure is logged, never shown.

`radar` reads one month back, grouped by query text and most asked first, for the operator, the
administrators and suppliers (`READERS`): the page `/demand-radar` and `GET /api/v1/demand-radar`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ..accounts.permissions import roles
from ..accounts.rules import Role
from ..core.clock import today_kst
from ..core.database import Database
from ..core.errors import ValidationFailed
from ..core.i18n import N_
from ..core.tables import utcnow
from .tables import MISS_QUERY_LENGTH, SearchMiss

log = logging.getLogger("digitalmarket.search.misses")

#: A search with at most this many services found is kept.
FEW = 2
#: The most query texts a month's radar lists.
MAX_ITEMS = 200
#: Who reads the radar: the operator, the administrators and suppliers (any of a company's users).
READERS = roles(Role.OPERATOR, Role.ADMIN, Role.SUPPLIER)
FILTERS_KEY_LENGTH = 400

_LATIN_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


def normalise(text: str) -> str:
    """A query text as kept: spaces collapsed, Latin letters lower-cased, at most 200 characters."""
    return " ".join(text.split()).translate(_LATIN_LOWER)[:MISS_QUERY_LENGTH].rstrip()


@dataclass(frozen=True)
class Miss:
    """What one answer that found little says: the words, the chosen filters, how many services, the
    corrected query it offered and the phrases it read as filters."""

    query: str
    filters: dict
    total: int
    did_you_mean: str | None = None
    understood: tuple[str, ...] = ()

    @property
    def filters_key(self) -> str:
        return filters_key(self.filters)


def filters_key(filters: Mapping) -> str:
    """The chosen filters as one text, the same for the same choice: ``csap=상&type=SaaS``."""
    pairs = (f"{name}={_wire(value)}" for name, value in sorted(filters.items()))
    return "&".join(pairs)[:FILTERS_KEY_LENGTH]


def _wire(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def miss(query, total: int, did_you_mean: str | None, phrases, named: tuple[str, str] | None) -> Miss | None:
    """The miss an answer stands for, or None when it is not one: no words, a later page, more than `FEW`
    services found, or the service the words name exactly (``named``: the first result's code and name)."""
    if not query.q or query.page != 1 or total > FEW:
        return None
    words = normalise(query.q)
    if not words or (named is not None and words in {normalise(named[0]), normalise(named[1])}):
        return None
    understood = tuple(dict.fromkeys(normalise(phrase) for phrase in phrases))
    return Miss(words, query.filters(), total, did_you_mean, understood)


def of_results(results) -> Miss | None:
    """The miss of a page of `finder.Results` (its ``query`` is the one asked): the search page's, and the
    search API's, kept with the answer's JSON so that a repeated question is counted without reading it.
    What counts is what was found as asked (`Results.found_as_asked`): a word no service holds, or conditions
    that leave only services holding some of the words, make a miss however many services are listed."""
    first = results.items[0].service if results.items else None
    named = (first.code, first.name) if first is not None else None
    phrases = [constraint.phrase for constraint in results.understood]
    return miss(results.query, results.found_as_asked, results.did_you_mean, phrases, named)


def record(db: Database, found: Miss | None, signed_in: bool, now: datetime | None = None) -> None:
    """Keep a miss in a transaction of its own (count + 1 when it was asked today already); a failure is
    logged, never raised: the searcher has the answer already."""
    if found is None:
        return
    try:
        with db.transaction() as session:
            _upsert(session, found, signed_in, now or utcnow())
    except Exception:  # noqa: BLE001 - the radar may lose one count; the search must not fail for it
        log.exception("A search that found little was not recorded")


def _upsert(session: Session, found: Miss, signed_in: bool, now: datetime) -> None:
    table = SearchMiss.__table__
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    row = insert(table).values(
        day=today_kst(now),
        query=found.query,
        filters_key=found.filters_key,
        filters=found.filters,
        count=1,
        signed_in=1 if signed_in else 0,
        anonymous=0 if signed_in else 1,
        first_at=now,
        last_at=now,
        result_count=found.total,
        did_you_mean=found.did_you_mean,
        understood=list(found.understood),
    )
    again = {
        "count": table.c.count + 1,
        "signed_in": table.c.signed_in + row.excluded.signed_in,
        "anonymous": table.c.anonymous + row.excluded.anonymous,
        "last_at": row.excluded.last_at,
        "result_count": row.excluded.result_count,
        "did_you_mean": row.excluded.did_you_mean,
        "understood": row.excluded.understood,
    }
    key = [table.c.day, table.c.query, table.c.filters_key]
    session.execute(row.on_conflict_do_update(index_elements=key, set_=again))


# Reading: the radar of a month.


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def parse_month(value: str | None, today: date) -> str:
    """The month asked for (YYYY-MM), this month in Korea when none is; anything else is a field error."""
    text = (value or "").strip()
    if not text:
        return month_of(today)
    if not _MONTH.fullmatch(text):
        raise ValidationFailed(N_("Check the month."), fields={"month": N_("Enter a month as YYYY-MM.")})
    return text


def _days(month: str) -> tuple[date, date]:
    """The first day of a month and the first day of the next."""
    year, number = int(month[:4]), int(month[5:])
    following = date(year + 1, 1, 1) if number == 12 else date(year, number + 1, 1)
    return date(year, number, 1), following


def months(session: Session) -> list[str]:
    """The months with misses, the latest first."""
    return sorted({month_of(day) for day in session.scalars(select(SearchMiss.day).distinct())}, reverse=True)


@dataclass(frozen=True)
class Demand:
    """One query text over a month: how often it was asked (signed in or not), its last answer's result
    count and suggestion, the phrases read as filters and each choice of filters made with it (an empty
    one when it was asked without)."""

    query: str
    count: int
    signed_in: int
    anonymous: int
    result_count: int
    did_you_mean: str | None
    understood: tuple[str, ...]
    filters: tuple[dict, ...]
    first_at: datetime
    last_at: datetime


def radar(session: Session, month: str) -> list[Demand]:
    """The month's misses by query text, most asked first (then the latest), at most `MAX_ITEMS`."""
    first, following = _days(month)
    in_month = (SearchMiss.day >= first, SearchMiss.day < following)
    asked = func.sum(SearchMiss.count)
    top = session.execute(
        select(SearchMiss.query)
        .where(*in_month)
        .group_by(SearchMiss.query)
        .order_by(asked.desc(), func.max(SearchMiss.last_at).desc(), SearchMiss.query)
        .limit(MAX_ITEMS)
    ).scalars()
    order = list(top)
    if not order:
        return []
    rows: dict[str, list[SearchMiss]] = {query: [] for query in order}
    found = select(SearchMiss).where(*in_month, SearchMiss.query.in_(order))
    for row in session.scalars(found.order_by(SearchMiss.last_at, SearchMiss.id)):
        rows[row.query].append(row)
    return [_demand(query, rows[query]) for query in order]


def _demand(query: str, rows: list[SearchMiss]) -> Demand:
    last = rows[-1]  # rows come oldest first
    filters = {row.filters_key: dict(row.filters) for row in rows}
    phrases = dict.fromkeys(phrase for row in rows for phrase in row.understood)
    return Demand(
        query=query,
        count=sum(row.count for row in rows),
        signed_in=sum(row.signed_in for row in rows),
        anonymous=sum(row.anonymous for row in rows),
        result_count=last.result_count,
        did_you_mean=last.did_you_mean,
        understood=tuple(phrases),
        filters=tuple(filters[key] for key in sorted(filters)),
        first_at=min(row.first_at for row in rows),
        last_at=last.last_at,
    )
