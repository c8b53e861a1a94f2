"""Pages that work on any screen, at 375 pixels (a phone) and at 1280: on the quote request form every
quantity, months and price input lies inside the screen and the page never scrolls sideways; the
comparison of the quotes names the lowest offer inside the screen; the notice after sending carries a
check mark, not KRDS's warning triangle; the operator's application page and the statistics page open
with a table of contents whose links reach their sections; the officer's list of catalog contracts has
a dash (or the number) in its contract number column, dates on one line and its status pills inside
their cells. axe-core finds nothing serious on the way."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import Page, expect

from digitalmarket.core.clock import today_kst
from tests.browser.conftest import ARTIFACTS
from tests.browser.pages_journey import axe_problems
from tests.browser.selection_journey import navigate
from tests.browser.test_buying import GROUPWARE, MEETINGS, People

pytestmark = pytest.mark.browser
PHONE, DESKTOP = {"width": 375, "height": 812}, {"width": 1280, "height": 900}


def phone_page(page: Page, path: str, lang: str = "ko") -> Page:
    """A second tab of the same person at 375 pixels, in the language asked."""
    narrow = page.context.new_page()
    narrow.set_viewport_size(PHONE)
    narrow.goto(f"/lang/{lang}?next={quote(path, safe='/')}")
    return narrow


def fits(page: Page, name: str) -> None:
    """The page does not scroll sideways and axe finds nothing serious; a screenshot is kept."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    page.screenshot(path=str(ARTIFACTS / f"narrow-{name}-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name} scrolls sideways"
    problems = axe_problems(page)
    assert not problems, f"{name}:\n" + "\n".join(problems)


def inside(page: Page, locator) -> None:
    """Every element found lies within the screen's width."""
    width = page.viewport_size["width"]
    assert locator.count() > 0
    for element in locator.all():
        box = element.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (element.get_attribute("name"), box)


def codes(server_url: str, *names: str) -> list[str]:
    found = []
    for name in names:
        items = httpx.get(f"{server_url}/api/v1/services", params={"q": name}, timeout=120).json()["items"]
        found.append(next(item["code"] for item in items if item["name"] == name))
    return found


def answer(people: People, email: str, title: str, price: int, *, narrow: bool) -> None:
    """The supplier answers the quote with one unit price on every line (on a phone when narrow)."""
    page = people.page(email)
    page.goto("/supplier/quotes")
    href = page.locator("main a[href^='/supplier/quotes/']", has_text=title).first.get_attribute("href")
    if narrow:
        page = phone_page(page, href)
        inside(page, page.locator("input[name^='price-'], input[name^='months-']"))
        fits(page, "quote-answer")
    else:
        page.goto(href)
    for field in page.locator("input[name^='price-']").all():
        field.fill(str(price))
    page.fill("#field-valid_until", (today_kst() + timedelta(days=30)).isoformat())
    navigate(page, page.locator("form[action$='/answer'] button[type=submit]").first)
    expect(page.locator(".dm-error-summary")).to_have_count(0)


def test_a_quote_is_asked_answered_and_compared_on_a_phone(browser, server_url):
    people = People(browser, server_url)
    title = f"휴대폰으로 보낸 견적요청 {int(time.time() * 1000) % 1_000_000}"
    today = today_kst().isoformat()
    asked = "&".join(f"codes={code}" for code in codes(server_url, GROUPWARE, MEETINGS))

    # The form at 375 pixels: every input inside the screen, each cell labelled.
    phone = phone_page(people.page("buyer@demo.kr"), f"/agency/quote-requests/new?{asked}")
    inside(phone, phone.locator("input[name$='-quantity'], input[name$='-months']"))
    expect(phone.locator("td[data-label='수량']").first).to_be_visible()
    fits(phone, "quote-request")
    phone.fill("#field-title", title)
    phone.fill("#field-desired_start", today)
    phone.fill("#field-deadline", today)
    for index in range(2):
        phone.fill(f"#field-s{index}-p0-quantity", "10")
        phone.fill(f"#field-s{index}-p0-months", "12")
    navigate(phone, phone.locator("form[action='/agency/quote-requests/new'] button[type=submit]"))
    assert re.search(r"/agency/quote-requests/\d+\?notice=request_sent$", phone.url), phone.url
    request_path = phone.url.split(server_url, 1)[1].split("?")[0]

    # The success notice: a check mark, not the warning triangle KRDS draws for "ok".
    icon = phone.locator(".dm-flashes .critical-badge.ok").evaluate(
        "badge => getComputedStyle(badge, '::before').backgroundImage"
    )
    assert "ico_success_fill" in icon and "urgent_badge_ok" not in icon, icon

    answer(people, "supplier@demo.kr", title, 8_000, narrow=True)
    answer(people, "supplier2@demo.kr", title, 140_000, narrow=False)

    # The comparison at 375 pixels, in English: the lowest offer named and marked inside the screen.
    buyer = people.page("buyer@demo.kr")
    phone = phone_page(buyer, request_path, "en")
    lowest = phone.locator("#lowest-offer")
    expect(lowest).to_contain_text(GROUPWARE)
    expect(lowest).to_contain_text("Lowest")
    inside(phone, lowest)
    inside(phone, phone.locator("tr.dm-quote-total td .krds-badge"))
    fits(phone, "quote-comparison")

    # At 1280 pixels the comparison stays a table, the lowest total marked in its row.
    buyer.goto(request_path)
    expect(buyer.locator("tr.dm-quote-total td", has=buyer.locator(".krds-badge"))).to_have_count(1)
    fits(buyer, "quote-comparison")
    assert not people.errors, people.errors


def toc_reaches_its_sections(page: Page, name: str) -> None:
    links = page.locator("nav.dm-toc a")
    assert links.count() >= 4, name
    for href in [link.get_attribute("href") for link in links.all()]:
        assert page.locator(href).count() == 1, f"{name}: {href} leads nowhere"
    last = links.last
    target = page.locator(last.get_attribute("href"))
    # A reader who asked for less motion jumps to the section at once (app.css); KRDS's smooth scrolling of
    # a long page can stop short in headless Chromium.
    page.emulate_media(reduced_motion="reduce")
    # from the keyboard: a click can land beside a link while the page settles. KRDS's script, once loaded,
    # may move the focus (as it does for the mobile menu): the Enter goes to the link once it holds the focus.
    page.wait_for_load_state("load")
    last.focus()
    expect(last).to_be_focused()
    page.keyboard.press("Enter")
    expect(target).to_be_in_viewport()
    assert page.url.endswith(last.get_attribute("href"))


def one_line(cell) -> bool:
    return (
        cell.evaluate(
            "td => { const r = document.createRange(); r.selectNodeContents(td); return r.getClientRects().length; }"
        )
        == 1
    )


def test_long_pages_have_a_table_of_contents_and_the_officers_list_reads_well(browser, server_url):
    people = People(browser, server_url)
    for viewport, lang in ((PHONE, "ko"), (DESKTOP, "en")):
        public = browser.new_page(base_url=server_url, viewport=viewport)
        public.goto(f"/lang/{lang}?next=/statistics")
        toc_reaches_its_sections(public, "statistics")
        fits(public, "statistics")
        public.close()

    operator = people.page("operator@demo.kr")
    operator.goto("/operator/applications")
    href = operator.locator("main table a[href^='/operator/applications/']").first.get_attribute("href")
    phone = phone_page(operator, href)
    toc_reaches_its_sections(phone, "operator application")
    fits(phone, "operator-application")

    # A supplier applies for a catalog contract; the officer's list shows it without a contract number.
    supplier = people.page("supplier@demo.kr")
    (code,) = codes(server_url, GROUPWARE)
    supplier.goto(f"/supplier/catalog-contracts/new?service={code}")
    navigate(supplier, supplier.locator("form[action$='/supplier/catalog-contracts/new'] button[type=submit]"))
    assert re.search(r"/supplier/catalog-contracts/\d+", supplier.url), supplier.url
    officer = people.page("officer@demo.kr")
    officer.goto("/officer/catalog-contracts")
    row = officer.locator("table tbody tr").filter(has=officer.get_by_role("link", name=GROUPWARE, exact=True))
    expect(row).to_have_count(1)
    cells = row.locator("td")
    expect(cells.first).to_have_text(re.compile(r"^-|^CC-\d{4}-\d{5}$"))
    expect(row).not_to_contain_text("선정 신청")
    for index in (4, 5, 6):  # contract period, applied, last change
        assert one_line(cells.nth(index)), cells.nth(index).inner_text()
    badge = cells.nth(3).locator(".krds-badge")
    assert badge.evaluate("b => b.scrollWidth <= b.clientWidth && b.scrollHeight <= b.clientHeight + 1")
    fits(officer, "officer-list")
    phone = phone_page(officer, "/officer/catalog-contracts")
    fits(phone, "officer-list")
    assert not people.errors, people.errors
