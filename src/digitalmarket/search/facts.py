"""What search needs to know about every published service, kept in memory per process.

Filters, facets, sorts, 초성 search, typo corrections and suggestions all work on small per-service
facts (type, category, CSAP grade, supplier size, deployment, main plan's price, name terms ...: an
`entries.Entry` each). Reading them from the database on every search would cost more than the search
itself, so each process keeps a `Facts` snapshot, and a search first asks the audit log whether an
event that changes what the facts hold came after the position the facts last checked (`changes.look`:
one round trip of short index reads, once per transaction), when it may have news: after a commit with
events on this machine (`core.change_signal`), or when the last look is a second old. Nothing is written
for the facts in the changing step's transaction: the steps record their events, which every writer does
anyway, and no row is shared by every writer (a revision row that each step rewrote made every catalog
change wait for the one before it to commit).

When such events came, the facts *follow* the event log (`changes.py`): they remember the position of
the last event they applied, read the events after it that change search facts, and load again the facts
of only the services those events touch (a renamed supplier's services, a reviewed service ...), in
milliseconds where loading every service takes seconds on a large catalog. The new snapshot shares what
the change left alone (the columns are patched, the vocabulary is kept unless texts changed). Every
process follows the same log, so the process that made the change and every other one see it at their
next search. A full load remains for the first search, a new day (in Korea: catalog contracts start and
end with the calendar) and more changes than following is worth (`MAX_CHANGES`, `MAX_SERVICES`).

A search inside the very transaction that changed the catalog sees that change (its own events are
visible to it before they are sequenced): its facts are followed for that transaction only and never
shared, since it may still roll back.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from sqlalchemy.orm import Session

from ..core import change_signal
from ..core.audit import APPENDED
from ..core.clock import today_kst
from . import changes, entries
from .entries import Entry
from .hangul import edit_distance, jamo_distance, to_jamo
from .index_rows import IndexRow, read_rows
from .typos import TYPO_MIN_LENGTH, is_short_hangul, is_short_latin

if TYPE_CHECKING:
    from .columns import Columns

CACHED_DATABASES = 4
CACHED_PHRASES = 5_000
CACHED_ANSWERS = 2_000
CACHED_WHOLE_BYTES = 32 * 1024 * 1024
"""Queries' results before they are cut into pages (`finder.find`), kept for their other pages: their arrays
in all, about 160 kB a query at 10,000 services, the oldest going first."""
CACHED_ROWS = 20_000
"""Index rows kept for exact scoring (`index_rows`): a few kilobytes each, the whole of a catalog of 10,000."""
CACHED_LISTED = 20_000
"""Services as a page of results shows them (`listed`): about a kilobyte each, the whole of a catalog of 10,000."""
CACHED_COUNTS = 1_000_000
"""Weighted counts of a phrase in a service kept for exact scoring (`Facts.counted`), in all."""
MAX_CHANGES = 1_000
"""More events than this since the facts were built: load them all again rather than follow."""
MAX_SERVICES = 2_000
"""More services touched than this (a supplier with many services renamed ...): load them all again."""
TEXT_ACTIONS = ("service.published", "service.updated", "organisation.updated")
"""Steps that may change indexed texts, hence the index's vocabulary."""


class Posting(NamedTuple):
    """The services holding a phrase, as the ranking reads them (`Facts.postings`)."""

    df: int  # indexed services holding it, any status: the document frequency
    positions: np.ndarray  # the published ones, by position (`columns.py`)
    named: np.ndarray  # for each of those, whether its name holds every word of the phrase


@dataclass
class Facts:
    entries: dict[int, Entry]
    indexed: int  # services in the index (any status): the N of the idf
    average_length: float
    day: date | None = None  # the day (KST) the facts were loaded
    position: int = 0  # the last event of the log applied (`changes.py`)
    anchor: str = ""  # and its hash
    checked: int = 0  # the log's last position when the facts last looked for news (`changes.look`)
    lengths: dict[int, int] = field(default_factory=dict, repr=False)  # each indexed service's length
    seen: change_signal.Seen = field(default=change_signal.Seen(), repr=False)  # the last look at the log
    _vocabulary: dict[str, int] | None = field(default=None, repr=False)
    _deletions: dict[str, set[str]] | None = field(default=None, repr=False)
    _jamo_deletions: dict[str, set[str]] | None = field(default=None, repr=False)
    _latin: list[str] | None = field(default=None, repr=False)
    _sorted_terms: list[str] | None = field(default=None, repr=False)
    _columns: Columns | None = field(default=None, repr=False)
    _postings: dict[str, Posting] = field(default_factory=dict, repr=False)
    _answers: dict = field(default_factory=dict, repr=False)
    _wholes: dict = field(default_factory=dict, repr=False)
    _wholes_bytes: list[int] = field(default_factory=lambda: [0], repr=False)
    _rows: dict[int, IndexRow] = field(default_factory=dict, repr=False)
    _listed: dict[int, object] = field(default_factory=dict, repr=False)
    _counted: dict[Hashable, dict[int, float]] = field(default_factory=dict, repr=False)
    _counted_size: list[int] = field(default_factory=lambda: [0], repr=False)

    @property
    def columns(self) -> Columns:
        """The published services as columns (`columns.py`), built on first use."""
        if self._columns is None:
            from .columns import Columns  # built from the entries defined here

            self._columns = Columns(self.entries.values())
        return self._columns

    def answer(self, key: Hashable, compute: Callable[[], object]) -> object:
        """What ``compute()`` gives for a key, computed once at this catalog revision (the JSON of a
        page of the search API, say) and kept for at most `CACHED_ANSWERS` keys, the oldest going first.
        Only for answers that depend on nothing but the key and the catalog."""
        if key in self._answers:
            return self._answers[key]
        found = compute()
        while len(self._answers) >= CACHED_ANSWERS:
            self._answers.pop(next(iter(self._answers)), None)
        self._answers[key] = found
        return found

    def whole(self, key: Hashable, compute: Callable[[], object]) -> object:
        """What ``compute()`` gives for a query (``key``) at this catalog revision, before it is cut into pages
        (an object with ``nbytes``): kept while the arrays of those kept stay under `CACHED_WHOLE_BYTES`."""
        found = self._wholes.get(key)
        if found is not None:
            return found
        found = compute()
        self._wholes_bytes[0] += found.nbytes
        while self._wholes and self._wholes_bytes[0] > CACHED_WHOLE_BYTES:
            oldest = self._wholes.pop(next(iter(self._wholes)), None)
            self._wholes_bytes[0] -= oldest.nbytes if oldest is not None else 0
        self._wholes[key] = found
        return found

    def forget_phrases(self) -> None:
        """Empty the cache of phrase holders and of queries' results, as a change of the catalog would (for
        benchmarks)."""
        self._postings.clear()
        self.forget_results()

    def forget_results(self) -> None:
        """Empty the cache of queries' results (`whole`): the next search of any query ranks it again (for
        benchmarks of a query asked for the first time)."""
        self._wholes.clear()
        self._wholes_bytes[0] = 0

    def postings(self, phrases: list[str], look_up) -> dict[str, Posting]:
        """For each phrase, the number of indexed services holding it (any status: the document
        frequency), the positions of the published ones and whether their names hold it (`Posting`).
        Phrases not seen before at this revision are looked up together with ``look_up(phrases) -> {phrase:
        service ids}``; the answers are kept until the catalog changes (at most `CACHED_PHRASES` of them).
        A change that leaves texts alone keeps them: the same services hold the same words, names alike."""
        missing = [phrase for phrase in phrases if phrase not in self._postings]
        if missing:
            if len(self._postings) + len(missing) > CACHED_PHRASES:
                self._postings.clear()
            for phrase, ids in look_up(missing).items():
                positions = self.columns.positions(ids)
                self._postings[phrase] = Posting(len(ids), positions, self.columns.named(phrase.split())[positions])
        return {phrase: self._postings[phrase] for phrase in phrases}

    def index_rows(self, session: Session, service_ids: list[int]) -> dict[int, IndexRow]:
        """The index row of each of the services (those indexed), read from the database once per catalog
        revision that leaves texts alone (at most `CACHED_ROWS` kept): exact scoring reads the rows of the
        best matches of every query, and the same services are among the best of many."""
        return _kept_by_id(self._rows, CACHED_ROWS, service_ids, lambda missing: read_rows(session, missing))

    def listed(self, session: Session, service_ids: list[int], read) -> dict[int, object]:
        """The services of a page of results as ``read(session, ids) -> {id: row}`` gives them (`rows.listed`),
        by id, read once while they stay as they are: the facts forget a service's row when an event touches
        it, and every row when texts may have changed. At most `CACHED_LISTED` are kept."""
        return _kept_by_id(self._listed, CACHED_LISTED, service_ids, lambda missing: read(session, missing))

    def keep_every_row(self, session: Session, read, chunk: int = 2_000) -> int:
        """Read the index rows (`index_rows`) and the rows a page of results shows (`listed`, with ``read``)
        of every published service now, when all of them fit in what the facts keep; returns how many were
        read (0 for a larger catalog, whose searches keep the rows they read). A served worker does this in
        its warm-up: otherwise each of its first few thousand searches reads the rows of its best matches
        that no search before it read (on PostgreSQL about a sixth of a new question's CPU in a worker's
        first minute)."""
        ids = self.columns.ids.tolist()
        if len(ids) > min(CACHED_ROWS, CACHED_LISTED):
            return 0
        for start in range(0, len(ids), chunk):
            some = ids[start : start + chunk]
            self.index_rows(session, some)
            self.listed(session, some, read)
        return len(ids)

    def counted(self, key: Hashable, more: int) -> dict[int, float]:
        """The weighted counts of one phrase (``key``: the phrase and the weighting) by service id, kept
        for exact scoring at this catalog revision while texts stay the same (the same words are asked of
        the same best matches by many queries); the caller adds what it counts, ``more`` of them at most.
        At most `CACHED_COUNTS` are kept in all."""
        self._counted_size[0] += more
        if self._counted_size[0] > CACHED_COUNTS:
            self._counted.clear()
            self._counted_size[0] = more
        return self._counted.setdefault(key, {})

    def frequency(self, term: str) -> int:
        return (self._vocabulary or {}).get(term, 0)

    def vocabulary(self, session: Session, backend) -> Facts:
        """Load the index's vocabulary (term -> services holding it) from the search backend once;
        returns self, which then answers ``term in facts`` and `neighbours`."""
        if self._vocabulary is None:
            self._vocabulary = backend.vocabulary(session)
        return self

    def __contains__(self, term: str) -> bool:
        return term in (self._vocabulary or {})

    def neighbours(self, term: str) -> list[str]:
        """Words one edit away from a word the index lacks, among the index's vocabulary and the
        synonym dictionary's terms (a misspelt 지리정보시스템 is meant as the dictionary's term even
        though no service writes it): a word of at least `TYPO_MIN_LENGTH` characters through an
        index of single deletions, a short Hangul word by jamo, a three-letter Latin word by letters."""
        if len(term) < TYPO_MIN_LENGTH:
            return self._jamo_neighbours(term) if is_short_hangul(term) else self._latin_neighbours(term)
        if self._deletions is None:
            deletions: dict[str, set[str]] = {}
            for word in self._known_words():
                if len(word) >= TYPO_MIN_LENGTH:
                    for variant in _deletes(word) | {word}:
                        deletions.setdefault(variant, set()).add(word)
            self._deletions = deletions
        found: set[str] = set()
        for variant in _deletes(term) | {term}:
            found |= self._deletions.get(variant, set())
        found.discard(term)
        return sorted(word for word in found if edit_distance(term, word) == 1)

    def _known_words(self) -> set[str]:
        from .analyzer import synonyms  # the analyzer imports typos, which this module imports

        return set(self._vocabulary or {}) | set(synonyms().keys())

    def is_known(self, word: str) -> bool:
        """A word of the index's vocabulary or a term of the synonym dictionary: no misspelling."""
        from .analyzer import synonyms

        return word in (self._vocabulary or {}) or word in synonyms()

    def _latin_neighbours(self, term: str) -> list[str]:
        """For a three-letter Latin word (an abbreviation: VID for VDI): known words of three letters."""
        if not is_short_latin(term):
            return []
        if self._latin is None:
            self._latin = [word for word in self._known_words() if is_short_latin(word)]
        return [word for word in self._latin if word != term and edit_distance(term, word) == 1]

    def _jamo_neighbours(self, term: str) -> list[str]:
        """For a Hangul word of 2 or 3 syllables: known words of as many syllables one jamo edit
        away (쳇봇 → 챗봇), found through an index of single jamo deletions of such words."""
        if not is_short_hangul(term):
            return []
        if self._jamo_deletions is None:
            deletions: dict[str, set[str]] = {}
            for word in self._known_words():
                if is_short_hangul(word):
                    spelled = to_jamo(word)
                    for variant in _deletes(spelled) | {spelled}:
                        deletions.setdefault(variant, set()).add(word)
            self._jamo_deletions = deletions
        spelled = to_jamo(term)
        found: set[str] = set()
        for variant in _deletes(spelled) | {spelled}:
            found |= self._jamo_deletions.get(variant, set())
        found.discard(term)
        return sorted(word for word in found if len(word) == len(term) and jamo_distance(term, word) == 1)

    def terms_starting(self, prefix: str) -> list[str]:
        """Vocabulary words that begin with a prefix, in alphabetical order (load it first)."""
        if self._sorted_terms is None:
            self._sorted_terms = sorted(self._vocabulary or {})
        terms = self._sorted_terms
        start = bisect.bisect_left(terms, prefix)
        out = []
        for term in terms[start:]:
            if not term.startswith(prefix):
                break
            out.append(term)
        return out


def _kept_by_id(kept: dict, most: int, ids: list[int], read: Callable[[list[int]], dict]) -> dict:
    """The values of ``kept`` for ``ids``, those it lacks read first (``read(missing) -> {id: value}``) and kept;
    ``kept`` is emptied rather than grown past ``most``. Ids ``read`` did not find are left out."""
    missing = [key for key in ids if key not in kept]
    if missing:
        if len(kept) + len(missing) > most:
            kept.clear()
        kept.update(read(missing))
    return {key: value for key in ids if (value := kept.get(key)) is not None}


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


_cache: dict[str, Facts] = {}
_lock = threading.Lock()


_SEEN = "search_facts"
"""`Session.info` key: the facts a transaction was given (with the transaction), for its next search."""


def facts(session: Session) -> Facts:
    """The facts of the catalog as the session's transaction sees it (from the cache when current,
    followed from the cache's position when not, loaded in full as a last resort). A transaction that
    appended no event is given the same facts at each call (the search API asks twice a request)."""
    appended = session.info.get(APPENDED)
    seen = session.info.get(_SEEN)
    if seen is not None and not appended and seen[0] is session.get_transaction():
        return seen[1]
    current = _current(session)
    if not appended:
        session.info[_SEEN] = (session.get_transaction(), current)
    return current


def _current(session: Session) -> Facts:
    key = str(session.get_bind().url)
    cached = _cache.get(key)
    today = today_kst()
    appended = session.info.get(APPENDED)
    seen = change_signal.Seen(change_signal.of(key).token(), time.monotonic())  # before the look it vouches for
    quiet = not appended and cached is not None and cached.seen.still(seen, change_signal.LOOK_EVERY)
    if quiet and cached.day == today:
        return cached  # no commit with events on this machine since the last look, and looked a moment ago
    current = None
    if cached is not None and cached.day == today:
        found = changes.look(session, cached.position, cached.anchor, cached.checked)
        if found.end < cached.checked or not found.same_log:
            cached = None  # another log under the same address (a database restored or emptied): load it all
    if cached is not None and cached.day == today:
        if not found.news:
            cached.checked = max(cached.checked, found.end)  # nothing for the facts: look from here next time
            cached.seen = seen
            return cached
        current = follow(session, cached, found.end)
    if current is None:
        current = load(session)
    if appended:
        return current  # it may hold this transaction's own change, which may still roll back: not shared
    current.seen = seen
    return _replace(key, current)


def load(session: Session) -> Facts:
    """The facts of every published service (a full load)."""
    position, anchor = changes.head(session)  # first: a change committed meanwhile is applied again, never lost
    found = entries.read(session)
    lengths = entries.lengths(session)
    return Facts(
        entries=found,
        indexed=len(lengths),
        average_length=_average(lengths.values(), len(lengths)),
        day=today_kst(),
        position=position,
        anchor=anchor,
        checked=position,
        lengths=lengths,
    )


def follow(session: Session, known: Facts, head: int) -> Facts | None:
    """``known`` brought up to the log as the session sees it, by loading again the facts of only the
    services the events since its position touched; None when a full load is the better way."""
    if not changes.same_log(session, known.position, known.anchor):
        return None
    found = changes.changes_after(session, known.position, MAX_CHANGES + 1)
    if len(found) > MAX_CHANGES:
        return None
    if not found:
        return replace(known, checked=max(known.checked, head))
    touched = changes.services_touched(session, found)
    if len(touched) > MAX_SERVICES:
        return None
    fresh = entries.read(session, touched)
    lengths = dict(known.lengths)
    lengths.update(entries.lengths(session, touched))
    total = known.average_length * known.indexed
    total += sum(lengths.get(i, 0) for i in touched) - sum(known.lengths.get(i, 0) for i in touched)
    changed = {i: fresh.get(i) for i in touched if fresh.get(i) != known.entries.get(i)}
    updated = dict(known.entries)
    for service_id, entry in changed.items():
        if entry is None:
            updated.pop(service_id, None)
        else:
            updated[service_id] = entry
    texts = any(change.action in TEXT_ACTIONS for change in found)
    sequenced = [change for change in found if change.position is not None]
    last = sequenced[-1] if sequenced else None
    columns = known._columns.patched(changed) if known._columns is not None and changed else known._columns
    keep_postings = not texts and columns is not None  # the same services hold the same words, in place
    return Facts(
        entries=updated,
        indexed=len(lengths),
        average_length=_average([total], len(lengths)),
        day=known.day,
        position=last.position if last else known.position,
        anchor=(last.hash or "") if last else known.anchor,
        checked=max(head, last.position if last else 0),
        lengths=lengths,
        _vocabulary=None if texts else known._vocabulary,
        _deletions=None if texts else known._deletions,
        _jamo_deletions=None if texts else known._jamo_deletions,
        _latin=None if texts else known._latin,
        _sorted_terms=None if texts else known._sorted_terms,
        _columns=columns,
        _postings=dict(known._postings) if keep_postings else {},
        _rows={} if texts else dict(known._rows),
        _listed={} if texts else {i: row for i, row in known._listed.items() if i not in touched},
        _counted={} if texts else dict(known._counted),
        _counted_size=[0] if texts else [known._counted_size[0]],
    )


def _average(total, count: int) -> float:
    return float(sum(total)) / count if count else 1.0


def _replace(key: str, loaded: Facts) -> Facts:
    with _lock:
        _cache.pop(key, None)  # a reader of an older snapshot may put back older facts: the next one follows on
        while len(_cache) >= CACHED_DATABASES:  # tests and tools may open many databases in one process
            _cache.pop(next(iter(_cache)))
        _cache[key] = loaded
    return loaded
