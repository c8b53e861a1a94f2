"""Finding services as a searcher does: filters with facet counts, sorts, pages, highlighted snippets,
typo tolerance and suggestions, through the API and the catalog page, on both databases."""

import pytest

from digitalmarket.catalog.importer import import_files
from tests.catalog.test_import import GOOD, _write
from tests.conftest import shared_dir

SAMPLE = shared_dir() / "data" / "search-dev" / "services.jsonl"
needs_sample = pytest.mark.skipif(not SAMPLE.exists(), reason="the shared search sample is absent")


@pytest.fixture
def catalog(db):
    import_files(db.transaction, [SAMPLE])
    return db


def _get(client, **params):
    response = client.get("/api/v1/services", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _counts(listing, facet):
    return {option["value"]: option["count"] for option in listing["facets"][facet]}


@needs_sample
def test_filters_narrow_the_results_and_facets_count_what_each_choice_would_give(catalog, client):
    everything = _get(client, per_page=100)
    saas = _get(client, type="SaaS", per_page=100)
    assert saas["total"] == _counts(everything, "type")["SaaS"] < everything["total"]
    assert {item["type"] for item in saas["items"]} == {"SaaS"}
    # the type facet ignores the chosen type, so the other types stay visible with their counts
    assert _counts(saas, "type") == _counts(everything, "type")
    assert sum(_counts(saas, "csap").values()) == saas["total"]
    both = _get(client, type="SaaS", csap="하", per_page=100)
    assert both["total"] == _counts(saas, "csap")["하"]
    assert all(item["csap_grade"] == "하" for item in both["items"])
    chosen = [o for o in both["facets"]["type"] if o["chosen"]]
    assert [(o["value"], o["label"]) for o in chosen] == [("SaaS", "클라우드 소프트웨어(SaaS)")]


@needs_sample
def test_price_range_size_and_deployment_filters(catalog, client):
    cheap = _get(client, price_max=50000, per_page=100)
    assert cheap["total"] and all(item["main_price"]["amount"] <= 50000 for item in cheap["items"])
    band = _get(client, price_min=100000, price_max=999999, per_page=100)
    assert all(100000 <= item["main_price"]["amount"] <= 999999 for item in band["items"])
    assert band["total"] == _counts(_get(client), "price").get("100000-999999", 0)
    sme = _get(client, size="sme", deployment="public", per_page=100)
    assert sme["total"] and all(i["supplier_size"] == "sme" and i["deployment"] == "public" for i in sme["items"])
    assert _get(client, contract="true")["total"] == 0  # no catalog contract exists yet


@needs_sample
def test_sorts_and_pages(catalog, client):
    by_price = _get(client, sort="price", per_page=100)["items"]
    prices = [item["main_price"]["amount"] for item in by_price]
    assert prices == sorted(prices)
    newest = _get(client, per_page=100)["items"]
    assert [i["published_at"] for i in newest] == sorted((i["published_at"] for i in newest), reverse=True)
    first, second = _get(client, per_page=10), _get(client, per_page=10, page=2)
    assert first["pages"] == -(-first["total"] // 10) and second["page"] == 2
    codes = [i["code"] for i in first["items"] + second["items"]]
    assert len(codes) == len(set(codes)) == 20
    assert codes == [i["code"] for i in newest[:20]]
    assert _get(client, page=999)["items"] == []
    relevant = _get(client, q="회계")
    assert relevant["sort"] == "relevance"
    scores = [item["score"] for item in relevant["items"]]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0


@needs_sample
def test_the_pages_of_a_query_followed_by_cursor_list_each_result_once_and_follow_the_catalog(
    catalog, client, tmp_path
):
    whole = _get(client, q="클라우드 보안", per_page=30)
    assert 9 <= whole["total"] <= 30
    pages, cursor = [], None
    while len(pages) < 3:
        page = _get(client, q="클라우드 보안", limit=3, **({"cursor": cursor} if cursor else {}))
        pages.append(page)
        cursor = page["next_cursor"]
    listed = [(item["code"], item["score"]) for page in pages for item in page["items"]]
    assert listed == [(item["code"], item["score"]) for item in whole["items"][:9]]
    assert {page["total"] for page in pages} == {whole["total"]}

    # a service published after the first pages is counted by the next one at once
    service = {**GOOD, "name": "시험 클라우드 보안 관제", "keywords": ["클라우드 보안"]}
    import_files(catalog.transaction, [_write(tmp_path, "new.jsonl", [service])])
    after = _get(client, q="클라우드 보안", limit=3, cursor=cursor)
    assert after["total"] == whole["total"] + 1
    assert "t-001" in [item["ref"] for item in _get(client, q="클라우드 보안", per_page=30)["items"]]


@needs_sample
def test_results_show_where_they_say_what_was_asked(catalog, client):
    items = _get(client, q="화상회의를 할 수 있는 서비스")["items"]
    assert items
    marked = [item["snippet"]["text"][start:end] for item in items[:5] for start, end in item["snippet"]["marks"]]
    assert "화상회의" in marked  # the words asked for, and their synonyms, are marked; nothing else
    allowed = ("화상", "회의", "영상", "비대면", "온라인", "원격", "웹", "미팅", "video", "conference")
    assert all(any(word in text.lower() for word in allowed) for text in marked), marked


def test_wrong_conditions_are_named_in_the_readers_language(db, client):
    response = client.get(
        "/api/v1/services",
        params={"type": "Cloud", "price_min": "abc", "sort": "cheapest"},
        headers={"Accept-Language": "ko"},
    )
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"type", "price_min", "sort"}
    assert "정수" in fields["price_min"] or "숫자" in fields["price_min"]
    english = client.get("/api/v1/services?price_min=5&price_max=1", headers={"Accept-Language": "en"})
    assert english.status_code == 422 and "lowest price" in english.json()["error"]["fields"]["price_max"]


def test_one_typo_in_a_long_word_is_forgiven(db, client, tmp_path):
    import_files(db.transaction, [_write(tmp_path, "a.jsonl", [GOOD])])
    assert [i["ref"] for i in _get(client, q="그룹웨여")["items"]] == ["t-001"]  # 그룹웨어, one letter off
    assert [i["ref"] for i in _get(client, q="그릅웨어를")["items"]] == ["t-001"]  # with a particle
    short = _get(client, q="시헝")  # 시험, one jamo off in a short word
    assert [i["ref"] for i in short["items"]] == ["t-001"] and short["did_you_mean"] == "시험"
    assert _get(client, q="사헝")["total"] == 0  # two jamo off: no guess


def test_suggestions_complete_names_initials_and_words(db, client, tmp_path):
    meeting = {**GOOD, "ref": "m", "name": "나래 화상회의", "keywords": ["화상회의"], "summary": "회의 도구"}
    import_files(db.transaction, [_write(tmp_path, "a.jsonl", [GOOD, meeting])])

    def texts(typed):
        response = client.get("/api/v1/services/suggestions", params={"q": typed})
        assert response.status_code == 200
        return [(s["text"], s["kind"]) for s in response.json()]

    assert texts("나래")[0] == ("나래 화상회의", "service")
    assert texts("ㅎㅅ")[0] == ("나래 화상회의", "service")  # initials of a word inside the name
    assert ("화상회의", "term") in texts("화상")
    assert texts("") == []
    fragment = client.get("/services/suggestions", params={"q": "시험"})
    assert fragment.status_code == 200 and '<option value="시험 그룹웨어">' in fragment.text


@needs_sample
def test_the_catalog_page_has_facets_sorting_highlights_pages_and_a_compare_form(catalog, client):
    page = client.get("/services", params={"q": "화상회의", "per_page": 5})
    assert page.status_code == 200
    html = page.text
    assert "<mark>" in html and 'action="/services/compare"' in html and 'name="codes"' in html
    assert "유형" in html and "CSAP 등급" in html and "정렬" in html
    assert 'aria-current="page"' in html  # the page navigation marks the current page
    filtered = client.get("/services", params={"q": "화상회의", "type": "SaaS", "csap": "중"})
    assert "CSAP 중" in filtered.text and "필터 모두 지우기" in filtered.text
    wrong = client.get("/services", params={"price_min": "싸게"})
    assert wrong.status_code == 422 and "dm-error-summary" in wrong.text


def test_a_query_in_initials_finds_services_by_supplier_name_too(db, client, tmp_path):
    import_files(db.transaction, [_write(tmp_path, "a.jsonl", [GOOD])])
    assert [i["ref"] for i in _get(client, q="ㄱㅅㅅㅍㅌ")["items"]] == ["t-001"]  # (주)가상소프트


@needs_sample
def test_each_facet_value_tells_a_screen_reader_how_many_services_it_holds(catalog, client):
    counts = _counts(_get(client), "type")
    korean = client.get("/services").text
    client.cookies.set("dm_lang", "en")
    english = client.get("/services").text
    for count in counts.values():
        assert f'<span class="sr-only">{count}개 서비스</span>' in korean
        assert f'<span class="sr-only">{count} service{"" if count == 1 else "s"}</span>' in english


def test_the_api_description_lists_every_search_condition_with_its_values(client):
    """An integrator reads the search's conditions, their allowed values and ranges from the API's own
    description, as for any other route."""
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/services"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert set(parameters) >= {"q", "type", "category", "csap", "size", "deployment", "region", "price_min"}
    assert {"limit", "cursor", "page", "per_page", "sort", "contract", "price_max"} <= set(parameters)
    assert all(p["in"] == "query" and p["required"] is False for p in parameters.values())
    kinds = parameters["type"]["schema"]["anyOf"][0]["enum"]
    assert set(kinds) == {"IaaS", "PaaS", "SaaS", "SUPPORT", "CONVERGENCE"}
    assert parameters["limit"]["schema"]["anyOf"][0]["maximum"] == 100
    assert "$ref" not in str(operation["parameters"])  # every schema written in place
