"""Pages on any screen, as the HTML says it: long pages open with a table of contents whose links point at
their sections, the officer's list of catalog contracts shows contract numbers (or a dash) in its contract
number column, and the tables a person types into or compares carry a label on every cell for phones.
How it looks at 375 and 1280 pixels is checked in tests/browser/test_narrow_screens.py."""

from __future__ import annotations

import re

from digitalmarket.core.files import DocumentStore
from digitalmarket.selection import workflow
from tests.contracting.test_catalog_contract_api import _apply_body
from tests.contracting.test_catalog_contract_workflow import people, publish_service  # noqa: F401 (fixture)
from tests.helpers import api_token, page_login
from tests.selection.journey import draft, step


def toc_targets(html: str) -> list[str]:
    """The ids the page's table of contents links to; each must be an element of the page."""
    toc = re.search(r'<nav class="dm-toc".*?</nav>', html, re.S)
    assert toc, "the page has no table of contents"
    targets = re.findall(r'href="#([^"]+)"', toc.group(0))
    missing = [t for t in targets if f'id="{t}"' not in html]
    assert not missing, f"links to no section: {missing}"
    return targets


def test_long_pages_open_with_a_table_of_contents(client, demo, people, tmp_path):  # noqa: F811
    statistics = client.get("/statistics").text
    targets = toc_targets(statistics)
    assert targets[0] == "stats-contracts_by_month" and targets[-2:] == ["stats-downloads", "stats-definitions"]
    assert "이 페이지의 구성" in statistics

    application_id = draft(demo, DocumentStore(tmp_path / "docs"), people.supplier)
    step(demo, workflow.submit, people.supplier, application_id)
    page_login(client, "operator@demo.kr")
    application = client.get(f"/operator/applications/{application_id}")
    assert application.status_code == 200
    targets = toc_targets(application.text)
    assert targets[0] == "next-heading"
    assert {"content-basic", "content-plans", "docs-heading", "timeline-heading"} <= set(targets)

    client.cookies.set("dm_lang", "en")
    assert "On this page" in client.get("/statistics").text


def test_the_officers_list_shows_contract_numbers_and_a_dash_before_there_is_one(client, demo, people):  # noqa: F811
    supplier, officer = api_token(demo, "supplier@demo.kr"), api_token(demo, "officer@demo.kr")
    waiting_service = publish_service(demo, people.supplier, name="가상 메신저")
    contracted_service = publish_service(demo, people.supplier, name="가상 화상회의")
    waiting = client.post("/api/v1/catalog-contracts", json=_apply_body(demo, waiting_service), headers=supplier)
    made = client.post("/api/v1/catalog-contracts", json=_apply_body(demo, contracted_service), headers=supplier)
    cid = made.json()["id"]
    step = client.post(
        f"/api/v1/catalog-contracts/{cid}/start-review", json={"version": made.json()["version"]}, headers=officer
    )
    assert step.status_code == 200, step.text
    step = client.post(
        f"/api/v1/catalog-contracts/{cid}/contract", json={"version": step.json()["version"]}, headers=officer
    )
    number = step.json()["number"]
    assert number.startswith("CC-")

    page_login(client, "officer@demo.kr")
    first_cells = re.compile(r"<tr>\s*<td[^>]*>(.*?)</td>\s*<td[^>]*>(.*?)</td>", re.S)
    queue = client.get("/officer/catalog-contracts").text
    rows = first_cells.findall(queue.split("<tbody>", 1)[1])
    assert len(rows) == 1
    number_cell, service_cell = rows[0]
    assert '<span aria-hidden="true">-</span>' in number_cell and "아직 계약번호 없음" in number_cell
    assert f'href="/officer/catalog-contracts/{waiting.json()["id"]}"' in service_cell and "가상 메신저" in service_cell
    assert "선정 신청" not in queue

    in_mall = client.get("/officer/catalog-contracts?state=contracted").text
    rows = first_cells.findall(in_mall.split("<tbody>", 1)[1])
    assert [re.sub(r"<[^>]+>", "", cells[0]).strip() for cells in rows] == [number]


def test_forms_and_comparisons_label_every_cell_for_narrow_screens(client, demo, people):  # noqa: F811
    groupware = publish_service(demo, people.supplier, name="가상 그룹웨어")
    messenger = publish_service(demo, people.supplier, name="가상 메신저")
    codes = [s["code"] for s in client.get("/api/v1/services?q=가상").json()["items"]]
    assert groupware and messenger and len(codes) >= 2
    page_login(client, "buyer@demo.kr")
    form = client.get("/agency/quote-requests/new", params=[("codes", c) for c in codes[:2]]).text
    assert form.count("dm-stack") == 2
    cells = re.findall(r"<td([^>]*)>", form)
    assert cells and all("data-label=" in attributes for attributes in cells)
    assert 'data-label="수량"' in form and 'data-label="개월"' in form

    compare = client.get("/services/compare", params=[("codes", c) for c in codes[:2]]).text
    body = compare.split("<tbody>", 1)[1].split("</table>", 1)[0]
    assert "dm-stack" in compare
    assert all("data-label=" in attributes for attributes in re.findall(r"<td([^>]*)>", body))
