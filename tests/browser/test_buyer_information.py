"""What a buyer and the operator read, on the demo data: a published service offers its public documents
(서비스 설명서, SLA, 요금표), the SLA downloads after logging in; the operator reads the supplier's reply to a
supplement request and the replaced SLA. At 1280 pixels in Korean and at 375 in English, axe-clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.pages_journey import axe_problems
from tests.browser.selection_journey import PASSWORD, navigate

pytestmark = pytest.mark.browser
PRIVATE_FILES = ("사업자등록증.pdf", "신용평가등급확인서.pdf", "CSAP 인증서.pdf")


def _log_in(page, email: str) -> None:
    page.fill("#field-email", email)
    page.fill("#field-password", PASSWORD)


def _supplement_page(page) -> None:
    """The operator's page of the demo application waiting for its supplement (가상 보안관제 서비스)."""
    page.goto("/operator/applications?state=supplement_requested")
    navigate(page, page.get_by_role("link", name="가상 보안관제 서비스").first)
    expect(page.locator("#supplements-heading")).to_be_visible()


def test_buyer_documents_and_supplement_changes(browser, server_url):
    listed = browser.new_context(base_url=server_url).request.get("/api/v1/services?per_page=1").json()
    code = listed["items"][0]["code"]

    # 1280 px, Korean: the service page lists the public documents only; the SLA asks for a log-in first.
    context = browser.new_context(base_url=server_url, viewport={"width": 1280, "height": 900}, locale="ko-KR")
    page = context.new_page()
    page.goto(f"/services/{code}")
    documents = page.locator("#documents")
    expect(documents.locator("a")).to_have_count(3)
    assert not any(name in page.content() for name in PRIVATE_FILES)
    assert axe_problems(page) == []
    navigate(page, documents.locator(f"a[href='/services/{code}/documents/sla']"))
    assert "/login?next=" in page.url, page.url
    _log_in(page, "buyer@demo.kr")
    with page.expect_download() as download:
        page.locator("form[action='/login'] button[type=submit]").press("Enter")
    assert download.value.suggested_filename == "SLA 서비스수준협약서.pdf"
    context.close()

    context = browser.new_context(base_url=server_url, viewport={"width": 1280, "height": 900}, locale="ko-KR")
    page = context.new_page()
    page.goto("/login")
    _log_in(page, "operator@demo.kr")
    navigate(page, page.locator("form[action='/login'] button[type=submit]"))
    _supplement_page(page)
    changes = page.locator("#supplements")
    expect(changes).to_contain_text("요금표 단가는 신청서와 맞추는 중입니다.")
    expect(changes.locator("tr", has_text="SLA 서비스수준협약서(장애 대응 시간 추가).pdf")).to_contain_text("교체")
    assert axe_problems(page) == []
    context.close()

    # 375 px, English: the same pages fit the phone and read in English.
    context = browser.new_context(base_url=server_url, viewport={"width": 375, "height": 812}, is_mobile=True)
    context.add_cookies([{"name": "dm_lang", "value": "en", "url": server_url}])
    page = context.new_page()
    page.goto(f"/services/{code}")
    expect(page.locator("#documents-heading")).to_have_text("Documents of the service")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert axe_problems(page) == []
    page.goto("/login")
    _log_in(page, "operator@demo.kr")
    navigate(page, page.locator("form[action='/login'] button[type=submit]"))
    _supplement_page(page)
    expect(page.locator("#supplements")).to_contain_text("Replaced")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert axe_problems(page) == []
    context.close()
