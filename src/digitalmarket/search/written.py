"""A result as written once, kept with what it was written from.

The search page's results (`cards.py`) and the search API's (`api.py`) write each service the same way page
after page: the text is kept by service and language with the search facts' objects it was written from
(`rows.Listed`, `entries.Entry`, and for the page the day in Korea). The facts replace those objects when an
event changes the service, its supplier, its contract or its rating (`facts.py`), so a result is written again
exactly when what it shows may have changed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")

KEPT = 20_000  # results kept in all (two languages of a catalog of 10,000)


class Written(Generic[T]):
    """Texts by key, each with the objects it was written from; emptied rather than grown past ``most``."""

    def __init__(self, most: int = KEPT) -> None:
        self.most = most
        self._kept: dict[Hashable, tuple[tuple, T]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, sources: tuple, write: Callable[[], T]) -> T:
        """The text kept for ``key`` when it was written from these ``sources`` (the same objects, or equal
        ones), else ``write()``, kept."""
        kept = self._kept.get(key)
        if kept is not None and all(a is b or a == b for a, b in zip(kept[0], sources, strict=True)):
            return kept[1]
        text = write()
        with self._lock:
            if len(self._kept) >= self.most:
                self._kept.clear()
            self._kept[key] = (sources, text)
        return text
