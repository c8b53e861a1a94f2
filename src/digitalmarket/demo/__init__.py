"""Demo data for `make run`: fictional organisations, one account per role, and work for every role.

Everything is created through the workflows, as users would, so the audit chain holds it too.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from ..core.files import DocumentStore
from .accounts import ACCOUNTS, DEMO_PASSWORD, seed_demo

__all__ = ["ACCOUNTS", "DEMO_PASSWORD", "seed_demo", "seed_demo_work"]


def seed_demo_work(session: Session, documents_dir: Path) -> dict[str, int]:
    """Published services and applications in every state, so each role's pages have work on them."""
    from .selection import seed_applications
    from .services import seed_services

    store = DocumentStore(documents_dir)
    return {"services": seed_services(session), **seed_applications(session, store)}
