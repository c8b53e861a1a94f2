"""What waits for a person (할 일): the shape every stage answers in, and how items are grouped.

Each stage offers read functions (``<stage>/todo.py``) returning the `TodoItem`s waiting for an actor;
``web/todo.py`` lists, per role, which of them make the role's to-do list. An item names its kind, what it
is, where the person acts on it, since when it waits and, when the stage has a deadline for it, the due
date and the days it is overdue by the stage's own rule. Grouping keeps the order of the kinds as listed,
the oldest item first within a kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from .clock import KST
from .i18n import Text


@dataclass(frozen=True)
class TodoKind:
    """A kind of waiting item: a stable code (API), a label, and the list page where all of them are."""

    code: str
    label: Text
    href: str


@dataclass(frozen=True)
class TodoItem:
    kind: TodoKind
    title: str | Text  # a code and a name as the lists show them, or a message to translate
    href: str
    since: datetime  # when it started waiting (an instant, UTC)
    due: date | None = None  # the last day, when the stage sets one
    overdue_days: int = 0  # days past ``due`` by the stage's rule; 0 when in time


@dataclass(frozen=True)
class TodoGroup:
    kind: TodoKind
    items: tuple[TodoItem, ...]

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def overdue_count(self) -> int:
        return sum(1 for item in self.items if item.overdue_days > 0)


def days_late(due: date | None, today: date) -> int:
    """Days from ``due`` to ``today`` when ``due`` has passed (the due day itself is in time)."""
    return (today - due).days if due is not None and due < today else 0


def group(kinds: Sequence[TodoKind], items: Iterable[TodoItem]) -> list[TodoGroup]:
    """One group per kind, in the order of ``kinds`` (empty ones too), the oldest item first."""
    by_kind: dict[str, list[TodoItem]] = {kind.code: [] for kind in kinds}
    for item in items:
        by_kind.setdefault(item.kind.code, []).append(item)
    return [
        TodoGroup(kind, tuple(sorted(by_kind[kind.code], key=lambda i: (i.since, i.due or date.max, i.href))))
        for kind in kinds
    ]


def start_of(day: date) -> datetime:
    """The first instant of a day in Korea, for items that wait since a calendar day."""
    return datetime.combine(day, time(0), KST)
