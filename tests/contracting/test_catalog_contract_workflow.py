"""Catalog contracts (카탈로그 계약) through the workflows: apply, review, supplement, contract, amend,
suspend, resume, expire, and every refusal; on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import select

from digitalmarket.accounts import sanctions
from digitalmarket.accounts.tables import Organisation
from digitalmarket.catalog import workflow as catalog
from digitalmarket.catalog.tables import Service
from digitalmarket.contracting.catalog_contracts import applying, contract_items, officer_steps, queries
from digitalmarket.contracting.states import CATALOG_TRANSITIONS, CatalogAction, CatalogState, move
from digitalmarket.core.audit import verify_chain
from digitalmarket.core.clock import today_kst
from digitalmarket.core.errors import Conflict, NotFound, ValidationFailed
from digitalmarket.core.files import DocumentStore
from digitalmarket.core.notifications import Notification
from digitalmarket.search.facts import facts
from digitalmarket.selection import screening
from tests.selection.journey import actor, close, complete_content, round_of, step, to_committee, vote

START, END = today_kst(), today_kst() + timedelta(days=364)


# --- building data through the workflows ------------------------------------------------------------------------

EMAILS = {
    "supplier": "supplier@demo.kr",
    "supplier2": "supplier2@demo.kr",
    "operator": "operator@demo.kr",
    "reviewer": "reviewer@demo.kr",
    "reviewer2": "reviewer2@demo.kr",
    "reviewer3": "reviewer3@demo.kr",
    "buyer": "buyer@demo.kr",
    "officer": "officer@demo.kr",
    "admin": "admin@demo.kr",
}


@pytest.fixture
def people(demo):
    """The demo accounts of every role, as actors."""
    return type("People", (), {name: actor(demo, email) for name, email in EMAILS.items()})


@pytest.fixture
def store(tmp_path):
    return DocumentStore(tmp_path / "documents")


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


def items(db, service_id, prices=(11000, 20000)) -> list[contract_items.ItemInput]:
    return [
        contract_items.ItemInput(plan, price) for plan, price in zip(plan_ids(db, service_id), prices, strict=False)
    ]


def apply(db, supplier, service_id, prices=(11000, 20000), start=START, end=END) -> int:
    with db.transaction() as session:
        return applying.apply(session, supplier, service_id, items(db, service_id, prices), start, end).id


def contract_version(db, contract_id) -> int:
    with db.reading() as session:
        return queries.load(session, contract_id).version


def act(db, function, actor, contract_id, *args, **kwargs):
    with db.transaction() as session:
        return function(session, actor, contract_id, contract_version(db, contract_id), *args, **kwargs).id


def state(db, contract_id) -> str:
    with db.reading() as session:
        return queries.load(session, contract_id).status


def contracted(db, people, service_id=None, **kwargs) -> int:
    """A service of the first demo supplier, applied for, reviewed and contracted."""
    service_id = service_id or publish_service(db, people.supplier)
    contract_id = apply(db, people.supplier, service_id, **kwargs)
    act(db, officer_steps.start_review, people.officer, contract_id)
    act(db, officer_steps.sign, people.officer, contract_id)
    return contract_id


def in_state(db, people, target: CatalogState) -> int:
    """A contract brought to a state through the workflows."""
    service_id = publish_service(db, people.supplier, name=f"가상 서비스 {target}")
    contract_id = apply(db, people.supplier, service_id)
    if target == CatalogState.APPLIED:
        return contract_id
    act(db, officer_steps.start_review, people.officer, contract_id)
    if target == CatalogState.PPS_REVIEW:
        return contract_id
    if target == CatalogState.SUPPLEMENT_REQUESTED:
        act(db, officer_steps.request_supplement, people.officer, contract_id, "사업자 정보 확인 필요")
        return contract_id
    act(db, officer_steps.sign, people.officer, contract_id)
    if target == CatalogState.CONTRACTED:
        return contract_id
    if target == CatalogState.SUSPENDED:
        act(db, officer_steps.suspend, people.officer, contract_id, "납품 지연")
        return contract_id
    with db.transaction() as session:  # expired: the period ended (as seen from after its end)
        officer_steps.expire_due_catalog_contracts(session, END + timedelta(days=1))
    return contract_id


def run_action(db, people, contract_id, action: CatalogAction):
    """Each action with valid arguments, by the role that takes it."""
    with db.reading() as session:
        contract = queries.load(session, contract_id)
        current = [
            contract_items.ItemInput(i.price_plan_id, i.unit_price - 100, i.product_id, i.item)
            for i in contract.current_items()
        ]
    if action == CatalogAction.START_REVIEW:
        return act(db, officer_steps.start_review, people.officer, contract_id)
    if action == CatalogAction.REQUEST_SUPPLEMENT:
        return act(db, officer_steps.request_supplement, people.officer, contract_id, "보완 사유")
    if action == CatalogAction.RESUBMIT:
        return act(db, applying.resubmit, people.supplier, contract_id)
    if action == CatalogAction.CONTRACT:
        return act(db, officer_steps.sign, people.officer, contract_id)
    if action == CatalogAction.AMEND:
        return act(db, officer_steps.amend, people.officer, contract_id, current, None, "가격 인하")
    if action == CatalogAction.SUSPEND:
        return act(db, officer_steps.suspend, people.officer, contract_id, "거래정지 사유")
    if action == CatalogAction.RESUME:
        return act(db, officer_steps.resume, people.officer, contract_id, "재개 사유")
    if action == CatalogAction.EXPIRE:
        with db.transaction() as session:
            contract = queries.load(session, contract_id)
            if contract.status not in (CatalogState.CONTRACTED, CatalogState.SUSPENDED):
                # the periodic job only looks at contracts that can expire; ask the state machine directly
                move("catalog", contract.status, CatalogAction.EXPIRE)
            officer_steps.expire_due_catalog_contracts(session, END + timedelta(days=1))
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
    act(db, officer_steps.start_review, people.officer, contract_id)
    with pytest.raises(Conflict), db.transaction() as session:
        officer_steps.request_supplement(session, people.officer, contract_id, stale, "늦은 요청")
    assert state(db, contract_id) == CatalogState.PPS_REVIEW


# --- a whole contract: supplement, contract, two amendments ----------------------------------------------------


def item_inputs(
    db, contract_id, changes: dict[int, int] | None = None, drop=(), add=()
) -> list[contract_items.ItemInput]:
    """The items in force, with prices changed (plan id -> price), plans dropped and (plan, price) added."""
    with db.reading() as session:
        contract = queries.load(session, contract_id)
        rows = [
            contract_items.ItemInput(
                i.price_plan_id, (changes or {}).get(i.price_plan_id, i.unit_price), i.product_id, i.item
            )
            for i in contract.current_items()
            if i.price_plan_id not in drop
        ]
    return rows + [contract_items.ItemInput(plan, price) for plan, price in add]


def test_supplement_then_contract_then_two_amendments(db, people):
    service_id = publish_service(db, people.supplier)
    standard, premium, build = plan_ids(db, service_id)
    contract_id = apply(db, people.supplier, service_id, prices=(12000,))
    act(db, officer_steps.start_review, people.officer, contract_id)
    act(db, officer_steps.request_supplement, people.officer, contract_id, "Premium 요금제도 품목으로 올려 주십시오.")
    with db.reading() as session:
        contract = queries.load(session, contract_id)
        assert contract.status_reason == "Premium 요금제도 품목으로 올려 주십시오."
    # the supplier resubmits with a second item and a shorter period
    act(
        db,
        applying.resubmit,
        people.supplier,
        contract_id,
        [contract_items.ItemInput(standard, 11500), contract_items.ItemInput(premium, 19000)],
        START,
        END - timedelta(days=30),
    )
    assert state(db, contract_id) == CatalogState.APPLIED
    act(db, officer_steps.start_review, people.officer, contract_id)
    act(db, officer_steps.sign, people.officer, contract_id)
    with db.reading() as session:
        contract = queries.load(session, contract_id)
        assert contract.number == f"CC-{today_kst().year}-00001"
        assert contract.change_seq == 0 and contract.period_end == END - timedelta(days=30)
        assert {i.price_plan_id: i.unit_price for i in contract.current_items()} == {standard: 11500, premium: 19000}
        assert queries.active_catalog_contract(session, service_id, today_kst()).id == contract_id
        assert queries.catalog_item_price(contract, premium) == 19000
        assert queries.catalog_item_price(contract, build) is None
        assert facts(session).entries[service_id].has_contract

    # amendment 1: Standard down, Premium removed, 구축 added
    act(
        db,
        officer_steps.amend,
        people.officer,
        contract_id,
        item_inputs(db, contract_id, {standard: 11000}, drop={premium}, add=[(build, 4_800_000)]),
        None,
        "단가 인하 및 구축 품목 추가",
    )
    # amendment 2: the period extended, 구축 down
    act(
        db,
        officer_steps.amend,
        people.officer,
        contract_id,
        item_inputs(db, contract_id, {build: 4_500_000}),
        END + timedelta(days=60),
        "기간 연장",
    )
    with db.reading() as session:
        contract = queries.load(session, contract_id)
        assert contract.change_seq == 2 and contract.status == CatalogState.CONTRACTED
        assert [v.seq for v in contract.versions] == [0, 1, 2]
        assert {i.price_plan_id: i.unit_price for i in contract_items.items_of(contract, 0)} == {
            standard: 11500,
            premium: 19000,
        }
        assert {i.price_plan_id: i.unit_price for i in contract_items.items_of(contract, 1)} == {
            standard: 11000,
            build: 4_800_000,
        }
        assert {i.price_plan_id: i.unit_price for i in contract_items.items_of(contract, 2)} == {
            standard: 11000,
            build: 4_500_000,
        }
        first = queries.diff(contract, 0, 1)
        assert {c.price_plan_id: c.change for c in first["items"]} == {
            standard: "price_down",
            build: "added",
            premium: "removed",
        }
        assert not first["period_changed"]
        second = queries.diff(contract, 1, 2)
        assert {c.price_plan_id: c.change for c in second["items"]} == {standard: "same", build: "price_down"}
        assert second["period_changed"] and second["period_after"][1] == END + timedelta(days=60)
        assert second["reason"] == "기간 연장"
        assert queries.catalog_item_price(contract, build) == 4_500_000
        actions = [s["action"] for s in queries.timeline(session, contract)]
        assert actions == [
            "apply",
            "start_review",
            "request_supplement",
            "resubmit",
            "start_review",
            "contract",
            "amend",
            "amend",
        ]
        assert verify_chain(session).ok
        messages = {n.msgid for n in session.scalars(select(Notification))}
        assert "Catalog contract %(number)s is amended (change %(seq)s)." in messages

    # a price never goes up, and a new item never above its plan's price
    with pytest.raises(ValidationFailed) as error, db.transaction() as session:
        officer_steps.amend(
            session,
            people.officer,
            contract_id,
            contract_version(db, contract_id),
            item_inputs(db, contract_id, {standard: 11001}),
            None,
            "인상 시도",
        )
    assert f"items.{standard}.unit_price" in error.value.fields
    with pytest.raises(ValidationFailed) as error, db.transaction() as session:
        officer_steps.amend(
            session,
            people.officer,
            contract_id,
            contract_version(db, contract_id),
            item_inputs(db, contract_id, add=[(premium, 20001)]),
            None,
            "Premium 재추가",
        )
    assert f"items.{premium}.unit_price" in error.value.fields  # 22000 with VAT: 20000 without
    with pytest.raises(ValidationFailed) as error, db.transaction() as session:
        officer_steps.amend(
            session,
            people.officer,
            contract_id,
            contract_version(db, contract_id),
            item_inputs(db, contract_id),
            END,
            "기간 단축",
        )
    assert "period_end" in error.value.fields
    with pytest.raises(ValidationFailed), db.transaction() as session:
        officer_steps.amend(
            session,
            people.officer,
            contract_id,
            contract_version(db, contract_id),
            item_inputs(db, contract_id),
            None,
            "-",
        )
    with db.reading() as session:
        assert queries.load(session, contract_id).change_seq == 2


def test_items_above_the_plan_price_or_foreign_plans_are_refused(db, people):
    service_id = publish_service(db, people.supplier)
    other_id = publish_service(db, people.supplier2, name="다른 회사 서비스")
    standard, premium, _ = plan_ids(db, service_id)
    for given, field in (
        ([contract_items.ItemInput(standard, 12001)], f"items.{standard}.unit_price"),
        ([contract_items.ItemInput(premium, 20001)], f"items.{premium}.unit_price"),
        (
            [contract_items.ItemInput(plan_ids(db, other_id)[0], 100)],
            f"items.{plan_ids(db, other_id)[0]}.price_plan_id",
        ),
        ([], "items"),
        ([contract_items.ItemInput(standard, 100, "X" * 41)], f"items.{standard}.product_id"),
    ):
        with pytest.raises(ValidationFailed) as error, db.transaction() as session:
            applying.apply(session, people.supplier, service_id, given, START, END)
        assert field in error.value.fields, given
    for start, end, field in (
        (START, START - timedelta(days=1), "period_end"),
        (START, START + timedelta(days=1200), "period_end"),
    ):
        with pytest.raises(ValidationFailed) as error, db.transaction() as session:
            applying.apply(session, people.supplier, service_id, [contract_items.ItemInput(standard, 100)], start, end)
        assert field in error.value.fields
    foreign = plan_ids(db, other_id)[0]  # a bad item and a bad period are told together, to correct at once
    with pytest.raises(ValidationFailed) as error, db.transaction() as session:
        given = [contract_items.ItemInput(foreign, 100)]
        applying.apply(session, people.supplier, service_id, given, START, START - timedelta(days=1))
    assert set(error.value.fields) == {f"items.{foreign}.price_plan_id", "period_end"}
    with db.reading() as session:
        assert queries.open_contract_of_service(session, service_id) is None


# --- suspension, resumption, expiry ----------------------------------------------------------------------------


def test_suspend_resume_and_expire(db, people):
    service_id = publish_service(db, people.supplier)
    contract_id = contracted(db, people, service_id)
    act(db, officer_steps.suspend, people.officer, contract_id, "납품 지연 민원")
    with db.reading() as session:
        assert queries.active_catalog_contract(session, service_id, today_kst()) is None
        assert not facts(session).entries[service_id].has_contract
        assert queries.load(session, contract_id).status_reason == "납품 지연 민원"
    with pytest.raises(ValidationFailed), db.transaction() as session:
        officer_steps.resume(session, people.officer, contract_id, contract_version(db, contract_id), " ")
    act(db, officer_steps.resume, people.officer, contract_id, "민원 해소")
    with db.reading() as session:
        assert queries.active_catalog_contract(session, service_id, today_kst()).id == contract_id
        assert queries.active_catalog_contract(session, service_id, END + timedelta(days=1)) is None
    with db.transaction() as session:
        assert officer_steps.expire_due_catalog_contracts(session, END) == []  # the last day is still in the period
    with db.transaction() as session:
        expired = officer_steps.expire_due_catalog_contracts(session, END + timedelta(days=1))
        assert [c.id for c in expired] == [contract_id]
    assert state(db, contract_id) == CatalogState.EXPIRED
    with db.reading() as session:
        assert queries.timeline(session, queries.load(session, contract_id))[-1]["action"] == "expire"
    # an expired contract no longer blocks a new application
    assert apply(db, people.supplier, service_id)


# --- refusals ---------------------------------------------------------------------------------------------------


def test_one_open_contract_per_service(db, people):
    service_id = publish_service(db, people.supplier)
    apply(db, people.supplier, service_id)
    with pytest.raises(Conflict), db.transaction() as session:
        applying.apply(session, people.supplier, service_id, items(db, service_id), START, END)


def test_a_suspended_service_cannot_apply_nor_be_contracted(db, people, demo):
    service_id = publish_service(db, people.supplier)
    contract_id = apply(db, people.supplier, service_id)
    act(db, officer_steps.start_review, people.officer, contract_id)
    with db.reading() as session:
        found = session.get(Service, service_id)
        code, version = found.code, found.version
    with db.transaction() as session:
        catalog.change_status(session, people.operator, code, "suspend", "CSAP 인증 만료", version)
    with pytest.raises(Conflict) as error, db.transaction() as session:
        officer_steps.sign(session, people.officer, contract_id, contract_version(db, contract_id))
    assert "CSAP 인증 만료" in error.value.message.render("ko")
    other = publish_service(db, people.supplier, name="두 번째 서비스")
    with db.reading() as session:
        found = session.get(Service, other)
        code, version = found.code, found.version
    with db.transaction() as session:
        catalog.change_status(session, people.operator, code, "suspend", "운영 중단", version)
    with pytest.raises(Conflict), db.transaction() as session:
        applying.apply(session, people.supplier, other, items(db, other), START, END)


def sanction(db, people, organisation_id):
    with db.transaction() as session:
        org = session.get(Organisation, organisation_id)
        sanctions.set_sanction(
            session,
            people.officer,
            org.id,
            today_kst() - timedelta(days=1),
            today_kst() + timedelta(days=90),
            "부정당업자",
            org.version,
        )


def test_a_sanctioned_supplier_cannot_apply_nor_be_contracted_nor_resumed(db, people):
    service_id = publish_service(db, people.supplier)
    pending = apply(db, people.supplier, service_id)
    act(db, officer_steps.start_review, people.officer, pending)
    suspended = contracted(db, people, publish_service(db, people.supplier, name="정지될 서비스"))
    act(db, officer_steps.suspend, people.officer, suspended, "점검")
    sanction(db, people, people.supplier.organisation_id)
    with pytest.raises(Conflict) as error, db.transaction() as session:
        officer_steps.sign(session, people.officer, pending, contract_version(db, pending))
    assert "(주)가상소프트" in error.value.message.render("ko")
    with pytest.raises(Conflict), db.transaction() as session:
        officer_steps.resume(session, people.officer, suspended, contract_version(db, suspended), "재개")
    third = publish_service(db, people.supplier, name="세 번째 서비스")
    with pytest.raises(Conflict), db.transaction() as session:
        applying.apply(session, people.supplier, third, items(db, third), START, END)


def test_another_supplier_sees_nothing(db, people):
    contract_id = apply(db, people.supplier, publish_service(db, people.supplier))
    with db.reading() as session:
        with pytest.raises(NotFound):
            queries.visible_contract(session, people.supplier2, contract_id)
        with pytest.raises(NotFound):
            queries.visible_contract(session, people.buyer, contract_id)
        assert queries.contracts_of_supplier(session, people.supplier2) == []
        assert queries.visible_contract(session, people.officer, contract_id).id == contract_id
    with pytest.raises(NotFound), db.transaction() as session:
        applying.apply(session, people.supplier2, contract_id, [], START, END)


# --- one stop: the selection application's documents serve the catalog contract -----------------------------------


def test_selected_service_documents_are_linked_not_uploaded_again(db, people, store):
    application_id = to_committee(db, store, people.supplier, people.operator)
    round_id = round_of(db, people, application_id)
    for reviewer in (people.reviewer, people.reviewer2, people.reviewer3):
        vote(db, reviewer, round_id, application_id)
    close(db, people.operator, round_id)
    step(db, screening.publish, people.operator, application_id)
    with db.reading() as session:
        from digitalmarket.selection.tables import Application

        application = session.get(Application, application_id)
        service_id, documents = application.service_id, [d.id for d in application.documents]
    contract_id = apply(db, people.supplier, service_id, prices=(12000,))
    with db.reading() as session:
        document = queries.contract_document(session, people.officer, contract_id, documents[0])
        assert document.id == documents[0]
        with pytest.raises(NotFound):
            queries.contract_document(session, people.supplier2, contract_id, documents[0])
