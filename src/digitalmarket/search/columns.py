"""The published services as columns: what filters, facet counts, sorts and 초성 search work on.

Every published service has a *position*: its place in the order of service codes (0, 1, 2 ...).
Per-service facts are kept as numpy arrays indexed by position, so that a filter is one comparison
over an array, a facet count one `bincount`, and a set of services a boolean mask, whatever the size of
the catalog. Ties of every sort are broken by code, which is simply the lower position.

Built on first use from the catalog's facts (`facts.py`); when a change of the catalog leaves the same
services published, the facts that follow it patch a copy of the columns (`patched`) instead of building
them again.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from operator import attrgetter

import numpy as np

from ..catalog.regions import CODES as REGION_CODES
from .entries import FACETS, REGION, Entry

#: The orders of the catalog besides relevance: key of an entry, ties by code. `Columns.order` computes
#: the same orders over arrays (a test compares them).
SORT_KEYS = {
    "newest": lambda e: -e.published_at.timestamp(),
    "price": lambda e: (e.price is None, e.price or 0),
    "rating": lambda e: (e.rating is None, -(e.rating or 0), -e.contracts),
    "contracts": lambda e: -e.contracts,
}


NAMED_MASK_BYTES = 16_000_000  # memory for the masks of name words kept (`Columns.named`): a byte a service each


class Columns:
    """Published services by position (code order), with their facets, prices and name words."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries: list[Entry] = sorted(entries, key=attrgetter("code"))
        self.size = len(self.entries)
        self.ids = np.fromiter((e.id for e in self.entries), dtype=np.int64, count=self.size)
        self._slot = np.full(int(self.ids.max()) + 1 if self.size else 1, -1, dtype=np.int64)
        self._slot[self.ids] = np.arange(self.size)
        self.values: dict[str, list] = {}  # facet -> its values; a value's code is its index
        self.codes: dict[str, np.ndarray] = {}  # facet -> the code of each position (-1: not counted)
        by_facet = list(zip(*(entry.facets for entry in self.entries), strict=True)) or [()] * len(FACETS)
        for name, column in zip(FACETS, by_facet, strict=True):
            values = sorted(set(column) - {None}, key=str)
            index = {value: code for code, value in enumerate(values)} | {None: -1}
            self.values[name] = values
            self.codes[name] = np.fromiter(map(index.__getitem__, column), dtype=np.int64, count=self.size)
        self.price = np.fromiter(
            (-1 if e.price is None else e.price for e in self.entries), dtype=np.int64, count=self.size
        )
        self.published = np.fromiter((e.published_at.timestamp() for e in self.entries), float, count=self.size)
        self.rating = np.fromiter((np.nan if e.rating is None else e.rating for e in self.entries), float, self.size)
        self.contracts = np.fromiter((e.contracts for e in self.entries), dtype=np.int64, count=self.size)
        self.regions = np.fromiter((_bits(e.regions) for e in self.entries), dtype=np.int64, count=self.size)
        self._orders: dict[str, np.ndarray] = {}
        self._named: dict[str, list[int]] = {}
        for position, entry in enumerate(self.entries):
            for term in entry.name_terms:
                self._named.setdefault(term, []).append(position)
        self._named_masks: dict[tuple[str, ...], np.ndarray] = {}  # `named`'s answers, read-only
        self._texts: dict[str, tuple[str, np.ndarray]] = {}
        self._names = None  # the codes, names and brands (`names.Names`), built on first use

    # --- positions and masks --------------------------------------------------------------------------

    def positions(self, service_ids: np.ndarray) -> np.ndarray:
        """The positions of those of ``service_ids`` that are published, in code order."""
        ids = service_ids[(service_ids >= 0) & (service_ids < len(self._slot))]
        found = self._slot[ids]
        return np.sort(found[found >= 0])

    def mask(self, positions: np.ndarray | None = None) -> np.ndarray:
        """A boolean mask over every position: true at ``positions`` (every position when None)."""
        if positions is None:
            return np.ones(self.size, dtype=bool)
        out = np.zeros(self.size, dtype=bool)
        out[positions] = True
        return out

    def facet_is(self, name: str, value: object) -> np.ndarray:
        """Mask of the services whose facet ``name`` has ``value`` (for `REGION`: among its values)."""
        if name == REGION:
            return (self.regions & _bits((value,))) != 0
        try:
            code = self.values[name].index(value)
        except ValueError:
            return np.zeros(self.size, dtype=bool)
        return self.codes[name] == code

    def priced(self, low: int, high: int | None) -> np.ndarray:
        """Mask of the services whose main plan's price is within [low, high] (high None: no upper bound)."""
        out = (self.price >= 0) & (self.price >= low)
        return out if high is None else out & (self.price <= high)

    def counts(self, name: str, selected: np.ndarray) -> list[tuple[object, int]]:
        """The facet's values among the selected services with their counts, most first (ties by value;
        regions in their order)."""
        if name == REGION:
            held = self.regions[selected]
            named = int(np.bitwise_or.reduce(held)) if len(held) else 0  # the regions any of them names
            tally = [
                (code, int(np.count_nonzero(held & (1 << bit))))
                for bit, code in enumerate(REGION_CODES)
                if named >> bit & 1
            ]
            return sorted(((code, count) for code, count in tally if count), key=lambda item: -item[1])
        codes = self.codes[name][selected]
        tally = np.bincount(codes[codes >= 0], minlength=len(self.values[name]))
        found = [(self.values[name][code], int(count)) for code, count in enumerate(tally) if count]
        return sorted(found, key=lambda item: (-item[1], str(item[0])))

    def order(self, sort: str) -> np.ndarray:
        """Every position in the order of a sort of `SORT_KEYS`, ties by code (computed once)."""
        if sort not in self._orders:
            if sort not in SORT_KEYS:
                raise KeyError(sort)
            positions = np.arange(self.size)
            unrated, unpriced = np.isnan(self.rating), self.price < 0
            keys = {  # np.lexsort: the last key first
                "newest": (positions, -self.published),
                "price": (positions, np.where(unpriced, 0, self.price), unpriced),
                "rating": (positions, -self.contracts, -np.nan_to_num(self.rating), unrated),
                "contracts": (positions, -self.contracts),
            }
            self._orders[sort] = np.lexsort(keys[sort]).astype(np.int64)
        return self._orders[sort]

    def patched(self, changed: dict[int, Entry | None]) -> Columns | None:
        """A copy with the facts of some services replaced (by id; None: no longer published), sharing
        what they leave alone; None when a service enters or leaves the catalog, since every position
        after it moves (build the columns again then)."""
        at: dict[int, Entry] = {}
        for service_id, entry in changed.items():
            slot = int(self._slot[service_id]) if 0 <= service_id < len(self._slot) else -1
            if entry is None or slot < 0:
                return None
            at[slot] = entry
        new = copy.copy(self)
        new.entries = list(self.entries)
        new.values = {name: list(values) for name, values in self.values.items()}
        new.codes = {name: codes.copy() for name, codes in self.codes.items()}
        new.price, new.published = self.price.copy(), self.published.copy()
        new.rating, new.contracts, new.regions = self.rating.copy(), self.contracts.copy(), self.regions.copy()
        new._orders, new._texts, new._named_masks = {}, dict(self._texts), {}
        for position, entry in at.items():
            old = new.entries[position]
            new.entries[position] = entry
            if (old.name, old.supplier) != (entry.name, entry.supplier):
                new._names = None
            for name, value in zip(FACETS, entry.facets, strict=True):
                values = new.values[name]
                if value is not None and value not in values:
                    values.append(value)
                new.codes[name][position] = -1 if value is None else values.index(value)
            new.price[position] = -1 if entry.price is None else entry.price
            new.published[position] = entry.published_at.timestamp()
            new.rating[position] = np.nan if entry.rating is None else entry.rating
            new.contracts[position] = entry.contracts
            new.regions[position] = _bits(entry.regions)
            if old.name_terms != entry.name_terms:
                if new._named is self._named:
                    new._named = dict(self._named)
                for term in old.name_terms - entry.name_terms:
                    new._named[term] = [p for p in new._named.get(term, []) if p != position]
                for term in entry.name_terms - old.name_terms:
                    new._named[term] = [*new._named.get(term, []), position]
            for field in ("name", "name_chosung", "supplier_chosung"):
                if getattr(old, field) != getattr(entry, field):
                    new._texts.pop(field, None)
        return new

    # --- words of names and 초성 -------------------------------------------------------------------------

    def named(self, words: list[str]) -> np.ndarray:
        """Mask of the services whose name holds every one of ``words`` (index terms); read-only, kept
        (every query asks it of each of its phrases)."""
        key = tuple(words)
        found = self._named_masks.get(key)
        if found is None:
            found = np.ones(self.size, dtype=bool)
            for word in words:
                held = np.zeros(self.size, dtype=bool)
                held[self._named.get(word, [])] = True
                found &= held
            found.flags.writeable = False
            if (len(self._named_masks) + 1) * max(self.size, 1) > NAMED_MASK_BYTES:
                self._named_masks.clear()
            self._named_masks[key] = found
        return found

    def _joined(self, field: str) -> tuple[str, np.ndarray]:
        """Every service's ``field`` (name, lowered; name_chosung; supplier_chosung) joined by newlines,
        with the offset where each position's text starts (built once)."""
        if field not in self._texts:
            texts = [getattr(entry, field) for entry in self.entries]
            if field == "name":
                texts = [text.lower().replace("\n", " ") for text in texts]
            starts = np.cumsum([0] + [len(text) + 1 for text in texts])[:-1]
            self._texts[field] = ("\n".join(texts), np.asarray(starts, dtype=np.int64))
        return self._texts[field]

    def written(self, field: str, pattern: str) -> tuple[np.ndarray, np.ndarray]:
        """Where a regular expression matches the ``field`` of each service (see `_joined`): the
        positions (code order) and, for each, whether a match begins its text."""
        joined, starts = self._joined(field)
        offsets = np.array([match.start() for match in re.finditer(pattern, joined)], dtype=np.int64)
        if not len(offsets):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
        positions = np.searchsorted(starts, offsets, side="right") - 1
        at_start = np.zeros(self.size, dtype=bool)
        at_start[positions[starts[positions] == offsets]] = True
        found = np.unique(positions)
        return found, at_start[found]

    def chosung_hits(self, wanted: str, field: str) -> np.ndarray:
        """Positions (code order) whose name's or supplier's (``field``) 초성 contain ``wanted``."""
        return self.written(f"{field}_chosung", re.escape(wanted))[0]  # one match per text is enough


def _bits(regions: Iterable[object]) -> int:
    """The regions (codes of `catalog.regions`) as bits: the region's place in `REGION_CODES`."""
    return sum(1 << REGION_CODES.index(code) for code in regions if code in REGION_CODES)
