"""Two years of demo trade, played through the workflows day by day (2024-12 to today): catalog contracts
with PPS (amended, suspended, expired, and applications in the officer's queue), quote requests and
orders by 15 agencies from many suppliers (both methods, every state, some changed, some terminated),
monthly usage, inspections and payments, and reviews. Only services already selected and published
(`demo/selection`) are contracted, asked for quotes or ordered.

Deterministic: one seeded random generator and a fixed order of steps. Everything goes through the
workflows, as users would act, so the audit chain holds all of it.

The stories of each stage are in `catalog_contracts`, `orders` and `settlement`; who acts, in `people`
and `world`. `seed_trade` plays them all.
"""

from __future__ import annotations

import random
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...accounts.permissions import Actor
from ...accounts.rules import Role
from ...accounts.tables import User
from ...accounts.user_accounts import actor_of
from ...catalog.tables import Service
from ...contracting.catalog_contracts import officer_steps
from ...contracting.orders import ending
from ...contracting.tables import Order, Quote
from ...core.clock import today_kst
from ...core.files import DocumentStore
from ...core.notifications import mark_all_read
from ...core.tables import utcnow
from ...settlement import payment
from ..community import plan_community
from ..history import Calendar
from .catalog_contracts import plan_catalog
from .orders import plan_orders
from .people import add_people
from .world import FIRST_DAY, World


def _users(session: Session) -> dict[str, User]:
    return {u.email: u for u in session.scalars(select(User))}


def seed_trade(session: Session, documents_dir: Path, now: datetime | None = None) -> dict[str, int]:
    """Play the demo trade from 2024-11 up to ``now`` (default: now); returns what was made."""
    now = now or utcnow()
    add_people(session)
    people = _users(session)
    buyers = [actor_of(u) for u in people.values() if u.role == Role.AGENCY_BUYER]
    buyers.sort(key=lambda a: (a.email != "buyer@demo.kr", a.email != "buyer2@demo.kr", a.email))
    supplier_users: dict[int, Actor] = {}
    for user in sorted(people.values(), key=lambda u: u.id):
        if user.role == Role.SUPPLIER:
            supplier_users.setdefault(user.organisation_id, actor_of(user))
    services = list(session.scalars(select(Service).where(Service.status == "published").order_by(Service.id)))
    world = World(
        session=session,
        store=DocumentStore(documents_dir),
        rng=random.Random(20261126),
        calendar=Calendar(session, now),
        officer=actor_of(people["officer@demo.kr"]),
        buyers=buyers,
        supplier_users=supplier_users,
        services=services,
    )
    in_mall = plan_catalog(world)
    plan_orders(world, in_mall, today_kst(now))
    actors = {email: actor_of(user) for email, user in people.items()}
    plan_community(world.calendar, session, actors, supplier_users, world.rng)

    def daily(day: date) -> None:
        officer_steps.expire_due_catalog_contracts(session, day)
        ending.activate_and_complete_due_orders(session, day)
        if day.day in (1, 15) or day == today_kst(now):
            payment.flag_overdue_invoices(session, day)
        if day.day == 1:  # people read their notifications now and then: what came this month is unread
            for user in people.values():
                mark_all_read(session, user.id)

    world.calendar.run(FIRST_DAY, daily)
    counts = dict(world.counts)
    counts["orders"] = len(session.scalars(select(Order.id)).all())
    counts["quotes"] = len(session.scalars(select(Quote.id)).all())
    counts["steps"] = world.calendar.done
    counts["refused"] = len(world.calendar.refused)
    counts["skipped"] = world.calendar.skipped
    return counts
