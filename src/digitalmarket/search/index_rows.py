"""A service's row of the search index as exact scoring reads it (`scoring._bm25`): its length in terms and
each field's terms padded for counting. The search facts keep the rows they read (`facts.Facts.index_rows`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from .tables import ServiceSearch


@dataclass(frozen=True, slots=True)
class IndexRow:
    """A service's row of the search index, as exact scoring reads it: its length in terms and each field's
    terms padded (two spaces between terms, one at each end), so that ``str.count`` of a padded phrase counts
    whole terms and phrases."""

    length: int
    fields: dict[str, str]

    def weighted_count(self, needle: str, names: tuple[str, ...], weights: tuple[float, ...]) -> float:
        """How often a padded phrase is written in the fields ``names``, each time counted with the weight
        of its field."""
        fields = self.fields
        return sum(w * fields[name].count(needle) for w, name in zip(weights, names, strict=True))


def _term_columns() -> list:
    """The columns of `tables.ServiceSearch` that hold terms (every field of the index)."""
    return [
        column for column in ServiceSearch.__table__.columns if column.name not in ("service_id", "chosung", "length")
    ]


def read_rows(session: Session, service_ids: list[int]) -> dict[int, IndexRow]:
    """The index rows of these services (those indexed), by id."""
    columns = _term_columns()
    query = select(ServiceSearch.service_id, ServiceSearch.length, *columns).where(
        ServiceSearch.service_id.in_(bindparam("ids", expanding=True))
    )
    names = [column.name for column in columns]
    return {
        service_id: IndexRow(
            length,
            {name: " " + (value or "").replace(" ", "  ") + " " for name, value in zip(names, values, strict=True)},
        )
        for service_id, length, *values in session.execute(query, {"ids": service_ids})
    }
