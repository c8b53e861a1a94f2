"""A claim upheld gives the claimant the company, not the previous holder's proofs: its size (SME) and credit
rating start unconfirmed, the claimant is told to prove them through a change request, search lists the
company under its new name and without the SME facet, and an approved change request brings the size back."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from digitalmarket.accounts.claims import CLAIM_APPROVED
from digitalmarket.catalog.importer import import_files
from digitalmarket.core.clock import today_kst
from digitalmarket.core.notifications import Notification
from tests.catalog.test_import import GOOD, _write
from tests.helpers import EVIDENCE_PDF, api_token, mailed_links, page_login

PDF = ("증명.pdf", EVIDENCE_PDF, "application/pdf")
CLAIM = {
    "business_number": "120-81-47521",  # the demo's (주)가상소프트, an SME rated BBB+
    "company_name": "가상소프트 주식회사",
    "representative": "김진짜",
    "name": "김진짜",
    "email": "real@gasang.kr",
    "password": "correct-horse-42",
}


def _search(client, **params) -> dict:
    response = client.get("/api/v1/services", params=params)
    assert response.status_code == 200
    return response.json()


def _sme_count(client) -> int:
    return {o["value"]: o["count"] for o in _search(client)["facets"]["size"]}.get("sme", 0)


def test_the_claimant_proves_size_and_credit_rating_again(demo, client, tmp_path):
    import_files(demo.transaction, [_write(tmp_path, "a.jsonl", [GOOD])])  # a service of (주)가상소프트
    assert _sme_count(client) == 1  # the search facts are in memory now

    assert client.post("/api/v1/signup/claims", data=CLAIM, files={"file": PDF}).status_code == 202
    code = mailed_links(demo, "real@gasang.kr")[-1].rsplit("/", 1)[-1]
    claim_id = client.post("/api/v1/signup/claims/confirm", json={"code": code}).json()["id"]
    operator = api_token(demo, "operator@demo.kr")
    approved = client.post(f"/api/v1/operator/company-reviews/{claim_id}/approve", headers=operator)
    assert approved.status_code == 200

    mine = api_token(demo, "real@gasang.kr")
    profile = client.get("/api/v1/supplier/profile", headers=mine).json()
    assert (profile["name"], profile["size"], profile["credit_rating"]) == ("가상소프트 주식회사", None, None)
    with demo.reading() as session:
        mail = session.scalars(select(Notification).where(Notification.to_email == "real@gasang.kr")).all()[-1]
    assert mail.msgid == CLAIM_APPROVED.msgid and mail.link == "/login"
    korean = CLAIM_APPROVED.__class__(mail.msgid, mail.params).render("ko")
    assert "중소기업확인서" in korean and "신용평가등급" in korean

    (item,) = _search(client, q="가상소프트 주식회사")["items"]
    assert (item["supplier"], item["supplier_size"]) == ("가상소프트 주식회사", None)
    assert _sme_count(client) == 0 and _search(client, size="sme")["total"] == 0

    page_login(client, "real@gasang.kr", "correct-horse-42")
    page = client.get("/supplier/profile").text
    assert "확인되지 않음" in page and "BBB+" not in page
    assert "신용평가등급은 확인되지 않은 상태" in client.get("/notifications").text

    asked = client.post(
        "/api/v1/supplier/identity-changes",
        data={"size": "sme", "sme_valid_until": str(today_kst() + timedelta(days=200))},
        files={"sme_file": PDF},
        headers=mine,
    )
    assert asked.status_code == 201, asked.text
    assert _sme_count(client) == 0  # not before the operator approves
    assert (
        client.post(f"/api/v1/operator/company-reviews/{asked.json()['id']}/approve", headers=operator).status_code
        == 200
    )
    assert _sme_count(client) == 1
    assert client.get("/api/v1/supplier/profile", headers=mine).json()["size"] == "sme"
