"""Who a company is: sign-up proves the e-mail address, a company is unverified (no applying, quoting or
signing) until the operator has checked its business registration evidence, sign-ups are throttled, the
registry refuses a closed number, and identity fields change only through an approved request."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from digitalmarket.accounts import identity_changes
from digitalmarket.accounts.registry import RegistryStatus, StubRegistry, use_registry
from digitalmarket.accounts.tables import Organisation
from digitalmarket.core.clock import today_kst
from digitalmarket.core.notifications import Notification
from tests.helpers import EVIDENCE_PDF, api_token, mailed_links, page_login

SIGNUP = {
    "business_number": "214-86-18758",
    "company_name": "(주)테스트클라우드",
    "representative": "홍길동",
    "size": "middle",
    "name": "홍길동",
    "email": "hong@test-cloud.kr",
    "password": "correct-horse-42",
}
PDF = ("증명.pdf", EVIDENCE_PDF, "application/pdf")


def _organisations(db) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(Organisation))


def test_a_company_is_created_by_its_mail_and_trades_once_the_operator_has_checked_it(client, demo):
    before = _organisations(demo)
    requested = client.post("/api/v1/signup", json=SIGNUP)
    assert requested.status_code == 202
    assert requested.json()["status"] == "mail_sent" and "hong@test-cloud.kr" in requested.json()["message"]
    assert _organisations(demo) == before  # nothing in the company's name yet

    code = mailed_links(demo, "hong@test-cloud.kr")[-1].rsplit("/", 1)[-1]
    assert client.post("/api/v1/signup/confirm", json={"code": "dms_wrong"}).status_code == 422
    confirmed = client.post("/api/v1/signup/confirm", json={"code": code})
    assert confirmed.status_code == 201
    assert confirmed.json()["organisation"]["verification"] == "unverified"
    again = client.post("/api/v1/signup/confirm", json={"code": code}, headers={"Accept-Language": "en"})
    assert again.status_code == 422 and "used already" in again.json()["error"]["message"]

    headers = api_token(demo, "hong@test-cloud.kr")
    refused = client.post("/api/v1/applications", json={"name": "시험 서비스"}, headers=headers)
    assert refused.status_code == 403
    assert "사업자등록증명" in refused.json()["error"]["message"]

    missing = client.post("/api/v1/supplier/verification", data={"representative": "홍길동"}, headers=headers)
    assert missing.status_code == 422 and "file" in missing.json()["error"]["fields"]
    sent = client.post(
        "/api/v1/supplier/verification", data={"representative": "홍길동"}, files={"file": PDF}, headers=headers
    )
    assert sent.status_code == 201
    waiting = client.post("/api/v1/applications", json={"name": "시험 서비스"}, headers=headers)
    assert waiting.status_code == 403 and "운영기관" in waiting.json()["error"]["message"]

    operator = api_token(demo, "operator@demo.kr")
    assert client.get("/api/v1/operator/company-reviews", headers=headers).status_code == 403
    queue = client.get("/api/v1/operator/company-reviews", headers=operator).json()["items"]
    assert [r["organisation_name"] for r in queue] == ["(주)테스트클라우드"]
    document = queue[0]["documents"][0]["download"]
    assert client.get(document, headers=operator).content == EVIDENCE_PDF
    assert client.get(document, headers=api_token(demo, "supplier@demo.kr")).status_code == 404
    review = queue[0]["id"]
    assert client.post(f"/api/v1/operator/company-reviews/{review}/approve", headers=operator).status_code == 200
    assert client.post(f"/api/v1/operator/company-reviews/{review}/approve", headers=operator).status_code == 409

    assert client.get("/api/v1/supplier/verification", headers=headers).json()["verification"] == "verified"
    assert client.post("/api/v1/applications", json={"name": "시험 서비스"}, headers=headers).status_code == 201


def test_the_operator_refuses_evidence_with_a_reason_on_the_queue_page(client, demo):
    email = "hong@test-cloud.kr"
    client.post("/api/v1/signup", json=SIGNUP)
    code = mailed_links(demo, email)[-1].rsplit("/", 1)[-1]
    client.post("/api/v1/signup/confirm", json={"code": code})
    headers = api_token(demo, email)
    evidence = {"data": {"representative": "홍길동"}, "files": {"file": PDF}, "headers": headers}
    client.post("/api/v1/supplier/verification", **evidence)

    page_login(client, "operator@demo.kr")
    page = client.get("/operator/company-reviews")
    assert page.status_code == 200 and "(주)테스트클라우드" in page.text and "214-86-18758" in page.text
    operator = api_token(demo, "operator@demo.kr")
    review = client.get("/api/v1/operator/company-reviews", headers=operator).json()["items"][0]
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    empty = client.post(f"/operator/company-reviews/{review['id']}/refuse", data={"csrf_token": token, "reason": ""})
    assert empty.status_code == 422
    done = client.post(
        f"/operator/company-reviews/{review['id']}/refuse",
        data={"csrf_token": token, "reason": "증명서의 상호가 다릅니다"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    status = client.get("/api/v1/supplier/verification", headers=headers).json()
    assert status["verification"] == "refused" and status["reviews"][0]["reason"] == "증명서의 상호가 다릅니다"
    organisation = client.get(f"/organisations/{review['organisation_id']}")  # the operator's view of the company
    assert "증빙 반려" in organisation.text


def test_sign_ups_are_throttled_per_address_and_the_registry_refuses_a_closed_number(client, db):
    for number in ("2148618758", "1208147521", "2208812340"):
        assert client.post("/api/v1/signup", json={**SIGNUP, "business_number": number}).status_code == 202
    throttled = client.post("/api/v1/signup", json={**SIGNUP, "business_number": "3148620457"})
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) > 0
    assert len(mailed_links(db, "hong@test-cloud.kr")) == 3

    before = use_registry(StubRegistry({"1078736528": RegistryStatus.CLOSED}))
    try:
        closed = client.post("/api/v1/signup", json={**SIGNUP, "email": "x@closed.kr", "business_number": "1078736528"})
    finally:
        use_registry(before)
    assert closed.status_code == 422 and "폐업" in closed.json()["error"]["fields"]["business_number"]
    assert mailed_links(db, "x@closed.kr") == []

    class Down:
        def status(self, number):
            raise TimeoutError("the registry does not answer")

    before = use_registry(Down())
    try:  # a registry that does not answer never blocks a sign-up: the operator checks the certificate
        unknown = client.post("/api/v1/signup", json={**SIGNUP, "email": "y@down.kr", "business_number": "1078736528"})
    finally:
        use_registry(before)
    assert unknown.status_code == 202


def test_identity_fields_change_only_when_the_operator_approves(client, demo):
    headers = api_token(demo, "supplier@demo.kr")
    profile = client.get("/api/v1/supplier/profile", headers=headers).json()
    renamed = client.put(
        "/api/v1/supplier/profile", json={"version": profile["version"], "name": "조달청 디지털조달국"}, headers=headers
    )
    assert renamed.status_code == 409 and "name" in renamed.json()["error"]["fields"]

    no_evidence = client.post(
        "/api/v1/supplier/identity-changes", data={"size": "large", "credit_rating": "AAA"}, headers=headers
    )
    assert no_evidence.status_code == 422
    assert {"credit_file", "credit_rated_on"} <= set(no_evidence.json()["error"]["fields"])
    asked = client.post(
        "/api/v1/supplier/identity-changes",
        data={"name": "(주)가상소프트웨어", "credit_rating": "A", "credit_rated_on": str(today_kst())},
        files={"registration_file": PDF, "credit_file": ("등급.pdf", EVIDENCE_PDF, "application/pdf")},
        headers=headers,
    )
    assert asked.status_code == 201, asked.text
    assert client.get("/api/v1/supplier/profile", headers=headers).json()["name"] == "(주)가상소프트"
    page_login(client, "supplier@demo.kr")
    assert "(주)가상소프트웨어" in client.get("/supplier/profile").text  # the pending request is shown

    operator = api_token(demo, "operator@demo.kr")
    approved = client.post(f"/api/v1/operator/company-reviews/{asked.json()['id']}/approve", headers=operator)
    assert approved.status_code == 200
    now = client.get("/api/v1/supplier/profile", headers=headers).json()
    assert (now["name"], now["credit_rating"]) == ("(주)가상소프트웨어", "A")


def test_expired_sme_evidence_is_flagged_once_to_the_company_and_the_operator(demo):
    with demo.reading() as session:
        org = session.scalars(select(Organisation).where(Organisation.business_number == "1208147521")).one()
        valid_until = org.sme_valid_until
    with demo.transaction() as session:
        assert identity_changes.flag_expired_sme(session, valid_until) == 0
        assert identity_changes.flag_expired_sme(session, valid_until + timedelta(days=1)) == 2  # both demo SMEs
        assert identity_changes.flag_expired_sme(session, valid_until + timedelta(days=2)) == 0
    with demo.reading() as session:
        flagged = session.scalars(select(Notification).where(Notification.msgid == identity_changes.EXPIRED_SME.msgid))
        assert len(list(flagged)) >= 3  # the companies' users and the operator


def test_a_company_claims_its_number_and_the_holder_is_frozen_until_the_operator_decides(client, demo):
    squatter = api_token(demo, "supplier2@demo.kr")  # holds 220-88-12340 (the demo's 클라우드나래)
    taken = client.post("/api/v1/signup", json={**SIGNUP, "business_number": "2208812340"})
    assert taken.status_code == 409 and "/signup/claim" in taken.json()["error"]["fields"]["business_number"]

    claim = {
        "business_number": "220-88-12340",
        "company_name": "클라우드나래 주식회사",
        "representative": "이진짜",
        "name": "이진짜",
        "email": "real@narae.kr",
        "password": "correct-horse-42",
    }
    without = client.post("/api/v1/signup/claims", data=claim)
    assert without.status_code == 422 and "file" in without.json()["error"]["fields"]
    free = client.post("/api/v1/signup/claims", data={**claim, "business_number": "214-86-18758"}, files={"file": PDF})
    assert free.status_code == 422 and "business_number" in free.json()["error"]["fields"]
    assert client.post("/api/v1/signup/claims", data=claim, files={"file": PDF}).status_code == 202
    assert client.get("/api/v1/supplier/verification", headers=squatter).json()["verification"] == "verified"

    code = mailed_links(demo, "real@narae.kr")[-1].rsplit("/", 1)[-1]
    filed = client.post("/api/v1/signup/claims/confirm", json={"code": code})
    assert filed.status_code == 201
    frozen = client.post("/api/v1/applications", json={"name": "시험"}, headers=squatter)
    assert frozen.status_code == 409 and "운영기관" in frozen.json()["error"]["message"]
    review = client.get(f"/api/v1/company-reviews/{filed.json()['id']}", headers=squatter)
    assert review.status_code == 404  # the claimant's evidence is not the holder's to read

    operator = api_token(demo, "operator@demo.kr")
    queued = client.get("/api/v1/operator/company-reviews", headers=operator).json()["items"]
    assert [(r["kind"], r["claimant_email"]) for r in queued] == [("claim", "real@narae.kr")]
    assert (
        client.post(f"/api/v1/operator/company-reviews/{queued[0]['id']}/approve", headers=operator).status_code == 200
    )

    assert client.get("/api/v1/me", headers=squatter).status_code == 401  # the holder's accounts are closed
    assert page_login(client, "supplier2@demo.kr").status_code != 303
    assert page_login(client, "real@narae.kr", "correct-horse-42").status_code == 303
    mine = api_token(demo, "real@narae.kr")
    profile = client.get("/api/v1/supplier/profile", headers=mine).json()
    assert (profile["business_number"], profile["representative"]) == ("220-88-12340", "이진짜")
    assert client.post("/api/v1/applications", json={"name": "시험"}, headers=mine).status_code == 201


def test_the_profile_page_sends_evidence_and_a_change_request_and_names_what_is_missing(client, demo):
    client.post("/api/v1/signup", json=SIGNUP)
    code = mailed_links(demo, "hong@test-cloud.kr")[-1].rsplit("/", 1)[-1]
    client.post("/api/v1/signup/confirm", json={"code": code})
    page_login(client, "hong@test-cloud.kr", SIGNUP["password"])
    page = client.get("/supplier/profile")
    assert "확인 전" in page.text and 'action="/supplier/verification"' in page.text
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    missing = client.post("/supplier/verification", data={"csrf_token": token, "representative": "홍길동"})
    assert missing.status_code == 422 and 'href="#field-file"' in missing.text
    sent = client.post(
        "/supplier/verification",
        data={"csrf_token": token, "representative": "홍길동"},
        files={"file": PDF},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert "운영기관 확인 대기 중" in client.get(sent.headers["location"]).text

    no_evidence = client.post(
        "/supplier/identity-changes", data={"csrf_token": token, "new_size": "sme"}, files={"sme_file": ("", b"")}
    )
    assert no_evidence.status_code == 422
    assert "중소기업확인서를 첨부하세요." in no_evidence.text and "유효기간 마지막 날" in no_evidence.text
    asked = client.post(
        "/supplier/identity-changes",
        data={"csrf_token": token, "new_size": "sme", "sme_valid_until": str(today_kst() + timedelta(days=200))},
        files={"sme_file": ("중소기업확인서.pdf", EVIDENCE_PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert asked.status_code == 303
    profile = client.get("/supplier/profile").text
    assert "회사 정보 변경" in profile and "운영기관 확인 대기 중" in profile
    assert (
        client.get("/api/v1/supplier/profile", headers=api_token(demo, "hong@test-cloud.kr")).json()["size"] == "middle"
    )
