"""A contract through the API ends as a doubly signed, timestamped PDF that anyone can check: on /verify
(page and API, no sign-in) by the file or its SHA-256, and offline with `digitalmarket verify` and the
published CA certificate. A side whose certificate was revoked cannot confirm. On SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib

import pytest
from typer.testing import CliRunner

from digitalmarket.cli import app as cli
from digitalmarket.core.clock import today_kst
from tests.contracting.buying import people_of, plan_ids, publish
from tests.helpers import api_token, csrf_from


@pytest.fixture
def code(demo):
    return publish(demo, people_of(demo).supplier, "가상웍스 그룹웨어")


@pytest.fixture
def headers(demo):
    return {name: api_token(demo, f"{name}@demo.kr") for name in ("buyer", "supplier")}


def new_order(client, demo, code, headers) -> dict:
    body = {
        "code": code,
        "start_date": today_kst().isoformat(),
        "lines": [{"price_plan_id": plan_ids(demo, code)[0], "quantity": 10, "months": 12, "unit_price": 10000}],
    }
    made = client.post("/api/v1/orders", json=body, headers=headers["buyer"])
    assert made.status_code == 201, made.text
    return client.get(f"/api/v1/orders/{made.json()['id']}", headers=headers["buyer"]).json()


def confirm(client, order: dict, who: dict):
    return client.post(f"/api/v1/orders/{order['id']}/confirm", json={"version": order["version"]}, headers=who)


def test_a_confirmed_contract_is_signed_by_both_sealed_and_verifiable(demo, client, code, headers, tmp_path):
    order = new_order(client, demo, code, headers)
    draft_sha = order["versions"][0]["document_sha256"]
    first = confirm(client, order, headers["supplier"])
    assert first.status_code == 200, first.text
    assert confirm(client, first.json(), headers["buyer"]).status_code == 200
    record = client.get(f"/api/v1/orders/{order['id']}", headers=headers["buyer"]).json()["versions"][0]
    pdf = client.get(f"/api/v1/orders/{order['id']}/document", headers=headers["buyer"]).content
    assert hashlib.sha256(pdf).hexdigest() == record["document_sha256"] != draft_sha

    checked = client.post("/api/v1/verify", files={"file": ("contract.pdf", pdf, "application/pdf")})
    assert checked.status_code == 200, checked.text
    answer = checked.json()
    assert order["code"] in answer["known"]["title"] and answer["known"]["is_latest"]
    assert answer["verification"]["ok"]
    signatures = answer["verification"]["signatures"]
    assert [(s["field"], s["signer"], s["signer_name"]) for s in signatures[:2]] == [
        ("Supplier", "(주)가상소프트", "김가상"),  # the supplier confirmed first
        ("Agency", "미래행정부", "정수요"),
    ]
    assert signatures[2]["kind"] == "timestamp"
    assert [s["changes_after"] for s in signatures] == ["signatures", "timestamps", "none"]
    assert signatures[2]["covers_whole_file"]  # the seal is the document's last revision

    by_hash = client.get("/api/v1/verify", params={"sha256": draft_sha.upper()}).json()
    assert by_hash["known"]["kind"] == "draft" and not by_hash["known"]["is_latest"]
    assert by_hash["known"]["latest_sha256"] == record["document_sha256"] and by_hash["verification"] is None
    unknown = client.get("/api/v1/verify", params={"sha256": "0" * 64}).json()
    assert unknown["known"] is None
    bad = client.get("/api/v1/verify", params={"sha256": "계약서"}, headers={"Accept-Language": "ko"})
    assert bad.status_code == 422 and "SHA-256" in bad.json()["error"]["fields"]["sha256"]

    # offline: the PDF and the published CA certificate are enough
    ca = client.get("/api/v1/verify/ca.pem")
    assert ca.status_code == 200 and ca.content.startswith(b"-----BEGIN CERTIFICATE-----")
    (tmp_path / "ca.pem").write_bytes(ca.content)
    (tmp_path / "contract.pdf").write_bytes(pdf)
    runner = CliRunner()
    offline = runner.invoke(cli, ["verify", str(tmp_path / "contract.pdf"), "--ca", str(tmp_path / "ca.pem")])
    assert offline.exit_code == 0, offline.output
    assert "(주)가상소프트" in offline.output and "Every signature holds" in offline.output
    place = pdf.index(b"/Producer")
    (tmp_path / "changed.pdf").write_bytes(pdf[:place] + b"/Producex" + pdf[place + 9 :])
    changed = runner.invoke(cli, ["verify", str(tmp_path / "changed.pdf"), "--ca", str(tmp_path / "ca.pem")])
    assert changed.exit_code == 1 and "ALTERED" in changed.output
    assert client.get("/api/v1/verify/crl").headers["content-type"] == "application/pkix-crl"

    # the page, without signing in
    token = csrf_from(client, "/verify")
    page = client.post(
        "/verify",
        data={"csrf_token": token, "sha256": ""},
        files={"file": ("contract.pdf", pdf, "application/pdf")},
        headers={"Accept-Language": "ko"},
    )
    assert page.status_code == 200
    assert "이 문서의 최신 버전입니다" in page.text and "모든 서명이 유효" in page.text
    assert "미래행정부" in page.text and "(주)가상소프트" in page.text
    empty = client.post("/verify", data={"csrf_token": token, "sha256": ""}, headers={"Accept-Language": "ko"})
    assert empty.status_code == 422 and "PDF 파일을 고르거나" in empty.text


def test_a_side_whose_certificate_was_revoked_cannot_confirm_until_it_has_a_new_one(demo, client, code, headers):
    operator = api_token(demo, "operator@demo.kr")
    listed = client.get("/api/v1/organisations", params={"limit": 100}, headers=operator).json()
    rows = listed["items"] if isinstance(listed, dict) else listed
    supplier_id = next(row["id"] for row in rows if row["name"] == "(주)가상소프트")
    first = client.post(f"/api/v1/organisations/{supplier_id}/certificate", headers=operator)
    assert first.status_code == 201 and first.json()["source"] == "issued"
    own = client.get("/api/v1/organisation/certificate", headers=headers["supplier"]).json()
    assert own["serial"] == first.json()["serial"] and "key" not in str(own).lower()
    revoke = f"/api/v1/organisations/{supplier_id}/certificate/revoke"
    assert client.post(revoke, json={"reason": "담당자 퇴사"}, headers=headers["supplier"]).status_code == 403
    revoked = client.post(revoke, json={"reason": "담당자 퇴사"}, headers=operator)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]

    order = new_order(client, demo, code, headers)
    refused = confirm(client, order, headers["supplier"] | {"Accept-Language": "ko"})
    assert refused.status_code == 409
    assert "인증서가 폐지되어" in refused.json()["error"]["message"]
    after = client.get(f"/api/v1/orders/{order['id']}", headers=headers["buyer"]).json()
    assert after["version"] == order["version"] and after["versions"][0]["supplier_confirmed_at"] is None
    assert confirm(client, order, headers["buyer"]).status_code == 200  # the other side still can

    assert client.post(f"/api/v1/organisations/{supplier_id}/certificate", headers=operator).status_code == 201
    again = client.get(f"/api/v1/orders/{order['id']}", headers=headers["supplier"]).json()
    assert confirm(client, again, headers["supplier"]).status_code == 200


def test_an_organisation_uploads_its_own_certificate(demo, client, headers):
    refused = client.post(
        "/api/v1/organisation/certificate",
        files={"file": ("own.p12", b"not a certificate", "application/x-pkcs12")},
        data={"password": "x"},
        headers=headers["supplier"] | {"Accept-Language": "ko"},
    )
    assert refused.status_code == 422 and "PKCS#12" in refused.json()["error"]["fields"]["file"]
    assert client.get("/api/v1/organisation/certificate", headers=headers["supplier"]).json() is None


def test_a_file_over_twenty_megabytes_is_refused(client):
    big = b"%PDF-1.7\n" + b"0" * (20 * 1024 * 1024 + 1)
    refused = client.post("/api/v1/verify", files={"file": ("big.pdf", big, "application/pdf")})
    assert refused.status_code in (413, 422)
    assert "20" in refused.json()["error"]["message"] + str(refused.json()["error"].get("fields"))
