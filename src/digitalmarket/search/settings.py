"""Which pieces of the search are on: all of them, unless ``DM_SEARCH_OFF`` names some.

``DM_SEARCH_OFF=synonyms,typos`` switches pieces off for a process, so that the quality bench
(bench/search_quality.py) measures what each piece adds through the product's own search, and an
operator can rule a piece out when a search misbehaves. The pieces:

- ``synonyms``: a query's words also match their synonyms from `synonyms.txt` (weight 0.8);
- ``typos``: a word found nowhere is corrected to a near word of the index;
- ``chosung``: a query of initial consonants only (ㅎㅅㅎㅇ) matches names by their initials;
- ``focus``: a query of several concepts returns the services holding most of them, not any of them;
- ``names``: a service's code, name or supplier's brand in the query comes first (`names`), and a phrase
  found in a service's name weighs more in the first ordering;
- ``understanding``: constraints written as words (중소기업, CSAP 상 등급, IaaS, 1만원 이하) become filters;
- ``feedback``: the words the best matches of a query share are searched too, weighted down (pseudo-relevance
  feedback, `feedback.py`), so that a service described in other words is found;
- ``coverage``: a service's score is multiplied by its share of the query's concepts, each weighed by how
  rare it is (`scoring.py`), so one common word of the query (클라우드) does not lift a service above those
  holding what the query is about (보안관제).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, fields
from functools import lru_cache

ENVIRONMENT = "DM_SEARCH_OFF"
log = logging.getLogger("digitalmarket.search")


@dataclass(frozen=True)
class SearchSettings:
    synonyms: bool = True
    typos: bool = True
    chosung: bool = True
    focus: bool = True
    names: bool = True
    understanding: bool = True
    feedback: bool = True
    coverage: bool = True


PIECES = tuple(f.name for f in fields(SearchSettings))


def current() -> SearchSettings:
    """The pieces switched on for this process (read at every query: a bench changes them at run time)."""
    return _parse(os.environ.get(ENVIRONMENT, ""))


@lru_cache(maxsize=16)
def _parse(value: str) -> SearchSettings:
    off = {part.strip().lower() for part in value.split(",") if part.strip()}
    unknown = off - set(PIECES)
    if unknown:  # logged once per value, and ignored: a search never fails on a misspelt setting
        log.warning("%s names no such piece: %s (the pieces: %s)", ENVIRONMENT, ", ".join(sorted(unknown)), PIECES)
    return SearchSettings(**{piece: piece not in off for piece in PIECES})
