"""Use cases of webhook subscriptions, for an organisation's administrator (조직 관리자): subscribe (the secret
is shown once), list, delete, read the delivery log and send a test event."""

from __future__ import annotations

import json
import secrets
import socket
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..accounts.permissions import Actor
from ..core import audit
from ..core.errors import NotFound, ValidationFailed
from ..core.i18n import N_
from ..core.tables import utcnow
from . import rules
from .tables import WebhookDelivery, WebhookSubscription

LOG_LIMIT = 100


def resolve(host: str) -> list[str]:
    """The addresses a host name stands for (empty when it cannot be resolved)."""
    try:
        return sorted({info[4][0] for info in socket.getaddrinfo(host, None)})
    except (OSError, UnicodeError):
        return []


def check_url(url: str, allow_private: bool) -> None:
    problem = rules.url_problem(url)
    if problem is None:
        problem = rules.address_problem(resolve(urlsplit(url.strip()).hostname or ""), allow_private)
    if problem is not None:
        raise ValidationFailed(fields={"url": problem})


def subscribe(
    session: Session, actor: Actor, url: str, kinds: list[str], *, allow_private: bool = False
) -> tuple[WebhookSubscription, str]:
    """A new subscription of the caller's organisation; returns it with its secret (shown this once)."""
    kinds = [k for k in rules.KINDS if k in {str(k).strip() for k in kinds}] or [str(k) for k in kinds]
    problem = rules.kinds_problem(kinds)
    if problem is not None:
        raise ValidationFailed(fields={"kinds": problem})
    check_url(url, allow_private)
    count = session.scalar(
        select(func.count())
        .select_from(WebhookSubscription)
        .where(WebhookSubscription.organisation_id == actor.organisation_id, WebhookSubscription.deleted_at.is_(None))
    )
    if count >= rules.MAX_SUBSCRIPTIONS:
        raise ValidationFailed(N_("An organisation has at most %(count)s webhooks.", count=rules.MAX_SUBSCRIPTIONS))
    secret = "whsec_" + secrets.token_urlsafe(32)
    subscription = WebhookSubscription(
        organisation_id=actor.organisation_id,
        url=url.strip(),
        kinds=" ".join(kinds),
        secret=secret,
        created_by=actor.user_id,
    )
    session.add(subscription)
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="webhook.subscribed",
        object_type="webhook_subscription",
        object_id=subscription.id,
        details={"url": subscription.url, "kinds": kinds},
    )
    return subscription, secret


def subscriptions_of(session: Session, actor: Actor) -> list[WebhookSubscription]:
    live = WebhookSubscription.deleted_at.is_(None)
    mine = WebhookSubscription.organisation_id == actor.organisation_id
    return list(session.scalars(select(WebhookSubscription).where(mine, live).order_by(WebhookSubscription.id)))


def subscription_of(session: Session, actor: Actor, subscription_id: int) -> WebhookSubscription:
    """One live subscription of the caller's organisation (another organisation's is not found)."""
    subscription = session.get(WebhookSubscription, subscription_id)
    if (
        subscription is None
        or subscription.deleted_at is not None
        or subscription.organisation_id != actor.organisation_id
    ):
        raise NotFound()
    return subscription


def unsubscribe(session: Session, actor: Actor, subscription_id: int) -> None:
    """Stop a subscription: nothing more is sent, waiting deliveries included; its log stays readable."""
    subscription = subscription_of(session, actor, subscription_id)
    subscription.deleted_at = utcnow()
    for delivery in session.scalars(
        select(WebhookDelivery).where(
            WebhookDelivery.subscription_id == subscription.id, WebhookDelivery.status == "pending"
        )
    ):
        delivery.status = "failed"
        delivery.last_error = "unsubscribed"
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="webhook.unsubscribed",
        object_type="webhook_subscription",
        object_id=subscription.id,
    )


def deliveries(session: Session, actor: Actor, subscription_id: int) -> list[WebhookDelivery]:
    """The delivery log of a subscription, newest first (the last 100)."""
    subscription = subscription_of(session, actor, subscription_id)
    return list(
        session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.subscription_id == subscription.id)
            .order_by(WebhookDelivery.id.desc())
            .limit(LOG_LIMIT)
        )
    )


def send_test_event(session: Session, actor: Actor, subscription_id: int) -> WebhookDelivery:
    """Queue a test event ("ping") for a subscription; the sender delivers it like any other."""
    subscription = subscription_of(session, actor, subscription_id)
    body = {"event": rules.TEST_EVENT, "subscription_id": subscription.id, "feed_position": None}
    delivery = WebhookDelivery(subscription_id=subscription.id, event=rules.TEST_EVENT, body=json.dumps(body))
    session.add(delivery)
    session.flush()
    return delivery
