"""On a phone (375 x 812): no page scrolls sideways, and the KRDS mobile menu ("전체메뉴") opens, lists
the main menu and the account links, and its links work. The pages of the whole journey are checked at
375 pixels as well, in test_full_journey.py."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.selection_journey import PASSWORD, navigate
from tests.browser.test_accessibility import PAGES

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 812}


@pytest.fixture
def phone(browser, server_url):
    context = browser.new_context(base_url=server_url, viewport=PHONE, locale="ko-KR", is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


def log_in(page, email: str) -> None:
    page.goto("/login")
    page.fill("#field-email", email)
    page.fill("#field-password", PASSWORD)
    navigate(page, page.locator("form[action='/login'] button[type=submit]"))
    assert "/login" not in page.url, f"log-in failed for {email}"


def too_wide(page, path: str) -> list[str]:
    page.goto(path)
    width = page.evaluate("document.documentElement.scrollWidth")
    return [] if width <= PHONE["width"] else [f"{page.url} is {width}px wide"]


@pytest.mark.parametrize("who", list(PAGES), ids=lambda who: (who or "public").split("@")[0])
def test_no_page_scrolls_sideways(phone, who):
    if who:
        log_in(phone, who)
    found: list[str] = []
    for path, link in PAGES[who]:
        found += too_wide(phone, path)
        if link:
            found += too_wide(phone, phone.locator(link).first.get_attribute("href"))
    assert not found, "\n".join(found)


def open_menu(page):
    """Open the mobile menu and wait until it has finished opening: at the end of its slide-in, KRDS moves
    the focus to the menu and makes the page behind it inert, so a link focused before then loses the focus
    and a key pressed on it lands elsewhere (on a loaded machine the slide-in ends late)."""
    panel = page.locator("#mobile-nav")
    expect(panel).to_be_hidden()
    page.locator("#mobile-nav-open").click()
    expect(panel).to_be_visible()
    expect(page.locator("#krds-header .header-in")).to_have_attribute("inert", "")
    return panel


def test_the_mobile_menu_opens_and_its_links_work(phone):
    phone.goto("/")
    expect(phone.locator("nav.krds-main-menu")).to_be_hidden()  # the desktop menu bar is folded away
    opener = phone.locator("#mobile-nav-open")
    expect(opener).to_be_visible()
    expect(opener).to_have_text("전체메뉴")
    panel = open_menu(phone)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "mobile-menu-375.png"))
    expect(panel.get_by_role("link", name="로그인")).to_be_visible()
    menu = panel.locator("#mobile-gnb-main a")
    assert menu.count() >= 3
    navigate(phone, panel.locator("#mobile-gnb-main a[href='/services']"))
    assert phone.url.endswith("/services"), phone.url
    expect(phone.locator("h1")).to_have_text("디지털서비스")
    expect(phone.locator("#mobile-nav")).to_be_hidden()

    # The menu closes again with its close button.
    panel = open_menu(phone)
    panel.locator("#close-nav").click()
    expect(panel).to_be_hidden()

    # Signed in: the workspace and the account are in the menu too.
    log_in(phone, "buyer@demo.kr")
    panel = open_menu(phone)
    expect(panel.locator("a[href='/agency']")).to_be_visible()
    navigate(phone, panel.locator("a[href='/account']"))
    assert phone.url.endswith("/account"), phone.url
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
