"""The committee over the API and the pages: the supplier reads the decision with the reasons of each failed
criterion; extra rounds and moves; a round closes from its meeting date; supplement items are checked."""

import re
from datetime import date

import pytest
from sqlalchemy import update

from digitalmarket.demo.history import at, clock_at
from digitalmarket.selection.rules import Criterion, required_documents
from digitalmarket.selection.tables import Application
from tests.helpers import api_token, csrf_from, page_login
from tests.selection.journey import PDF, complete_content

DAY = at(date(2026, 12, 28), 10)
REVIEWERS = ("reviewer", "reviewer2", "reviewer3")


@pytest.fixture
def tokens(demo):
    emails = {
        "supplier": "supplier@demo.kr",
        "operator": "operator@demo.kr",
        **{name: f"{name}@demo.kr" for name in REVIEWERS},
    }
    return {name: api_token(demo, email) for name, email in emails.items()}


def _post(client, tokens, who, path, **body):
    response = client.post(f"/api/v1{path}", json=body, headers=tokens[who])
    assert response.status_code in (200, 201), response.text
    return response.json()


def _application(client, demo, tokens, *, accepted=True, to_committee=True):
    """A complete application taken through the API: submitted, in the document check, accepted, reviewed."""
    application = _post(client, tokens, "supplier", "/applications", **complete_content(demo))
    for kind in required_documents("SaaS"):
        uploaded = client.post(
            f"/api/v1/applications/{application['id']}/documents",
            data={"kind": kind},
            files={"file": (f"{kind}.pdf", PDF, "application/pdf")},
            headers=tokens["supplier"],
        )
        assert uploaded.status_code == 201, uploaded.text
    path = f"/applications/{application['id']}"
    application = client.get(f"/api/v1{path}", headers=tokens["supplier"]).json()
    application = _post(client, tokens, "supplier", f"{path}/submit", version=application["version"])
    application = _post(client, tokens, "operator", f"{path}/start-check", version=application["version"])
    if not accepted:
        return application
    application = _post(client, tokens, "operator", f"{path}/accept", version=application["version"])
    if not to_committee:
        return application
    application = _post(client, tokens, "operator", f"{path}/start-expert-review", version=application["version"])
    opinions = client.put(
        f"/api/v1{path}/expert-opinions",
        headers=tokens["operator"],
        json={
            "version": application["version"],
            "opinions": {c: {"passes": True, "comment": "적합"} for c in Criterion},
        },
    )
    assert opinions.status_code == 200, opinions.text
    return _post(client, tokens, "operator", f"{path}/send-to-committee", version=opinions.json()["version"])


def _members(client, tokens):
    return {r: client.get("/api/v1/me", headers=tokens[r]).json()["user"] for r in REVIEWERS}


def _vote(client, tokens, round_id, application_id, reviewer, fails=None):
    fails = fails or {}
    base = f"/api/v1/rounds/{round_id}/applications/{application_id}"
    declared = client.put(f"{base}/declaration", json={"has_relation": False}, headers=tokens[reviewer])
    assert declared.status_code == 204, declared.text
    ballot = {c: {"passes": c not in fails, "comment": fails.get(c, "")} for c in Criterion}
    cast = client.put(f"{base}/votes", headers=tokens[reviewer], json={"votes": ballot})
    assert cast.status_code == 200, cast.text


def _round(client, tokens, members, number, meeting, kind="regular", month=None):
    body = {"number": number, "kind": kind, "meeting_date": meeting, "member_ids": [m["id"] for m in members.values()]}
    if month:
        body["month"] = month
    return _post(client, tokens, "operator", "/rounds", **body)


def test_the_supplier_reads_each_failed_criterion_with_its_reasons(client, demo, tokens):
    members = _members(client, tokens)
    with clock_at(DAY):
        application = _application(client, demo, tokens)
        round_ = _round(client, tokens, members, 1, "2027-01-15", month=application["committee_month"])
        assert round_["application_ids"] == [application["id"]]
        _vote(client, tokens, round_["id"], application["id"], "reviewer", {"security": "접근통제 설명 부족"})
        _vote(client, tokens, round_["id"], application["id"], "reviewer2", {"security": "취약점 점검 결과 없음"})
        _vote(client, tokens, round_["id"], application["id"], "reviewer3", {"support": "지원 인력 부족"})
    with clock_at(at(date(2027, 1, 15), 17)):
        _post(client, tokens, "operator", f"/rounds/{round_['id']}/close", version=round_["version"])
    seen = client.get(f"/api/v1/applications/{application['id']}", headers=tokens["supplier"])
    decision = seen.json()["decision"]
    assert decision["outcome"] == "rejected" and decision["round_number"] == 1
    assert decision["failed_criteria"] == [
        {"criterion": "security", "label": "보안성", "reasons": ["접근통제 설명 부족", "취약점 점검 결과 없음"]}
    ]
    assert not any(m["name"] in seen.text or m["email"] in seen.text for m in members.values())
    timeline = client.get(f"/api/v1/applications/{application['id']}/timeline", headers=tokens["supplier"]).json()
    assert timeline["decision"] == decision
    page_login(client, "supplier@demo.kr")
    page = client.get(f"/supplier/applications/{application['id']}").text
    section = page[page.index('id="decision"') :]
    section = section[: section.index("</section>")]
    assert "보안성" in section and "접근통제 설명 부족" in section and "취약점 점검 결과 없음" in section
    assert "지원 인력 부족" not in section  # support passed by majority: not a reason of the decision
    assert not any(m["name"] in page for m in members.values())


def test_a_supplement_request_with_an_unknown_item_is_refused(client, demo, tokens):
    application = _application(client, demo, tokens, accepted=False)
    path = f"/api/v1/applications/{application['id']}"
    refused = client.post(
        f"{path}/supplement-request",
        json={"version": application["version"], "items": {"sla": "장애 대응 시간 누락", "sla_document": "?"}},
        headers=tokens["operator"],
    )
    assert refused.status_code == 422
    message = refused.json()["error"]["fields"]["items"]
    assert "sla_document" in message
    assert all(key in message for key in ("basic", "operation", "csap", "price_plans", "sla", "csap_certificate"))
    after = client.get(path, headers=tokens["supplier"]).json()
    assert after["state"] == "document_check" and after["version"] == application["version"]
    # The page refuses the same, next to the items.
    page_login(client, "operator@demo.kr")
    token = csrf_from(client, f"/operator/applications/{application['id']}")
    page = client.post(
        f"/operator/applications/{application['id']}/supplement",
        data={"csrf_token": token, "version": str(after["version"]), "item-sla": "누락", "item-name": "이름 오류"},
    )
    assert page.status_code == 422
    assert re.search(r"알 수 없는 보완 항목입니다: name\. 다음 항목 중에서 고르세요: basic, ", page.text)
    assert client.get(path, headers=tokens["supplier"]).json()["version"] == after["version"]


def test_an_extra_round_of_this_month_takes_the_applications_moved_into_it(client, demo, tokens):
    members = _members(client, tokens)
    with clock_at(DAY):
        application = _application(client, demo, tokens)
        assert application["committee_month"] == "2027-01" and application["committee_round"] is None
        regular = _round(client, tokens, members, 1, "2027-01-15", month="2027-01")
        early = client.post(
            f"/api/v1/rounds/{regular['id']}/close", json={"version": regular["version"]}, headers=tokens["operator"]
        )
        assert early.status_code == 409 and "2027-01-15" in early.json()["error"]["message"]
        late = client.post(
            "/api/v1/rounds",
            json={"number": 2, "kind": "extra", "meeting_date": "2026-12-27", "member_ids": regular["member_ids"]},
            headers=tokens["operator"],
        )
        assert late.status_code == 422 and "meeting_date" in late.json()["error"]["fields"]
        extra = _round(client, tokens, members, 2, "2026-12-30", kind="extra")
        assert extra["kind"] == "extra" and extra["month"] == "2026-12" and extra["closable_from"] == "2026-12-30"
        moved = _post(
            client,
            tokens,
            "operator",
            f"/applications/{application['id']}/move",
            version=application["version"],
            round_id=extra["id"],
            reason="연내 심사 요청",
        )
        assert moved["committee_month"] == "2026-12"
        assert moved["committee_round"] == {  # the round's id leads to its routes
            "id": extra["id"],
            "number": 2,
            "kind": "extra",
            "month": "2026-12",
            "meeting_date": "2026-12-30",
            "closed": False,
        }
        supplier_view = client.get(f"/api/v1/applications/{application['id']}/timeline", headers=tokens["supplier"])
        assert supplier_view.json()["committee_round"] == moved["committee_round"]
        assert client.get(f"/api/v1/rounds/{extra['id']}", headers=tokens["operator"]).json()["application_ids"] == [
            application["id"]
        ]
        assert client.get(f"/api/v1/rounds/{regular['id']}", headers=tokens["operator"]).json()["application_ids"] == []
        # The operator's page says that preparation is short (2 days) and shows where it waits.
        page_login(client, "operator@demo.kr")
        page = client.get(f"/operator/applications/{application['id']}").text
        assert 'id="committee-round"' in page and "수시 심사위원회 제2회" in page
        round_page = client.get(f"/operator/rounds/{regular['id']}").text
        assert 'id="closable-from"' in round_page and "2027-01-15" in round_page
    with clock_at(at(date(2026, 12, 30), 17)):
        closed = _post(client, tokens, "operator", f"/rounds/{extra['id']}/close", version=extra["version"])
        assert closed["closed"]
    carried = client.get(f"/api/v1/applications/{application['id']}", headers=tokens["supplier"]).json()
    assert carried["committee_month"] == "2027-01" and carried["committee_round"]["number"] == 1  # no votes cast
    assert not carried["waiting_on_closed_round"]


def test_the_queue_flags_an_application_on_a_closed_round_with_a_way_out(client, demo, tokens):
    members = _members(client, tokens)
    with clock_at(DAY):
        application = _application(client, demo, tokens, to_committee=False)
        december = _round(client, tokens, members, 1, "2026-12-28", month="2026-12")
        _post(client, tokens, "operator", f"/rounds/{december['id']}/close", version=december["version"])
        with demo.transaction() as session:  # as the platform left it before this rule: on a closed month
            session.execute(
                update(Application).where(Application.id == application["id"]).values(committee_month="2026-12")
            )
        queue = client.get("/api/v1/applications", headers=tokens["operator"]).json()["items"]
        assert [a["id"] for a in queue if a["waiting_on_closed_round"]] == [application["id"]]
        stuck = client.get(f"/api/v1/applications/{application['id']}", headers=tokens["supplier"]).json()
        assert stuck["waiting_on_closed_round"] and stuck["committee_round"]["closed"]
        page_login(client, "operator@demo.kr")
        listing = client.get("/operator/applications").text
        assert 'id="stuck-summary"' in listing
        assert f'href="/operator/applications/{application["id"]}#move"' in listing
        page = client.get(f"/operator/applications/{application['id']}").text
        assert 'id="stuck"' in page and 'id="move"' in page
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        moved = client.post(
            f"/operator/applications/{application['id']}/move",
            data={
                "csrf_token": token,
                "version": str(stuck["version"]),
                "target": "month",
                "month": "2027-01",
                "reason": "마감된 회차에서 옮김",
            },
            follow_redirects=False,
        )
        assert moved.status_code == 303, moved.text
        assert 'id="stuck-summary"' not in client.get("/operator/applications").text
        after = client.get(f"/api/v1/applications/{application['id']}", headers=tokens["supplier"]).json()
        assert after["committee_month"] == "2027-01" and not after["waiting_on_closed_round"]


def test_the_expert_opinions_are_read_back_by_the_operator_and_the_round_s_members(client, demo, tokens):
    """What the expert pre-review found is what the committee weighs: the operator who recorded it and each
    member who declared no relation read it back; the supplier and a member who did not declare do not."""
    members = _members(client, tokens)
    with clock_at(DAY):
        application = _application(client, demo, tokens)
        round_ = _round(client, tokens, members, 1, "2027-01-15", month=application["committee_month"])
    path = f"/api/v1/applications/{application['id']}/expert-opinions"
    recorded = client.get(path, headers=tokens["operator"])
    assert recorded.status_code == 200, recorded.text
    assert [o["criterion"] for o in recorded.json()] == [str(c) for c in Criterion]
    assert all(o["passes"] and o["comment"] == "적합" for o in recorded.json())
    assert client.get(path, headers=tokens["supplier"]).status_code == 403
    in_round = f"/api/v1/rounds/{round_['id']}/applications/{application['id']}/expert-opinions"
    assert client.get(in_round, headers=tokens["reviewer"]).status_code == 404  # no declaration yet
    declared = client.put(
        f"/api/v1/rounds/{round_['id']}/applications/{application['id']}/declaration",
        json={"has_relation": False},
        headers=tokens["reviewer"],
    )
    assert declared.status_code == 204
    seen = client.get(in_round, headers=tokens["reviewer"])
    assert seen.status_code == 200 and seen.json() == recorded.json()


def test_the_supplier_reads_the_items_of_a_supplement_asked(client, demo, tokens):
    application = _application(client, demo, tokens, accepted=False)
    path = f"/api/v1/applications/{application['id']}"
    assert client.get(path, headers=tokens["supplier"]).json()["supplement_items"] is None
    asked = {"sla": "장애 대응 시간이 빠져 있습니다", "price_plans": "요금 단위를 적어 주세요"}
    requested = client.post(
        f"{path}/supplement-request",
        json={"version": application["version"], "items": asked},
        headers=tokens["operator"],
    )
    assert requested.status_code == 200, requested.text
    seen = client.get(path, headers=tokens["supplier"]).json()
    assert seen["state"] == "supplement_requested" and seen["supplement_items"] == asked


def test_a_round_with_a_member_who_is_not_a_reviewer_names_that_member(client, demo, tokens):
    members = _members(client, tokens)
    operator = client.get("/api/v1/me", headers=tokens["operator"]).json()["user"]
    ids = [m["id"] for m in members.values()]
    body = {"number": 1, "month": "2027-01", "meeting_date": "2027-01-15"}
    with clock_at(DAY):
        unknown = client.post(
            "/api/v1/rounds", json={**body, "member_ids": [*ids[:2], 99999]}, headers=tokens["operator"]
        )
        assert unknown.status_code == 422
        assert unknown.json()["error"]["fields"]["member_ids"].endswith("다음 계정은 아닙니다: 99999.")
        mixed = client.post(
            "/api/v1/rounds", json={**body, "member_ids": [*ids, operator["id"]]}, headers=tokens["operator"]
        )
        assert str(operator["id"]) in mixed.json()["error"]["fields"]["member_ids"]
        huge = client.post(
            "/api/v1/rounds", json={**body, "number": 2**40, "member_ids": ids}, headers=tokens["operator"]
        )
        assert huge.status_code == 422 and "number" in huge.json()["error"]["fields"]
        assert client.get("/api/v1/rounds", headers=tokens["operator"]).json()["items"] == []  # nothing written
