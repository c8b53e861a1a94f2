"""Highlighted snippets: where a result's text says what the searcher asked for.

Every place where one of the query's index words is written is marked, and touching marks are merged
(화상 + 회의 → one mark over 화상회의). Marks are character offsets, so pages and API clients escape the
text themselves. No analysis runs here: a snippet costs a few string searches.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

WINDOW = 120  # characters of a long text shown around its first mark


@dataclass(frozen=True)
class Snippet:
    text: str
    marks: tuple[tuple[int, int], ...]  # [start, end) character offsets into text

    def parts(self) -> list[tuple[str, bool]]:
        """The text cut into (piece, marked) pairs, in order."""
        out, position = [], 0
        for start, end in self.marks:
            if start > position:
                out.append((self.text[position:start], False))
            out.append((self.text[start:end], True))
            position = end
        if position < len(self.text):
            out.append((self.text[position:], False))
        return out


def marks(text: str, words: frozenset[str] | set[str]) -> list[tuple[int, int]]:
    """The spans of a (NFKC-normalised) text where one of ``words`` is written, case aside, merged when
    they overlap or touch. Index words are nouns and stems without particles, so 회의 marks the 회의 of
    회의를; one-syllable Korean words are not marked (they would light up inside unrelated words)."""
    lowered = text.lower()
    spans: list[tuple[int, int]] = []
    for word in words:
        if len(word) < 2 and not word.isascii():
            continue
        start = lowered.find(word)
        while start >= 0:
            spans.append((start, start + len(word)))
            start = lowered.find(word, start + len(word))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and merged[-1][1] >= start:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def snippet(summary: str, description: str, words: frozenset[str] | set[str]) -> Snippet:
    """The summary with its marks when it has any, else a window of the description around its first
    mark, else the plain summary."""
    summary = unicodedata.normalize("NFKC", summary or "")
    found = marks(summary, words)
    if found or not description:
        return Snippet(summary, tuple(found))
    description = unicodedata.normalize("NFKC", description)
    found = marks(description, words)
    if not found:
        return Snippet(summary, ())
    start = max(0, found[0][0] - WINDOW // 3)
    end = min(len(description), start + WINDOW)
    prefix = "…" if start else ""
    suffix = "…" if end < len(description) else ""
    text = prefix + description[start:end] + suffix
    shift = len(prefix) - start
    inside = tuple((a + shift, min(b, end) + shift) for a, b in found if a >= start and a < end)
    return Snippet(text, inside)
