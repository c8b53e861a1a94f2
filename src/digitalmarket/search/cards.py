"""The results of the search page as HTML, each rendered once per service as it stands and language.

A page of results shows twenty services, each with its badges, labels, supplier, price and facts: writing
them is most of the page's own work, and the same services come back page after page. A result's HTML
(`templates/search_result.html`, all of it but the snippet, which depends on the query) is kept with the
search facts' objects it was written from and the day (`written.py`): a CSAP certificate may have expired
overnight. So a result is written again exactly when what it shows may have changed, and the same bytes as
the page's own loop would give otherwise.
"""

from __future__ import annotations

import threading

from markupsafe import Markup, escape

from ..catalog import views
from ..core.clock import today_kst
from ..core.templating import environment
from .finder import Found
from .written import Written

_written: Written[tuple[Markup, Markup]] = Written()
_modules: dict[str, object] = {}
_lock = threading.Lock()


def _module(locale: str):
    """The template's macros with the labels of a language (made once per language)."""
    module = _modules.get(locale)
    if module is None:
        module = environment.get_template("search_result.html").make_module({**views.labels(), "locale": locale})
        with _lock:
            _modules[locale] = module
    return module


def cards(items: list[Found], locale: str) -> list[tuple[Markup, Markup, Markup]]:
    """Each result with its HTML before its snippet, the snippet (the service's summary when none), and after."""
    today = today_kst()
    out = []
    for found in items:
        sources = (found.service, found.entry, today)
        head, tail = _written.get((found.service.id, locale), sources, lambda found=found: _write(found, locale))
        out.append((head, _snippet(found), tail))
    return out


def _snippet(found: Found) -> Markup:
    """What a result quotes of a service for the query: its snippet with the words found marked, else its summary."""
    if found.snippet is None:
        return escape(found.service.summary)
    return Markup(
        "".join(f"<mark>{escape(piece)}</mark>" if marked else escape(piece) for piece, marked in found.snippet.parts())
    )


def _write(found: Found, locale: str) -> tuple[Markup, Markup]:
    """A result's HTML before and after its snippet."""
    module = _module(locale)
    return Markup(module.head(found)), Markup(module.tail(found))
