"""Constraints a buyer writes as words (중소기업, CSAP 상 등급, IaaS, 1만원 이하) filter as the facets do, are
shown as chips the buyer can remove, and are listed in the API, on both databases."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from digitalmarket.search.understanding import understand
from tests.catalog.test_import import GOOD
from tests.search.catalogs import imported
from tests.search.test_names_and_typos import GAON, HANGYEOL, _names, _search


def _service(ref, name, supplier, grade, price, service_type="SaaS", category="협업·그룹웨어"):
    return {
        **GOOD,
        "ref": ref,
        "name": name,
        "type": service_type,
        "category": category,
        "supplier": supplier,
        "summary": f"{name} 서비스",
        "description": f"{name} 서비스",
        "keywords": ["화상회의"] if "화상회의" in name else ["백업"],
        "features": [],
        "csap": {"grade": grade, "valid_until": "2029-06-30"},
        "price_plans": [
            {"name": "기본", "billing": "monthly", "unit": "사용자/월", "unit_price": price, "vat_included": False}
        ],
    }


SERVICES = [
    _service("u-01", "가온 화상회의", GAON, "상", 15000),
    _service("u-02", "한결 화상회의 클라우드", HANGYEOL, "하", 8000),
    _service("u-03", "한결 백업 스토리지", HANGYEOL, "중", 50000, "IaaS", "컴퓨팅"),
]


@pytest.fixture
def catalog(db, tmp_path):
    return imported(db, tmp_path, SERVICES, "constraints.jsonl")


def test_the_words_of_a_constraint_become_a_filter_and_the_rest_is_ranked():
    found = understand("1인당 월 1만원 이하 중소기업 CSAP 상 등급 화상회의")
    assert found.text == "화상회의"
    assert found.filters() == {"price_max": 10000, "size": "sme", "csap": "상"}
    assert understand("5,000원 미만 백업").filters() == {"price_max": 4999}
    assert understand("월 10만 원 이내").filters() == {"price_max": 100000}
    assert understand("saas 그룹웨어").filters() == {"type": "SaaS"}
    assert understand("CSAP중등급").filters() == {"csap": "중"}
    # the certificate named next to its grade belongs to the constraint, not to the words to rank
    certified = understand("상 등급 보안인증 IaaS")
    assert certified.text == "" and certified.filters() == {"csap": "상", "type": "IaaS"}
    assert understand("클라우드 보안인증 하 등급 백업").text == "백업"
    assert understand("CSAP 중소기업 보안").filters() == {"size": "sme"}  # 중소기업 is no grade 중
    # words that only look like constraints stay words
    for plain in ("상담 챗봇", "중소기업청 민원", "SaaSpace", "만원의 행복"):
        assert understand(plain).constraints == (), plain


def test_a_search_applies_the_constraints_it_reads_and_names_them(catalog, client):
    sme = _search(client, "중소기업 화상회의")
    assert _names(sme) == ["한결 화상회의 클라우드"]
    assert sme["understood"] == [
        {"field": "size", "value": "sme", "phrase": "중소기업", "without": "화상회의", "total_without": 2}
    ]
    assert _names(_search(client, "CSAP 상 등급 화상회의")) == ["가온 화상회의"]
    assert _names(_search(client, "IaaS")) == ["한결 백업 스토리지"]
    assert _names(_search(client, "1인당 월 1만원 이하 화상회의")) == ["한결 화상회의 클라우드"]
    # a facet the searcher chose wins over the words
    chosen = _search(client, "중소기업 화상회의", size="middle")
    assert _names(chosen) == ["가온 화상회의"] and chosen["understood"] == []


def test_the_page_shows_each_constraint_as_a_chip_that_removes_it(catalog, client):
    page = client.get("/services", params={"q": "중소기업 CSAP 상 등급 화상회의"})
    chips = re.findall(r'<li class="dm-chip">\s*(.*?)\s*<a class="dm-chip-remove" href="([^"]+)"', page.text)
    assert [label for label, _ in chips] == ["중소기업", "CSAP 상"]
    assert [unquote(link).replace("+", " ") for _, link in chips] == [
        "/services?q=CSAP 상 등급 화상회의",
        "/services?q=중소기업 화상회의",
    ]
    assert "검색어에서 읽은 조건:" in page.text


def test_a_search_no_service_meets_shows_what_each_condition_costs(catalog, client):
    """No small-business 화상회의 holds CSAP 상: the page does not end there, but offers each condition's
    removal with the results it would give, and the API gives the same counts."""
    asked = "중소기업 CSAP 상 등급 화상회의"
    answer = _search(client, asked)
    assert answer["total"] == 0
    assert [(u["phrase"], u["total_without"]) for u in answer["understood"]] == [("중소기업", 1), ("CSAP 상 등급", 1)]
    page = client.get("/services", params={"q": asked})
    assert f"“{asked}”에서 읽은 조건을 모두 만족하는 공개 서비스가 없습니다." in page.text
    ways = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', page.text.split('id="ways-out"', 1)[1])
    assert [(unquote(link).replace("+", " "), text) for link, text in ways[:2]] == [
        ("/services?q=CSAP 상 등급 화상회의", "중소기업 조건을 빼면 1건"),
        ("/services?q=중소기업 화상회의", "CSAP 상 조건을 빼면 1건"),
    ]
    assert _names(_search(client, "CSAP 상 등급 화상회의")) == ["가온 화상회의"]  # the way out leads somewhere
    client.cookies.set("dm_lang", "en")
    english = client.get("/services", params={"q": asked}).text
    assert f"No published service meets every condition read from “{asked}”." in english
    assert "Remove Small or medium enterprise: 1 found" in english and "Remove CSAP High: 1 found" in english


def test_constraints_written_out_or_in_english_are_read_too():
    assert understand("만원 이하 화상회의").filters() == {"price_max": 10000}
    assert understand("십만원 이하 백업").filters() == {"price_max": 100000}
    assert understand("backup under 10,000 won").filters() == {"price_max": 9999}
    assert understand("₩20,000 or less chatbot").text == "chatbot"
    assert understand("서비스형 소프트웨어 그룹웨어").filters() == {"type": "SaaS"}
    assert understand("infrastructure as a service backup").filters() == {"type": "IaaS"}
    assert understand("SME groupware").filters() == {"size": "sme"}
    assert understand("small business backup").text == "backup"
    assert understand("중소업체 보안").filters() == {"size": "sme"}
    assert understand("CSAP high IaaS").filters() == {"csap": "상", "type": "IaaS"}
    # an amount alone is no limit, and a word that only begins like one stays a word
    for plain in ("10,000 won", "smell", "smart city", "small data"):
        assert understand(plain).constraints == (), plain


def test_words_that_find_nothing_under_the_conditions_offer_the_conditions_alone(catalog, client):
    """중소기업 IaaS 폐쇄망: no service says 폐쇄망, so nothing is found, and dropping one condition does not
    help. The page and the API offer the conditions alone, which find the small business's IaaS."""
    asked = "중소기업 IaaS 폐쇄망"
    answer = _search(client, asked)
    assert answer["total"] == 0
    assert answer["conditions_only"] == {"q": "중소기업 IaaS", "words": "폐쇄망", "total": 1}
    page = client.get("/services", params={"q": asked})
    link = re.search(r'<a href="([^"]+)" id="conditions-only">([^<]+)</a>', page.text)
    assert unquote(link[1]).replace("+", " ") == "/services?q=중소기업 IaaS"
    assert link[2] == "“폐쇄망” 없이 조건만으로 찾기: 1건"
    assert _names(_search(client, "중소기업 IaaS")) == ["한결 백업 스토리지"]  # the way out leads somewhere
    # with no words left to rank, the results are newest first, and the page and the API say so
    assert _search(client, "중소기업 IaaS")["sort"] == "newest"
    assert _search(client, asked)["sort"] == "relevance"
    options = re.findall(
        r'<option value="(\w+)" ?(selected)?>', client.get("/services", params={"q": "중소기업 IaaS"}).text
    )
    assert "relevance" not in [value for value, _ in options] and ("newest", "selected") in options
    client.cookies.set("dm_lang", "en")
    english = client.get("/services", params={"q": asked}).text
    assert "Without “폐쇄망”, the conditions alone: 1 found" in english
    # nothing to offer when no other words remain, or when the conditions alone find nothing either
    assert _search(client, "중소기업 IaaS")["conditions_only"] is None
    assert _search(client, "CSAP 상 등급 IaaS 폐쇄망")["conditions_only"]["total"] == 0
    assert 'id="conditions-only"' not in client.get("/services", params={"q": "CSAP 상 등급 IaaS 폐쇄망"}).text


CHEAP_LESSONS = "다온 화상 수업"


@pytest.fixture
def cheap_lessons(db, tmp_path):
    """A video meeting at 15,000 won and, cheaper, video lessons: a service for 화상 but not for 회의."""
    lessons = {**_service("u-11", CHEAP_LESSONS, HANGYEOL, "하", 3000), "keywords": ["화상 수업"]}
    lessons["summary"] = lessons["description"] = "화상 수업과 온라인 강의실"
    return imported(db, tmp_path, [_service("u-10", "가온 화상회의", GAON, "상", 15000), lessons], "lessons.jsonl")


def test_results_holding_only_some_of_the_words_under_the_conditions_say_so(cheap_lessons, client):
    """No video meeting costs 5,000 won or less: the cheap video lessons are listed, and the page and the
    API say that none of the results holds every word, with the way out (the price condition removed)."""
    asked = "월 5천원 이하 화상회의"
    answer = _search(client, asked)
    assert _names(answer) == [CHEAP_LESSONS]
    assert answer["total_every_word"] == 0
    page = client.get("/services", params={"q": asked}).text
    notice = page.split('id="only-some-words"', 1)[1].split("</div>", 1)[0]
    assert "“화상회의”의 낱말을 모두 담은 서비스 중에는 조건을 만족하는 서비스가 없습니다." in notice
    ways = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', notice)
    assert [(unquote(link).replace("+", " "), text) for link, text in ways] == [
        ("/services?q=화상회의", "대표 요금제 5,000원 이하 조건을 빼면 2건")
    ]
    # the words alone find the video meeting first: it holds every word
    alone = _search(client, "화상회의")
    assert _names(alone)[0] == "가온 화상회의" and alone["total_every_word"] == 1
    assert 'id="only-some-words"' not in client.get("/services", params={"q": "화상회의"}).text
    # a filter chosen on the page, not read from the words, is named in the notice too
    chosen = client.get("/services", params={"q": "화상회의", "price_max": "5000"}).text
    assert 'id="only-some-words"' in chosen and "필터를 빼 보세요." in chosen
    client.cookies.set("dm_lang", "en")
    english = client.get("/services", params={"q": asked}).text
    assert "No service holding every word of “화상회의” meets the conditions" in english


def test_every_supplier_size_is_read_and_a_size_said_to_be_left_out_is_not():
    assert understand("중견기업 화상회의").filters() == {"size": "middle"}
    assert understand("중견 업체 백업").filters() == {"size": "middle"}
    assert understand("대기업 클라우드").filters() == {"size": "large"}
    assert understand("mid-sized company backup").filters() == {"size": "middle"}
    assert understand("large enterprise groupware").filters() == {"size": "large"}
    left_out_sizes = ("대기업 제외 백업", "중소기업 말고 화상회의", "대기업은 빼고 찾기", "중소기업이 아닌")
    for left_out in (*left_out_sizes, "not large companies"):
        assert understand(left_out).constraints == (), left_out
    assert understand("중대기업 재해 대응").constraints == ()  # 대기업 inside another word


def test_a_mid_sized_supplier_is_a_filter_not_a_misspelt_small_one(catalog, client):
    """중견기업 (a mid-sized company) is no word of the catalog's texts: it was corrected into 중소기업 and
    filtered for small companies, the other way round. It is the supplier size 중견기업 now."""
    middle = _search(client, "중견기업 화상회의")
    assert _names(middle) == ["가온 화상회의"] and middle["did_you_mean"] is None
    assert [(u["field"], u["value"], u["phrase"]) for u in middle["understood"]] == [("size", "middle", "중견기업")]
    page = client.get("/services", params={"q": "중견기업 화상회의"})
    chips = re.findall(r'<li class="dm-chip">\s*(.*?)\s*<a class="dm-chip-remove"', page.text)
    assert chips == ["중견기업"]
    left_out = _search(client, "대기업 제외 화상회의")  # a size said to be left out filters nothing
    assert left_out["understood"] == [] and {"가온 화상회의", "한결 화상회의 클라우드"} <= set(_names(left_out))
