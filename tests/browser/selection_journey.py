"""The selection journey in a browser, from a new application to the public service page: the first part
of the whole journey (tests/browser/test_full_journey.py, `pages_journey`). Assumes a server seeded with
the demo data (password demo-pass-2026). Every step is a form post, as without JavaScript. Every
assertion is on URLs, form actions, ids and status codes, so it holds in Korean and in English. With a
screenshot folder, each key page is saved at 1280 and 375 pixels wide, and a page that scrolls sideways
at 375 pixels fails.
"""

from __future__ import annotations

import re
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PASSWORD = "demo-pass-2026"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def today_in_korea() -> date:
    """Today as the server counts days (KST)."""
    return datetime.now(ZoneInfo("Asia/Seoul")).date()


def settled(page: Page) -> None:
    """Wait for the page's fonts: one swapped in after the load moves the page, and a click aimed before
    the move can land beside its target (no form is sent, no box is ticked)."""
    page.evaluate("document.fonts.ready.then(() => true)")


def navigate(page: Page, target) -> None:
    """Follow a link or press a submit button, and wait until the next page has loaded. The target is
    focused and activated with Enter, as a keyboard user does: a mouse click is aimed at coordinates, and
    on a loaded machine the page can still move between the aim and the press (the press then focuses
    the target and the release lands beside it, so nothing is sent). When no page comes, the failure names
    the page it was on and keeps a screenshot of it (tests/artifacts/)."""
    settled(page)
    before = page.url
    try:
        with page.expect_navigation():
            target.press("Enter")
    except PlaywrightTimeout as error:
        shot = ARTIFACTS / f"no-navigation-{int(time.time() * 1000)}.png"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)
        raise AssertionError(f"no page came after a click on {target} at {before} (screenshot: {shot})") from error


def tick(page: Page, selector) -> None:
    """Check a KRDS checkbox or radio (a selector or a locator) from the keyboard, as a keyboard user does:
    focus it and press Space. KRDS draws the box on the label, and a click aimed at the label can land
    beside it when the page moves on a loaded machine."""
    field = page.locator(selector) if isinstance(selector, str) else selector
    if not field.is_checked():
        field.focus()
        page.keyboard.press("Space")
    expect(field).to_be_checked()


class Journey:
    def __init__(
        self, browser: Browser, base: str, shots: Path | None, *, lang: str = "ko", supplier: str = "supplier@demo.kr"
    ) -> None:
        self.browser, self.base, self.shots = browser, base.rstrip("/"), shots
        self.lang, self.supplier = lang, supplier  # the reader's language (its switch is clicked first); who applies
        self.errors: list[str] = []
        if shots:
            shots.mkdir(parents=True, exist_ok=True)

    # --- helpers ---------------------------------------------------------------------------------------

    def as_user(self, email: str | None) -> Page:
        context = self.browser.new_context(viewport={"width": 1280, "height": 900}, base_url=self.base, locale="ko-KR")
        page = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
        if self.lang != "ko":
            page.goto("/login")
            navigate(page, page.locator(f"a[hreflang='{self.lang}']").first)
        if email:
            page.goto("/login")
            page.fill("#field-email", email)
            page.fill("#field-password", PASSWORD)
            navigate(page, page.locator("form[action='/login'] button[type=submit]"))
            assert "/login" not in page.url, f"log-in failed for {email}"
        return page

    def shot(self, page: Page, name: str, *, fresh: bool = True) -> None:
        """Save the page at 1280 and 375 pixels; at 375 it must not scroll sideways.

        The narrow view is a fresh load of the same address in the same session (as a phone would load
        it); a page that answered a form post (fresh=False) is narrowed in place instead.
        """
        if not self.shots:
            return
        page.screenshot(path=str(self.shots / f"{name}-1280.png"), full_page=True)
        if fresh:
            narrow = page.context.new_page()
            narrow.set_viewport_size({"width": 375, "height": 800})
            narrow.goto(page.url)
        else:
            narrow = page
            narrow.set_viewport_size({"width": 375, "height": 800})
            narrow.wait_for_timeout(500)
        overflow = narrow.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        narrow.screenshot(path=str(self.shots / f"{name}-375.png"), full_page=True)
        if fresh:
            narrow.close()
        else:
            page.set_viewport_size({"width": 1280, "height": 900})
        assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow}px at 375px"

    @staticmethod
    def post(page: Page, action_suffix: str, *, index: int = 0) -> None:
        """Submit the form whose action ends with the suffix and wait for the next page."""
        navigate(page, page.locator(f"form[action$='{action_suffix}'] button[type=submit]").nth(index))

    def confirm(self, page: Page, action_suffix: str, *, shot: str = "") -> None:
        """A step that cannot be undone: follow its link to the confirmation page, then press its button."""
        navigate(page, page.locator(f"main a[href$='{action_suffix}']").first)
        expect(page.locator("#irreversible")).to_be_visible()
        if shot:
            self.shot(page, shot)
        navigate(page, page.locator(f"form[action$='{action_suffix}'] button[type=submit]"))

    @staticmethod
    def expect_no_errors(page: Page) -> None:
        assert page.locator(".dm-error-summary").count() == 0, page.locator(".dm-error-summary").inner_text()

    # --- the supplier applies -----------------------------------------------------------------------------

    def supplier_applies(self, name: str) -> int:
        page = self.as_user(self.supplier)
        page.goto("/supplier")
        navigate(page, page.locator("a[href='/supplier/applications']").first)
        self.shot(page, "01-supplier-applications")
        navigate(page, page.locator("a[href='/supplier/applications/new']"))
        assert page.url.endswith("/supplier/applications/new")
        self.shot(page, "02-step1-new")

        # Step 1: the first save creates the draft.
        page.select_option("#field-type", "SaaS")
        type_label = page.eval_on_selector("#field-type", "el => el.options[el.selectedIndex].text")
        category = page.eval_on_selector(
            "#field-category_id",
            "(el, label) => [...el.querySelectorAll('optgroup')]"
            ".find(g => g.label === label).querySelector('option').value",
            type_label,
        )
        page.select_option("#field-category_id", category)
        page.fill("#field-name", name)
        page.fill("#field-summary", "기관 업무용 클라우드 협업 도구")
        page.fill("#field-description", "메신저, 일정, 문서 공동 편집을 하나로 제공하는 SaaS 협업 서비스입니다.")
        page.fill("#field-features", "메신저\n일정 공유\n문서 공동 편집")
        page.fill("#field-keywords", "협업\n그룹웨어\n메신저")
        navigate(page, page.locator("button[name=go][value=next]"))
        match = re.search(r"/supplier/applications/(\d+)/steps/2", page.url)
        assert match, page.url
        application_id = int(match.group(1))

        # Step 2: operation and security.
        page.select_option("#field-deployment", "public")
        page.fill("#field-data_centre_location", "서울 (주), 부산 (백업)")
        page.fill("#field-sla_availability", "99.9")
        page.fill("#field-support_hours", "평일 09:00–18:00, 장애 24시간")
        page.fill("#field-data_return_policy", "계약 종료 후 30일 이내 CSV로 반환하고 영구 삭제합니다.")
        page.select_option("#field-csap_grade", "중")
        page.fill("#field-csap_certificate_number", "CSAP-SaaS-2025-0123")
        page.fill("#field-csap_valid_until", date(date.today().year + 2, 5, 31).isoformat())
        page.fill("#field-csap_underlying_iaas", "누리클라우드 IaaS")
        self.shot(page, "03-step2")
        navigate(page, page.locator("button[name=go][value=next]"))
        assert page.url.endswith("/steps/3?notice=saved"), page.url

        # Step 3: a price plan with a wrong price first: the error sits next to that row's field.
        page.fill("[id='field-price_plans.0.name']", "Standard")
        page.select_option("[id='field-price_plans.0.billing']", "monthly")
        page.fill("[id='field-price_plans.0.unit']", "사용자/월")
        page.fill("[id='field-price_plans.0.unit_price']", "12.5")
        tick(page, "[id='field-price_plans.0.vat_included']")
        page.fill("[id='field-price_plans.1.name']", "Enterprise")
        page.select_option("[id='field-price_plans.1.billing']", "monthly")
        page.fill("[id='field-price_plans.1.unit']", "사용자/월")
        page.fill("[id='field-price_plans.1.unit_price']", "-5")
        with page.expect_response(lambda r: r.request.method == "POST") as response:
            navigate(page, page.locator("button[name=go][value=next]"))
        assert response.value.status == 422
        expect(page.locator("[id='field-price_plans.0.unit_price-error']")).to_be_visible()
        expect(page.locator("[id='field-price_plans.1.unit_price-error']")).to_be_visible()
        self.shot(page, "04-step3-errors", fresh=False)
        page.fill("[id='field-price_plans.0.unit_price']", "12,000")
        page.fill("[id='field-price_plans.0.min_term_months']", "12")
        page.fill("[id='field-price_plans.1.unit_price']", "9000")
        navigate(page, page.locator("button[name=go][value=next]"))
        assert "/steps/4" in page.url, page.url

        # Step 4: a fake PDF is refused (4xx, nothing attached); real PDFs for every required kind.
        with page.expect_response(lambda r: r.request.method == "POST") as response:
            page.set_input_files(
                "#field-file-service_description",
                files=[{"name": "fake.pdf", "mimeType": "application/pdf", "buffer": b"not a pdf at all"}],
            )
            self.post(page, "/documents")
        assert response.value.status == 422
        expect(page.locator("#field-file-service_description-error")).to_be_visible()
        assert page.locator("#doc-service_description .dm-doc-list li").count() == 0
        self.shot(page, "05-step4-error", fresh=False)
        while True:
            missing = page.locator("section.dm-doc-kind:has(.bg-light-danger)")
            if missing.count() == 0:
                break
            kind = missing.first.get_attribute("id").removeprefix("doc-")
            page.set_input_files(
                f"#field-file-{kind}",
                files=[{"name": f"{kind}.pdf", "mimeType": "application/pdf", "buffer": PDF + kind.encode()}],
            )
            navigate(page, page.locator(f"#doc-{kind} form.dm-upload-form button[type=submit]"))
            self.expect_no_errors(page)
        self.shot(page, "06-step4-documents")
        navigate(page, page.locator(f"a[href='/supplier/applications/{application_id}/steps/5']").last)
        assert page.locator(".dm-notice-warning").count() == 0, page.locator(".dm-notice-warning").inner_text()
        self.shot(page, "07-step5-review")
        self.post(page, f"/supplier/applications/{application_id}/submit")
        assert page.url.endswith(f"/supplier/applications/{application_id}?notice=submitted"), page.url
        self.shot(page, "08-supplier-submitted")
        page.context.close()
        return application_id

    # --- the operator checks -------------------------------------------------------------------------------

    def operator_requests_supplement(self, application_id: int) -> None:
        page = self.as_user("operator@demo.kr")
        page.goto("/operator")
        navigate(page, page.locator("a[href='/operator/applications']").first)
        self.shot(page, "09-operator-queue")
        page.goto(f"/operator/applications/{application_id}")
        self.post(page, "/start-check")
        self.expect_no_errors(page)
        self.shot(page, "10-operator-document-check")
        # No reason at all: refused next to the form.
        self.post(page, "/supplement")
        assert page.locator("#field-items-error").count() == 1
        page.fill("[name='item-price_plans']", "Enterprise 요금제의 최소 계약기간을 적어 주세요.")
        page.fill("[name='item-sla']", "SLA 문서에 서명이 없습니다.")
        self.post(page, "/supplement")
        self.expect_no_errors(page)
        page.context.close()

    def supplier_resubmits(self, application_id: int) -> None:
        page = self.as_user(self.supplier)
        page.goto(f"/supplier/applications/{application_id}")
        expect(page.locator("#supplement-heading")).to_be_visible()
        self.shot(page, "11-supplier-supplement")
        page.goto(f"/supplier/applications/{application_id}/steps/3")
        page.fill("[id='field-price_plans.1.min_term_months']", "12")
        navigate(page, page.locator("button[name=go][value=stay]"))
        self.expect_no_errors(page)
        page.goto(f"/supplier/applications/{application_id}/steps/5")
        self.post(page, f"/supplier/applications/{application_id}/submit")
        assert page.url.endswith("?notice=submitted"), page.url
        page.context.close()

    def operator_accepts_and_reviews(self, application_id: int) -> str:
        page = self.as_user("operator@demo.kr")
        page.goto(f"/operator/applications/{application_id}")
        self.post(page, "/start-check")
        self.confirm(page, "/accept")
        self.expect_no_errors(page)
        self.post(page, "/expert-review")
        self.expect_no_errors(page)
        for criterion in ("management", "sanctions", "security", "stability", "support"):
            tick(page, f"input[name='opinion-{criterion}'][value=pass]")
            page.fill(f"[name='comment-{criterion}']", "적합")
        self.shot(page, "12-operator-expert-review", fresh=False)
        self.post(page, "/opinions")
        self.expect_no_errors(page)
        self.post(page, "/committee")
        self.expect_no_errors(page)
        month = page.locator("#committee-month").inner_text().strip()
        assert re.fullmatch(r"\d{4}-\d{2}", month), month
        page.context.close()
        return month

    def operator_creates_round(self, application_id: int, month: str) -> int:
        """An extra round (수시 심사위원회) meeting today, and the application moved into it: a round closes
        from its meeting date on, so this is the round the journey can close today."""
        page = self.as_user("operator@demo.kr")
        page.goto("/operator/rounds")
        tick(page, "input[name=kind][value=extra]")
        page.fill("#field-meeting_date", today_in_korea().isoformat())
        for box in page.locator("input[name=member_ids]").all():
            tick(page, f"#{box.get_attribute('id')}")
        self.post(page, "/operator/rounds")
        self.expect_no_errors(page)
        self.shot(page, "13-operator-rounds")
        newest = max(
            int(a.get_attribute("href").rsplit("/", 1)[1])
            for a in page.locator("table a[href^='/operator/rounds/']").all()
        )
        page.goto(f"/operator/applications/{application_id}")
        tick(page, f"input[name=target][value='{newest}']")
        page.fill("#field-reason", "연내 심사를 위해 수시 심사위원회에 상정합니다.")
        self.post(page, "/move")
        self.expect_no_errors(page)
        assert page.locator("#committee-month").inner_text().strip() == today_in_korea().strftime("%Y-%m")
        page.context.close()
        return newest

    # --- reviewers declare and vote ----------------------------------------------------------------------------

    def reviewer_votes(self, email: str, round_id: int, application_id: int, shoot: bool) -> None:
        page = self.as_user(email)
        page.goto("/reviewer")
        navigate(page, page.locator("a[href='/reviewer/rounds']").first)
        page.goto(f"/reviewer/rounds/{round_id}")
        if shoot:
            self.shot(page, "14-reviewer-round")
        tick(page, f"#field-relation-{application_id}")  # the first option: no relation
        self.post(page, f"/applications/{application_id}/declare")
        assert page.url.endswith(f"/reviewer/rounds/{round_id}/applications/{application_id}?notice=declared"), page.url
        # A fail without a reason is refused next to the comment.
        for criterion in ("management", "sanctions", "security", "stability", "support"):
            tick(page, f"input[name='vote-{criterion}'][value=pass]")
        tick(page, "input[name='vote-support'][value=fail]")
        with page.expect_response(lambda r: r.request.method == "POST") as response:
            self.post(page, "/votes")
        assert response.value.status == 422
        expect(page.locator("[id='field-support.comment-error']")).to_be_visible()
        tick(page, "input[name='vote-support'][value=pass]")
        if shoot:
            self.shot(page, "15-reviewer-vote", fresh=False)
        self.post(page, "/votes")
        self.expect_no_errors(page)
        assert page.url.endswith("?notice=votes_saved"), page.url
        # A document opens through the round.
        href = page.locator("a[href*='/documents/']").first.get_attribute("href")
        assert f"round={round_id}" in href
        response = page.request.get(href)
        assert response.status == 200 and response.body().startswith(b"%PDF-")
        assert response.headers["x-content-type-options"] == "nosniff"
        disposition = response.headers["content-disposition"]
        assert disposition.startswith("attachment;") and "filename" in disposition and ".pdf" in disposition
        page.context.close()

    # --- the operator closes the round and publishes -------------------------------------------------------------

    def operator_closes_and_publishes(self, round_id: int, application_id: int) -> str:
        page = self.as_user("operator@demo.kr")
        page.goto(f"/operator/rounds/{round_id}")
        self.shot(page, "16-operator-round-open")
        self.confirm(page, f"/operator/rounds/{round_id}/close", shot="16-operator-round-close-confirm")
        self.expect_no_errors(page)
        self.shot(page, "17-operator-round-closed")
        page.goto(f"/operator/applications/{application_id}")
        self.confirm(page, "/publish")
        self.expect_no_errors(page)
        href = page.locator("a[href^='/services/']").first.get_attribute("href")
        self.shot(page, "18-operator-published")
        page.context.close()
        return href.rsplit("/", 1)[1]

    def public_sees(self, code: str, name: str) -> None:
        page = self.as_user(None)
        page.goto("/services")
        expect(page.locator(f"a[href='/services/{code}']")).to_be_visible()
        self.shot(page, "19-public-services")
        response = page.goto(f"/services/{code}")
        assert response.status == 200
        expect(page.locator("h1")).to_have_text(name)
        assert "12,000" in page.locator("table").first.inner_text()
        self.shot(page, "20-public-service")
        page.context.close()

    def supplier_sees_published(self, application_id: int, code: str) -> None:
        page = self.as_user(self.supplier)
        page.goto(f"/supplier/applications/{application_id}")
        expect(page.locator(f"a[href='/services/{code}']")).to_be_visible()
        self.shot(page, "21-supplier-published")
        page.context.close()
