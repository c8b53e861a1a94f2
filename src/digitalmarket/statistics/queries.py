"""The figures of the public statistics, computed in SQL (SQLAlchemy core) on SQLite and PostgreSQL.

A *contract* is an order in the contracted, active, completed or terminated state; its *amount* is the
total with VAT (합계) of the order version in force (변경차수 = the order's ``change_seq``); its *date* is
``contracted_at``, counted in Korean months and years. A year filter keeps the contracts signed in that
year (KST), the selections decided in it, and the selection steps begun in it.

Durations are in days (fractional). Their quartiles come from ``percentile_cont`` on PostgreSQL; SQLite has
no such aggregate, so the durations are fetched sorted by SQL and read by `rules.spread`, which
interpolates the same way. Both ways go through `spreads`, the one place that computes them.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Float, Integer, Select, and_, cast, distinct, extract, func, literal, select, union
from sqlalchemy.orm import Session

from ..accounts.tables import Organisation
from ..catalog.tables import Category, Service
from ..contracting.tables import Order, OrderVersion, Quote, QuoteRequest
from ..core.clock import KST
from ..selection.tables import ApplicationEvent
from . import rules
from .rules import Spread

SECONDS_PER_DAY = 86400.0


# --- dates in Korea, durations, on both databases --------------------------------------------------------------


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def kst_month(session: Session, column):
    """``YYYY-MM`` of an instant in Korean time."""
    if _is_postgres(session):
        return func.to_char(func.timezone("Asia/Seoul", column), "YYYY-MM")
    return func.strftime("%Y-%m", column, "+9 hours")


def kst_year(session: Session, column):
    """The year of an instant in Korean time, as an integer."""
    if _is_postgres(session):
        return cast(func.to_char(func.timezone("Asia/Seoul", column), "YYYY"), Integer)
    return cast(func.strftime("%Y", column, "+9 hours"), Integer)


def days_between(session: Session, start, end):
    """``end - start`` in days, with the fraction of a day."""
    if _is_postgres(session):
        return cast(extract("epoch", end - start), Float) / SECONDS_PER_DAY
    return func.julianday(end) - func.julianday(start)


def year_start(year: int) -> datetime:
    return datetime(year, 1, 1, tzinfo=KST)


def in_year(column, year: int | None):
    """``column`` falls in the Korean calendar year (always true without a year)."""
    if year is None:
        return literal(True)
    return and_(column >= year_start(year), column < year_start(year + 1))


def spreads(session: Session, durations, key: str | None = None) -> dict[Hashable, Spread]:
    """The quartiles of ``durations.c.days`` per ``durations.c[key]`` (one group ``None`` without a key).

    PostgreSQL computes them with ``percentile_cont``; on SQLite the durations come sorted from SQL and
    `rules.spread` reads them, with the same interpolation.
    """
    days = durations.c.days
    group = durations.c[key] if key else literal(None)
    if _is_postgres(session):
        query = (
            select(
                group,
                func.count(),
                func.percentile_cont(0.25).within_group(days),
                func.percentile_cont(0.5).within_group(days),
                func.percentile_cont(0.75).within_group(days),
            )
            .select_from(durations)
            .group_by(group)
        )
        return {
            row[0]: Spread(int(row[1]), float(row[2]), float(row[3]), float(row[4])) for row in session.execute(query)
        }
    found: dict[Hashable, list[float]] = {}
    query = select(group, days).select_from(durations).order_by(group, days)
    for value, duration in session.execute(query):
        found.setdefault(value, []).append(float(duration))
    return {value: rules.spread(values) for value, values in found.items()}


# --- contracts ------------------------------------------------------------------------------------------------


def contracts(session: Session, year: int | None):
    """One row per contract: ids, the Korean month, and the amount of the version in force."""
    return (
        select(
            Order.id.label("order_id"),
            Order.agency_id,
            Order.supplier_id,
            Order.service_id,
            Order.contracted_at,
            kst_month(session, Order.contracted_at).label("month"),
            OrderVersion.total.label("amount"),
        )
        .join(OrderVersion, and_(OrderVersion.order_id == Order.id, OrderVersion.seq == Order.change_seq))
        .where(
            Order.status.in_(rules.CONTRACT_STATES),
            Order.contracted_at.is_not(None),
            in_year(Order.contracted_at, year),
        )
        .subquery("contracts")
    )


@dataclass(frozen=True)
class Tally:
    """Contracts and their amount (KRW, with VAT) of one group."""

    key: str | None
    contracts: int
    amount: int


def _tally(session: Session, query: Select) -> list[Tally]:
    return [Tally(row[0], int(row[1]), int(row[2] or 0)) for row in session.execute(query)]


def _counted(c):
    return func.count(c.c.order_id), func.coalesce(func.sum(c.c.amount), 0)


def by_month(session: Session, year: int | None) -> list[Tally]:
    c = contracts(session, year)
    return _tally(session, select(c.c.month, *_counted(c)).group_by(c.c.month).order_by(c.c.month))


def by_service_type(session: Session, year: int | None) -> list[Tally]:
    c = contracts(session, year)
    query = select(Service.type, *_counted(c)).join(Service, Service.id == c.c.service_id).group_by(Service.type)
    return _tally(session, query)


def by_agency_kind(session: Session, year: int | None) -> list[Tally]:
    c = contracts(session, year)
    kind = Organisation.agency_kind
    query = select(kind, *_counted(c)).join(Organisation, Organisation.id == c.c.agency_id).group_by(kind)
    return _tally(session, query)


def by_supplier_size(session: Session, year: int | None) -> list[Tally]:
    c = contracts(session, year)
    size = Organisation.size
    query = select(size, *_counted(c)).join(Organisation, Organisation.id == c.c.supplier_id).group_by(size)
    return _tally(session, query)


@dataclass(frozen=True)
class CategoryTally:
    category_id: int
    name_ko: str
    name_en: str
    type: str
    contracts: int
    amount: int


def top_categories(session: Session, year: int | None, limit: int = 10) -> list[CategoryTally]:
    """The categories with the most contracts (then the largest amount), at most ``limit``."""
    c = contracts(session, year)
    count, amount = _counted(c)
    query = (
        select(Category.id, Category.name_ko, Category.name_en, Category.type, count, amount)
        .select_from(c)
        .join(Service, Service.id == c.c.service_id)
        .join(Category, Category.id == Service.category_id)
        .group_by(Category.id, Category.name_ko, Category.name_en, Category.type)
        .order_by(count.desc(), amount.desc(), Category.position, Category.id)
        .limit(limit)
    )
    return [CategoryTally(r[0], r[1], r[2], r[3], int(r[4]), int(r[5] or 0)) for r in session.execute(query)]


# --- counts ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    services: int  # published in the catalog now
    suppliers: int  # with at least one published service now
    agencies: int  # with a contract in the period
    contracts: int
    amount: int


def counts(session: Session, year: int | None) -> Counts:
    c = contracts(session, year)
    published = Service.status == "published"
    services = session.scalar(select(func.count(Service.id)).where(published))
    suppliers = session.scalar(select(func.count(distinct(Service.supplier_id))).where(published))
    row = session.execute(
        select(func.count(c.c.order_id), func.coalesce(func.sum(c.c.amount), 0), func.count(distinct(c.c.agency_id)))
    ).one()
    return Counts(int(services), int(suppliers), int(row[2]), int(row[0]), int(row[1] or 0))


# --- how long things take ----------------------------------------------------------------------------------------


def application_to_selection(session: Session, year: int | None) -> Spread | None:
    """From an application's first submission to the committee's selection, for selections decided in
    the year."""
    submitted = (
        select(ApplicationEvent.application_id, func.min(ApplicationEvent.occurred_at).label("at"))
        .where(ApplicationEvent.action == "submit")
        .group_by(ApplicationEvent.application_id)
        .subquery("submitted")
    )
    selected = ApplicationEvent
    durations = (
        select(days_between(session, submitted.c.at, selected.occurred_at).label("days"))
        .join(submitted, submitted.c.application_id == selected.application_id)
        .where(selected.action == "select", in_year(selected.occurred_at, year))
        .subquery("durations")
    )
    return spreads(session, durations).get(None)


def quote_request_to_contract(session: Session, year: int | None) -> Spread | None:
    """From the quote request to the contract (both sides confirmed) of the order awarded from it, for
    contracts of the year."""
    c = contracts(session, year)
    durations = (
        select(days_between(session, QuoteRequest.created_at, c.c.contracted_at).label("days"))
        .select_from(c)
        .join(Order, Order.id == c.c.order_id)
        .join(Quote, Quote.id == Order.quote_id)
        .join(QuoteRequest, QuoteRequest.id == Quote.request_id)
        .subquery("durations")
    )
    return spreads(session, durations).get(None)


def selection_steps(session: Session, year: int | None) -> dict[str, Spread]:
    """Days spent in each state of an application from its submission on (the steps of its visible review
    timeline; drafting is the supplier's own time), per state, for steps begun in the year and already
    left. A step runs from the event that entered the state to the
    next event that changed the state (events that keep the state, such as a move to another committee
    round, do not end it)."""
    changes = (
        select(
            ApplicationEvent.application_id,
            ApplicationEvent.to_state.label("state"),
            ApplicationEvent.occurred_at.label("entered"),
            func.lead(ApplicationEvent.occurred_at)
            .over(
                partition_by=ApplicationEvent.application_id,
                order_by=(ApplicationEvent.occurred_at, ApplicationEvent.id),
            )
            .label("left"),
        )
        .where(
            ApplicationEvent.to_state != "draft",
            (ApplicationEvent.from_state.is_(None)) | (ApplicationEvent.from_state != ApplicationEvent.to_state),
        )
        .subquery("changes")
    )
    durations = (
        select(changes.c.state, days_between(session, changes.c.entered, changes.c.left).label("days"))
        .where(changes.c.left.is_not(None), in_year(changes.c.entered, year))
        .subquery("durations")
    )
    return spreads(session, durations, "state")


# --- the years there is something to show for ------------------------------------------------------------------


def years(session: Session) -> list[int]:
    """Years (KST) with a contract or a step of an application, newest first."""
    contract_years = select(kst_year(session, Order.contracted_at).label("year")).where(
        Order.status.in_(rules.CONTRACT_STATES), Order.contracted_at.is_not(None)
    )
    step_years = select(kst_year(session, ApplicationEvent.occurred_at).label("year")).where(
        ApplicationEvent.action != "create"
    )
    both = union(contract_years, step_years).subquery("years")
    return [int(y) for y in session.scalars(select(both.c.year).order_by(both.c.year.desc())) if y is not None]
