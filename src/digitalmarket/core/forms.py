"""Helpers every stage's pages share: the posted form, redirects with a notice, errors next to fields,
numbers and the record version read from a form."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from .errors import DomainError
from .paths import LARGEST_ID


async def form_data(request: Request) -> dict[str, str]:
    """The posted form as plain strings (files are not accepted here)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


Form = Annotated[dict[str, str], Depends(form_data)]


async def multipart_form(request: Request) -> FormData:
    """The posted multipart form, files included."""
    return await request.form()


MultipartForm = Annotated[FormData, Depends(multipart_form)]


def number(value: str | None) -> int | None:
    """A whole number typed in a form (thousands separators and spaces allowed); None when blank; -1 when
    it is not a number, or one larger than a database column holds (2**63), so the rules answer with their
    message."""
    text = (value or "").replace(",", "").replace(" ", "").strip()
    if not text:
        return None
    try:
        found = int(text)
    except ValueError:
        return -1
    return found if abs(found) < 2**63 else -1


def object_id(value: str | None) -> int | None:
    """An object chosen in a form by its id (a category, an organisation, a quote): None when blank or not an
    id a database holds (`paths.LARGEST_ID`), so that the rules answer "choose one" rather than the database
    failing on it."""
    found = number(value)
    return found if found is not None and 0 < found <= LARGEST_ID else None


def version_of(form: Mapping) -> int:
    """The version of the record the form was read at (hidden field ``version``); 0, which no record has,
    when it is missing or not a number, so the save is refused as a change by someone else."""
    try:
        return int(form.get("version") or 0)
    except (TypeError, ValueError):
        return 0


def summary_only(errors: dict[str, str], known: set[str]) -> dict[str, str]:
    """Errors about fields this page has no input for are listed in the summary without a link."""
    return {key if key.startswith("_") or key in known else f"_{key}": message for key, message in errors.items()}


def redirect(path: str, notice: str | None = None) -> RedirectResponse:
    """A 303 after a successful post, optionally asking the next page to show a notice."""
    if notice:
        path = f"{path}{'&' if '?' in path else '?'}notice={notice}"
    return RedirectResponse(path, status_code=303)


def options(labels: dict) -> list[tuple[str, str]]:
    """(value, label) pairs for a select, from a mapping of values to translatable labels."""
    return [(str(key), text.render()) for key, text in labels.items()]


def form_errors(error: DomainError) -> dict[str, str]:
    """A domain error as the messages a form shows: one per field, plus one for the whole form."""
    errors = {name: text.render() for name, text in error.fields.items()}
    if not errors or error.message.msgid != error.default_message.msgid:
        errors["_form"] = error.message.render()
    return errors
