"""Buying, in Chromium, in Korean and through the pages only: an agency searches the catalog, compares two
services of two suppliers and asks both for a quote; one supplier answers (after a price above the catalog
price is refused next to its field), the other declines; the agency compares the quotes side by side and
awards the answer; the order page offers the contract document as a PDF, the agency and then the supplier
confirm it, and the order, starting today, is in use; its signed contract, downloaded, verifies on /verify."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from digitalmarket.core.clock import today_kst
from tests.browser.conftest import ARTIFACTS
from tests.browser.selection_journey import PASSWORD, navigate, tick

pytestmark = pytest.mark.browser

QUERY = "메신저 회의"
GROUPWARE = "가상웍스 그룹웨어"  # (주)가상소프트, supplier@demo.kr: Standard 9,000원 per user and month
MEETINGS = "나래 화상회의"  # 클라우드나래 주식회사, supplier2@demo.kr
TITLE = "본부 협업 도구 도입"
USERS, MONTHS, DISCOUNT = 30, 12, 500  # the supplier answers 500원 below the highest unit price


def won(amount: int) -> str:
    return f"{amount:,}원"


class People:
    """One browser context per person, each logged in through the log-in page."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser, self.base_url, self.errors = browser, base_url, []

    def console(self, kind: str, text: str) -> None:
        if kind == "error" and "status of 422" not in text:  # the refused quote answers 422 on purpose
            self.errors.append(text)

    def page(self, email: str) -> Page:
        context = self.browser.new_context(
            base_url=self.base_url, viewport={"width": 1280, "height": 900}, locale="ko-KR", accept_downloads=True
        )
        page = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
        page.on("console", lambda message: self.console(message.type, message.text))
        page.goto("/login")
        page.get_by_label("이메일 주소").fill(email)
        page.get_by_label("비밀번호").fill(PASSWORD)
        navigate(page, page.get_by_role("main").get_by_role("button", name="로그인"))
        assert "/login" not in page.url, f"log-in failed for {email}"
        return page


def notice(page: Page):
    return page.locator(".dm-flashes [role=status]")


def expect_no_errors(page: Page) -> None:
    expect(page.locator(".dm-error-summary")).to_have_count(0)


def facts(page: Page, term: str):
    """The value next to a term of the page's facts (state, method, period ...)."""
    return page.locator(".dm-facts").first.locator(f"dt:text-is('{term}') + dd")


def row_cells(table, header: str):
    """The cells of a table's row, found by its row header."""
    header = table.page.get_by_role("rowheader", name=header, exact=True)
    return table.locator("tbody tr").filter(has=header).locator("td")


def in_force(page: Page):
    """The order page's section of the lines in force, with their amounts."""
    return page.locator("section").filter(has=page.get_by_role("heading", level=2, name="현재 계약 품목"))


def shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"buying-{name}-1280.png"), full_page=True)


def shoot_narrow(page: Page, name: str) -> None:
    """The same address loaded fresh at 375 pixels, as on a phone: it must not scroll sideways."""
    narrow = page.context.new_page()
    narrow.set_viewport_size({"width": 375, "height": 812})
    narrow.goto(page.url.split("?")[0])
    overflow = narrow.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    narrow.screenshot(path=str(ARTIFACTS / f"buying-{name}-375.png"), full_page=True)
    narrow.close()
    assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow}px at 375px"


def open_workspace_task(page: Page, title: str) -> None:
    page.goto("/")
    navigate(page, page.get_by_role("link", name="내 업무공간").first)
    navigate(page, page.get_by_role("main").get_by_role("link", name=re.compile(f"^{title}")))


def test_compare_ask_answer_award_confirm_and_use(browser, server_url):
    today = today_kst()
    people = People(browser, server_url)
    buyer = people.page("buyer@demo.kr")

    # 1. The agency searches the catalog and ticks two services of two suppliers.
    buyer.goto("/services")
    buyer.get_by_label("디지털서비스 검색").fill(QUERY)
    navigate(buyer, buyer.get_by_role("search").get_by_role("button", name="검색", exact=True))
    results = buyer.locator("ol.dm-results > li.dm-result")
    in_mall = {}
    for name in (GROUPWARE, MEETINGS):
        result = results.filter(has=buyer.get_by_role("heading", level=3, name=name, exact=True))
        expect(result).to_have_count(1)
        in_mall[name] = result.locator(".krds-badge", has_text="쇼핑몰 등록").count() == 1
        tick(buyer, result.get_by_role("checkbox", name=re.compile("^비교")))
    expect(results.filter(has_text="(주)가상소프트").filter(has_text=GROUPWARE)).to_have_count(1)
    expect(results.filter(has_text="클라우드나래 주식회사").filter(has_text=MEETINGS)).to_have_count(1)
    navigate(buyer, buyer.get_by_role("button", name="선택한 서비스 비교"))
    expect(buyer.get_by_role("heading", level=1)).to_have_text("서비스 비교")
    table = buyer.get_by_role("table", name="서비스 2개 비교")
    expect(table.locator("thead .dm-compare-name")).to_have_text([GROUPWARE, MEETINGS])

    # 2. From the comparison page's block, it asks both for a quote.
    ask = buyer.get_by_role("region", name="이 서비스들에 견적 요청")
    navigate(buyer, ask.get_by_role("button", name="2개 서비스에 견적 요청"))
    expect(buyer.get_by_role("heading", level=1)).to_have_text("견적요청")
    buyer.get_by_label("제목").fill(TITLE)
    buyer.get_by_label("요구사항").fill("본부 직원 30명이 메일, 일정, 메신저와 화상회의를 씁니다. GPKI 로그인 필수.")
    buyer.get_by_label("희망 시작일").fill(today.isoformat())
    buyer.get_by_label("답변 마감일").fill(today.isoformat())
    groupware = buyer.get_by_role("group", name=re.compile(GROUPWARE))
    groupware.get_by_label("Standard 수량").fill(str(USERS))
    groupware.get_by_label("Standard 개월 수").fill(str(MONTHS))
    meetings = buyer.get_by_role("group", name=re.compile(MEETINGS))
    meetings.get_by_label("회의실 수량").fill("1")
    meetings.get_by_label("회의실 개월 수").fill("12")
    navigate(buyer, buyer.get_by_role("button", name="견적요청 보내기"))
    expect_no_errors(buyer)
    assert re.search(r"/agency/quote-requests/\d+\?notice=request_sent$", buyer.url), buyer.url
    request_url = buyer.url.split("?")[0]
    expect(notice(buyer)).to_contain_text("견적요청을 보냈습니다")
    expect(buyer.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(facts(buyer, "상태")).to_have_text("진행 중")
    code = re.search(r"QR-\d{4}-\d{5}", buyer.locator("main").inner_text()).group(0)
    quotes = buyer.get_by_role("table", name=f"{code}의 견적")
    expect(row_cells(quotes, "상태")).to_have_text(["답변 대기", "답변 대기"])

    # 3. (주)가상소프트 answers: a price above the highest unit price (the catalog price, or the catalog
    #    contract's when lower) is refused next to its field; then 500원 below it.
    supplier = people.page("supplier@demo.kr")
    open_workspace_task(supplier, "견적과 주문")
    expect(supplier.get_by_role("heading", level=1)).to_have_text("답변할 견적요청")
    row = supplier.get_by_role("row").filter(has_text=code)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(GROUPWARE)
    expect(row).to_contain_text("답변 대기")
    navigate(supplier, row.get_by_role("link", name=TITLE))
    expect(supplier.get_by_role("heading", level=1)).to_have_text(TITLE)
    price = supplier.get_by_label("Standard 단가")
    ceiling_text = row_cells(supplier.get_by_role("table", name="요청 품목"), "Standard").nth(3).inner_text()
    ceiling = int(ceiling_text.removesuffix("원").replace(",", ""))
    assert 0 < ceiling <= 9000, ceiling_text
    above, agreed = f"{ceiling + 500:,}", ceiling - DISCOUNT
    supply = USERS * MONTHS * agreed
    vat = supply // 10
    price.fill(above)
    supplier.get_by_label("유효기간").fill((today + timedelta(days=30)).isoformat())
    supplier.get_by_label("수요기관에 남길 말").fill("12개월 계약 시 단가를 할인했습니다. 이전 지원을 포함합니다.")
    with supplier.expect_response(lambda r: r.request.method == "POST") as response:
        navigate(supplier, supplier.get_by_role("button", name="견적 보내기"))
    assert response.value.status == 422
    price = supplier.get_by_label("Standard 단가")
    expect(price).to_have_attribute("aria-invalid", "true")
    error = supplier.locator(f"#{price.get_attribute('id')}-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text(f"{ceiling:,}원")
    expect(supplier.locator(".dm-error-summary")).to_contain_text(f"{ceiling:,}원")
    expect(price).to_have_value(above)  # what was typed is kept
    expect(supplier.locator(".dm-flashes")).to_have_count(0)
    price.fill(f"{agreed:,}")
    navigate(supplier, supplier.get_by_role("button", name="견적 보내기"))
    expect_no_errors(supplier)
    expect(notice(supplier)).to_contain_text("견적을 수요기관에 보냈습니다")
    expect(facts(supplier, "상태")).to_contain_text("견적 제출")
    expect(supplier.locator("main .dm-amounts")).to_contain_text(won(supply + vat))

    # 4. 클라우드나래 declines with a reason.
    supplier2 = people.page("supplier2@demo.kr")
    open_workspace_task(supplier2, "견적과 주문")
    row = supplier2.get_by_role("row").filter(has_text=code)
    expect(row).to_contain_text(MEETINGS)
    expect(row).not_to_contain_text(GROUPWARE)  # a competitor's quote is not listed
    navigate(supplier2, row.get_by_role("link", name=TITLE))
    decline = supplier2.get_by_role("region", name="견적 사양")
    navigate(supplier2, decline.get_by_role("link", name="사양하기"))  # asked first: it cannot be undone
    expect(supplier2.locator("#irreversible")).to_contain_text("다시 견적을 낼 수 없습니다")
    supplier2.get_by_label("사유").fill("요청하신 시작일에는 전용 회의실을 준비할 수 없습니다.")
    navigate(supplier2, supplier2.get_by_role("button", name="사양하기"))
    expect_no_errors(supplier2)
    expect(notice(supplier2)).to_contain_text("견적을 사양했습니다")
    expect(facts(supplier2, "상태")).to_contain_text("사양")

    # 5. The agency compares the quotes side by side and awards the answer.
    buyer.goto(request_url)
    quotes = buyer.get_by_role("table", name=f"{code}의 견적")

    def cells(header: str):
        return row_cells(quotes, header)

    expect(quotes.locator("thead th.dm-compare-service a")).to_have_text([GROUPWARE, MEETINGS])
    expect(cells("공급기업")).to_have_text(["(주)가상소프트", "클라우드나래 주식회사"])
    expect(cells("상태")).to_have_text(["견적 제출", "사양"])
    expect(cells("공급가액")).to_have_text([won(supply), "-"])
    expect(cells("부가세 (10%)")).to_have_text([won(vat), "-"])
    expect(cells("합계(부가세 포함)")).to_have_text([won(supply + vat), "-"])  # one answer: nothing marked lowest
    expect(cells("품목(견적 단가 / 카탈로그 가격)").first).to_contain_text(
        f"{agreed:,}원 / 사용자/월 (카탈로그 {ceiling:,}원)"
    )
    expect(quotes).to_contain_text("전용 회의실을 준비할 수 없습니다")
    awards = quotes.get_by_role("button", name=re.compile("^이 견적 낙찰"))
    expect(awards).to_have_count(1)
    shoot(buyer, "quote-comparison")
    navigate(buyer, quotes.get_by_role("button", name=re.compile(f"^이 견적 낙찰.*{GROUPWARE}")))
    # The award step says what will happen and asks why: one answer, so no "lowest" to point at.
    expect(buyer.get_by_role("heading", level=1)).to_have_text("견적 낙찰")
    expect(buyer.get_by_label("낙찰 사유")).to_have_value("")
    navigate(buyer, buyer.get_by_role("button", name="이 견적 낙찰"))
    expect(buyer.locator(".dm-error-summary")).to_contain_text("낙찰 사유")
    buyer.get_by_label("낙찰 사유").fill("유일하게 답한 견적이며 요구사항을 모두 충족함")
    navigate(buyer, buyer.get_by_role("button", name="이 견적 낙찰"))
    expect_no_errors(buyer)
    assert re.search(r"/orders/\d+\?notice=awarded$", buyer.url), buyer.url
    order_url = buyer.url.split("?")[0]
    expect(notice(buyer)).to_contain_text("견적을 낙찰하고 계약을 만들었습니다")

    # 6. The order page: waiting for both confirmations, the amounts with VAT and the contract document.
    heading = buyer.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^계약 ORD-\d{4}-\d{5}"))
    order_code = re.search(r"ORD-\d{4}-\d{5}", heading.inner_text()).group(0)
    expect(facts(buyer, "상태")).to_have_text("확인 대기")
    expect(facts(buyer, "계약방법")).to_contain_text("납품요구" if in_mall[GROUPWARE] else "수의계약")
    expect(facts(buyer, "공급기업")).to_have_text("(주)가상소프트")
    expect(facts(buyer, "기간")).to_contain_text(today.isoformat())
    amounts = in_force(buyer).locator(".dm-amounts")
    expect(amounts).to_contain_text(won(supply))
    expect(amounts).to_contain_text(won(vat))
    expect(amounts).to_contain_text(won(supply + vat))
    document = buyer.get_by_role("region", name="계약서", exact=True)
    expect(document).to_contain_text("아직 확인 안 함")
    shoot(buyer, "order-draft")
    with buyer.expect_download() as download:
        document.get_by_role("link", name="계약서 내려받기(PDF)").press("Enter")
    assert download.value.suggested_filename.endswith(".pdf"), download.value.suggested_filename
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")

    # 7. The agency confirms, then the supplier: the order is contracted and, starting today, in use.
    navigate(buyer, document.get_by_role("button", name="계약서를 읽었으며 확인합니다"))
    expect_no_errors(buyer)
    expect(notice(buyer)).to_contain_text("확인이 기록되었습니다")
    expect(facts(buyer, "상태")).to_have_text("확인 대기")
    expect(document).to_contain_text(f"{today.isoformat()} 확인")
    expect(document.get_by_role("button")).to_have_count(0)

    supplier.goto("/")
    open_workspace_task(supplier, "견적과 주문")
    navigate(supplier, supplier.get_by_role("link", name="내 주문"))
    row = supplier.get_by_role("row").filter(has_text=order_code)
    expect(row).to_contain_text("확인 대기")
    navigate(supplier, row.get_by_role("link").first)
    assert supplier.url.split("?")[0] == order_url, supplier.url
    navigate(supplier, supplier.get_by_role("button", name="계약서를 읽었으며 확인합니다"))
    expect_no_errors(supplier)
    expect(notice(supplier)).to_contain_text("확인이 기록되었습니다")
    expect(facts(supplier, "상태")).to_have_text("이용 중")

    buyer.goto(order_url)
    expect(facts(buyer, "상태")).to_have_text("이용 중")
    expect(facts(buyer, "다음")).to_contain_text("까지 이용 중입니다")
    expect(buyer.get_by_role("region", name="계약서", exact=True)).to_have_count(0)
    versions = buyer.get_by_role("table", name="변경 이력과 계약서")
    expect(versions.get_by_role("link", name=re.compile("^PDF"))).to_have_count(1)
    expect(in_force(buyer).locator(".dm-amounts")).to_contain_text(won(supply + vat))
    shoot(buyer, "order")
    shoot_narrow(buyer, "order")

    # 8. The signed contract, downloaded, is checked on /verify by anyone: both signatures and the
    # platform's timestamp hold, and it is the latest version.
    with buyer.expect_download() as download:
        versions.get_by_role("link", name=re.compile("^PDF")).press("Enter")
    signed = Path(download.value.path()).read_bytes()
    visitor = browser.new_context(base_url=server_url).new_page()
    visitor.goto("/verify")
    visitor.locator("#field-file").set_input_files(
        {"name": "contract.pdf", "mimeType": "application/pdf", "buffer": signed}
    )
    navigate(visitor, visitor.locator("form[action='/verify'] button[type=submit]"))
    result = visitor.locator("#result")
    expect(result).to_contain_text("모든 서명이 유효하며 서명 뒤에 바뀐 내용이 없습니다")
    expect(result).to_contain_text("이 문서의 최신 버전입니다")
    expect(result).to_contain_text(order_code)
    expect(result.get_by_role("row")).to_have_count(4)  # the heading, two signatures, the timestamp
    expect(result).to_contain_text("(주)가상소프트")
    visitor.context.close()

    assert people.errors == [], people.errors
