"""A whole public history through the workflows, for the open data tests: a catalog contract signed,
amended, suspended and resumed; a delivery request awarded from a quote, contracted, changed, invoiced,
paid and terminated; and a quote of a competitor that was not awarded."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from digitalmarket.accounts.tables import Organisation, User
from digitalmarket.contracting.catalog_contracts import contract_items, officer_steps, queries
from digitalmarket.contracting.orders import changing, ending
from digitalmarket.core.clock import today_kst
from digitalmarket.opendata.tables import OcdsRelease
from tests.contracting.buying import (
    answer,
    ask,
    award,
    catalog_contract,
    confirm,
    order,
    plan_ids,
    publish,
)
from tests.settlement.settling import accept, calendar_moved, claim, month_of, next_month, pay, report


@dataclass
class History:
    contract_id: int
    contract_number: str
    order_id: int
    order_code: str
    invoice_code: str
    rival_code: str


def step(db, function, who, contract_id, *args):
    with db.transaction() as session:
        return function(session, who, contract_id, queries.load(session, contract_id).version, *args)


def contract_history(db, people, code: str) -> int:
    contract_id = catalog_contract(db, people, code)
    plans = plan_ids(db, code)
    step(
        db,
        officer_steps.amend,
        people.officer,
        contract_id,
        [contract_items.ItemInput(plans[0], 10500), contract_items.ItemInput(plans[1], 4_400_000)],
        None,
        "연간 단가 인하",
    )
    step(db, officer_steps.suspend, people.officer, contract_id, "보안 점검")
    step(db, officer_steps.resume, people.officer, contract_id, "점검 완료")
    return contract_id


def order_history(db, people, store, code: str, rival: str) -> tuple[int, str]:
    request_id = ask(db, people.buyer, [code, rival], start=today_kst(), deadline=today_kst(), plans=1, quantity=50)
    answer(db, people.supplier, request_id, code, [10000])
    answer(db, people.supplier2, request_id, rival, [9000], note="경쟁 견적: 공개되면 안 됨")
    order_id = award(db, people.buyer, request_id, code)
    confirm(db, people.buyer, order_id)
    confirm(db, people.supplier, order_id)
    current = order(db, order_id)
    change = changing.ChangeIn("사용자 증원", [changing.ChangeLineIn(0, 80, 12, 10000)])
    with db.transaction() as session:
        seq = changing.propose_change(session, people.buyer, order_id, current.version, change).seq
    with db.transaction() as session:
        changing.confirm_change(session, people.supplier, order_id, order(db, order_id).version, seq)
    month = month_of(today_kst())
    # the month's usage is reported once it has ended, then inspected, claimed (대금청구) and paid
    with calendar_moved(pytest.MonkeyPatch(), (next_month(today_kst()) - today_kst()).days):
        invoice_id = report(db, people.supplier, order_id, month, {0: 80})
        accept(db, people.buyer, invoice_id)
        claim(db, people.supplier, invoice_id)
        paid = pay(db, people.buyer, invoice_id, today_kst())
        with db.transaction() as session:
            ending.terminate(session, people.buyer, order_id, order(db, order_id).version, "사업 종료")
    return order_id, paid.code


def whole_history(db, people, store) -> History:
    code = publish(db, people.supplier, "가상웍스 그룹웨어")
    rival = publish(db, people.supplier2, "나래 오피스")
    contract_id = contract_history(db, people, code)
    order_id, invoice_code = order_history(db, people, store, code, rival)
    with db.reading() as session:
        number = queries.load(session, contract_id).number
    return History(contract_id, number, order_id, order(db, order_id).code, invoice_code, rival)


def all_releases(db) -> list[OcdsRelease]:
    with db.reading() as session:
        return list(session.scalars(select(OcdsRelease).order_by(OcdsRelease.id)))


def private_words(db) -> list[str]:
    """What must never be published: people's names and e-mails, organisations' contacts and
    representatives."""
    with db.reading() as session:
        words = []
        for user in session.scalars(select(User)):
            words += [user.name, user.email]
        for organisation in session.scalars(select(Organisation)):
            words += [organisation.representative, organisation.contact_phone, organisation.contact_email]
    return [w for w in words if w]


def text_of(data) -> str:
    return json.dumps(data, ensure_ascii=False)
