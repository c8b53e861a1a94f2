"""Misspellings as people type them: a Korean word of its own that the catalog lacks is not "corrected" into
an unrelated catalog word (산불 is no misspelt 산출, 아픈 no misspelt 오픈, though 파일 변한 is 파일 변환), a
word glued from known words with one of them misspelt is read as its parts (클라우드벡업), and of two words
equally near in letters the one a slip of a neighbouring key would give is offered."""

from __future__ import annotations

import pytest

from digitalmarket.search.layout import typing_distance
from tests.search.catalogs import imported, service
from tests.search.test_names_and_typos import _names, _search

STATISTICS = "아라 통계 산출 도구"
BACKUP = "하늘 클라우드 백업"
MEETING = "나래 화상회의"
SERVICES = [
    service("t-01", STATISTICS, "통계를 산출하고 보고서를 구성합니다", ["통계", "산출"], "데이터분석·BI"),
    service("t-02", BACKUP, "서버 데이터를 매일 백업합니다", ["백업"], "백업·DR", "IaaS"),
    service("t-03", MEETING, "기관 화상 회의", ["화상회의"], "영상회의"),
    service("t-04", "화성 스마트 주차", "화성 지역 주차 안내", ["주차"], "스마트시티·IoT"),
    service("t-05", "화성 교통 정보", "화성 지역 교통", ["교통"], "스마트시티·IoT"),
    service("t-06", "한빛 가상 서버", "클라우드 서버를 빌려 씁니다", ["서버"], "컴퓨팅", "IaaS"),
    service("t-07", "해솔 어르신 건강상담", "어르신 건강상담을 비대면으로", ["건강상담"], "헬스케어"),
    service("t-08", "누리 문서 변환", "한글 파일을 PDF로 변환합니다", ["변환"], "데이터분석·BI"),
    service("t-09", "가온 오픈 게시판", "누구나 쓰는 오픈 게시판", ["오픈"], "데이터분석·BI"),
]


@pytest.fixture
def catalog(db, tmp_path):
    return imported(db, tmp_path, SERVICES, "slips.jsonl")


def test_a_korean_word_the_catalog_lacks_is_not_turned_into_another(catalog, client):
    wildfire = _search(client, "산불")
    assert wildfire["did_you_mean"] is None  # not 산출
    assert STATISTICS not in _names(wildfire)
    assert _search(client, "산불 감시")["did_you_mean"] is None
    assert _search(client, "구청 통계")["did_you_mean"] is None  # 구청 is no misspelt 구성


def test_a_verb_form_stays_unless_the_words_around_it_say_it_was_misspelt(catalog, client):
    # 아픈 (아프 + ㄴ) is one letter from the catalog's 오픈, 변한 (변하 + ㄴ) from its 변환: the query tells them apart
    assert _search(client, "아픈 아이 돌봄")["did_you_mean"] is None
    assert _search(client, "파일 변한")["did_you_mean"] == "파일 변환"
    assert _names(_search(client, "파일 변한"))[:1] == ["누리 문서 변환"]


def test_a_misspelling_that_sounds_like_the_word_is_still_corrected(catalog, client):
    found = _search(client, "써버")  # Kiwi knows 써버, but it sounds as 서버 does
    assert found["did_you_mean"] == "서버"
    assert _names(found)[:1] == ["한빛 가상 서버"]


@pytest.mark.parametrize(("glued", "meant"), [("클라우드벡업", "클라우드백업"), ("클라우드백엄을", "클라우드백업을")])
def test_a_glued_word_with_one_part_misspelt_is_read_as_its_parts(catalog, client, glued, meant):
    found = _search(client, glued)
    assert found["did_you_mean"] == meant
    assert _names(found)[:1] == [BACKUP]


def test_the_slip_of_a_neighbouring_key_is_offered_before_a_more_common_word(catalog, client):
    # 화싱: ㅏ for ㅣ is a neighbouring key (k, l); ㅓ (j) is not, although more services say 화성
    found = _search(client, "화싱")
    assert found["did_you_mean"] == "화상"
    assert _names(found)[:1] == [MEETING]
    assert typing_distance("화싱", "화상") < typing_distance("화싱", "화성")
    assert typing_distance("쳇봇", "챗봇") == typing_distance("vid", "vdi") == 0.5  # a neighbouring key, a swap


def test_an_english_word_known_in_its_other_number_is_not_corrected(catalog, client):
    # the vocabulary knows sensor (센서 = sensor); sensors is its plural, not a misspelt seniors
    found = _search(client, "seniors sensors")
    assert found["did_you_mean"] is None


def test_a_word_whose_misspelt_part_the_analysis_dropped_is_corrected(catalog, client):
    # Kiwi reads 건걍상담 as 상담 alone: the misspelt 건걍 is dropped, not left unknown
    assert _search(client, "건걍상담 써버")["did_you_mean"] == "건강상담 서버"
    alone = _search(client, "건걍상담")  # every word it kept is known: the dropped part still shows
    assert alone["did_you_mean"] == "건강상담"
    assert _names(alone)[:1] == ["해솔 어르신 건강상담"]
