"""What a query names rather than describes: a service code, a service's name, a supplier's brand.

A buyer who types ``SAS-2026-00024``, ``한결 화상회의 클라우드`` or ``(주)가상소프트`` wants that service or
that company, not every service whose text shares a word with it. Over the published services'
columns (`columns.py`) this module finds, for a query:

- the service whose code it is (any case, spaces around ignored);
- the services whose name it is, or begins (spaces, case and punctuation ignored; at least two letters);
- a *brand*: a supplier's name without its legal form (``(주)``, ``주식회사``, ``Co., Ltd.`` ...), or
  the first word of a supplier's service names when at least two of its services begin with it and no
  other supplier's service has it in its name (``한결`` for 한결소프트's "한결 화상회의 클라우드", "한결
  웹메일" ...). A query that is a brand alone returns that supplier's services; a brand followed or
  preceded by other words puts that supplier's services matching those words first.

`search.index.relevance` lifts what is named above the text ranking (the piece ``names`` of
`search.settings`). Built once per `Columns` (the published services as one search sees them).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from operator import itemgetter

import numpy as np

from .columns import Columns

#: Legal forms of Korean and foreign companies, which a buyer may or may not type (lower case).
LEGAL_FORMS = (
    "주식회사",
    "유한책임회사",
    "유한회사",
    "합자회사",
    "합명회사",
    "재단법인",
    "사단법인",
    "사회적협동조합",
    "협동조합",
    "(주)",
    "㈜",
    "(유)",
    "(재)",
    "(사)",
    "co., ltd.",
    "co.,ltd.",
    "co., ltd",
    "co.,ltd",
    "corporation",
    "corp.",
    "inc.",
    "ltd.",
)
_LEGAL = re.compile("|".join(re.escape(form) for form in sorted(LEGAL_FORMS, key=len, reverse=True)))
_LEGAL_WORDS = {"co", "ltd", "inc", "corp", "llc"}
_NOT_LETTERS = re.compile(r"[^0-9a-z\uac00-\ud7a3\u3131-\u318e]+")
# a service code as buyers write it: SAS-2024-00041, sas 2024 00041, SAS202400041, SAS-2024-41
_CODE = re.compile(r"^\s*([A-Za-z]{2,4})[\s._/-]*(\d{4})[\s._/-]*(\d{1,6})\s*$")
MIN_PREFIX = 2  # letters a query needs before it can be a name's beginning


def key(text: str) -> str:
    """``text`` as names are compared: lower case, without legal forms, spaces or punctuation."""
    lowered = _LEGAL.sub(" ", (text or "").lower())
    words = [word for word in _NOT_LETTERS.split(lowered) if word and word not in _LEGAL_WORDS]
    return "".join(words)


def code_key(text: str) -> str | None:
    """A service code as codes are compared (``sas-2024-41``: the letters in lower case, the year, the number
    without its leading zeros), whatever separates the parts; None when ``text`` is no code."""
    found = _CODE.match(text or "")
    if found is None:
        return None
    letters, year, number = found.groups()
    return f"{letters.lower()}-{year}-{int(number)}"


def _first_word(name: str) -> str:
    parts = (name or "").split()
    return key(parts[0]) if parts else ""


@dataclass
class Names:
    """The codes, names and brands of the published services, by position (see `Columns`)."""

    codes: dict[str, int]
    names: dict[str, list[int]]
    sorted_names: list[tuple[str, int]]  # (name key, position), sorted: a prefix is a range
    brands: dict[str, np.ndarray] = field(default_factory=dict)  # brand key -> its supplier's positions

    @classmethod
    def of(cls, columns: Columns) -> Names:
        cached = columns._names
        if cached is None:
            cached = cls.build(columns)
            columns._names = cached
        return cached

    @classmethod
    def build(cls, columns: Columns) -> Names:
        codes, names, by_supplier, first_words = {}, {}, {}, {}
        for position, entry in enumerate(columns.entries):
            codes[code_key(entry.code) or entry.code.lower()] = position
            names.setdefault(key(entry.name), []).append(position)
            by_supplier.setdefault(entry.supplier, []).append(position)
            first_words.setdefault(_first_word(entry.name), {}).setdefault(entry.supplier, []).append(position)
        named_by: dict[str, set[str]] = {}  # a word of any name -> the suppliers whose names hold it
        for entry in columns.entries:
            for word in {key(part) for part in entry.name.split()}:
                named_by.setdefault(word, set()).add(entry.supplier)
        brands: dict[str, np.ndarray] = {}
        for supplier, positions in by_supplier.items():
            brand = key(supplier)
            if len(brand) >= MIN_PREFIX:
                brands[brand] = np.array(positions, dtype=np.int64)
        for word, suppliers in first_words.items():
            if len(word) < MIN_PREFIX or len(suppliers) != 1 or word in brands:
                continue
            ((supplier, positions),) = suppliers.items()
            if len(positions) >= 2 and named_by.get(word, set()) == {supplier}:
                brands[word] = np.array(by_supplier[supplier], dtype=np.int64)
        ordered = sorted((name, position) for name, found in names.items() for position in found)
        return cls(codes, names, ordered, brands)

    # --- what a query names --------------------------------------------------------------------------

    def code(self, query: str) -> int | None:
        """The position of the service whose code the query is, written with dashes, spaces or nothing between
        its parts, the number with or without its leading zeros (`code_key`)."""
        wanted = code_key(query)
        return self.codes.get(wanted) if wanted is not None else None

    def exact(self, query: str) -> list[int]:
        """The services whose name the query is."""
        return list(self.names.get(key(query), ()))

    def prefixed(self, query: str) -> list[int]:
        """The services whose name begins with the query (not those it names whole), shortest first."""
        wanted = key(query)
        if len(wanted) < MIN_PREFIX:
            return []
        start = bisect_left(self.sorted_names, wanted, key=itemgetter(0))
        found = []
        for at in range(start, len(self.sorted_names)):  # from the first name not below it, no copy of the rest
            name, position = self.sorted_names[at]
            if not name.startswith(wanted):
                break
            if name != wanted:
                found.append((len(name), position))
        return [position for _, position in sorted(found)]

    def brand(self, query: str) -> tuple[np.ndarray, str] | None:
        """A brand the query is, or begins or ends with: its supplier's positions and the query's other
        words (empty when the query is the brand alone)."""
        whole = key(query)
        if whole in self.brands:
            return self.brands[whole], ""
        words = [word for word in _LEGAL.sub(" ", query.lower()).split() if key(word)]
        for count in range(len(words) - 1, 0, -1):
            for brand_words, rest in ((words[:count], words[count:]), (words[-count:], words[:-count])):
                found = self.brands.get(key(" ".join(brand_words)))
                if found is not None:
                    return found, " ".join(rest)
        return None
