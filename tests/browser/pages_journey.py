"""The whole journey through the pages, for tests/browser/test_full_journey.py, and the checks every page
gets on the way: axe-core finds no serious or critical accessibility problem, the page is in the reader's
language, and (when screenshots are kept) it does not scroll sideways at 375 pixels.

From a company's sign-up to the agency's review: the selection steps come from `selection_journey.Journey`
(which this extends), then the catalog contract, the search, comparison and quotes, the order, usage,
inspection, payment and, on a server whose calendar is a month ahead, the review. Every step is a click on
a link or a form's button; every assertion is on URLs, form actions, ids and figures, so the same journey
runs in Korean and in English.
"""

from __future__ import annotations

import random
import re
import time
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from digitalmarket.accounts.rules import business_number_check_digit
from digitalmarket.core.clock import today_kst
from digitalmarket.core.database import Database
from digitalmarket.core.notifications import Notification
from tests.browser.selection_journey import PASSWORD, Journey, navigate, tick
from tests.browser.test_settlement import Server
from tests.helpers import EVIDENCE_PDF
from tests.settlement.settling import next_month

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")
GROUPWARE = "가상웍스 그룹웨어"  # (주)가상소프트, supplier@demo.kr
MEETINGS = "나래 화상회의"  # 클라우드나래 주식회사, supplier2@demo.kr
QUERY = "메신저 회의"
USERS, MONTHS = 20, 12

_AXE_RUN = """async (impacts) => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.filter(v => impacts.includes(v.impact)).map(v =>
    `${v.impact} ${v.id}: ${v.help} at ` + v.nodes.slice(0, 5).map(n => n.target.join(' ')).join(', '));
}"""


def axe_problems(page: Page, impacts=SERIOUS) -> list[str]:
    """axe-core's violations of the page as it is now, of the given impacts.

    The pages forbid inline scripts (CSP), so axe.min.js is evaluated through the browser's debugging
    channel rather than added as a <script>; it runs in the page all the same.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(_AXE_RUN, list(impacts))


def expect_accessible(page: Page, lang: str | None = None) -> None:
    problems = axe_problems(page)
    assert not problems, f"{page.url}:\n" + "\n".join(problems)
    if lang:
        assert page.locator("html").get_attribute("lang") == lang, page.url


def new_business_number() -> str:
    first = f"{random.randint(100, 999)}{random.randint(10, 99)}{random.randint(1000, 9999)}"
    return first + str(business_number_check_digit(first))


def mailed_link(data_dir: Path, email: str) -> str:
    """The link of the newest account e-mail queued for an address, as the server's outbox holds it."""
    db = Database(f"sqlite:///{data_dir / 'market.sqlite3'}")
    try:
        with db.reading() as session:
            query = select(Notification.link).where(Notification.to_email == email).order_by(Notification.id.desc())
            return session.scalars(query).first()
    finally:
        db.dispose()


def post(page: Page, action_suffix: str, *, button: str = "") -> None:
    """Submit the form whose action ends with the suffix; the next page has no error summary."""
    form = page.locator(f"form[action$='{action_suffix}']")
    target = form.locator("button[type=submit]", has_text=button) if button else form.locator("button[type=submit]")
    navigate(page, target.first)
    Journey.expect_no_errors(page)


class FullJourney(Journey):
    """`Journey` whose key pages are also checked with axe-core, in the journey's language."""

    checked: list[str]

    def __init__(self, browser: Browser, base: str, shots: Path | None, **kwargs) -> None:
        super().__init__(browser, base, shots, **kwargs)
        self.checked = []

    def shot(self, page: Page, name: str, *, fresh: bool = True) -> None:
        expect_accessible(page, self.lang)
        self.checked.append(name)
        super().shot(page, name, fresh=fresh)

    # --- a company signs up ------------------------------------------------------------------------------

    def company_signs_up(self, company: str, email: str, data_dir: Path) -> None:
        """The company signs up, follows the mailed link, sends its 사업자등록증명, and the operator approves."""
        page = self.as_user(None)
        page.goto("/")
        self.shot(page, "00-home")
        navigate(page, page.locator("#krds-header a[href='/signup']").first)
        self.shot(page, "00-signup")
        page.fill("#field-business_number", new_business_number())
        page.fill("#field-company_name", company)
        page.fill("#field-representative", "한누리")
        page.fill("#field-address", "서울특별시 가상구 누리가상로 5")  # contract documents print it
        page.select_option("#field-size", "sme")
        page.fill("#field-name", "한누리")
        page.fill("#field-email", email)
        page.fill("#field-password", PASSWORD)
        page.fill("#field-password_confirm", PASSWORD)
        navigate(page, page.locator("form[action='/signup'] button[type=submit]"))
        expect(page.locator("main [role=status]")).to_contain_text(email)  # a mail went out, nothing else yet
        page.goto(path_of(mailed_link(data_dir, email)))
        navigate(page, page.locator("form[action^='/signup/confirm/'] button[type=submit]"))
        assert "/supplier/profile?notice=signed_up" in page.url, page.url
        expect(page.locator("main")).to_contain_text(company)
        page.set_input_files(
            "#field-file", files=[{"name": "사업자등록증명.pdf", "mimeType": "application/pdf", "buffer": EVIDENCE_PDF}]
        )
        post(page, "/supplier/verification")
        page.context.close()
        operator = self.as_user("operator@demo.kr")
        operator.goto("/operator/company-reviews")
        review = operator.locator("section", has_text=company)
        navigate(operator, review.locator("form[action$='/approve'] button[type=submit]"))
        Journey.expect_no_errors(operator)
        operator.context.close()

    # --- the catalog contract ----------------------------------------------------------------------------

    def supplier_applies_for_catalog_contract(self, code: str) -> int:
        page = self.as_user(self.supplier)
        page.goto(f"/services/{code}")
        navigate(page, page.locator(f"#catalog-contract a[href='/supplier/catalog-contracts/new?service={code}']"))
        self.shot(page, "22-catalog-contract-apply")
        post(page, "/supplier/catalog-contracts/new")
        match = re.search(r"/supplier/catalog-contracts/(\d+)\?notice=applied$", page.url)
        assert match, page.url
        self.shot(page, "23-catalog-contract-applied")
        page.context.close()
        return int(match.group(1))

    def officer_contracts(self, contract_id: int, code: str) -> None:
        page = self.as_user("officer@demo.kr")
        page.goto("/officer")
        navigate(page, page.locator("main a[href^='/officer/catalog-contracts']").first)
        self.shot(page, "24-officer-queue")
        navigate(page, page.locator(f"a[href='/officer/catalog-contracts/{contract_id}']").first)
        post(page, "/start-review")
        self.shot(page, "25-officer-review")
        post(page, f"/officer/catalog-contracts/{contract_id}/contract")
        number = re.search(r"CC-\d{4}-\d{5}", page.locator("main").inner_text())
        assert number, page.locator("main").inner_text()
        page.goto(f"/services/{code}")
        expect(page.locator("#catalog-contract")).to_contain_text(number.group(0))
        page.context.close()

    # --- the agency searches, compares three services and asks them for quotes ----------------------------

    def agency_asks_quotes(self, name: str) -> str:
        page = self.as_user("buyer@demo.kr")
        page.goto("/")
        navigate(page, page.locator("nav.krds-main-menu a[href='/services']"))
        page.fill("#field-q", QUERY)
        navigate(page, page.get_by_role("search").locator("button[type=submit]").first)
        assert "q=" in page.url, page.url
        navigate(page, page.locator("aside a[href*='type=SaaS']").first)
        assert "type=SaaS" in page.url, page.url
        self.shot(page, "26-search-results")
        results = page.locator("ol.dm-results > li.dm-result")
        for service in (name, GROUPWARE, MEETINGS):
            result = results.filter(has=page.locator("h3", has_text=service))
            expect(result).to_have_count(1)
            tick(page, result.locator("input[name=codes]"))
        navigate(page, page.locator("#compare-form button[type=submit]").first)
        assert page.url.count("codes=") == 3, page.url
        expect(page.locator("table thead .dm-compare-name")).to_have_text([name, GROUPWARE, MEETINGS])
        self.shot(page, "27-comparison")
        navigate(page, page.locator("form[action='/agency/quote-requests/new'] button[type=submit]"))
        self.shot(page, "28-quote-request-new")
        today = today_kst().isoformat()
        page.fill("#field-title", f"본부 협업 도구 {self.lang}")
        page.fill("#field-requirements", "본부 직원 20명이 메신저와 화상회의를 씁니다.")
        page.fill("#field-desired_start", today)
        page.fill("#field-deadline", today)
        for index in range(3):
            page.fill(f"#field-s{index}-p0-quantity", str(USERS))
            page.fill(f"#field-s{index}-p0-months", str(MONTHS))
        post(page, "/agency/quote-requests/new")
        assert re.search(r"/agency/quote-requests/\d+\?notice=request_sent$", page.url), page.url
        url = page.url.split("?")[0]
        page.context.close()
        return url

    def supplier_answers(self, email: str, title: str, price: int, *, shoot: bool = False) -> None:
        page = self.as_user(email)
        page.goto(email_home(email))
        navigate(page, page.locator("main a[href='/supplier/quotes']").first)
        if shoot:
            self.shot(page, "29-supplier-quotes")
        navigate(page, page.locator("main a[href^='/supplier/quotes/']", has_text=title).first)
        for field in page.locator("input[name^='price-']").all():
            field.fill(f"{price:,}")
        page.fill("#field-valid_until", (today_kst() + timedelta(days=30)).isoformat())
        page.fill("#field-note", "12개월 계약 단가입니다.")
        if shoot:
            self.shot(page, "30-quote-answer")
        post(page, "/answer")
        expect(page.locator("main .dm-amounts")).to_contain_text(f"{price * USERS * MONTHS * 11 // 10:,}")
        page.context.close()

    def agency_awards(self, request_url: str, name: str, price: int) -> str:
        page = self.as_user("buyer@demo.kr")
        page.goto(request_url)
        self.shot(page, "31-quote-comparison")
        lowest = page.locator("tr.dm-quote-total td", has=page.locator(".krds-badge"))
        expect(lowest).to_have_count(1)
        expect(lowest).to_contain_text(f"{price * USERS * MONTHS * 11 // 10:,}")
        navigate(page, page.locator("form[action$='/award'] button", has_text=name))
        reason = page.locator("textarea[name=reason]")
        if not reason.input_value():
            reason.fill("요구사항을 가장 잘 충족함")
        if page.locator("textarea[name=early_reason]").count():
            page.locator("textarea[name=early_reason]").fill("사업 착수 일정이 급함")
        navigate(page, page.locator("form[method=post][action$='/award'] button[type=submit]").first)
        self.expect_no_errors(page)
        assert re.search(r"/orders/\d+\?notice=awarded$", page.url), page.url
        order_url = page.url.split("?")[0]
        self.shot(page, "32-order-draft", fresh=False)
        post(page, "/confirm")
        page.context.close()
        return order_url

    def supplier_confirms(self, order_url: str) -> None:
        page = self.as_user(self.supplier)
        page.goto(email_home(self.supplier))
        navigate(page, page.locator("main a[href='/supplier/quotes']").first)
        navigate(page, page.locator("main a[href='/supplier/orders']").first)
        self.shot(page, "33-supplier-orders")
        navigate(page, page.locator(f"main a[href='{path_of(order_url)}']").first)
        post(page, "/confirm")
        expect(page.locator("#implementation")).to_be_visible()  # in use from today: usage can be reported
        self.shot(page, "34-order-in-use")
        page.context.close()

    # --- usage, inspection, payment ----------------------------------------------------------------------

    def supplier_reports_usage(self, order_url: str) -> str:
        page = self.as_user(self.supplier)
        page.goto(path_of(order_url))
        navigate(page, page.locator(f"a[href='{path_of(order_url)}/usage']"))
        self.shot(page, "35-usage")
        for field in page.locator("input[id^='field-q']").all():
            field.fill(str(USERS))
        post(page, "/usage")
        assert re.search(r"/invoices/\d+", page.url), page.url
        invoice_url = page.url.split("?")[0]
        page.context.close()
        return invoice_url

    def agency_inspects_and_pays(self, invoice_url: str, price: int) -> None:
        page = self.as_user("buyer@demo.kr")
        page.goto(email_home("buyer@demo.kr"))
        waiting = page.locator(f"#todo-invoices_to_inspect a[href='{path_of(invoice_url)}']")
        expect(waiting).to_be_visible()
        self.shot(page, "36-agency-workspace")  # the to-do list opens the workspace
        navigate(page, page.locator("main a[href='/agency/invoices']").first)
        self.shot(page, "36-agency-invoices")
        navigate(page, page.locator(f"main a[href='{path_of(invoice_url)}']").first)
        expect(page.locator("main")).to_contain_text(f"{price * USERS * 11 // 10:,}")  # a month of 20 users + VAT
        self.shot(page, "37-invoice")
        post(page, "/accept")
        page.context.close()
        supplier = self.as_user(self.supplier)  # the payment claim (대금청구) after the inspection
        supplier.goto(path_of(invoice_url))
        self.shot(supplier, "37-invoice-claim")
        post(supplier, "/claim")
        supplier.context.close()
        page = self.as_user("buyer@demo.kr")
        page.goto(path_of(invoice_url))
        post(page, "/pay")
        self.shot(page, "38-invoice-paid", fresh=False)
        page.context.close()

    # --- a month later: the review ------------------------------------------------------------------------

    def agency_reviews(self, order_path: str, code: str) -> None:
        page = self.as_user("buyer@demo.kr")
        page.goto(order_path)
        navigate(page, page.locator(f"a[href='{order_path}/review']"))
        self.shot(page, "39-review")
        tick(page, "#field-rating")  # the first choice: 5
        page.fill("#field-comment", "메신저와 화상회의가 안정적이고 교육 지원이 좋았습니다.")
        post(page, "/review")
        page.context.close()
        public = self.as_user(None)
        public.goto(f"/services/{code}")
        expect(public.locator("#reviews")).to_contain_text("교육 지원이 좋았습니다")
        self.shot(public, "40-service-reviewed")
        if public.goto("/statistics").status == 200:
            self.shot(public, "41-statistics")
        public.context.close()


def email_home(email: str) -> str:
    return "/agency" if email.startswith("buyer") else "/supplier"


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[-1].split("/", 1)[1]


def sign_up_to_payment(
    browser: Browser, base: str, lang: str, shots: Path | None, data_dir: Path
) -> tuple[str, str, list[str]]:
    """Everything up to the contract on a server of today, then the month's usage, its inspection, the
    payment claim and the payment on a second server on the same data (``data_dir``) whose calendar is on
    the first day of the next month, when the month can be reported; returns the order's path, the
    service code and the names of the pages checked."""
    suffix = f"{int(time.time() * 1000) % 10_000_000}"
    email = f"owner-{lang}-{suffix}@nuri-cloud.kr"
    journey = FullJourney(browser, base, shots, lang=lang, supplier=email)
    journey.company_signs_up(f"(주)누리클라우드 {suffix}", email, data_dir)

    name = f"누리 메신저 {suffix}"
    application_id = journey.supplier_applies(name)
    journey.operator_requests_supplement(application_id)
    journey.supplier_resubmits(application_id)
    month = journey.operator_accepts_and_reviews(application_id)
    round_id = journey.operator_creates_round(application_id, month)
    for index, reviewer in enumerate(("reviewer@demo.kr", "reviewer2@demo.kr")):  # two of three: a quorum
        journey.reviewer_votes(reviewer, round_id, application_id, shoot=index == 0)
    code = journey.operator_closes_and_publishes(round_id, application_id)
    journey.public_sees(code, name)
    journey.supplier_sees_published(application_id, code)

    contract_id = journey.supplier_applies_for_catalog_contract(code)
    journey.officer_contracts(contract_id, code)

    request_url = journey.agency_asks_quotes(name)
    title = f"본부 협업 도구 {lang}"
    price = 8_000  # below the catalog prices of the three services
    journey.supplier_answers(email, title, price, shoot=True)
    journey.supplier_answers("supplier@demo.kr", title, price + 500)
    order_url = journey.agency_awards(request_url, name, price)
    journey.supplier_confirms(order_url)

    month_over = Server(data_dir, days=(next_month(today_kst()) - today_kst()).days)
    try:
        journey.base = month_over.url
        invoice_url = journey.supplier_reports_usage(order_url)
        journey.agency_inspects_and_pays(invoice_url, price)
    finally:
        month_over.stop()
    assert not journey.errors, journey.errors
    return path_of(order_url), code, journey.checked
