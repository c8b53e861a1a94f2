"""A service's public page lists the supplier's other published services, and only those."""

from digitalmarket.catalog.importer import import_files
from tests.catalog.test_import import GOOD, _write

OTHER_SUPPLIER = {"business_number": "2148627859", "name": "새빛정보기술", "size": "sme"}


def test_a_service_page_lists_the_suppliers_other_published_services(db, client, tmp_path):
    rows = [
        GOOD,
        {**GOOD, "ref": "t-002", "name": "시험 메신저"},
        {**GOOD, "ref": "t-003", "name": "시험 화상회의", "csap": {"grade": "하", "valid_until": "2020-01-31"}},
        {**GOOD, "ref": "t-004", "name": "다른 회사 그룹웨어", "supplier": OTHER_SUPPLIER},
    ]
    import_files(db.transaction, [_write(tmp_path, "services.jsonl", rows)])
    codes = {item["ref"]: item["code"] for item in client.get("/api/v1/services").json()["items"]}
    assert set(codes) == {"t-001", "t-002", "t-004"}  # t-003's certificate ran out: imported as suspended

    page = client.get(f"/services/{codes['t-001']}")
    assert page.status_code == 200
    others = page.text.split('id="supplier-heading"', 1)[1].split("</section>", 1)[0]
    assert f'href="/services/{codes["t-002"]}"' in others and "시험 메신저" in others
    assert "시험 화상회의" not in others and "다른 회사 그룹웨어" not in others
    assert f'href="/services/{codes["t-001"]}"' not in others  # not the service itself

    alone = client.get(f"/services/{codes['t-004']}").text.split('id="supplier-heading"', 1)[1]
    assert "<ul" not in alone.split("</section>", 1)[0]


def test_back_to_the_digital_services_returns_to_the_search_the_service_was_opened_from(db, client, tmp_path):
    import_files(db.transaction, [_write(tmp_path, "services.jsonl", [GOOD])])
    code = client.get("/api/v1/services").json()["items"][0]["code"]

    def back(**headers) -> str:
        page = client.get(f"/services/{code}", headers=headers).text
        return page.split('<p class="dm-back"><a href="', 1)[1].split('"', 1)[0]

    searched = "http://testserver/services?q=%ED%99%94%EC%83%81&sort=price&page=2"
    assert back(Referer=searched) == "/services?q=%ED%99%94%EC%83%81&amp;sort=price&amp;page=2"
    assert back() == "/services"  # opened directly
    assert back(Referer="https://elsewhere.example/services?q=x") == "/services"  # another site's search is not ours
    assert back(Referer="http://testserver/agency") == "/services"
