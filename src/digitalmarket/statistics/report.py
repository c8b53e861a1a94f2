"""The statistics as tables: what the page draws and lists, the API returns and the exports write.

`build(session, year, locale)` asks `queries` for the figures and lays them out as `Table`s whose texts
are already in the reader's language, so the page, the JSON and the CSV/XLSX files carry the same
numbers (amounts in won with VAT, durations in days with one decimal, shares in percent with one
decimal).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from ..accounts.rules import AGENCY_KIND_LABELS, SIZE_LABELS, AgencyKind, SupplierSize
from ..catalog.rules import TYPE_LABELS, ServiceType
from ..core.i18n import N_, Text
from ..selection.rules import STATE_LABELS, State
from . import queries, rules
from .queries import Tally

UNKNOWN = N_("Not given")


@dataclass(frozen=True)
class Column:
    key: str
    label: Text
    kind: str = "text"  # text | count | won | days | percent


@dataclass(frozen=True)
class Chart:
    """How the page draws a table: bars (or a doughnut) of ``series`` over the ``labels`` column. Every
    series of one chart is the same measure (one axis): a count and an amount are two charts."""

    kind: str  # bar | hbar | doughnut
    labels: str
    series: tuple[str, ...]
    title: Text | None = None


@dataclass
class Table:
    key: str
    title: Text
    columns: tuple[Column, ...]
    rows: list[dict]
    charts: tuple[Chart, ...] = ()
    note: Text | None = None

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def drawable_charts(self) -> list[tuple[int, Chart]]:
        """The charts with something to draw (not every value zero or missing), with their numbers."""
        return [
            (index, chart)
            for index, chart in enumerate(self.charts)
            if any(row.get(key) for row in self.rows for key in chart.series)
        ]


@dataclass
class Report:
    year: int | None
    years: list[int]
    counts: queries.Counts
    sme_contract_share: float
    sme_amount_share: float
    tables: list[Table] = field(default_factory=list)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


# --- columns ----------------------------------------------------------------------------------------------------

CONTRACTS = Column("contracts", N_("Contracts"), "count")
AMOUNT = Column("amount", N_("Amount (KRW, with VAT)"), "won")
SPREAD_COLUMNS = (
    Column("count", N_("Cases"), "count"),
    Column("p25", N_("25th percentile (days)"), "days"),
    Column("median", N_("Median (days)"), "days"),
    Column("p75", N_("75th percentile (days)"), "days"),
)
BARS_AND_AMOUNT = (
    Chart("bar", "label", ("contracts",), N_("By number of contracts")),
    Chart("bar", "label", ("amount",), N_("By amount")),
)


def _months_between(first: str, last: str) -> list[str]:
    year, month = (int(p) for p in first.split("-"))
    found = []
    while f"{year:04d}-{month:02d}" <= last:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def _by_month(tallies: list[Tally]) -> Table:
    known = {t.key: t for t in tallies}
    months = _months_between(tallies[0].key, tallies[-1].key) if tallies else []
    rows = [
        {
            "month": m,
            "label": m,
            "contracts": known[m].contracts if m in known else 0,
            "amount": known[m].amount if m in known else 0,
        }
        for m in months
    ]
    return Table(
        "contracts_by_month",
        N_("Contracts and amounts by month"),
        (Column("month", N_("Month")), CONTRACTS, AMOUNT),
        rows,
        (
            Chart("bar", "month", ("contracts",), N_("By number of contracts")),
            Chart("bar", "month", ("amount",), N_("By amount")),
        ),
        N_("Months in Korean time of the day both sides confirmed the contract."),
    )


def _grouped(tallies: list[Tally], order: list[str], labels: dict, locale: str) -> list[dict]:
    """One row per known key in order (zeros included), then any other key found (e.g. not given)."""
    known = {t.key: t for t in tallies}
    keys = list(order) + [t.key for t in tallies if t.key not in order]
    rows = []
    for key in keys:
        tally = known.get(key)
        label = labels.get(key) if key is not None else None
        rows.append(
            {
                "code": key or "",
                "label": (label or (UNKNOWN if key is None else Text(key))).render(locale),
                "contracts": tally.contracts if tally else 0,
                "amount": tally.amount if tally else 0,
            }
        )
    return rows


def _spread_row(spread: rules.Spread | None) -> dict:
    if spread is None:
        return {"count": 0, "p25": None, "median": None, "p75": None}
    s = spread.rounded()
    return {"count": s.count, "p25": s.p25, "median": s.median, "p75": s.p75}


def build(session: Session, year: int | None, locale: str) -> Report:
    counts = queries.counts(session, year)
    sizes = queries.by_supplier_size(session, year)
    sme = next((t for t in sizes if t.key == SupplierSize.SME), Tally(SupplierSize.SME, 0, 0))
    report = Report(
        year=year,
        years=queries.years(session),
        counts=counts,
        sme_contract_share=rules.share(sme.contracts, counts.contracts),
        sme_amount_share=rules.share(sme.amount, counts.amount),
    )

    overview = [
        ("services", N_("Published services")),
        ("suppliers", N_("Suppliers with a published service")),
        ("agencies", N_("Agencies with a contract")),
        ("contracts", N_("Contracts")),
        ("amount", N_("Contract amount (KRW, with VAT)")),
    ]
    report.tables.append(
        Table(
            "overview",
            N_("At a glance"),
            (Column("indicator", N_("Code")), Column("label", N_("Figure")), Column("value", N_("Value"), "count")),
            [{"indicator": k, "label": t.render(locale), "value": getattr(counts, k)} for k, t in overview],
            note=N_("Services and suppliers are counted as the catalog stands today; the rest in the period."),
        )
    )
    report.tables.append(_by_month(queries.by_month(session, year)))

    code = Column("code", N_("Code"))
    report.tables.append(
        Table(
            "contracts_by_type",
            N_("Contracts by service type"),
            (code, Column("label", N_("Service type")), CONTRACTS, AMOUNT),
            _grouped(queries.by_service_type(session, year), list(ServiceType), TYPE_LABELS, locale),
            BARS_AND_AMOUNT,
        )
    )
    report.tables.append(
        Table(
            "contracts_by_agency_kind",
            N_("Contracts by kind of agency"),
            (code, Column("label", N_("Kind of agency")), CONTRACTS, AMOUNT),
            _grouped(queries.by_agency_kind(session, year), list(AgencyKind), AGENCY_KIND_LABELS, locale),
            BARS_AND_AMOUNT,
        )
    )

    size_rows = _grouped(sizes, [SupplierSize.SME, SupplierSize.MIDDLE, SupplierSize.LARGE], SIZE_LABELS, locale)
    for row in size_rows:
        row["contract_share"] = rules.share(row["contracts"], counts.contracts)
        row["amount_share"] = rules.share(row["amount"], counts.amount)
    report.tables.append(
        Table(
            "contracts_by_supplier_size",
            N_("Share of small and medium enterprises"),
            (
                code,
                Column("label", N_("Size of the supplier")),
                CONTRACTS,
                Column("contract_share", N_("Share of contracts (%)"), "percent"),
                AMOUNT,
                Column("amount_share", N_("Share of the amount (%)"), "percent"),
            ),
            size_rows,
            (
                Chart("doughnut", "label", ("contracts",), N_("By number of contracts")),
                Chart("doughnut", "label", ("amount",), N_("By amount")),
            ),
        )
    )

    report.tables.append(
        Table(
            "top_categories",
            N_("Top categories"),
            (
                Column("rank", N_("Rank"), "count"),
                Column("label", N_("Category")),
                Column("type", N_("Service type")),
                CONTRACTS,
                AMOUNT,
            ),
            [
                {
                    "rank": index,
                    "label": c.name_en if locale == "en" else c.name_ko,
                    "type": TYPE_LABELS[ServiceType(c.type)].render(locale),
                    "contracts": c.contracts,
                    "amount": c.amount,
                }
                for index, c in enumerate(queries.top_categories(session, year), start=1)
            ],
            (Chart("hbar", "label", ("contracts",)),),
            N_("The ten categories with the most contracts, then the largest amount."),
        )
    )

    lead_times = [
        (
            "application_to_selection",
            N_("From application to selection"),
            queries.application_to_selection(session, year),
        ),
        (
            "quote_request_to_contract",
            N_("From quote request to contract"),
            queries.quote_request_to_contract(session, year),
        ),
    ]
    report.tables.append(
        Table(
            "lead_times",
            N_("How long it takes"),
            (Column("code", N_("Code")), Column("label", N_("Measure")), *SPREAD_COLUMNS),
            [{"code": k, "label": t.render(locale), **_spread_row(s)} for k, t, s in lead_times],
            (Chart("hbar", "label", ("p25", "median", "p75")),),
            N_(
                "From the first submission of an application to the committee's selection (selections of the "
                "period), and from an agency's quote request to the contract of the order awarded from it "
                "(contracts of the period). Half of the cases took less than the median; the middle half "
                "took between the 25th and 75th percentiles."
            ),
        )
    )

    steps = queries.selection_steps(session, year)
    report.tables.append(
        Table(
            "selection_steps",
            N_("Days spent in each selection step"),
            (Column("code", N_("Code")), Column("label", N_("Step")), *SPREAD_COLUMNS),
            [
                {"code": str(state), "label": STATE_LABELS[state].render(locale), **_spread_row(steps[state])}
                for state in State
                if state in steps
            ],
            (Chart("hbar", "label", ("median",)),),
            N_(
                "Each step of an application's review timeline, from the day it began to the next step: steps "
                "begun in the period and already over."
            ),
        )
    )
    return report


# --- shapes for the API and the exports ----------------------------------------------------------------------------


def table_json(table: Table, locale: str) -> dict:
    return {
        "key": table.key,
        "title": table.title.render(locale),
        "note": table.note.render(locale) if table.note else None,
        "columns": [{"key": c.key, "label": c.label.render(locale), "kind": c.kind} for c in table.columns],
        "rows": table.rows,
    }


def report_json(report: Report, locale: str) -> dict:
    return {
        "year": report.year,
        "years": report.years,
        "sme_share": {"contracts": report.sme_contract_share, "amount": report.sme_amount_share},
        "tables": [table_json(t, locale) for t in report.tables],
    }


def chart_json(report: Report, locale: str) -> dict:
    """What the page's script draws: per chart, its labels and series (numbers only)."""
    charts = {}
    for table in report.tables:
        for index, chart in enumerate(table.charts):
            charts[f"{table.key}-{index}"] = {
                "kind": chart.kind,
                "labels": [str(row[chart.labels]) for row in table.rows],
                "series": [
                    {
                        "label": table.column(key).label.render(locale),
                        "kind": table.column(key).kind,
                        "values": [row[key] for row in table.rows],
                    }
                    for key in chart.series
                ],
            }
    return charts
