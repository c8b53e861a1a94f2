"""Accounts a real organisation needs: its own administrator invites colleagues and removes them, the
system administrator finds, deactivates and reactivates users, and sign-up shows every error at once."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.accounts.test_password_reset import queued_links
from tests.helpers import api_token, csrf_from, page_login

PASSWORD = "colleague-pass-1"


def invite_by_page(client: TestClient, email: str):
    token = csrf_from(client, "/organisation/users")
    return client.post(
        "/organisation/users/invitations", data={"email": email, "csrf_token": token}, follow_redirects=False
    )


def invite_and_join_by_api(client: TestClient, headers: dict, email: str, db, name: str = "박동료") -> dict:
    invited = client.post("/api/v1/organisation/invitations", json={"email": email}, headers=headers)
    assert invited.status_code == 201, invited.text
    token = queued_links(db, email)[-1].rsplit("/", 1)[1]
    joined = client.post("/api/v1/invitations/accept", json={"token": token, "name": name, "password": PASSWORD})
    assert joined.status_code == 201, joined.text
    return joined.json()


def test_an_administrator_invites_a_colleague_who_joins_and_signs_in(app, client, demo):
    page_login(client, "supplier@demo.kr")
    account = client.get("/account")
    assert 'href="/organisation/users"' in account.text and "우리 회사 사용자" in account.text
    listing = client.get("/organisation/users")
    assert listing.status_code == 200 and "김가상" in listing.text and "조직 관리자" in listing.text

    refused = invite_by_page(client, "buyer@demo.kr")  # already has an account
    assert refused.status_code == 409 and 'id="field-email-error"' in refused.text
    sent = invite_by_page(client, "New.Colleague@Example.kr")
    assert sent.status_code == 303 and sent.headers["location"] == "/organisation/users?notice=colleague_invited"
    assert "new.colleague@example.kr" in client.get("/organisation/users").text  # waiting for an answer
    [link] = queued_links(demo, "new.colleague@example.kr")

    with TestClient(app) as invitee:
        form = invitee.get(link)
        assert form.status_code == 200
        assert "(주)가상소프트에 가입" in form.text and "공급기업 역할로 초대되었습니다" in form.text
        token = csrf_from(invitee, link)
        wrong = invitee.post(
            link, data={"name": "", "password": "short", "password_confirm": "other", "csrf_token": token}
        )
        assert wrong.status_code == 422
        for field in ("name", "password", "password_confirm"):  # every problem at once
            assert f'id="field-{field}-error"' in wrong.text
        data = {"name": "박동료", "password": PASSWORD, "password_confirm": PASSWORD, "csrf_token": token}
        joined = invitee.post(link, data=data, follow_redirects=False)
        assert joined.status_code == 303 and joined.headers["location"] == "/supplier?notice=invitation_accepted"
        assert invitee.get("/account").status_code == 200  # signed in at once
        assert invitee.get(link).status_code == 410  # the invitation works once
        colleagues = invitee.get("/organisation/users").text
        assert "박동료" in colleagues and "동료 초대" not in colleagues  # not an administrator
    with TestClient(app) as later:
        assert page_login(later, "new.colleague@example.kr", PASSWORD).status_code == 303


def test_a_removed_colleague_can_no_longer_sign_in_or_use_a_token(client, demo):
    admin = api_token(demo, "supplier@demo.kr")
    joined = invite_and_join_by_api(client, admin, "leaving@example.kr", demo)
    assert joined["role"] == "supplier" and joined["is_org_admin"] is False
    theirs = api_token(demo, "leaving@example.kr")
    assert client.get("/api/v1/me", headers=theirs).status_code == 200
    assert (
        client.post("/api/v1/organisation/invitations", json={"email": "x@example.kr"}, headers=theirs).status_code
        == 403
    )

    me = client.get("/api/v1/me", headers=admin).json()["user"]["id"]
    self_removal = client.post(f"/api/v1/organisation/users/{me}/deactivate", headers=admin)
    assert self_removal.status_code == 409
    removed = client.post(f"/api/v1/organisation/users/{joined['id']}/deactivate", headers=admin)
    assert removed.status_code == 200 and removed.json()["is_active"] is False
    assert client.get("/api/v1/me", headers=theirs).status_code == 401
    assert page_login(client, "leaving@example.kr", PASSWORD).status_code == 422
    users = {
        u["email"]: u["is_active"] for u in client.get("/api/v1/organisation/users", headers=admin).json()["items"]
    }
    assert users["leaving@example.kr"] is False and users["supplier@demo.kr"] is True


def test_another_organisation_never_sees_nor_removes_our_users(client, demo):
    ours = api_token(demo, "supplier@demo.kr")
    colleague = invite_and_join_by_api(client, ours, "ours@example.kr", demo)
    theirs = api_token(demo, "supplier2@demo.kr")
    listed = {u["email"] for u in client.get("/api/v1/organisation/users", headers=theirs).json()["items"]}
    assert listed == {"supplier2@demo.kr"}
    assert client.post(f"/api/v1/organisation/users/{colleague['id']}/deactivate", headers=theirs).status_code == 404
    page_login(client, "supplier2@demo.kr")
    token = csrf_from(client, "/organisation/users")
    page = client.post(f"/organisation/users/{colleague['id']}/deactivate", data={"csrf_token": token})
    assert page.status_code == 404
    still = {u["email"]: u["is_active"] for u in client.get("/api/v1/organisation/users", headers=ours).json()["items"]}
    assert still["ours@example.kr"] is True


def test_the_agency_buyer_administers_the_agency(client, demo):
    buyer = api_token(demo, "buyer@demo.kr")
    joined = invite_and_join_by_api(client, buyer, "clerk@agency.go.kr", demo, name="최주무관")
    assert joined["role"] == "agency_buyer"
    page_login(client, "buyer@demo.kr")
    assert "우리 기관 사용자" in client.get("/organisation/users").text

    clerk = api_token(demo, "clerk@agency.go.kr")
    invite = {"email": "second@agency.go.kr"}
    assert client.post("/api/v1/organisation/invitations", json=invite, headers=clerk).status_code == 403
    admin = api_token(demo, "admin@demo.kr")
    made = client.put(f"/api/v1/admin/users/{joined['id']}/org-admin", json={"is_org_admin": True}, headers=admin)
    assert made.status_code == 200 and made.json()["is_org_admin"] is True
    assert client.post("/api/v1/organisation/invitations", json=invite, headers=clerk).status_code == 201
    page_login(client, "admin@demo.kr")
    token = csrf_from(client, "/admin")
    undone = client.post(
        f"/admin/users/{joined['id']}/org-admin",
        data={"is_org_admin": "0", "csrf_token": token},
        follow_redirects=False,
    )
    assert undone.headers["location"] == "/admin?notice=org_admin_changed"
    assert client.post("/api/v1/organisation/invitations", json=invite, headers=clerk).status_code == 403


def test_the_administrator_finds_deactivates_and_reactivates_a_user(app, client, demo):
    with TestClient(app) as supplier:
        page_login(supplier, "supplier@demo.kr")
        page_login(client, "admin@demo.kr")
        found = client.get("/admin", params={"q": "가상소프트"})
        assert found.status_code == 200
        assert "supplier@demo.kr" in found.text and "buyer@demo.kr" not in found.text
        assert "(supplier)" not in client.get("/admin").text and "(공급기업)" in client.get("/admin").text
        assert "buyer@demo.kr" in client.get("/admin", params={"q": "BUYER@demo"}).text
        assert "맞는 사용자가 없습니다." in client.get("/admin", params={"q": "%"}).text

        user_id = next(
            u["id"]
            for u in client.get(
                "/api/v1/admin/users", params={"limit": 100}, headers=api_token(demo, "admin@demo.kr")
            ).json()["items"]
            if u["email"] == "supplier@demo.kr"
        )
        token = csrf_from(client, "/admin")
        off = client.post(f"/admin/users/{user_id}/deactivate", data={"csrf_token": token}, follow_redirects=False)
        assert off.headers["location"] == "/admin?notice=user_deactivated"
        assert supplier.get("/account", follow_redirects=False).status_code == 303  # signed out at once
        assert page_login(supplier, "supplier@demo.kr").status_code == 422
        assert "비활성" in client.get("/admin", params={"q": "supplier@demo.kr"}).text
        on = client.post(f"/admin/users/{user_id}/reactivate", data={"csrf_token": token}, follow_redirects=False)
        assert on.headers["location"] == "/admin?notice=user_reactivated"
        assert page_login(supplier, "supplier@demo.kr").status_code == 303

    client.cookies.set("dm_lang", "en")
    english = client.get("/admin").text
    assert "(Supplier)" in english and "(supplier)" not in english and "Find users" in english


def test_the_administrator_api_searches_and_closes_accounts(client, demo):
    admin = api_token(demo, "admin@demo.kr")
    found = client.get("/api/v1/admin/users/search", params={"q": "미래행정부"}, headers=admin).json()["items"]
    assert [u["email"] for u in found] == ["buyer@demo.kr"]
    buyer_token = api_token(demo, "buyer@demo.kr")
    closed = client.post(f"/api/v1/admin/users/{found[0]['id']}/deactivate", headers=admin)
    assert closed.status_code == 200 and closed.json()["is_active"] is False
    assert client.get("/api/v1/me", headers=buyer_token).status_code == 401
    me = client.get("/api/v1/me", headers=admin).json()["user"]["id"]
    assert client.post(f"/api/v1/admin/users/{me}/deactivate", headers=admin).status_code == 409
    assert client.post("/api/v1/admin/users/999999/deactivate", headers=admin).status_code == 404
    assert client.post(f"/api/v1/admin/users/{found[0]['id']}/reactivate", headers=admin).json()["is_active"] is True
    supplier = api_token(demo, "supplier@demo.kr")
    assert client.post(f"/api/v1/admin/users/{me}/deactivate", headers=supplier).status_code == 403


SIGNUP = {
    "business_number": "214-86-18759",  # wrong check digit
    "company_name": "(주)세오류",
    "representative": "홍길동",
    "size": "sme",
    "name": "홍길동",
    "email": "hong@three-errors.kr",
    "password": "short",
    "password_confirm": "different",
}


def test_sign_up_shows_every_error_at_once(client, db):
    token = csrf_from(client, "/signup")
    page = client.post("/signup", data={**SIGNUP, "csrf_token": token})
    assert page.status_code == 422
    for field in ("business_number", "password", "password_confirm"):
        assert f'id="field-{field}-error"' in page.text
        assert f'href="#field-{field}"' in page.text
    assert "두 비밀번호가 서로 다릅니다." in page.text

    client.cookies.set("dm_lang", "en")
    token = csrf_from(client, "/signup")
    english = client.post("/signup", data={**SIGNUP, "csrf_token": token})
    assert "The two passwords are not the same." in english.text
    assert "at least 10 characters" in english.text

    api = client.post("/api/v1/signup", json={k: v for k, v in SIGNUP.items()})
    assert api.status_code == 422
    assert set(api.json()["error"]["fields"]) == {"business_number", "password", "password_confirm"}


def test_a_withdrawn_invitation_no_longer_opens(client, demo):
    ours = api_token(demo, "supplier@demo.kr")
    invited = client.post("/api/v1/organisation/invitations", json={"email": "typo@example.kr"}, headers=ours).json()
    link = queued_links(demo, "typo@example.kr")[-1]
    theirs = api_token(demo, "supplier2@demo.kr")
    assert client.delete(f"/api/v1/organisation/invitations/{invited['id']}", headers=theirs).status_code == 404
    page_login(client, "supplier@demo.kr")
    listing = client.get("/organisation/users")
    assert "typo@example.kr" in listing.text and "초대 취소" in listing.text
    token = csrf_from(client, "/organisation/users")
    withdrawn = client.post(
        f"/organisation/users/invitations/{invited['id']}/withdraw", data={"csrf_token": token}, follow_redirects=False
    )
    assert withdrawn.headers["location"] == "/organisation/users?notice=invitation_withdrawn"
    assert "typo@example.kr" not in client.get("/organisation/users").text
    assert client.get(link).status_code == 410
    accept = {"token": link.rsplit("/", 1)[1], "name": "오타", "password": PASSWORD}
    assert client.post("/api/v1/invitations/accept", json=accept).status_code == 422
    assert client.delete(f"/api/v1/organisation/invitations/{invited['id']}", headers=ours).status_code == 204
