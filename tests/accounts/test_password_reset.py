"""비밀번호 찾기: a reset link by e-mail that works once, expires, tells nobody who has an account, and
signs every browser of the account out."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from digitalmarket.accounts import recovery
from digitalmarket.core.notifications import Notification
from digitalmarket.core.tables import utcnow
from digitalmarket.notifications.outbox import drain
from tests.helpers import csrf_from, page_login

ANSWER = "입력한 주소로 가입된 계정이 있으면 비밀번호를 새로 정하는 링크를 보냈습니다."


class Mailbox:
    """Where sent e-mails go in these tests."""

    def __init__(self) -> None:
        self.mails = []

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def send(self, mail) -> None:
        self.mails.append(mail)


def queued_links(db, email: str) -> list[str]:
    """The links of the account e-mails queued for an address, oldest first."""
    with db.reading() as session:
        rows = session.scalars(select(Notification).where(Notification.to_email == email).order_by(Notification.id))
        return [row.link for row in rows]


def ask_for_link(client: TestClient, email: str):
    token = csrf_from(client, "/password-reset")
    return client.post("/password-reset", data={"email": email, "csrf_token": token})


def set_password(client: TestClient, link: str, password: str, again: str | None = None):
    token = csrf_from(client, "/login")
    data = {"password": password, "password_confirm": again or password, "csrf_token": token}
    return client.post(link, data=data, follow_redirects=False)


def test_a_reset_link_sets_a_new_password_once_and_signs_every_browser_out(app, client, demo, settings):
    page_login(client, "supplier@demo.kr")  # a browser signed in before the reset
    assert client.get("/account", follow_redirects=False).status_code == 200
    with TestClient(app) as forgetful:
        login = forgetful.get("/login")
        assert 'href="/password-reset"' in login.text and "비밀번호를 잊으셨나요?" in login.text
        answer = ask_for_link(forgetful, "Supplier@Demo.kr ")
        assert answer.status_code == 200 and ANSWER in answer.text
        [link] = queued_links(demo, "supplier@demo.kr")
        assert re.fullmatch(r"/password-reset/dmr_[\w-]{40,}", link)

        mailbox = Mailbox()
        assert len(drain(demo, settings, sender=mailbox).sent) == 1
        body = mailbox.mails[0].get_content()
        assert "김가상" in body and f"{settings.base_url}{link}" in body and "60분" in body
        assert queued_links(demo, "supplier@demo.kr") == [None]  # the secret is not kept once sent

        form = forgetful.get(link)
        assert form.status_code == 200 and "새 비밀번호 정하기" in form.text
        short = set_password(forgetful, link, "short", "shorter")
        assert short.status_code == 422  # both problems at once, and the link still works
        assert 'id="field-password-error"' in short.text and 'id="field-password_confirm-error"' in short.text
        done = set_password(forgetful, link, "a-brand-new-pass-1")
        assert done.status_code == 303 and done.headers["location"] == "/login?notice=password_reset"

        again = forgetful.get(link)
        assert again.status_code == 410 and "이미 사용한 링크입니다." in again.text
        assert 'href="/password-reset"' in again.text
        assert set_password(forgetful, link, "yet-another-pass-2").status_code == 410
    assert client.get("/account", follow_redirects=False).status_code == 303  # signed out
    assert page_login(client, "supplier@demo.kr").status_code == 422  # the old password is gone
    assert page_login(client, "supplier@demo.kr", "a-brand-new-pass-1").status_code == 303


def test_an_unknown_address_gets_the_same_answer_and_nothing_is_sent(client, demo):
    unknown = ask_for_link(client, "nobody@demo.kr")
    known = ask_for_link(client, "buyer@demo.kr")
    assert unknown.status_code == known.status_code == 200
    strip = re.compile(r'name="csrf_token" value="[^"]+"')
    assert strip.sub("", unknown.text) == strip.sub("", known.text)
    assert queued_links(demo, "nobody@demo.kr") == []
    assert len(queued_links(demo, "buyer@demo.kr")) == 1
    bad = ask_for_link(client, "not-an-address")
    assert bad.status_code == 422 and 'id="field-email-error"' in bad.text


def test_an_expired_link_asks_for_a_new_one(client, demo):
    with demo.transaction() as session:
        recovery.request_password_reset(session, "buyer@demo.kr", language="ko", now=utcnow() - timedelta(minutes=61))
    [link] = queued_links(demo, "buyer@demo.kr")
    page = client.get(link)
    assert page.status_code == 410
    assert "기한이 지난 링크입니다." in page.text and "새 링크 요청하기" in page.text
    assert set_password(client, link, "a-brand-new-pass-1").status_code == 410
    assert page_login(client, "buyer@demo.kr").status_code == 303  # the old password still works
    assert client.get("/password-reset/not-a-token").status_code == 410


def test_the_api_resets_a_password_and_spends_every_other_link(client, demo):
    english = {"Accept-Language": "en"}
    first = client.post("/api/v1/password-reset", json={"email": "officer@demo.kr"}, headers=english)
    unknown = client.post("/api/v1/password-reset", json={"email": "ghost@demo.kr"}, headers=english)
    assert first.status_code == unknown.status_code == 202
    assert first.json() == unknown.json()
    assert "If an account is registered" in first.json()["message"]
    client.post("/api/v1/password-reset", json={"email": "officer@demo.kr"})
    older, newer = (link.rsplit("/", 1)[1] for link in queued_links(demo, "officer@demo.kr"))

    weak = client.post("/api/v1/password-reset/confirm", json={"token": newer, "password": "short"})
    assert weak.status_code == 422 and "password" in weak.json()["error"]["fields"]
    done = client.post("/api/v1/password-reset/confirm", json={"token": newer, "password": "lantern-river-2027"})
    assert done.status_code == 204
    for token in (newer, older):  # used, and the other link of the account is spent with it
        refused = client.post("/api/v1/password-reset/confirm", json={"token": token, "password": "x-another-pass-3"})
        assert refused.status_code == 422
        assert refused.json()["error"]["message"] == "이미 사용한 링크입니다."
    assert page_login(client, "officer@demo.kr", "lantern-river-2027").status_code == 303


def test_no_more_than_three_links_an_hour_reach_one_account(client, demo):
    for _ in range(5):
        assert client.post("/api/v1/password-reset", json={"email": "reviewer@demo.kr"}).status_code == 202
    assert len(queued_links(demo, "reviewer@demo.kr")) == 3
