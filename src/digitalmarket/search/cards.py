"""The results of the search page as HTML, each rendered once per service as it stands and language.

A page of results shows twenty services, each with its badges, labels, supplier, price and facts: writing
them is most of the page's own work, and the same services come back page after page. A result's HTML
(`templates/search_result.html`, all of it but the snippet, which depends on the query) is kept with the
search facts' objects it was written from (`rows.Listed`, `entries.Entry`): the facts replace those objects
when an event changes the service, its supplier, its contract or its rating (`facts.py`), and load them all
again on a new day, when a CSAP certificate may have expired. So a result is written again exactly when
what it shows may have changed, and the same bytes as the page's own loop would give otherwise.
"""

from __future__ import annotations

import threading
from datetime import date

from markupsafe import Markup

from ..catalog import views
from ..core.clock import today_kst
from ..core.templating import environment
from .finder import Found

KEPT = 20_000  # results kept in all (two languages of a catalog of 10,000); emptied rather than grown past it

_kept: dict[tuple[int, str], tuple[object, object, date, Markup, Markup]] = {}
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


def cards(items: list[Found], locale: str) -> list[tuple[Found, Markup, Markup]]:
    """Each result with its HTML before and after its snippet."""
    today = today_kst()
    out = []
    for found in items:
        key = (found.service.id, locale)
        kept = _kept.get(key)
        if kept is None or kept[0] is not found.service or kept[1] is not found.entry or kept[2] != today:
            module = _module(locale)
            kept = (found.service, found.entry, today, Markup(module.head(found)), Markup(module.tail(found)))
            with _lock:
                if len(_kept) >= KEPT:
                    _kept.clear()
                _kept[key] = kept
        out.append((found, kept[3], kept[4]))
    return out
