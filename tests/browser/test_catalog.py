"""A visitor searches the catalog, narrows by type, opens a result, compares three and uses the
suggestions as they type: in Chromium, in Korean, through the pages only."""

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from digitalmarket.search.finder import PER_PAGE
from tests.browser.conftest import ARTIFACTS
from tests.browser.selection_journey import navigate, tick

pytestmark = pytest.mark.browser

QUERY = "화상 회의"
TYPE = "클라우드 소프트웨어(SaaS)"
COUNT = re.compile(r"(\d[\d,]*)건")


def _count(page: Page) -> int:
    heading = page.locator("#results-title").inner_text()
    match = COUNT.search(heading)
    assert match, heading
    return int(match.group(1).replace(",", ""))


def _navigate(page: Page, target) -> None:
    navigate(page, target)


def _shoot(page: Page, name: str) -> None:
    """Save the page at 1280 and, freshly loaded as on a phone, at 375 pixels; at 375 it must not scroll sideways."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-1280.png"), full_page=True)
    narrow = page.context.new_page()
    narrow.set_viewport_size({"width": 375, "height": 812})
    narrow.goto(page.url)
    width = narrow.evaluate("document.documentElement.scrollWidth")
    narrow.screenshot(path=str(ARTIFACTS / f"{name}-375.png"), full_page=True)
    narrow.close()
    assert width <= 375, f"{name}: the page is {width}px wide at 375px"


def test_search_filter_open_compare_and_suggest(page):
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))

    # 1. From the home page to the catalog, then a search.
    page.goto("/")
    menu = page.get_by_role("navigation", name="주 메뉴")
    _navigate(page, menu.get_by_role("link", name="디지털서비스", exact=True))
    assert page.url.endswith("/services"), page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("디지털서비스")
    search = page.get_by_label("디지털서비스 검색")
    search.fill(QUERY)
    _navigate(page, page.get_by_role("search").get_by_role("button", name="검색", exact=True))
    assert "/services?" in page.url and "q=" in page.url, page.url
    expect(page.locator("#results-title")).to_contain_text(f"“{QUERY}”")
    expect(search).to_have_value(QUERY)
    searched = _count(page)
    assert searched > 3

    # 2. Narrow to one type in the facets: fewer results, every one of that type, and listed as chosen.
    facets = page.get_by_role("complementary", name="결과 좁히기")
    _navigate(page, facets.get_by_role("link", name=TYPE))
    assert "type=SaaS" in page.url and "q=" in page.url, page.url
    narrowed = _count(page)
    assert 3 <= narrowed < searched, (searched, narrowed)
    results = page.locator("ol.dm-results > li.dm-result")
    expect(results).to_have_count(min(narrowed, PER_PAGE))
    for result in results.all():
        expect(result.locator(".dm-result-badges .krds-badge").first).to_have_text(TYPE)
    chosen = page.get_by_role("list", name="선택한 필터")
    expect(chosen.get_by_role("listitem")).to_have_count(1)
    expect(chosen).to_contain_text(f"서비스 유형: {TYPE}")
    expect(facets.locator("a[aria-current=true]")).to_contain_text(TYPE)
    expect(search).to_have_value(QUERY)

    # 3. The matched words are highlighted.
    marks = page.locator("ol.dm-results mark")
    expect(marks.first).to_be_visible()
    assert any("화상" in text or "회의" in text for text in marks.all_inner_texts()), marks.all_inner_texts()

    _shoot(page, "catalog-results")

    # 4. Open the first result and come back.
    first = results.first.get_by_role("heading", level=3).get_by_role("link")
    name = first.inner_text().strip()
    href = first.get_attribute("href")
    _navigate(page, first)
    assert page.url.endswith(href), page.url
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    page.go_back()
    page.wait_for_url("**/services?*type=SaaS*")
    assert _count(page) == narrowed

    # 5. Tick "비교" for three results and compare them.
    names = []
    for result in results.all()[:3]:
        names.append(result.get_by_role("heading", level=3).inner_text().strip())
        tick(page, result.get_by_role("checkbox", name=re.compile("^비교")))
    assert page.locator("#compare-form input[name=codes]:checked").count() == 3
    _navigate(page, page.get_by_role("button", name="선택한 서비스 비교"))
    assert "/services/compare?" in page.url and page.url.count("codes=") == 3, page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("서비스 비교")
    table = page.get_by_role("table", name="서비스 3개 비교")
    for name in names:
        expect(table.get_by_role("columnheader", name=name)).to_have_count(1)
    expect(table.locator("thead .dm-compare-name")).to_have_text(names)  # in the order they were ticked
    expect(table.get_by_role("columnheader", name="가격(부가가치세 별도)")).to_be_visible()
    amounts = table.locator("td.dm-compare-price .dm-compare-amount")
    assert amounts.count() >= 3 and all(text.endswith("원") for text in amounts.all_inner_texts())
    differing = table.locator("tbody tr.dm-differs")
    assert differing.count() >= 1
    expect(differing.first.get_by_role("rowheader")).to_contain_text("(다름)")

    _shoot(page, "catalog-compare")

    # 6. Suggestions as one types.
    page.goto("/services")
    search = page.get_by_label("디지털서비스 검색")
    search.focus()
    typed = quote("전자")
    with page.expect_response(lambda r: "/services/suggestions" in r.url and typed in r.url) as response:
        search.press_sequentially("전자", delay=150)
    assert response.value.status == 200
    expect(page.locator("datalist#search-suggestions option[value*='전자']").first).to_be_attached()
    values = [option.get_attribute("value") for option in page.locator("datalist#search-suggestions option").all()]
    assert all(values), values

    assert page.console_errors == [] and page_errors == [], (page.console_errors, page_errors)
