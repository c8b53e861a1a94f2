"""The Korean keyboard (두벌식) and the English one share their keys: a word typed with the wrong input mode
on is the right word's keystrokes read in the other alphabet. 챗봇 typed with the English mode on is
``cotqht``; cloud typed with the Korean mode on is ``치ㅐㅕㅇ``.

Pure functions, no Kiwi. `hangul_from_keys` reads Latin letters as the Korean keys they sit on and puts
the jamo together as a Korean input method does (`None` when a jamo is left over: English words mostly
leave one); `keys_from_hangul` gives back the keys of Hangul text. `typos.corrected_query` uses them on a
word the catalog does not know.
"""

from __future__ import annotations

import unicodedata

from .hangul import CHOSEONG, JONGSEONG, JUNGSEONG, decompose, is_syllable

_KEYS = dict(zip("qwertyuiopasdfghjklzxcvbnm", "ㅂㅈㄷㄱㅅㅛㅕㅑㅐㅔㅁㄴㅇㄹㅎㅗㅓㅏㅣㅋㅌㅊㅍㅠㅜㅡ", strict=True))
_SHIFTED = {"Q": "ㅃ", "W": "ㅉ", "E": "ㄸ", "R": "ㄲ", "T": "ㅆ", "O": "ㅒ", "P": "ㅖ"}
_VOWELS = frozenset(JUNGSEONG)
# two keys that make one vowel (ㅗ + ㅏ = ㅘ) or one final consonant (ㄹ + ㄱ = ㄺ)
_VOWEL_PAIRS = {"ㅗㅏ": "ㅘ", "ㅗㅐ": "ㅙ", "ㅗㅣ": "ㅚ", "ㅜㅓ": "ㅝ", "ㅜㅔ": "ㅞ", "ㅜㅣ": "ㅟ", "ㅡㅣ": "ㅢ"}
_FINAL_PAIRS = {
    "ㄱㅅ": "ㄳ", "ㄴㅈ": "ㄵ", "ㄴㅎ": "ㄶ", "ㄹㄱ": "ㄺ", "ㄹㅁ": "ㄻ", "ㄹㅂ": "ㄼ",
    "ㄹㅅ": "ㄽ", "ㄹㅌ": "ㄾ", "ㄹㅍ": "ㄿ", "ㄹㅎ": "ㅀ", "ㅂㅅ": "ㅄ",
}  # fmt: skip
_FINALS = frozenset(JONGSEONG[1:])
_SPLIT = {one: pair for pair, one in {**_VOWEL_PAIRS, **_FINAL_PAIRS}.items()}
_LETTERS = {jamo: key for key, jamo in _KEYS.items()} | {jamo: key for key, jamo in _SHIFTED.items()}
# NFKC (which queries go through) writes a lone jamo as its conjoining form (ㅐ U+3150 → U+1162): back
_COMPATIBLE = {unicodedata.normalize("NFKC", chr(code)): chr(code) for code in range(0x3131, 0x3164)}


def hangul_from_keys(word: str) -> str | None:
    """The Hangul that the keys of a Latin word type in Korean mode (``cotqht`` → 챗봇, ``ghkdtkd`` → 화상),
    or None when the word has other characters or its keys leave a jamo that belongs to no syllable
    (most English words: ``cloud`` → ㅊㅣㅐㅕㅇ)."""
    if not word.isascii() or not word.isalpha():
        return None
    jamo = [_SHIFTED.get(char) or _KEYS[char.lower()] for char in word]
    syllables: list[str] = []
    at = 0
    while at < len(jamo):
        if jamo[at] in _VOWELS or at + 1 >= len(jamo) or jamo[at + 1] not in _VOWELS:
            return None  # a vowel without its consonant, or a consonant without its vowel
        first, vowel = jamo[at], jamo[at + 1]
        at += 2
        if at < len(jamo) and vowel + jamo[at] in _VOWEL_PAIRS:
            vowel, at = _VOWEL_PAIRS[vowel + jamo[at]], at + 1
        final = ""
        if at < len(jamo) and jamo[at] in _FINALS and not _starts_syllable(jamo, at):
            final, at = jamo[at], at + 1
            if at < len(jamo) and final + jamo[at] in _FINAL_PAIRS and not _starts_syllable(jamo, at):
                final, at = _FINAL_PAIRS[final + jamo[at]], at + 1
        syllables.append(_syllable(first, vowel, final))
    return "".join(syllables)


def _starts_syllable(jamo: list[str], at: int) -> bool:
    return at + 1 < len(jamo) and jamo[at + 1] in _VOWELS


def _syllable(first: str, vowel: str, final: str) -> str:
    code = (CHOSEONG.index(first) * len(JUNGSEONG) + JUNGSEONG.index(vowel)) * len(JONGSEONG)
    return chr(0xAC00 + code + JONGSEONG.index(final))


def keys_from_hangul(word: str) -> str | None:
    """The Latin keys that type a Hangul word in Korean mode (``치ㅐㅕㅇ`` → cloud, ``ㅍㅇㅑ`` → vdi; a jamo
    in either of its code points), or None when the word has a character that is neither a syllable nor
    a jamo of the keyboard."""
    keys: list[str] = []
    for char in word:
        for jamo in decompose(char) if is_syllable(char) else (_COMPATIBLE.get(char, char),):
            for single in _SPLIT.get(jamo, jamo):
                if single not in _LETTERS:
                    return None
                keys.append(_LETTERS[single])
    return "".join(keys) or None


_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_ROW_SHIFT = (0.0, 0.25, 0.75)  # how far each row sits to the right of the one above
_PLACES = {key: (row, col + _ROW_SHIFT[row]) for row, keys in enumerate(_ROWS) for col, key in enumerate(keys)}
SLIP = 0.5
"""The cost of a slip (`typing_distance`): a neighbouring key, the shift key missed or held (ㅅ/ㅆ), a key
struck twice or a doubled key once, two keys in the wrong order."""


def adjacent_keys(a: str, b: str) -> bool:
    """Whether two keys touch on the keyboard (ㅓ j and ㅏ k, ㅐ o and ㅔ p), or are one key with and without
    shift (ㅅ t and ㅆ T)."""
    if a.lower() == b.lower():
        return a != b
    one, other = _PLACES.get(a.lower()), _PLACES.get(b.lower())
    if one is None or other is None:
        return False
    return abs(one[0] - other[0]) <= 1 and abs(one[1] - other[1]) <= (1.0 if one[0] == other[0] else 0.8)


def typing_distance(a: str, b: str) -> float:
    """How far apart two words are as typed on the 두벌식 keyboard: the edit distance between their keys
    (`keys_from_hangul` for Hangul, the letters for Latin), where a slip costs `SLIP` and any other edit 1
    (a neighbouring key for another, shift missed, a key struck twice or a double key struck once, two
    keys swapped). 챗봇
    typed 쳇봇 is a slip (ㅐ o → ㅔ p); 산출 for 산불 is not (ㅊ c and ㅂ q are far apart)."""
    keys_a, keys_b = keys_from_hangul(a) or a, keys_from_hangul(b) or b
    if keys_a == keys_b:
        return 0.0
    previous2: list[float] = []
    previous = [index * 1.0 for index in range(len(keys_b) + 1)]
    for i, char_a in enumerate(keys_a, start=1):
        current = [float(i)] + [0.0] * len(keys_b)
        for j, char_b in enumerate(keys_b, start=1):
            substitute = 0.0 if char_a == char_b else (SLIP if adjacent_keys(char_a, char_b) else 1.0)
            delete = SLIP if i > 1 and keys_a[i - 2] == char_a else 1.0  # a key struck twice
            insert = SLIP if j > 1 and keys_b[j - 2] == char_b else 1.0  # a doubled key struck once
            current[j] = min(previous[j] + delete, current[j - 1] + insert, previous[j - 1] + substitute)
            if i > 1 and j > 1 and char_a == keys_b[j - 2] and keys_a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + SLIP)  # two keys struck in the wrong order
        previous2, previous = previous, current
    return previous[-1]
