"""Sign up, log in as every role, switch language: in Chromium, through the pages only."""

import pytest

from tests.browser.conftest import screenshot
from tests.helpers import DEMO_EMAILS

pytestmark = pytest.mark.browser

WORKSPACES = {
    "supplier": ("/supplier", "공급기업"),
    "agency_buyer": ("/agency", "수요기관"),
    "operator": ("/operator", "운영기관"),
    "reviewer": ("/reviewer", "심사위원"),
    "contracting_officer": ("/officer", "계약관"),
    "admin": ("/admin", "관리"),
}


def _log_in(page, email, password="demo-pass-2026"):
    page.goto("/login")
    page.get_by_label("이메일").fill(email)
    page.get_by_label("비밀번호").fill(password)
    page.get_by_role("button", name="로그인").press("Enter")


def test_home_page(page):
    page.goto("/")
    assert page.locator("h1").first.is_visible()
    assert "디지털서비스 마켓" in page.title()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "home")
    assert page.console_errors == []


def test_a_company_signs_up(page):
    page.goto("/signup")
    screenshot(page, "signup")
    page.get_by_label("사업자등록번호").fill("211-87-45909")
    page.get_by_label("회사명").fill("(주)브라우저클라우드")
    page.get_by_label("대표자").fill("장브라")
    page.get_by_label("기업 규모").select_option("sme")
    page.get_by_label("이름", exact=True).fill("장브라")
    page.get_by_label("이메일").fill("jang@browser-cloud.kr")
    page.get_by_label("비밀번호", exact=True).fill("browser-pass-1")
    page.get_by_label("비밀번호 확인").fill("browser-pass-1")
    page.get_by_role("button", name="가입").press("Enter")
    status = page.locator("main [role=status]")
    status.wait_for()
    assert "jang@browser-cloud.kr" in status.inner_text()  # the confirmation link went out; nothing else yet
    screenshot(page, "signup-mail-sent")


def test_sign_up_errors_are_next_to_the_fields(page):
    page.goto("/signup")
    page.get_by_label("사업자등록번호").fill("123-45-67890")
    page.get_by_role("button", name="가입").press("Enter")
    field = page.locator("#field-business_number")
    assert field.get_attribute("aria-invalid") == "true"
    assert page.locator("[role=alert]").first.is_visible()
    screenshot(page, "signup-errors")


@pytest.mark.parametrize("role", list(WORKSPACES))
def test_each_role_sees_its_landing_page(page, role):
    path, word = WORKSPACES[role]
    _log_in(page, DEMO_EMAILS[role])
    page.wait_for_url(f"**{path}")
    assert word in page.locator("main").inner_text()
    screenshot(page, f"workspace-{role}")
    page.goto("/account")
    assert DEMO_EMAILS[role] in page.content()
    assert page.console_errors == []  # nothing blocked by the CSP, nothing fetched from elsewhere


def test_switch_to_english(page):
    page.goto("/")
    page.get_by_role("link", name="English").first.press("Enter")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Digital Service Market" in page.content()
    screenshot(page, "home-en")
    page.goto("/login")
    page.get_by_label("E-mail address").fill("nobody@demo.kr")
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Sign in").press("Enter")
    assert "not correct" in page.content()
    screenshot(page, "login-error-en")


def test_mobile_home_has_no_horizontal_scroll(browser, server_url):
    context = browser.new_context(base_url=server_url, viewport={"width": 375, "height": 812}, locale="ko-KR")
    page = context.new_page()
    page.goto("/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "home-mobile")
    context.close()
