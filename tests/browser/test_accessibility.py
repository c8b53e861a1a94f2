"""Every page type passes axe-core with no serious or critical violation, for each role that sees it.

The pages of one object (an application, a round, a service ...) are reached by following the first link
of their list, on the demo data; a notice, an inquiry and a demand notice are first written through their
forms. The pages of the later steps (catalog contract, quotes, orders, invoices, reviews) are checked
along the whole journey (test_full_journey.py), where they are made.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.pages_journey import axe_problems, path_of
from tests.browser.selection_journey import PASSWORD, navigate

pytestmark = pytest.mark.browser

# (path, link): the path, then with a link selector the first page it links to as well.
PAGES: dict[str | None, list[tuple[str, str | None]]] = {
    None: [
        ("/", None),
        ("/login", None),
        ("/signup", None),
        ("/services", "ol.dm-results h3 a"),
        ("/services?q=화상+회의&type=SaaS", None),
        ("/help", None),
        ("/notices", None),
        ("/demand-notices", None),
        ("/terms", None),
        ("/privacy", None),
        ("/no-such-page", None),
        ("/orders/999999", None),  # not signed in: the log-in page or its refusal
    ],
    "supplier@demo.kr": [
        ("/supplier", None),
        ("/supplier/applications", "main a[href^='/supplier/applications/']:not([href$='/new'])"),
        ("/supplier/applications/new", None),
        ("/supplier/catalog-contracts", None),
        ("/supplier/quotes", None),
        ("/supplier/orders", None),
        ("/supplier/invoices", None),
        ("/supplier/demand-notices", None),
        ("/supplier/profile", None),
        ("/organisation/webhooks", None),
        ("/help/inquiries", None),
        ("/help/inquiries/new", None),
        ("/account", None),
        ("/account/notifications", None),
        ("/notifications", None),
        ("/operator", None),  # another role's page: refused
    ],
    "buyer@demo.kr": [
        ("/agency", None),
        ("/agency/quote-requests", None),
        ("/agency/orders", None),
        ("/agency/invoices", None),
        ("/agency/demand-notices", None),
        ("/agency/demand-notices/new", None),
        ("/agency/profile", None),
    ],
    "operator@demo.kr": [
        ("/operator", None),
        ("/operator/applications", "table a[href^='/operator/applications/']"),
        ("/operator/rounds", "table a[href^='/operator/rounds/']"),
        ("/operator/inquiries", None),
        ("/operator/faq", None),
        ("/operator/faq/new", None),
        ("/operator/notices", None),
        ("/operator/notices/new", None),
        ("/operator/overdue-invoices", None),
        ("/organisations", "main a[href^='/organisations/']"),
    ],
    "reviewer@demo.kr": [
        ("/reviewer", None),
        ("/reviewer/rounds", "main a[href^='/reviewer/rounds/']"),
    ],
    "officer@demo.kr": [
        ("/officer", None),
        ("/officer/catalog-contracts", None),
    ],
    "admin@demo.kr": [
        ("/admin", None),
    ],
}


def log_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.fill("#field-email", email)
    page.fill("#field-password", PASSWORD)
    navigate(page, page.locator("form[action='/login'] button[type=submit]"))
    assert "/login" not in page.url, f"log-in failed for {email}"


def write_notice(page: Page) -> list[str]:
    """The operator writes and publishes a notice: its edit page and its public page."""
    page.goto("/operator/notices/new")
    page.fill("#field-title", "시스템 점검 안내")
    page.fill("#field-body", "토요일 02:00부터 04:00까지 시스템을 점검합니다.")
    navigate(page, page.locator("form[action='/operator/notices/new'] button[type=submit]"))
    notice_id = page.url.split("?")[0].rsplit("/", 1)[1]
    navigate(page, page.locator(f"form[action='/operator/notices/{notice_id}/publish'] button[type=submit]"))
    return [f"/operator/notices/{notice_id}", f"/notices/{notice_id}"]


def ask_inquiry(page: Page) -> list[str]:
    """A supplier asks the help desk: the inquiry's page."""
    page.goto("/help/inquiries/new")
    page.select_option("#field-category", index=1)
    page.fill("#field-subject", "카탈로그 계약 서류 문의")
    page.fill("#field-body", "선정 신청 때 낸 서류를 다시 내야 하나요?")
    navigate(page, page.locator("form[action='/help/inquiries/new'] button[type=submit]"))
    return [path_of(page.url.split("?")[0])]


def post_demand_notice(page: Page) -> list[str]:
    """An agency posts a demand notice: its public page."""
    page.goto("/agency/demand-notices/new")
    page.fill("#field-title", "전 직원 클라우드 그룹웨어")
    page.fill("#field-description", "직원 300명이 쓰는 그룹웨어를 내년에 도입합니다.")
    page.select_option("#field-category_id", index=1)
    page.fill("#field-budget_min", "30,000,000")
    page.fill("#field-budget_max", "50,000,000")
    page.fill("#field-expected_month", page.get_attribute("#field-expected_month", "min"))
    navigate(page, page.locator("form[action='/agency/demand-notices/new'] button[type=submit]"))
    return [path_of(page.url.split("?")[0])]


WRITES = {"operator@demo.kr": write_notice, "supplier@demo.kr": ask_inquiry, "buyer@demo.kr": post_demand_notice}


def problems_of(page: Page, path: str) -> list[str]:
    page.goto(path)
    assert page.locator("h1").count() >= 1, f"{path} has no h1"
    return [f"{page.url}: {problem}" for problem in axe_problems(page)]


@pytest.mark.parametrize("who", list(PAGES), ids=lambda who: (who or "public").split("@")[0])
def test_pages_have_no_serious_accessibility_problem(page, who):
    if who:
        log_in(page, who)
    found: list[str] = []
    for path, link in PAGES[who]:
        found += problems_of(page, path)
        if link:
            targets = page.locator(link)
            assert targets.count() > 0, f"{path}: nothing matches {link}"
            found += problems_of(page, targets.first.get_attribute("href"))
    if who in WRITES:
        for path in WRITES[who](page):
            assert page.locator(".dm-error-summary").count() == 0, page.locator(".dm-error-summary").inner_text()
            found += problems_of(page, path)
    if who is None:
        found += problems_of(page, "/services")
        codes = [a.get_attribute("href").rsplit("/", 1)[1] for a in page.locator("ol.dm-results h3 a").all()[:3]]
        found += problems_of(page, "/services/compare?" + "&".join(f"codes={code}" for code in codes))
        if page.request.get("/statistics").status == 200:
            found += problems_of(page, "/statistics")
    assert not found, "\n".join(found)


def test_english_pages_and_form_errors(page):
    page.goto("/")
    navigate(page, page.locator("a[hreflang=en]").first)
    assert page.locator("html").get_attribute("lang") == "en"
    found: list[str] = []
    for path in ("/", "/services?q=화상+회의", "/signup", "/help", "/no-such-page"):
        found += problems_of(page, path)
    # A refused sign-up: the summary at the top, each message next to its field.
    page.goto("/signup")
    page.fill("#field-business_number", "123-45-67890")
    navigate(page, page.locator("form[action='/signup'] button[type=submit]"))
    assert page.locator(".dm-error-summary").count() == 1
    found += [f"{page.url} (errors): {problem}" for problem in axe_problems(page)]
    # A refused log-in.
    page.goto("/login")
    page.fill("#field-email", "nobody@demo.kr")
    page.fill("#field-password", "wrong-password")
    navigate(page, page.locator("form[action='/login'] button[type=submit]"))
    found += [f"{page.url} (refused): {problem}" for problem in axe_problems(page)]
    assert not found, "\n".join(found)
