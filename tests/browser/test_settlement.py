"""After the contract, in Chromium and through the pages only: an agency asks a quote, the supplier
answers, the agency awards and both confirm; the month in course cannot be reported yet; once it has
ended (the server's calendar moved to the first day of the next month) the supplier reports the month's
usage, the agency rejects it, the supplier corrects it, the agency accepts it, the supplier claims the
payment (대금청구) and the agency pays; a month later (the calendar moved forward 31 days) the agency
reviews the service, the supplier answers, and the rating shows on the service page."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from digitalmarket.core.clock import today_kst
from tests.browser.conftest import ARTIFACTS, CHROMIUM_ARGS, copy_of_seeded, wait_until_up  # noqa: F401
from tests.browser.selection_journey import PASSWORD, navigate, tick
from tests.settlement.settling import next_month

pytestmark = pytest.mark.browser
SERVICE = "가상결재 클라우드"  # a demo service of (주)가상소프트, supplier@demo.kr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`digitalmarket serve` on a data folder, its calendar moved forward ``days``."""

    def __init__(self, data_dir, days: int = 0) -> None:
        self.env = {**os.environ, "DM_DATA_DIR": str(data_dir)}
        self.env.pop("DM_DATABASE_URL", None)
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}"
        cli = [sys.executable, "-m", "tests.browser.shifted_clock", str(days)]
        self.log = data_dir / f"server-{days}.log"
        self.process = subprocess.Popen(
            [*cli, "serve", "--port", str(port)], env=self.env, stdout=self.log.open("w"), stderr=subprocess.STDOUT
        )
        wait_until_up(self.url, self.process, self.log)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def data_dir(seeded_data, tmp_path):
    """A data folder of its own with the demo, for servers whose calendars move forward."""
    return copy_of_seeded(seeded_data, tmp_path)


class People:
    def __init__(self, browser, url: str) -> None:
        self.browser, self.url, self.errors = browser, url, []

    def page(self, email: str | None) -> Page:
        context = self.browser.new_context(viewport={"width": 1280, "height": 900}, base_url=self.url, locale="ko-KR")
        page = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
        if email:
            page.goto("/login")
            page.fill("#field-email", email)
            page.fill("#field-password", PASSWORD)
            navigate(page, page.locator("form[action='/login'] button[type=submit]"))
            assert "/login" not in page.url, f"log-in failed for {email}"
        return page


def post(page: Page, action_suffix: str) -> None:
    navigate(page, page.locator(f"form[action$='{action_suffix}'] button[type=submit]").first)
    assert page.locator(".dm-error-summary").count() == 0, page.locator(".dm-error-summary").inner_text()


def shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"settlement-{name}.png"), full_page=True)


def test_usage_inspection_payment_and_review(browser, data_dir):
    today = today_kst()
    server = Server(data_dir)
    try:
        people = People(browser, server.url)
        buyer, supplier = people.page("buyer@demo.kr"), people.page("supplier@demo.kr")

        # 1. The agency finds the service and asks a quote for 30 users over 12 months, from today.
        buyer.goto(f"/services?q={SERVICE}")
        navigate(buyer, buyer.get_by_role("link", name=SERVICE, exact=True).first)
        code = buyer.url.rstrip("/").rsplit("/", 1)[1]
        navigate(buyer, buyer.locator("a[href^='/agency/quote-requests/new']"))
        buyer.fill("#field-title", "전자결재 전환")
        buyer.fill("#field-desired_start", today.isoformat())
        buyer.fill("#field-deadline", today.isoformat())
        buyer.fill("#field-s0-p0-quantity", "30")
        buyer.fill("#field-s0-p0-months", "12")
        post(buyer, "/agency/quote-requests/new")
        request_url = buyer.url.split("?")[0]

        # 2. The supplier answers below the catalog price.
        supplier.goto("/supplier/quotes")
        navigate(supplier, supplier.get_by_role("link", name="전자결재 전환").first)
        supplier.locator("input[name^='price-']").first.fill("6500")
        supplier.fill("#field-valid_until", (today + timedelta(days=30)).isoformat())
        post(supplier, "/answer")

        # 3. The agency awards; both confirm the contract document: the order is in use from today.
        buyer.goto(request_url)
        post(buyer, "/award")  # the award step: what happens, the period, the reason (prefilled when lowest)
        buyer.locator("textarea[name=reason]").fill("유일한 견적이며 요구사항을 충족함")
        post(buyer, "/award")
        order_url = buyer.url.split("?")[0]
        post(buyer, "/confirm")
        supplier.goto(order_url)
        post(supplier, "/confirm")
        expect(supplier.locator("#implementation-heading")).to_have_text("이용실적과 대금지급")

        # 4. This month has not ended: it cannot be reported yet, and the pages say from which day.
        first_of_next = next_month(today)
        expect(supplier.locator("#implementation")).to_contain_text(f"{first_of_next.isoformat()}부터 등록 가능")
        supplier.goto(f"{order_url}/usage")
        expect(supplier.locator("main")).to_contain_text(f"{first_of_next.isoformat()}부터 등록할 수 있습니다")
    finally:
        server.stop()

    # 5. On the first day of the next month the supplier reports the month's usage: 32 users, above
    # what was contracted for a month.
    days = (first_of_next - today).days
    month_over = Server(data_dir, days=days)
    try:
        people = People(browser, month_over.url)
        buyer, supplier = people.page("buyer@demo.kr"), people.page("supplier@demo.kr")
        order_url = order_url.replace(server.url, month_over.url)
        supplier.goto(order_url)
        navigate(supplier, supplier.get_by_role("link", name="월별 이용실적 등록"))
        expect(supplier.get_by_role("heading", level=1)).to_have_text("월별 이용실적 등록")
        supplier.get_by_label("기본 이용 수량").fill("32")
        shoot(supplier, "usage")
        post(supplier, "/usage")
        expect(supplier.locator(".dm-facts").first).to_contain_text("검수 대기")
        invoice_url = supplier.url.split("?")[0]
        expect(supplier.locator("main")).to_contain_text("228,800원")  # 32 x 6,500 + VAT

        # 6. The agency rejects it with a reason; the supplier corrects it to 30 users.
        buyer.goto("/agency/invoices")
        expect(buyer.get_by_role("heading", level=1)).to_have_text("검수 및 대금지급")
        navigate(buyer, buyer.locator(f"a[href='{invoice_url.split(month_over.url)[-1]}']").first)
        buyer.fill("#field-reason", "이번 달 이용자는 30명입니다.")
        post(buyer, "/reject")
        expect(buyer.locator(".dm-facts").first).to_contain_text("반려")
        supplier.goto(invoice_url)
        expect(supplier.locator("#correct-heading")).to_be_visible()
        expect(supplier.locator("main")).to_contain_text("이번 달 이용자는 30명입니다.")
        supplier.get_by_label("기본 이용 수량").fill("30")
        post(supplier, "/correct")

        # 7. The agency accepts it; the supplier claims the payment (대금청구): payment is due in 5
        # working days of the claim; the agency pays the same day.
        buyer.goto(invoice_url)
        expect(buyer.locator("main")).to_contain_text("214,500원")  # 30 x 6,500 + VAT
        post(buyer, "/accept")
        expect(buyer.locator("#next-step")).to_contain_text("공급기업의 대금청구를 기다리고 있습니다")
        supplier.goto(invoice_url)
        shoot(supplier, "claim")
        post(supplier, "/claim")
        expect(supplier.locator(".dm-facts").first).to_contain_text("지급 기한")
        expect(supplier.locator(".dm-facts").first).to_contain_text(re.compile(r"\d\d:\d\d KST · 김가상"))
        buyer.goto(invoice_url)
        shoot(buyer, "invoice")
        expect(buyer.get_by_label("지급일")).to_have_value(first_of_next.isoformat())
        post(buyer, "/pay")
        expect(buyer.locator(".dm-facts").first).to_contain_text("지급 완료")
        buyer.goto(order_url)
        section = buyer.locator("#implementation")
        expect(section).to_contain_text("214,500원")
        expect(section).to_contain_text("지급 완료")
        if days < 30:
            expect(section).to_contain_text("이용후기는 30일 이상 이용한 뒤")
        shoot(buyer, "order")
    finally:
        month_over.stop()

    # 8. A month later the agency reviews the service and the supplier answers.
    later = Server(data_dir, days=max(31, days + 1))
    try:
        people = People(browser, later.url)
        buyer, supplier = people.page("buyer@demo.kr"), people.page("supplier@demo.kr")
        order_url = order_url.replace(month_over.url, later.url)
        buyer.goto(order_url)
        navigate(buyer, buyer.get_by_role("link", name="이용후기 작성"))
        tick(buyer, "#field-rating")  # the first choice: 5
        buyer.fill("#field-comment", "결재 처리 속도가 빨라졌고 교육 지원이 좋았습니다.")
        post(buyer, "/review")
        expect(buyer.locator(".dm-notice-success, [role=status]").first).to_be_visible()
        supplier.goto(f"{order_url}/review")
        supplier.fill("#field-answer", "감사합니다. 추가 교육도 지원하겠습니다.")
        post(supplier, "/review/answer")

        # 9. Anyone sees the rating and the review with its answer on the service page.
        public = people.page(None)
        public.goto(f"/services/{code}")
        reviews = public.locator("#reviews")
        expect(reviews).to_contain_text("5점 만점에 5.0점")
        expect(reviews).to_contain_text("후기 1건")
        expect(reviews).to_contain_text("교육 지원이 좋았습니다")
        expect(reviews).to_contain_text("추가 교육도 지원하겠습니다")
        shoot(public, "service-reviews")
        public.goto(f"/services?q={SERVICE}")
        expect(public.locator("li.dm-result").first).to_contain_text("5점 만점에 5.0점")
    finally:
        later.stop()
    assert people.errors == []
