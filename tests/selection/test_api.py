"""Selection over the JSON API: the journey, bad input, and who may see what."""

from datetime import date

import pytest
from sqlalchemy import func, select

from digitalmarket.demo.history import at, clock_at
from digitalmarket.selection.rules import Criterion, required_documents
from digitalmarket.selection.tables import ApplicationDocument
from tests.helpers import api_token
from tests.selection.journey import PDF, complete_content


@pytest.fixture
def tokens(demo):
    emails = {
        "supplier": "supplier@demo.kr",
        "supplier2": "supplier2@demo.kr",
        "operator": "operator@demo.kr",
        "reviewer": "reviewer@demo.kr",
        "reviewer2": "reviewer2@demo.kr",
        "reviewer3": "reviewer3@demo.kr",
        "buyer": "buyer@demo.kr",
    }
    return {name: api_token(demo, email) for name, email in emails.items()}


def _documents(db):
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(ApplicationDocument))


def _draft(client, db, tokens):
    created = client.post("/api/v1/applications", json=complete_content(db), headers=tokens["supplier"])
    assert created.status_code == 201, created.text
    application = created.json()
    for kind in required_documents("SaaS"):
        uploaded = client.post(
            f"/api/v1/applications/{application['id']}/documents",
            data={"kind": kind},
            files={"file": (f"{kind}.pdf", PDF, "application/pdf")},
            headers=tokens["supplier"],
        )
        assert uploaded.status_code == 201, uploaded.text
    return client.get(f"/api/v1/applications/{application['id']}", headers=tokens["supplier"]).json()


def _act(client, tokens, who, application, path, **body):
    response = client.post(
        f"/api/v1/applications/{application['id']}/{path}",
        json={"version": application["version"], **body},
        headers=tokens[who],
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_the_whole_journey_over_the_api(client, demo, tokens):
    application = _draft(client, demo, tokens)
    assert len(application["documents"]) == 6
    assert all(len(d["sha256"]) == 64 for d in application["documents"])
    application = _act(client, tokens, "supplier", application, "submit")
    application = _act(client, tokens, "operator", application, "start-check")
    application = _act(client, tokens, "operator", application, "accept")
    application = _act(client, tokens, "operator", application, "start-expert-review")
    opinions = client.put(
        f"/api/v1/applications/{application['id']}/expert-opinions",
        headers=tokens["operator"],
        json={
            "version": application["version"],
            "opinions": {c: {"passes": True, "comment": "적합"} for c in Criterion},
        },
    )
    assert opinions.status_code == 200, opinions.text
    application = _act(client, tokens, "operator", opinions.json(), "send-to-committee")
    reviewers = [
        client.get("/api/v1/me", headers=tokens[r]).json()["user"]["id"] for r in ("reviewer", "reviewer2", "reviewer3")
    ]
    month = application["committee_month"]
    created = client.post(
        "/api/v1/rounds",
        headers=tokens["operator"],
        json={"number": 7, "month": month, "meeting_date": f"{month}-20", "member_ids": reviewers},
    )
    assert created.status_code == 201, created.text
    round_ = created.json()
    assert round_["application_ids"] == [application["id"]]
    base = f"/api/v1/rounds/{round_['id']}/applications/{application['id']}"
    for reviewer in ("reviewer", "reviewer2", "reviewer3"):
        assert client.get(base, headers=tokens[reviewer]).status_code == 404  # nothing before declaring
        assert (
            client.put(f"{base}/declaration", json={"has_relation": False}, headers=tokens[reviewer]).status_code == 204
        )
        assert client.get(base, headers=tokens[reviewer]).status_code == 200
        cast = client.put(
            f"{base}/votes", headers=tokens[reviewer], json={"votes": {c: {"passes": True} for c in Criterion}}
        )
        assert cast.status_code == 200, cast.text
    early = client.post(
        f"/api/v1/rounds/{round_['id']}/close", json={"version": round_["version"]}, headers=tokens["operator"]
    )
    assert early.status_code == 409 and f"{month}-20" in early.json()["error"]["message"]
    with clock_at(at(date.fromisoformat(f"{month}-20"), 17)):
        closed = client.post(
            f"/api/v1/rounds/{round_['id']}/close", json={"version": round_["version"]}, headers=tokens["operator"]
        )
    assert closed.status_code == 200 and closed.json()["closed"]
    late = client.put(
        f"{base}/votes",
        headers=tokens["reviewer"],
        json={"votes": {c: {"passes": False, "comment": "늦음"} for c in Criterion}},
    )
    assert late.status_code == 409
    application = client.get(f"/api/v1/applications/{application['id']}", headers=tokens["operator"]).json()
    assert application["state"] == "selected"
    application = _act(client, tokens, "operator", application, "publish")
    assert application["state"] == "published"
    services = client.get("/api/v1/services").json()["items"]
    assert [s["name"] for s in services] == ["가상 그룹웨어"]
    service = client.get(f"/api/v1/services/{services[0]['code']}").json()
    assert service["committee_round"] == 7 and service["price_plans"][0]["unit_price"] == 12000
    timeline = client.get(f"/api/v1/applications/{application['id']}/timeline", headers=tokens["supplier"]).json()
    assert [s["action"] for s in timeline["steps"]][-2:] == ["select", "publish"]


def test_wrong_state_is_a_409_saying_what_is_possible(client, demo, tokens):
    application = _draft(client, demo, tokens)
    response = client.post(
        f"/api/v1/applications/{application['id']}/accept",
        json={"version": application["version"]},
        headers=tokens["operator"],
    )
    assert response.status_code == 409
    assert "작성 중" in response.json()["error"]["message"] or "초안" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("name", "content", "field"),
    [
        ("fake pdf", b"This is only text.", "file"),
        ("empty", b"", "file"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(client, demo, tokens, settings, name, content, field):
    application = client.post("/api/v1/applications", json={"name": "문서 시험"}, headers=tokens["supplier"]).json()
    before = _documents(demo)
    response = client.post(
        f"/api/v1/applications/{application['id']}/documents",
        data={"kind": "sla"},
        files={"file": ("sla.pdf", content, "application/pdf")},
        headers=tokens["supplier"],
    )
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
    assert _documents(demo) == before
    assert not settings.documents_dir.exists() or not any(settings.documents_dir.rglob("*.*"))


def test_an_oversized_file_is_refused(client, demo, tokens):
    application = client.post("/api/v1/applications", json={"name": "큰 파일"}, headers=tokens["supplier"]).json()
    big = PDF + b"0" * (20 * 1024 * 1024)
    response = client.post(
        f"/api/v1/applications/{application['id']}/documents",
        data={"kind": "sla"},
        files={"file": ("big.pdf", big, "application/pdf")},
        headers=tokens["supplier"],
    )
    assert response.status_code == 422
    assert "20" in response.json()["error"]["fields"]["file"] and "MB" in response.json()["error"]["fields"]["file"]
    assert _documents(demo) == 0


def test_a_file_name_with_paths_and_control_characters_is_cleaned(client, demo, tokens):
    application = client.post("/api/v1/applications", json={"name": "이름 시험"}, headers=tokens["supplier"]).json()
    response = client.post(
        f"/api/v1/applications/{application['id']}/documents",
        data={"kind": "sla"},
        files={"file": ("../../\x07etc/요금\x00표.pdf", PDF, "application/pdf")},
        headers=tokens["supplier"],
    )
    assert response.status_code == 201
    filename = response.json()["filename"]
    assert filename.startswith("요금") and filename.endswith("표.pdf")
    assert not any(c in filename for c in "/\\") and all(ord(c) >= 32 for c in filename)
    download = client.get(
        f"/api/v1/applications/{application['id']}/documents/{response.json()['id']}", headers=tokens["supplier"]
    )
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"price_plans": [{"name": "A", "billing": "monthly", "unit": "식", "unit_price": 0}]},
            "price_plans.0.unit_price",
        ),
        (
            {"price_plans": [{"name": "A", "billing": "monthly", "unit": "식", "unit_price": -1}]},
            "price_plans.0.unit_price",
        ),
        (
            {"price_plans": [{"name": "A", "billing": "monthly", "unit": "식", "unit_price": 12.5}]},
            "content.price_plans.0.unit_price",
        ),
        (
            {"price_plans": [{"name": "A", "billing": "monthly", "unit": "식", "unit_price": 10**12 + 1}]},
            "price_plans.0.unit_price",
        ),
        ({"category_id": 9999}, "category_id"),
        ({"csap_valid_until": "2020-01-01"}, "csap_valid_until"),
        ({"name": "가" * 101}, "name"),
    ],
)
def test_bad_fields_are_refused_and_the_draft_is_unchanged(client, demo, tokens, change, field):
    application = client.post("/api/v1/applications", json={"name": "원래 이름"}, headers=tokens["supplier"]).json()
    response = client.patch(
        f"/api/v1/applications/{application['id']}",
        headers=tokens["supplier"],
        json={"version": application["version"], "content": change},
    )
    assert response.status_code == 422, response.text
    assert field in response.json()["error"]["fields"]
    after = client.get(f"/api/v1/applications/{application['id']}", headers=tokens["supplier"]).json()
    assert after["content"]["name"] == "원래 이름" and after["version"] == application["version"]


def test_others_cannot_see_an_application_or_its_documents(client, demo, tokens):
    application = _draft(client, demo, tokens)
    document = application["documents"][0]
    path = f"/api/v1/applications/{application['id']}"
    assert client.get(path).status_code == 401
    for outsider, refusal in (("supplier2", 404), ("reviewer", 403), ("buyer", 403)):
        # another supplier: as if it did not exist; a role without applications: refused outright
        assert client.get(path, headers=tokens[outsider]).status_code == refusal
        assert client.get(f"{path}/documents/{document['id']}", headers=tokens[outsider]).status_code == 404
        assert client.get(f"{path}/timeline", headers=tokens[outsider]).status_code == refusal
    assert client.get("/api/v1/applications", headers=tokens["buyer"]).status_code == 403
    mine = client.get("/api/v1/applications", headers=tokens["supplier2"]).json()
    assert mine == {"items": [], "next_cursor": None}


def test_the_public_sees_only_published_services(client, demo, tokens):
    _draft(client, demo, tokens)
    assert client.get("/api/v1/services").json()["items"] == []
