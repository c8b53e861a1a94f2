"""The sign-up and company pages as a person reads them: a business number found taken on the sign-up page
leads to its claim with what was typed, a claim's e-mailed link names the claim, a verified company's badge
is green, and the account page shows the Authorization header's placeholder and the colleagues' tokens
under their own heading."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from digitalmarket.core.i18n import Text
from digitalmarket.core.notifications import Notification
from tests.helpers import EVIDENCE_PDF, api_token, csrf_from, mailed_links, page_login

CLAIM = {
    "business_number": "220-88-12340",  # the demo's 클라우드나래 holds it
    "company_name": "클라우드나래 주식회사",
    "representative": "이진짜",
    "name": "이진짜",
    "email": "real@narae.kr",
    "password": "correct-horse-42",
}


def test_a_taken_number_on_the_sign_up_page_leads_to_its_claim_filled_in(client, demo):
    form = {**CLAIM, "size": "sme", "password_confirm": CLAIM["password"], "csrf_token": csrf_from(client, "/signup")}
    taken = client.post("/signup", data=form)
    assert taken.status_code == 409 and "이 번호에 이의 신청하기" in taken.text
    link = html.unescape(re.search(r'href="(/signup/claim\?[^"]+)"', taken.text).group(1))
    claim = client.get(link)
    assert claim.status_code == 200
    for value in ("220-88-12340", "클라우드나래 주식회사", "이진짜", "real@narae.kr"):
        assert f'value="{value}"' in claim.text
    assert "correct-horse-42" not in link  # the password is typed again, never carried in an address


def test_a_claims_link_names_the_claim(client, demo):
    evidence = {"file": ("증명.pdf", EVIDENCE_PDF, "application/pdf")}
    sent = client.post("/api/v1/signup/claims", data=CLAIM, files=evidence)
    assert sent.status_code == 202, sent.text
    page = client.get(mailed_links(demo, "real@narae.kr")[-1])
    assert "이의 신청 확인" in page.text and "회원가입 확인" not in page.text


def test_a_verified_company_reads_its_state_in_green(client, demo):
    page_login(client, "supplier@demo.kr")
    assert "krds-badge bg-light-success" in client.get("/supplier/profile").text


def test_the_account_page_shows_the_authorization_header_as_text(client, demo):
    page_login(client, "buyer@demo.kr")
    assert "Authorization: Bearer &lt;토큰&gt;" in client.get("/account").text
    client.cookies.set("dm_lang", "en")
    assert "Authorization: Bearer &lt;token&gt;" in client.get("/account").text


def test_an_approved_claim_tells_the_holders_users_why_their_accounts_closed(client, demo):
    evidence = {"file": ("증명.pdf", EVIDENCE_PDF, "application/pdf")}
    assert client.post("/api/v1/signup/claims", data=CLAIM, files=evidence).status_code == 202
    code = mailed_links(demo, "real@narae.kr")[-1].rsplit("/", 1)[-1]
    filed = client.post("/api/v1/signup/claims/confirm", json={"code": code})
    operator = api_token(demo, "operator@demo.kr")
    approved = client.post(f"/api/v1/operator/company-reviews/{filed.json()['id']}/approve", headers=operator)
    assert approved.status_code == 200
    with demo.reading() as session:
        told = session.scalars(select(Notification).where(Notification.to_email == "supplier2@demo.kr")).all()
    assert [Text(n.msgid, n.params).render("ko") for n in told] == [
        "클라우드나래 주식회사 계정이 닫혔습니다. 운영기관이 이 사업자등록번호를 "
        "사업자등록증명과 함께 이의를 신청한 회사에 넘겼습니다. 궁금한 점은 운영기관에 문의하세요."
    ]
