"""Suggestions while the searcher types: service names, then frequent index terms.

Names match at the start of any of their words (case aside) or, for a 초성 prefix (ㅎㅅ), by their
initials; terms complete the last word typed, most used first. Everything comes from the catalog's
facts, so a suggestion never names a service that is not published.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from . import analyzer
from .facts import facts
from .search import backend_for

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
    names: list[tuple[int, str, str]] = []
    for entry in known.entries.values():
        name = entry.name.lower()
        if chosung_query:
            rank = 0 if entry.name_chosung.startswith(wanted) else 1 if wanted in entry.name_chosung else None
        else:
            rank = 0 if name.startswith(lowered) else 1 if f" {lowered}" in f" {name}" else None
        if rank is not None:
            names.append((rank, entry.name, entry.code))
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
