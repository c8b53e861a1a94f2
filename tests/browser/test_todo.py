"""What waits for the agency's buyer, in the browser: an inquiry answered by the operator shows on the
agency workspace as a counted group linking to it, at 1280 pixels in Korean and at 375 in English, with
no serious accessibility problem and nothing scrolling sideways; the operator found the inquiry in the
same way, and the home page leads the buyer to it."""

from __future__ import annotations

import random
import re

import pytest
from playwright.sync_api import expect

from tests.browser.pages_journey import expect_accessible
from tests.browser.selection_journey import PASSWORD, navigate

pytestmark = pytest.mark.browser


def signed_in(browser, server_url, email: str, width: int = 1280):
    context = browser.new_context(base_url=server_url, viewport={"width": width, "height": 900}, locale="ko-KR")
    page = context.new_page()
    page.goto("/login")
    page.fill("#field-email", email)
    page.fill("#field-password", PASSWORD)
    navigate(page, page.locator("form[action='/login'] button[type=submit]"))
    return page


def test_an_answered_inquiry_waits_on_the_agency_workspace(browser, server_url):
    subject = f"청구서 검수 기한 문의 {random.randint(1000, 9999)}"
    buyer = signed_in(browser, server_url, "buyer@demo.kr")
    buyer.goto("/help/inquiries/new")
    buyer.fill("#field-subject", subject)
    buyer.select_option("#field-category", "payment")
    buyer.fill("#field-body", "검수는 며칠 안에 해야 하나요?")
    navigate(buyer, buyer.locator("form[action='/help/inquiries/new'] button[type=submit]"))
    inquiry = re.search(r"/help/inquiries/(\d+)", buyer.url).group(1)

    operator = signed_in(browser, server_url, "operator@demo.kr")
    operator.goto("/operator")
    waiting = operator.locator("#todo-inquiries_to_answer")
    expect(waiting.locator(".dm-todo-count")).to_have_text(re.compile(r"^\d+건$"))
    link = waiting.locator(f"a[href='/operator/inquiries/{inquiry}']")
    if link.count() == 0:  # more than five wait: the full queue has it
        navigate(operator, waiting.locator(".dm-todo-more a"))
        link = operator.locator(f"a[href='/operator/inquiries/{inquiry}']")
    navigate(operator, link.first)
    operator.fill("#field-body", "수요기관은 청구를 받은 날부터 검수합니다.")
    navigate(operator, operator.locator(f"form[action='/operator/inquiries/{inquiry}/answer'] button[type=submit]"))
    operator.context.close()

    buyer.goto("/agency")
    group = buyer.locator("#todo-inquiries_answered")
    expect(group.locator("h3 a")).to_have_text("내 문의에 온 답변")
    expect(group.locator(".dm-todo-count")).to_have_text(re.compile(r"^\d+건$"))
    expect(group.locator(f"a[href='/help/inquiries/{inquiry}']")).to_contain_text(subject)
    expect(buyer.locator("#todo-heading")).to_have_text("나의 할 일")
    expect_accessible(buyer, "ko")

    # a phone, in English: the same group, nothing wider than the screen; the home page leads to it
    buyer.set_viewport_size({"width": 375, "height": 812})
    buyer.goto("/lang/en?next=/agency")  # what the language link in the phone's menu does
    assert buyer.url.endswith("/agency"), buyer.url
    expect(group.locator("h3 a")).to_have_text("Answers to your inquiries")
    expect(group.locator(".dm-todo-count")).to_have_text(re.compile(r"^\d+ waiting$"))
    expect(group.locator(f"a[href='/help/inquiries/{inquiry}']")).to_be_visible()
    assert buyer.evaluate("document.documentElement.scrollWidth") <= 375
    expect_accessible(buyer, "en")
    buyer.goto("/")
    expect(buyer.locator("form[role='search'][action='/services'] input[name='q']")).to_be_visible()
    navigate(buyer, buyer.locator("a[href='/agency#todo-inquiries_answered']"))
    expect(buyer.locator("#todo-inquiries_answered")).to_be_visible()
    buyer.context.close()
