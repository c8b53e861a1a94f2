"""Misspellings: the index words near a query word that the index does not hold, and the query as the
buyer probably meant it (docs/search.md "Misspellings").

A word of 4 or more syllables or letters is corrected by one edit (a character inserted, removed, replaced
or two swapped); a Hangul word of 2 or 3 syllables by one jamo, within as many syllables (쳇봇 → 챗봇). The
corrections are searched along with what was written, at `TYPO_WEIGHT`; `corrected_query` is what the page
offers as "이것을 찾으셨나요" and the API as ``did_you_mean``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from functools import cache, lru_cache

from .analyzer import (
    SYNONYM_WEIGHT,
    Concept,
    _normalise,
    _other_number,
    _query_synonyms,
    index_terms,
    kiwi,
    says_nothing,
)
from .hangul import decompose, edit_distance, is_jamo_or_syllable, is_syllable, jamo_distance
from .layout import hangul_from_keys, keys_from_hangul, typing_distance

TYPO_WEIGHT = 0.8
#: How much a correction's frequency (services holding it) brings it nearer than its typing distance: 10
#: services count as much as a slip against another key.
COMMON_WEIGHT = 0.75
TYPO_MIN_LENGTH = 4
#: Syllables of the Hangul words whose typos are corrected by jamo (`typo_candidates`).
SHORT_TYPO_LENGTHS = (2, 3)


def typo_candidates(term: str, vocabulary: Iterable[str], frequency: Callable[[str], int] | None = None) -> list[str]:
    """The known words one edit away from a query term: two letters swapped first, then the nearest, that is
    the closest on the keyboard (`layout.typing_distance`: a neighbouring key, shift or a doubled key is a
    slip, nearer than another key) less `COMMON_WEIGHT` times the log of the number of services holding the
    word (``frequency``: a buyer more likely meant a common word than a rare one; 보안 for 본안, not 본인); the term
    itself is never a candidate. A term of at least 4 syllables or letters: a character inserted,
    removed, replaced, or two swapped. A Hangul word of 2 or 3 syllables, where one syllable more or
    less is another word: one jamo replaced, added or removed within the same number of syllables
    (쳇봇 → 챗봇, 써버 → 서버). A three-letter Latin word (an abbreviation): one letter replaced or two
    swapped (VID → VDI, CND → CDN), a swap before a replacement."""
    term = term.lower()
    if len(term) >= TYPO_MIN_LENGTH:
        found = {
            word
            for word in vocabulary
            if len(word) >= TYPO_MIN_LENGTH
            and abs(len(word) - len(term)) <= 1
            and word != term
            and edit_distance(term, word) == 1
        }
    elif is_short_hangul(term):
        found = {
            word for word in vocabulary if len(word) == len(term) and word != term and jamo_distance(term, word) == 1
        }
    elif is_short_latin(term):
        found = {
            word for word in vocabulary if is_short_latin(word) and word != term and edit_distance(term, word) == 1
        }
    else:
        return []
    common = frequency or (lambda word: 0)

    def closeness(word: str) -> tuple:
        near = typing_distance(term, word) - COMMON_WEIGHT * math.log10(1 + common(word))
        return (sorted(word) != sorted(term), near, -common(word), word)  # two letters swapped first

    return sorted(found, key=closeness)


def is_short_hangul(word: str) -> bool:
    """A word of `SHORT_TYPO_LENGTHS` syllables, all Hangul: its typos are corrected jamo by jamo."""
    return len(word) in SHORT_TYPO_LENGTHS and all(map(is_syllable, word))


def is_short_latin(word: str) -> bool:
    """A word of three Latin letters (VDI, MSP, CDN): its typos are corrected letter by letter."""
    return len(word) == 3 and word.isascii() and word.isalpha()


def looks_broken(query: str, concepts: list[Concept]) -> bool:
    """Whether the analysis cut a written word into a lone syllable (보안읜증 → 보안 + 의 + ㄴ + 증), or left
    out `LOST` syllables or more of a Hangul word of `GLUED_MIN_LENGTH` (건걍상담 → 상담): a misspelt word can
    yield pieces that each exist, or pieces that are dropped, so nothing looks unknown."""
    written = _normalise(query).lower().split()
    cut = any(
        not concept.optional
        and len(concept.text) == 1
        and is_syllable(concept.text)
        and not any(concept.text in _forms(word) for word in written)
        for concept in concepts
    )
    kept = "".join(concept.text for concept in concepts)
    return cut or any(_dropped(_forms(word)[-1], kept) for word in written)


def _dropped(form: str, kept: str) -> bool:
    """Whether `LOST` syllables or more of a long Hangul word are in none of the query's concepts."""
    if len(form) < GLUED_MIN_LENGTH or not all(map(is_syllable, form)):
        return False
    return sum(1 for char in form if char not in kept) >= LOST


def as_corrected(corrected: list[Concept], unmatched: list[Concept]) -> list[Concept]:
    """The concepts of the query as corrected (analysed again, so that a corrected word joins its
    compound and its synonym groups: 온나인 교육 → 온라인 교육 = 이러닝), with the other corrections of
    each unmatched concept (`with_typo_corrections`) as further alternatives of the corrected concept
    they share a phrase with; corrections of a piece the analysis cut from a misspelt word (온나인 →
    온 + 나인) that no corrected concept shares are left out: the written word's correction replaced them."""
    for concept in unmatched:
        phrases = {phrase for phrase, _ in concept.alternatives}
        home = next((c for c in corrected if phrases & {phrase for phrase, _ in c.alternatives}), None)
        for phrase, weight in concept.alternatives if home is not None else ():
            home.add(phrase, weight)
    return corrected


def with_typo_corrections(concepts: list[Concept], vocabulary) -> list[Concept]:
    """The concepts, where no alternative can match the vocabulary, with the typo corrections of
    their unknown words added (weight `TYPO_WEIGHT`, and the corrections' synonyms below that).
    ``vocabulary`` is a set of index terms, or an object that also offers ``neighbours(word)`` (the
    words one edit away, e.g. `facts.Facts`), which saves comparing the word with every term."""
    index = _query_synonyms()
    for concept in concepts:
        if any(all(word in vocabulary for word in phrase.split()) for phrase, _ in concept.alternatives):
            continue
        for phrase, weight in list(concept.alternatives):
            words = phrase.split()
            for position, word in enumerate(words):
                if word in vocabulary:
                    continue
                for correction in _near(word, vocabulary)[:3]:
                    fixed = [*words[:position], correction, *words[position + 1 :]]
                    concept.add(fixed, weight * TYPO_WEIGHT)
                    for synonym in index.lookup("".join(fixed)):
                        concept.add_term(synonym, weight * TYPO_WEIGHT * SYNONYM_WEIGHT)
    return concepts


_PARTICLES = ("으로", "에서", "에게", "까지", "부터", "처럼", "보다", *"을를이가은는에의로도와과만")


def _forms(word: str) -> list[str]:
    """A written word (lower case) and the word without each particle it may end with (그룹웨어를 → 그룹웨어)."""
    return [word] + [word[: -len(p)] for p in _PARTICLES if word.endswith(p) and len(word) > len(p)]


def _near(form: str, vocabulary) -> list[str]:
    """The corrections of one form, closest first (through `facts.Facts.neighbours` when offered), without
    those that would turn a Korean word into another (`_plausible`)."""
    near = vocabulary.neighbours(form) if hasattr(vocabulary, "neighbours") else vocabulary
    candidates = typo_candidates(form, near, getattr(vocabulary, "frequency", None))
    if candidates and not _plausible(form, candidates[0]):
        return []  # a word of its own, which its likeliest correction would change: not the next one either
    return [word for word in candidates if _plausible(form, word)]


#: How much likelier, as Kiwi's language model scores them (log-probability), a correction must be than a
#: word Kiwi knows: 크라우드 (−28.5) is a misspelt 클라우드 (−20.6); 산불 (−18.5) is a word of its own, not a
#: misspelt 산출 (−19.4), and 구청 (−19.2) no misspelt 구성 (−17.1).
LIKELIER = 4.0
#: The lowest score of a morpheme Kiwi knows; a word it does not know scores lower (쳇봇 −26.8, 산불 −11.9).
KNOWN_MORPHEME = -16.0
# letters that sound alike, so a word written with one for the other is a misspelling even when both are
# words (써버 for 서버): plain and tense consonants, ㅐ/ㅔ and their kin; final consonants by their sound
_SOUND_ALIKE = [set(letters) for letters in ("ㄱㄲ", "ㄷㄸ", "ㅂㅃ", "ㅅㅆ", "ㅈㅉ", "ㅐㅔ", "ㅒㅖ", "ㅙㅚㅞ")]
_FINAL_SOUNDS = [
    set(letters) for letters in ("ㄱㄲㅋㄳㄺ", "ㄷㅅㅆㅈㅊㅌㅎ", "ㅂㅍㅄㄿ", "ㄴㄵㄶ", "ㄹㄼㄽㄾㅀ", "ㅁㄻ")
]


def _plausible(written: str, correction: str) -> bool:
    """Whether a Hangul word the index lacks may be read as ``correction``: unless it is a Korean word of its
    own, one morpheme Kiwi knows (산불, 화성, 구청, 매일 are not 산출, 화상, 구성, 메일), that is unless the
    correction is `LIKELIER` likelier, or sounds alike and is the commoner morpheme (써버, 서버). Latin
    words are always plausible."""
    if not all(map(is_syllable, written)) or not all(map(is_syllable, correction)):
        return True
    known, likelihood, morpheme = _as_word(written)
    if not known:
        return True
    _, likelihood_meant, morpheme_meant = _as_word(correction)
    if _sound_alike(written, correction) and morpheme + 1 < morpheme_meant:
        return True
    return likelihood + LIKELIER < likelihood_meant and _related(written, correction)


#: How alike two words Kiwi knows must be in meaning (the cosine of its language model's morpheme vectors,
#: `Kiwi.morpheme_similarity`) for one to be read as a misspelling of the other: a spelling of the same word
#: is close (크라우드 and 클라우드 0.73, 데이타 and 데이터 0.69), a word of its own far (장부 and 정부 0.15), whatever
#: their letters share and however much commoner the other is.
RELATED = 0.5


@lru_cache(maxsize=4096)
def _related(written: str, correction: str) -> bool:
    """Whether Kiwi's morpheme vectors put the two words near each other (`RELATED`); True when it cannot
    tell (a word with no vector, or with several senses), so that only a measured distance refuses."""
    try:
        return kiwi().morpheme_similarity(written, correction) >= RELATED
    except ValueError:
        return True


def _sound_alike(one: str, other: str) -> bool:
    """Two words of as many syllables that differ in one letter of one syllable, letters that sound alike."""
    if len(one) != len(other):
        return False
    differ = [(decompose(a), decompose(b)) for a, b in zip(one, other, strict=True) if a != b]
    if len(differ) != 1:
        return False
    (first, vowel, final), (first2, vowel2, final2) = differ[0]
    changed = [(x, y) for x, y in ((first, first2), (vowel, vowel2), (final, final2)) if x != y]
    if len(changed) != 1:
        return False
    x, y = changed[0]
    groups = _FINAL_SOUNDS if final != final2 else _SOUND_ALIKE
    return any(x in group and y in group for group in groups)


@lru_cache(maxsize=4096)
def _verb_form(word: str) -> bool:
    """Whether Kiwi reads a Hangul word as a verb or adjective it knows with its endings (막기: 막 + 기, 아픈:
    아프 + ㄴ, 다니는: 다니 + 는), or a noun it knows made a verb (접속해야: 접속 + 하 + 어야): a word of its own,
    which one jamo changes into a catalog word (맡기, 오픈, 단지는) as easily as a misspelling (변한 for 변환);
    only the words around it tell them apart (`_likelier`)."""
    if not all(map(is_syllable, word)):
        return False
    tokens, _ = kiwi().analyze(word, top_n=1)[0]
    stem, *endings = tokens
    if stem.score < KNOWN_MORPHEME or stem.oov or not endings:
        return False
    if stem.tag.startswith("V"):
        return all(token.tag.startswith("E") for token in endings)
    # a noun Kiwi knows made a verb with 하다 or 되다 (접속해야: 접속 + 하 + 어야, 자동화된, 분석해 주는)
    return (
        stem.tag in ("NNG", "NNP")
        and any(token.tag in ("XSV", "XSA") for token in endings)
        and all(token.tag in ("XSN", "XSV", "XSA", "VX") or token.tag.startswith("E") for token in endings)
    )


def _likelier(words: list[str], position: int, form: str, correction: str) -> bool:
    """Whether the query reads `LIKELIER` likelier as Korean, by Kiwi's language model, with the word at
    ``position`` (its form ``form``) corrected: 파일 변한 is 파일 변환, but 해킹 막기 is no 해킹 맡기, 아픈 아이 돌봄
    no 오픈 아이 돌봄."""
    fixed = [*words[:position], correction + words[position][len(form) :], *words[position + 1 :]]
    return _score(" ".join(words)) + LIKELIER < _score(" ".join(fixed))


@lru_cache(maxsize=4096)
def _score(text: str) -> float:
    return kiwi().analyze(text, top_n=1)[0][1]


@lru_cache(maxsize=4096)
def _as_word(word: str) -> tuple[bool, float, float]:
    """Whether Kiwi knows the word as one morpheme, the score of its best analysis (a log-probability) and
    of its morpheme (-inf when it is several)."""
    tokens, score = kiwi().analyze(word, top_n=1)[0]
    if len(tokens) != 1 or tokens[0].form != word:
        return False, score, float("-inf")
    return tokens[0].score >= KNOWN_MORPHEME, score, tokens[0].score


def _known(word: str, vocabulary) -> bool:
    return vocabulary.is_known(word) if hasattr(vocabulary, "is_known") else word in vocabulary


def _script_runs(word: str) -> list[str]:
    """A word cut where Hangul meets Latin letters or digits (ai쳇봇 → ai, 쳇봇)."""
    runs: list[str] = []
    for char in word:
        if runs and is_syllable(char) == is_syllable(runs[-1][-1]):
            runs[-1] += char
        else:
            runs.append(char)
    return runs


def surface_typo_concepts(query: str, vocabulary) -> list[Concept]:
    """Concepts for the query's written words (a trailing particle aside) that are not in the
    vocabulary but one edit away from words that are. Kiwi may cut a misspelt word into pieces that
    mean nothing (그룹웨여 → 그룹 + 웨 + 여); the word as written still finds 그룹웨어."""
    index = _query_synonyms()
    concepts: list[Concept] = []
    for written in _normalise(query).lower().split():
        forms = _forms(written)
        if says_nothing(written) or any(form in vocabulary for form in forms):
            continue
        concept = Concept(written, weight=1.0)
        for form in forms:
            for correction in _near(form, vocabulary)[:3]:
                concept.add([correction], TYPO_WEIGHT)
                for synonym in index.lookup(correction):
                    concept.add_term(synonym, TYPO_WEIGHT * SYNONYM_WEIGHT)
        if concept.alternatives:
            concepts.append(concept)
    return concepts


def corrected_query(query: str, vocabulary) -> str | None:
    """The query as the buyer probably meant it: each written word that is not known (`_known`: the
    index's vocabulary or the synonym dictionary; a trailing particle aside) replaced by its closest
    correction (`typo_candidates`), a word mixing Hangul and Latin letters run by run (ai쳇봇 → ai챗봇), a
    word typed with the other input mode on by the keys it took (cotqht → 챗봇, `layout.py`);
    None when no word was corrected. What the page offers as "이것을 찾으셨나요" and the API as
    ``did_you_mean``."""
    words, changed = [], False
    written_words = query.split()
    for position, typed in enumerate(written_words):  # a word left as it is stays as typed (NFKC: ㅁ into ᄆ)
        written = _normalise(typed)
        lowered = written.lower()
        forms = _forms(lowered)
        terms = index_terms(written)
        # an English word is known in its other number too (sensors: sensor), never corrected into another
        whole = any(_known(form, vocabulary) or _known(_other_number(form) or "", vocabulary) for form in forms)
        read = terms and all(term in vocabulary for term in terms) and not _cut(lowered, terms)
        if whole or says_nothing(lowered) or read and not _lost(forms[-1], terms):
            words.append(typed)
            continue
        correction = _other_layout(written, vocabulary)
        verb = _verb_form(lowered)
        for form in forms if correction is None else ():
            candidates = _near(form, vocabulary)
            if candidates and verb:  # a verb form stays unless the query reads likelier corrected
                candidates = [word for word in candidates if _likelier(written_words, position, form, word)]
            if candidates:
                correction = candidates[0] + lowered[len(form) :]
                break
        if correction is None and verb:  # nor is it read as glued words (접속해야 as 접속 + 해양)
            words.append(typed)
            continue
        if correction is None:
            correction = _corrected_runs(lowered, vocabulary)
        for form in forms if correction is None else ():
            correction = _corrected_parts(form, vocabulary)
            if correction is not None:
                correction += lowered[len(form) :]
                break
        words.append(correction or typed)
        changed = changed or correction is not None
    return " ".join(words) if changed else None


def _other_layout(written: str, vocabulary) -> str | None:
    """The word the keys of ``written`` type in the other input mode, when the catalog knows it: Latin
    letters typed meaning Korean (``cotqht`` → 챗봇) or Hangul typed meaning English (``ㅍㅇㅑ`` → vdi)."""
    converted = hangul_from_keys(written)
    if converted is None and any(map(is_jamo_or_syllable, written)):
        converted = keys_from_hangul(written)
    if converted is None or len(converted) < 2:
        return None
    terms = index_terms(converted)
    if _known(converted.lower(), vocabulary) or terms and all(_known(term, vocabulary) for term in terms):
        return converted.lower() if converted.isascii() else converted
    return None


#: Syllables of a Hangul word that its analysis may leave out before the word counts as misspelt (`_lost`).
LOST = 2


def _lost(word: str, terms: list[str]) -> bool:
    """Whether the analysis of a Hangul word left out `LOST` syllables or more of it: Kiwi reads 건걍상담 as 상담
    alone and 개인정보본호 as 개인정보, so the misspelt part looks like no word at all, not like an unknown one."""
    return all(map(is_syllable, word)) and len(word) - max(map(len, terms), default=0) >= LOST


def _cut(word: str, terms: list[str]) -> bool:
    """Whether the analysis left a lone syllable of a longer written word (see `looks_broken`): 첫봇 is read
    as 첫 + 봇, and 봇 is known."""
    return len(word) >= 2 and any(len(term) == 1 and is_syllable(term) and term != word for term in terms)


#: The fewest syllables of a glued word read as its parts (`_corrected_parts`), and of each part.
GLUED_MIN_LENGTH, PART_MIN_LENGTH = 4, 2


def _corrected_parts(word: str, vocabulary) -> str | None:
    """A Hangul word glued from known words, one of them misspelt (인사관리시스탬 → 인사관리시스템,
    클라우드벡업 → 클라우드백업): Kiwi reads such a word as one unknown noun, and no known word is one edit
    from the whole. Cut where each part is a known word or one correction away, at most one part corrected,
    longer known parts first; None when no cut does."""
    if len(word) < GLUED_MIN_LENGTH or not all(map(is_syllable, word)):
        return None

    @cache
    def read(rest: str, corrections: int) -> tuple[int, str] | None:
        """(corrections used, the parts as meant) for the rest of the word, the fewest corrections."""
        if _known(rest, vocabulary):
            return 0, rest
        best = None
        if corrections and len(rest) >= PART_MIN_LENGTH:
            candidates = _near(rest, vocabulary)
            best = (1, candidates[0]) if candidates else None
        for cut in range(len(rest) - PART_MIN_LENGTH, PART_MIN_LENGTH - 1, -1):
            head, tail = rest[:cut], rest[cut:]
            if not _known(head, vocabulary):
                candidates = _near(head, vocabulary) if corrections else []
                if not candidates:
                    continue
                head, used = candidates[0], 1
            else:
                used = 0
            after = read(tail, corrections - used)
            if after is not None and (best is None or used + after[0] < best[0]):
                best = (used + after[0], head + after[1])
        return best

    found = read(word, 1)
    return found[1] if found is not None and found[0] == 1 else None


def _corrected_runs(word: str, vocabulary) -> str | None:
    """A word mixing scripts with each unknown run corrected, or None when none could be."""
    runs = _script_runs(word)
    if len(runs) < 2:
        return None
    fixed, changed = [], False
    for run in runs:
        candidates = [] if _known(run, vocabulary) else _near(run, vocabulary)
        fixed.append(candidates[0] if candidates else run)
        changed = changed or bool(candidates)
    return "".join(fixed) if changed else None
