"""Jinja2 templates of every stage, rendered in the reader's language with the layout's context.

Core knows neither where the templates are nor what the layout shows around a page: the top layer hands
both over at start-up with `install_layout` (`web/layout.py`, called by the app factory) — the folders
to look templates up in, and a function giving every page's layout its context (the navigation, the
number of unread notifications ...).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, pass_context, select_autoescape
from markupsafe import Markup

from . import formatting, i18n, particles
from .errors import DomainError
from .i18n import N_, Text

CSRF_COOKIE = "dm_csrf"
HOST_PREFIX = "__Host-"  # the CSRF cookie's name under HTTPS
SESSION_COOKIE = "dm_session"  # the browser's session (accounts), which a CSRF token is signed for
CSRF_FIELD = "csrf_token"
LANG_COOKIE = "dm_lang"


class CsrfFailed(DomainError):
    status = 403
    code = "csrf_failed"
    default_message = N_("This form has expired. Go back, reload the page and send it again.")


@dataclass(frozen=True)
class Flash:
    kind: str
    text: str


#: Messages a redirect can ask the next page to show (``?notice=<key>``).
NOTICES: dict[str, tuple[str, Text]] = {
    "signed_up": ("success", N_("Your company is registered and you are signed in.")),
    "signed_in": ("success", N_("You are signed in.")),
    "signed_out": ("info", N_("You are signed out.")),
    "password_changed": ("success", N_("Your password is changed. Please sign in again.")),
    "token_revoked": ("info", N_("The API token is revoked.")),
    "user_created": ("success", N_("The account is created.")),
    "role_changed": ("success", N_("The role is changed.")),
    "agency_created": ("success", N_("The agency is registered.")),
    "profile_saved": ("success", N_("The company profile is saved.")),
    "agency_profile_saved": ("success", N_("The agency's details are saved.")),
    "password_reset": ("success", N_("Your new password is set. Please sign in with it.")),
    "invitation_accepted": ("success", N_("Welcome. Your account is ready and you are signed in.")),
    "colleague_invited": ("success", N_("The invitation is sent by e-mail.")),
    "colleague_removed": ("info", N_("The colleague is removed and can no longer sign in.")),
    "user_deactivated": ("info", N_("The account is deactivated: it can no longer sign in.")),
    "user_reactivated": ("success", N_("The account is active again.")),
    "org_admin_changed": ("success", N_("The organisation administrator is changed.")),
    "invitation_withdrawn": ("info", N_("The invitation is withdrawn: its link no longer works.")),
    "notifications_read": ("success", N_("All notifications are marked as read.")),
    "certificate_uploaded": ("success", N_("Your certificate is stored: documents are signed with it from now on.")),
    "certificate_issued": ("success", N_("A new signing certificate is issued.")),
    "certificate_revoked": ("info", N_("The signing certificate is revoked: it signs nothing more.")),
}


@pass_context
def _gettext_with_particles(context, msgid: str, **variables) -> str:
    """Jinja's new-style ``_()`` (the message formatted with its variables, escaped in HTML), with each
    Korean particle chosen for the value before it (`core.particles`)."""
    text = i18n.gettext(msgid)
    if not variables and "%" not in text:  # most of a page's messages: nothing to format
        return Markup(text) if context.eval_ctx.autoescape else text
    return _formatted(context, text, variables)


@pass_context
def _ngettext_with_particles(context, singular: str, plural: str, number: int, **variables) -> str:
    """``ngettext()`` in a template: the form for ``number`` (1 result, 2 results; Korean has one form),
    formatted and escaped as ``_()`` is; ``num`` is the number unless given."""
    variables.setdefault("num", number)
    text = i18n.translations(i18n.current_locale.get()).ngettext(singular, plural, number)
    return _formatted(context, text, variables)


def _formatted(context, text: str, variables: dict) -> str:
    """A translated message with its variables, each particle chosen for the value before it, the values
    escaped in HTML."""
    text = particles.fit(text, variables)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables


def _build_environment() -> Environment:
    """Templates are compiled once per process: without ``auto_reload=False`` Jinja asks the file system
    for the modification time of a page's template and of every template it extends or includes, at
    every render (7 % of the home page's CPU time under load). Restart the server after editing one.
    It finds no template file until `install_layout` has named the folders."""
    env = Environment(
        loader=ChoiceLoader([]),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.install_gettext_callables(
        lambda msgid: i18n.gettext(msgid),
        lambda singular, plural, n: i18n.ngettext(singular, plural, n),
        newstyle=True,
    )
    env.globals["gettext"] = env.globals["_"] = _gettext_with_particles
    env.globals["ngettext"] = _ngettext_with_particles
    env.filters["t"] = i18n.render
    # Every time a person reads: the date, Korean time and the zone ("2026-12-05 23:04 KST").
    env.globals["kst_datetime"] = env.filters["kst_datetime"] = formatting.kst_datetime
    env.globals["kst_date"] = env.filters["kst_date"] = formatting.kst_date
    env.filters["unit"] = formatting.unit_label  # "사용자/월" -> "user/month" in English
    return env


environment = _build_environment()

#: ``(request, actor) -> dict``: what every page's layout needs besides the page (see `install_layout`).
LayoutContext = Callable[[Request, object], dict]
_layout_context: LayoutContext = lambda request, actor: {}  # noqa: E731 - nothing until installed


#: The template folders `install_layout` was last given.
_template_dirs: list[str] = []


def install_layout(template_dirs: Iterable[Path], context: LayoutContext) -> None:
    """Where templates are looked up (in this order) and what every page's layout gets, from the top layer
    at start-up (`web.layout.install`). The compiled templates are kept while the folders stay the same:
    every app of the process (a test makes one each) shares them rather than compiling them again."""
    global _layout_context
    folders = [str(folder) for folder in template_dirs]
    if folders != _template_dirs:
        environment.loader = ChoiceLoader([FileSystemLoader(folders)])
        if environment.cache is not None:
            environment.cache.clear()
        _template_dirs[:] = folders
    _layout_context = context


def csrf_cookie_name(request: Request) -> str:
    """``dm_csrf``, or ``__Host-dm_csrf`` when served over HTTPS (``DM_COOKIE_SECURE=1``): a cookie with
    that prefix is Secure, for the whole site and for this host only, so a sibling domain cannot plant it."""
    return HOST_PREFIX + CSRF_COOKIE if request.app.state.settings.cookie_secure else CSRF_COOKIE


def _text_bytes(value: str) -> bytes:
    return value.encode("utf-8", "replace")  # any text, never an error: a token is compared as bytes


def _signature(request: Request, nonce: str) -> str:
    """HMAC-SHA256, with the installation's secret, of the nonce and the browser's session (the SHA-256 of
    its session cookie, or nothing before a log-in)."""
    cookie = request.cookies.get(SESSION_COOKIE, "")
    session = hashlib.sha256(_text_bytes(cookie)).hexdigest() if cookie else ""
    message = b"dm-csrf-v1\0" + session.encode() + b"\0" + _text_bytes(nonce)
    key = _text_bytes(request.app.state.settings.secret_key)
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _bound_to_session(request: Request, token: str) -> bool:
    nonce, _, signature = token.partition(".")
    return bool(nonce and signature) and hmac.compare_digest(
        _text_bytes(_signature(request, nonce)), _text_bytes(signature)
    )


def csrf_token_for(request: Request) -> str:
    """The browser's CSRF token: ``nonce.HMAC(secret, session, nonce)``, kept in the CSRF cookie and sent
    back in each form (double submit). A cookie whose token was signed for another session (or none, or
    planted) is replaced by a new token for this one."""
    token = getattr(request.state, "csrf_token", None) or request.cookies.get(csrf_cookie_name(request))
    if not token or not _bound_to_session(request, token):
        nonce = secrets.token_urlsafe(24)
        token = f"{nonce}.{_signature(request, nonce)}"
    request.state.csrf_token = token
    return token


def csrf_valid(request: Request, given: str) -> bool:
    """The token a form or header sent is the browser's CSRF cookie, and that token was signed for the
    session the browser presents. Compared as bytes: a token in any script is refused, never an error."""
    expected = request.cookies.get(csrf_cookie_name(request), "")
    if not expected or not given or not hmac.compare_digest(_text_bytes(expected), _text_bytes(given)):
        return False
    return _bound_to_session(request, expected)


def render(
    request: Request,
    template: str,
    context: dict | None = None,
    *,
    status_code: int = 200,
    actor=None,
    notices: Mapping[str, tuple[str, Text]] | None = None,
) -> HTMLResponse:
    """The page ``template`` in the layout. A redirect's ``?notice=<key>`` is shown as a message: the
    stage's own ``notices`` first (not on an error page), then the ones every page knows (`NOTICES`)."""
    flashes = []
    notice = request.query_params.get("notice")
    if notices is not None and notice in notices and status_code < 400:
        kind, text = notices[notice]
        flashes.append(Flash(kind, text.render()))
    elif notice in NOTICES:
        kind, text = NOTICES[notice]
        flashes.append(Flash(kind, text.render()))
    ctx = {
        "request": request,
        "locale": i18n.current_locale.get(),
        "actor": actor,
        "csrf_token": csrf_token_for(request),
        "current_path": request.url.path,
        "flashes": flashes,
        "errors": {},
        "values": {},
        **_layout_context(request, actor),
    }
    ctx.update(context or {})
    html = environment.get_template(template).render(ctx)
    response = HTMLResponse(html, status_code=status_code)
    attach_csrf_cookie(request, response)
    return response


def attach_csrf_cookie(request: Request, response) -> None:
    token = getattr(request.state, "csrf_token", None)
    name = csrf_cookie_name(request)
    if token and request.cookies.get(name) != token:
        settings = request.app.state.settings
        response.set_cookie(name, token, httponly=True, samesite="lax", secure=settings.cookie_secure, path="/")


async def csrf_protect(request: Request) -> None:
    """Refuse an unsafe request to a page whose form does not carry the browser's CSRF token.

    Page routers add this as a router dependency, so every form post is covered.
    """
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return
    if not request.cookies.get(csrf_cookie_name(request)):
        raise CsrfFailed()  # before the body is read: no cookie, no form worth reading
    try:
        form = await request.form()
        given = str(form.get(CSRF_FIELD, ""))
    except DomainError:  # a body over its limit (web.middleware) is answered as such
        raise
    except Exception:  # noqa: BLE001 - an unreadable body has no token either
        given = ""
    if not csrf_valid(request, given):
        raise CsrfFailed()
