"""What waits for each person (할 일), built through the workflows: the right counts per kind, the oldest
first, overdue days by the stage's own rule, nothing of another organisation; the API and the workspace
page tell the same; only a signed-in person gets an answer."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from digitalmarket.accounts import registration
from digitalmarket.contracting.catalog_contracts import applying, contract_items, officer_steps, queries
from digitalmarket.core.clock import today_kst
from digitalmarket.core.files import DocumentStore
from digitalmarket.core.settings import Settings
from digitalmarket.selection import screening, workflow
from digitalmarket.settlement import rules
from digitalmarket.web.todo import tasks_for
from tests.contracting.buying import answer, ask, award, confirm, decline, order, people_of, plan_ids, publish, service
from tests.helpers import api_token, page_login
from tests.selection.journey import actor, draft, round_of, step, to_committee, vote
from tests.settlement.settling import (
    USERS,
    accept,
    calendar_moved,
    claim,
    month_ended,
    month_of,
    next_month,
    order_in_use,
    report,
)


@pytest.fixture
def people(demo):
    found = people_of(demo)
    for name in ("reviewer", "reviewer2", "reviewer3"):
        setattr(found, name, actor(demo, f"{name}@demo.kr"))
    return found


def waiting(db, who, day) -> dict[str, list]:
    """The actor's non-empty groups on a day: kind -> [(title, href, due, overdue days)], oldest first."""
    with db.reading() as session:
        groups = tasks_for(session, who, day)
    return {g.kind.code: [(i.title, i.href, i.due, i.overdue_days) for i in g.items] for g in groups if g.count}


@pytest.fixture
def settled(demo, people, settings):
    """An order in use with two months reported: the first accepted and claimed, the second waiting for the
    inspection. Returns (order id, first invoice, second invoice, the day three months on)."""
    code = publish(demo, people.supplier, "가상웍스 그룹웨어")
    order_id = order_in_use(demo, people, code, DocumentStore.of(settings))
    start = today_kst()
    first = report(demo, people.supplier, order_id, month_of(start), {USERS: 45}, now=month_ended())
    second_month = next_month(start)
    second = report(demo, people.supplier, order_id, month_of(second_month), {USERS: 40}, now=month_ended(second_month))
    accept(demo, people.buyer, first, now=month_ended(second_month, 1))
    claimed = claim(demo, people.supplier, first, now=month_ended(second_month, 2))
    return order_id, claimed, second, next_month(start, 3) + timedelta(days=1)


def test_the_agency_pays_and_inspects_and_the_supplier_reports_what_is_due(demo, people, settled):
    order_id, first, second, day = settled
    late = (day - first.due_date).days
    assert first.due_date == rules.due_date(month_ended(next_month(today_kst()), 2).date()) and late > 0
    buyer = waiting(demo, people.buyer, day)
    assert list(buyer) == ["payments_due", "invoices_to_inspect"]
    assert [(href, due, days) for _, href, due, days in buyer["payments_due"]] == [
        (f"/invoices/{first.id}", first.due_date, late)
    ]
    assert [href for _, href, _, _ in buyer["invoices_to_inspect"]] == [f"/invoices/{second}"]
    assert buyer["payments_due"][0][0].startswith(first.code)

    # the month after the second one has ended and is not reported: the supplier's only task
    supplier = waiting(demo, people.supplier, day)
    third = month_of(next_month(today_kst(), 2))
    assert supplier == {
        "usage_to_report": [(f"{first.order.code} · 가상웍스 그룹웨어 · {third}", f"/orders/{order_id}/usage", None, 0)]
    }
    # on the due date itself the payment is in time
    assert waiting(demo, people.buyer, first.due_date)["payments_due"][0][3] == 0
    # another agency and another supplier see nothing of it
    assert waiting(demo, people.buyer2, day) == {} and waiting(demo, people.supplier2, day) == {}
    # the operator sees the overdue payment of every agency, on the overdue list
    assert waiting(demo, actor(demo, "operator@demo.kr"), day)["overdue_payments"] == [
        (buyer["payments_due"][0][0], "/operator/overdue-invoices", first.due_date, late)
    ]


def test_the_api_and_the_workspace_page_agree(demo, app, people, settled, monkeypatch):
    _, first, _, day = settled
    client = TestClient(app)
    assert client.get("/api/v1/me/tasks").status_code == 401
    assert client.get("/agency", follow_redirects=False).status_code in (303, 307)
    headers = api_token(demo, "buyer@demo.kr")
    with calendar_moved(monkeypatch, (day - today_kst()).days):
        page_login(client, "buyer@demo.kr")  # a session of that day
        answer = client.get("/api/v1/me/tasks", headers=headers)
        page = client.get("/agency").text
    assert answer.status_code == 200, answer.text
    tasks = answer.json()
    assert (tasks["role"], tasks["today"], tasks["count"], tasks["overdue"]) == ("agency_buyer", day.isoformat(), 2, 1)
    shown = [g for g in tasks["groups"] if g["count"]]
    assert [(g["kind"], g["label"], g["count"], g["overdue"]) for g in shown] == [
        ("payments_due", "5영업일 안에 지급할 대금청구", 1, 1),
        ("invoices_to_inspect", "검수를 기다리는 청구서", 1, 0),
    ]
    item = shown[0]["items"][0]
    late = (day - first.due_date).days
    assert (item["url"], item["due"], item["overdue_days"]) == (
        f"/invoices/{first.id}",
        first.due_date.isoformat(),
        late,
    )
    assert item["since"].endswith("+09:00")
    todo = page[page.index('id="todo-heading"') : page.index("dm-tiles")]
    for group in shown:
        block = todo[todo.index(f'id="todo-{group["kind"]}"') :]
        assert group["label"] in block and f"{group['count']}건" in block
        for entry in group["items"]:
            assert f'href="{entry["url"]}"' in block and entry["title"] in block
    assert f"{late}일 지남" in todo and "1건 기한 지남" in todo
    assert len(re.findall(r'class="dm-todo-group"', todo)) == 2
    # the supplier's own API answer has nothing of the agency's
    supplier = client.get("/api/v1/me/tasks", headers=api_token(demo, "supplier@demo.kr")).json()
    assert supplier["role"] == "supplier" and all(g["kind"] != "payments_due" for g in supplier["groups"])
    stranger = TestClient(app)
    page_login(stranger, "supplier@demo.kr")
    assert stranger.get("/agency").status_code == 403


def test_quotes_and_contracts_wait_for_the_side_that_has_to_act(demo, people, settings):
    code = publish(demo, people.supplier, "가상웍스 그룹웨어")
    other = publish(demo, people.supplier2, "누리 협업도구")
    request_id = ask(demo, people.buyer, [code, other])
    today = today_kst()
    deadline = today + timedelta(days=7)
    supplier = waiting(demo, people.supplier, today)
    assert [(href.split("/")[2], due) for _, href, due, _ in supplier["quotes_to_answer"]] == [("quotes", deadline)]
    assert "quotes_to_award" not in waiting(demo, people.buyer, today)

    answer(demo, people.supplier, request_id, code, [11000])
    assert "quotes_to_award" not in waiting(demo, people.buyer, today)  # 누리 has not answered yet
    decline(demo, people.supplier2, request_id, other)
    assert [href for _, href, _, _ in waiting(demo, people.buyer, today)["quotes_to_award"]] == [
        f"/agency/quote-requests/{request_id}"
    ]
    assert waiting(demo, people.supplier, today) == {} and waiting(demo, people.supplier2, today) == {}

    order_id = award(demo, people.buyer, request_id, code)
    for who in (people.buyer, people.supplier):
        assert waiting(demo, who, today) == {
            "contracts_to_confirm": [
                (f"{_order_code(demo, order_id)} · 가상웍스 그룹웨어", f"/orders/{order_id}", None, 0)
            ]
        }
    confirm(demo, people.buyer, order_id)
    assert waiting(demo, people.buyer, today) == {}
    assert list(waiting(demo, people.supplier, today)) == ["contracts_to_confirm"]


def _order_code(db, order_id: int) -> str:
    return order(db, order_id).code


def test_selection_waits_for_the_supplier_the_operator_and_the_reviewer(demo, people, tmp_path):
    store = DocumentStore(tmp_path / "documents")
    operator, today = actor(demo, "operator@demo.kr"), today_kst()
    first = draft(demo, store, people.supplier, name="가상 그룹웨어")
    step(demo, workflow.submit, people.supplier, first)
    second = draft(demo, store, people.supplier, name="가상 협업도구")
    step(demo, workflow.submit, people.supplier, second)
    step(demo, screening.start_check, operator, second)
    step(demo, screening.request_supplement, operator, second, {"sla": "SLA 문서의 서명이 없습니다."})
    assert waiting(demo, people.supplier, today) == {
        "supplements_requested": [("가상 협업도구", f"/supplier/applications/{second}", None, 0)]
    }
    assert waiting(demo, people.supplier2, today) == {}
    checks = waiting(demo, operator, today)["applications_to_check"]
    target = today + timedelta(days=Settings.target_document_check_days)
    assert checks == [("가상 그룹웨어", f"/operator/applications/{first}", target, 0)]
    # late the day after the target, by as many days as it is past it
    assert waiting(demo, operator, target + timedelta(days=3))["applications_to_check"][0][3] == 3

    step(demo, workflow.submit, people.supplier, second)  # the supplement comes back
    assert [title for title, *_ in waiting(demo, operator, today)["supplements_returned"]] == ["가상 협업도구"]
    assert waiting(demo, people.supplier, today) == {}

    third = to_committee(demo, store, people.supplier, operator, name="가상 메신저")
    assert "rounds_to_set" in waiting(demo, operator, today)
    round_id = round_of(demo, people, third)
    assert "rounds_to_set" not in waiting(demo, operator, today)
    assert [href for _, href, *_ in waiting(demo, people.reviewer, today)["declarations_to_make"]] == [
        f"/reviewer/rounds/{round_id}"
    ]
    vote(demo, people.reviewer, round_id, third)
    assert waiting(demo, people.reviewer, today) == {}
    assert list(waiting(demo, people.reviewer2, today)) == ["declarations_to_make"]


def test_pps_reviews_catalog_contracts_and_the_administrator_sees_agencies_nobody_can_use(demo, app, people):
    code = publish(demo, people.supplier, "가상웍스 그룹웨어")
    today = today_kst()
    items = [contract_items.ItemInput(plan_ids(demo, code)[0], 11000)]
    with demo.transaction() as session:
        contract_id = applying.apply(
            session, people.supplier, service(demo, code).id, items, today, today + timedelta(400)
        ).id
    queue = [(title, href) for title, href, *_ in waiting(demo, people.officer, today)["catalog_contracts_to_review"]]
    assert queue == [("가상웍스 그룹웨어", f"/officer/catalog-contracts/{contract_id}")]
    with demo.transaction() as session:
        version = officer_steps.start_review(
            session, people.officer, contract_id, queries.load(session, contract_id).version
        ).version
        officer_steps.request_supplement(
            session, people.officer, contract_id, version, "단가 근거 자료를 첨부해 주세요."
        )
    assert waiting(demo, people.officer, today) == {}
    assert [href for _, href, *_ in waiting(demo, people.supplier, today)["catalog_supplements"]] == [
        f"/supplier/catalog-contracts/{contract_id}"
    ]

    admin = actor(demo, "admin@demo.kr")
    with demo.transaction() as session:
        agency = registration.create_agency(session, admin, registration.NewAgency("TODO1234", "할일시청", "local"))
    found = waiting(demo, admin, today)["organisations_without_account"]
    assert ("할일시청", f"/organisations/{agency.id}", None, 0) in found
    client = TestClient(app)
    page_login(client, "admin@demo.kr")
    page = client.get("/admin").text
    assert "사용 중인 계정이 없는 기관" in page and f'href="/organisations/{agency.id}"' in page
