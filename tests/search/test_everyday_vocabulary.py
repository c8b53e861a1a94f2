"""The vocabulary covers the catalog's kinds of service in the words a buyer uses for them: everyday
Korean (스팸 메일 for 악성메일, 땅값 for 공시지가, 직원 뽑기 for 채용) and English (wiki, smart farm)."""

from __future__ import annotations

import pytest

from tests.search.catalogs import imported, service
from tests.search.test_names_and_typos import _names, _search

MAIL = "든든 악성메일 차단"
WIKI = "누리 지식관리 위키"
LAND = "도담 토지 분석"
HIRING = "한결 공정 채용"
FARM = "도담 스마트팜"
SERVICES = [
    service("v-01", MAIL, "악성메일과 표적 공격 메일을 걸러냅니다", ["메일보안"], "보안"),
    service("v-02", WIKI, "부서의 업무 지식을 위키로 모읍니다", ["지식관리", "KMS"], "협업·그룹웨어"),
    service("v-03", LAND, "공시지가와 토지 이용을 지도에서 분석", ["공시지가"], "지리정보(GIS)"),
    service("v-04", HIRING, "블라인드 채용 접수와 심사", ["채용"], "인사·급여"),
    service("v-05", FARM, "온실 환경을 원격으로 제어", ["스마트팜"], "스마트시티·IoT"),
    service("v-06", "가온 그룹웨어", "메일과 일정, 게시판", ["그룹웨어", "메일"], "협업·그룹웨어"),
    service("v-07", "여울 도로 교통량 분석", "도로의 교통량과 혼잡을 분석", ["교통"], "스마트시티·IoT"),
    service("v-08", "마루 디도스 방어", "대규모 공격 요청을 걸러냅니다", ["디도스"], "보안"),
]


@pytest.fixture
def catalog(db, tmp_path):
    return imported(db, tmp_path, SERVICES, "vocabulary.jsonl")


@pytest.mark.parametrize(
    ("query", "service"),
    [
        ("스팸", MAIL),
        ("사내 위키", WIKI),
        ("knowledge base", WIKI),
        ("땅값", LAND),
        ("직원 뽑기", HIRING),
        ("smart farming", FARM),
        ("traffic analysis", "여울 도로 교통량 분석"),
        ("DDoS protection", "마루 디도스 방어"),
    ],
)
def test_a_need_in_everyday_or_english_words_finds_theservice(catalog, client, query, service):
    found = _search(client, query)
    assert _names(found)[:1] == [service]
    assert found["missing_words"] == []  # every word understood (protection: 방어), none named as unknown
