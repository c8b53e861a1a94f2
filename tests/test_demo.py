"""The demo data gives every role work to see, and is all in the audit chain: on PostgreSQL here (the
selection history's own tests play it on SQLite, tests/test_demo_selection.py)."""

import pytest
from sqlalchemy import select

from digitalmarket.catalog.tables import Service
from digitalmarket.core.audit import verify_chain
from digitalmarket.demo import seed_demo_work
from digitalmarket.selection.tables import Application, CommitteeRound


@pytest.fixture
def backend():
    return "postgresql"


def test_demo_work_has_applications_in_every_state(demo, tmp_path):
    with demo.transaction() as session:
        seed_demo_work(session, tmp_path / "documents")
    with demo.reading() as session:
        states = {a.state for a in session.scalars(select(Application))}
        assert states >= {
            "draft",
            "submitted",
            "supplement_requested",
            "accepted",
            "committee",
            "rejected",
            "published",
        }
        rounds = session.scalars(select(CommitteeRound).order_by(CommitteeRound.number)).all()
        assert all(r.is_closed for r in rounds[:-1]) and not rounds[-1].is_closed  # the last one open
        services = session.scalars(select(Service)).all()
        assert len(services) == 182 and all(s.status == "published" and s.selected_on for s in services)
        assert verify_chain(session).ok
