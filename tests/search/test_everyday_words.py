"""Needs written in everyday words find the services that use the catalog's words: a word of a compound
brings its own synonyms (월급 of 월급 계산 finds 급여), a generic word glued to a compound
(재난안전관리시스템) is read as if written apart, and the vocabulary covers everyday names (엑셀 for a
spreadsheet, 출장비 for 여비, video call for 영상통화, 폐쇄망 for 내부망, 티베로 for a
Korean DBMS, 지진 for a disaster)."""

from __future__ import annotations

import pytest

from tests.search.catalogs import imported, service
from tests.search.test_names_and_typos import _names as names_of
from tests.search.test_names_and_typos import _search

PAYROLL = "온누리 인사 클라우드"
DISASTER = "가온 재난안전 플랫폼"
SERVICES = [
    service("e-01", PAYROLL, "직원의 급여와 인사 기록을 한곳에서", ["인사", "급여"], "인사·급여"),
    service("e-02", "다온 공학 도구", "공학 계산을 돕는 도구", ["공학"]),
    service("e-03", DISASTER, "재난안전 상황을 한눈에 보고 관리합니다", ["재난안전"], "스마트시티·IoT"),
    *(service(f"e-{n}", f"한결 재난 관리 시스템 {n}", "시설 재난 관리 시스템", ["시설"]) for n in range(10, 22)),
    service("e-04", "새봄 웹 스프레드시트", "표 계산과 공동 편집", ["스프레드시트"]),
    service("e-05", "가람 여비 정산", "공무원 여비를 정산합니다", ["여비", "경비정산"], "재무·회계"),
    service("e-06", "이음 영상통화", "민원인과 영상통화로 상담", ["영상통화"], "민원·상담"),
    service("e-07", "라온 메신저", "어디서나 쓰는 업무 메신저", ["메신저"], "협업·그룹웨어"),
    service("e-08", "누리 내부망 메신저", "인터넷이 끊긴 내부망에서 쓰는 업무 메신저", ["메신저"], "협업·그룹웨어"),
    service("e-31", "새봄 마음건강 검진", "우울·불안 자가검진과 정신건강 상담 예약", ["정신건강"], "헬스케어"),
    service("e-32", "미르 국산 DBMS", "국산 오픈소스 DBMS를 관리형으로 운영", ["DBMS"], "데이터베이스", type="PaaS"),
    service("e-33", "아라 관리형 PostgreSQL", "PostgreSQL을 관리형으로", ["PostgreSQL"], "데이터베이스", type="PaaS"),
    service("e-34", "한빛 개인정보 비식별", "개인정보를 찾아 비식별 처리", ["비식별"], "보안"),
    service("e-36", "라온 민원 접수", "주민 민원을 접수하고 처리 결과를 알립니다", ["민원"], "민원·상담"),
    service("e-37", "든든 악성코드 차단", "PC의 악성코드와 랜섬웨어를 막습니다", ["악성코드"], "보안"),
    service("e-38", "다온 병원 EMR", "공공병원의 진료 기록을 관리하는 전자의무기록", ["EMR"], "헬스케어"),
    service("e-39", "미르 웹방화벽", "홈페이지를 해킹 공격에서 지키는 웹방화벽", ["WAF"], "보안"),
    service("e-40", "가온 개발 환경", "eGovernment 표준프레임워크", ["프레임워크"], "개발·배포", type="PaaS"),
    service("e-41", "라온 연수원", "공무원 연수 과정을 여는 온라인 연수원", ["연수"], "교육·이러닝"),
    service("e-42", "대한 복구 훈련", "재해복구 모의 훈련", ["훈련"], "백업·DR", type="IaaS"),
    service("e-35", "별빛 재난안전 상황판", "재난 상황을 모아 보여 주는 재난안전", ["재난안전"], "스마트시티·IoT"),
]


@pytest.fixture
def catalog(db, tmp_path):
    return imported(db, tmp_path, SERVICES, "everyday.jsonl")


def _names(client, query):
    return names_of(_search(client, query))


def test_a_word_of_a_compound_brings_its_synonyms(catalog, client):
    assert PAYROLL in _names(client, "월급 계산")  # the service says 급여, never 월급


def test_a_generic_word_glued_to_a_compound_is_read_as_written_apart(catalog, client):
    names = _names(client, "재난안전관리시스템")
    assert names[:1] == [DISASTER]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("엑셀", "새봄 웹 스프레드시트"),
        ("출장비 정산", "가람 여비 정산"),
        ("video call", "이음 영상통화"),
        ("폐쇄망 메신저", "누리 내부망 메신저"),  # a closed network is the agency's 내부망 (업무망)
        ("air-gapped network", "누리 내부망 메신저"),
        ("우울증", "새봄 마음건강 검진"),  # the service says 우울 and 정신건강
        ("티베로", "미르 국산 DBMS"),  # a Korean database product by name finds the Korean DBMS
        ("cubrid", "미르 국산 DBMS"),
        ("postgres", "아라 관리형 PostgreSQL"),
        ("개인정보 가리기", "한빛 개인정보 비식별"),  # hiding personal data is masking, de-identification
        ("고충 처리", "라온 민원 접수"),  # a grievance is a 민원
        ("멀웨어", "든든 악성코드 차단"),
        ("환자 기록 전산화", "다온 병원 EMR"),  # a patient's record is the 진료 기록, the 전자의무기록
        ("홈페이지 위변조", "미르 웹방화벽"),  # defacing a site is hacking it
    ],
)
def test_everyday_names_find_the_catalog_s_words(catalog, client, query, found):
    assert _names(client, query)[:1] == [found]


@pytest.mark.parametrize("query", ["지진", "산불 대응", "typhoon"])
def test_a_kind_of_disaster_finds_the_services_for_disasters(catalog, client, query):
    names = _names(client, query)  # no service names an earthquake, a wildfire or a typhoon
    assert "별빛 재난안전 상황판" in names and DISASTER in names
    assert PAYROLL not in names


def test_english_function_words_say_nothing_and_a_plural_finds_its_singular(catalog, client):
    # "and" is in the English names of most categories (Collaboration and groupware): it must not match them
    assert _names(client, "the payroll and") == [PAYROLL]
    assert _names(client, "spreadsheets")[:1] == ["새봄 웹 스프레드시트"]  # spreadsheet = 스프레드시트
    # every service here is for government: the word is not misspelt eGovernment, and tells none apart
    found = _search(client, "payroll for government")
    assert found["did_you_mean"] is None and names_of(found)[:1] == [PAYROLL]


def test_staff_says_for_whom_not_what(catalog, client):
    """직원 is who a service is for: 직원 연수 is a course, not whatever mentions staff (the payroll service
    says 직원 twice); and 연수 is no drill (훈련 brings 교육, 연수 does not bring 훈련)."""
    names = _names(client, "직원 연수")
    assert names[:1] == ["라온 연수원"] and "대한 복구 훈련" not in names
    assert _names(client, "직원 관리")[:1] == [PAYROLL]  # 직원 관리 is 인사 관리
