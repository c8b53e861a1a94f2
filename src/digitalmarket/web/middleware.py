"""ASGI middleware: the reader's language and security headers on every response; the proxy's headers
believed only from the proxies named in ``DM_TRUSTED_PROXIES`` (uvicorn's `ProxyHeadersMiddleware`, added by
the app itself, so that `digitalmarket serve` runs uvicorn with ``proxy_headers`` off)."""

from __future__ import annotations

import re
from http.cookies import SimpleCookie
from urllib.parse import quote

from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware  # noqa: F401 - the app adds it

from ..accounts.access import Access
from ..core import i18n
from ..core.errors import DomainError, NotSignedIn
from ..core.files import MAX_DOCUMENT_BYTES
from ..core.i18n import N_
from ..core.templating import LANG_COOKIE

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# The interactive API docs page loads Swagger UI's own inline bootstrap script.
DOCS_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    "script-src 'self'", "script-src 'self' 'unsafe-inline'"
).replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


class LocaleMiddleware:
    """Korean by default; the ``dm_lang`` cookie (set by the language switch) for pages,
    ``Accept-Language`` for the API."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:  # noqa: BLE001 - a malformed cookie header means "no preference"
            cookie = SimpleCookie()
        if scope["path"].startswith("/api/") and "accept-language" in headers:
            locale = i18n.locale_from_accept_language(headers["accept-language"])
        elif LANG_COOKIE in cookie:
            locale = i18n.normalise_locale(cookie[LANG_COOKIE].value)
        else:  # pages are Korean until the reader switches, whatever the browser's own language
            locale = i18n.DEFAULT_LOCALE
        token = i18n.current_locale.set(locale)
        scope.setdefault("state", {})["locale"] = locale
        try:
            await self.app(scope, receive, send)
        finally:
            i18n.current_locale.reset(token)


class SecurityHeadersMiddleware:
    """CSP, framing, sniffing, referrer and permissions headers on every response; HSTS when the platform
    is served over HTTPS: always with ``DM_COOKIE_SECURE=1``, else when the request came over HTTPS (its
    scheme, which `ProxyHeadersMiddleware` takes from ``X-Forwarded-Proto`` of a trusted proxy only)."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    def _over_https(self, scope: Scope) -> bool:
        return scope.get("scheme") == "https"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_docs = scope["path"] in {"/api/v1/docs", "/api/v1/docs/oauth2-redirect"}
        hsts = self.hsts or self._over_https(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault(
                    "Content-Security-Policy", DOCS_CONTENT_SECURITY_POLICY if is_docs else CONTENT_SECURITY_POLICY
                )
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
                headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
                if hsts:
                    headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
            await send(message)

        await self.app(scope, receive, send_with_headers)


# --- request size, before authentication and before the body --------------------------------------------------------

#: A JSON body or a form without files (every request but a multipart upload).
JSON_BODY_LIMIT = 1024 * 1024
#: A multipart upload: one document (`core.files.MAX_DOCUMENT_BYTES`) and the form around it.
FORM_OVERHEAD = 1024 * 1024
UPLOAD_BODY_LIMIT = MAX_DOCUMENT_BYTES + FORM_OVERHEAD
_SAFE = {"GET", "HEAD", "OPTIONS"}


class BodyTooLarge(DomainError, StarletteHTTPException):
    """A body over its limit: a domain error for the app's handlers (413, in the reader's language), and an
    HTTP exception so that FastAPI's body reading passes it on instead of answering 400."""

    status = 413
    code = "too_large"

    def __init__(self, limit: int) -> None:
        mb = max(1, limit // (1024 * 1024))
        self.message = N_("The request is larger than %(mb)s MB and was not read.", mb=mb)
        self.fields = {}
        self.status_code, self.detail, self.headers = 413, self.message.msgid, None
        Exception.__init__(self, self.message.msgid)


class BadLength(DomainError):
    code = "bad_content_length"
    default_message = N_("The Content-Length header is not a number of bytes.")


class BodyLimitMiddleware:
    """Refuse what an anonymous caller or an oversized body could cost before it costs it:

    - a ``Content-Length`` over the limit is answered 413 at once, without reading a byte of the body;
    - an unsafe request to a route that needs a signed-in caller is authenticated before its body is read
      (the route's own `Access` rule, run here first and remembered for the route): no credential, a wrong
      token or a role that may not call it is answered 401/403 with the body unread and nothing spooled;
    - a body without ``Content-Length`` (chunked) is counted while it is read and refused (413) as soon as
      it passes the limit.

    Limits: `UPLOAD_BODY_LIMIT` (20 MB and 1 MB of form) for ``multipart/form-data``, `JSON_BODY_LIMIT`
    (1 MB) for everything else."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._table: list[tuple[re.Pattern, set[str], Access | None]] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        content_type, length = b"", None
        for key, value in scope["headers"]:
            if key == b"content-type":
                content_type = value.lower()
            elif key == b"content-length":
                length = value
        limit = UPLOAD_BODY_LIMIT if content_type.startswith(b"multipart/form-data") else JSON_BODY_LIMIT
        try:
            if length is not None:
                if not length.strip().isdigit():
                    raise BadLength()
                if int(length) > limit:
                    raise BodyTooLarge(limit)
            if scope["method"] not in _SAFE:
                await self._authenticate_first(scope)
        except DomainError as error:
            await answer_refusal(scope, error, receive, send)
            return

        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge as error:  # read outside the app's handlers (a middleware, a background read)
            if started:
                raise
            await answer_refusal(scope, error, receive, send)

    def _access_of(self, scope: Scope) -> Access | None:
        """The access rule of the route the request goes to (the first whose path and method match)."""
        if self._table is None:
            from .routes import api_routes

            self._table = [
                (compile_path(path)[0], route.methods or set(), _access_in(route.dependant))
                for path, route in api_routes(scope["app"])
            ]
        for pattern, methods, access in self._table:
            if scope["method"] in methods and pattern.match(scope["path"]):
                return access
        return None

    async def _authenticate_first(self, scope: Scope) -> None:
        access = self._access_of(scope)
        if access is None or access.rule.anonymous:
            return
        try:
            await run_in_threadpool(access.resolve, Request(scope))  # remembered on the request for the route itself
        except DomainError:
            raise
        except Exception:  # noqa: BLE001 - a busy database: the route asks again and answers as it does
            return


def _access_in(dependant) -> Access | None:
    if isinstance(dependant.call, Access):
        return dependant.call
    for child in dependant.dependencies:
        if (found := _access_in(child)) is not None:
            return found
    return None


async def answer_refusal(scope: Scope, error: DomainError, receive: Receive, send: Send) -> None:
    """The answer the app's error handlers give (`web.errors`), made here since the app is not called."""
    from .errors import error_page, is_api

    request = Request(scope, receive)
    if is_api(request):
        response = JSONResponse({"error": error.render(i18n.current_locale.get())}, status_code=error.status)
    elif isinstance(error, NotSignedIn):
        response = RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    else:
        response = error_page(request, error.status, error.message)
    retry = getattr(error, "retry_after_seconds", None)  # a rate limit says when to come back
    if retry:
        response.headers["Retry-After"] = str(retry)
    response.headers["Connection"] = "close"  # the unread body is not waited for
    await response(scope, receive, send)
