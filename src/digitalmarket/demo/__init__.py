"""Demo data for `make run`: fictional organisations, one account per role, and work for every role.

Everything is created through the workflows, as users would, so the audit chain holds it too.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core.files import DocumentStore
from .accounts import ACCOUNTS, DEMO_PASSWORD, seed_demo

__all__ = ["ACCOUNTS", "DEMO_PASSWORD", "seed_demo", "seed_demo_trade", "seed_demo_work"]


def seed_demo_work(
    session: Session, documents_dir: Path, now: datetime | None = None, *, catalog: bool = True
) -> dict[str, int]:
    """The selection history up to ``now`` (default: now), played day by day from 2024-01 through the
    workflows: the catalog's services selected by monthly committee rounds and published, then the demo
    accounts' applications in every state, the last round decided and the next one open. ``catalog=False``
    plays the demo accounts' companies' services only, not the generated catalog (for tests that need
    the selection states, not 181 services)."""
    from ..accounts.tables import User
    from ..accounts.user_accounts import actor_of
    from ..core.clock import today_kst
    from ..core.notifications import mark_all_read
    from ..core.tables import utcnow
    from ..selection.tables import CommitteeRound
    from .history import Calendar
    from .selection.applications import plan_applications
    from .selection.rounds import FIRST_DAY
    from .selection.world import new_selection
    from .services import add_catalog_suppliers, plan_services

    now = now or utcnow()
    add_catalog_suppliers(session)
    users = {u.email: actor_of(u) for u in session.scalars(select(User))}
    calendar = Calendar(session, now)
    world = new_selection(session, DocumentStore(documents_dir), calendar, users, today_kst(now))
    services = plan_services(world, session, catalog=catalog)
    plan_applications(world, users, today_kst(now))

    def daily(day) -> None:
        if day.day == 1:  # people read their notifications now and then: what came this month is unread
            for actor in users.values():
                mark_all_read(session, actor.user_id)

    calendar.run(FIRST_DAY, daily)
    return {
        "services": services,
        "applications": world.counts["applications"],
        "rounds": session.scalar(select(func.count()).select_from(CommitteeRound)),
        "selection_steps": calendar.done,
        "selection_refused": len(calendar.refused),
    }


def seed_demo_trade(session: Session, documents_dir: Path) -> dict[str, int]:
    """Two years of catalog contracts, quotes, orders, usage, payments, reviews, demand notices and help
    desk, played day by day through the workflows (after `seed_demo_work`; `seed-demo` calls it, the test
    fixtures do not, as it takes a while: every order has its contract document)."""
    from ..signatures.authority import issue_missing
    from .trade import seed_trade

    counts = seed_trade(session, documents_dir)
    issue_missing(session)  # today's certificate for each organisation that never signed in the two years
    return counts
