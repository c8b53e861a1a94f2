"""The agency's main path with the keyboard alone: log in, the catalog from the main menu, a search, a
filter, three services ticked for comparison, the comparison and the quote request, refused and then
sent. Only Tab, Shift+Tab, Enter, Space and typing; no click. Every element that takes the focus on the
way shows it (an outline or a shadow, on itself or, for KRDS's check boxes, on the label that draws the
box). A refused form moves the focus to its error summary, links each message to its field, and marks
each field invalid with its message next to it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from digitalmarket.core.clock import today_kst
from tests.browser.conftest import screenshot
from tests.browser.selection_journey import PASSWORD

pytestmark = pytest.mark.browser

QUERY = "메신저 회의"

# Whether the focused element matches, and whether its focus can be seen.
_FOCUS = """(selector) => {
  const element = document.activeElement;
  if (!element || element === document.body) return {matches: false, visible: true, what: 'body'};
  const shows = (style) => (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
    || (style.boxShadow && style.boxShadow !== 'none');
  let visible = shows(getComputedStyle(element));
  for (const label of (element.labels || [])) {
    for (const pseudo of [null, '::before', '::after']) visible = visible || shows(getComputedStyle(label, pseudo));
  }
  return {matches: element.matches(selector), visible, what: element.outerHTML.slice(0, 160)};
}"""


def tab_to(page: Page, selector: str, *, limit: int = 400, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the focus is on an element matching the selector; every element
    focused on the way must show its focus."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        focus = page.evaluate(_FOCUS, selector)
        assert focus["visible"], f"{page.url}: the focus is not visible on {focus['what']}"
        if focus["matches"]:
            return
    raise AssertionError(f"{page.url}: {selector} never got the focus in {limit} presses of Tab")


def press(page: Page, key: str = "Enter") -> None:
    """Press a key that follows a link or submits a form, and wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def test_search_filter_compare_and_ask_for_quotes_with_the_keyboard(page):
    page.goto("/login")
    tab_to(page, "#field-email")
    page.keyboard.type("buyer@demo.kr")
    tab_to(page, "#field-password")
    page.keyboard.type(PASSWORD)
    press(page)
    assert page.url.endswith("/agency"), page.url

    # The skip link comes first and takes the reader to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main-content"

    tab_to(page, "nav.krds-main-menu a[href='/services']")
    press(page)
    tab_to(page, "#field-q")
    page.keyboard.type(QUERY)
    press(page)
    assert "q=" in page.url, page.url
    tab_to(page, "aside a[href*='type=SaaS']")
    press(page)
    assert "type=SaaS" in page.url, page.url

    boxes = page.locator("ol.dm-results input[name=codes]")
    for index in range(3):
        tab_to(page, f"ol.dm-results > li:nth-child({index + 1}) input[name=codes]")
        page.keyboard.press("Space")
        expect(boxes.nth(index)).to_be_checked()
    tab_to(page, "#compare-form button[type=submit]")
    press(page)
    assert page.url.count("codes=") == 3, page.url
    expect(page.locator("table thead .dm-compare-name")).to_have_count(3)

    tab_to(page, "form[action='/agency/quote-requests/new'] button[type=submit]")
    press(page)
    assert "/agency/quote-requests/new" in page.url, page.url

    # Sent without a title or dates: refused, the summary has the focus, each message sits by its field.
    tab_to(page, "form[action='/agency/quote-requests/new'] button[type=submit]")
    with page.expect_response(lambda response: response.request.method == "POST") as response:
        press(page)
    assert response.value.status == 422
    summary = page.locator(".dm-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    screenshot(page, "keyboard-quote-request-errors")
    for name in ("title", "desired_start", "deadline"):
        field = page.locator(f"#field-{name}")
        expect(field).to_have_attribute("aria-invalid", "true")
        error = page.locator(f"#field-{name}-error")
        expect(error).to_be_visible()
        assert f"field-{name}-error" in field.get_attribute("aria-describedby").split()
        form_group = field.locator("xpath=ancestor::div[contains(@class, 'form-group')][1]")
        expect(form_group.locator(f"#field-{name}-error")).to_have_count(1)  # next to its field
        expect(summary.locator(f"a[href='#field-{name}']")).to_have_text(error.inner_text())

    # From the summary to the field with the keyboard, then fixed and sent.
    tab_to(page, ".dm-error-summary a[href='#field-title']")
    page.keyboard.press("Enter")
    expect(page.locator("#field-title")).to_be_focused()
    page.keyboard.type("키보드로 요청한 협업 도구")
    today = today_kst().isoformat()
    page.locator("#field-desired_start").fill(today)  # a date field takes its value typed, not picked
    page.locator("#field-deadline").fill(today)
    tab_to(page, "form[action='/agency/quote-requests/new'] button[type=submit]")
    press(page)
    assert "notice=request_sent" in page.url, page.url
    expect(page.locator("h1")).to_have_text("키보드로 요청한 협업 도구")
