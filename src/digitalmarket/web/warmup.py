"""What a served worker loads as soon as it has started, instead of during its first requests.

The Korean analyzer's model (about 3 s of CPU), the search facts of the published catalog (half a second
at 10,000 services), the message catalogs and the public pages' templates are loaded once per process,
on first use. In a worker that has just started, the first searches all waited for them: 7 s on a busy
two-core machine. `digitalmarket serve` starts this loading in a background thread a second after the
worker has started serving (its first requests, such as a health check, are not kept waiting by the
analyzer, which holds the interpreter lock while it loads); requests are answered meanwhile, and one that
needs what is still loading waits for it as before.
"""

from __future__ import annotations

import logging
import threading

from ..core import i18n, templating
from ..core.database import Database

log = logging.getLogger(__name__)

#: Seconds between a worker's start and its warm-up.
DELAY_S = 1.0
#: A search that loads everything searching needs (the analyzer, synonyms, the catalog's facts).
QUERY = {"q": "클라우드 서비스"}
#: Templates of the most visited pages (each compiles the templates it extends or imports on first use).
TEMPLATES = ("layout.html", "home.html", "search_services.html", "catalog_service.html")


def warm_up(db: Database) -> None:
    """Load what the first requests would otherwise load; a failure only means they will."""
    try:
        for locale in i18n.SUPPORTED_LOCALES:
            i18n.translations(locale)
        for name in TEMPLATES:
            templating.environment.get_template(name)
        from ..search import finder

        with db.reading() as session:
            finder.find(session, finder.Query.parse(QUERY))
    except Exception as error:  # noqa: BLE001 - e.g. a database not migrated yet
        log.warning("Warm-up stopped, requests will load what they need: %s", error)


def start(db: Database) -> threading.Thread:
    thread = threading.Thread(target=warm_up, args=(db,), name="warm-up", daemon=True)
    thread.start()
    return thread
