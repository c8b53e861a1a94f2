"""Sending webhooks: due deliveries are claimed, posted outside any transaction, and their results recorded.

As the e-mail outbox (`notifications.outbox`): (1) claim due rows in a short transaction (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL) with this batch's token; (2) POST each, signed, with no transaction open, to an
address checked again at sending time (a name may resolve elsewhere since it was subscribed), following no
redirect; (3) record the answer: ``delivered`` on a 2xx, else the error and the next attempt after an
exponential backoff, and ``failed`` after the last attempt. `Sender` is a thread of the server process that
does this every few seconds; `send_due` does it once (tests, the command line).
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import or_, select

from ..core.database import Database
from ..core.tables import utcnow
from . import rules
from .subscriptions import resolve
from .tables import WebhookDelivery, WebhookSubscription

log = logging.getLogger("digitalmarket.webhooks")
CLAIM_LEASE = timedelta(minutes=2)
BATCH = 20


@dataclass(frozen=True)
class Claimed:
    id: int
    url: str
    secret: str
    event: str
    body: bytes
    attempts: int


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _due(now: datetime):
    return (
        WebhookDelivery.status == "pending",
        WebhookDelivery.next_attempt_at <= now,
        or_(WebhookDelivery.claimed_at.is_(None), WebhookDelivery.claimed_at < now - CLAIM_LEASE),
    )


def claim(db: Database, token: str, now: datetime, limit: int = BATCH) -> list[Claimed]:
    with db.reading() as session:  # most rounds find nothing: no write transaction for them
        if session.scalar(select(WebhookDelivery.id).where(*_due(now)).limit(1)) is None:
            return []
    with db.transaction() as session:
        rows = session.execute(
            select(WebhookDelivery, WebhookSubscription)
            .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
            .where(*_due(now))
            .order_by(WebhookDelivery.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=WebhookDelivery)
        ).all()
        claimed = []
        for delivery, subscription in rows:
            delivery.claimed_at, delivery.claim_token = now, token
            claimed.append(
                Claimed(
                    delivery.id,
                    subscription.url,
                    subscription.secret,
                    delivery.event,
                    delivery.body.encode(),
                    delivery.attempts,
                )
            )
        return claimed


def post(item: Claimed, allow_private: bool, now: datetime) -> int:
    """POST one webhook; returns the HTTP status, or raises with why it could not be sent."""
    problem = rules.address_problem(resolve(urlsplit(item.url).hostname or ""), allow_private)
    if problem is not None:
        raise ValueError(problem.render("en"))
    timestamp = int(now.timestamp())
    request = urllib.request.Request(
        item.url,
        data=item.body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "digitalmarket-webhooks",
            rules.SIGNATURE_HEADER: rules.sign(item.secret, timestamp, item.body),
            "X-DM-Event": item.event,
            "X-DM-Delivery": str(item.id),
        },
    )
    try:
        with _opener.open(request, timeout=rules.TIMEOUT_SECONDS) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def record(db: Database, item: Claimed, token: str, now: datetime, status: int | None, error: str | None) -> None:
    with db.transaction() as session:
        delivery = session.get(WebhookDelivery, item.id)
        if delivery is None or delivery.claim_token != token:
            return
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.last_status_code = status
        delivery.claimed_at = delivery.claim_token = None
        if status is not None and 200 <= status < 300:
            delivery.status, delivery.delivered_at, delivery.last_error = "delivered", now, None
            return
        delivery.last_error = (error or f"HTTP {status}")[: rules.MAX_ERROR_LENGTH]
        if delivery.attempts >= rules.MAX_ATTEMPTS:
            delivery.status = "failed"
        else:
            delivery.next_attempt_at = now + rules.retry_delay(delivery.attempts)


def send_due(db: Database, *, allow_private: bool = False, now: datetime | None = None) -> list[int]:
    """Send the deliveries due at ``now``; returns the ids attempted."""
    now = now or utcnow()
    token = secrets.token_hex(8)
    attempted = []
    for item in claim(db, token, now):
        status, error = None, None
        try:
            status = post(item, allow_private, now)
        except Exception as exc:  # noqa: BLE001 - any failure to send is recorded and retried
            error = f"{type(exc).__name__}: {exc}"
        record(db, item, token, now, status, error)
        attempted.append(item.id)
    return attempted


class Sender:
    """A thread of the server process that sends due webhooks every ``interval`` seconds."""

    def __init__(self, db: Database, allow_private: bool, interval: float = 2.0) -> None:
        self._db, self._allow_private, self._interval = db, allow_private, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="webhook-sender", daemon=True)

    @classmethod
    def start(cls, db: Database, allow_private: bool) -> Sender:
        sender = cls(db, allow_private)
        sender._thread.start()
        return sender

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                send_due(self._db, allow_private=self._allow_private)
            except Exception:  # noqa: BLE001 - the next round tries again
                log.exception("sending webhooks failed")
                time.sleep(self._interval)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self._interval + rules.TIMEOUT_SECONDS)
