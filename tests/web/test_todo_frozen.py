"""A supplier that cannot quote or sign (a claim on its business number is being decided) is told so in its
to-do list instead of being counted quote requests and contracts it cannot act on; the agency's side still
waits; once the operator refuses the claim, the work is counted again. Built through the workflows."""

from __future__ import annotations

from digitalmarket.accounts.tables import Organisation
from digitalmarket.accounts.verification import FROZEN
from digitalmarket.core.clock import today_kst
from digitalmarket.web.todo import tasks_for
from tests.contracting.buying import answer, ask, award, people_of, publish
from tests.helpers import EVIDENCE_PDF, api_token, mailed_links, page_login


def waiting(db, who) -> dict[str, list]:
    with db.reading() as session:
        groups = tasks_for(session, who, today_kst())
    return {g.kind.code: [(i.title, i.href) for i in g.items] for g in groups if g.count}


def file_claim(client, db, organisation_id: int) -> int:
    """Another company claims the supplier's business number and proves its e-mail address; the claim's id."""
    with db.reading() as session:
        number = session.get(Organisation, organisation_id).business_number
    claim = {
        "business_number": number,
        "company_name": "가상웍스 주식회사",
        "representative": "김진짜",
        "name": "김진짜",
        "email": "real@gasang.kr",
        "password": "correct-horse-42",
    }
    files = {"file": ("증명.pdf", EVIDENCE_PDF, "application/pdf")}
    assert client.post("/api/v1/signup/claims", data=claim, files=files).status_code == 202
    code = mailed_links(db, "real@gasang.kr")[-1].rsplit("/", 1)[-1]
    filed = client.post("/api/v1/signup/claims/confirm", json={"code": code})
    assert filed.status_code == 201
    return filed.json()["id"]


def test_a_frozen_company_is_told_why_instead_of_counting_what_it_cannot_sign(client, demo):
    people = people_of(demo)
    code = publish(demo, people.supplier, "가상웍스 그룹웨어")
    awarded = ask(demo, people.buyer, [code])
    answer(demo, people.supplier, awarded, code, [11000])
    order_id = award(demo, people.buyer, awarded, code)
    ask(demo, people.buyer, [code])  # a second request, still to answer
    assert set(waiting(demo, people.supplier)) == {"quotes_to_answer", "contracts_to_confirm"}

    claim_id = file_claim(client, demo, people.supplier.organisation_id)
    assert waiting(demo, people.supplier) == {"company_cannot_trade": [(FROZEN, "/supplier/profile")]}
    assert list(waiting(demo, people.buyer)) == ["contracts_to_confirm"]  # the agency can still confirm

    tasks = client.get("/api/v1/me/tasks", headers=api_token(demo, "supplier@demo.kr")).json()
    kinds = [g["kind"] for g in tasks["groups"]]
    assert kinds[0] == "company_cannot_trade" and tasks["count"] == 1
    assert "quotes_to_answer" not in kinds and "contracts_to_confirm" not in kinds
    assert "운영기관" in tasks["groups"][0]["items"][0]["title"]
    page_login(client, "supplier@demo.kr")
    workspace = client.get("/supplier").text
    assert "운영기관" in workspace and f'href="/orders/{order_id}"' not in workspace

    operator = api_token(demo, "operator@demo.kr")
    refused = client.post(
        f"/api/v1/operator/company-reviews/{claim_id}/refuse",
        json={"reason": "증명서가 다른 회사의 것입니다."},
        headers=operator,
    )
    assert refused.status_code == 200
    assert set(waiting(demo, people.supplier)) == {"quotes_to_answer", "contracts_to_confirm"}
    assert "company_cannot_trade" not in [
        g["kind"] for g in client.get("/api/v1/me/tasks", headers=api_token(demo, "supplier@demo.kr")).json()["groups"]
    ]
