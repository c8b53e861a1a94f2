"""HTML route of e-mail choices: /account/notifications, one checkbox per kind of notification."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from ..accounts.access import database, page_access
from ..accounts.permissions import SIGNED_IN, Actor
from ..accounts.tables import User
from ..core.errors import Conflict, DomainError
from ..core.forms import form_errors, redirect
from ..core.notifications import KIND_LABELS
from ..core.templating import csrf_protect, render
from . import preferences

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])

LANGUAGES = [("ko", "한국어"), ("en", "English")]


def _page(request: Request, actor: Actor, chosen=None, language=None, version=None, errors=None, status=200):
    with database(request).reading() as session:
        choices = preferences.choices_of(session, actor.user_id)
        email = session.get(User, actor.user_id).email
    context = {
        "kinds": list(KIND_LABELS.items()),
        "chosen": set(choices.email_kinds if chosen is None else chosen),
        "language": language or choices.language,
        "version": choices.version if version is None else version,
        "languages": LANGUAGES,
        "email": email,
        "errors": errors or {},
        "saved": request.query_params.get("notice") == "preferences_saved",
    }
    return render(request, "notification_preferences.html", context, actor=actor, status_code=status)


@router.get("/account/notifications")
def notification_preferences(request: Request, actor: Actor = Depends(page_access(SIGNED_IN))):
    return _page(request, actor)


@router.post("/account/notifications")
async def notification_preferences_save(request: Request, actor: Actor = Depends(page_access(SIGNED_IN))):
    form = await request.form()
    chosen = [v for v in form.getlist("kinds") if isinstance(v, str)]
    language = str(form.get("language") or "")
    raw_version = str(form.get("version") or "0")
    version = int(raw_version) if raw_version.isdecimal() and len(raw_version) < 10 else -1
    try:
        with database(request).transaction() as session:
            preferences.save_choices(session, actor, chosen, language, version)
    except DomainError as error:
        errors = form_errors(error)
        if error.status == 409:
            errors = {"_form": Conflict.default_message.render()}
        return _page(request, actor, chosen, language, version, errors, error.status)
    return redirect("/account/notifications", "preferences_saved")
