"""The comparison page and API over the demo services: what a buyer sees side by side."""

from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from digitalmarket.accounts.tables import Organisation
from digitalmarket.catalog import workflow as catalog
from digitalmarket.catalog.tables import Category, Service
from digitalmarket.demo import services as demo_services


class Table(HTMLParser):
    """The comparison table as a screen reader reads it (aria-hidden text left out, visually hidden text
    kept): per row its classes, the text of each cell and its links."""

    VOID = {"br", "img", "input", "meta", "link"}

    def __init__(self, html: str):
        super().__init__()
        self.rows: list[dict] = []
        self.caption = ""
        self._cell: list[str] | None = None
        self._in_caption = False
        self._open: list[bool] = []  # per open element: whether it is aria-hidden
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in self.VOID:
            self._open.append(attrs.get("aria-hidden") == "true")
        if tag == "caption":
            self._in_caption = True
        elif tag == "tr":
            self.rows.append({"classes": (attrs.get("class") or "").split(), "cells": [], "links": []})
        elif tag in ("td", "th") and self.rows:
            self._cell = []
        elif tag == "a" and self._cell is not None:
            self.rows[-1]["links"].append(attrs.get("href"))

    def handle_endtag(self, tag):
        if tag not in self.VOID and self._open:
            self._open.pop()
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None:
            self.rows[-1]["cells"].append(" ".join(" ".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if any(self._open):
            return
        if self._in_caption:
            self.caption += data.strip()
        elif self._cell is not None:
            self._cell.append(data)

    def row(self, label: str) -> dict:
        return next(r for r in self.rows if r["cells"] and r["cells"][0].startswith(label))


@pytest.fixture
def codes(demo) -> dict[str, str]:
    """The eight services of the demo accounts' companies (not the large generated catalog), published
    through the catalog's workflow, by name."""
    with demo.transaction() as session:
        categories = {(c.type, c.name_ko): c.id for c in session.scalars(select(Category))}
        suppliers = dict(session.execute(select(Organisation.business_number, Organisation.id)).all())
        for (
            number,
            kind,
            category,
            name,
            summary,
            description,
            features,
            keywords,
            grade,
            sla,
            plans,
        ) in demo_services.SERVICES:
            content = {
                "type": kind,
                "category_id": categories[(kind, category)],
                "name": name,
                "summary": summary,
                "description": description,
                "features": features,
                "keywords": keywords,
                "deployment": "public",
                "data_centre_location": "대한민국(세종·대전)",
                "sla_availability": sla,
                "support_hours": "평일 09:00-18:00, 장애 접수 24시간",
                "data_return_policy": "계약 종료 후 30일 안에 표준 형식으로 반환하고 파기 확인서를 제출합니다.",
                "price_plans": plans,
            }
            if grade:
                content |= {
                    "csap_grade": grade,
                    "csap_certificate_number": f"CSAP-{kind}-2025-{len(name):04d}",
                    "csap_valid_until": "2028-06-30",
                    "csap_underlying_iaas": "한빛 클라우드",
                }
            catalog.publish(session, actor_user_id=None, supplier_id=suppliers[number], content=content, origin="test")
    with demo.reading() as session:
        return {s.name: s.code for s in session.scalars(select(Service))}


def _url(*codes: str) -> str:
    return "/services/compare?" + "&".join(f"codes={c}" for c in codes)


def test_three_services_side_by_side_with_differences_and_the_lowest_price(client, codes):
    chosen = [codes["가상웍스 그룹웨어"], codes["가상결재 클라우드"], codes["나래 화상회의"]]
    page = client.get(_url(*chosen))
    assert page.status_code == 200
    table = Table(page.text)
    assert table.caption == "서비스 3개 비교"
    header = table.rows[0]
    assert [f"/services/{c}" for c in chosen] == [link for link in header["links"] if "compare" not in link]
    assert "가상웍스 그룹웨어" in header["cells"][1] and chosen[0] in header["cells"][1]
    # Each column can be removed: the same comparison without that service.
    assert _url(chosen[1], chosen[2]) in header["links"] and _url(chosen[0], chosen[1]) in header["links"]
    supplier = table.row("공급기업")
    assert "dm-differs" in supplier["classes"] and "(다름)" in supplier["cells"][0]
    deployment = table.row("배포 방식")
    assert "dm-differs" not in deployment["classes"] and deployment["cells"][1:] == ["공공(퍼블릭) 클라우드"] * 3
    per_user = table.row("최저가(사용자 1명·1개월)")
    assert per_user["cells"][1].startswith("9,000원") and "Standard" in per_user["cells"][1]
    assert per_user["cells"][2].startswith("7,000원 최저가")  # 가상결재 is the cheapest per user
    assert per_user["cells"][3].startswith("20,000원") and "최저가" not in per_user["cells"][3]
    flat = table.row("최저가(월 정액)")
    assert flat["cells"][1:3] == ["이 단위의 요금제 없음"] * 2 and flat["cells"][3].startswith("150,000원")


def test_prices_in_other_units_are_converted_and_explained(client, codes):
    page = client.get(_url(codes["한빛 클라우드 서버"], codes["한빛 백업·재해복구"], codes["누리 관리형 데이터베이스"]))
    table = Table(page.text)
    # The server's memory and the backup's storage are both priced per GB and month, but they are not
    # the same resource: each has its own row and neither is marked the lowest.
    memory = table.row("최저가(메모리 1GB·1개월)")
    assert memory["cells"][1].startswith("9,000원") and "최저가" not in memory["cells"][1]
    assert memory["cells"][2:] == ["이 단위의 요금제 없음"] * 2
    storage = table.row("최저가(저장공간 1GB·1개월)")
    assert storage["cells"][1] == "이 단위의 요금제 없음"
    assert storage["cells"][2].startswith("58.6원") and "최저가" not in storage["cells"][2]
    assert "TB/월당 60,000원" in storage["cells"][2]
    assert not any(r["cells"] and r["cells"][0] == "최저가(1GB·1개월)" for r in table.rows)
    per_vcpu = table.row("최저가(vCPU 1개·1시간)")
    assert per_vcpu["cells"][1].startswith("45원 최저가") and "730시간" in per_vcpu["cells"][1]
    assert per_vcpu["cells"][2] == "이 단위의 요금제 없음"


def test_support_hours_written_with_another_dash_are_not_a_difference(client, codes, demo):
    with demo.transaction() as session:
        supplier_id = session.scalars(select(Service)).first().supplier_id
        categories = {(c.type, c.name_ko): c.id for c in session.scalars(select(Category))}
        content = {
            **_content(categories[("SaaS", "협업·그룹웨어")]),
            "support_hours": "평일 09:00–18:00, 장애 접수 24시간",  # an en dash instead of a hyphen
            "data_return_policy": "계약 종료 후 30일 안에 표준 형식으로 반환하고 파기 확인서를 제출합니다.",
        }
        other = catalog.publish(session, actor_user_id=None, supplier_id=supplier_id, content=content, origin="test")
        code = other.code
    table = Table(client.get(_url(codes["가상웍스 그룹웨어"], code)).text)
    hours = table.row("지원 시간")
    assert hours["cells"][1:] == ["평일 09:00-18:00, 장애 접수 24시간", "평일 09:00–18:00, 장애 접수 24시간"]
    assert "dm-differs" not in hours["classes"] and "(다름)" not in hours["cells"][0]
    api = client.get("/api/v1/services/compare", params={"codes": [codes["가상웍스 그룹웨어"], code]}).json()
    assert {r["key"]: r["differs"] for r in api["rows"]}["support_hours"] is False
    # the codes apart by commas in one parameter ask the same
    joined = client.get("/api/v1/services/compare", params={"codes": f"{codes['가상웍스 그룹웨어']},{code}"})
    assert joined.status_code == 200 and joined.json() == api


def _content(category_id: int) -> dict:
    return {
        "type": "SaaS",
        "category_id": category_id,
        "name": "시험 협업 도구",
        "summary": "시험용 협업 도구",
        "description": "지원 시간을 다른 줄표로 적은 시험용 서비스입니다.",
        "deployment": "public",
        "sla_availability": "99.9",
        "csap_grade": "하",
        "csap_certificate_number": "CSAP-SaaS-2025-0001",
        "csap_valid_until": "2028-06-30",
        "price_plans": [{"name": "Standard", "billing": "monthly", "unit": "사용자/월", "unit_price": 9000}],
    }


def test_the_page_in_english(client, codes):
    client.cookies.set("dm_lang", "en")
    page = client.get(_url(codes["한빛 클라우드 서버"], codes["누리 클라우드 전환 컨설팅"]))
    table = Table(page.text)
    assert table.caption == "Comparison of 2 services"
    assert table.row("Type of service")["cells"][1:] == ["Cloud infrastructure (IaaS)", "Cloud support service"]
    assert table.row("CSAP certificate")["cells"][1:] == ["Grade High, valid until 2028-06-30", "None"]
    assert table.row("Lowest price per person-month")["cells"][2].startswith("12,000,000 won")


def test_with_fewer_than_two_services_the_page_explains_how_to_choose(client, codes):
    empty = client.get("/services/compare")
    assert empty.status_code == 200 and "비교할 서비스를 2개에서 4개까지 고르세요" in empty.text
    assert 'href="/services"' in empty.text and "<table" not in empty.text
    code = codes["가상웍스 그룹웨어"]
    one = client.get(_url(code, code.lower()))  # the same service twice counts once
    assert one.status_code == 200 and "가상웍스 그룹웨어" in one.text and "하나 더" in one.text


def test_more_than_four_services_are_refused_with_a_way_forward(client, codes):
    chosen = sorted(codes.values())[:5]
    page = client.get(_url(*chosen))
    assert page.status_code == 422
    assert "한 번에 4개까지 비교할 수 있습니다" in page.text and "5개를 골랐습니다" in page.text
    assert _url(*chosen[:4]).replace("&", "&amp;") in page.text


def test_an_unknown_service_is_the_not_found_page(client, codes):
    page = client.get(_url(codes["가상웍스 그룹웨어"], "SAS-2026-99999"))
    assert page.status_code == 404 and "코드 SAS-2026-99999에 해당하는 공개 서비스가 없습니다." in page.text


def test_the_service_page_is_still_found_by_its_code(client, codes):
    code = codes["가상웍스 그룹웨어"]
    assert client.get(f"/services/{code}").status_code == 200
    assert client.get(f"/api/v1/services/{code}").json()["code"] == code


def test_the_api_compares_with_the_same_rows(client, codes):
    chosen = [codes["가상웍스 그룹웨어"], codes["가상결재 클라우드"]]
    response = client.get("/api/v1/services/compare", params={"codes": chosen}, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    body = response.json()
    assert [s["code"] for s in body["services"]] == chosen
    rows = {r["key"]: r for r in body["rows"]}
    assert rows["supplier"]["differs"] is False and rows["sla"]["differs"] is True
    assert [v["text"] for v in rows["sla"]["values"]] == ["99.9 %", "99.5 %"]
    per_user = rows["price:사용자/월"]
    assert per_user["label"] == "Lowest price per user per month" and per_user["unit"] == "사용자/월"
    assert [(v["price"]["amount"], v["price"]["plan"], v["lowest"]) for v in per_user["values"]] == [
        (9000, "Standard", False),
        (7000, "기본", True),
    ]
    assert [(v["price"]["billing"], v["price"]["main"]) for v in per_user["values"]] == [("monthly", True)] * 2
    assert [v["text"] for v in rows["main_plan"]["values"]] == [
        "Standard: 9,000 won / user·month (Monthly, without VAT)",
        "기본: 7,000 won / user·month (Monthly, without VAT)",
    ]


@pytest.mark.parametrize("count", [0, 1, 5])
def test_the_api_wants_two_to_four_codes(client, codes, count):
    chosen = sorted(codes.values())[:count]
    response = client.get("/api/v1/services/compare", params={"codes": chosen}, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert ("at least 2" if count < 2 else "at most 4") in error["fields"]["codes"]


def test_the_api_answers_404_naming_the_unknown_code(client, codes):
    response = client.get("/api/v1/services/compare", params={"codes": [codes["나래 화상회의"], "SAS-2026-99999"]})
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert response.json()["error"]["fields"]["codes"] == "코드 SAS-2026-99999에 해당하는 공개 서비스가 없습니다."
