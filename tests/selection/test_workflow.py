"""Selection through the workflows on SQLite and PostgreSQL: every journey a user can take."""

import threading
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from digitalmarket.catalog.tables import Service
from digitalmarket.core.audit import verify_chain
from digitalmarket.core.clock import KST, today_kst
from digitalmarket.core.errors import Conflict, NotFound, ValidationFailed
from digitalmarket.core.notifications import Notification
from digitalmarket.selection import access, committee_rounds, committee_votes, history, screening, workflow
from digitalmarket.selection.rules import Criterion, State
from digitalmarket.selection.tables import Application
from tests.selection.journey import (
    close,
    committee_month,
    draft,
    open_round,
    round_of,
    state,
    step,
    to_committee,
    version,
    vote,
)


def test_from_draft_to_published_service(demo, store, people):
    application_id = to_committee(demo, store, people.supplier, people.operator)
    month = committee_month(demo, application_id)
    round_id = open_round(demo, people.operator, month, [people.reviewer, people.reviewer2, people.reviewer3])
    for reviewer in (people.reviewer, people.reviewer2, people.reviewer3):
        vote(demo, reviewer, round_id, application_id)
    close(demo, people.operator, round_id)
    assert state(demo, application_id) == State.SELECTED
    step(demo, screening.publish, people.operator, application_id)
    with demo.reading() as session:
        application = access.load(session, application_id)
        service = session.get(Service, application.service_id)
        assert application.state == State.PUBLISHED
        assert service.code.startswith("SAS-") and service.code.endswith("-00001")
        assert service.status == "published" and service.committee_round == 1
        assert [p.unit_price for p in service.price_plans] == [12000]
        steps = [s["action"] for s in history.timeline(application)]
        assert steps == [
            "create",
            "submit",
            "start_check",
            "accept",
            "start_expert_review",
            "send_to_committee",
            "select",
            "publish",
        ]
        notes = session.scalars(select(Notification).where(Notification.user_id == people.supplier.user_id)).all()
        assert any("SAS-" in str(n.params) for n in notes)
        assert verify_chain(session).ok


def test_the_timeline_counts_days_of_the_calendar_in_korea(demo, store, people):
    """A step taken late one evening is a day old the next morning, as a person in Korea counts."""
    application_id = draft(demo, store, people.supplier)
    step(demo, workflow.submit, people.supplier, application_id)
    with demo.reading() as session:
        application = access.load(session, application_id)
        submitted = history.timeline(application)[-1]["at"]
        day = today_kst(submitted)
        assert history.timeline(application, submitted)[-1]["days"] == 0
        just_after_midnight = datetime.combine(day + timedelta(days=1), time(0, 1), tzinfo=KST)
        assert history.timeline(application, just_after_midnight)[-1]["days"] == 1
        a_week_on = datetime.combine(day + timedelta(days=6), time(23, 59), tzinfo=KST)
        assert history.timeline(application, a_week_on)[-1]["days"] == 6


def test_a_supplement_loop(demo, store, people):
    application_id = draft(demo, store, people.supplier)
    step(demo, workflow.submit, people.supplier, application_id)
    step(demo, screening.start_check, people.operator, application_id)
    with pytest.raises(ValidationFailed):
        step(demo, screening.request_supplement, people.operator, application_id, {"sla": "  "})
    step(
        demo,
        screening.request_supplement,
        people.operator,
        application_id,
        {"sla": "가용성 목표가 빠져 있습니다", "price_list": ""},
    )
    assert state(demo, application_id) == State.SUPPLEMENT_REQUESTED
    step(demo, workflow.update_content, people.supplier, application_id, {"sla_availability": "99.95"})
    step(demo, workflow.submit, people.supplier, application_id)
    with demo.reading() as session:
        application = access.load(session, application_id)
        assert application.state == State.SUBMITTED
        assert application.content["sla_availability"] == "99.95"
        request = next(e for e in application.events if e.action == "request_supplement")
        assert request.details["items"] == {"sla": "가용성 목표가 빠져 있습니다"}
        assert [e.action for e in application.events][-2:] == ["request_supplement", "resubmit"]


def test_an_incomplete_draft_cannot_be_submitted_and_stays_a_draft(demo, store, people):
    with demo.transaction() as session:
        application = workflow.create_application(session, people.supplier, {"name": "미완성 서비스"})
    with pytest.raises(ValidationFailed) as refused:
        step(demo, workflow.submit, people.supplier, application.id)
    assert {"summary", "price_plans", "documents.sla"} <= set(refused.value.fields)
    assert state(demo, application.id) == State.DRAFT


def test_rejection_with_reasons_and_a_new_application(demo, store, people):
    application_id = to_committee(demo, store, people.supplier, people.operator)
    round_id = round_of(demo, people, application_id)
    vote(demo, people.reviewer, round_id, application_id, {Criterion.SECURITY: "접근통제 설명 부족"})
    vote(demo, people.reviewer2, round_id, application_id, {Criterion.SECURITY: "취약점 점검 결과 없음"})
    vote(demo, people.reviewer3, round_id, application_id)
    close(demo, people.operator, round_id)
    with demo.reading() as session:
        rejected = access.load(session, application_id)
        assert rejected.state == State.REJECTED
        assert rejected.decision_reasons == {"security": ["접근통제 설명 부족", "취약점 점검 결과 없음"]}
    with demo.transaction() as session:
        again = workflow.reapply(session, people.supplier, application_id)
    with demo.reading() as session:
        again = access.load(session, again.id)
        assert again.state == State.DRAFT and again.previous_application_id == application_id
        assert again.content == rejected.content
        assert sorted(d.sha256 for d in again.documents) == sorted(d.sha256 for d in rejected.documents)


def test_withdrawal_ends_the_application(demo, store, people):
    application_id = draft(demo, store, people.supplier)
    step(demo, workflow.submit, people.supplier, application_id)
    step(demo, workflow.withdraw, people.supplier, application_id, "사업 계획 변경")
    assert state(demo, application_id) == State.WITHDRAWN
    with pytest.raises(Conflict) as refused:
        step(demo, screening.start_check, people.operator, application_id)
    assert "withdrawn" in refused.value.message.render("en").lower()


def test_a_reviewer_with_a_relation_is_excluded(demo, store, people):
    application_id = to_committee(demo, store, people.supplier, people.operator)
    round_id = round_of(demo, people, application_id)
    vote(demo, people.reviewer, round_id, application_id, relation=True)
    with demo.reading() as session, pytest.raises(NotFound):
        committee_votes.reviewable_application(session, people.reviewer, round_id, application_id)
    with demo.transaction() as session, pytest.raises(NotFound):
        committee_votes.cast_votes(
            session, people.reviewer, round_id, application_id, {c: (True, "") for c in Criterion}
        )
    vote(demo, people.reviewer2, round_id, application_id)
    vote(demo, people.reviewer3, round_id, application_id, {Criterion.SUPPORT: "지원 인력 부족"})
    close(demo, people.operator, round_id)  # reviewer excluded: two voters, a 1 to 1 tie on support
    assert state(demo, application_id) == State.REJECTED


def test_without_quorum_the_application_waits_for_next_month(demo, store, people):
    application_id = to_committee(demo, store, people.supplier, people.operator)
    month = committee_month(demo, application_id)
    round_id = open_round(demo, people.operator, month, [people.reviewer, people.reviewer2, people.reviewer3])
    vote(demo, people.reviewer, round_id, application_id)
    close(demo, people.operator, round_id)
    assert state(demo, application_id) == State.COMMITTEE
    assert committee_month(demo, application_id) > month


def test_votes_cannot_change_after_the_round_closed(demo, store, people):
    application_id = to_committee(demo, store, people.supplier, people.operator)
    round_id = round_of(demo, people, application_id)
    for reviewer in (people.reviewer, people.reviewer2, people.reviewer3):
        vote(demo, reviewer, round_id, application_id)
    close(demo, people.operator, round_id)
    with demo.transaction() as session, pytest.raises(Conflict):
        committee_votes.cast_votes(
            session, people.reviewer, round_id, application_id, {c: (False, "늦은 반대") for c in Criterion}
        )
    with demo.reading() as session:
        assert all(v.passes for v in committee_votes.votes_of(session, round_id, application_id))


def test_a_fail_vote_needs_a_comment(demo, store, people):
    application_id = to_committee(demo, store, people.supplier, people.operator)
    round_id = round_of(demo, people, application_id)
    with demo.transaction() as session:
        committee_votes.declare(session, people.reviewer, round_id, application_id, False)
    with demo.transaction() as session, pytest.raises(ValidationFailed) as refused:
        committee_votes.cast_votes(
            session,
            people.reviewer,
            round_id,
            application_id,
            {**{c: (True, "") for c in Criterion}, Criterion.SECURITY: (False, " ")},
        )
    assert "security.comment" in refused.value.fields


def test_two_operators_at_once_one_wins(demo, store, people):
    application_id = draft(demo, store, people.supplier)
    step(demo, workflow.submit, people.supplier, application_id)
    step(demo, screening.start_check, people.operator, application_id)
    read_version = version(demo, application_id)
    outcomes, barrier = [], threading.Barrier(2)

    def act(function, *args):
        barrier.wait()
        try:
            with demo.transaction() as session:
                function(session, people.operator, application_id, read_version, *args)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")

    threads = [
        threading.Thread(target=act, args=(screening.accept,)),
        threading.Thread(target=act, args=(screening.request_supplement, {"sla": "누락"})),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    with demo.reading() as session:
        application = access.load(session, application_id)
        assert application.state in {State.ACCEPTED, State.SUPPLEMENT_REQUESTED}
        assert [e.action for e in application.events].count("accept") + [e.action for e in application.events].count(
            "request_supplement"
        ) == 1


def test_a_stale_version_changes_nothing(demo, store, people):
    application_id = draft(demo, store, people.supplier)
    stale = version(demo, application_id)
    step(demo, workflow.update_content, people.supplier, application_id, {"name": "새 이름"})
    with demo.transaction() as session, pytest.raises(Conflict):
        workflow.update_content(session, people.supplier, application_id, stale, {"name": "옛 이름"})
    with demo.reading() as session:
        assert access.load(session, application_id).content["name"] == "새 이름"


def test_a_sanctioned_supplier_cannot_apply(demo, store, people):
    from datetime import timedelta

    from digitalmarket.accounts import profiles, sanctions
    from digitalmarket.core.clock import today_kst

    application_id = draft(demo, store, people.supplier)
    with demo.transaction() as session:
        org = profiles.organisation_of(session, people.supplier)
        sanctions.set_sanction(
            session,
            people.officer,
            org.id,
            today_kst() - timedelta(days=1),
            today_kst() + timedelta(days=90),
            "입찰 담합",
            org.version,
        )
    with pytest.raises(ValidationFailed) as refused:
        step(demo, workflow.submit, people.supplier, application_id)
    assert "_sanction" in refused.value.fields
    with demo.transaction() as session, pytest.raises(Conflict):
        workflow.create_application(session, people.supplier, {"name": "새 신청"})


def test_who_sees_an_application(demo, store, people):
    application_id = draft(demo, store, people.supplier)
    with demo.reading() as session:
        assert access.visible_application(session, people.supplier, application_id)
        assert access.visible_application(session, people.operator, application_id)
        for outsider in (people.supplier2, people.buyer, people.reviewer, people.officer):
            with pytest.raises(NotFound):
                access.visible_application(session, outsider, application_id)
        document = access.load(session, application_id).documents[0]
        with pytest.raises(NotFound):
            access.document_for(session, people.supplier2, application_id, document.id)


def test_a_reviewer_outside_the_round_sees_nothing(demo, store, people):
    application_id = to_committee(demo, store, people.supplier, people.operator)
    round_id = round_of(demo, people, application_id)
    with demo.transaction() as session:
        from digitalmarket.accounts import user_accounts

        outsider_user = user_accounts.create_user(
            session,
            None,
            user_accounts.NewUser(
                "outsider@demo.kr", "외부위원", "reviewer", people.reviewer.organisation_id, "Quiet-lantern-harbour-58"
            ),
        )
        outsider = user_accounts.actor_of(outsider_user)
    with demo.reading() as session:
        assert committee_rounds.rounds_of_reviewer(session, outsider) == []
        with pytest.raises(NotFound):
            committee_rounds.reviewer_round(session, outsider, round_id)


def test_applications_move_to_a_later_round_with_a_reason(demo, store, people):
    application_id = to_committee(demo, store, people.supplier, people.operator)
    month = committee_month(demo, application_id)
    with pytest.raises(ValidationFailed):
        step(demo, screening.move_to_round, people.operator, application_id, month, "같은 달")
    later = f"{int(month[:4]) + 1}-{month[5:]}"
    step(demo, screening.move_to_round, people.operator, application_id, later, "보완 자료 검토 필요")
    assert committee_month(demo, application_id) == later
    with demo.reading() as session:
        assert session.scalars(select(Application).where(Application.committee_month == month)).all() == []
