"""A constraint written with a typo (중소기엽, 상 등굽) filters as if written right, and its chip takes out
the words the buyer typed."""

from __future__ import annotations

import pytest

from tests.search.catalogs import imported
from tests.search.test_names_and_typos import GAON, HANGYEOL, _names, _search
from tests.search.test_understanding import _service

SERVICES = [
    {**_service("k-01", "가온 화상회의", GAON, "상", 15000), "description": "CSAP 상 등급 인증을 받은 화상회의"},
    _service("k-02", "한결 화상회의 클라우드", HANGYEOL, "하", 8000),
    _service("k-03", "한결 백업 스토리지", HANGYEOL, "상", 50000, "IaaS", "컴퓨팅"),
]


@pytest.fixture
def catalog(db, tmp_path):
    return imported(db, tmp_path, SERVICES, "typed.jsonl")


def test_a_misspelt_supplier_size_filters_as_written_right(catalog, client):
    listing = _search(client, "중소기엽 화상회의")
    assert _names(listing) == ["한결 화상회의 클라우드"]  # 가온's supplier is a middle company
    assert listing["did_you_mean"] == "중소기업 화상회의"
    assert listing["understood"] == [
        {"field": "size", "value": "sme", "phrase": "중소기엽", "without": "화상회의", "total_without": 2}
    ]


def test_a_misspelt_csap_grade_filters_as_written_right(catalog, client):
    listing = _search(client, "상 등굽 화상회의")
    assert _names(listing) == ["가온 화상회의"]
    assert [(u["field"], u["value"], u["without"]) for u in listing["understood"]] == [("csap", "상", "화상회의")]


def test_a_chosen_facet_wins_over_a_misspelt_constraint(catalog, client):
    listing = _search(client, "중소기엽 화상회의", size="middle")
    assert _names(listing) == ["가온 화상회의"]
    assert listing["understood"] == []


def test_did_you_mean_keeps_the_conditions_and_the_words_as_typed(catalog, client):
    listing = _search(client, "상 등급 IaaS 벡업")
    assert _names(listing) == ["한결 백업 스토리지"]
    assert listing["did_you_mean"] == "상 등급 IaaS 백업"  # following it keeps both conditions
    assert _names(_search(client, listing["did_you_mean"])) == ["한결 백업 스토리지"]
    assert _search(client, "ㅁ 화상회으")["did_you_mean"] == "ㅁ 화상회의"  # not a conjoining ᄆ
