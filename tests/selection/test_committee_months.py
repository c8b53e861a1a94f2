"""The committee month rule on SQLite and PostgreSQL: an accepted application never waits for a closed
round or one meeting too soon; extra rounds (수시 심사위원회); a round closes from its meeting date on."""

from datetime import date

import pytest
from sqlalchemy import update

from digitalmarket.catalog.tables import Service
from digitalmarket.core.errors import Conflict, ValidationFailed
from digitalmarket.demo.history import at, clock_at
from digitalmarket.selection import access, committee_decisions, committee_rounds, history, months, screening, workflow
from digitalmarket.selection.rules import Criterion, State
from digitalmarket.selection.tables import Application
from tests.selection.journey import close, committee_month, draft, state, step, to_committee, version, vote

#: The day of the reported case: an application accepted on 2026-12-05 (KST).
DAY = at(date(2026, 12, 28), 10)


def reviewers(people):
    return [people.reviewer, people.reviewer2, people.reviewer3]


def new_round(db, people, number, month, meeting, kind="regular"):
    with db.transaction() as session:
        return committee_rounds.create_round(
            session,
            people.operator,
            number=number,
            month=month,
            meeting_date=meeting,
            member_ids=[r.user_id for r in reviewers(people)],
            kind=kind,
        ).id


def accepted(db, store, people, name="가상 그룹웨어"):
    application_id = draft(db, store, people.supplier, name=name)
    step(db, workflow.submit, people.supplier, application_id)
    step(db, screening.start_check, people.operator, application_id)
    step(db, screening.accept, people.operator, application_id)
    return application_id


def test_acceptance_skips_a_round_that_meets_too_soon_to_prepare(demo, store, people):
    with clock_at(DAY):
        new_round(demo, people, 1, "2027-01", date(2027, 1, 2))  # in 5 days: too soon
        application_id = accepted(demo, store, people)
        assert committee_month(demo, application_id) == "2027-02"
        with demo.reading() as session:
            application = access.load(session, application_id)
            assert months.assigned_round(session, application) is None  # February has no round yet
            accept = next(e for e in application.events if e.action == "accept")
            assert accept.details["committee_month"] == "2027-02"


def test_acceptance_takes_next_month_when_its_round_leaves_time(demo, store, people):
    with clock_at(DAY):
        round_id = new_round(demo, people, 1, "2027-01", date(2027, 1, 4))  # exactly 7 days
        application_id = accepted(demo, store, people)
        assert committee_month(demo, application_id) == "2027-01"
        with demo.reading() as session:
            assert [
                a.id
                for a in committee_rounds.round_applications(session, committee_rounds.load_round(session, round_id))
            ] == [application_id]


def test_a_round_cannot_close_before_its_meeting_date(demo, store, people):
    with clock_at(DAY):
        application_id = to_committee(demo, store, people.supplier, people.operator)
        round_id = new_round(demo, people, 1, "2027-01", date(2027, 1, 15))
        for reviewer in reviewers(people):
            vote(demo, reviewer, round_id, application_id)
        with demo.reading() as session:
            current = committee_rounds.load_round(session, round_id).version
        with demo.transaction() as session, pytest.raises(Conflict) as refused:
            committee_decisions.close_round(session, people.operator, round_id, current)
        message = refused.value.message.render("ko")
        assert "2027-01-15" in message and "마감" in message
        assert state(demo, application_id) == State.COMMITTEE
    with clock_at(at(date(2027, 1, 15), 17)):
        close(demo, people.operator, round_id)
    assert state(demo, application_id) == State.SELECTED


def test_what_a_closing_round_carries_over_skips_a_round_meeting_too_soon(demo, store, people):
    with clock_at(DAY):
        application_id = accepted(demo, store, people)  # not through the expert review when January closes
        january = new_round(demo, people, 1, "2027-01", date(2027, 1, 20))
        new_round(demo, people, 2, "2027-02", date(2027, 2, 1))
    with clock_at(at(date(2027, 1, 28), 17)):  # closed late: February meets in 4 days
        close(demo, people.operator, january)
    assert committee_month(demo, application_id) == "2027-03"
    with demo.reading() as session:
        carried = access.load(session, application_id).events[-1]
        assert carried.action == "carried_over" and carried.details == {"from": "2027-01", "to": "2027-03"}


def test_an_extra_round_decides_what_the_operator_moves_into_it(demo, store, people):
    with clock_at(DAY):
        application_id = to_committee(demo, store, people.supplier, people.operator)
        assert committee_month(demo, application_id) == "2027-01"
        regular = new_round(demo, people, 1, "2027-01", date(2027, 1, 15))
        extra = new_round(demo, people, 2, None, date(2026, 12, 30), kind="extra")  # in 2 days: short, by hand
        step(demo, screening.move_to_round, people.operator, application_id, None, "연내 처리 요청", round_id=extra)
        assert committee_month(demo, application_id) == "2026-12"
        with demo.reading() as session:
            extra_round, regular_round = (
                committee_rounds.load_round(session, extra),
                committee_rounds.load_round(session, regular),
            )
            assert extra_round.kind == "extra" and extra_round.month == "2026-12"
            assert [a.id for a in committee_rounds.round_applications(session, extra_round)] == [application_id]
            assert committee_rounds.round_applications(session, regular_round) == []
            moved = access.load(session, application_id).events[-1]
            assert moved.details["round"] == 2 and moved.details["to"] == "2026-12"
        for reviewer in reviewers(people):
            vote(demo, reviewer, extra, application_id)
    with clock_at(at(date(2026, 12, 30), 17)):
        close(demo, people.operator, extra)
        assert state(demo, application_id) == State.SELECTED
        step(demo, screening.publish, people.operator, application_id)
    with demo.reading() as session:
        service = session.get(Service, access.load(session, application_id).service_id)
        assert service.committee_round == 2


def test_extra_rounds_meet_in_the_current_month_today_or_later(demo, people):
    with clock_at(DAY):
        for meeting in (date(2026, 12, 27), date(2027, 1, 5)):
            with demo.transaction() as session, pytest.raises(ValidationFailed) as refused:
                committee_rounds.create_round(
                    session,
                    people.operator,
                    number=5,
                    month=None,
                    meeting_date=meeting,
                    member_ids=[r.user_id for r in reviewers(people)],
                    kind="extra",
                )
            assert "2026-12-28" in refused.value.fields["meeting_date"].render("en")
        new_round(demo, people, 1, "2026-12", date(2026, 12, 20))
        new_round(demo, people, 2, None, date(2026, 12, 28), kind="extra")  # besides the month's regular round
        new_round(demo, people, 3, None, date(2026, 12, 31), kind="extra")
        with pytest.raises(Conflict):
            new_round(demo, people, 4, "2026-12", date(2026, 12, 29))  # a second regular round


def test_nothing_is_moved_into_a_closed_round_or_a_month_whose_round_is_closed(demo, store, people):
    with clock_at(DAY):
        first = accepted(demo, store, people, name="첫째")
        extra = new_round(demo, people, 1, None, date(2026, 12, 28), kind="extra")
        step(demo, screening.move_to_round, people.operator, first, None, "수시 심사", round_id=extra)
        close(demo, people.operator, extra)  # its meeting day: closes, the application goes on to January
        assert committee_month(demo, first) == "2027-01"
        second = accepted(demo, store, people, name="둘째")
        before = version(demo, second)
        for month, round_id in ((None, extra), ("2026-11", None), ("2026-12", None)):
            with demo.transaction() as session, pytest.raises(ValidationFailed):
                screening.move_to_round(session, people.operator, second, before, month, "이동", round_id=round_id)
        assert version(demo, second) == before and committee_month(demo, second) == "2027-01"


def test_the_queue_flags_an_application_left_on_a_closed_round(demo, store, people):
    with clock_at(DAY):
        waiting = accepted(demo, store, people)
        december = new_round(demo, people, 1, "2026-12", date(2026, 12, 28))
        close(demo, people.operator, december)
        with demo.transaction() as session:  # as the platform left it before this rule: on a closed month
            session.execute(update(Application).where(Application.id == waiting).values(committee_month="2026-12"))
        with demo.reading() as session:
            rows = access.queue(session, access.QueueFilter())
            flagged = months.waiting_on_closed_rounds(session, rows)
            assert list(flagged) == [waiting] and flagged[waiting].number == 1
        step(demo, screening.move_to_round, people.operator, waiting, "2027-01", "마감된 회차에서 옮김")
        with demo.reading() as session:
            assert months.waiting_on_closed_rounds(session, access.queue(session, access.QueueFilter())) == {}


def test_a_supplement_request_names_only_items_the_supplier_can_act_on(demo, store, people):
    application_id = draft(demo, store, people.supplier)
    step(demo, workflow.submit, people.supplier, application_id)
    step(demo, screening.start_check, people.operator, application_id)
    before = version(demo, application_id)
    with demo.transaction() as session, pytest.raises(ValidationFailed) as refused:
        screening.request_supplement(
            session, people.operator, application_id, before, {"sla": "장애 대응 시간 누락", "slaa": "오타"}
        )
    message = refused.value.fields["items"].render("en")
    assert "slaa" in message and "basic" in message and "price_list" in message and "csap_certificate" in message
    assert state(demo, application_id) == State.DOCUMENT_CHECK and version(demo, application_id) == before


def test_the_supplier_is_told_each_failed_criterion_with_its_reasons(demo, store, people):
    with clock_at(DAY):
        application_id = to_committee(demo, store, people.supplier, people.operator)
        round_id = new_round(demo, people, 1, "2027-01", date(2027, 1, 15))
        vote(demo, people.reviewer, round_id, application_id, {Criterion.SECURITY: "접근통제 설명 부족"})
        vote(demo, people.reviewer2, round_id, application_id, {Criterion.SECURITY: "접근통제 설명 부족"})
        vote(demo, people.reviewer3, round_id, application_id, {Criterion.SUPPORT: "지원 인력 부족"})
    close(demo, people.operator, round_id)
    with demo.reading() as session:
        decision = history.committee_decision(access.load(session, application_id))
    assert decision["outcome"] == "rejected" and decision["round"] == 1
    assert [(f["criterion"], f["reasons"]) for f in decision["failed"]] == [("security", ["접근통제 설명 부족"])]
