"""Korean particles (조사) chosen from the word they follow.

A Korean message names a value before a particle: "%(supplier)s이 견적을 냈습니다". Whether the particle is
이 or 가 (을/를, 은/는, 과/와, 으로/로) depends on the value's last syllable, known only when the message is
rendered. Catalogs write either form right after the placeholder (or after closing quotes and brackets
that follow it); `fit` rewrites it for the value before the message is formatted, so that a person reads
"클라우드나래가", "(주)가상소프트가", "ORD-2026-00001이", "2026-11을", never a fallback with both forms.

An aside in brackets is not what the particle follows, as Korean is written: after "%(id)s번(%(name)s)" it
follows 번, after "%(invoice)s(%(month)s)" the invoice's code ("INV-2026-00835(2026-11)를"), and a value that
ends in an aside takes the particle of the word before it. A legal form after a company's name is read with
it: "하늘정보통신(주)가".
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
#: a placeholder with what closes after it and its particle; when the placeholder is an aside in brackets
#: ("%(invoice)s(%(month)s)를", "%(id)s번(%(name)s)이"), what comes before the bracket: a placeholder or a
#: letter of the message
_AFTER_PLACEHOLDER = re.compile(
    r"(?:(?:%\((?P<before>\w+)\)s|(?P<letter>[가-힣A-Za-z0-9]))\()?"
    r"%\((?P<name>\w+)\)s(?P<closing>[”’\"')\]]*)(?P<particle>으로|이|가|을|를|은|는|과|와|로)(?![가-힣])"
)
#: how digits and Latin letters are read: the final consonant of the reading (0 none, 8 ㄹ, other: one)
_DIGIT_FINALS = {"0": 21, "1": 8, "2": 0, "3": 16, "4": 0, "5": 0, "6": 1, "7": 8, "8": 8, "9": 0}
_LETTER_FINALS = {"l": 8, "m": 16, "n": 4, "r": 8}
_RIEUL = 8
_TRAILING_ASIDE = re.compile(r"\s*(\([^()]*\)|\[[^\[\]]*\])\s*$")


#: a company's legal form written after its name, read aloud as part of it: "하늘정보통신(주)가" (주), as
#: "미르시스템즈 주식회사는" is read; not an aside
_LEGAL_FORMS = frozenset({"(주)", "(유)", "(사)", "(재)", "(합)"})


def _without_asides(word: str) -> str:
    """``word`` without the asides in brackets at its end, unless nothing would be left; a legal form such
    as (주) is no aside (`_LEGAL_FORMS`)."""
    while (aside := _TRAILING_ASIDE.search(word)) and aside.start() > 0 and aside.group(1) not in _LEGAL_FORMS:
        word = word[: aside.start()]
    return word


def final_consonant(word: str) -> int | None:
    """The final consonant (종성 index, 0 for none) of the last syllable of ``word`` as it is read; None
    when it ends in nothing readable. An aside in brackets at the end is not read (`_without_asides`)."""
    for char in reversed(_without_asides(str(word))):
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
        before, letter, name, closing, given = match.group("before", "letter", "name", "closing", "particle")
        opening = match.group(0)[: match.start("name") - match.start() - 2]  # what precedes "%(name)s"
        if (before or letter) and closing.startswith(")"):  # an aside: the particle follows the word before it
            word = params.get(before) if before else letter
        else:
            word = params.get(name)
        if word is None:
            return match.group(0)
        return f"{opening}%({name})s{closing}{particle(word, given)}"

    return _AFTER_PLACEHOLDER.sub(choose, template)
