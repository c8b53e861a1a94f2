"""The accounts API: sign-up, tokens, /me, role checks, object checks and the error shape."""

import pytest
from sqlalchemy import func, select

from digitalmarket.accounts.tables import Organisation, User
from digitalmarket.core.audit import AuditEvent
from tests.helpers import DEMO_EMAILS, api_token, sign_up_by_api

SIGNUP = {
    "business_number": "214-86-18758",
    "company_name": "(주)테스트클라우드",
    "representative": "홍길동",
    "size": "sme",
    "name": "홍길동",
    "email": "hong@test-cloud.kr",
    "password": "correct-horse-42",
}


def _counts(db):
    with db.reading() as session:
        return tuple(session.scalar(select(func.count()).select_from(t)) for t in (Organisation, User, AuditEvent))


def test_company_signs_up_and_is_audited(client, db):
    body = sign_up_by_api(client, db, SIGNUP, verify=False)
    assert body["organisation"]["business_number"] == "214-86-18758"
    assert body["organisation"]["verification"] == "unverified"
    assert body["user"]["role"] == "supplier"
    with db.reading() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "account.signed_up")).one()
        assert event.actor_user_id == body["user"]["id"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("business_number", "2148618759"), ("password", "short"), ("email", "not-an-email"), ("size", "huge")],
)
def test_bad_sign_up_is_refused_with_a_field_message_and_nothing_written(client, db, field, value):
    before = _counts(db)
    response = client.post("/api/v1/signup", json={**SIGNUP, field: value})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert field in error["fields"]
    assert _counts(db) == before


def test_messages_follow_the_callers_language(client):
    korean = client.post("/api/v1/signup", json={**SIGNUP, "password": "short"})
    english = client.post("/api/v1/signup", json={**SIGNUP, "password": "short"}, headers={"Accept-Language": "en"})
    assert "10" in korean.json()["error"]["fields"]["password"]
    assert "비밀번호" in korean.json()["error"]["fields"]["password"]
    assert english.json()["error"]["fields"]["password"] == "The password must be at least 10 characters long."


def test_duplicate_company_or_email_is_a_conflict(client, db):
    sign_up_by_api(client, db, SIGNUP, verify=False)
    before = _counts(db)
    again = client.post("/api/v1/signup", json={**SIGNUP, "email": "other@test-cloud.kr"})
    assert again.status_code == 409
    assert "business_number" in again.json()["error"]["fields"]
    same_email = client.post("/api/v1/signup", json={**SIGNUP, "business_number": "1208147521"})
    assert same_email.status_code == 409
    assert "email" in same_email.json()["error"]["fields"]
    assert _counts(db) == before


def test_malformed_json_and_unknown_fields(client):
    broken = client.post("/api/v1/signup", content=b"{not json", headers={"Content-Type": "application/json"})
    assert broken.status_code == 400
    assert broken.json()["error"]["code"] == "malformed_json"
    extra = client.post("/api/v1/signup", json={**SIGNUP, "role": "admin"})
    assert extra.status_code == 422
    assert "role" in extra.json()["error"]["fields"]
    missing = client.post("/api/v1/signup", json={"email": "x@y.kr"})
    assert missing.status_code == 422
    assert set(missing.json()["error"]["fields"]) >= {"business_number", "password"}


def test_unknown_route_and_wrong_method_are_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert client.delete("/api/v1/me").status_code == 405


def test_me_needs_a_valid_token(client, demo):
    assert client.get("/api/v1/me").status_code == 401
    wrong = client.get("/api/v1/me", headers={"Authorization": "Bearer dm_not-a-token"})
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "not_signed_in"
    me = client.get("/api/v1/me", headers=api_token(demo, "buyer@demo.kr"))
    assert me.status_code == 200
    body = me.json()
    assert body["role"] == "agency_buyer"
    assert body["organisation"]["name"] == "미래행정부"
    assert "password_hash" not in body["user"]


def test_token_is_shown_once_stored_hashed_and_revocable(client, demo):
    headers = api_token(demo, "supplier@demo.kr")
    created = client.post("/api/v1/tokens", json={"name": "정산 스크립트"}, headers=headers)
    assert created.status_code == 201
    plain = created.json()["token"]
    listed = client.get("/api/v1/tokens", headers=headers).json()["items"]
    assert all("token" not in t for t in listed)
    with demo.reading() as session:
        from digitalmarket.accounts.tables import ApiToken

        assert session.scalar(select(func.count()).where(ApiToken.token_hash == plain)) == 0
    own = {"Authorization": f"Bearer {plain}"}
    assert client.get("/api/v1/me", headers=own).status_code == 200
    assert client.delete(f"/api/v1/tokens/{created.json()['id']}", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=own).status_code == 401


def test_a_token_of_another_user_cannot_be_revoked(client, demo):
    mine = client.post("/api/v1/tokens", json={"name": "mine"}, headers=api_token(demo, "supplier@demo.kr")).json()
    other = api_token(demo, "supplier2@demo.kr")
    assert client.delete(f"/api/v1/tokens/{mine['id']}", headers=other).status_code == 404


ROLE_ROUTES = [
    ("GET", "/api/v1/supplier/profile", "supplier"),
    ("GET", "/api/v1/agency/profile", "agency_buyer"),
    ("GET", "/api/v1/organisations", "operator"),
    ("GET", "/api/v1/organisations", "contracting_officer"),
    ("GET", "/api/v1/admin/users", "admin"),
]


@pytest.mark.parametrize(("method", "path", "allowed"), ROLE_ROUTES)
def test_role_routes_admit_their_role_only(client, demo, method, path, allowed):
    allowed_roles = {r for m, p, r in ROLE_ROUTES if p == path}
    assert client.request(method, path).status_code == 401
    for role, email in DEMO_EMAILS.items():
        status = client.request(method, path, headers=api_token(demo, email)).status_code
        if role in allowed_roles or (path == "/api/v1/organisations" and role == "admin"):
            assert status == 200, (role, status)
        else:
            assert status == 403, (role, status)


def test_reviewer_workspace_admits_reviewers_only(client, demo):
    from tests.helpers import page_login

    page_login(client, "reviewer@demo.kr")
    assert client.get("/reviewer").status_code == 200
    assert client.get("/operator", follow_redirects=False).status_code == 403


def test_supplier_sees_only_its_own_organisation(client, demo):
    supplier = api_token(demo, "supplier@demo.kr")
    own = client.get("/api/v1/supplier/profile", headers=supplier).json()
    assert client.get(f"/api/v1/organisations/{own['id']}", headers=supplier).status_code == 200
    with demo.reading() as session:
        other = session.scalars(select(Organisation).where(Organisation.name == "클라우드나래 주식회사")).one()
    response = client.get(f"/api/v1/organisations/{other.id}", headers=supplier)
    assert response.status_code == 404
    assert "클라우드나래" not in response.text
    operator = api_token(demo, "operator@demo.kr")
    assert client.get(f"/api/v1/organisations/{other.id}", headers=operator).status_code == 200


def test_profile_update_detects_a_lost_update(client, demo):
    headers = api_token(demo, "supplier@demo.kr")
    profile = client.get("/api/v1/supplier/profile", headers=headers).json()
    change = {k: profile[k] or "" for k in ("name", "representative", "size", "credit_rating")}
    first = client.put(
        "/api/v1/supplier/profile",
        json={**change, "version": profile["version"], "contact_phone": "02-1111-2222"},
        headers=headers,
    )
    assert first.status_code == 200
    assert first.json()["contact_phone"] == "02-1111-2222"
    stale = client.put(
        "/api/v1/supplier/profile",
        json={**change, "version": profile["version"], "contact_phone": "02-3333-4444"},
        headers=headers,
    )
    assert stale.status_code == 409
    assert client.get("/api/v1/supplier/profile", headers=headers).json()["contact_phone"] == "02-1111-2222"


def test_admin_creates_users_and_changes_roles(client, demo):
    admin = api_token(demo, "admin@demo.kr")
    orgs = {o["name"]: o for o in client.get("/api/v1/organisations?limit=100", headers=admin).json()["items"]}
    agency = orgs["한빛특별시"]
    new = {
        "email": "new.buyer@hanbit.go.kr",
        "name": "새담당",
        "role": "agency_buyer",
        "organisation_id": agency["id"],
        "password": "long-enough-pw",
    }
    created = client.post("/api/v1/admin/users", json=new, headers=admin)
    assert created.status_code == 201
    wrong_kind = client.post(
        "/api/v1/admin/users", json={**new, "email": "x@hanbit.go.kr", "role": "supplier"}, headers=admin
    )
    assert wrong_kind.status_code == 422
    assert "role" in wrong_kind.json()["error"]["fields"]
    user = created.json()
    to_operator = client.put(
        f"/api/v1/admin/users/{user['id']}/role", json={"role": "operator", "version": user["version"]}, headers=admin
    )
    assert to_operator.status_code == 422  # an agency's user cannot be an operator
    unknown = client.post("/api/v1/admin/users", json={**new, "email": "y@hanbit.go.kr", "role": "boss"}, headers=admin)
    message = unknown.json()["error"]["fields"]["role"]  # the caller of the API is told the roles there are
    assert message.startswith("다음 중 하나를 고르세요: ") and "agency_buyer" in message and "operator" in message
    with demo.reading() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "account.user_created")).all()
        assert any(e.object_id == str(user["id"]) for e in events)


def test_admin_changes_a_role_with_an_audit_event(client, demo):
    admin = api_token(demo, "admin@demo.kr")
    users = {u["email"]: u for u in client.get("/api/v1/admin/users?limit=100", headers=admin).json()["items"]}
    reviewer = users["reviewer3@demo.kr"]
    changed = client.put(
        f"/api/v1/admin/users/{reviewer['id']}/role",
        json={"role": "operator", "version": reviewer["version"]},
        headers=admin,
    )
    assert changed.status_code == 200
    assert changed.json()["role"] == "operator"
    stale = client.put(
        f"/api/v1/admin/users/{reviewer['id']}/role",
        json={"role": "reviewer", "version": reviewer["version"]},
        headers=admin,
    )
    assert stale.status_code == 409
    with demo.reading() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "account.role_changed")).one()
        assert event.details == {"from": "reviewer", "to": "operator"}


def test_officer_records_a_sanction(client, demo):
    officer = api_token(demo, "officer@demo.kr")
    supplier = client.get("/api/v1/supplier/profile", headers=api_token(demo, "supplier@demo.kr")).json()
    body = {
        "version": supplier["version"],
        "sanction_from": "2026-12-01",
        "sanction_until": "2026-11-01",
        "reason": "입찰 담합",
    }
    backwards = client.put(f"/api/v1/suppliers/{supplier['id']}/sanction", json=body, headers=officer)
    assert backwards.status_code == 422
    ok = client.put(
        f"/api/v1/suppliers/{supplier['id']}/sanction", json={**body, "sanction_until": "2027-05-31"}, headers=officer
    )
    assert ok.status_code == 200
    assert ok.json()["sanction_until"] == "2027-05-31"
    operator = api_token(demo, "operator@demo.kr")
    assert client.put(f"/api/v1/suppliers/{supplier['id']}/sanction", json=body, headers=operator).status_code == 403


def test_openapi_document_lists_the_api(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/me" in spec["paths"]
    assert not any(p.startswith("/login") for p in spec["paths"])
