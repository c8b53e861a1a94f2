"""Page sections that later stages add to an earlier stage's page, through an explicit registry.

A page's owner declares that its page takes sections (``SECTIONS = sections.Page("service")`` in
`catalog/pages.py`) and adds, when rendering, the context each section gives:
``for section in SECTIONS: context.update(section(session, obj, actor))``. Which functions those are is
written in one place, `digitalmarket.subscribers.install`, called at start-up: the owner imports none of
them, and no module adds itself to a list by being imported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

Section = Callable[..., dict]  # (session, the page's object, actor) -> context

_registry: dict[str, tuple[Section, ...]] = {}


class Page:
    """A page that takes sections from later stages, by name; iterating gives the installed sections."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __iter__(self) -> Iterator[Section]:
        return iter(_registry.get(self.name, ()))


def install(pages: Mapping[str, Sequence[Section]]) -> None:
    """Replace the registry: for each page's name, its sections in the order they render."""
    global _registry
    _registry = {name: tuple(found) for name, found in pages.items()}
