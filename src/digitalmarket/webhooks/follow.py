"""The after-commit consumer that turns the change feed into webhook deliveries.

The feed stays the source of truth: for each kind, the consumer reads the feed after its cursor
(`opendata.feed.page`) and queues, for every live subscription following that kind, one delivery whose
body is the feed item with its ``feed_position`` (the feed's cursor). A client that missed webhooks
catches up by reading ``GET /api/v1/feed/{kind}?cursor=<the last feed_position it handled>``. Changes made
before a subscription existed are not sent to it. Nothing here talks to the network: `sender` does, later.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..core.consumers import Consumer, consumer
from ..opendata import feed
from ..opendata.tables import FeedEntry
from . import rules
from .tables import WebhookCursor, WebhookDelivery, WebhookSubscription

#: The steps that change the feed's objects (services, orders and their settlement, catalog contracts).
ACTIONS = (
    "service.",
    "order.",
    "catalog_contract.",
    "change_request.",
    "invoice.",
    "payment.",
    "inspection.",
    "usage.",
    "quote.",
    "quote_request.",
    "application.",
    "committee.",
)
BATCH = 200


def _head(session: Session, kind: str) -> int:
    return session.scalar(select(func.max(FeedEntry.position)).where(FeedEntry.kind == kind)) or 0


def queue_changes(session: Session, events) -> None:
    """Queue a delivery of every feed change after the cursors to the subscriptions following its kind.

    One statement when no live subscription follows any kind (most commits): the cursors stay where they
    are, and a kind's first subscription reads the feed from its cursor on, sending only what changed
    after the subscription was made (`_changed_at`)."""
    subscriptions = list(session.scalars(select(WebhookSubscription).where(WebhookSubscription.deleted_at.is_(None))))
    followed = {kind: [s for s in subscriptions if kind in s.kinds.split()] for kind in rules.KINDS}
    followed = {kind: following for kind, following in followed.items() if following}
    if not followed:
        return
    cursors = {cursor.kind: cursor for cursor in session.scalars(select(WebhookCursor))}
    for kind, following in followed.items():
        cursor = cursors.get(kind)
        if cursor is None:
            cursor = WebhookCursor(kind=kind, position=0)
            session.add(cursor)
        while True:
            page = feed.page(session, kind, str(cursor.position), BATCH)
            for item in page.items:
                position = int(item["cursor"])
                body = json.dumps({"event": kind, "feed_position": position, **item}, ensure_ascii=False)
                for subscription in following:
                    if subscription.created_at <= _changed_at(item):
                        session.add(
                            WebhookDelivery(
                                subscription_id=subscription.id, event=kind, feed_position=position, body=body
                            )
                        )
                cursor.position = position
            if not page.has_more:
                break


def _changed_at(item: dict) -> datetime:
    return datetime.fromisoformat(item["changed_at"])


def _reset(session: Session) -> None:
    """A replay starts from the feed's present: webhooks already sent are not sent again."""
    session.execute(delete(WebhookCursor))
    session.add_all(WebhookCursor(kind=kind, position=_head(session, kind)) for kind in rules.KINDS)


def webhooks_consumer() -> Consumer:
    return consumer("webhooks", ACTIONS, queue_changes, reset=_reset, title="Webhooks (change feed pushed)")
