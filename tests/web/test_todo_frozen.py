"""A supplier that cannot quote or sign (a claim on its business number is being decided) is told so in its
to-do list instead of being counted quote requests and contracts it cannot act on; the agency's side still
waits; once the operator refuses the claim, the work is counted again. Built through the workflows."""

from __future__ import annotations

import pytest

from digitalmarket.accounts.tables import Organisation
from digitalmarket.accounts.verification import FROZEN
from digitalmarket.contracting.orders import changing
from digitalmarket.contracting.tables import Order
from digitalmarket.core.clock import today_kst
from digitalmarket.core.errors import Conflict
from digitalmarket.web.todo import tasks_for
from tests.contracting.buying import answer, ask, award, contracted_order, people_of, publish
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


def test_a_frozen_company_cannot_sign_a_contract_change_and_is_not_counted_one(client, demo):
    people = people_of(demo)
    code = publish(demo, people.supplier, "가상웍스 그룹웨어")
    order_id = contracted_order(demo, people, code, price=10000, quantity=50, months=12)
    with demo.transaction() as session:
        current = session.get(Order, order_id)
        lines = [changing.ChangeLineIn(0, 80, 12, 9500)]
        seq = changing.propose_change(
            session, people.buyer, order_id, current.version, changing.ChangeIn("사용자 증원", lines)
        ).seq
    assert "changes_to_confirm" in waiting(demo, people.supplier)

    file_claim(client, demo, people.supplier.organisation_id)
    assert waiting(demo, people.supplier) == {"company_cannot_trade": [(FROZEN, "/supplier/profile")]}
    with pytest.raises(Conflict) as refused, demo.transaction() as session:
        changing.confirm_change(session, people.supplier, order_id, session.get(Order, order_id).version, seq)
    assert "운영기관" in refused.value.message.render("ko")
    with demo.reading() as session:
        assert session.get(Order, order_id).change_seq == 0  # the change is not in force
