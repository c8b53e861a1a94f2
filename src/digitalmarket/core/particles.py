"""Korean particles (조사) chosen from the word they follow.

A Korean message names a value before a particle: "%(supplier)s이 견적을 냈습니다". Whether the particle is
이 or 가 (을/를, 은/는, 과/와, 으로/로) depends on the value's last syllable, known only when the message is
rendered. Catalogs write either form right after the placeholder (or after closing quotes and brackets
that follow it); `fit` rewrites it for the value before the message is formatted, so that a person reads
"클라우드나래가", "(주)가상소프트가", "ORD-2026-00001이", "2026-11을", never a fallback with both forms.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

#: particle -> (form after a final consonant, form after a vowel)
FORMS = {
    "이": ("이", "가"),
    "가": ("이", "가"),
    "을": ("을", "를"),
    "를": ("을", "를"),
    "은": ("은", "는"),
    "는": ("은", "는"),
    "과": ("과", "와"),
    "와": ("과", "와"),
    "으로": ("으로", "로"),
    "로": ("으로", "로"),
}
_AFTER_PLACEHOLDER = re.compile(r"%\((\w+)\)s([”’\"')\]]*)(으로|이|가|을|를|은|는|과|와|로)(?![가-힣])")
#: how digits and Latin letters are read: the final consonant of the reading (0 none, 8 ㄹ, other: one)
_DIGIT_FINALS = {"0": 21, "1": 8, "2": 0, "3": 16, "4": 0, "5": 0, "6": 1, "7": 8, "8": 8, "9": 0}
_LETTER_FINALS = {"l": 8, "m": 16, "n": 4, "r": 8}
_RIEUL = 8


def final_consonant(word: str) -> int | None:
    """The final consonant (종성 index, 0 for none) of the last syllable of ``word`` as it is read; None
    when it ends in nothing readable."""
    for char in reversed(str(word)):
        if "가" <= char <= "힣":
            return (ord(char) - 0xAC00) % 28
        if char.isdigit() and char in _DIGIT_FINALS:
            return _DIGIT_FINALS[char]
        if char.isascii() and char.isalpha():
            return _LETTER_FINALS.get(char.lower(), 0)
    return None


def particle(word: str, given: str) -> str:
    """The form of the particle ``given`` (either form) that follows ``word``."""
    after_consonant, after_vowel = FORMS[given]
    final = final_consonant(word)
    if final is None:
        return given
    if after_consonant == "으로":
        return after_vowel if final in (0, _RIEUL) else after_consonant
    return after_consonant if final else after_vowel


def fit(template: str, params: Mapping) -> str:
    """``template`` with every particle that follows a placeholder chosen for that placeholder's value."""
    if "%(" not in template:
        return template

    def choose(match: re.Match) -> str:
        name, closing, given = match.groups()
        if name not in params:
            return match.group(0)
        return f"%({name})s{closing}{particle(params[name], given)}"

    return _AFTER_PLACEHOLDER.sub(choose, template)
