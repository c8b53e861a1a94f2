"""Accounts in a real browser: an agency's administrator invites a colleague (1280 pixels, English), the
colleague joins from the e-mailed link and later forgets the password (375 pixels, Korean), each link
read from the outbox as the mail worker would send it; every page is axe-clean."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from digitalmarket.core.database import Database
from digitalmarket.core.notifications import Notification
from tests.browser.pages_journey import expect_accessible
from tests.browser.selection_journey import PASSWORD, navigate

pytestmark = pytest.mark.browser

NEW_PASSWORD = "colleague-pass-2026"


def queued_link(data_dir, email: str) -> str:
    """The link of the newest account e-mail queued for an address, as the server's outbox holds it."""
    db = Database(f"sqlite:///{data_dir / 'market.sqlite3'}")
    try:
        with db.reading() as session:
            query = select(Notification.link).where(Notification.to_email == email).order_by(Notification.id.desc())
            return session.scalars(query).first()
    finally:
        db.dispose()


def context_for(browser, server_url, width: int, lang: str):
    context = browser.new_context(base_url=server_url, viewport={"width": width, "height": 900})
    context.add_cookies([{"name": "dm_lang", "value": lang, "url": server_url}])
    return context


def submit(page, action: str) -> None:
    navigate(page, page.locator(f"main form[action='{action}'] button[type=submit]"))


def test_a_colleague_is_invited_joins_and_resets_the_password(browser, server_url, browser_data_dir):
    email = f"clerk-{uuid.uuid4().hex[:8]}@example.kr"

    admin = context_for(browser, server_url, 1280, "en").new_page()
    admin.goto("/login")
    admin.fill("#field-email", "buyer2@demo.kr")
    admin.fill("#field-password", PASSWORD)
    submit(admin, "/login")
    admin.goto("/account")
    navigate(admin, admin.locator("main a[href='/organisation/users']"))
    expect(admin.locator("h1")).to_have_text("Our agency users")
    admin.fill("#field-email", email)
    submit(admin, "/organisation/users/invitations")
    expect(admin.locator(".dm-flashes")).to_contain_text("The invitation is sent by e-mail.")
    expect(admin.locator("main")).to_contain_text(email)  # waiting for an answer
    expect_accessible(admin, "en")
    admin.context.close()

    phone = context_for(browser, server_url, 375, "ko").new_page()
    phone.goto(queued_link(browser_data_dir, email))
    expect(phone.locator("h1")).to_have_text("한빛특별시에 가입")
    expect_accessible(phone, "ko")
    phone.fill("#field-name", "최주무관")
    phone.fill("#field-password", PASSWORD)
    phone.fill("#field-password_confirm", PASSWORD)
    submit(phone, phone.url.replace(server_url, ""))
    assert "/agency?notice=invitation_accepted" in phone.url, phone.url
    phone.context.clear_cookies()  # another day, signed out
    phone.context.add_cookies([{"name": "dm_lang", "value": "ko", "url": server_url}])

    phone.goto("/login")
    navigate(phone, phone.get_by_role("link", name="비밀번호를 잊으셨나요?"))
    phone.fill("#field-email", email)
    submit(phone, "/password-reset")
    expect(phone.locator("main")).to_contain_text("입력한 주소로 가입된 계정이 있으면")
    expect_accessible(phone, "ko")
    link = queued_link(browser_data_dir, email)
    assert link.startswith("/password-reset/"), link
    phone.goto(link)
    phone.fill("#field-password", NEW_PASSWORD)
    phone.fill("#field-password_confirm", NEW_PASSWORD)
    expect_accessible(phone, "ko")
    submit(phone, link)
    expect(phone.locator(".dm-flashes")).to_contain_text("새 비밀번호로 로그인하세요")
    phone.fill("#field-email", email)
    phone.fill("#field-password", NEW_PASSWORD)
    submit(phone, "/login")
    assert "/agency" in phone.url, phone.url
    phone.goto(link)  # the link worked once
    expect(phone.locator("main")).to_contain_text("이미 사용한 링크입니다.")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.context.close()
