"""The application factory."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from .. import __version__, subscribers
from ..accounts import api as accounts_api
from ..accounts import colleague_api as accounts_colleague_api
from ..accounts import colleague_pages as accounts_colleague_pages
from ..accounts import company_pages as accounts_company_pages
from ..accounts import pages as accounts_pages
from ..accounts import recovery_pages as accounts_recovery_pages
from ..accounts import review_api as accounts_review_api
from ..accounts import signup_api as accounts_signup_api
from ..accounts import signup_pages as accounts_signup_pages
from ..accounts import staff_pages as accounts_staff_pages
from ..accounts import token_api as accounts_token_api
from ..catalog import api as catalog_api
from ..catalog import certificate_api as catalog_certificate_api
from ..catalog import certificate_pages as catalog_certificate_pages
from ..catalog import compare_api as catalog_compare_api
from ..catalog import compare_pages as catalog_compare_pages
from ..catalog import document_api as catalog_document_api
from ..catalog import document_pages as catalog_document_pages
from ..catalog import pages as catalog_pages
from ..community import api as community_api
from ..community import pages as community_pages
from ..contracting.catalog_contracts import api as contracting_catalog_api
from ..contracting.catalog_contracts import change_request_api as contracting_change_request_api
from ..contracting.catalog_contracts import officer_pages as contracting_officer_catalog_pages
from ..contracting.catalog_contracts import pages as contracting_catalog_pages
from ..contracting.catalog_contracts import supplier_pages as contracting_supplier_catalog_pages
from ..contracting.catalog_documents import routes as contracting_catalog_document_routes
from ..contracting.orders import api as contracting_order_api
from ..contracting.orders import confirm_pages as contracting_confirm_pages
from ..contracting.orders import pages as contracting_order_pages
from ..contracting.orders import withdraw_api as contracting_withdraw_api
from ..contracting.orders import withdraw_pages as contracting_withdraw_pages
from ..contracting.quotes import api as contracting_quote_api
from ..contracting.quotes import decision_api as contracting_decision_api
from ..contracting.quotes import decision_pages as contracting_decision_pages
from ..contracting.quotes import pages as contracting_quote_pages
from ..contracting.quotes import supplier_pages as contracting_supplier_quote_pages
from ..core import consumers
from ..core.database import Database
from ..core.settings import Settings, get_settings
from ..helpdesk import api as helpdesk_api
from ..helpdesk import desk_pages as helpdesk_desk_pages
from ..helpdesk import pages as helpdesk_pages
from ..notifications import api as notifications_api
from ..notifications import pages as notifications_pages
from ..opendata import audit_api as opendata_audit_api
from ..opendata import feed_api as opendata_feed_api
from ..opendata import ocds_api as opendata_ocds_api
from ..search import api as search_api
from ..search import pages as search_pages
from ..search import radar_api as search_radar_api
from ..search import radar_pages as search_radar_pages
from ..selection import api as selection_api
from ..selection import confirm_pages as selection_confirm_pages
from ..selection import operator_pages as selection_operator_pages
from ..selection import operator_round_pages as selection_operator_round_pages
from ..selection import pages as selection_pages
from ..selection import reviewer_pages as selection_reviewer_pages
from ..settlement import settlement_api, settlement_pages
from ..signatures import api as signatures_api
from ..signatures import certificate_api as signatures_certificate_api
from ..signatures import certificate_pages as signatures_certificate_pages
from ..signatures import pages as signatures_pages
from ..statistics import stats_api, stats_pages
from ..webhooks import api as webhooks_api
from ..webhooks import pages as webhooks_pages
from ..webhooks.sender import Sender as WebhookSender
from . import api as shell_api
from . import follow_pages, layout, pages, routes, todo_api, warmup
from .errors import install_error_handlers
from .idempotency import IdempotencyMiddleware
from .middleware import BodyLimitMiddleware, LocaleMiddleware, ProxyHeadersMiddleware, SecurityHeadersMiddleware
from .openapi_security import declare_security

STATIC_DIR = Path(__file__).resolve().parent / "static"
API_PREFIX = "/api/v1"

API_DESCRIPTION = """
디지털서비스 마켓 Open API. Public endpoints need no credentials; others take a personal API token as
`Authorization: Bearer <token>` (Authorize above). Make the first one with `POST /api/v1/tokens` and your
e-mail and password (or on the account page); each operation lists the scopes it needs (`read`, or your
role's write scope). Calls are limited per token and per address (429 with `Retry-After`).
Errors are `{"error": {"code", "message", "fields"}}` with a 4xx status; messages follow
`Accept-Language` (`ko` by default, `en`). A guide to the whole API, journeys included, comes with the
source code (docs/api.md).
"""


def create_app(settings: Settings | None = None, db: Database | None = None, *, warm_up: bool = False) -> FastAPI:
    """The platform's ASGI app; ``warm_up`` (as `digitalmarket serve` asks) loads the analyzer, the search
    facts and the templates in the background once started (`warmup`), rather than in the first requests."""
    settings = settings or get_settings()
    db = db or Database(settings.database_url, settings.waits)
    subscribers.install()  # every event subscriber and page section, from one list
    layout.install()  # the templates' folders and what every page's layout shows, for core's templating

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # the database and settings the app holds when it starts (``app.state``: what every request reads)
        db, settings = app.state.db, app.state.settings
        # a moment after the worker starts serving, so that its first requests (a health check) come first
        later = asyncio.get_running_loop().call_later(warmup.DELAY_S, warmup.start, db, app) if warm_up else None
        # synchronous routes run in AnyIO's worker threads: this many at once (see settings.request_threads)
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        # the after-commit consumers: caught up with what a request did not finish (`core.consumer_follower`)
        follower = consumers.Follower.start(db)
        # the webhooks the consumer queued, sent every few seconds outside any transaction
        webhook_sender = WebhookSender.start(db, settings.webhooks_allow_private)
        yield
        if later is not None:
            later.cancel()
        follower.stop()
        webhook_sender.stop()
        db.dispose()

    app = FastAPI(
        title="디지털서비스 마켓 API",
        version=__version__,
        description=API_DESCRIPTION,
        openapi_url="/api/v1/openapi.json",
        generate_unique_id_function=shell_api.operation_id,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = db

    frontend = settings.frontend_dir
    app.mount("/static/app", StaticFiles(directory=STATIC_DIR), name="static-app")
    app.mount(
        "/static/krds", StaticFiles(directory=frontend / "krds-uiux" / "resources", check_dir=False), name="static-krds"
    )
    app.mount(
        "/static/htmx", StaticFiles(directory=frontend / "htmx.org" / "dist", check_dir=False), name="static-htmx"
    )
    app.mount(
        "/static/chartjs", StaticFiles(directory=frontend / "chart.js" / "dist", check_dir=False), name="static-chartjs"
    )
    app.mount(
        "/static/swagger", StaticFiles(directory=frontend / "swagger-ui-dist", check_dir=False), name="static-swagger"
    )

    # the API's routers as one branch: a page's path is told apart from them at once (`routes.PrefixRouter`)
    api = routes.PrefixRouter(API_PREFIX)
    for router in (
        accounts_api.router,
        accounts_colleague_api.router,
        accounts_token_api.router,
        accounts_signup_api.router,
        accounts_review_api.router,
        catalog_compare_api.router,  # before /services/{code}
        search_api.router,  # GET /services, before /services/{code}
        search_radar_api.router,  # GET /demand-radar
        catalog_api.router,
        catalog_document_api.router,
        selection_api.router,
        contracting_catalog_api.router,
        contracting_change_request_api.router,
        contracting_catalog_document_routes.api_router,
        contracting_quote_api.router,
        contracting_order_api.router,
        contracting_withdraw_api.router,
        contracting_decision_api.router,
        settlement_api.router,
        catalog_certificate_api.router,
        notifications_api.router,
        community_api.router,
        helpdesk_api.router,
        opendata_ocds_api.router,
        opendata_feed_api.router,
        opendata_audit_api.router,
        signatures_api.router,  # /verify, no sign-in
        signatures_certificate_api.router,
        stats_api.router,
        shell_api.router,
        todo_api.router,
        webhooks_api.router,
    ):
        api.include_router(routes.FirstSegmentGate(router, API_PREFIX))
    app.include_router(api, prefix=API_PREFIX)
    for router in (  # the pages, after the API (in this order: a page's path is matched in turn)
        pages.router,
        follow_pages.router,  # /healthz/consumers, /operator/read-models
        accounts_pages.router,
        accounts_recovery_pages.router,
        accounts_signup_pages.router,
        accounts_company_pages.router,
        accounts_colleague_pages.router,
        accounts_staff_pages.router,
        catalog_compare_pages.router,  # before /services/{code}
        search_pages.router,  # /services, before /services/{code}
        search_radar_pages.router,  # /demand-radar
        catalog_pages.router,
        catalog_document_pages.router,
        selection_pages.router,
        selection_operator_pages.router,
        selection_operator_round_pages.router,
        selection_confirm_pages.router,
        selection_reviewer_pages.router,
        contracting_catalog_pages.router,
        contracting_catalog_document_routes.page_router,
        contracting_supplier_catalog_pages.router,
        contracting_officer_catalog_pages.router,
        contracting_quote_pages.router,
        contracting_supplier_quote_pages.router,
        contracting_order_pages.router,
        contracting_withdraw_pages.router,
        contracting_confirm_pages.router,
        contracting_decision_pages.router,
        settlement_pages.router,
        catalog_certificate_pages.router,
        notifications_pages.router,
        community_pages.router,
        helpdesk_pages.router,
        helpdesk_desk_pages.router,
        signatures_pages.router,  # /verify
        signatures_certificate_pages.router,
        stats_pages.router,
        webhooks_pages.router,
    ):
        app.include_router(routes.FirstSegmentGate(router))

    install_error_handlers(app)
    declare_security(app)  # the bearer scheme and each operation's scopes in the OpenAPI
    shell_api.describe_files(app)  # uploads as files a generated client sends as such
    app.add_middleware(IdempotencyMiddleware)  # inside the body's limit and the caller's authentication
    app.add_middleware(BodyLimitMiddleware)  # inside the locale: its refusals are in the reader's language
    app.add_middleware(LocaleMiddleware)
    _outermost(app, SecurityHeadersMiddleware, hsts=settings.cookie_secure)
    if settings.trusted_proxies:  # outside everything: the client's address and scheme, as the proxy saw them
        _outermost(app, ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))
    return app


def _outermost(app: FastAPI, middleware, **options) -> None:
    """Wrap the whole stack, outside Starlette's own error middleware, so that the page of an unexpected
    error (500) carries the middleware's headers too."""
    build = app.build_middleware_stack
    app.build_middleware_stack = lambda: middleware(build(), **options)
