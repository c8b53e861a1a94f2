"""The contracting officer's steps (조달청 계약관): start the review, ask for a supplement, sign (a
``CC-2026-00017`` number, a period, items at unit prices never above the selected price plans), amend
(변경차수 + 1, every earlier version kept), suspend and resume trade, and the daily expiry at the end of the
period. Once contracted the service is in the shopping mall.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...accounts.permissions import Actor
from ...accounts.tables import Organisation
from ...core.clock import today_kst
from ...core.errors import Conflict, ValidationFailed
from ...core.i18n import N_
from ...core.ids import next_code
from ...core.tables import utcnow
from ...signatures.authority import signer_for
from ..catalog_items import amendment_problems, catalog_diff, catalog_period_problems
from ..states import CatalogAction, CatalogState, move
from ..tables import CatalogContract, CatalogContractItem, CatalogContractVersion
from .contract_items import (
    ItemInput,
    as_items,
    check_period,
    checked_items,
    item_details,
    items_of,
    refuse_if_blocked,
    replace_application_items,
    version_of,
    write_items,
)
from .queries import load
from .recording import checked_reason, moved_state, named, notify_supplier, record_step

# --- the contracting officer (조달청 계약관) -------------------------------------------------------------------


def start_review(
    session: Session, actor: Actor, contract_id: int, version: int, now: datetime | None = None
) -> CatalogContract:
    contract = load(session, contract_id)
    new_state = moved_state(contract, CatalogAction.START_REVIEW, version)
    previous = contract.status
    contract.status = new_state
    contract.officer_id = actor.user_id
    record_step(session, contract, "start_review", actor.user_id, from_state=previous, now=now)
    notify_supplier(
        session,
        contract,
        N_("PPS has started to review the catalog contract of %(service)s.", service=contract.service.name),
    )
    return contract


def request_supplement(
    session: Session, actor: Actor, contract_id: int, version: int, reason: str, now: datetime | None = None
) -> CatalogContract:
    """보완 요청, with the reasons; the supplier resubmits."""
    contract = load(session, contract_id)
    new_state = moved_state(contract, CatalogAction.REQUEST_SUPPLEMENT, version)
    text = checked_reason(reason)
    previous = contract.status
    contract.status = new_state
    contract.status_reason = text
    record_step(session, contract, "request_supplement", actor.user_id, from_state=previous, reason=text, now=now)
    notify_supplier(
        session,
        contract,
        N_("PPS asks for a supplement to the catalog contract of %(service)s.", service=contract.service.name),
    )
    return contract


def refuse_unless_both_can_sign(session: Session, contract: CatalogContract, actor: Actor) -> None:
    """PPS (the officer's organisation) and the supplier sign the version's 카탈로그 계약서 after the commit
    (`contracting.catalog_documents`): each gets its certificate here on first need, and a revoked or expired one is
    a 409 (`CannotSign`) before anything is written."""
    if actor.organisation_id is not None:
        signer_for(session, actor.organisation_id)
    signer_for(session, contract.supplier_id)


def sign(
    session: Session,
    actor: Actor,
    contract_id: int,
    version: int,
    items: list[ItemInput] | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
    now: datetime | None = None,
) -> CatalogContract:
    """Contract: a CC number, the period and the items (as proposed, or as the officer sets them, never above
    the plans' prices). The service is in the shopping mall from the first day of the period."""
    contract = load(session, contract_id)
    new_state = moved_state(contract, CatalogAction.CONTRACT, version)
    today = today_kst(now)
    refuse_if_blocked(contract, today)
    refuse_unless_both_can_sign(session, contract, actor)
    if items is not None:
        checked = checked_items(contract.service, items)
        if as_items(items_of(contract, 0)) != checked:
            replace_application_items(session, contract, checked)
    else:
        checked = checked_items(contract.service, [_input_of(i) for i in items_of(contract, 0)])
    start, end = period_start or contract.period_start, period_end or contract.period_end
    check_period(start, end, today)
    contract.period_start, contract.period_end = start, end
    first = version_of(contract, 0)
    first.period_start, first.period_end = start, end
    first.actor_user_id = actor.user_id
    contract.number = next_code(session, "CC", today.year)
    previous = contract.status
    contract.status = new_state
    contract.status_reason = None
    contract.officer_id = actor.user_id
    contract.contracted_at = now or utcnow()
    pps = session.get(Organisation, actor.organisation_id) if actor.organisation_id else None
    record_step(
        session,
        contract,
        "contract",
        actor.user_id,
        from_state=previous,
        details={
            "number": contract.number,
            "period": [start.isoformat(), end.isoformat()],
            "items": item_details(checked),
            # how the contract names its service and parties (open data publishes them so, as of this event)
            "service": {"code": contract.service.code, "name": contract.service.name},
            "supplier": named(contract.supplier),
            **({"pps": named(pps)} if pps is not None else {}),
        },
        now=now,
    )
    notify_supplier(
        session,
        contract,
        N_(
            "%(service)s is contracted as %(number)s and listed in the digital service mall.",
            service=contract.service.name,
            number=contract.number,
        ),
    )
    return contract


def _input_of(row: CatalogContractItem) -> ItemInput:
    return ItemInput(row.price_plan_id, row.unit_price, row.product_id, row.item)


def amend(
    session: Session,
    actor: Actor,
    contract_id: int,
    version: int,
    items: list[ItemInput],
    period_end: date | None,
    reason: str,
    now: datetime | None = None,
    *,
    change_request_id: int | None = None,
) -> CatalogContract:
    """변경차수 + 1: prices down, items added (never above the plan price) or removed, the period extended.
    Every earlier version and its items stay as they were. ``change_request_id``: the supplier's change
    request (변경 요청) the amendment grants, named in the audit event and the supplier's notification."""
    contract = load(session, contract_id)
    new_state = moved_state(contract, CatalogAction.AMEND, version)
    today = today_kst(now)
    refuse_if_blocked(contract, today)
    refuse_unless_both_can_sign(session, contract, actor)
    text = checked_reason(reason)
    checked = checked_items(contract.service, items)
    end = period_end or contract.period_end
    problems = amendment_problems(as_items(contract.current_items()), checked, contract.period_end, end)
    problems |= catalog_period_problems(contract.period_start, end, today)
    if problems:
        message = problems.pop("_form", None)
        raise ValidationFailed(message, fields=problems)
    before = as_items(contract.current_items())
    seq = contract.change_seq + 1
    session.add(
        CatalogContractVersion(
            contract=contract,
            seq=seq,
            period_start=contract.period_start,
            period_end=end,
            reason=text,
            actor_user_id=actor.user_id,
        )
    )
    write_items(session, contract, seq, checked)
    previous_end = contract.period_end
    contract.change_seq = seq
    contract.period_end = end
    contract.status = new_state
    diff = catalog_diff(before, checked)
    record_step(
        session,
        contract,
        "amend",
        actor.user_id,
        from_state=str(CatalogState.CONTRACTED),
        reason=text,
        details={
            "changes": [{"plan": c.price_plan_id, "change": c.change} for c in diff.items if c.change != "same"],
            **({"period_end": [previous_end.isoformat(), end.isoformat()]} if end != previous_end else {}),
            **({"change_request": change_request_id} if change_request_id is not None else {}),
        },
        now=now,
    )
    if change_request_id is None:
        message = N_("Catalog contract %(number)s is amended (change %(seq)s).", number=contract.number, seq=seq)
    else:
        message = N_(
            "PPS approved your change request: catalog contract %(number)s is amended (change %(seq)s).",
            number=contract.number,
            seq=seq,
        )
    notify_supplier(session, contract, message)
    return contract


def suspend(
    session: Session, actor: Actor, contract_id: int, version: int, reason: str, now: datetime | None = None
) -> CatalogContract:
    """거래정지: agencies cannot order the service under this contract until trade resumes."""
    contract = load(session, contract_id)
    new_state = moved_state(contract, CatalogAction.SUSPEND, version)
    text = checked_reason(reason)
    contract.status = new_state
    contract.status_reason = text
    record_step(
        session, contract, "suspend", actor.user_id, from_state=str(CatalogState.CONTRACTED), reason=text, now=now
    )
    notify_supplier(
        session,
        contract,
        N_("Trade under catalog contract %(number)s is suspended: %(reason)s", number=contract.number, reason=text),
    )
    return contract


def resume(
    session: Session, actor: Actor, contract_id: int, version: int, reason: str, now: datetime | None = None
) -> CatalogContract:
    """Trade resumes, with a reason; not while the service is suspended or its supplier sanctioned, nor after
    the end of the period (the contract expires instead)."""
    contract = load(session, contract_id)
    new_state = moved_state(contract, CatalogAction.RESUME, version)
    text = checked_reason(reason)
    today = today_kst(now)
    refuse_if_blocked(contract, today)
    if contract.period_end < today:
        raise Conflict(N_("The contract period has ended; the contract expires instead."))
    contract.status = new_state
    contract.status_reason = None
    record_step(
        session, contract, "resume", actor.user_id, from_state=str(CatalogState.SUSPENDED), reason=text, now=now
    )
    notify_supplier(session, contract, N_("Trade under catalog contract %(number)s resumes.", number=contract.number))
    return contract


def expire_due_catalog_contracts(session: Session, today: date) -> list[CatalogContract]:
    """Contracts (in the mall or suspended) whose period ended before ``today`` expire (run it daily)."""
    due = list(
        session.scalars(
            select(CatalogContract)
            .where(
                CatalogContract.status.in_([str(CatalogState.CONTRACTED), str(CatalogState.SUSPENDED)]),
                CatalogContract.period_end < today,
            )
            .order_by(CatalogContract.id)
        )
    )
    for contract in due:
        previous = contract.status
        contract.status = str(move("catalog", previous, CatalogAction.EXPIRE))
        record_step(
            session,
            contract,
            "expire",
            None,
            from_state=previous,
            details={"period_end": contract.period_end.isoformat()},
        )
        notify_supplier(
            session,
            contract,
            N_("Catalog contract %(number)s has expired at the end of its period.", number=contract.number),
        )
    return due
