"""HTML routes of webhooks (웹훅): the organisation's administrator subscribes URLs, reads each delivery log
and sends a test event."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from ..accounts.access import database, page_access
from ..accounts.permissions import ORGANISATION_ADMINS, Actor
from ..core.errors import DomainError
from ..core.forms import MultipartForm, form_errors, redirect
from ..core.paths import Id
from ..core.templating import csrf_protect, render
from . import rules, subscriptions

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


def _page(request: Request, actor: Actor, *, secret=None, values=None, errors=None, status=200, shown=None):
    with database(request).reading() as session:
        subs = subscriptions.subscriptions_of(session, actor)
        log = subscriptions.deliveries(session, actor, shown) if shown else []
        context = {
            "subscriptions": subs,
            "kinds": rules.KINDS,
            "kind_labels": rules.KIND_LABELS,
            "secret": secret,
            "values": values or {"kinds": list(rules.KINDS)},
            "errors": errors or {},
            "shown": shown,
            "log": log,
        }
        return render(request, "webhooks.html", context, actor=actor, status_code=status)


@router.get("/organisation/webhooks")
def webhooks_page(request: Request, actor: Actor = Depends(page_access(ORGANISATION_ADMINS))):
    return _page(request, actor)


@router.get("/organisation/webhooks/{webhook_id}")
def webhook_log_page(request: Request, webhook_id: Id, actor: Actor = Depends(page_access(ORGANISATION_ADMINS))):
    return _page(request, actor, shown=webhook_id)


@router.post("/organisation/webhooks")
def webhooks_subscribe(request: Request, form: MultipartForm, actor: Actor = Depends(page_access(ORGANISATION_ADMINS))):
    url = str(form.get("url") or "")
    kinds = [k for k in form.getlist("kinds") if isinstance(k, str)]
    allow_private = request.app.state.settings.webhooks_allow_private
    try:
        with database(request).transaction() as session:
            subscription, secret = subscriptions.subscribe(session, actor, url, kinds, allow_private=allow_private)
            shown = subscription.id
    except DomainError as error:
        values = {"url": url, "kinds": kinds}
        return _page(request, actor, values=values, errors=form_errors(error), status=error.status)
    return _page(request, actor, secret=secret, status=201, shown=shown)


@router.post("/organisation/webhooks/{webhook_id}/test")
def webhooks_test(request: Request, webhook_id: Id, actor: Actor = Depends(page_access(ORGANISATION_ADMINS))):
    with database(request).transaction() as session:
        subscriptions.send_test_event(session, actor, webhook_id)
    return redirect(f"/organisation/webhooks/{webhook_id}")


@router.post("/organisation/webhooks/{webhook_id}/delete")
def webhooks_delete(request: Request, webhook_id: Id, actor: Actor = Depends(page_access(ORGANISATION_ADMINS))):
    with database(request).transaction() as session:
        subscriptions.unsubscribe(session, actor, webhook_id)
    return redirect("/organisation/webhooks")
