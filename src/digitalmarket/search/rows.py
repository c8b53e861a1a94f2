"""The services of one page of results, read as plain rows: what the API's items, the search page's results
and their snippets show, and nothing else.

A page reads about twenty services for every search. Read as mapped objects (with their supplier and
category joined), building the objects cost as much again as the read itself; these rows are read with one
joined statement into small frozen records, which the page and the API read as they read a `Service`
(``row.name``, ``row.supplier.name``, ``row.category.label(locale)``). Nothing here is written back.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from ..accounts.tables import Organisation
from ..catalog.tables import Category, Service


@dataclass(frozen=True, slots=True)
class SupplierName:
    """The supplier of a listed service, as a result names it."""

    name: str
    size: str | None


@dataclass(frozen=True, slots=True)
class CategoryName:
    """The category of a listed service, in both languages."""

    name_ko: str
    name_en: str

    def label(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_ko


@dataclass(frozen=True, slots=True)
class Listed:
    """A published service as one result shows it (the columns of `catalog.tables.Service` of the same names)."""

    id: int
    code: str
    ref: str | None
    name: str
    type: str
    category_id: int
    supplier_id: int
    summary: str
    description: str
    deployment: str
    data_centre_location: str | None
    sla_availability: Decimal
    csap_grade: str | None
    csap_valid_until: date | None
    published_at: datetime
    supplier: SupplierName
    category: CategoryName


#: The service's own columns, named as `Listed`'s fields (its supplier and category are joined).
_COLUMNS = tuple(getattr(Service, f.name) for f in fields(Listed) if f.name not in ("supplier", "category"))
_PAGE = (
    select(*_COLUMNS, Organisation.name, Organisation.size, Category.name_ko, Category.name_en)
    .join(Organisation, Organisation.id == Service.supplier_id)
    .join(Category, Category.id == Service.category_id)
    .where(Service.id.in_(bindparam("ids", expanding=True)))
)
_OWN = len(_COLUMNS)


def listed(session: Session, ids: list[int]) -> dict[int, Listed]:
    """The services of these ids, by id (those that exist in the session's snapshot)."""
    if not ids:
        return {}
    found = {}
    for row in session.execute(_PAGE, {"ids": ids}):
        own = row[:_OWN]
        supplier_name, size, name_ko, name_en = row[_OWN:]
        found[own[0]] = Listed(*own, SupplierName(supplier_name, size), CategoryName(name_ko, name_en))
    return found
