"""Catalog contracts (카탈로그 계약) through the workflows: apply, review, supplement, contract, amend,
suspend, resume, expire, and every refusal; on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from digitalmarket.accounts.tables import Organisation
from digitalmarket.catalog import workflow as catalog
from digitalmarket.catalog.facts import facts
from digitalmarket.catalog.tables import Service
from digitalmarket.contracting import catalog_contracts as cc
from digitalmarket.contracting.rules import CATALOG_TRANSITIONS, CatalogAction, CatalogState
from digitalmarket.contracting.tables import CatalogContract
from digitalmarket.core.audit import verify_chain
from digitalmarket.core.clock import today_kst
from digitalmarket.core.errors import Conflict, NotFound, ValidationFailed
from digitalmarket.core.notifications import Notification
from digitalmarket.selection import screening
from digitalmarket.selection import workflow as selection
from tests.selection.conftest import people, store  # noqa: F401  (fixtures)
from tests.selection.journey import close, complete_content, round_of, step, to_committee, vote

TODAY = today_kst()
START, END = TODAY, TODAY + timedelta(days=364)


# --- building data through the workflows ------------------------------------------------------------------------


def publish_service(db, supplier, name="가상 그룹웨어", plans=None) -> int:
    """A published service of the supplier, as the operator registers it."""
    content = complete_content(db, "SaaS", name)
    content["price_plans"] = plans or [
        {"name": "Standard", "billing": "monthly", "unit": "사용자/월", "unit_price": 12000, "vat_included": False},
        {"name": "Premium", "billing": "monthly", "unit": "사용자/월", "unit_price": 22000, "vat_included": True},
        {"name": "구축", "billing": "fixed", "unit": "식", "unit_price": 5000000, "vat_included": False},
    ]
    with db.transaction() as session:
        service = catalog.publish(
            session, actor_user_id=None, supplier_id=supplier.organisation_id, content=content, origin="test"
        )
        return service.id


def plan_ids(db, service_id) -> list[int]:
    with db.reading() as session:
        return [p.id for p in session.get(Service, service_id).price_plans]


def items(db, service_id, prices=(11000, 20000)) -> list[cc.ItemInput]:
    return [cc.ItemInput(plan, price) for plan, price in zip(plan_ids(db, service_id), prices, strict=False)]


def apply(db, supplier, service_id, prices=(11000, 20000), start=START, end=END) -> int:
    with db.transaction() as session:
        return cc.apply(session, supplier, service_id, items(db, service_id, prices), start, end).id


def contract_version(db, contract_id) -> int:
    with db.reading() as session:
        return cc.load(session, contract_id).version


def act(db, function, actor, contract_id, *args, **kwargs):
    with db.transaction() as session:
        return function(session, actor, contract_id, contract_version(db, contract_id), *args, **kwargs).id


def state(db, contract_id) -> str:
    with db.reading() as session:
        return cc.load(session, contract_id).status


def contracted(db, people, service_id=None, **kwargs) -> int:
    """A service of the first demo supplier, applied for, reviewed and contracted."""
    service_id = service_id or publish_service(db, people.supplier)
    contract_id = apply(db, people.supplier, service_id, **kwargs)
    act(db, cc.start_review, people.officer, contract_id)
    act(db, cc.sign, people.officer, contract_id)
    return contract_id


def in_state(db, people, target: CatalogState) -> int:
    """A contract brought to a state through the workflows."""
    service_id = publish_service(db, people.supplier, name=f"가상 서비스 {target}")
    contract_id = apply(db, people.supplier, service_id)
    if target == CatalogState.APPLIED:
        return contract_id
    act(db, cc.start_review, people.officer, contract_id)
    if target == CatalogState.PPS_REVIEW:
        return contract_id
    if target == CatalogState.SUPPLEMENT_REQUESTED:
        act(db, cc.request_supplement, people.officer, contract_id, "사업자 정보 확인 필요")
        return contract_id
    act(db, cc.sign, people.officer, contract_id)
    if target == CatalogState.CONTRACTED:
        return contract_id
    if target == CatalogState.SUSPENDED:
        act(db, cc.suspend, people.officer, contract_id, "납품 지연")
        return contract_id
    with db.transaction() as session:  # expired: the period ended (as seen from after its end)
        cc.expire_due_catalog_contracts(session, END + timedelta(days=1))
    return contract_id


def run_action(db, people, contract_id, action: CatalogAction):
    """Each action with valid arguments, by the role that takes it."""
    with db.reading() as session:
        contract = cc.load(session, contract_id)
        current = [cc.ItemInput(i.price_plan_id, i.unit_price - 100, i.product_id, i.item) for i in contract.current_items()]
    if action == CatalogAction.START_REVIEW:
        return act(db, cc.start_review, people.officer, contract_id)
    if action == CatalogAction.REQUEST_SUPPLEMENT:
        return act(db, cc.request_supplement, people.officer, contract_id, "보완 사유")
    if action == CatalogAction.RESUBMIT:
        return act(db, cc.resubmit, people.supplier, contract_id)
    if action == CatalogAction.CONTRACT:
        return act(db, cc.sign, people.officer, contract_id)
    if action == CatalogAction.AMEND:
        return act(db, cc.amend, people.officer, contract_id, current, None, "가격 인하")
    if action == CatalogAction.SUSPEND:
        return act(db, cc.suspend, people.officer, contract_id, "거래정지 사유")
    if action == CatalogAction.RESUME:
        return act(db, cc.resume, people.officer, contract_id, "재개 사유")
    if action == CatalogAction.EXPIRE:
        with db.transaction() as session:
            contract = cc.load(session, contract_id)
            if contract.status not in (CatalogState.CONTRACTED, CatalogState.SUSPENDED):
                # the periodic job only looks at contracts that can expire; ask the state machine directly
                from digitalmarket.contracting.rules import move

                move("catalog", contract.status, CatalogAction.EXPIRE)
            cc.expire_due_catalog_contracts(session, END + timedelta(days=1))
        return contract_id
    raise AssertionError(action)


# --- the state machine, exhaustively ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "action"), list(itertools.product(list(CatalogState), list(CatalogAction))), ids=lambda v: str(v)
)
def test_every_state_and_action(db, people, source, action):
    contract_id = in_state(db, people, source)
    expected = CATALOG_TRANSITIONS.get((source, action))
    if expected is None:
        with pytest.raises(Conflict):
            run_action(db, people, contract_id, action)
        assert state(db, contract_id) == source
    else:
        run_action(db, people, contract_id, action)
        assert state(db, contract_id) == expected


def test_a_stale_version_is_a_conflict(db, people):
    contract_id = apply(db, people.supplier, publish_service(db, people.supplier))
    stale = contract_version(db, contract_id)
    act(db, cc.start_review, people.officer, contract_id)
    with pytest.raises(Conflict), db.transaction() as session:
        cc.request_supplement(session, people.officer, contract_id, stale, "늦은 요청")
    assert state(db, contract_id) == CatalogState.PPS_REVIEW
