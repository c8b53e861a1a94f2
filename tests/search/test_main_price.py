"""The main price plan (대표 요금제): the supplier chooses it, publication and the import keep it, and
search shows, filters and sorts by its price, with the unit and billing, never by an add-on's."""

import pytest

from digitalmarket.catalog.importer import import_files
from digitalmarket.core.files import DocumentStore
from digitalmarket.selection import access, screening, workflow
from digitalmarket.selection.rules import Criterion, required_documents
from tests.catalog.test_import import GOOD, _write
from tests.helpers import api_token, csrf_from, page_login
from tests.selection.journey import PDF, actor, close, committee_month, complete_content, open_round, step, vote

VIDEO = {
    **GOOD,
    "ref": "t-video",
    "name": "시험 화상회의",
    "category": "영상회의",
    "price_plans": [
        {"name": "녹화 저장공간", "billing": "usage", "unit": "GB/월", "unit_price": 150},
        {"name": "Standard", "billing": "monthly", "unit": "사용자/월", "unit_price": 28000, "main": True},
    ],
}
GROUPWARE = {
    **GOOD,
    "ref": "t-groupware",
    "price_plans": [{"name": "기본", "billing": "monthly", "unit": "사용자/월", "unit_price": 20000}],
}
APPROVAL = {
    **GOOD,
    "ref": "t-approval",
    "name": "시험 전자결재",
    "category": "문서·전자결재",
    "price_plans": [  # no plan marked: the first one listed is the main plan
        {"name": "기본", "billing": "monthly", "unit": "사용자/월", "unit_price": 33000, "vat_included": True},
        {"name": "보관 추가", "billing": "usage", "unit": "TB/월", "unit_price": 5000},
    ],
}
TWO_PLANS = [
    {"name": "녹화 저장공간", "billing": "usage", "unit": "GB/월", "unit_price": 150},
    {"name": "Standard", "billing": "monthly", "unit": "사용자/월", "unit_price": 28000},
]


@pytest.fixture
def imported(db, tmp_path):
    report = import_files(db.transaction, [_write(tmp_path, "main.jsonl", [VIDEO, GROUPWARE, APPROVAL])])
    assert (report.created, report.problems) == (3, [])
    return db


def _search(client, language="ko", **params):
    response = client.get("/api/v1/services", params=params, headers={"Accept-Language": language})
    assert response.status_code == 200, response.text
    return response.json()


def test_the_price_sort_and_filter_use_each_services_main_plan_never_an_add_on(client, imported):
    items = _search(client, sort="price")["items"]
    assert [item["name"] for item in items] == ["시험 그룹웨어", "시험 화상회의", "시험 전자결재"]
    video = items[1]["main_price"]
    assert video == {
        "amount": 28000,
        "unit": "사용자/월",
        "billing": "monthly",
        "text": "28,000원 / 사용자·월 (월 정액, 부가세 별도)",
    }
    assert items[2]["main_price"]["amount"] == 30000  # 33,000 won with VAT is 30,000 won without
    english = _search(client, "en", q="화상회의")["items"][0]["main_price"]
    assert english["text"] == "28,000 won / user·month (Monthly, without VAT)"
    # The add-ons (150 won per GB, 5,000 won per TB) are nobody's price in search.
    cheap = _search(client, price_max=10000)
    assert cheap["total"] == 0 and cheap["items"] == []
    assert {o["value"]: o["count"] for o in _search(client)["facets"]["price"]} == {"0-99999": 3}


def test_the_catalog_page_shows_the_main_price_with_its_unit_and_billing(client, imported):
    page = client.get("/services", params={"sort": "price"})
    assert page.status_code == 200
    assert "대표 가격" in page.text
    assert "28,000원 / 사용자·월 (월 정액, 부가세 별도)" in page.text
    assert "20,000원 / 사용자·월 (월 정액, 부가세 별도)" in page.text
    assert "150원" not in page.text
    assert page.text.index("시험 그룹웨어") < page.text.index("시험 화상회의") < page.text.index("시험 전자결재")
    assert 'id="price-units"' not in page.text  # one unit: the order says what costs less


def test_a_price_sort_over_different_units_says_so(client, db, tmp_path):
    per_call = {
        **GOOD,
        "ref": "t-api",
        "name": "시험 문자 발송",
        "price_plans": [{"name": "건당", "billing": "usage", "unit": "건", "unit_price": 15}],
    }
    report = import_files(db.transaction, [_write(tmp_path, "units.jsonl", [GROUPWARE, per_call])])
    assert (report.created, report.problems) == (2, [])
    page = client.get("/services", params={"sort": "price"}).text
    note = page.split('id="price-units">', 1)[1].split("</p>", 1)[0]
    assert "단위가 다른 가격을 그대로 나란히 정렬했습니다(건, 사용자/월)" in note
    assert 'id="price-units"' not in client.get("/services", params={"sort": "newest"}).text


def test_the_service_shows_which_plan_is_main(client, imported):
    code = _search(client, q="화상회의")["items"][0]["code"]
    plans = client.get(f"/api/v1/services/{code}").json()["price_plans"]
    assert [(p["name"], p["main"]) for p in plans] == [("녹화 저장공간", False), ("Standard", True)]
    page = client.get(f"/services/{code}")
    assert "대표 요금제" in page.text.split("Standard", 1)[1].split("</td>", 1)[0]


def test_an_import_line_marking_two_main_plans_is_refused(db, tmp_path):
    both = {**VIDEO, "price_plans": [{**plan, "main": True} for plan in VIDEO["price_plans"]]}
    report = import_files(db.transaction, [_write(tmp_path, "two.jsonl", [GROUPWARE, both])])
    assert report.created == 0 and [p.line for p in report.problems] == [2]
    assert "main" in report.problems[0].reason


def test_an_import_can_move_the_main_plan(db, tmp_path, client):
    import_files(db.transaction, [_write(tmp_path, "a.jsonl", [VIDEO])])
    storage, standard = VIDEO["price_plans"]
    moved = {**VIDEO, "price_plans": [{**storage, "main": True}, {**standard, "main": False}]}
    report = import_files(db.transaction, [_write(tmp_path, "b.jsonl", [moved])])
    assert report.updated == 1
    assert _search(client)["items"][0]["main_price"]["text"] == "150원 / GB·월 (사용량 기준, 부가세 별도)"


@pytest.fixture
def supplier_api(demo):
    return api_token(demo, "supplier@demo.kr")


def test_the_supplier_chooses_the_main_plan_through_the_api(client, demo, supplier_api):
    content = {**complete_content(demo), "price_plans": [TWO_PLANS[0], {**TWO_PLANS[1], "main": True}]}
    created = client.post("/api/v1/applications", json=content, headers=supplier_api)
    assert created.status_code == 201, created.text
    application = created.json()
    assert [p["main"] for p in application["content"]["price_plans"]] == [False, True]
    both = {"price_plans": [{**plan, "main": True} for plan in TWO_PLANS]}
    refused = client.patch(
        f"/api/v1/applications/{application['id']}",
        json={"version": application["version"], "content": both},
        headers=supplier_api,
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"]["price_plans"] == (
        "대표 요금제는 하나만 고르세요. 지금 2개가 대표로 표시되어 있습니다."
    )
    again = client.get(f"/api/v1/applications/{application['id']}", headers=supplier_api).json()
    assert [p["main"] for p in again["content"]["price_plans"]] == [False, True]  # nothing written


def test_the_main_plan_chosen_on_the_price_step_is_kept_at_publication(client, demo, tmp_path):
    supplier, operator = actor(demo, "supplier@demo.kr"), actor(demo, "operator@demo.kr")
    reviewers = [actor(demo, f"reviewer{n}@demo.kr") for n in ("", "2", "3")]
    store = DocumentStore(tmp_path / "documents")
    with demo.transaction() as session:
        application_id = workflow.create_application(session, supplier, complete_content(demo, name="시험 화상회의")).id
        stored = store.accept(PDF, "서류.pdf")
        for kind in required_documents("SaaS"):
            workflow.attach_document(session, supplier, application_id, kind, stored)
    page_login(client, "supplier@demo.kr")
    path = f"/supplier/applications/{application_id}/steps/3"
    form = {"csrf_token": csrf_from(client, path), "version": str(_version(demo, application_id)), "plan_rows": "3"}
    for index, plan in enumerate(TWO_PLANS):
        form |= {f"plan-{index}-{name}": str(value) for name, value in plan.items()}
    form["main_plan"] = "1"
    saved = client.post(path, data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    shown = client.get(path).text
    assert 'name="main_plan" value="1" checked' in shown and 'name="main_plan" value="0" checked' not in shown
    detail = client.get(f"/supplier/applications/{application_id}").text
    assert "대표 요금제" in detail.split("Standard", 1)[1].split("</td>", 1)[0]
    assert "대표 요금제" not in detail.split("녹화 저장공간", 1)[1].split("</td>", 1)[0]
    for move in (workflow.submit, screening.start_check, screening.accept, screening.start_expert_review):
        step(demo, move, supplier if move is workflow.submit else operator, application_id)
    opinions = {c: (True, "적합") for c in Criterion}
    step(demo, screening.record_expert_opinions, operator, application_id, opinions)
    step(demo, screening.send_to_committee, operator, application_id)
    round_id = open_round(demo, operator, committee_month(demo, application_id), reviewers)
    for reviewer in reviewers:
        vote(demo, reviewer, round_id, application_id)
    close(demo, operator, round_id)
    step(demo, screening.publish, operator, application_id)
    item = _search(client, q="화상회의")["items"][0]
    assert item["main_price"]["text"] == "28,000원 / 사용자·월 (월 정액, 부가세 별도)"
    plans = client.get(f"/api/v1/services/{item['code']}").json()["price_plans"]
    assert [p["main"] for p in plans] == [False, True]


def _version(db, application_id: int) -> int:
    with db.reading() as session:
        return access.load(session, application_id).version
