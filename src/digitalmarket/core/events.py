"""Events and their subscribers: a step's audit event is its domain event.

Every step of a workflow appends one audit event (`audit.record`, `audit.record_many`) in its own
transaction: the kind of step (``action``), its object, its actor and a JSON payload. Right after the
events are appended, in that same transaction, they are handed to the *subscribers* whose actions they
match, so what a subscriber writes (a projection of the change: the search index and the search facts
of a renamed supplier, say) commits or rolls back with the step itself.

Subscribers are in-transaction projections: they must be exact at commit and cheap, since the step's
write lock is held while they run. Nothing slow (a PDF, an e-mail, a release package) belongs here.

No package subscribes by being imported. The registry is filled once, explicitly, by
`digitalmarket.subscribers.install()` — one readable list of every subscription — which the app factory,
the command line and the test fixtures call at start-up. A stage below never needs to know who listens:
`accounts` records ``organisation.updated`` and the catalog's search follows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from .audit import AuditEvent

Handler = Callable[[Session, Sequence["AuditEvent"]], None]


@dataclass(frozen=True)
class Subscription:
    """A handler of the events whose action is one of ``actions``: an exact action
    (``"organisation.updated"``) or every action of a kind (``"review."``, ending in a dot)."""

    actions: tuple[str, ...]
    handler: Handler

    def matches(self, action: str) -> bool:
        return any(action == name or (name.endswith(".") and action.startswith(name)) for name in self.actions)


def subscribe(actions: str | Iterable[str], handler: Handler) -> Subscription:
    """A subscription of ``handler`` to one action or several (see `Subscription`), for `install`."""
    names = (actions,) if isinstance(actions, str) else tuple(actions)
    if not names:
        raise ValueError("a subscription names at least one action")
    return Subscription(names, handler)


_subscriptions: tuple[Subscription, ...] = ()


def install(subscriptions: Iterable[Subscription]) -> None:
    """Replace the registry by these subscriptions (called by `digitalmarket.subscribers.install`)."""
    global _subscriptions
    _subscriptions = tuple(subscriptions)


def installed() -> tuple[Subscription, ...]:
    return _subscriptions


def publish(session: Session, events: Sequence[AuditEvent]) -> None:
    """Hand just-appended events to their subscribers, in the order they were installed, inside the
    caller's transaction. Each handler is called once with all of its matching events (in order)."""
    for subscription in _subscriptions:
        matching = [event for event in events if subscription.matches(event.action)]
        if matching:
            subscription.handler(session, matching)
