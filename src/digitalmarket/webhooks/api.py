"""JSON routes of webhooks under /api/v1, for an organisation's administrator."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from ..accounts.access import api_access, database
from ..accounts.permissions import ORGANISATION_ADMINS, Actor
from ..accounts.schemas import ErrorOut
from ..core.paging import DEFAULT_LIMIT, Cursor, Limit, Page, page_in_order
from ..core.paths import Id
from . import subscriptions
from .schemas import DeliveryOut, NewWebhookOut, WebhookIn, WebhookOut

ERRORS = {status: {"model": ErrorOut} for status in (401, 403, 404, 422, 429)}

router = APIRouter(tags=["webhooks"], responses=ERRORS)


def _allow_private(request: Request) -> bool:
    return request.app.state.settings.webhooks_allow_private


@router.get("/webhooks", response_model=Page[WebhookOut], summary="Your organisation's webhooks")
def list_webhooks(
    request: Request,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    actor: Actor = Depends(api_access(ORGANISATION_ADMINS)),
):
    with database(request).reading() as session:
        rows = list(subscriptions.subscriptions_of(session, actor))
        chosen, next_cursor = page_in_order(rows, lambda s: s.id, cursor, limit)
        return Page(items=[WebhookOut.of(s) for s in chosen], next_cursor=next_cursor)


@router.post(
    "/webhooks",
    status_code=201,
    response_model=NewWebhookOut,
    summary="Subscribe a URL to kinds of the change feed (the signing secret is shown once)",
)
def create_webhook(body: WebhookIn, request: Request, actor: Actor = Depends(api_access(ORGANISATION_ADMINS))):
    with database(request).transaction() as session:
        subscription, secret = subscriptions.subscribe(
            session, actor, body.url, [str(k) for k in body.kinds], allow_private=_allow_private(request)
        )
        return NewWebhookOut(**WebhookOut.of(subscription).model_dump(), secret=secret)


@router.delete("/webhooks/{webhook_id}", status_code=204, summary="Stop a webhook")
def delete_webhook(webhook_id: Id, request: Request, actor: Actor = Depends(api_access(ORGANISATION_ADMINS))):
    with database(request).transaction() as session:
        subscriptions.unsubscribe(session, actor, webhook_id)
    return Response(status_code=204)


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response_model=Page[DeliveryOut],
    summary="A webhook's delivery log (the last 100, newest first)",
)
def webhook_deliveries(
    webhook_id: Id,
    request: Request,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    actor: Actor = Depends(api_access(ORGANISATION_ADMINS)),
):
    with database(request).reading() as session:
        rows = list(subscriptions.deliveries(session, actor, webhook_id))
        chosen, next_cursor = page_in_order(rows, lambda d: d.id, cursor, limit)
        return Page(items=[DeliveryOut.of(d) for d in chosen], next_cursor=next_cursor)


@router.post(
    "/webhooks/{webhook_id}/test",
    status_code=202,
    response_model=DeliveryOut,
    summary="Send a test event (ping) to a webhook",
)
def test_webhook(webhook_id: Id, request: Request, actor: Actor = Depends(api_access(ORGANISATION_ADMINS))):
    with database(request).transaction() as session:
        return DeliveryOut.of(subscriptions.send_test_event(session, actor, webhook_id))
