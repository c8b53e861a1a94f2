"""CSRF tokens: signed with the installation's secret for the session the browser presents, compared as
bytes (a token in any script is a 403, never a 500), kept in a ``__Host-`` cookie over HTTPS."""

from __future__ import annotations

from fastapi.testclient import TestClient

from digitalmarket.core.settings import PROJECT_ROOT, Settings
from tests.helpers import app_on, csrf_from, page_login


def _logout(client: TestClient, token: str, **cookies):
    return client.post("/logout", data={"csrf_token": token}, cookies=cookies or None, follow_redirects=False)


def test_a_non_ascii_token_or_cookie_is_refused_not_an_error(client, demo):
    assert page_login(client, "buyer@demo.kr").status_code == 303
    token = csrf_from(client, "/account")
    refused = _logout(client, "토큰" + token)
    assert refused.status_code == 403 and "다시" in refused.text
    session = client.cookies.get("dm_session")
    with TestClient(client.app) as raw:  # the cookie header sent as bytes, as a browser may
        cookie = f"dm_session={session}; dm_csrf=é한글".encode()
        answer = raw.post("/logout", data={"csrf_token": "é한글"}, headers={"cookie": cookie}, follow_redirects=False)
        assert answer.status_code == 403
    assert client.get("/account", follow_redirects=False).status_code == 200  # still signed in


def test_an_attacker_chosen_cookie_and_field_pair_is_refused(client, demo):
    assert page_login(client, "buyer@demo.kr").status_code == 303
    client.cookies.set("dm_csrf", "chosen-by-the-attacker", domain="testserver.local")
    assert _logout(client, "chosen-by-the-attacker").status_code == 403
    assert client.get("/account", follow_redirects=False).status_code == 200


def test_a_token_from_another_session_does_not_pass(client, demo):
    """The attacker's own valid pair (signed for the attacker's session) fails in the victim's."""
    with TestClient(client.app) as attacker:
        assert page_login(attacker, "supplier@demo.kr").status_code == 303
        stolen = csrf_from(attacker, "/account")
        assert attacker.cookies.get("dm_csrf") == stolen
    assert page_login(client, "buyer@demo.kr").status_code == 303
    client.cookies.set("dm_csrf", stolen, domain="testserver.local")
    assert _logout(client, stolen).status_code == 403
    own = csrf_from(client, "/account")  # the page signs a new token for this session
    assert own != stolen
    assert _logout(client, own).status_code == 303


def test_the_token_changes_at_log_in(client, demo):
    before = csrf_from(client, "/login")
    assert page_login(client, "buyer@demo.kr").status_code == 303
    after = csrf_from(client, "/account")
    assert after != before
    assert _logout(client, before).status_code == 403  # the form of the signed-out page no longer passes


def test_over_https_the_cookie_has_the_host_prefix(db, demo, tmp_path):
    settings = Settings(
        data_dir=tmp_path,
        database_url=db.url,
        secret_key="t",
        frontend_dir=PROJECT_ROOT / "node_modules",
        cookie_secure=True,
    )
    with TestClient(app_on(settings, db), base_url="https://testserver.local") as client:
        page = client.get("/login")
        set_cookie = page.headers["set-cookie"]
        assert set_cookie.startswith("__Host-dm_csrf=") and "Secure" in set_cookie and "Path=/" in set_cookie
        assert "Domain" not in set_cookie
        assert page_login(client, "buyer@demo.kr").status_code == 303
        token = csrf_from(client, "/account")
        assert client.cookies.get("__Host-dm_csrf") == token
        assert _logout(client, token).status_code == 303
