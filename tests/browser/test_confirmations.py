"""Steps that cannot be undone in Chromium, pages only: the operator closes a committee round (Korean) and a
supplier removes a document (English). Each button on the object's page leads to a confirmation page that
says what will happen and what cannot be undone; it reads well at 1280 and 375 pixels, axe finds nothing
serious, and its own button (a plain form post) takes the step."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages_journey import axe_problems
from tests.browser.selection_journey import PDF, Journey, navigate, tick, today_in_korea

pytestmark = pytest.mark.browser


def check_confirmation(page: Page, lang: str) -> None:
    """The page asks before the step: its parts are there, in the reader's language, at both widths."""
    assert page.locator("html").get_attribute("lang") == lang
    expect(page.locator("#happens-heading")).to_be_visible()
    expect(page.locator("#irreversible")).to_be_visible()
    narrow = page.context.new_page()  # as a phone loads it: the same address at 375 pixels
    narrow.set_viewport_size({"width": 375, "height": 800})
    narrow.goto(page.url)
    for view in (page, narrow):
        problems = axe_problems(view)
        assert not problems, f"{view.url} at {view.viewport_size['width']}px:\n" + "\n".join(problems)
        assert view.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, view.viewport_size
    narrow.close()


def test_closing_a_round_and_removing_a_document_are_asked_first(browser, server_url):
    journey = Journey(browser, server_url, None)

    # The operator: an extra round meeting today (so it may close), then closing it through its page.
    operator = journey.as_user("operator@demo.kr")
    operator.goto("/operator/rounds")
    tick(operator, "input[name=kind][value=extra]")
    operator.fill("#field-meeting_date", today_in_korea().isoformat())
    for box in operator.locator("input[name=member_ids]").all():
        tick(operator, f"#{box.get_attribute('id')}")
    journey.post(operator, "/operator/rounds")
    journey.expect_no_errors(operator)
    links = operator.locator("table a[href^='/operator/rounds/']").all()
    round_id = max(int(a.get_attribute("href").rsplit("/", 1)[1]) for a in links)
    operator.goto(f"/operator/rounds/{round_id}")
    navigate(operator, operator.locator(f"main a[href='/operator/rounds/{round_id}/close']"))
    expect(operator.locator("h1")).to_contain_text("마감할까요?")
    expect(operator.locator("#irreversible")).to_contain_text("마감하면 되돌릴 수 없습니다")
    check_confirmation(operator, "ko")
    navigate(operator, operator.locator("main .dm-confirm-form a"))  # 취소 changes nothing
    assert operator.url.endswith(f"/operator/rounds/{round_id}")
    navigate(operator, operator.locator(f"main a[href='/operator/rounds/{round_id}/close']"))
    navigate(operator, operator.locator(f"form[action='/operator/rounds/{round_id}/close'] button[type=submit]"))
    assert operator.url.endswith("?notice=round_closed"), operator.url
    expect(operator.locator("main a[href$='/close']")).to_have_count(0)
    operator.context.close()

    # The supplier, in English: a file attached to its draft, then removed through the confirmation page.
    english = Journey(browser, server_url, None, lang="en")
    supplier = english.as_user("supplier@demo.kr")
    supplier.goto("/supplier/applications")
    draft = supplier.locator("main a[href^='/supplier/applications/']", has_text="가상 민원 분석 BI").first
    application = draft.get_attribute("href").split("/")[3]
    supplier.goto(f"/supplier/applications/{application}/steps/4")
    upload = supplier.locator("form.dm-upload-form").first
    upload.locator("input[type=file]").set_input_files(
        {"name": "sla.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    navigate(supplier, upload.locator("button[type=submit]"))
    english.expect_no_errors(supplier)
    remove = supplier.locator("main a[href$='/remove']")
    expect(remove).to_have_count(1)
    navigate(supplier, remove)
    expect(supplier.locator("h1")).to_have_text("Remove this document?")
    expect(supplier.locator("main")).to_contain_text("sla.pdf is removed from the application.")
    check_confirmation(supplier, "en")
    navigate(supplier, supplier.locator("form[action$='/remove'] button[type=submit]"))
    assert "notice=document_removed" in supplier.url, supplier.url
    expect(supplier.locator("main a[href$='/remove']")).to_have_count(0)
    supplier.context.close()
    assert not journey.errors and not english.errors, journey.errors + english.errors
