"""A query's specific words lead: the words of a compound the catalog writes apart (홈페이지 구축) count
as the query's own concepts, the verbs a buyer asks with (만들기, 찾기) are not searched for, and 전자결제
written for 전자결재 finds the e-approval services below those that say 전자결제."""

from __future__ import annotations

import pytest

from tests.catalog.test_import import GOOD
from tests.search.catalogs import imported
from tests.search.test_names_and_typos import _names as names_of
from tests.search.test_names_and_typos import _search


def _service(ref, name, summary, keywords, description=None):
    return {
        **GOOD,
        "ref": ref,
        "name": name,
        "summary": summary,
        "description": description or summary,
        "keywords": keywords,
    }


HOMEPAGE, MAINTENANCE, STREET_LIGHT = "가온 홈페이지 이전", "한결 응용 유지관리", "다온 스마트 가로등"
APPROVAL, PAYMENT = "누리 스마트 전자결재", "가온 간편 전자결제"
ON_PREMISE = "미르 설치형 백업"
DRM, LEAK = "한결 문서 DRM", "마루 상수도 검침"
MOVING, ENERGY = "미르 서버 이전", "도담 건물 에너지 관리"
SERVICES = [
    _service("s-01", HOMEPAGE, "기관 홈페이지를 클라우드로 옮기는 서비스", ["홈페이지", "이전"]),
    _service("s-02", MAINTENANCE, "업무 시스템의 오류 수정과 개선", ["유지관리", "유지보수"]),
    _service(
        "s-03",
        STREET_LIGHT,
        "가로등을 원격으로 켜고 끄는 관제",
        ["가로등"],
        "가로등 점등을 원격 제어하고 고장 나면 유지보수 업체에 알립니다. 관제 화면을 만들어 드립니다.",
    ),
    _service("s-04", APPROVAL, "기안과 결재를 온라인으로 처리", ["전자결재", "기안"]),
    _service("s-05", PAYMENT, "시설 이용료를 카드로 받는 전자결제", ["전자결제", "간편결제"]),
    _service("s-06", ON_PREMISE, "온프레미스 서버에 설치하는 백업", ["백업", "온프레미스"]),
    _service("s-07", DRM, "문서를 암호화해 밖으로 나가지 않게 하는 DRM", ["DRM", "문서보안"]),
    _service("s-08", LEAK, "상수도 검침과 누수 감지", ["누수", "원격검침"]),
    _service("s-09", MOVING, "기관 서버를 클라우드로 옮기는 이전", ["이전", "마이그레이션"]),
    _service("s-10", ENERGY, "공공건물의 에너지 사용량을 줄이는 관리", ["에너지", "BEMS"]),
    *(_service(f"s-{n}", f"한결 서버 구축 {n}", "클라우드 서버 구축과 운영", ["서버"]) for n in range(20, 32)),
]


@pytest.fixture
def catalog(db, tmp_path):
    return imported(db, tmp_path, SERVICES, "specific.jsonl")


def _names(client, query):
    return names_of(_search(client, query))


def test_the_rarer_word_of_a_compound_the_catalog_writes_apart_leads(catalog, client):
    names = _names(client, "홈페이지 구축 유지보수")
    assert set(names[:2]) == {HOMEPAGE, MAINTENANCE}
    assert STREET_LIGHT not in names[:2]


def test_a_verb_of_asking_is_not_searched_for(catalog, client):
    names = _names(client, "홈페이지 만들기")
    assert names[0] == HOMEPAGE
    assert STREET_LIGHT not in names  # its text says 만들어, which is not what the buyer asks for


def test_e_approval_misspelt_as_payment_finds_both_the_word_as_written_first(catalog, client):
    names = _names(client, "전자결제 시스템 도입")
    assert names[:2] == [PAYMENT, APPROVAL]
    assert _names(client, "전자결재")[0] == APPROVAL


def test_building_is_not_read_as_on_premise(catalog, client):
    names = _names(client, "홈페이지 구축")
    assert names[0] == HOMEPAGE
    assert ON_PREMISE not in names  # 구축형 is on-premise, 구축 alone is building


@pytest.mark.parametrize(
    ("query", "wanted"),
    [("문서 유출 방지", DRM), ("물 새는 곳 찾기", LEAK), ("서버 이사", MOVING), ("전기 아끼기", ENERGY)],
)
def test_a_need_in_everyday_words_finds_the_service_named_in_the_trade_s_words(catalog, client, query, wanted):
    assert _names(client, query)[0] == wanted
