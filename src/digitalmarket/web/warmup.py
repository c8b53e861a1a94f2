"""What a served worker loads as soon as it has started, instead of during its first requests.

The Korean analyzer's model (about 3 s of CPU), the search facts of the published catalog (half a second
at 10,000 services) with the rows searches read of each service (their index rows and what a page of
results shows, when the whole catalog fits in what the facts keep: 0.4 s at 10,000), the message
catalogs, the public pages' templates and the app's routes (FastAPI prepares a route's parameter
validators on the first request that passes it: about a second of CPU for the
first request that reaches the last routes) are loaded once per process, on first use. In a worker that
has just started, the first searches all waited for them: 7 s on a busy two-core machine. `digitalmarket
serve` starts this loading in a background thread a second after the worker has started serving (its
first requests, such as a health check, are not kept waiting by the analyzer, which holds the interpreter
lock while it loads); requests are answered meanwhile, and one that needs what is still loading waits for
it as before. The routes are prepared by asking the app for a path none answers (`UNKNOWN_PATH`).
"""

from __future__ import annotations

import asyncio
import logging
import threading

from ..core import collector, i18n, templating
from ..core.database import Database

log = logging.getLogger(__name__)

#: Seconds between a worker's start and its warm-up.
DELAY_S = 1.0
#: A search that loads everything searching needs (the analyzer, synonyms, the catalog's facts).
QUERY = {"q": "클라우드 서비스"}
#: Templates of the most visited pages (each compiles the templates it extends or imports on first use).
TEMPLATES = ("layout.html", "home.html", "search_services.html", "catalog_service.html")


#: A path no route answers: asking it passes every route, so that FastAPI prepares them all (a 404 page).
UNKNOWN_PATH = "/.well-known/warm-up"


def warm_up(db: Database, app=None) -> None:
    """Load what the first requests would otherwise load; a failure only means they will."""
    try:
        if app is not None:
            asyncio.run(_ask(app, UNKNOWN_PATH))
        for locale in i18n.SUPPORTED_LOCALES:
            i18n.translations(locale)
        for name in TEMPLATES:
            templating.environment.get_template(name)
        from ..search import finder

        with db.reading() as session:
            finder.find(session, finder.Query.parse(QUERY))
            finder.keep_every_row(session)  # the rows every search reads of its best matches and its page
        collector.settle()  # what was loaded stays: out of the garbage collector's sight
    except Exception as error:  # noqa: BLE001 - e.g. a database not migrated yet
        log.warning("Warm-up stopped, requests will load what they need: %s", error)


async def _ask(app, path: str) -> None:
    """A GET of ``path`` through the whole app (its middleware, routes and error pages), answer unread."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"localhost")],
        "client": ("127.0.0.1", 0),
        "server": ("localhost", 80),
        "state": {},
    }

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        """The answer is not read: only what answering it prepared matters."""

    await app(scope, receive, send)


def start(db: Database, app=None) -> threading.Thread:
    thread = threading.Thread(target=warm_up, args=(db, app), name="warm-up", daemon=True)
    thread.start()
    return thread
