"""Open data files: the catalog, the contracts and the statistics tables as CSV and XLSX.

- CSV is UTF-8 with a byte order mark (so that Excel reads Korean correctly), comma-separated, one header
  row; numbers are plain (no thousands separators), a missing value is an empty cell. The catalog and
  the contracts are streamed: rows are read from the database in batches and written as they come.
- XLSX (openpyxl, write-only) has one sheet per dataset, or one per statistics table; numbers are
  numbers.
- Every text is written as text: one that a spreadsheet would take for a formula (``=``, ``+``, ``-``, ``@``,
  a tab or a carriage return first) gets a leading ``'`` (``core.cells``), since names come from suppliers.
- Headers (and labels such as a service type) are Korean by default and English with ``locale="en"``.
- The statistics CSV holds every table one after the other: a row with the table's title, its header
  row, its rows and an empty row.

Only public fields are written: published services, and of contracts the order code, agency, supplier,
service, method, amount, dates and state (open data, see DOMAIN.md); never a person.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from ..accounts.rules import SIZE_LABELS, SupplierSize
from ..accounts.tables import Organisation
from ..catalog.rules import BILLING_LABELS, TYPE_LABELS, Billing, ServiceType
from ..catalog.tables import Category, Service
from ..contracting.money import catalog_price
from ..contracting.states import METHOD_LABELS, ORDER_STATE_LABELS, OrderState
from ..contracting.tables import Order
from ..core.cells import neutralised
from ..core.clock import KST
from ..core.database import Database
from ..core.i18n import N_, Text
from . import queries
from .report import Report, Table

if TYPE_CHECKING:  # openpyxl is imported when a workbook is written, not at every start
    from openpyxl import Workbook

BATCH = 500
BOM = "\ufeff"
DATASETS = ("catalog", "contracts", "statistics")
FORMATS = ("csv", "xlsx")
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Field:
    key: str
    label: Text


CATALOG_FIELDS = (
    Field("code", N_("Service code")),
    Field("name", N_("Service name")),
    Field("type", N_("Service type")),
    Field("category", N_("Category")),
    Field("supplier", N_("Supplier")),
    Field("business_number", N_("Business registration number")),
    Field("supplier_size", N_("Size of the supplier")),
    Field("csap_grade", N_("CSAP grade")),
    Field("csap_valid_until", N_("CSAP valid until")),
    Field("sla_availability", N_("SLA availability (%)")),
    Field("main_price", N_("Main plan's price (KRW, without VAT)")),
    Field("main_price_unit", N_("Unit and billing of the main plan")),
    Field("selected_on", N_("Selected on")),
)
CONTRACT_FIELDS = (
    Field("code", N_("Contract no.")),
    Field("agency", N_("Agency")),
    Field("supplier", N_("Supplier")),
    Field("service_code", N_("Service code")),
    Field("service", N_("Service name")),
    Field("method", N_("Method")),
    Field("change_seq", N_("Change no.")),
    Field("amount", N_("Amount (KRW, with VAT)")),
    Field("contracted_on", N_("Contract date")),
    Field("start_date", N_("Start date")),
    Field("end_date", N_("End date")),
    Field("state", N_("State")),
)


def _day(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(KST).date().isoformat()
    return value.isoformat() if isinstance(value, date) else str(value)


# --- rows -------------------------------------------------------------------------------------------------------


def catalog_rows(session: Session, locale: str) -> Iterator[list]:
    """Published services, by code: the catalog's public facts and the price of the main plan (대표 요금제,
    chosen by the supplier, never an add-on; without VAT) with its unit and billing."""
    query = (
        select(Service).where(Service.status == "published").order_by(Service.code).execution_options(yield_per=BATCH)
    )
    for service in session.scalars(query):
        main = service.main_plan
        supplier: Organisation = service.supplier
        category: Category = service.category
        size = SIZE_LABELS.get(SupplierSize(supplier.size)) if supplier.size else None
        yield [
            service.code,
            service.name,
            TYPE_LABELS[ServiceType(service.type)].render(locale),
            category.label(locale),
            supplier.name,
            supplier.business_number,
            size.render(locale) if size else None,
            service.csap_grade,
            _day(service.csap_valid_until),
            float(service.sla_availability),
            catalog_price(main.unit_price, main.vat_included) if main else None,
            f"{main.unit} ({BILLING_LABELS[Billing(main.billing)].render(locale)})" if main else None,
            _day(service.selected_on),
        ]


def contract_rows(session: Session, locale: str, year: int | None = None) -> Iterator[list]:
    """Contracts (see `queries.contracts`) by contract date, with the amount of the version in force."""
    c = queries.contracts(session, year)
    agency, supplier = aliased(Organisation), aliased(Organisation)
    query = (
        select(
            Order.code,
            agency.name,
            supplier.name,
            Service.code,
            Service.name,
            Order.method,
            Order.change_seq,
            c.c.amount,
            c.c.contracted_at,
            Order.start_date,
            Order.end_date,
            Order.status,
        )
        .select_from(c)
        .join(Order, Order.id == c.c.order_id)
        .join(agency, agency.id == c.c.agency_id)
        .join(supplier, supplier.id == c.c.supplier_id)
        .join(Service, Service.id == c.c.service_id)
        .order_by(c.c.contracted_at, Order.code)
        .execution_options(yield_per=BATCH)
    )
    for row in session.execute(query):
        (code, agency_name, supplier_name, service_code, service_name, method, seq, amount, at, start, end, state) = row
        yield [
            code,
            agency_name,
            supplier_name,
            service_code,
            service_name,
            METHOD_LABELS[method].render(locale),
            seq,
            int(amount),
            _day(at),
            _day(start),
            _day(end),
            ORDER_STATE_LABELS[OrderState(state)].render(locale),
        ]


def _cell(value):
    return "" if value is None else neutralised(value)


def table_lines(table: Table, locale: str) -> Iterator[list]:
    """A statistics table as lines: its header then its rows, in column order."""
    yield [c.label.render(locale) for c in table.columns]
    for row in table.rows:
        yield [row.get(c.key) for c in table.columns]


# --- CSV ------------------------------------------------------------------------------------------------------------


def _csv_chunks(lines: Iterable[list], bom: bool = True) -> Iterator[str]:
    """CSV text in chunks of about ``BATCH`` lines, the first starting with the byte order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if bom:
        buffer.write(BOM)
    for count, line in enumerate(lines, start=1):
        writer.writerow([_cell(v) for v in line])
        if count % BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.getvalue():
        yield buffer.getvalue()


def stream_csv(db: Database, dataset: str, locale: str, year: int | None = None) -> Iterator[bytes]:
    """The catalog or the contracts as CSV, read in batches inside one read transaction while the
    response is sent."""
    fields = CATALOG_FIELDS if dataset == "catalog" else CONTRACT_FIELDS
    header = [f.label.render(locale) for f in fields]
    with db.reading() as session:
        rows = catalog_rows(session, locale) if dataset == "catalog" else contract_rows(session, locale, year)
        for chunk in _csv_chunks(_prepend(header, rows)):
            yield chunk.encode("utf-8")


def _prepend(first: list, rest: Iterable[list]) -> Iterator[list]:
    yield first
    yield from rest


def statistics_csv(report: Report, locale: str) -> bytes:
    def lines():
        for index, table in enumerate(report.tables):
            if index:
                yield []
            yield [table.title.render(locale)]
            yield from table_lines(table, locale)

    return "".join(_csv_chunks(lines())).encode("utf-8")


# --- XLSX -----------------------------------------------------------------------------------------------------------


def _sheet_title(title: str, taken: set[str]) -> str:
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip()[:31] or "Sheet"
    name, n = clean, 2
    while name in taken:
        suffix = f" ({n})"
        name, n = clean[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def _write_sheet(book: Workbook, title: str, taken: set[str], lines: Iterable[list], widths: list[int]) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    sheet = book.create_sheet(_sheet_title(title, taken))
    for index, width in enumerate(widths):
        sheet.column_dimensions[_column_letter(index)].width = width
    bold = Font(bold=True)
    for number, line in enumerate(lines):
        if number == 0:
            cells = []
            for value in line:
                cell = WriteOnlyCell(sheet, value=neutralised(value))
                cell.font = bold
                cells.append(cell)
            sheet.append(cells)
        else:
            sheet.append([None if v == "" else neutralised(v) for v in line])


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _book_bytes(fill: Callable[[Workbook, set[str]], None]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    fill(book, set())
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def dataset_xlsx(db: Database, dataset: str, locale: str, year: int | None = None) -> bytes:
    fields = CATALOG_FIELDS if dataset == "catalog" else CONTRACT_FIELDS
    title = (N_("Catalog") if dataset == "catalog" else N_("Contracts")).render(locale)
    header = [f.label.render(locale) for f in fields]

    def fill(book: Workbook, taken: set[str]) -> None:
        with db.reading() as session:
            rows = catalog_rows(session, locale) if dataset == "catalog" else contract_rows(session, locale, year)
            _write_sheet(book, title, taken, _prepend(header, rows), [max(12, len(h) * 2) for h in header])

    return _book_bytes(fill)


def statistics_xlsx(report: Report, locale: str) -> bytes:
    def fill(book: Workbook, taken: set[str]) -> None:
        for table in report.tables:
            widths = [24 if c.kind == "text" else 18 for c in table.columns]
            _write_sheet(book, table.title.render(locale), taken, table_lines(table, locale), widths)

    return _book_bytes(fill)


def filename(dataset: str, fmt: str, year: int | None, today: date) -> str:
    period = str(year) if year is not None else today.isoformat()
    return f"digitalmarket-{dataset}-{period}.{fmt}"
