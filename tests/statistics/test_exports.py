"""Open data exports: CSV (UTF-8 with BOM) and XLSX of the catalog, the contracts and the statistics,
opened with the csv module and openpyxl, carrying the same numbers as the JSON of the API."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from sqlalchemy import select

from digitalmarket.catalog.tables import Service
from digitalmarket.contracting.tables import Order
from digitalmarket.statistics import exports
from tests.statistics.market import build_market


@pytest.fixture
def market(demo, tmp_path):
    return build_market(demo, tmp_path)


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _xlsx(response) -> openpyxl.Workbook:
    assert response.status_code == 200
    assert response.headers["content-type"] == exports.XLSX_MEDIA_TYPE
    return openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)


def _number(text: str):
    if text == "":
        return None
    return float(text) if "." in text else int(text)


def _sections(rows: list[list[str]]) -> dict[str, list[list[str]]]:
    """The statistics CSV: per table, its title line, its header and rows, an empty line between."""
    found, title = {}, None
    for row in rows:
        if not row:
            title = None
        elif title is None:
            title = row[0]
            found[title] = []
        else:
            found[title].append(row)
    return found


def _json_lines(table: dict) -> list[list]:
    return [[c["label"] for c in table["columns"]]] + [
        [row[c["key"]] for c in table["columns"]] for row in table["rows"]
    ]


def test_exports_of_a_market(client, demo, market):
    """One market (building it takes a while: every contract has its PDF), every export checked."""
    _check_statistics_exports(client)
    _check_contracts_export(client, demo)
    _check_catalog_export(client, demo, market)


def _check_statistics_exports(client):
    """The statistics files carry the numbers of the API's JSON."""
    for year in (None, 2026):
        query = {"year": year} if year else {}
        body = client.get("/api/v1/statistics", params=query).json()
        sections = _sections(_csv(client.get("/api/v1/exports/statistics.csv", params=query)))
        book = _xlsx(client.get("/api/v1/exports/statistics.xlsx", params=query))
        assert list(sections) == [t["title"] for t in body["tables"]]
        assert len(book.sheetnames) == len(body["tables"])
        for table, sheet_name in zip(body["tables"], book.sheetnames, strict=True):
            expected = _json_lines(table)
            lines = sections[table["title"]]
            assert lines[0] == expected[0]
            got = [
                [_number(v) if isinstance(e, int | float) or e is None else v for v, e in zip(line, row, strict=True)]
                for line, row in zip(lines[1:], expected[1:], strict=True)
            ]
            assert got == expected[1:], table["key"]
            sheet = [list(r) for r in book[sheet_name].iter_rows(values_only=True)]
            assert sheet == expected, table["key"]
        assert sections["한눈에 보기"][0] == ["코드", "항목", "값"]  # Korean by default


def _check_contracts_export(client, demo):
    """Public fields of each contract, with the amount of the version in force."""
    rows = _csv(client.get("/api/v1/exports/contracts.csv"))
    header, lines = rows[0], rows[1:]
    assert header[:3] == ["계약번호", "수요기관", "공급기업"]
    with demo.reading() as session:
        contracts = {
            o.code: o
            for o in session.scalars(select(Order))
            if o.status in ("contracted", "active", "completed", "terminated")
        }
        assert len(lines) == len(contracts) == 6
        amount = header.index("금액(원, 부가세 포함)")
        for line in lines:
            order = contracts[line[0]]
            in_force = next(v for v in order.versions if v.seq == order.change_seq)
            assert int(line[amount]) == in_force.total
            assert line[1] == order.agency.name and line[2] == order.supplier.name
    text = "\n".join(",".join(line) for line in rows)
    assert "@demo.kr" not in text and "정수요" not in text  # no person, no buyer's name
    total = sum(int(line[amount]) for line in lines)
    statistics = client.get("/api/v1/statistics").json()
    overview = {r["indicator"]: r["value"] for r in statistics["tables"][0]["rows"]}
    assert total == overview["amount"]

    only_2025 = _csv(client.get("/api/v1/exports/contracts.csv?year=2025"))[1:]
    assert len(only_2025) == 2 and all(line[header.index("계약일")].startswith("2025-") for line in only_2025)

    sheet = _xlsx(client.get("/api/v1/exports/contracts.xlsx?lang=en")).worksheets[0]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "Contract no." and values[0][7] == "Amount (KRW, with VAT)"
    assert sorted(r[7] for r in values[1:]) == sorted(int(line[amount]) for line in lines)


def _check_catalog_export(client, demo, market):
    """Published services with the lowest price."""
    rows = _csv(client.get("/api/v1/exports/catalog.csv"))
    header, lines = rows[0], rows[1:]
    with demo.reading() as session:
        services = {s.code: s for s in session.scalars(select(Service).where(Service.status == "published"))}
    assert sorted(line[0] for line in lines) == sorted(services)
    main = header.index("대표 요금제 가격(원, 부가세 별도)")
    by_code = {line[0]: line for line in lines}
    assert int(by_code[market["services"][0]][main]) == 12000
    assert by_code[market["services"][0]][header.index("대표 요금제 단위·과금")] == "사용자/월 (월 정액)"
    assert by_code[market["services"][1]][header.index("서비스 유형")] == "클라우드 인프라(IaaS)"
    assert by_code[market["services"][2]][header.index("기업 규모")] == "중견기업"

    english = _csv(client.get("/api/v1/exports/catalog.csv", headers={"Accept-Language": "en"}))
    assert english[0][:2] == ["Service code", "Service name"]
    sheet = _xlsx(client.get("/api/v1/exports/catalog.xlsx")).worksheets[0]
    assert [list(r) for r in sheet.iter_rows(values_only=True)][0] == header


def test_downloads_are_files_and_bad_names_are_refused(client, demo):
    response = client.get("/api/v1/exports/catalog.csv?lang=en")
    assert "attachment" in response.headers["content-disposition"]
    assert "digitalmarket-catalog-" in response.headers["content-disposition"]
    assert _csv(response) == [[f.label.render("en") for f in exports.CATALOG_FIELDS]]  # nothing published yet
    assert client.get("/api/v1/exports/people.csv").status_code == 422
    assert client.get("/api/v1/exports/catalog.pdf").status_code == 422
    assert client.get("/api/v1/exports/contracts.csv?year=abc").status_code == 422
    assert client.get("/api/v1/exports/contracts.csv?lang=fr").status_code == 422


def test_large_csv_is_written_in_chunks():
    lines = ([str(n), "가"] for n in range(exports.BATCH * 2 + 3))
    chunks = list(exports._csv_chunks(lines))
    assert len(chunks) == 3
    assert chunks[0].startswith(exports.BOM) and not chunks[1].startswith(exports.BOM)
    assert "".join(chunks).count("\r\n") == exports.BATCH * 2 + 3


def test_the_catalog_export_gives_the_main_plans_price_never_a_cheaper_add_on(client, demo):
    from tests.contracting.buying import people_of, publish

    plans = [
        {"name": "저장공간 추가", "billing": "monthly", "unit": "GB/월", "unit_price": 150, "vat_included": False},
        {
            "name": "Standard",
            "billing": "monthly",
            "unit": "사용자/월",
            "unit_price": 28000,
            "vat_included": False,
            "main": True,
        },
    ]
    code = publish(demo, people_of(demo).supplier, "가상 화상회의", plans=plans)
    rows = _csv(client.get("/api/v1/exports/catalog.csv"))
    line = next(row for row in rows[1:] if row[0] == code)
    assert int(line[rows[0].index("대표 요금제 가격(원, 부가세 별도)")]) == 28000
    assert line[rows[0].index("대표 요금제 단위·과금")] == "사용자/월 (월 정액)"
