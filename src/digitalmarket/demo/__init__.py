"""Demo data for `make run`: fictional organisations, one account per role, and work for every role.

Everything is created through the workflows, as users would, so the audit chain holds it too.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from ..core.files import DocumentStore
from .accounts import ACCOUNTS, DEMO_PASSWORD, seed_demo

__all__ = ["ACCOUNTS", "DEMO_PASSWORD", "seed_demo", "seed_demo_trade", "seed_demo_work"]


def seed_demo_work(session: Session, documents_dir: Path) -> dict[str, int]:
    """Published services and applications in every state, so each role's pages have work on them."""
    from .selection import seed_applications
    from .services import seed_services

    store = DocumentStore(documents_dir)
    return {"services": seed_services(session), **seed_applications(session, store)}


def seed_demo_trade(session: Session, documents_dir: Path) -> dict[str, int]:
    """Two years of catalog contracts, quotes, orders, usage, payments, reviews, demand notices and help
    desk, played day by day through the workflows (after `seed_demo_work`; `seed-demo` calls it, the test
    fixtures do not, as it takes a while: every order has its contract document)."""
    from .contracting import seed_trade

    return seed_trade(session, documents_dir)
