"""Search follows the steps of other stages at once, through their events: a supplier renamed or resized on
its profile is found as it is now, and a concluded contract counts in the service's number of contracts."""

from __future__ import annotations

from digitalmarket.catalog.importer import import_files
from tests.catalog.test_import import GOOD, _write
from tests.contracting.buying import contracted_order, people_of, publish
from tests.helpers import EVIDENCE_PDF, api_token


def _search(client, **params) -> dict:
    response = client.get("/api/v1/services", params=params)
    assert response.status_code == 200
    return response.json()


def _refs(client, q: str) -> list[str]:
    return [item["ref"] for item in _search(client, q=q)["items"]]


def _sizes(client) -> dict[str, int]:
    return {option["value"]: option["count"] for option in _search(client)["facets"]["size"]}


def test_a_renamed_and_resized_supplier_is_searched_as_it_is_now(demo, client, tmp_path):
    import_files(demo.transaction, [_write(tmp_path, "a.jsonl", [GOOD])])  # a service of (주)가상소프트
    (item,) = _search(client, q="가상소프트")["items"]  # the search facts and the result as written are in memory
    assert (item["ref"], item["supplier_size"]) == ("t-001", "sme")
    assert _sizes(client).get("sme") == 1 and not _sizes(client).get("large")
    before = client.get("/services", params={"q": "가상소프트"}).text  # the result as the page writes it
    assert "(주)가상소프트 (중소기업)" in before

    headers = api_token(demo, "supplier@demo.kr")
    evidence = ("증명.pdf", EVIDENCE_PDF, "application/pdf")
    asked = client.post(
        "/api/v1/supplier/identity-changes",
        data={"name": "한결데이터 주식회사", "size": "large"},
        files={"registration_file": evidence},
        headers=headers,
    )
    assert asked.status_code == 201, asked.text
    assert _refs(client, "한결데이터") == []  # the old name stays until the operator approves
    operator = api_token(demo, "operator@demo.kr")
    answer = client.post(f"/api/v1/operator/company-reviews/{asked.json()['id']}/approve", headers=operator)
    assert answer.status_code == 200

    assert _refs(client, "한결데이터") == ["t-001"]
    assert _refs(client, "가상소프트") == []
    (item,) = _search(client, q="한결데이터")["items"]  # the result as the API wrote it before, written again
    assert (item["supplier"], item["supplier_size"]) == ("한결데이터 주식회사", "large")
    assert _sizes(client).get("large") == 1 and not _sizes(client).get("sme")
    page = client.get("/services", params={"q": "한결데이터"})
    assert page.status_code == 200 and "시험 그룹웨어" in page.text
    assert "한결데이터 주식회사 (대기업)" in page.text and "(주)가상소프트" not in page.text
    assert "시험 그룹웨어" not in client.get("/services", params={"q": "가상소프트"}).text


def test_a_contract_counts_in_search_at_once(demo, client, tmp_path):
    people = people_of(demo)
    code = publish(demo, people.supplier, "가상웍스 그룹웨어")

    def contracts() -> int:
        (item,) = _search(client, q="가상웍스")["items"]
        assert item["code"] == code
        return item["contracts"]

    assert contracts() == 0
    contracted_order(demo, people, code)
    assert contracts() == 1


def test_a_renewed_certificate_is_shown_by_search_at_once(demo, client, tmp_path):
    import_files(demo.transaction, [_write(tmp_path, "a.jsonl", [GOOD])])  # CSAP 하 until 2028-01-31
    (item,) = _search(client, q="가상소프트")["items"]  # the result as shown is now in memory
    assert (item["csap_grade"], item["csap_valid_until"]) == ("하", "2028-01-31")
    assert "CSAP 하" in client.get("/services", params={"q": "가상소프트"}).text  # the page's result kept
    version = client.get(f"/api/v1/services/{item['code']}").json()["version"]
    renewed = client.put(
        f"/api/v1/services/{item['code']}/certificate",
        json={
            "version": version,
            "csap_grade": "중",
            "csap_certificate_number": "CSAP-SaaS-2026-0100",
            "csap_valid_until": "2029-06-30",
        },
        headers=api_token(demo, "supplier@demo.kr"),
    )
    assert renewed.status_code == 200, renewed.text

    (item,) = _search(client, q="가상소프트")["items"]
    assert (item["csap_grade"], item["csap_valid_until"]) == ("중", "2029-06-30")
    page = client.get("/services", params={"q": "가상소프트"}).text
    assert "CSAP 중" in page and "CSAP 하" not in page
    assert [i["ref"] for i in _search(client, csap="중")["items"]] == ["t-001"]
