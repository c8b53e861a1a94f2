"""Errors as the reader expects them: the JSON error shape on the API, a page in their language elsewhere.

No input may produce a 5xx: domain errors, validation errors, unknown routes and malformed bodies all
map to a 4xx with a message in the caller's language.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..accounts.access import actor_from_request
from ..core import i18n
from ..core.database import is_busy
from ..core.errors import Busy, DomainError, NotSignedIn
from ..core.i18n import N_, Text
from ..core.templating import render

log = logging.getLogger("digitalmarket.web")

STATUS_TEXT: dict[int, tuple[str, Text]] = {
    400: ("bad_request", N_("The request could not be processed.")),
    401: ("not_signed_in", N_("Please sign in first.")),
    403: ("forbidden", N_("You do not have permission for this.")),
    404: ("not_found", N_("The page or item you asked for does not exist.")),
    405: ("method_not_allowed", N_("This address does not accept that kind of request.")),
    409: ("conflict", N_("This changed after it was read. Read it again (reload the page) and try again.")),
    413: ("too_large", N_("The request is too large.")),
    415: ("unsupported_media_type", N_("Send the request body as JSON.")),
    422: ("validation_failed", N_("Some fields need correcting.")),
    429: ("too_many_attempts", N_("Too many attempts. Try again later.")),
    500: ("server_error", N_("Something went wrong on our side. Nothing was saved; please try again.")),
    503: (Busy.code, Busy.message),
}

FIELD_MESSAGES: dict[str, Text] = {
    "missing": N_("This field is required."),
    "string_too_long": N_("This value is too long."),
    "string_too_short": N_("This value is too short."),
    "int_parsing": N_("Enter a whole number."),
    "int_type": N_("Enter a whole number."),
    "int_from_float": N_("Enter a whole number."),
    "bool_parsing": N_("Choose yes or no."),
    "bool_type": N_("Choose yes or no."),
    "list_type": N_("Send a list."),
    "dict_type": N_("Send an object."),
    "too_long": N_("Too many items."),
    "too_short": N_("Too few items."),
    "date_from_datetime_parsing": N_("Enter a date like 2026-12-31."),
    "date_parsing": N_("Enter a date like 2026-12-31."),
    "date_type": N_("Enter a date like 2026-12-31."),
    "string_type": N_("Enter text."),
    "extra_forbidden": N_("This field is not expected."),
}

#: Messages that name the limit the value missed (from the error's context), so that a caller knows the
#: allowed range without reading the schema: ``limit=1000`` says "Enter a number of at most 100."
BOUND_MESSAGES: dict[str, tuple[str, str]] = {
    "greater_than_equal": ("ge", "Enter a number of at least %(ge)s."),
    "less_than_equal": ("le", "Enter a number of at most %(le)s."),
    "greater_than": ("gt", "Enter a number greater than %(gt)s."),
    "less_than": ("lt", "Enter a number less than %(lt)s."),
    "string_too_long": ("max_length", "Enter at most %(max_length)s characters."),
    "string_too_short": ("min_length", "Enter at least %(min_length)s characters."),
    "too_long": ("max_length", "Send at most %(max_length)s items."),
    "too_short": ("min_length", "Send %(min_length)s or more items."),
    "enum": ("expected", "Choose one of: %(expected)s."),
    "literal_error": ("expected", "Choose one of: %(expected)s."),
}


_DATE_ERRORS = ("date_from_datetime_parsing", "date_parsing")
_WRITTEN_AS_A_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def field_message(error: dict) -> Text:
    """The message for one of Pydantic's errors: with the limit it missed when its context names one; a date
    written as asked that the calendar has not (2026-02-30) is told so, not asked for the format again."""
    if error.get("type") in _DATE_ERRORS and _WRITTEN_AS_A_DATE.fullmatch(str(error.get("input", ""))):
        return N_("%(date)s is not a day of the calendar.", date=str(error["input"]))
    bound = BOUND_MESSAGES.get(error.get("type", ""))
    value = (error.get("ctx") or {}).get(bound[0]) if bound else None
    if value is not None:
        if bound[0] == "expected":  # "'newest', 'price' or 'relevance'": the choices as a list
            value = str(value).replace(" or ", ", ")
        return N_(bound[1], **{bound[0]: value})
    return FIELD_MESSAGES.get(error.get("type", ""), N_("This value is not valid."))


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_json(status: int, code: str, message: str, fields: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "fields": fields or {}}}, status_code=status)


def error_page(request: Request, status: int, message: Text | None = None) -> object:
    code, default = STATUS_TEXT.get(status, STATUS_TEXT[400])
    message = message or default
    other = "en" if i18n.current_locale.get() == "ko" else "ko"
    try:
        actor = actor_from_request(request, "page")
    except (DomainError, Busy):  # the error page shows even when the database is busy
        actor = None
    return render(
        request,
        "error.html",
        {
            "status": status,
            "code": code,
            "message": message.render(),
            "other_locale": other,
            "other_message": message.render(other),
            "other_title": i18n.gettext("Error", other),
        },
        status_code=status,
        actor=actor,
    )


def busy_answer(request: Request) -> object:
    """503 with ``Retry-After``: a wait for the database reached its bound and nothing was saved."""
    log.warning("busy: a database wait reached its bound on %s %s", request.method, request.url.path)
    answer = error_json(503, Busy.code, Busy.message.render()) if is_api(request) else error_page(request, 503)
    answer.headers["Retry-After"] = str(Busy.retry_after_seconds)
    return answer


def _field_name(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or "body"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, error: DomainError):
        locale = i18n.current_locale.get()
        if is_api(request):
            answer = JSONResponse({"error": error.render(locale)}, status_code=error.status)
        elif isinstance(error, NotSignedIn):
            return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
        else:
            answer = error_page(request, error.status, error.message)
        retry = getattr(error, "retry_after_seconds", None)  # something on its way (a contract document)
        if retry:
            answer.headers["Retry-After"] = str(retry)
        return answer

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError):
        errors = error.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            message = N_("The request body is not valid JSON.")
            if is_api(request):
                return error_json(400, "malformed_json", message.render())
            return error_page(request, 400, message)
        fields = {}
        for e in errors:
            name = _field_name(tuple(e.get("loc", ())))
            fields.setdefault(name, field_message(e).render())
        if is_api(request):
            return error_json(422, "validation_failed", STATUS_TEXT[422][1].render(), fields)
        return error_page(request, 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException):
        status = error.status_code
        code, message = STATUS_TEXT.get(status, ("error", STATUS_TEXT[400][1]))
        if is_api(request):
            return error_json(status, code, message.render())
        return error_page(request, status)

    @app.exception_handler(Busy)
    async def busy(request: Request, error: Busy):
        return busy_answer(request)

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    async def database_wait(request: Request, error: Exception):
        if is_busy(error):  # a bounded wait outside `Database.transaction` / `reading`
            return busy_answer(request)
        return await server_error(request, error)

    @app.exception_handler(Exception)
    async def server_error(request: Request, error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        if is_api(request):
            return error_json(500, "server_error", STATUS_TEXT[500][1].render())
        return error_page(request, 500)
