"""Notifications from the header on a desktop (1280 px, Korean) and on a phone (375 px, English): the
unread count leads to the list, the new ones stay marked, and "mark all as read" clears them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.pages_journey import axe_problems
from tests.browser.selection_journey import PASSWORD, navigate

pytestmark = pytest.mark.browser


def _context(browser, server_url, width: int, locale: str):
    phone = width < 600
    return browser.new_context(
        base_url=server_url,
        viewport={"width": width, "height": 812 if phone else 900},
        locale="ko-KR" if locale == "ko" else "en-GB",
        is_mobile=phone,
        has_touch=phone,
    )


def _log_in(page, email: str, locale: str) -> None:
    page.goto("/login")
    page.fill("#field-email", email)
    page.fill("#field-password", PASSWORD)
    navigate(page, page.locator("form[action='/login'] button[type=submit]"))
    assert "/login" not in page.url, f"log-in failed for {email}"
    if locale == "en":
        page.goto("/lang/en?next=/")


def _supplier_asks(browser, server_url, subject: str) -> None:
    """A supplier writes to the help desk: every operator is notified."""
    context = _context(browser, server_url, 1280, "ko")
    page = context.new_page()
    _log_in(page, "supplier@demo.kr", "ko")
    page.goto("/help/inquiries/new")
    page.select_option("#field-category", index=1)
    page.fill("#field-subject", subject)
    page.fill("#field-body", "계약서 사본을 다시 받을 수 있나요?")
    navigate(page, page.locator("form[action='/help/inquiries/new'] button[type=submit]"))
    context.close()


@pytest.mark.parametrize(("width", "locale"), [(1280, "ko"), (375, "en")], ids=["desktop-ko", "phone-en"])
def test_the_operator_opens_notifications_from_the_header_and_marks_all_read(browser, server_url, width, locale):
    subject = f"계약서 사본 문의 {width}"
    _supplier_asks(browser, server_url, subject)
    context = _context(browser, server_url, width, locale)
    page = context.new_page()
    _log_in(page, "operator@demo.kr", locale)
    page.goto("/operator")

    # the header's notifications link, visible at this width, with the unread count
    link = page.locator("#krds-header a[href='/notifications']:visible")
    expect(link).to_have_count(1)
    expect(link.locator(".krds-badge")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    navigate(page, link)

    new_label, mark_all = ("새 알림", "모두 읽음으로 표시") if locale == "ko" else ("New", "Mark all as read")
    item = page.locator(".dm-notification.is-unread", has_text=subject)
    expect(item).to_have_count(1)
    expect(item.get_by_text(new_label, exact=True)).to_be_visible()
    expect(item.locator("time")).to_have_text(re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d KST$"))
    assert not axe_problems(page), axe_problems(page)

    navigate(page, page.get_by_role("button", name=mark_all))
    expect(page.locator(".dm-notification.is-unread")).to_have_count(0)
    expect(page.locator("#krds-header .krds-badge.bg-danger")).to_have_count(0)
    expect(page.locator(".critical-txt")).to_be_visible()

    # the notification still leads to the inquiry it is about
    navigate(page, page.locator(".dm-notification", has_text=subject).get_by_role("link"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(subject)
    context.close()
