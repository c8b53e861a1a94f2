"""Who acts in the demo trade and what its steps share (`World`), the day it starts, and when a
service is on sale."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.orm import Session

from ...accounts.permissions import Actor
from ...catalog.tables import Service
from ...contracting.orders import documents as contract_documents
from ...contracting.tables import CatalogContract, Order
from ...core.clock import KST
from ...core.files import DocumentStore
from ..history import Calendar

FIRST_DAY = date(2024, 11, 1)


@dataclass
class World:
    """Who acts in the demo and what the steps share."""

    session: Session
    store: DocumentStore
    rng: random.Random
    calendar: Calendar
    officer: Actor
    buyers: list[Actor]
    supplier_users: dict[int, Actor]  # organisation id -> a user of it
    services: list[Service]
    contracted: dict[int, CatalogContract] = field(default_factory=dict)  # service id -> contract
    counts: Counter = field(default_factory=Counter)
    blocked: set[int] = field(default_factory=set)  # services whose trade will be suspended

    def documents(self, order: Order) -> None:
        """The documents the order's versions wait for, made at once: the whole history is one transaction,
        so the after-commit consumer (`orders.documents`) would only run once it is over, and each
        confirmation needs its document. The consumer then finds nothing left to make."""
        contract_documents.make_pending(self.session, order, self.store)


def published_on(service: Service) -> date:
    """The day (KST) the service was published after its selection."""
    return service.published_at.astimezone(KST).date()


def on_sale(service: Service, day: date) -> bool:
    """Whether buyers could find the service on ``day``: published a few days before."""
    return published_on(service) + timedelta(days=3) <= day
