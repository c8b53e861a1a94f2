"""What a buyer names and how a buyer misspells: a service code opens that service, a name comes first, a
brand gives its supplier's services, and short misspelt words are corrected with "이것을 찾으셨나요" (did you
mean), through the API and the catalog page, on both databases."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from tests.catalog.test_import import GOOD
from tests.search.catalogs import imported

HANGYEOL = {"business_number": "2208112341", "name": "한결소프트 주식회사", "size": "sme"}
GAON = {"business_number": "3148623454", "name": "(주)가온클라우드", "size": "middle"}
VIRTUAL = GOOD["supplier"]


def _service(ref, name, supplier, summary, keywords, category="협업·그룹웨어"):
    return {
        **GOOD,
        "ref": ref,
        "name": name,
        "supplier": supplier,
        "summary": summary,
        "description": summary,
        "keywords": keywords,
        "features": [],
        "category": category,
    }


SERVICES = [
    _service("n-01", "한결 화상회의 클라우드", HANGYEOL, "기관 영상 회의 서비스", ["화상회의"]),
    _service("n-02", "한결 웹메일", HANGYEOL, "기관 전자우편 서비스", ["메일"]),
    _service("n-03", "한결 화상회의 클라우드 녹화", HANGYEOL, "회의 녹화 보관", ["녹화"]),
    _service("n-04", "가온 화상회의", GAON, "한결같이 안정적인 화상회의 클라우드", ["화상회의", "클라우드"]),
    _service("n-05", "가온 민원 챗봇", GAON, "민원 상담 챗봇 서비스", ["챗봇", "민원"]),
    _service("n-06", "가온 서버 백업", GAON, "가상 서버와 데이터베이스의 백업", ["백업", "서버"]),
    _service("n-07", "가온 클라우드 스토리지", GAON, "파일 보관 클라우드 서비스", ["스토리지", "클라우드"]),
    _service("n-08", "원격 데스크톱 VDI", VIRTUAL, "SAS 통계 프로그램도 쓰는 가상 데스크톱", ["VDI"]),
]


@pytest.fixture
def catalog(db, tmp_path):
    return imported(db, tmp_path, SERVICES, "names.jsonl")


def _search(client, q, **params):
    response = client.get("/api/v1/services", params={"q": q, **params})
    assert response.status_code == 200, response.text
    return response.json()


def _names(listing):
    return [item["name"] for item in listing["items"]]


def test_a_service_code_opens_that_service_alone_in_any_case(catalog, client):
    everything = client.get("/api/v1/services", params={"per_page": 100}).json()["items"]
    code = next(item["code"] for item in everything if item["name"] == "가온 서버 백업")
    # the VDI's text says SAS (the statistics program), as the code of a SaaS does: not what the buyer named
    letters, year, number = code.split("-")
    as_written = (
        code,
        code.lower(),
        f"  {code} ",
        f"{letters} {year} {number}",  # as copied from a paper form
        f"{letters}{year}{number}".lower(),
        f"{letters}-{year}-{int(number)}",  # without the number's leading zeros
    )
    for written in as_written:
        found = _search(client, written)
        assert _names(found) == ["가온 서버 백업"], written
        assert found["total"] == 1 and found["did_you_mean"] is None
        assert found["total_every_word"] == 1 and found["missing_words"] == []


def test_an_exact_or_beginning_name_ranks_first(catalog, client):
    assert _names(_search(client, "한결 화상회의 클라우드"))[0] == "한결 화상회의 클라우드"
    assert _names(_search(client, "한결화상회의클라우드"))[0] == "한결 화상회의 클라우드"  # spaces left out
    # the name begun: the shorter of the two names that begin so comes first
    assert _names(_search(client, "한결 화상"))[:2] == ["한결 화상회의 클라우드", "한결 화상회의 클라우드 녹화"]


def test_a_brand_returns_its_suppliers_services_only(catalog, client):
    brand = _search(client, "한결")
    assert sorted(_names(brand)) == ["한결 웹메일", "한결 화상회의 클라우드", "한결 화상회의 클라우드 녹화"]
    assert brand["total"] == 3  # not 가온 화상회의, whose text says 한결같이
    company = _search(client, "(주)가온클라우드")  # the legal form is noise
    assert company["total"] == 4 and all(name.startswith("가온") for name in _names(company))
    assert _search(client, "가온클라우드 주식회사")["total"] == 4
    # a brand and a need: the brand's service for that need first, then the others
    both = _names(_search(client, "가온 화상회의"))
    assert both[0] == "가온 화상회의" and "한결 화상회의 클라우드" in both


@pytest.mark.parametrize(
    ("misspelt", "meant", "service"), [("쳇봇", "챗봇", "가온 민원 챗봇"), ("벡업", "백업", "가온 서버 백업")]
)
def test_a_short_misspelt_word_is_corrected_and_offered(catalog, client, misspelt, meant, service):
    found = _search(client, misspelt)
    assert _names(found)[:1] == [service]
    assert found["did_you_mean"] == meant
    page = client.get("/services", params={"q": misspelt})
    offered = re.search(r'id="did-you-mean">(.*?)</p>', page.text, re.S)
    assert offered and "이것을 찾으셨나요:" in offered.group(1) and f"<strong>{meant}</strong>" in offered.group(1)
    link = re.search(r'href="([^"]+)"', offered.group(1)).group(1)
    assert unquote(link) == f"/services?q={meant}"


@pytest.mark.parametrize(
    ("misspelt", "meant", "service"),
    [
        ("VID", "vdi", "원격 데스크톱 VDI"),  # a three-letter abbreviation with two letters swapped
        ("AI쳇봇", "ai챗봇", "가온 민원 챗봇"),  # Hangul and Latin in one word: the misspelt run is corrected
        ("민원 쳇봇을", "민원 챗봇을", "가온 민원 챗봇"),  # with a particle, next to a word found as written
    ],
)
def test_abbreviations_and_mixed_words_are_corrected_too(catalog, client, misspelt, meant, service):
    found = _search(client, misspelt)
    assert _names(found)[:1] == [service]
    assert found["did_you_mean"] == meant


def test_words_found_as_written_offer_no_correction(catalog, client):
    assert _search(client, "챗봇")["did_you_mean"] is None
    assert _search(client, "서버 백업")["did_you_mean"] is None


LEDGER_SERVICES = [
    _service("w-01", "가온 정부 문서 관리", GAON, "정부 기관의 공문서 관리", ["문서"]),
    _service("w-02", "한결 회계 관리", HANGYEOL, "기관 회계와 예산 관리", ["회계"]),
    _service("w-03", "가온 클라우드 백업", GAON, "클라우드 서버 백업", ["백업"]),
    _service("w-04", "한결 데이터 시각화", HANGYEOL, "기관 데이터를 한눈에", ["시각화"]),
    _service("w-05", "가온 해양 관측", GAON, "바다의 수온과 파고를 관측", ["해양"]),
    _service("w-06", "한결 원격 접속 게이트웨이", HANGYEOL, "집에서 기관 시스템에 원격 접속", ["재택근무"]),
    _service("w-07", "가온 모바일 개발 도구", GAON, "모바일 화면을 빠르게 개발", ["모바일"]),
]


@pytest.fixture
def words_of_their_own(db, tmp_path):
    return imported(db, tmp_path, LEDGER_SERVICES, "ledger.jsonl")


def test_a_word_of_its_own_is_not_corrected_into_an_unrelated_catalog_word(words_of_their_own, client):
    """장부 (a ledger) is a Korean word the catalog lacks, one letter from 정부 (government), which it holds:
    Kiwi's morpheme vectors put the two far apart, so the page offers no 회계 정부 and says that no service
    mentions 장부. A spelling of the same word (크라우드 for 클라우드) is still corrected, and a loanword
    written as people often write it (데이타) finds the standard spelling (데이터)."""
    ledger = _search(client, "회계 장부")
    assert ledger["did_you_mean"] is None
    assert _names(ledger) == ["한결 회계 관리"] and ledger["missing_words"] == ["장부"]
    page = client.get("/services", params={"q": "회계 장부"}).text
    assert re.findall(r'id="did-you-mean">(.*?)</p>', page, re.S) == [], "no correction is offered"
    assert "“장부”는 어느 서비스에도 없는 낱말이라 빼고 찾았습니다." in page
    crowd = _search(client, "크라우드 백업")
    assert crowd["did_you_mean"] == "클라우드 백업" and _names(crowd)[:1] == ["가온 클라우드 백업"]
    data = _search(client, "데이타 시각화")
    assert _names(data)[:1] == ["한결 데이터 시각화"] and data["missing_words"] == []


def test_a_noun_made_a_verb_is_not_read_as_glued_words(words_of_their_own, client):
    """접속해야 (접속 + 하 + 어야: "must connect") is a verb form of a word the catalog lacks; it was read as
    접속 glued to a misspelt 해양 (the sea), and the page offered "원격 접속해양 해요"."""
    found = _search(client, "원격 접속해야 해요")
    assert found["did_you_mean"] is None
    assert _names(found)[:1] == ["한결 원격 접속 게이트웨이"] and "가온 해양 관측" not in _names(found)


def test_a_compound_no_service_holds_whole_is_not_named_glued(words_of_their_own, client):
    """모바일 앱 개발: no service says 앱 개발 as one phrase, so it is searched as its words. The page named
    “앱개발” as a word no service holds: a word the buyer never wrote, glued from two of theirs."""
    found = _search(client, "모바일 앱 개발")
    assert _names(found)[:1] == ["가온 모바일 개발 도구"]
    assert "앱개발" not in found["missing_words"]
    assert "“앱개발”" not in client.get("/services", params={"q": "모바일 앱 개발"}).text
