"""Hangul helpers for catalog search: 초성 (initial consonants) and typo distances.

Pure functions, no Kiwi: they work on characters only.

- `chosung("화상회의")` is ``"ㅎㅅㅎㅇ"``; `chosung_matches("ㅎㅅㅎㅇ", "온누리 화상회의")` is true.
- `edit_distance` counts character (syllable or letter) edits, an adjacent swap counting as one;
  `jamo_distance` counts edits between the jamo sequences and ranks corrections (크→클 is one jamo).
"""

from __future__ import annotations

_SYLLABLE_FIRST = 0xAC00
_SYLLABLE_LAST = 0xD7A3
_JUNGSEONG_COUNT = 21
_JONGSEONG_COUNT = 28

CHOSEONG = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
JUNGSEONG = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
JONGSEONG = ("", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ")
_CHOSEONG_SET = frozenset(CHOSEONG)
# Each syllable's initial consonant, for str.translate (a catalog's facts spell out every name).
_INITIALS = {
    code: CHOSEONG[(code - _SYLLABLE_FIRST) // (_JUNGSEONG_COUNT * _JONGSEONG_COUNT)]
    for code in range(_SYLLABLE_FIRST, _SYLLABLE_LAST + 1)
}


def is_syllable(char: str) -> bool:
    """True for a precomposed Hangul syllable (가 ... 힣)."""
    return _SYLLABLE_FIRST <= ord(char) <= _SYLLABLE_LAST


def is_jamo_or_syllable(char: str) -> bool:
    """True for a Hangul syllable or a jamo, as a Korean keyboard types it (ㄱ ... ㅣ) or as NFKC writes
    it (U+1100 ... U+11FF)."""
    return is_syllable(char) or "ㄱ" <= char <= "ㅣ" or "\u1100" <= char <= "\u11ff"


def decompose(char: str) -> tuple[str, str, str]:
    """The (초성, 중성, 종성) of a syllable, 종성 ``""`` when there is none."""
    index = ord(char) - _SYLLABLE_FIRST
    lead, rest = divmod(index, _JUNGSEONG_COUNT * _JONGSEONG_COUNT)
    vowel, tail = divmod(rest, _JONGSEONG_COUNT)
    return CHOSEONG[lead], JUNGSEONG[vowel], JONGSEONG[tail]


def to_jamo(text: str) -> str:
    """The text with every syllable spelled out as compatibility jamo (클 → ㅋㅡㄹ)."""
    return "".join("".join(decompose(char)) if is_syllable(char) else char for char in text)


def chosung(text: str) -> str:
    """The 초성 string of a text: each syllable becomes its initial consonant, spaces are dropped,
    Latin letters are lower-cased and other letters and digits kept (``"K8s 관리"`` → ``"k8sㄱㄹ"``)."""
    return "".join(filter(str.isalnum, text.lower().translate(_INITIALS)))


def is_chosung_query(query: str) -> bool:
    """True when the query is written in initial consonants only (ㅎㅅㅎㅇ), at least two of them;
    spaces are allowed."""
    letters = [char for char in query if not char.isspace()]
    return len(letters) >= 2 and all(char in _CHOSEONG_SET for char in letters)


def chosung_matches(query: str, name: str) -> bool:
    """True when the query's consonants appear, in a row, among the name's 초성 (spaces ignored).

    A query may mix consonants and whole syllables (``"화ㅅ회의"``): a syllable must then match
    exactly and a consonant matches any syllable with that 초성."""
    pattern = [char.lower() for char in query if not char.isspace()]
    letters = [char.lower() for char in name if char.isalnum()]
    if not pattern:
        return False
    for start in range(len(letters) - len(pattern) + 1):
        if all(_char_matches(want, have) for want, have in zip(pattern, letters[start:], strict=False)):
            return True
    return False


def _char_matches(want: str, have: str) -> bool:
    if want == have:
        return True
    return want in _CHOSEONG_SET and is_syllable(have) and decompose(have)[0] == want


def edit_distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of two
    adjacent characters each cost one."""
    if a == b:
        return 0
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def jamo_distance(a: str, b: str) -> int:
    """Edit distance between the jamo spellings of two words (클라우드/크라우드 → 1)."""
    return edit_distance(to_jamo(a), to_jamo(b))
