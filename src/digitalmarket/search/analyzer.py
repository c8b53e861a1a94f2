"""Korean text analysis for catalog search: index terms, query concepts, 초성, typos, field weights.

A pure module (no database): the search index calls `index_terms` on each field of a service and
`query_terms` (or `weighted_query_terms`) on what the searcher typed.

How text becomes terms (`index_terms`):
- Kiwi (`kiwipiepy`, its bundled model, loaded once per process on first use) splits the text into
  morphemes; particles, endings, copulas and light verbs (하다, 되다, 주다 ...) are dropped, so
  "응대를 자동으로 해주는" gives ``응대 자동``. Kiwi tolerates up to two stray spaces inside a word.
- Nouns, roots, numbers and foreign words (lower-cased, letters and digits written together kept
  together: ``k8s``) are kept; verb and adjective stems too (``옮기``, ``바꾸``).
- A compound is split into its parts (화상회의 → ``화상 회의``) and a prefix stays on its noun
  (``비식별``); a noun suffix is dropped from the part (시각화 → ``시각``).
- The parts come first, in text order, so that a phrase query ``"화상 회의"`` finds both spellings;
  after all of them come the extra forms: the words with their suffix (``시각화``) and each compound
  joined (``화상회의``), so that a form Kiwi did not split on one side still meets its joined twin.

How a query becomes concepts (`query_terms`): the query is analysed the same way, then read as a list
of concepts. Runs of words found in the synonym dictionary (`synonyms.txt`), even when written apart
(``화상 회의``), form one concept with all its synonyms; the remaining words of one compound form one
concept; generic words (서비스, 시스템 ...) are dropped when anything else is left.

Every alternative is a string of index words separated by spaces, to be matched as a phrase (the
words adjacent, in order). A backend builds ``(alt1 OR alt2 ...)`` per concept and combines concepts
with OR for ranking (bm25 sums) or AND for a strict filter:

- SQLite FTS5: ``("화상 회의" OR "화상회의" OR "영상 회의") OR ("백업")`` (each alternative in double
  quotes, ``"`` doubled); `fts5_match` builds it.
- PostgreSQL: ``to_tsquery('simple', '(화상 <-> 회의 | 화상회의 | 영상 <-> 회의) | 백업')`` over a
  ``tsvector`` built with the ``simple`` configuration from the space-joined `index_terms`.

`weighted_query_terms` gives the same concepts with a weight per alternative (the query's own words
1.0, their suffix-less forms 0.9, synonyms 0.8) for a backend that scores each concept as the best
of its alternatives.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from digitalmarket.search import settings as search_settings
from digitalmarket.search.hangul import (
    chosung,
    chosung_matches,
    is_chosung_query,
)
from digitalmarket.search.synonyms import SynonymIndex, load_groups, load_nouns

__all__ = [
    "FIELD_WEIGHTS",
    "Concept",
    "chosung",
    "chosung_matches",
    "fts5_match",
    "index_terms",
    "index_terms_many",
    "is_chosung_query",
    "query_terms",
    "weighted_query_terms",
]

FIELD_WEIGHTS: dict[str, float] = {
    "name": 5.0,
    "keywords": 3.0,
    "features": 3.0,
    "category": 3.0,
    "summary": 2.0,
    "description": 1.0,
    "supplier": 0.5,
}
"""bm25 weight of each field of a service: name > keywords = features = category > summary > description >
supplier. The category (its Korean and English names, 운영관리(MSP), Managed service (MSP)) is what the supplier
chose from the catalog's fixed list: as telling as a keyword, and often the only place a service names its kind."""

SUFFIXLESS_WEIGHT = 0.9
SYNONYM_WEIGHT = 0.8
PART_WEIGHT = 0.3

_NOUNS = frozenset({"NNG", "NNP", "NR", "XR", "SH"})
_ALNUM = frozenset({"SL", "SN"})
_WEB = frozenset({"W_URL", "W_EMAIL", "W_HASHTAG", "W_MENTION", "W_SERIAL"})
_STEMS = frozenset({"VV", "VA"})
_LIGHT_STEMS = frozenset(  # light verbs and auxiliaries: no meaning of their own in a search
    "하 되 있 없 주 보 받 않 같 이 아니 드리 싶 말 가 오 놓 두 지 위하 통하 대하 따르 관하 의하 갖 가지 알".split()  # noqa: SIM905
)
# words that name what any catalog entry is; dropped from a query with other words
_GENERIC_KO = "서비스 솔루션 시스템 프로그램 플랫폼 제품 기능 제공 지원 도구 툴 관련 기반 전문 업체 회사 방법 직원"
_GENERIC_EN = "service services solution solutions system systems platform platforms tool tools software product"
_GENERIC = frozenset(_GENERIC_KO.split()) | frozenset(_GENERIC_EN.split())
# words that say nothing of what is searched, Korean and English
_STOP_KO = "전 후 중 내 외 간 등 및 때 위 경우 정도 이상 이하 가능 필요"
# (government: every service of this catalog is for government, so the word tells none apart)
_STOP_EN = "a an the and or of for to in on with by at from as into via is are be can our my your we i need want best"
_STOP_EN += " government governments"
# verbs a buyer asks with (홈페이지 만들기, 누수 찾기): the need is the noun; services' texts use them anywhere
_ASKING_KO = "만들 찾"
_QUERY_STOP = frozenset(_STOP_KO.split()) | frozenset(_STOP_EN.split()) | frozenset(_ASKING_KO.split())
_HANGUL_WORD = re.compile(r"[가-힣]+")

_lock = threading.Lock()
_kiwi = None
_synonyms: SynonymIndex | None = None


def kiwi():
    """The process's Kiwi instance, created on first use (thread-safe); no download, the model comes
    from the installed ``kiwipiepy-model`` package."""
    global _kiwi
    if _kiwi is None:
        with _lock:
            if _kiwi is None:
                from kiwipiepy import Kiwi

                instance = Kiwi()
                instance.global_config.space_tolerance = 2
                _teach_domain_words(instance)
                _kiwi = instance
    return _kiwi


def _teach_domain_words(instance) -> None:
    """Register the ``+`` words of `synonyms.txt` as nouns, then warm Kiwi up (its first analysis
    builds the model's tables, which takes seconds) while the lock is still held."""
    for word in load_nouns():
        instance.add_user_word(word, "NNP", 0.0)
    instance.tokenize("가")


def synonyms() -> SynonymIndex:
    """The synonym dictionary of `synonyms.txt`, loaded and analysed once per process."""
    global _synonyms
    if _synonyms is None:
        index = SynonymIndex(load_groups(), _words)
        with _lock:
            if _synonyms is None:
                _synonyms = index
    return _synonyms


@dataclass
class _Part:
    """One word of a compound: ``stem`` is indexed in text order, ``full`` keeps a noun suffix."""

    stem: str
    full: str
    alnum: bool = False


_NO_SYNONYMS = SynonymIndex([], lambda term: [])


def _query_synonyms() -> SynonymIndex:
    """The synonyms a query is expanded with: none while the piece ``synonyms`` is off (`settings`)."""
    return synonyms() if search_settings.current().synonyms else _NO_SYNONYMS


def says_nothing(word: str) -> bool:
    """Whether a written word says nothing of what is searched (for, the, government, 및 ...): never
    corrected into another word."""
    return word.lower() in _QUERY_STOP


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "")


def _runs(text: str) -> list[list[_Part]]:
    """The text's content words grouped into runs: the parts of one compound (written together)
    form one run; a verb or adjective stem is a run of its own."""
    return _runs_of(kiwi().tokenize(_normalise(text)))


def _runs_of(tokens: Iterable) -> list[list[_Part]]:
    """`_runs` of a text, from Kiwi's tokens of it."""
    runs: list[list[_Part]] = []
    current: list[_Part] = []
    prefix = ""
    last_end = -1
    for token in tokens:
        tag = token.tag.split("-")[0]
        form = token.form.lower()
        touching = token.start == last_end
        if tag in _NOUNS or tag in _ALNUM or tag in _WEB or tag in ("XPN", "XSN"):
            if not touching and (current or prefix):
                if current:
                    runs.append(current)
                current, prefix = [], ""
            if tag == "XPN":
                prefix += form
            elif tag == "XSN":
                if current:
                    current[-1].full += form
            elif tag in _ALNUM and current and current[-1].alnum and touching:
                current[-1].stem += form
                current[-1].full += form
            else:
                for word in form.split():
                    current.append(_Part(prefix + word, prefix + word, alnum=tag in _ALNUM))
                    prefix = ""
            last_end = token.start + token.len
            continue
        if current:
            runs.append(current)
        current, prefix, last_end = [], "", -1
        if tag in _STEMS and form not in _LIGHT_STEMS:
            runs.append([_Part(form, form)])
    if current:
        runs.append(current)
    return [[part for part in run if part.stem] for run in runs if run]


def _words(text: str) -> list[str]:
    """The text's words in index form, in order (the parts only), e.g. for a synonym term."""
    return [part.stem for run in _runs(text) for part in run]


def index_terms(text: str) -> list[str]:
    """The terms to index for a text: each word's part in text order, then the extra forms (words
    with their noun suffix, compounds joined). Lower-case, no spaces inside a term."""
    return _terms_of(_runs(text))


def index_terms_many(texts: Iterable[str]) -> list[list[str]]:
    """`index_terms` of each text, in order, for many texts at once (an import): each distinct text is
    analysed once, and Kiwi spreads the analyses over its worker threads."""
    normalised = [_normalise(text) for text in texts]
    distinct = list(dict.fromkeys(normalised))
    analysed = kiwi().tokenize(distinct) if distinct else []
    terms = {text: _terms_of(_runs_of(tokens)) for text, tokens in zip(distinct, analysed, strict=True)}
    return [list(terms[text]) for text in normalised]


def _terms_of(runs: list[list[_Part]]) -> list[str]:
    terms: list[str] = []
    extras: list[str] = []
    for run in runs:
        terms.extend(part.stem for part in run)
        extras.extend(part.full for part in run if part.full != part.stem)
        if len(run) > 1:
            extras.append("".join(part.full for part in run))
    return terms + extras


@dataclass
class Concept:
    """One concept of a query: ``text`` as the searcher wrote it (index form) and the alternatives
    that match it, each a phrase of index words with its weight (highest first)."""

    text: str
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    weight: float = 1.0
    optional: bool = False
    # the phrases of ``alternatives``, so that adding one is a look-up: a concept with its synonyms is asked
    # to add a few dozen, most of them already there
    _phrases: set[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # its own list: a copy made by `dataclasses.replace` gets another, so that each set follows its list
        self.alternatives = list(self.alternatives)
        self._phrases = {phrase for phrase, _ in self.alternatives}

    def add(self, words: list[str] | str, weight: float) -> None:
        phrase = words if isinstance(words, str) else " ".join(words)
        if phrase and phrase not in self._phrases:
            self._phrases.add(phrase)
            self.alternatives.append((phrase, weight))

    def add_term(self, words: list[str], weight: float) -> None:
        """The words as a phrase and, when there are several, joined into one compound."""
        self.add(words, weight)
        if len(words) > 1:
            self.add("".join(words), weight)


def weighted_query_terms(query: str) -> list[Concept]:
    """The query's concepts with weighted alternatives (see the module docstring)."""
    sequence = [(part, number) for number, run in enumerate(_runs(query)) for part in run]
    index = _query_synonyms()
    concepts: list[Concept] = []
    position = 0
    while position < len(sequence):
        span = _synonym_span(sequence, position, index)
        if span:
            parts = [part for part, _ in sequence[position : position + span]]
            concepts.append(_synonym_concept(parts, index))
            position += span
            continue
        run_number = sequence[position][1]
        end = position
        while (
            end < len(sequence)
            and sequence[end][1] == run_number
            and not (end > position and _synonym_span(sequence, end, index))
        ):
            end += 1
        concepts.append(_compound_concept([part for part, _ in sequence[position:end]]))
        position = end
    specific = [concept for concept in concepts if concept.text not in _GENERIC | _QUERY_STOP]
    return _with_part_concepts(specific or concepts)


def _with_part_concepts(concepts: list[Concept]) -> list[Concept]:
    """Add, for ranking only, each word of a several-word concept as an optional concept of weight
    `PART_WEIGHT`: a service that says 화상 수업 is then found, below 화상 회의, by a query for
    화상 회의. Strict (AND) searches must skip the optional concepts."""
    known = {concept.text for concept in concepts}
    index = _query_synonyms()
    parts: list[Concept] = []
    for concept in concepts:
        for word in concept.alternatives[0][0].split():
            if word in known or word in _GENERIC or word in _QUERY_STOP or len(word) < 2:
                continue
            known.add(word)
            part = Concept(word, [(word, 1.0)], weight=PART_WEIGHT, optional=True)
            for words in index.lookup(word):  # 월급 of 월급 계산 is 급여 too
                if len("".join(words)) > 1 or not _HANGUL_WORD.fullmatch(words[0]):
                    part.add_term(words, SYNONYM_WEIGHT)
            parts.append(part)
    return concepts + parts


def _synonym_span(sequence: list[tuple[_Part, int]], start: int, index: SynonymIndex) -> int:
    """The length of the longest run of words from ``start`` that is a synonym term, or 0."""
    for length in range(min(index.longest, len(sequence) - start), 0, -1):
        parts = [part for part, _ in sequence[start : start + length]]
        if "".join(part.stem for part in parts) in index or "".join(part.full for part in parts) in index:
            return length
    return 0


def _synonym_concept(parts: list[_Part], index: SynonymIndex) -> Concept:
    stems = [part.stem for part in parts]
    fulls = [part.full for part in parts]
    concept = Concept("".join(fulls))
    concept.add_term(fulls, 1.0)
    concept.add_term(stems, SUFFIXLESS_WEIGHT)
    own = set(stems) | set(fulls)
    for key in dict.fromkeys(["".join(fulls), "".join(stems)]):
        for words in index.lookup(key):
            # one word of the query's own compound (관제 of 보안 관제) is broader than it: weighed as a part
            broader = len(parts) > 1 and set(words) < own
            if len("".join(words)) > 1 or not _HANGUL_WORD.fullmatch(words[0]):
                concept.add_term(words, PART_WEIGHT if broader else SYNONYM_WEIGHT)
    return concept


def _compound_concept(parts: list[_Part]) -> Concept:
    """The concept of a compound's words; a generic word glued to it (관리시스템, 보호솔루션) is left out,
    as it would be written apart."""
    parts = [part for part in parts if part.stem not in _GENERIC] or parts
    concept = Concept("".join(part.full for part in parts))
    concept.add_term([part.full for part in parts], 1.0)
    concept.add_term([part.stem for part in parts], SUFFIXLESS_WEIGHT)
    if len(parts) == 1 and (other := _other_number(parts[0].stem)):  # servers finds server, and back
        concept.add(other, SUFFIXLESS_WEIGHT)
        for words in _query_synonyms().lookup(other):  # databases: database = 데이터베이스
            concept.add_term(words, SYNONYM_WEIGHT)
    return concept


def _other_number(word: str) -> str | None:
    """An English noun's singular for its plural (servers → server, policies → policy, searches → search)
    and its plural for its singular (server → servers); None for a word of fewer than four letters or not
    English."""
    if len(word) < 4 or not (word.isascii() and word.isalpha()):
        return None
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word + "s"


def query_terms(query: str) -> list[list[str]]:
    """For each concept of the query, the alternatives that match it (phrases of index words, the
    query's own spelling first). Combine alternatives with OR; concepts with OR to rank or AND to
    filter. A 초성-only query gives no concepts: use `chosung_matches` on names instead."""
    if is_chosung_query(query):
        return []
    concepts = weighted_query_terms(query)
    return [[phrase for phrase, _ in concept.alternatives] for concept in concepts if not concept.optional]


def fts5_match(alternatives: Iterable[str]) -> str:
    """An SQLite FTS5 MATCH expression for one concept: its alternatives as quoted phrases joined
    with OR, e.g. ``"화상 회의" OR "화상회의"``."""
    return " OR ".join('"' + phrase.replace('"', '""') + '"' for phrase in alternatives)
