"""A step's audit event reaches its subscribers in the step's own transaction: what they write commits
with the step, and a subscriber that fails fails the step, leaving every record as it was."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from digitalmarket import subscribers
from digitalmarket.core import events
from digitalmarket.core.audit import AuditEvent
from digitalmarket.core.errors import Conflict
from tests.helpers import api_token


@pytest.fixture
def refusing_profile_changes():
    """The installed subscriptions, plus one that refuses every supplier profile change."""

    def refuse(session, found):
        raise Conflict()

    events.install([*events.installed(), events.subscribe("organisation.", refuse)])
    yield
    subscribers.install()


def test_a_failing_subscriber_fails_the_step_and_nothing_is_written(demo, client, refusing_profile_changes):
    headers = api_token(demo, "supplier@demo.kr")
    profile = client.get("/api/v1/supplier/profile", headers=headers).json()
    with demo.reading() as session:
        before = session.scalar(select(func.count()).select_from(AuditEvent))
    change = {k: profile[k] or "" for k in ("name", "representative", "size", "credit_rating")}
    answer = client.put(
        "/api/v1/supplier/profile",
        json={**change, "name": "한결데이터 주식회사", "version": profile["version"]},
        headers=headers,
    )
    assert answer.status_code == 409
    assert client.get("/api/v1/supplier/profile", headers=headers).json()["name"] == profile["name"]
    with demo.reading() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_a_subscription_names_actions_or_kinds():
    subscription = events.subscribe(("review.", "order.contracted"), lambda session, found: None)
    assert subscription.matches("review.created") and subscription.matches("order.contracted")
    assert not subscription.matches("order.confirmed") and not subscription.matches("reviews.x")
    with pytest.raises(ValueError):
        events.subscribe((), lambda session, found: None)
