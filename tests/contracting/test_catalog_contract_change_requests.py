"""Change requests (변경 요청) of catalog contracts: the supplier asks for an extension or a price cut, the
contracting officer approves (an amendment, 변경차수 + 1) or refuses; on SQLite and PostgreSQL, by the
workflows, by the API (ids learnt from its answers) and by the pages."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from digitalmarket.contracting.catalog_contracts import change_requests as changes
from digitalmarket.contracting.catalog_contracts import contract_items, officer_steps, queries
from digitalmarket.contracting.states import CatalogState
from digitalmarket.core.audit import verify_chain
from digitalmarket.core.clock import today_kst
from digitalmarket.core.errors import Conflict, NotFound, ValidationFailed
from digitalmarket.core.notifications import Notification
from tests.contracting import test_catalog_contract_workflow as journey
from tests.helpers import api_token, page_login

people = journey.people  # the fixture
END = journey.END
act, contracted, plan_ids, publish_service = journey.act, journey.contracted, journey.plan_ids, journey.publish_service

APPROVED = "PPS approved your change request: catalog contract %(number)s is amended (change %(seq)s)."
REFUSED = "PPS refused your change request for catalog contract %(number)s: %(reason)s"
REQUESTED = "%(supplier)s asks to extend catalog contract %(number)s until %(date)s."


def ask(db, supplier, contract_id, kind, reason="수요기관 12개월 이용 요청에 맞춘 변경", **kwargs) -> int:
    with db.transaction() as session:
        return changes.request_change(session, supplier, contract_id, kind, reason, **kwargs).id


def request_version(db, contract_id) -> tuple[int, int]:
    with db.reading() as session:
        pending = changes.pending_change_request(session, contract_id)
        return pending.id, pending.version


def messages(db, user) -> list[str]:
    with db.reading() as session:
        return [n.msgid for n in session.scalars(select(Notification).where(Notification.user_id == user.user_id))]


def contract_of(db, contract_id):
    with db.reading() as session:
        return queries.load(session, contract_id)


def test_an_extension_is_requested_then_approved_as_an_amendment(db, people):
    contract_id = contracted(db, people)
    new_end = END + timedelta(days=180)
    ask(db, people.supplier, contract_id, "extension", period_end=new_end)
    with db.reading() as session:
        pending = changes.pending_change_request(session, contract_id)
        assert pending.kind == "extension" and pending.period_end == new_end and pending.period_end_before == END
    assert REQUESTED in messages(db, people.officer)
    # one pending request per contract
    with pytest.raises(Conflict) as error, db.transaction() as session:
        changes.request_change(session, people.supplier, contract_id, "price_cut", "인하", prices=[])
    assert "조달청의 결정을 기다리고 있습니다" in error.value.message.render("ko")
    # the contract itself did not change while the request waits
    assert contract_of(db, contract_id).change_seq == 0 and contract_of(db, contract_id).period_end == END

    request_id, version = request_version(db, contract_id)
    with pytest.raises(Conflict), db.transaction() as session:  # a stale version
        changes.approve_change_request(session, people.officer, contract_id, request_id, version + 1)
    with db.transaction() as session:
        changes.approve_change_request(session, people.officer, contract_id, request_id, version)
    with db.reading() as session:
        contract = queries.load(session, contract_id)
        assert contract.change_seq == 1 and contract.period_end == new_end
        assert contract.status == CatalogState.CONTRACTED
        assert [v.seq for v in contract.versions] == [0, 1]
        assert contract_items.version_of(contract, 1).reason == "수요기관 12개월 이용 요청에 맞춘 변경"
        assert queries.diff(contract, 0, 1)["period_changed"]
        assert (
            queries.active_catalog_contract(session, contract.service_id, END + timedelta(days=100)).id == contract_id
        )
        assert changes.pending_change_request(session, contract_id) is None
        done = changes.change_requests_of(session, contract_id)[0]
        assert done.status == "approved" and done.change_seq == 1 and done.decided_by == people.officer.user_id
        steps = queries.timeline(session, contract)
        assert [s["action"] for s in steps][-2:] == ["change_request", "amend"]
        assert steps[-1]["details"]["change_request"] == request_id
        assert verify_chain(session).ok
    assert APPROVED in messages(db, people.supplier)
    # decided: it cannot be decided again, and another request may be filed
    with pytest.raises(Conflict), db.transaction() as session:
        changes.refuse_change_request(session, people.officer, contract_id, request_id, None, "늦은 거절")
    ask(db, people.supplier, contract_id, "extension", period_end=new_end + timedelta(days=30))


def test_an_extension_must_end_later_and_within_three_years(db, people):
    contract_id = contracted(db, people)
    for end, reason, field in (
        (END, "같은 날", "period_end"),
        (END - timedelta(days=10), "단축", "period_end"),
        (journey.START + timedelta(days=1200), "3년 초과", "period_end"),
        (None, "날짜 없음", "period_end"),
        (END + timedelta(days=30), " ", "reason"),
    ):
        with pytest.raises(ValidationFailed) as error, db.transaction() as session:
            changes.request_change(session, people.supplier, contract_id, "extension", reason, period_end=end)
        assert field in error.value.fields, (end, reason)
    with pytest.raises(ValidationFailed) as error, db.transaction() as session:
        changes.request_change(session, people.supplier, contract_id, "rename", "이름 변경")
    assert "kind" in error.value.fields
    with db.reading() as session:
        assert changes.change_requests_of(session, contract_id) == []


def test_a_price_cut_lowers_only_the_items_asked_and_never_raises(db, people):
    service_id = publish_service(db, people.supplier)
    standard, premium, build = plan_ids(db, service_id)
    contract_id = contracted(db, people, service_id)  # Standard 11,000, Premium 20,000
    for prices, field, text in (
        ([changes.PriceInput(standard, 11500)], f"items.{standard}.unit_price", "가격 인상은 요청할 수 없습니다"),
        ([changes.PriceInput(standard, 11000)], f"items.{standard}.unit_price", "현재 가격(11,000원)보다"),
        ([changes.PriceInput(build, 100)], "prices", None),
        ([], "prices", None),
    ):
        with pytest.raises(ValidationFailed) as error, db.transaction() as session:
            changes.request_change(session, people.supplier, contract_id, "price_cut", "인하", prices=prices)
        assert field in error.value.fields, prices
        if text:
            assert text in error.value.fields[field].render("ko")
    ask(db, people.supplier, contract_id, "price_cut", prices=[changes.PriceInput(standard, 10000)])
    request_id, version = request_version(db, contract_id)
    with db.transaction() as session:
        changes.approve_change_request(session, people.officer, contract_id, request_id, version)
    with db.reading() as session:
        contract = queries.load(session, contract_id)
        assert {i.price_plan_id: i.unit_price for i in contract.current_items()} == {standard: 10000, premium: 20000}
        assert {i.price_plan_id: i.unit_price for i in contract_items.items_of(contract, 0)} == {
            standard: 11000,
            premium: 20000,
        }
        assert {c.price_plan_id: c.change for c in queries.diff(contract, 0, 1)["items"]} == {
            standard: "price_down",
            premium: "same",
        }
        assert contract.period_end == END


def test_a_refusal_keeps_the_contract_and_tells_the_supplier_why(db, people):
    contract_id = contracted(db, people)
    ask(db, people.supplier, contract_id, "extension", period_end=END + timedelta(days=90))
    request_id, version = request_version(db, contract_id)
    with pytest.raises(ValidationFailed) as error, db.transaction() as session:
        changes.refuse_change_request(session, people.officer, contract_id, request_id, version, "")
    assert "reason" in error.value.fields
    with db.transaction() as session:
        changes.refuse_change_request(session, people.officer, contract_id, request_id, version, "연장 근거 부족")
    with db.reading() as session:
        contract = queries.load(session, contract_id)
        assert contract.change_seq == 0 and contract.period_end == END
        refused = changes.change_requests_of(session, contract_id)[0]
        assert refused.status == "refused" and refused.decision_reason == "연장 근거 부족"
        assert queries.timeline(session, contract)[-1]["action"] == "change_refuse"
        notes = session.scalars(select(Notification).where(Notification.user_id == people.supplier.user_id)).all()
        assert any(n.msgid == REFUSED and n.params["reason"] == "연장 근거 부족" for n in notes)
    # a new request after the refusal; the supplier may withdraw it
    ask(db, people.supplier, contract_id, "extension", period_end=END + timedelta(days=60))
    request_id, version = request_version(db, contract_id)
    with db.transaction() as session:
        changes.withdraw_change_request(session, people.supplier, contract_id, request_id, version)
    with db.reading() as session:
        assert changes.pending_change_request(session, contract_id) is None


def test_only_a_contract_in_the_mall_of_ones_own_can_be_changed(db, people):
    applied = journey.in_state(db, people, CatalogState.APPLIED)
    with pytest.raises(Conflict) as error, db.transaction() as session:
        changes.request_change(session, people.supplier, applied, "extension", "연장", period_end=END + timedelta(1))
    assert "디지털서비스몰에 등록된 계약만" in error.value.message.render("ko")
    contract_id = contracted(db, people)
    with pytest.raises(NotFound), db.transaction() as session:
        changes.request_change(
            session, people.supplier2, contract_id, "extension", "연장", period_end=END + timedelta(1)
        )
    with db.reading() as session, pytest.raises(NotFound):
        changes.visible_change_requests(session, people.supplier2, contract_id)
    # a request still pending when trade is suspended cannot be approved (it can be refused)
    ask(db, people.supplier, contract_id, "extension", period_end=END + timedelta(days=30))
    act(db, officer_steps.suspend, people.officer, contract_id, "점검")
    request_id, version = request_version(db, contract_id)
    with pytest.raises(Conflict), db.transaction() as session:
        changes.approve_change_request(session, people.officer, contract_id, request_id, version)
    with db.transaction() as session:
        changes.refuse_change_request(session, people.officer, contract_id, request_id, version, "거래정지 중")
    with db.reading() as session:
        assert queries.load(session, contract_id).change_seq == 0


def test_two_requests_at_once_one_is_told_to_wait(db, people):
    """A double click, or two users of the supplier: one request is filed, the other gets 409."""
    contract_id = contracted(db, people)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def file(days):
        barrier.wait()
        try:
            ask(db, people.supplier, contract_id, "extension", period_end=END + timedelta(days=days))
            outcomes.append("filed")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=file, args=(days,)) for days in (30, 60)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "filed"]
    with db.reading() as session:
        assert len(changes.change_requests_of(session, contract_id)) == 1


# --- the API ------------------------------------------------------------------------------------------------------


def _contract_by_api(client, demo, supplier, officer, service_id) -> dict:
    standard = plan_ids(demo, service_id)[0]
    body = {
        "service_id": service_id,
        "period_start": today_kst().isoformat(),
        "period_end": (today_kst() + timedelta(days=364)).isoformat(),
        "items": [{"price_plan_id": standard, "unit_price": 11000}],
    }
    created = client.post("/api/v1/catalog-contracts", json=body, headers=supplier).json()
    cid = created["id"]
    step = client.post(
        f"/api/v1/catalog-contracts/{cid}/start-review", json={"version": created["version"]}, headers=officer
    ).json()
    return client.post(
        f"/api/v1/catalog-contracts/{cid}/contract", json={"version": step["version"]}, headers=officer
    ).json()


def test_change_requests_by_api(client, demo, people):
    supplier, officer = api_token(demo, "supplier@demo.kr"), api_token(demo, "officer@demo.kr")
    contract = _contract_by_api(client, demo, supplier, officer, publish_service(demo, people.supplier))
    cid, standard = contract["id"], contract["items"][0]["price_plan_id"]
    base = f"/api/v1/catalog-contracts/{cid}/change-requests"
    up = client.post(
        base,
        json={"kind": "price_cut", "prices": [{"price_plan_id": standard, "unit_price": 12000}], "reason": "인상"},
        headers=supplier,
    )
    assert up.status_code == 422
    assert "가격 인상은 요청할 수 없습니다" in up.json()["error"]["fields"][f"items.{standard}.unit_price"]
    new_end = (today_kst() + timedelta(days=364 + 120)).isoformat()
    created = client.post(
        base, json={"kind": "extension", "period_end": new_end, "reason": "2027년 이용 요청 대응"}, headers=officer
    )
    assert created.status_code == 403
    created = client.post(
        base, json={"kind": "extension", "period_end": new_end, "reason": "2027년 이용 요청 대응"}, headers=supplier
    )
    assert created.status_code == 201, created.text
    asked = created.json()
    assert asked["state"] == "pending" and asked["period_end"] == new_end
    again = client.post(base, json={"kind": "extension", "period_end": new_end, "reason": "다시"}, headers=supplier)
    assert again.status_code == 409 and "조달청의 결정을 기다리고 있습니다" in again.json()["error"]["message"]
    queue = client.get("/api/v1/catalog-change-requests", headers=officer)
    assert [r["id"] for r in queue.json()["items"]] == [asked["id"]]
    assert client.get("/api/v1/catalog-change-requests", headers=supplier).status_code == 403
    other = api_token(demo, "supplier2@demo.kr")
    assert client.get(base, headers=other).status_code == 404
    decide = f"{base}/{asked['id']}"
    assert client.post(f"{decide}/approve", json={"version": asked["version"]}, headers=supplier).status_code == 403
    no_reason = client.post(f"{decide}/refuse", json={"version": asked["version"], "reason": ""}, headers=officer)
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["error"]["fields"]
    stale = client.post(f"{decide}/approve", json={"version": asked["version"] + 1}, headers=officer)
    assert stale.status_code == 409
    approved = client.post(f"{decide}/approve", json={"version": asked["version"]}, headers=officer)
    assert approved.status_code == 200 and approved.json()["state"] == "approved" and approved.json()["change_seq"] == 1
    after = client.get(f"/api/v1/catalog-contracts/{cid}", headers=supplier).json()
    assert after["change_seq"] == 1 and after["period_end"] == new_end
    assert [r["state"] for r in client.get(base, headers=supplier).json()["items"]] == ["approved"]
    assert client.get("/api/v1/catalog-change-requests", headers=officer).json()["items"] == []


# --- the pages ----------------------------------------------------------------------------------------------------


def _version(text: str, action: str) -> str:
    form = text[text.index(f'action="{action}"') :]
    return re.search(r'name="version" value="(\d+)"', form).group(1)


def test_change_request_pages(client, demo, people):
    contract_id = contracted(demo, people)
    page_login(client, "supplier@demo.kr")
    page = client.get(f"/supplier/catalog-contracts/{contract_id}")
    assert page.status_code == 200 and "변경 요청" in page.text and 'name="kind"' in page.text
    token = client.cookies.get("dm_csrf")
    action = f"/supplier/catalog-contracts/{contract_id}/change-requests"
    form = {"csrf_token": token, "kind": "extension", "period_end": END.isoformat(), "reason": "연장 요청"}
    refused = client.post(action, data=form)
    assert refused.status_code == 422 and "현재 계약 종료일" in refused.text
    form["period_end"] = (END + timedelta(days=120)).isoformat()
    sent = client.post(action, data=form, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    page = client.get(sent.headers["location"])
    assert "변경 요청을 조달청에 보냈습니다." in page.text and "조달청 검토 중" in page.text
    assert 'name="kind"' not in page.text  # no second request while one waits
    # a buyer looking at the service sees that a later end is asked for; the public does not
    code = contract_of(demo, contract_id).service.code
    buyer = type(client)(client.app)
    page_login(buyer, "buyer@demo.kr")
    asked_end = (END + timedelta(days=120)).isoformat()
    assert f"계약기간을 {asked_end}까지 연장해 달라고 요청했으며" in buyer.get(f"/services/{code}").text
    assert "연장해 달라고 요청했으며" not in type(client)(client.app).get(f"/services/{code}").text

    officer = type(client)(client.app)
    page_login(officer, "officer@demo.kr")
    queue = officer.get("/officer/catalog-contracts")
    assert "검토를 기다리는 변경 요청 (1건)" in queue.text and f"/officer/catalog-contracts/{contract_id}" in queue.text
    detail = officer.get(f"/officer/catalog-contracts/{contract_id}")
    assert "기간 연장" in detail.text and "연장 요청" in detail.text and "승인" in detail.text
    request_id = re.search(r"/change-requests/(\d+)/approve", detail.text).group(1)
    base = f"/officer/catalog-contracts/{contract_id}/change-requests/{request_id}"
    token = officer.cookies.get("dm_csrf")
    version = _version(detail.text, f"{base}/refuse")
    empty = officer.post(f"{base}/refuse", data={"csrf_token": token, "version": version, "reason": ""})
    assert empty.status_code == 422 and "사유를 입력하세요" in empty.text
    done = officer.post(
        f"{base}/refuse",
        data={"csrf_token": token, "version": version, "reason": "연장 근거 부족"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "변경 요청을 거절했습니다." in officer.get(done.headers["location"]).text
    page = client.get(f"/supplier/catalog-contracts/{contract_id}")
    assert "거절" in page.text and "연장 근거 부족" in page.text and 'name="kind"' in page.text
    # a price cut from the form, approved on the officer's page: the contract's new 변경차수 has the price
    standard = plan_ids(demo, contract_of(demo, contract_id).service_id)[0]
    cut = {
        "csrf_token": client.cookies.get("dm_csrf"),
        "kind": "price_cut",
        f"price-{standard}": "10,500",
        "reason": "가격 인하",
    }
    assert client.post(action, data=cut, follow_redirects=False).status_code == 303
    detail = officer.get(f"/officer/catalog-contracts/{contract_id}")
    assert "가격 인하" in detail.text and "11,000원 → 10,500원" in detail.text
    approve = re.search(r'action="([^"]+/approve)"', detail.text).group(1)
    done = officer.post(
        approve,
        data={"csrf_token": officer.cookies.get("dm_csrf"), "version": _version(detail.text, approve)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    page = client.get(f"/supplier/catalog-contracts/{contract_id}")
    assert "공급기업의 변경 요청에 따른 변경" in page.text and "10,500원" in page.text
    assert contract_of(demo, contract_id).change_seq == 1
