"""API tokens: the first one from e-mail and password or the browser's session, scopes no wider than the role,
expiry, rotation, revocation by the organisation's administrator and by a password change, the OpenAPI's
security scheme, and rate limits per token and per address."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from digitalmarket.accounts import api_tokens
from digitalmarket.accounts.tables import User
from digitalmarket.core.tables import utcnow
from digitalmarket.demo import DEMO_PASSWORD
from tests.helpers import api_token, app_on, csrf_from, mailed_links, page_login


def _first_token(client, email, **body):
    return client.post("/api/v1/tokens", json={"name": "연동", "email": email, "password": DEMO_PASSWORD, **body})


def bearer(plain: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {plain}"}


def test_a_first_token_from_email_and_password_reads_but_does_not_write(client, demo):
    wrong = client.post("/api/v1/tokens", json={"name": "연동", "email": "supplier@demo.kr", "password": "nope"})
    assert wrong.status_code == 401  # not signed in, and told why
    assert wrong.json()["error"]["message"] == "이메일 주소 또는 비밀번호가 올바르지 않습니다."
    assert client.post("/api/v1/tokens", json={"name": "연동"}).status_code == 401

    created = _first_token(client, "supplier@demo.kr", scopes=["read"])
    assert created.status_code == 201
    token = created.json()
    assert token["scopes"] == ["read"]
    headers = bearer(token["token"])
    assert client.get("/api/v1/me", headers=headers).json()["user"]["email"] == "supplier@demo.kr"

    refused = client.post("/api/v1/tokens", json={"name": "더 센 토큰"}, headers=headers)
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert error["code"] == "insufficient_scope"
    assert "supplier-write" in error["message"]
    english = client.put(
        "/api/v1/supplier/profile", json={"version": 1}, headers=headers | {"Accept-Language": "en"}
    ).json()["error"]
    assert english["code"] == "insufficient_scope" and "lacks the scope supplier-write" in english["message"]


def test_a_token_has_no_more_than_its_role_and_expires_within_a_year(client, demo):
    beyond = _first_token(client, "supplier@demo.kr", scopes=["read", "buyer-write"])
    assert beyond.status_code == 422
    assert "buyer-write" in beyond.json()["error"]["fields"]["scopes"]
    assert _first_token(client, "supplier@demo.kr", expires_in_days=366).status_code == 422

    token = _first_token(client, "buyer@demo.kr").json()
    assert token["scopes"] == ["read", "buyer-write"]
    lifetime = _iso(token["expires_at"]) - _iso(token["created_at"])
    assert lifetime == timedelta(days=90)
    short = _first_token(client, "buyer@demo.kr", expires_in_days=7).json()
    assert _iso(short["expires_at"]) - _iso(short["created_at"]) == timedelta(days=7)


def _iso(value: str):
    from datetime import datetime

    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_an_expired_token_is_refused_saying_so(client, demo):
    with demo.transaction() as session:
        user = session.scalars(select(User).where(User.email == "officer@demo.kr")).one()
        _, plain = api_tokens.create_api_token(
            session, user, "old", expires_in_days=30, now=utcnow() - timedelta(days=31)
        )
    answer = client.get("/api/v1/me", headers=bearer(plain) | {"Accept-Language": "en"})
    assert answer.status_code == 401
    assert "expired" in answer.json()["error"]["message"]


def test_rotation_gives_a_new_token_and_ends_the_old(client, demo):
    old = _first_token(client, "operator@demo.kr", expires_in_days=30).json()
    rotated = client.post(f"/api/v1/tokens/{old['id']}/rotate", headers=bearer(old["token"]))
    assert rotated.status_code == 201
    new = rotated.json()
    assert new["name"] == old["name"] and new["scopes"] == old["scopes"] and new["token"] != old["token"]
    assert _iso(new["expires_at"]) - _iso(new["created_at"]) == timedelta(days=30)
    gone = client.get("/api/v1/me", headers=bearer(old["token"]) | {"Accept-Language": "en"})
    assert gone.status_code == 401 and "revoked" in gone.json()["error"]["message"]
    assert client.get("/api/v1/me", headers=bearer(new["token"])).status_code == 200
    listed = {t["id"]: t for t in client.get("/api/v1/tokens", headers=bearer(new["token"])).json()["items"]}
    assert listed[old["id"]]["revoked_at"] is not None and listed[new["id"]]["revoked_at"] is None


def test_the_organisation_administrator_sees_and_revokes_a_colleagues_token(client, demo):
    admin = api_token(demo, "admin@demo.kr")
    buyer = bearer(_first_token(client, "buyer@demo.kr").json()["token"])
    agency_id = client.get("/api/v1/me", headers=buyer).json()["organisation"]["id"]
    colleague = {
        "email": "colleague@mirae.go.kr",
        "name": "동료",
        "role": "agency_buyer",
        "organisation_id": agency_id,
        "password": "a-long-password-2026",
    }
    assert client.post("/api/v1/admin/users", json=colleague, headers=admin).status_code == 201
    theirs = client.post(
        "/api/v1/tokens", json={"name": "동료 스크립트", "email": colleague["email"], "password": colleague["password"]}
    ).json()

    assert client.get("/api/v1/organisation/tokens", headers=bearer(theirs["token"])).status_code == 403
    listed = client.get("/api/v1/organisation/tokens", headers=buyer).json()["items"]
    assert {t["user_email"] for t in listed} >= {"buyer@demo.kr", "colleague@mirae.go.kr"}
    assert client.post(f"/api/v1/tokens/{theirs['id']}/rotate", headers=buyer).status_code == 404  # never held
    assert client.delete(f"/api/v1/tokens/{theirs['id']}", headers=buyer).status_code == 204
    assert client.get("/api/v1/me", headers=bearer(theirs["token"])).status_code == 401

    other_agency = api_token(demo, "buyer2@demo.kr")
    mine = _first_token(client, "buyer@demo.kr").json()
    assert client.delete(f"/api/v1/tokens/{mine['id']}", headers=other_agency).status_code == 404


def test_a_password_change_revokes_tokens_unless_asked_to_keep_them(client, demo):
    kept = _first_token(client, "reviewer@demo.kr").json()
    changed = client.post(
        "/api/v1/me/password",
        json={"current_password": DEMO_PASSWORD, "new_password": "another-pass-2027", "keep_api_tokens": True},
        headers=bearer(kept["token"]),
    )
    assert changed.status_code == 200 and changed.json()["api_tokens_revoked"] == 0
    assert client.get("/api/v1/me", headers=bearer(kept["token"])).status_code == 200

    changed = client.post(
        "/api/v1/me/password",
        json={"current_password": "another-pass-2027", "new_password": "third-pass-2028"},
        headers=bearer(kept["token"]),
    )
    assert changed.json()["api_tokens_revoked"] == 1
    assert client.get("/api/v1/me", headers=bearer(kept["token"])).status_code == 401


def test_a_password_reset_by_mail_revokes_the_tokens(client, demo):
    token = _first_token(client, "reviewer3@demo.kr").json()
    client.post("/api/v1/password-reset", json={"email": "reviewer3@demo.kr"})
    link = mailed_links(demo, "reviewer3@demo.kr")[-1]
    reset = client.post(
        "/api/v1/password-reset/confirm", json={"token": link.rsplit("/", 1)[1], "password": "lantern-river-2027"}
    )
    assert reset.status_code == 204
    assert client.get("/api/v1/me", headers=bearer(token["token"])).status_code == 401


def test_the_password_form_revokes_tokens_unless_the_box_is_ticked(client, demo):
    token = _first_token(client, "supplier2@demo.kr").json()
    page_login(client, "supplier2@demo.kr")
    client.post(
        "/account/password",
        data={
            "csrf_token": csrf_from(client, "/account"),
            "current_password": DEMO_PASSWORD,
            "new_password": "a-new-password-1",
            "new_password_confirm": "a-new-password-1",
        },
        follow_redirects=False,
    )
    assert client.get("/api/v1/me", headers=bearer(token["token"])).status_code == 401


def test_tokens_are_listed_a_page_at_a_time(client, demo):
    made = [_first_token(client, "officer@demo.kr", scopes=["read"]).json() for _ in range(3)]
    headers = bearer(made[0]["token"])
    seen, cursor = [], None
    while True:
        answer = client.get("/api/v1/tokens", params={"limit": 2, "cursor": cursor}, headers=headers)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert len(body["items"]) <= 2
        seen += [t["id"] for t in body["items"]]
        if (cursor := body["next_cursor"]) is None:
            break
    assert sorted(seen) == sorted(t["id"] for t in made) and len(set(seen)) == 3
    assert client.get("/api/v1/tokens", params={"limit": 101}, headers=headers).status_code == 422
    assert client.get("/api/v1/tokens", params={"cursor": "nope"}, headers=headers).status_code == 422


def test_the_browsers_session_creates_a_token_with_its_csrf_token(client, demo):
    page_login(client, "officer@demo.kr")
    csrf = csrf_from(client, "/account")
    assert client.post("/api/v1/tokens", json={"name": "브라우저"}).status_code == 403
    created = client.post("/api/v1/tokens", json={"name": "브라우저"}, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201
    assert created.json()["scopes"] == ["read", "officer-write"]
    assert [t["name"] for t in client.get("/api/v1/tokens").json()["items"]] == ["브라우저"]


def test_the_account_page_creates_a_read_only_token_and_rotates_it(client, demo):
    page_login(client, "buyer2@demo.kr")
    csrf = csrf_from(client, "/account")
    created = client.post(
        "/account/tokens", data={"csrf_token": csrf, "name": "대시보드", "scopes": "read", "expires_in_days": "30"}
    )
    assert created.status_code == 201
    plain = created.text.split('id="new-token">', 1)[1].split("<", 1)[0]
    headers = bearer(plain)
    assert client.get("/api/v1/tokens", headers=headers).json()["items"][0]["scopes"] == ["read"]
    assert client.post("/api/v1/quote-requests", json={}, headers=headers).status_code == 403
    token_id = client.get("/api/v1/tokens", headers=headers).json()["items"][0]["id"]
    rotated = client.post(f"/account/tokens/{token_id}/rotate", data={"csrf_token": csrf})
    assert rotated.status_code == 201 and 'id="new-token"' in rotated.text
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    too_long = client.post("/account/tokens", data={"csrf_token": csrf, "name": "x", "expires_in_days": "999"})
    assert too_long.status_code == 422


def test_the_openapi_declares_the_bearer_scheme_and_each_operations_scopes(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    paths = schema["paths"]
    assert paths["/api/v1/me"]["get"]["security"] == [{"bearerAuth": ["read"]}]
    assert paths["/api/v1/orders"]["post"]["security"] == [{"bearerAuth": ["buyer-write"]}]
    assert paths["/api/v1/admin/users"]["post"]["security"] == [{"bearerAuth": ["admin"]}]
    assert {} in paths["/api/v1/tokens"]["post"]["security"]  # the first token needs none
    assert "security" not in paths["/api/v1/signup"]["post"]


def test_rate_limits_answer_429_with_retry_after(settings, db, demo):
    limited = dataclasses.replace(settings, api_limit_per_token=3, api_limit_per_address=2)
    with TestClient(app_on(limited, db)) as client:
        headers = api_token(demo, "supplier@demo.kr")
        answers = [client.get("/api/v1/me", headers=headers) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        refused = answers[-1]
        assert int(refused.headers["Retry-After"]) >= 1
        assert refused.json()["error"]["code"] == "rate_limited"
        assert "3" in refused.json()["error"]["message"]
        # another token of the same user has its own allowance
        assert client.get("/api/v1/me", headers=api_token(demo, "supplier@demo.kr")).status_code == 200

        anonymous = [client.get("/api/v1/services").status_code for _ in range(3)]
        assert anonymous[:2] == [200, 200] and anonymous[2] == 429
        guessed = client.get("/api/v1/me", headers=bearer("dm_guessed"))
        assert guessed.status_code == 429  # guessing tokens counts against the address
