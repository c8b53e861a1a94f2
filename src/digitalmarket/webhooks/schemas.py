"""JSON shapes of the webhook routes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from . import rules
from .tables import WebhookDelivery, WebhookSubscription

FeedKind = StrEnum("FeedKind", {kind.upper().replace("-", "_"): kind for kind in rules.KINDS})
FeedKind.__doc__ = "A kind of the change feed."


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=500, examples=["https://erp.example.kr/hooks/digitalmarket"])
    kinds: list[FeedKind] = Field(min_length=1, max_length=len(rules.KINDS))


class WebhookOut(BaseModel):
    id: int
    url: str
    kinds: list[FeedKind]
    created_at: datetime

    @classmethod
    def of(cls, subscription: WebhookSubscription) -> WebhookOut:
        return cls(
            id=subscription.id,
            url=subscription.url,
            kinds=[FeedKind(k) for k in subscription.kinds.split()],
            created_at=subscription.created_at,
        )


class NewWebhookOut(WebhookOut):
    secret: str = Field(description="The signing secret, shown this once only.")


class DeliveryOut(BaseModel):
    id: int
    event: str = Field(description="the feed kind, or ping for a test event")
    feed_position: int | None = None
    state: DeliveryStatus
    attempts: int
    last_status_code: int | None = None
    last_error: str | None = None
    last_attempt_at: datetime | None = None
    next_attempt_at: datetime | None = None
    delivered_at: datetime | None = None
    created_at: datetime

    @classmethod
    def of(cls, delivery: WebhookDelivery) -> DeliveryOut:
        return cls(
            id=delivery.id,
            event=delivery.event,
            feed_position=delivery.feed_position,
            state=DeliveryStatus(delivery.status),
            attempts=delivery.attempts,
            last_status_code=delivery.last_status_code,
            last_error=delivery.last_error,
            last_attempt_at=delivery.last_attempt_at,
            next_attempt_at=delivery.next_attempt_at if delivery.status == "pending" else None,
            delivered_at=delivery.delivered_at,
            created_at=delivery.created_at,
        )
