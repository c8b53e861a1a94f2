"""An award that would outlast the catalog contract, in Chromium and through the pages only: the officer
signs a catalog contract of six months; the agency asks a year of the service and is warned before sending;
the supplier sees the conflict when answering; the award step names the conflict and its ways out, asks for
the reason and awards the period shortened to end with the contract. Nobody meets a bare refusal."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from digitalmarket.contracting.lines import add_months, months_until, period_end
from digitalmarket.core.clock import today_kst
from tests.browser.conftest import ARTIFACTS
from tests.browser.selection_journey import navigate
from tests.browser.test_buying import People, expect_no_errors, facts

pytestmark = pytest.mark.browser

SERVICE = "나래 AI 챗봇 상담"  # 클라우드나래 주식회사, supplier2@demo.kr; no other browser test buys it


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"award-conflict-{name}.png"), full_page=True)


def test_a_period_past_the_catalog_contract_is_warned_and_awarded_shortened(browser, server_url):
    today = today_kst()
    start = today + timedelta(days=14)
    contract_end = add_months(today, 6)
    fit = months_until(start, contract_end)
    people = People(browser, server_url)

    # The supplier applies for a six-month catalog contract; the officer reviews and signs it.
    supplier = people.page("supplier2@demo.kr")
    supplier.goto("/services?q=" + SERVICE)
    navigate(supplier, supplier.get_by_role("link", name=SERVICE, exact=True).first)
    code = re.search(r"/services/([A-Z]{3}-\d{4}-\d{5})", supplier.url).group(1)
    navigate(supplier, supplier.locator(f"#catalog-contract a[href='/supplier/catalog-contracts/new?service={code}']"))
    supplier.fill("#field-period_start", today.isoformat())
    supplier.fill("#field-period_end", contract_end.isoformat())
    navigate(supplier, supplier.locator("form[action$='/supplier/catalog-contracts/new'] button[type=submit]"))
    contract_id = re.search(r"/supplier/catalog-contracts/(\d+)", supplier.url).group(1)
    officer = people.page("officer@demo.kr")
    officer.goto(f"/officer/catalog-contracts/{contract_id}")
    navigate(officer, officer.locator("form[action$='/start-review'] button[type=submit]"))
    navigate(officer, officer.locator(f"form[action$='/officer/catalog-contracts/{contract_id}/contract'] button"))
    expect_no_errors(officer)

    # The agency asks for twelve months: the form shows the contract's end and warns before sending.
    buyer = people.page("buyer@demo.kr")
    buyer.goto(f"/agency/quote-requests/new?codes={code}")
    chatbot = buyer.get_by_role("group", name=re.compile(SERVICE))
    expect(chatbot).to_contain_text(f"{contract_end.isoformat()}까지")
    buyer.get_by_label("제목").fill("민원 상담 챗봇 1년 이용")
    buyer.get_by_label("희망 시작일").fill(start.isoformat())
    buyer.get_by_label("답변 마감일").fill(today.isoformat())
    chatbot.locator("input[name$='-p0-quantity']").fill("1")
    chatbot.locator("input[name$='-p0-months']").fill("12")
    navigate(buyer, buyer.get_by_role("button", name="견적요청 보내기"))
    warning = buyer.locator("#period-warning")
    expect(warning).to_contain_text("보내기 전에 계약기간을 확인하세요")
    expect(warning).to_contain_text(contract_end.isoformat())
    shoot(buyer, "1-request-warning")
    navigate(buyer, buyer.get_by_role("button", name="이대로 견적요청 보내기"))
    expect_no_errors(buyer)
    request_url = buyer.url.split("?")[0]

    # The supplier sees the conflict when answering, with the months that fit and the way to an extension.
    supplier.goto("/supplier/quotes")
    navigate(supplier, supplier.get_by_role("link", name=re.compile("민원 상담 챗봇 1년 이용")).first)
    conflict = supplier.locator("#period-conflict")
    expect(conflict).to_contain_text(f"{fit}개월이면 계약 종료일 안에 끝납니다")
    expect(conflict.get_by_role("link", name=re.compile("연장 요청"))).to_be_visible()
    shoot(supplier, "2-supplier-conflict")
    supplier.locator("input[name^='price-']").first.fill("1000")
    supplier.fill("#field-valid_until", (today + timedelta(days=30)).isoformat())
    navigate(supplier, supplier.locator("form[action$='/answer'] button[type=submit]"))
    expect_no_errors(supplier)

    # The award step names the conflict and offers the shortened award; the reason is required.
    buyer.goto(request_url)
    navigate(buyer, buyer.get_by_role("button", name=re.compile(f"^이 견적 낙찰.*{SERVICE}")))
    expect(buyer.get_by_role("heading", level=1)).to_have_text("견적 낙찰")
    expect(buyer.locator("#period-conflict")).to_contain_text("카탈로그 계약")
    expect(buyer.locator("#period-conflict")).to_contain_text(contract_end.isoformat())
    shortened = buyer.get_by_role("button", name=f"{fit}개월({period_end(start, fit).isoformat()}까지)로 줄여 낙찰")
    shoot(buyer, "3-award-conflict")
    navigate(buyer, shortened)
    expect(buyer.locator(".dm-error-summary")).to_contain_text("낙찰 사유")
    buyer.get_by_label("낙찰 사유").fill("유일한 견적이며 카탈로그 계약 종료일까지 우선 이용")
    navigate(buyer, buyer.get_by_role("button", name=re.compile("줄여 낙찰")))
    expect_no_errors(buyer)
    assert re.search(r"/orders/\d+\?notice=awarded$", buyer.url), buyer.url
    expect(facts(buyer, "계약방법")).to_contain_text("납품요구")
    expect(facts(buyer, "기간")).to_contain_text(period_end(start, fit).isoformat())
    assert not people.errors, people.errors
