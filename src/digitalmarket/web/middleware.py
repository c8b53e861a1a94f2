"""ASGI middleware: the reader's language and security headers on every response; the proxy's headers
believed only from the proxies named in ``DM_TRUSTED_PROXIES`` (uvicorn's `ProxyHeadersMiddleware`, added by
the app itself, so that `digitalmarket serve` runs uvicorn with ``proxy_headers`` off)."""

from __future__ import annotations

from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware  # noqa: F401 - the app adds it

from ..core import i18n
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
