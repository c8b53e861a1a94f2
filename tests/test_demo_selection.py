"""The demo's selection history: the catalog's services selected by monthly committee rounds from 2024 on,
so that a service's code, selection day, round and the statistics' lead times agree with each other.

Seeded once for the run (two years of applications and rounds), on SQLite (`demo_work_template`).
"""

import json
from collections import Counter
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from digitalmarket.catalog.rules import SEED_CATEGORIES
from digitalmarket.catalog.tables import Category, Service
from digitalmarket.core.clock import KST
from digitalmarket.demo.catalog_data import demo_catalog
from digitalmarket.selection.tables import Application, CommitteeRound
from digitalmarket.web.app import create_app
from tests.helpers import copy_of

WAITING = ("accepted", "expert_review", "committee")


@pytest.fixture(scope="module")
def history(demo_work_template, tmp_path_factory):
    """A copy of the demo's selection history, played once for the run (`demo_work_template`)."""
    template, counts = demo_work_template
    db, settings = copy_of(template, tmp_path_factory.mktemp("demo-selection"))
    yield db, settings, counts
    db.dispose()


def test_every_step_of_the_history_is_played(history):
    _, _, counts = history
    assert counts["selection_refused"] == 0, counts
    assert counts["services"] == 8 + len(demo_catalog())


def test_the_catalog_is_published_in_every_category(history):
    db, _, _ = history
    with db.reading() as session:
        rows = session.execute(
            select(Category.type, Category.name_ko, func.count(Service.id))
            .join(Service, Service.category_id == Category.id)
            .where(Service.status == "published")
            .group_by(Category.type, Category.name_ko)
        ).all()
    per_category = {(kind, name): n for kind, name, n in rows}
    assert len(per_category) == sum(len(c) for c in SEED_CATEGORIES.values())
    assert min(per_category.values()) >= 4


def test_every_published_service_was_selected_by_a_round_and_carries_its_years_code(history, client_of):
    db, _, _ = history
    with db.reading() as session:
        services = session.scalars(select(Service)).all()
        rounds = {r.number: r for r in session.scalars(select(CommitteeRound))}
    assert {e["name"] for e in demo_catalog()} <= {s.name for s in services}
    for service in services:
        assert service.selected_on is not None, service.code
        assert service.code.split("-")[1] == str(service.published_at.astimezone(KST).year), service.code
        committee_round = rounds[service.committee_round]
        assert committee_round.month == f"{service.selected_on:%Y-%m}", service.code
        assert committee_round.meeting_date <= service.selected_on <= service.published_at.astimezone(KST).date()
    years = Counter(s.code.split("-")[1] for s in services)
    assert years["2024"] >= 80 and years["2025"] >= 30 and years["2026"] >= 20
    first = min(services, key=lambda s: s.id)
    page = client_of(history).get(f"/services/{first.code}")
    assert page.status_code == 200 and f"{first.selected_on:%Y-%m-%d}" in page.text


def test_rounds_close_on_or_after_their_meeting_and_keep_no_accepted_application(history):
    db, _, _ = history
    with db.reading() as session:
        rounds = session.scalars(select(CommitteeRound).order_by(CommitteeRound.number)).all()
        applications = session.scalars(select(Application)).all()
    assert len(rounds) >= 30 and [r.is_closed for r in rounds][-2:] == [True, False]
    assert [r.number for r in rounds] == list(range(1, len(rounds) + 1))
    assert [r.month for r in rounds] == sorted(r.month for r in rounds)
    early = [r.number for r in rounds if r.closed_at and r.closed_at.astimezone(KST).date() < r.meeting_date]
    assert early == []
    closed = {r.month for r in rounds if r.is_closed}
    stuck = [a.name for a in applications if a.state in WAITING and a.committee_month in closed]
    assert stuck == []
    assert {a.state for a in applications} >= {
        "draft",
        "submitted",
        "supplement_requested",
        "accepted",
        "committee",
        "rejected",
        "published",
    }


def test_the_open_round_has_two_applications_and_some_votes(history):
    db, _, _ = history
    with db.reading() as session:
        open_round = session.scalars(select(CommitteeRound).where(CommitteeRound.closed_at.is_(None))).one()
        waiting = session.scalars(
            select(Application).where(Application.committee_month == open_round.month, Application.state == "committee")
        ).all()
        assert {a.name for a in waiting} == {"나래 공간정보 지도", "가상 클라우드 운영관리"}
        created = open_round.created_at.astimezone(KST).date()
        assert created < open_round.meeting_date
        last = session.scalars(select(CommitteeRound).where(CommitteeRound.number == open_round.number - 1)).one()
        decided = session.scalars(select(Application).where(Application.committee_month == last.month)).all()
        states = {a.name: a.state for a in decided}
        assert states["누리 인사급여 클라우드"] == "published" and states["한빛 도시데이터 허브"] == "rejected"
        assert last.is_closed and len(decided) >= 3


def test_statistics_show_days_for_every_selection_step(history, client_of):
    answer = client_of(history).get("/api/v1/statistics")
    assert answer.status_code == 200
    table = next(t for t in answer.json()["tables"] if t["key"] == "selection_steps")
    steps = {row["code"]: row for row in table["rows"]}
    for state in ("submitted", "document_check", "accepted", "expert_review", "committee", "selected"):
        assert steps[state]["count"] >= 150 and steps[state]["median"] > 0.5, (state, steps[state])
    assert steps["supplement_requested"]["count"] >= 10 and steps["supplement_requested"]["median"] > 0.5
    assert 7 <= steps["expert_review"]["median"] <= 20 and 7 <= steps["committee"]["median"] <= 40
    lead = next(t for t in answer.json()["tables"] if t["key"] == "lead_times")
    selection = next(row for row in lead["rows"] if row["count"] and row["code"] != "quote_request_to_contract")
    assert 30 <= selection["median"] <= 90, json.dumps(lead["rows"])


def test_the_year_filter_offers_the_years_of_the_history(history, client_of):
    answer = client_of(history).get("/api/v1/statistics", params={"year": "2024"})
    assert answer.status_code == 200 and {2024, 2025} <= set(answer.json()["years"])
    table = next(t for t in answer.json()["tables"] if t["key"] == "selection_steps")
    assert next(row for row in table["rows"] if row["code"] == "committee")["count"] >= 80


def test_each_application_moves_forward_in_time(history):
    db, _, _ = history
    with db.reading() as session:
        for application in session.scalars(select(Application)):
            moments = [e.occurred_at for e in application.events]
            assert moments == sorted(moments), application.name
            if application.decided_at is not None:
                assert application.decided_at - application.submitted_at > timedelta(days=14)


@pytest.fixture(scope="module")
def client_of():
    clients = {}

    def make(history):
        db, settings, _ = history
        if "client" not in clients:
            clients["client"] = TestClient(create_app(settings, db), base_url="http://testserver")
        return clients["client"]

    return make


def test_applications_are_in_every_state_and_all_in_the_audit_chain(history):
    from digitalmarket.core.audit import verify_chain

    db, _, _ = history
    with db.reading() as session:
        states = {a.state for a in session.scalars(select(Application))}
        every = {"draft", "submitted", "supplement_requested", "accepted", "committee", "rejected", "published"}
        assert states >= every
        rounds = session.scalars(select(CommitteeRound).order_by(CommitteeRound.number)).all()
        assert all(r.is_closed for r in rounds[:-1]) and not rounds[-1].is_closed  # the last one open
        assert verify_chain(session).ok
