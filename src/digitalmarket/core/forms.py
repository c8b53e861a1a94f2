"""Helpers every stage's pages share: the posted form, redirects with a notice, errors next to fields."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse

from .errors import DomainError


async def form_data(request: Request) -> dict[str, str]:
    """The posted form as plain strings (files are not accepted here)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


Form = Annotated[dict[str, str], Depends(form_data)]


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
