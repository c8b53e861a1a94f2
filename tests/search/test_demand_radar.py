"""Zero results are data: a search that found nothing or little is kept once a day per words and filters,
counted each time it is asked, and shown to the operator, the administrators and suppliers on the demand
radar (검색 수요 레이더), page and API, most asked first; nobody's identity is kept. On both databases."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from digitalmarket.catalog.importer import import_files
from digitalmarket.core.clock import today_kst
from digitalmarket.search import misses
from digitalmarket.search.tables import SearchMiss
from tests.catalog.test_import import GOOD, _write
from tests.helpers import api_token, page_login

HANGYEOL = {"business_number": "2208112341", "name": "한결소프트 주식회사", "size": "sme"}
GAON = {"business_number": "3148623454", "name": "(주)가온클라우드", "size": "middle"}
NOTHING = "블록체인 전자투표"  # no service says it


def _service(ref, name, supplier, summary, keywords):
    return {
        **GOOD,
        "ref": ref,
        "name": name,
        "supplier": supplier,
        "summary": summary,
        "description": summary,
        "keywords": keywords,
        "features": [],
    }


SERVICES = [
    _service("r-01", "한결 화상회의 클라우드", HANGYEOL, "기관 영상 회의 서비스", ["화상회의"]),
    _service("r-02", "한결 화상회의 녹화", HANGYEOL, "화상회의 녹화 보관", ["화상회의", "녹화"]),
    _service("r-03", "가온 화상회의", GAON, "안정적인 화상회의 클라우드", ["화상회의"]),
    _service("r-04", "가온 민원 챗봇", GAON, "민원 상담 챗봇 서비스", ["챗봇", "민원"]),
    _service("r-05", "가온 서버 백업", GAON, "가상 서버와 데이터베이스의 백업", ["백업", "서버"]),
]


@pytest.fixture
def catalog(demo, tmp_path):
    """The demo's people and five published services, imported as an operator imports a catalog."""
    report = import_files(demo.transaction, [_write(tmp_path, "radar.jsonl", SERVICES)])
    assert report.problems == []
    return demo


@pytest.fixture
def operator(catalog):
    return api_token(catalog, "operator@demo.kr")


def _search(client, q, headers=None, **params):
    response = client.get("/api/v1/services", params={"q": q, **params}, headers=headers or {})
    assert response.status_code == 200, response.text
    return response.json()


def _radar(client, headers, **params):
    response = client.get("/api/v1/demand-radar", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _month() -> str:
    return today_kst().strftime("%Y-%m")


def _rows(db) -> int:
    """Rows kept: one per day, words and filters (the radar's answer sums them, so only the table tells)."""
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(SearchMiss))


def test_a_search_that_found_nothing_is_kept_once_a_day_and_counted_each_time(catalog, client, operator):
    assert _search(client, NOTHING)["total"] == 0
    for written in (NOTHING, f"  {NOTHING} ", "블록체인   전자투표"):  # spaces do not make another query
        _search(client, written)
    client.get("/services", params={"q": NOTHING})  # the page counts as the API does
    radar = _radar(client, operator)
    assert (radar["month"], radar["months"], radar["few"]) == (_month(), [_month()], misses.FEW)
    [item] = radar["items"]
    assert (item["query"], item["count"], item["result_count"]) == (NOTHING, 5, 0)
    assert (item["anonymous"], item["signed_in"]) == (5, 0)
    assert item["filters"] == [{}] and item["understood"] == [] and item["did_you_mean"] is None
    assert _rows(catalog) == 1


def test_latin_letters_are_kept_in_lower_case(catalog, client, operator):
    _search(client, "Quantum  KMS")
    _search(client, "quantum kms")
    assert [(i["query"], i["count"]) for i in _radar(client, operator)["items"]] == [("quantum kms", 2)]


def test_the_day_is_the_day_in_korea(catalog, client, operator, monkeypatch):
    """23:30 and 00:30 in Korea are two days, one row each; the month sums them."""
    for instant in (datetime(2026, 12, 5, 14, 30, tzinfo=UTC), datetime(2026, 12, 5, 15, 30, tzinfo=UTC)):
        monkeypatch.setattr(misses, "utcnow", lambda instant=instant: instant)
        _search(client, NOTHING)
    [item] = _radar(client, operator, month="2026-12")["items"]
    assert item["count"] == 2
    assert item["first_at"].startswith("2026-12-05T14:30") and item["last_at"].startswith("2026-12-05T15:30")
    assert _rows(catalog) == 2
    assert "2026-12" in _radar(client, operator)["months"]


def test_searches_that_found_enough_later_pages_and_named_services_are_not_kept(catalog, client, operator):
    assert _search(client, "화상회의")["total"] >= 3  # found enough
    assert _search(client, NOTHING, page="2")["total"] == 0  # a later page: its first was counted
    client.get("/services", params={"q": NOTHING, "page": "2"})
    assert _search(client, "")["total"] == 5  # no words: browsing, not looking for something
    named = _search(client, "가온 서버 백업")
    assert named["total"] <= misses.FEW and named["items"][0]["name"] == "가온 서버 백업"  # found what it named
    code = named["items"][0]["code"]
    assert _search(client, code.lower())["items"][0]["code"] == code
    assert _radar(client, operator)["items"] == []
    assert _rows(catalog) == 0


def test_a_few_results_are_kept_with_the_suggestion_and_the_conditions_read(catalog, client, operator):
    typo = _search(client, "쳇봇")
    assert typo["did_you_mean"] == "챗봇" and 1 <= typo["total"] <= misses.FEW
    understood = _search(client, f"CSAP 상 등급 {NOTHING}")
    assert [u["phrase"] for u in understood["understood"]] == ["CSAP 상 등급"] and understood["total"] == 0
    items = {item["query"]: item for item in _radar(client, operator)["items"]}
    assert (items["쳇봇"]["did_you_mean"], items["쳇봇"]["result_count"]) == ("챗봇", typo["total"])
    assert items[f"csap 상 등급 {NOTHING}"]["understood"] == ["csap 상 등급"]


def test_filters_chosen_are_kept_with_the_words(catalog, client, operator):
    _search(client, NOTHING, type="SaaS", csap="상")
    _search(client, NOTHING, csap="상", type="SaaS")
    _search(client, NOTHING)
    [item] = _radar(client, operator)["items"]
    assert item["count"] == 3 and item["filters"] == [{}, {"csap": "상", "type": "SaaS"}]
    assert _rows(catalog) == 2  # the same words with other filters are another question
    page_login(client, "supplier@demo.kr")
    assert "선택한 조건: " in client.get("/demand-radar").text


def test_who_searched_is_not_kept_only_whether_signed_in(catalog, client, operator):
    buyer = api_token(catalog, "buyer@demo.kr")
    _search(client, NOTHING, headers=buyer)
    _search(client, NOTHING, headers=buyer)
    _search(client, NOTHING)
    [item] = _radar(client, operator)["items"]
    assert (item["count"], item["signed_in"], item["anonymous"]) == (3, 2, 1)
    assert {column.name for column in SearchMiss.__table__.columns}.isdisjoint({"user_id", "organisation_id", "ip"})


def test_the_radar_lists_the_most_asked_first_on_the_api_and_the_page(catalog, client, operator):
    for words, times in (("전자투표", 1), ("양자 암호", 3), ("드론 관제", 2)):
        for _ in range(times):
            _search(client, words)
    radar = _radar(client, operator, month=_month())
    assert [(i["query"], i["count"]) for i in radar["items"]] == [("양자 암호", 3), ("드론 관제", 2), ("전자투표", 1)]
    page_login(client, "operator@demo.kr")
    page = client.get("/demand-radar")
    assert page.status_code == 200
    text = page.text
    for heading in ("검색어", "검색 횟수", "결과 수", "제안한 검색어(이것을 찾으셨나요)", "읽은 조건"):
        assert f">{heading}</th>" in text
    shown = re.findall(r'<th scope="row"[^>]*>\s*<a href="[^"]+">([^<]+)</a>', text)
    assert shown == ["양자 암호", "드론 관제", "전자투표"]
    assert f'href="/demand-radar?month={_month()}" aria-current="page"' in text
    assert " KST" in text  # the last search, in Korean time
    client.get("/lang/en")
    english = client.get("/demand-radar")
    assert "Times searched" in english.text and "Read as conditions" in english.text


def test_an_empty_month_says_what_the_page_shows(catalog, client):
    page_login(client, "supplier@demo.kr")
    page = client.get("/demand-radar", params={"month": "2020-01"})
    assert page.status_code == 200
    assert "2020-01에는 결과가 없거나 적었던 검색이 없습니다." in page.text
    assert "누가 검색했는지도, 그 주소도 남기지 않습니다." in page.text


def test_the_operator_administrators_and_suppliers_see_it_buyers_and_strangers_do_not(catalog, app):
    anonymous = TestClient(app)
    assert anonymous.get("/api/v1/demand-radar").status_code == 401
    refused = anonymous.get("/demand-radar", follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login")
    for email, status in (
        ("buyer@demo.kr", 403),
        ("operator@demo.kr", 200),
        ("admin@demo.kr", 200),
        ("supplier@demo.kr", 200),
        ("supplier2@demo.kr", 200),
    ):
        person = TestClient(app)
        page_login(person, email)
        assert person.get("/demand-radar").status_code == status, email
        assert person.get("/api/v1/demand-radar", headers=api_token(catalog, email)).status_code == status, email


def test_the_workspaces_of_the_operator_and_suppliers_link_to_it(catalog, client):
    for email, workspace in (("operator@demo.kr", "/operator"), ("supplier@demo.kr", "/supplier")):
        page_login(client, email)
        assert 'href="/demand-radar"' in client.get(workspace).text, email


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "december", "2026-12-01"])
def test_a_malformed_month_is_a_422_in_korean(catalog, client, operator, month):
    response = client.get("/api/v1/demand-radar", params={"month": month}, headers=operator)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert error["message"] == "월을 확인하세요."
    assert error["fields"] == {"month": "월을 YYYY-MM 형식으로 입력하세요."}
    page_login(client, "operator@demo.kr")
    page = client.get("/demand-radar", params={"month": month})
    assert page.status_code == 422 and "월을 YYYY-MM 형식으로 입력하세요." in page.text


def test_a_failure_to_record_is_logged_and_the_search_still_answers(catalog, client, operator, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(misses, "_upsert", broken)
    assert _search(client, NOTHING)["total"] == 0
    assert client.get("/services", params={"q": NOTHING}).status_code == 200
    assert "A search that found little was not recorded" in caplog.text
    assert _radar(client, operator)["items"] == []


def test_a_word_no_service_holds_is_named_and_the_search_kept_however_many_are_listed(catalog, client, operator):
    """화상회의 블록체인: three video meetings are listed, but none holds 블록체인. The page and the API say so,
    and the radar keeps the search as finding nothing as asked."""
    asked = "화상회의 블록체인"
    found = _search(client, asked)
    assert found["total"] == 3 and found["missing_words"] == ["블록체인"]
    assert all("화상회의" in item["name"] for item in found["items"])
    page = client.get("/services", params={"q": asked}).text
    assert "“블록체인”은 어느 서비스에도 없는 낱말이라 빼고 찾았습니다." in page
    # a misspelt word corrected, or the pieces of one found as a whole, are not missing
    assert _search(client, "화상회이")["missing_words"] == [] and _search(client, "화상회이")["did_you_mean"]
    assert _search(client, "화상회의")["missing_words"] == []
    assert 'id="missing-words"' not in client.get("/services", params={"q": "화상회의"}).text
    items = {item["query"]: item for item in _radar(client, operator)["items"]}
    assert items[asked]["result_count"] == 0 and items[asked]["count"] == 2  # the API's ask and the page's
    client.cookies.set("dm_lang", "en")
    english = client.get("/services", params={"q": asked}).text
    assert "No service mentions “블록체인”: these results leave it out." in english
