"""Pseudo-relevance feedback: a service described in other words than the query's is found through the
words the best matches share, and switching the piece off (``DM_SEARCH_OFF=feedback``) loses it."""

from __future__ import annotations

import pytest

from digitalmarket.search.settings import ENVIRONMENT
from tests.catalog.test_import import GOOD
from tests.search.catalogs import imported

SUPPLIER = GOOD["supplier"]


def _service(ref, name, summary, keywords, category="협업·그룹웨어"):
    return {
        **GOOD,
        "ref": ref,
        "name": name,
        "summary": summary,
        "description": summary,
        "keywords": keywords,
        "features": [],
        "category": category,
    }


SERVICES = [
    _service("f-01", "가온 급여 관리", "기관의 급여 계산 서비스", ["급여", "연말정산", "4대보험"]),
    _service("f-02", "한결 급여 클라우드", "급여 명세서를 만드는 서비스", ["급여", "연말정산", "4대보험"]),
    _service("f-03", "다온 인건비 정산", "직원 인건비를 정산하는 서비스", ["연말정산", "4대보험", "인건비"]),
    _service("f-04", "가온 화상회의", "영상 회의 서비스", ["화상회의"]),
    _service("f-05", "한결 웹메일", "기관 전자우편", ["메일"]),
    _service("f-06", "다온 전자결재", "결재 문서 서비스", ["전자결재"]),
]


@pytest.fixture
def catalog(db, tmp_path):
    return imported(db, tmp_path, SERVICES, "feedback.jsonl")


def _names(client, q):
    response = client.get("/api/v1/services", params={"q": q})
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["items"]]


def test_a_service_described_in_other_words_is_found_after_those_the_words_find(catalog, client, monkeypatch):
    found = _names(client, "급여")
    assert sorted(found[:2]) == ["가온 급여 관리", "한결 급여 클라우드"]  # what the word finds comes first
    assert found[2:] == ["다온 인건비 정산"]  # it never says 급여, but what the first two share: 연말정산, 4대보험
    monkeypatch.setenv(ENVIRONMENT, "feedback")  # the piece switched off (a new question: 급여를)
    assert sorted(_names(client, "급여를")) == ["가온 급여 관리", "한결 급여 클라우드"]
