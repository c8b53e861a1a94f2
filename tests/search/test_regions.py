"""Where a service keeps its data: the regions its data centre location names are a facet (데이터센터 지역),
an API filter (`region`) and a constraint read from the words (서울 리전, 부산 데이터센터), shown as a chip the
buyer can remove, on both databases."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from digitalmarket.catalog.regions import regions_of
from digitalmarket.search.understanding import understand
from tests.search.catalogs import imported, service
from tests.search.test_names_and_typos import _names, _search

SERVICES = [
    service("r-01", "가온 서버 백업", "가상 서버 백업", ["백업"], data_centre_location="대한민국(서울 목동·부산)"),
    service("r-02", "한결 DB 백업", "데이터베이스 백업", ["백업"], data_centre_location="세종특별자치시"),
    service("r-03", "다온 파일 백업", "파일 백업", ["백업"], data_centre_location="Busan and Daejeon"),
    service("r-04", "누리 부산 관광 빅데이터", "부산 관광객 분석", ["관광"], data_centre_location="경기 판교"),
]


@pytest.fixture
def catalog(db, tmp_path):
    return imported(db, tmp_path, SERVICES, "regions.jsonl")


def test_a_location_names_its_regions_in_korean_english_or_by_a_data_centre_city():
    assert regions_of("대한민국(서울 목동·부산)") == ("seoul", "busan")
    assert regions_of("세종특별자치시") == ("sejong",)
    assert regions_of("Busan and Daejeon") == ("busan", "daejeon")
    assert regions_of("경기 판교·경남 김해") == ("gyeonggi", "gyeongnam")
    assert regions_of("판교") == ("gyeonggi",)  # a city known for its data centres
    assert regions_of("Seoulite office") == () and regions_of(None) == ()


def test_a_region_next_to_a_data_centre_word_is_a_constraint_and_a_region_alone_a_word():
    assert understand("서울 리전 서버").filters() == {"region": "seoul"}
    assert understand("서울 리전 서버").text == "서버"
    assert understand("부산 데이터센터 백업").filters() == {"region": "busan"}
    assert understand("데이터센터가 세종인 IaaS").filters() == {"region": "sejong", "type": "IaaS"}
    assert understand("backup with a data centre in Busan").filters() == {"region": "busan"}
    assert understand("Seoul region storage").filters() == {"region": "seoul"}
    # a region as the subject of the service, or a 센터 that is no data centre, stays words
    assert understand("서울특별시 데이터 센터").filters() == {"region": "seoul"}  # the official name
    # a region's name, not a city in it: 송도 (Incheon) and 판교 (Gyeonggi) are places, not regions to filter by
    for plain in ("부산 관광 빅데이터", "고객센터 서울", "콜센터 부산", "서울 지역 축제", "송도 리전", "판교 IDC"):
        assert understand(plain).constraints == (), plain


def test_the_region_filter_finds_every_service_whose_location_names_it(catalog, client):
    busan = _search(client, "백업", region="busan")
    assert sorted(_names(busan)) == ["가온 서버 백업", "다온 파일 백업"]  # 서울·부산, and Busan in English
    counts = {option["value"]: option["count"] for option in busan["facets"]["region"]}
    # a service in two regions counts in each; the counts of the region facet leave its own choice out
    assert counts == {"busan": 2, "seoul": 1, "sejong": 1, "daejeon": 1}
    chosen = [option["label"] for option in busan["facets"]["region"] if option["chosen"]]
    assert chosen == ["부산"]
    assert _names(_search(client, "백업", region="jeju")) == []


def test_a_region_read_from_the_words_filters_and_is_named(catalog, client):
    found = _search(client, "부산 데이터센터 백업")
    assert sorted(_names(found)) == ["가온 서버 백업", "다온 파일 백업"]
    assert found["understood"] == [
        {"field": "region", "value": "busan", "phrase": "부산 데이터센터", "without": "백업", "total_without": 3}
    ]
    # 부산 as the subject of a service is a word to rank, not where the data is kept
    assert _names(_search(client, "부산 관광"))[:1] == ["누리 부산 관광 빅데이터"]


def test_the_page_lists_the_regions_and_shows_the_region_as_a_removable_chip(catalog, client):
    page = client.get("/services", params={"q": "부산 데이터센터 백업"})
    chips = re.findall(r'<li class="dm-chip">\s*(.*?)\s*<a class="dm-chip-remove" href="([^"]+)"', page.text)
    assert [(label, unquote(link).replace("+", " ")) for label, link in chips] == [
        ("부산 데이터센터", "/services?q=백업")
    ]
    assert "데이터센터 지역" in page.text
    listed = client.get("/services", params={"q": "백업", "region": "seoul"})
    assert "가온 서버 백업" in listed.text and "한결 DB 백업" not in listed.text
    assert 'name="region" value="seoul"' in listed.text  # a new search in the box keeps the region
    clear = re.search(r'<p><a href="([^"]+)">필터 모두 지우기</a></p>', listed.text)
    assert unquote(clear[1]) == "/services?q=백업"  # and clearing every filter clears it, the words kept
    client.cookies.set("dm_lang", "en")
    english = client.get("/services", params={"q": "data centre in Busan backup"}).text
    assert "Data centre in Busan" in english and "Data centre region" in english


def test_an_unknown_region_is_refused_in_the_buyer_s_language(catalog, client):
    response = client.get("/api/v1/services", params={"region": "mars"})
    assert response.status_code == 422
    assert "region" in response.json()["error"]["fields"]
    page = client.get("/services", params={"region": "mars"})
    assert page.status_code == 422 and "다음 중 하나를 고르세요" in page.text


def test_a_result_shows_where_its_data_centres_are(catalog, client):
    item = _search(client, "가온 서버 백업")["items"][0]
    assert item["data_centre_location"] == "대한민국(서울 목동·부산)" and item["regions"] == ["seoul", "busan"]
    page = client.get("/services", params={"q": "백업", "region": "busan"}).text
    assert "<dt>데이터센터 위치</dt><dd>대한민국(서울 목동·부산)</dd>" in page
