"""A published service offers its supplier's public documents (서비스 설명서, SLA, 요금표) to signed-in users;
the business documents (사업자등록증, 신용평가등급확인서, CSAP 인증서) stay with the operator."""

from urllib.parse import quote

import pytest

from digitalmarket.core.files import DocumentStore
from digitalmarket.selection import access, screening, workflow
from digitalmarket.selection.rules import Criterion, required_documents
from tests.helpers import api_token, page_login
from tests.selection.journey import PDF, actor, close, committee_month, complete_content, open_round, step, vote

NAMES = {
    "service_description": "가상 그룹웨어 서비스 설명서.pdf",
    "sla": "SLA 서비스수준협약서.pdf",
    "price_list": "요금표.pdf",
    "business_registration": "사업자등록증.pdf",
    "credit_rating": "신용평가등급확인서.pdf",
    "csap_certificate": "CSAP 인증서.pdf",
}


@pytest.fixture
def published(demo, settings) -> str:
    """A service published from an application with every document; its SLA was attached twice, the
    second file being the one that counts. Returns the service code."""
    store = DocumentStore.of(settings)
    supplier, operator = actor(demo, "supplier@demo.kr"), actor(demo, "operator@demo.kr")
    reviewers = [actor(demo, email) for email in ("reviewer@demo.kr", "reviewer2@demo.kr", "reviewer3@demo.kr")]
    with demo.transaction() as session:
        application_id = workflow.create_application(session, supplier, complete_content(demo)).id
        for kind in required_documents("SaaS"):
            stored = store.accept(PDF + kind.encode(), NAMES[kind])
            workflow.attach_document(session, supplier, application_id, kind, stored)
        newer = store.accept(PDF + b"sla, second edition", "SLA 개정판.pdf")
        workflow.attach_document(session, supplier, application_id, "sla", newer)
    step(demo, workflow.submit, supplier, application_id)
    for move in (screening.start_check, screening.accept, screening.start_expert_review):
        step(demo, move, operator, application_id)
    step(demo, screening.record_expert_opinions, operator, application_id, {c: (True, "적합") for c in Criterion})
    step(demo, screening.send_to_committee, operator, application_id)
    round_id = open_round(demo, operator, committee_month(demo, application_id), reviewers)
    for reviewer in reviewers:
        vote(demo, reviewer, round_id, application_id)
    close(demo, operator, round_id)
    step(demo, screening.publish, operator, application_id)
    with demo.reading() as session:
        return access.load(session, application_id).events[-1].details["service_code"]


def test_a_buyer_downloads_the_latest_sla_of_a_published_service(client, published):
    page_login(client, "buyer@demo.kr")
    page = client.get(f"/services/{published}").text
    documents = page.split('id="documents-heading"', 1)[1].split("</section>", 1)[0]
    assert "SLA 개정판.pdf" in documents and "요금표.pdf" in documents and "서비스 설명서.pdf" in documents
    assert "버전 2" in documents  # the SLA's second version
    for private in ("사업자등록증.pdf", "신용평가등급확인서.pdf", "CSAP 인증서.pdf"):
        assert private not in page
    download = client.get(f"/services/{published}/documents/sla")
    assert download.status_code == 200
    assert download.content == PDF + b"sla, second edition"
    assert download.headers["content-type"] == "application/pdf"
    disposition = download.headers["content-disposition"]
    assert disposition.startswith("attachment;") and f"filename*=utf-8''{quote('SLA 개정판.pdf')}" in disposition
    assert download.headers["x-content-type-options"] == "nosniff"


def test_business_documents_are_never_served_and_anonymous_visitors_log_in_first(client, published):
    anonymous = client.get(f"/services/{published}/documents/sla", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == f"/login?next={quote(f'/services/{published}/documents/sla')}"
    page = client.get(f"/services/{published}").text
    assert "요금표.pdf" in page and "로그인" in page.split('id="documents-heading"', 1)[1]
    page_login(client, "supplier2@demo.kr")  # any signed-in user, here another supplier
    assert client.get(f"/services/{published}/documents/price_list").status_code == 200
    for private in ("business_registration", "credit_rating", "csap_certificate", "nonsense"):
        assert client.get(f"/services/{published}/documents/{private}").status_code == 404
    assert client.get("/services/SAS-2099-99999/documents/sla").status_code == 404


def test_the_api_lists_the_public_documents_and_serves_them_with_a_token(client, demo, published):
    listed = client.get(f"/api/v1/services/{published}/documents")
    assert listed.status_code == 200
    documents = listed.json()
    assert [(d["kind"], d["version"], d["filename"]) for d in documents] == [
        ("service_description", 1, "가상 그룹웨어 서비스 설명서.pdf"),
        ("sla", 2, "SLA 개정판.pdf"),
        ("price_list", 1, "요금표.pdf"),
    ]
    sla = documents[1]
    assert client.get(sla["download"]).status_code == 401
    download = client.get(sla["download"], headers=api_token(demo, "buyer@demo.kr"))
    assert download.status_code == 200 and download.content == PDF + b"sla, second edition"
    refused = client.get(
        f"/api/v1/services/{published}/documents/credit_rating", headers=api_token(demo, "buyer@demo.kr")
    )
    assert refused.status_code == 404
