"""Suggestions while the searcher types: service names, then frequent index terms.

Names match at the start of any of their words (case aside) or, for a 초성 prefix (ㅎㅅ), by their
initials; terms complete the last word typed, most used first. Everything comes from the catalog's
facts, so a suggestion never names a service that is not published.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from . import analyzer
from .facts import facts
from .index import backend_for

LIMIT = 8
MAX_NAMES = 5


@dataclass(frozen=True)
class Suggestion:
    text: str
    kind: str  # service | term
    code: str | None = None


def suggest(session: Session, typed: str, limit: int = LIMIT) -> list[Suggestion]:
    typed = " ".join((typed or "").split())[:100]
    if not typed:
        return []
    known = facts(session)
    lowered = typed.lower()
    chosung_query = analyzer.is_chosung_query(typed)
    wanted = analyzer.chosung(typed) if chosung_query else ""
    columns = known.columns
    if chosung_query:  # initials anywhere in the name, those at its start first
        positions, at_start = columns.written("name_chosung", re.escape(wanted))
    else:  # the start of any word of the name, the name's own start first
        positions, at_start = columns.written("name", f"(?<![^\n ]){re.escape(lowered)}")
    names = [
        (0 if first else 1, columns.entries[p].name, columns.entries[p].code)
        for p, first in zip(positions.tolist(), at_start.tolist(), strict=True)
    ]
    names.sort()
    out = [Suggestion(name, "service", code) for _, name, code in names[: min(MAX_NAMES, limit)]]
    if chosung_query:
        return out
    head, _, last = lowered.rpartition(" ")
    if last:
        known.vocabulary(session, backend_for(session))
        terms = sorted(known.terms_starting(last), key=lambda term: (-known.frequency(term), term))
        seen = {s.text.lower() for s in out}
        for term in terms:
            if len(out) >= limit:
                break
            text = f"{head} {term}".strip()
            if term != last and text not in seen:
                out.append(Suggestion(text, "term"))
                seen.add(text)
    return out
