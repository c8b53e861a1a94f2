"""Messages in Korean (default) and English through Babel catalogs.

The catalogs are the ``.po`` files under ``digitalmarket/locale``; they are compiled in memory when
first used, so no build step stands between an edit and a running server. Message ids are English.
``N_`` marks a message for extraction and carries its parameters until the reader's locale is known.
"""

from __future__ import annotations

import io
import threading
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from . import particles

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
SUPPORTED_LOCALES = ("ko", "en")
DEFAULT_LOCALE = "ko"

current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


@dataclass(frozen=True)
class Text:
    """A message waiting for a locale: an English msgid and its parameters."""

    msgid: str
    params: dict = field(default_factory=dict)

    def render(self, locale: str | None = None) -> str:
        """The message in ``locale``; parameters that are messages themselves (or lists of them) are
        rendered in the same language."""
        params = {key: _render_param(value, locale) for key, value in self.params.items()}
        return gettext(self.msgid, locale, **params)

    def __str__(self) -> str:
        return self.render()


def _render_param(value, locale: str | None):
    if isinstance(value, Text):
        return value.render(locale)
    if isinstance(value, list | tuple) and value and all(isinstance(v, Text) for v in value):
        return ", ".join(v.render(locale) for v in value)
    return value


def N_(msgid: str, **params) -> Text:  # noqa: N802 - the conventional gettext marker
    return Text(msgid, params)


def normalise_locale(value: str | None) -> str:
    if value:
        value = value.strip().lower().replace("_", "-").split("-")[0]
        if value in SUPPORTED_LOCALES:
            return value
    return DEFAULT_LOCALE


def locale_from_accept_language(header: str | None) -> str:
    """The first supported language of an ``Accept-Language`` header, else Korean."""
    if not header:
        return DEFAULT_LOCALE
    ranked = []
    for index, part in enumerate(header.split(",")):
        tag, _, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            weight = 0.0
        ranked.append((-weight, index, tag.strip().lower().split("-")[0]))
    for _, _, tag in sorted(ranked):
        if tag in SUPPORTED_LOCALES:
            return tag
    return DEFAULT_LOCALE


_compiled: dict[str, NullTranslations] = {}
_compiling = threading.Lock()


def translations(locale: str) -> NullTranslations:
    """The locale's catalog, compiled once per process; the lock keeps the threads of a worker that has
    just started from each compiling it when a burst of requests arrives."""
    found = _compiled.get(locale)
    if found is None and locale not in SUPPORTED_LOCALES:
        return _compile(locale)
    if found is None:
        with _compiling:
            found = _compiled.get(locale)
            if found is None:
                found = _compiled[locale] = _compile(locale)
    return found


def _compile(locale: str) -> NullTranslations:
    path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def gettext(msgid: str, locale: str | None = None, **params) -> str:
    """The message in ``locale`` with its parameters, each Korean particle chosen for the value before it."""
    text = translations(locale or current_locale.get()).gettext(msgid)
    return particles.fit(text, params) % params if params else text


def ngettext(singular: str, plural: str, n: int, locale: str | None = None, **params) -> str:
    text = translations(locale or current_locale.get()).ngettext(singular, plural, n)
    params = {"num": n, **params}
    return particles.fit(text, params) % params


def render(message: Text | str, locale: str | None = None) -> str:
    return message.render(locale) if isinstance(message, Text) else gettext(message, locale)
