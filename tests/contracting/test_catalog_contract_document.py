"""The 카탈로그 계약서: made after the officer signs a catalog contract (and again for each amendment) by the
after-commit consumer, signed by PPS and the supplier and sealed, verifiable on /api/v1/verify, and
downloadable by the contract's supplier, PPS and the operator only. On SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib

import pytest
from fastapi.testclient import TestClient

from digitalmarket.contracting.catalog_documents import making as contract_document
from digitalmarket.core import consumers
from tests.contracting import test_catalog_contract_workflow as journey
from tests.contracting.test_catalog_contract_api import _apply_body
from tests.helpers import api_token, page_login

people = journey.people  # the fixture


@pytest.fixture
def quiet_client(app, monkeypatch):
    """Nothing runs after a commit and no follower runs in this process: the documents wait until the test
    runs the consumers."""
    monkeypatch.setenv("DM_CONSUMERS", "worker")
    return TestClient(app, base_url="http://testserver")


def signed_contract(client, demo, people) -> tuple[dict, dict]:
    """A catalog contract applied for by the supplier and signed by the officer, through the API."""
    headers = {who: api_token(demo, f"{who}@demo.kr") for who in ("supplier", "officer")}
    service_id = journey.publish_service(demo, people.supplier)
    body = client.post("/api/v1/catalog-contracts", json=_apply_body(demo, service_id), headers=headers["supplier"])
    assert body.status_code == 201, body.text
    cid = body.json()["id"]
    step = client.post(
        f"/api/v1/catalog-contracts/{cid}/start-review",
        json={"version": body.json()["version"]},
        headers=headers["officer"],
    )
    step = client.post(
        f"/api/v1/catalog-contracts/{cid}/contract",
        json={"version": step.json()["version"]},
        headers=headers["officer"],
    )
    assert step.status_code == 200, step.text
    return step.json(), headers


def test_the_signed_contract_gets_its_document_signed_by_both_and_sealed(demo, db, people, quiet_client):
    client = quiet_client
    contract, headers = signed_contract(client, demo, people)
    url = f"/api/v1/catalog-contracts/{contract['id']}/document"
    pending = client.get(url, headers=headers["supplier"])
    assert pending.status_code == 409 and pending.headers["Retry-After"] == "2"  # not made in the step

    report = consumers.run(db, wait=True)
    assert report.handled[contract_document.CONSUMER] >= 1 and not report.failed
    pdf = client.get(url, headers=headers["supplier"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF"), pdf.text
    assert f"catalog-contract-{contract['number']}-0.pdf" in pdf.headers["content-disposition"]

    checked = client.post("/api/v1/verify", files={"file": ("catalog.pdf", pdf.content, "application/pdf")}).json()
    assert contract["number"] in checked["known"]["title"] and checked["known"]["is_latest"]
    assert checked["verification"]["ok"]
    signatures = checked["verification"]["signatures"]
    assert [s["field"] for s in signatures[:2]] == ["PPS", "Supplier"]
    assert signatures[0]["signer"] == "조달청 디지털조달국" and signatures[1]["signer"] == "(주)가상소프트"
    assert [s["kind"] for s in signatures][2] == "timestamp" and len(signatures) == 3

    # the same file for PPS and the operator, through the API and the contract's page
    for who in ("officer", "operator"):
        same = client.get(url, headers=api_token(demo, f"{who}@demo.kr"))
        assert hashlib.sha256(same.content).digest() == hashlib.sha256(pdf.content).digest(), who
    page_login(client, "officer@demo.kr")
    page = client.get(f"/officer/catalog-contracts/{contract['id']}", headers={"Accept-Language": "ko"})
    assert f"/catalog-contracts/{contract['id']}/document?change_seq=0" in page.text and "카탈로그 계약서" in page.text
    assert client.get(f"/catalog-contracts/{contract['id']}/document").content == pdf.content
    # anyone else: as if there were no such document
    for who in ("supplier2", "buyer"):
        assert client.get(url, headers=api_token(demo, f"{who}@demo.kr")).status_code == 404, who
    assert client.get(f"{url}?change_seq=1", headers=headers["supplier"]).status_code == 404  # no such version

    # replaying the consumer makes nothing twice: the document stays the same
    consumers.replay(db, contract_document.CONSUMER)
    assert client.get(url, headers=headers["supplier"]).content == pdf.content


def test_an_amendment_makes_a_new_version_of_the_document(demo, db, people, quiet_client):
    client = quiet_client
    contract, headers = signed_contract(client, demo, people)
    standard = journey.plan_ids(demo, contract["service_id"])[0]
    amended = client.post(
        f"/api/v1/catalog-contracts/{contract['id']}/amend",
        json={
            "version": contract["version"],
            "items": [{"price_plan_id": standard, "unit_price": 10000}],
            "reason": "단가 인하",
        },
        headers=headers["officer"],
    )
    assert amended.status_code == 200 and amended.json()["change_seq"] == 1, amended.text
    consumers.run(db, wait=True)
    url = f"/api/v1/catalog-contracts/{contract['id']}/document"
    first = client.get(f"{url}?change_seq=0", headers=headers["supplier"]).content
    newest = client.get(url, headers=headers["supplier"])
    assert newest.status_code == 200 and newest.content != first
    assert f"{contract['number']}-1.pdf" in newest.headers["content-disposition"]
    checked = client.post("/api/v1/verify", files={"file": ("c.pdf", newest.content, "application/pdf")}).json()
    assert "변경계약서 (제1차)" in checked["known"]["title"] and checked["verification"]["ok"]
