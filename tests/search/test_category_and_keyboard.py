"""A service is found by its category's names, Korean and English (a service that says MSP only in its
category 운영관리(MSP)), and a word typed with the other input mode on is read as the keys it took (챗봇
typed in English mode is cotqht; VDI typed in Korean mode is ㅍㅇㅑ)."""

from __future__ import annotations

import pytest

from digitalmarket.catalog.importer import import_files
from digitalmarket.search.layout import hangul_from_keys, keys_from_hangul
from tests.catalog.test_import import _write
from tests.search.catalogs import imported, service

MANAGED = "한울타리 운영 대행"
SERVICES = [
    service(
        "c-01", MANAGED, "기관 시스템을 24시간 대신 운영합니다", ["운영 대행"], type="SUPPORT", category="운영관리(MSP)"
    ),
    service(
        "c-02",
        "가온 클라우드 이전",
        "기존 시스템을 옮기는 전환 서비스",
        ["전환"],
        type="SUPPORT",
        category="전환(마이그레이션)",
    ),
    service("c-03", "새봄 민원 챗봇", "민원 질문에 자동으로 답하는 챗봇", ["챗봇", "자동응답"], category="민원·상담"),
    service(
        "c-04",
        "나래 가상 데스크톱",
        "어디서나 쓰는 VDI 업무 환경",
        ["VDI", "가상 데스크톱"],
        type="IaaS",
        category="컴퓨팅",
    ),
    service("c-05", "한결 웹메일", "기관 전자우편", ["메일"]),
    service("c-06", "다온 화상회의", "영상으로 회의합니다", ["화상회의"], category="영상회의"),
]


@pytest.fixture
def catalog(db, tmp_path):
    return imported(db, tmp_path, SERVICES, "category.jsonl")


def _names(client, query):
    response = client.get("/api/v1/services", params={"q": query})
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["items"]], response.json()


def test_a_service_that_names_its_kind_only_in_its_category_is_found(catalog, client):
    names, _ = _names(client, "MSP")
    assert names[:1] == [MANAGED]
    names, _ = _names(client, "managed service")  # the category's English name: Managed service (MSP)
    assert names[:1] == [MANAGED]
    names, _ = _names(client, "마이그레이션")
    assert names[:1] == ["가온 클라우드 이전"]


def test_a_service_moved_to_another_category_is_found_by_the_new_one(catalog, client, tmp_path):
    moved = {**SERVICES[4], "category": "영상회의"}
    report = import_files(catalog.transaction, [_write(tmp_path, "moved.jsonl", [moved])])
    assert report.problems == [] and report.updated == 1
    names, _ = _names(client, "영상회의")
    assert "한결 웹메일" in names
    names, _ = _names(client, "그룹웨어")
    assert "한결 웹메일" not in names


def test_a_word_typed_in_english_mode_finds_what_its_keys_spell_in_korean(catalog, client):
    names, body = _names(client, "cotqht")  # 챗봇 typed with the English input mode on
    assert names[:1] == ["새봄 민원 챗봇"]
    assert body["did_you_mean"] == "챗봇"
    names, body = _names(client, "ghktkdghldml")  # 화상회의
    assert names[:1] == ["다온 화상회의"]
    assert body["did_you_mean"] == "화상회의"


def test_a_word_typed_in_korean_mode_finds_what_its_keys_spell_in_english(catalog, client):
    names, body = _names(client, "ㅍㅇㅑ")  # VDI typed with the Korean input mode on
    assert names[:1] == ["나래 가상 데스크톱"]
    assert body["did_you_mean"] == "vdi"


def test_a_word_the_catalog_knows_or_an_english_word_is_not_read_in_the_other_mode(catalog, client):
    _, body = _names(client, "챗봇")
    assert body["did_you_mean"] is None
    assert hangul_from_keys("cloud") is None  # ㅊㅣㅐㅕㅇ: vowels with no consonant, no Korean word
    assert hangul_from_keys("dkssud") == "안녕"
    assert hangul_from_keys("Rhkd") == "꽝"  # shifted keys type the tense consonants, vowels pair up
    assert hangul_from_keys("dlfr") == "읽"  # two consonants make one final
    assert hangul_from_keys("dlfrj") == "일거"  # a consonant before a vowel begins the next syllable
    assert keys_from_hangul("치ㅐㅕㅇ") == "cloud" and keys_from_hangul("꽝") == "Rhkd"
