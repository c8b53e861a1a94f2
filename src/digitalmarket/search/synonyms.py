"""The editable synonym dictionary of search (`synonyms.txt`, next to this module).

The file holds one group a line, ``term = term = term``, ``#`` starting a comment. A line starting
with ``+`` lists words (space-separated) that Kiwi must know as nouns, e.g. loanwords it would
otherwise break apart (도커 → 도/JX + 크/VA). Terms are
analysed like queries by the caller (`SynonymIndex` takes the analysing function), so spacing,
particles and case do not matter. Groups are not chained: a term brings the members of every group
it belongs to, not the groups of those members.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

SYNONYMS_FILE = Path(__file__).with_name("synonyms.txt")


def parse_groups(lines: Iterable[str]) -> list[list[str]]:
    """The groups of a synonym file's lines: comments and blank lines skipped, groups of fewer than
    two terms dropped, each term stripped."""
    groups = []
    for line in lines:
        text = line.split("#", 1)[0].strip()
        if text.startswith("+"):
            continue
        terms = [term.strip() for term in text.split("=") if term.strip()]
        if len(terms) >= 2:
            groups.append(terms)
    return groups


def load_groups(path: Path = SYNONYMS_FILE) -> list[list[str]]:
    """The synonym groups of a file (UTF-8)."""
    return parse_groups(path.read_text(encoding="utf-8").splitlines())


def parse_nouns(lines: Iterable[str]) -> list[str]:
    """The words of the ``+`` lines of a synonym file."""
    words: list[str] = []
    for line in lines:
        text = line.split("#", 1)[0].strip()
        if text.startswith("+"):
            words.extend(text[1:].split())
    return words


def load_nouns(path: Path = SYNONYMS_FILE) -> list[str]:
    """The words a synonym file asks Kiwi to know as nouns."""
    return parse_nouns(path.read_text(encoding="utf-8").splitlines())


class SynonymIndex:
    """Synonym groups keyed by the analysed, space-free spelling of each term.

    ``analyse(term)`` must return the term's words in index form (e.g. ``["화상", "회의"]``);
    `lookup` then takes the same words as found in a query.
    """

    def __init__(self, groups: list[list[str]], analyse: Callable[[str], list[str]]):
        self.groups: list[list[list[str]]] = [[analyse(term) for term in group] for group in groups]
        self._by_key: dict[str, list[int]] = {}
        for number, group in enumerate(self.groups):
            for words in group:
                if words:
                    ids = self._by_key.setdefault("".join(words), [])
                    if number not in ids:
                        ids.append(number)
        self.longest = max((len(words) for group in self.groups for words in group), default=1)

    def __contains__(self, key: str) -> bool:
        return key in self._by_key

    def keys(self) -> list[str]:
        """Every term of every group, space-free (the words a query may name through the vocabulary)."""
        return list(self._by_key)

    def lookup(self, key: str) -> list[list[str]]:
        """Every term (as its words) of every group holding ``key`` (space-free), the key first
        excluded; an empty list when the key is in no group."""
        found: list[list[str]] = []
        seen = {key}
        for number in self._by_key.get(key, []):
            for words in self.groups[number]:
                joined = "".join(words)
                if words and joined not in seen:
                    seen.add(joined)
                    found.append(words)
        return found
