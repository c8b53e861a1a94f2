"""Daily reminders: each fires once per threshold on a clock the test sets, whatever how often the job
runs; an expired CSAP certificate suspends its service until a renewed one is recorded."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from digitalmarket.catalog import certificates
from digitalmarket.catalog import queries as catalog_queries
from digitalmarket.catalog import workflow as catalog
from digitalmarket.catalog.rules import ServiceStatus
from digitalmarket.catalog.tables import Service
from digitalmarket.contracting.catalog_contracts import applying, contract_items, officer_steps, queries
from digitalmarket.core.audit import AuditEvent
from digitalmarket.core.clock import today_kst
from digitalmarket.core.errors import Conflict, NotFound, ValidationFailed
from digitalmarket.core.files import DocumentStore
from digitalmarket.core.notifications import Notification
from digitalmarket.notifications.daily import run_daily
from digitalmarket.notifications.rules import CERTIFICATE_THRESHOLDS, threshold_reached
from digitalmarket.selection import screening, workflow
from tests.contracting.buying import contracted_order, order, people_of
from tests.helpers import page_login
from tests.selection.journey import complete_content, draft, step


def notes(db, user_id: int, words: str) -> list[Notification]:
    """The user's notifications whose English message contains ``words``, oldest first."""
    with db.reading() as session:
        found = session.scalars(
            select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
        ).all()
    return [n for n in found if words in n.msgid]


def daily(db, settings, day: date) -> dict:
    report = run_daily(db, settings, day)
    assert report.problems == {}
    return report.counts


def cloud_service(db, supplier, valid_until: date, name: str = "가상 보안관제") -> str:
    content = complete_content(db, "SaaS", name)
    content["csap_valid_until"] = valid_until.isoformat()
    with db.transaction() as session:
        return catalog.publish(
            session, actor_user_id=None, supplier_id=supplier.organisation_id, content=content, origin="test"
        ).code


def service(db, code: str) -> Service:
    with db.reading() as session:
        return session.scalars(select(Service).where(Service.code == code)).one()


def test_the_nearest_threshold_reached_counts_and_a_deadline_passed_reaches_none():
    assert [threshold_reached(d, CERTIFICATE_THRESHOLDS) for d in (61, 60, 45, 30, 8, 7, 0, -1)] == [
        None,
        60,
        60,
        30,
        30,
        7,
        7,
        None,
    ]


def test_csap_reminders_at_60_30_and_7_days_once_each(demo, settings):
    people = people_of(demo)
    expiry = today_kst() + timedelta(days=100)
    code = cloud_service(demo, people.supplier, expiry)
    seen = []
    for days_before in (75, 61, 60, 60, 45, 31, 30, 30, 8, 7, 3, 0):
        daily(demo, settings, expiry - timedelta(days=days_before))
        seen.append(len(notes(demo, people.supplier.user_id, "expires on")))
    assert seen == [0, 0, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3]
    supplier_notes = notes(demo, people.supplier.user_id, "expires on")
    assert [n.params["days"] for n in supplier_notes] == [60, 30, 7]
    assert {n.link for n in supplier_notes} == {f"/supplier/services/{code}/certificate"}
    assert "갱신된 인증서를 등록하세요" in supplier_notes[0].text.render("ko")
    operator_notes = notes(demo, people.operator.user_id, "expires on")
    assert len(operator_notes) == 3 and {n.link for n in operator_notes} == {f"/services/{code}"}
    assert {n.kind for n in supplier_notes + operator_notes} == {"alert"}


def test_a_job_that_did_not_run_for_weeks_sends_the_nearest_reminder_only(demo, settings):
    people = people_of(demo)
    expiry = today_kst() + timedelta(days=100)
    cloud_service(demo, people.supplier, expiry)
    daily(demo, settings, expiry - timedelta(days=5))
    assert [n.params["days"] for n in notes(demo, people.supplier.user_id, "expires on")] == [5]


def test_an_expired_certificate_suspends_the_service_until_a_renewed_one_is_recorded(demo, settings):
    people = people_of(demo)
    expiry = today_kst() + timedelta(days=20)
    code = cloud_service(demo, people.supplier, expiry)
    day_after = expiry + timedelta(days=1)

    daily(demo, settings, day_after)

    suspended = service(demo, code)
    assert suspended.status == ServiceStatus.SUSPENDED
    assert suspended.status_reason == f"CSAP expired {expiry.isoformat()}"
    with demo.reading() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "service.suspend", AuditEvent.object_id == str(suspended.id))
        ).one()
        assert event.details["automatic"] is True
        assert code not in {s.code for s in catalog_queries.public_services(session)}
    [told] = notes(demo, people.supplier.user_id, "expired on")
    assert "정지" in told.text.render("ko") and told.link == f"/supplier/services/{code}/certificate"
    assert len(notes(demo, people.operator.user_id, "expired on")) == 1
    daily(demo, settings, day_after + timedelta(days=1))
    assert len(notes(demo, people.supplier.user_id, "expired on")) == 1  # told once

    renewed = day_after + timedelta(days=365)
    with demo.transaction() as session:
        certificates.record_certificate(
            session,
            people.supplier,
            code,
            grade="중",
            number="CSAP-SaaS-2026-0100",
            valid_until=renewed,
            version=suspended.version,
            today=day_after,
        )

    back = service(demo, code)
    assert back.status == ServiceStatus.PUBLISHED and back.status_reason is None
    assert (back.csap_grade, back.csap_valid_until) == ("중", renewed)
    with demo.reading() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_id == str(back.id)).order_by(AuditEvent.id)
        ).all()
        assert actions[-2:] == ["service.certificate_recorded", "service.republish"]
        assert code in {s.code for s in catalog_queries.public_services(session)}
    [back_note] = notes(demo, people.operator.user_id, "back in the catalog")
    assert "다시 목록에 공개" in back_note.text.render("ko")
    daily(demo, settings, day_after + timedelta(days=2))
    assert service(demo, code).status == ServiceStatus.PUBLISHED
    daily(demo, settings, renewed - timedelta(days=60))  # the renewed certificate is reminded afresh
    assert [n.params["days"] for n in notes(demo, people.supplier.user_id, "expires on")][-1] == 60


def test_a_certificate_is_recorded_only_by_its_supplier_valid_and_on_the_version_read(demo):
    people = people_of(demo)
    code = cloud_service(demo, people.supplier, today_kst() + timedelta(days=30))
    version = service(demo, code).version
    attempts = [
        (people.supplier2, "중", "CSAP-1", today_kst() + timedelta(days=300), version, NotFound),
        (people.supplier, "최상", "CSAP-1", today_kst() + timedelta(days=300), version, ValidationFailed),
        (people.supplier, "중", "", today_kst() + timedelta(days=300), version, ValidationFailed),
        (people.supplier, "중", "CSAP-1", today_kst() - timedelta(days=1), version, ValidationFailed),
        (people.supplier, "중", "CSAP-1", today_kst() + timedelta(days=300), version - 1, Conflict),
    ]
    for who, grade, number, until, seen, error in attempts:
        with pytest.raises(error), demo.transaction() as session:
            certificates.record_certificate(
                session, who, code, grade=grade, number=number, valid_until=until, version=seen
            )
    assert service(demo, code).csap_valid_until == today_kst() + timedelta(days=30)


def test_orders_ending_in_90_and_30_days_remind_both_sides_with_a_link_to_renew(demo, settings, tmp_path, client):
    people = people_of(demo)
    code = cloud_service(demo, people.supplier, today_kst() + timedelta(days=900), "가상 그룹웨어")
    order_id = contracted_order(demo, people, code, quantity=40, months=12)
    contract = order(demo, order_id)
    end = contract.end_date
    for days_before in (120, 91, 90, 90, 60, 30, 29, 1):
        daily(demo, settings, end - timedelta(days=days_before))
    agency_notes = notes(demo, people.buyer.user_id, "Request quotes now to renew")
    assert [n.params["days"] for n in agency_notes] == [90, 30]
    renew = f"/agency/quote-requests/new?from_order={contract.code}"
    assert {n.link for n in agency_notes} == {renew}
    supplier_notes = notes(demo, people.supplier.user_id, "ends on")
    assert [n.params["days"] for n in supplier_notes] == [90, 30]
    assert {n.link for n in supplier_notes} == {f"/orders/{order_id}"}

    page_login(client, "buyer@demo.kr")
    form = client.get(renew)
    assert form.status_code == 200
    assert f'value="{code}"' in form.text and 'value="40"' in form.text  # the same service and quantity
    assert f'value="{(end + timedelta(days=1)).isoformat()}"' in form.text  # from the day after it ends
    assert f"재계약 ({contract.code})" in form.text
    client.post("/logout", data={"csrf_token": client.cookies.get("dm_csrf", "")})
    page_login(client, "buyer2@demo.kr")
    assert client.get(renew).status_code == 404  # another agency's order is not even revealed


def test_catalog_contracts_ending_in_60_days_remind_the_supplier_and_the_officers(demo, settings):
    people = people_of(demo)
    code = cloud_service(demo, people.supplier, today_kst() + timedelta(days=900), "가상 그룹웨어")
    found = service(demo, code)
    with demo.reading() as session:
        plans = session.get(Service, found.id).price_plans
        items = [
            contract_items.ItemInput(p.id, contract_items.ceilings(session.get(Service, found.id))[p.id]) for p in plans
        ]
    end = today_kst() + timedelta(days=364)
    with demo.transaction() as session:
        contract_id = applying.apply(session, people.supplier, found.id, items, today_kst(), end).id
    for move in (officer_steps.start_review, officer_steps.sign):
        with demo.transaction() as session:
            move(session, people.officer, contract_id, queries.load(session, contract_id).version)
    for days_before in (61, 60, 59, 10):
        daily(demo, settings, end - timedelta(days=days_before))
    supplier_notes = notes(demo, people.supplier.user_id, "Apply for a new catalog contract")
    assert len(supplier_notes) == 1 and supplier_notes[0].params["days"] == 60
    assert supplier_notes[0].link == f"/supplier/catalog-contracts/{contract_id}"
    officer_notes = notes(demo, people.officer.user_id, "ends on")
    assert len(officer_notes) == 1 and officer_notes[0].link == f"/officer/catalog-contracts/{contract_id}"


def test_applications_waiting_longer_than_the_target_remind_the_operators(demo, settings, tmp_path):
    people = people_of(demo)
    application_id = draft(demo, DocumentStore(tmp_path / "docs"), people.supplier)
    step(demo, workflow.submit, people.supplier, application_id)
    late = "longer than the target"

    daily(demo, settings, today_kst() + timedelta(days=5))
    assert notes(demo, people.operator.user_id, late) == []
    daily(demo, settings, today_kst() + timedelta(days=6))
    daily(demo, settings, today_kst() + timedelta(days=7))
    [check] = notes(demo, people.operator.user_id, late)
    assert check.params["days"] == 6 and check.link == f"/operator/applications/{application_id}"
    assert "서류 검토를 기다리고" in check.text.render("ko")

    step(demo, screening.start_check, people.operator, application_id)
    step(demo, screening.accept, people.operator, application_id)
    step(demo, screening.start_expert_review, people.operator, application_id)
    daily(demo, settings, today_kst() + timedelta(days=10))
    assert len(notes(demo, people.operator.user_id, late)) == 1
    daily(demo, settings, today_kst() + timedelta(days=11))
    review = notes(demo, people.operator.user_id, "expert review")
    assert len(review) == 1 and "전문가 사전검토" in review[0].text.render("ko")

    shorter = dataclasses.replace(settings, target_expert_review_days=2)  # DM_TARGET_EXPERT_REVIEW_DAYS
    daily(demo, shorter, today_kst() + timedelta(days=12))
    assert len(notes(demo, people.operator.user_id, "expert review")) == 1  # once per stay in the step
