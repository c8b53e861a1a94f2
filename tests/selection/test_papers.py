"""The papers of a selection serve the catalog contract too: submitted once, for both gates (DOMAIN.md)."""

from __future__ import annotations

from datetime import timedelta

from digitalmarket.core.clock import today_kst
from digitalmarket.selection import access, screening
from tests.contracting.test_catalog_contract_workflow import plan_ids
from tests.helpers import api_token, page_login
from tests.selection.journey import close, committee_month, open_round, step, to_committee, vote


def test_the_catalog_contract_shows_the_papers_of_the_selection_behind_its_service(client, demo, store, people):
    application_id = to_committee(demo, store, people.supplier, people.operator)
    reviewers = [people.reviewer, people.reviewer2, people.reviewer3]
    round_id = open_round(demo, people.operator, committee_month(demo, application_id), reviewers)
    for reviewer in reviewers:
        vote(demo, reviewer, round_id, application_id)
    close(demo, people.operator, round_id)
    step(demo, screening.publish, people.operator, application_id)
    with demo.reading() as session:
        application = access.load(session, application_id)
        service_id = application.service_id
        submitted = sorted((d.kind, d.sha256) for d in application.documents)
    assert submitted

    supplier = api_token(demo, "supplier@demo.kr")
    body = {
        "service_id": service_id,
        "period_start": today_kst().isoformat(),
        "period_end": (today_kst() + timedelta(days=364)).isoformat(),
        "items": [{"price_plan_id": plan_ids(demo, service_id)[0], "unit_price": 11000}],
    }
    created = client.post("/api/v1/catalog-contracts", json=body, headers=supplier)
    assert created.status_code == 201, created.text
    detail = client.get(f"/api/v1/catalog-contracts/{created.json()['id']}", headers=supplier).json()
    assert sorted((d["kind"], d["sha256"]) for d in detail["documents"]) == submitted

    page_login(client, "supplier@demo.kr")
    page = client.get(f"/supplier/catalog-contracts/{created.json()['id']}")
    assert f"선정 신청 제{application_id}호에서 한 번 제출한 서류를 이 계약에 그대로 사용합니다." in page.text
    assert all(sha in page.text for _, sha in submitted)
    other = api_token(demo, "supplier2@demo.kr")
    downloaded = client.get(f"/catalog-contracts/{created.json()['id']}/documents/{detail['documents'][0]['id']}")
    assert downloaded.status_code == 200 and downloaded.content.startswith(b"%PDF")
    paper = detail["documents"][0]["id"]
    refused = client.get(f"/api/v1/catalog-contracts/{created.json()['id']}/documents/{paper}", headers=other)
    assert refused.status_code == 404
