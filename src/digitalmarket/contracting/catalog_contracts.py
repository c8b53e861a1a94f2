"""Use cases of catalog contracts (카탈로그 계약) with PPS, and the queries other stages build on.

A supplier applies for its published service; the contracting officer reviews, may ask for a supplement,
and contracts (a `CC-2026-00017` number, a period, items at unit prices never above the selected price
plans). Once contracted the service is in the shopping mall; each amendment (변경차수 + 1) keeps every
earlier version; trade may be suspended and resumed; the contract expires at the end of its period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.permissions import Actor
from ..accounts.rules import Role, sanction_active
from ..accounts.tables import Organisation, User
from ..catalog.rules import ServiceStatus
from ..catalog.tables import PricePlan, Service
from ..core import audit
from ..core.audit import AuditEvent
from ..core.clock import today_kst
from ..core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from ..core.i18n import N_, Text
from ..core.ids import next_code
from ..core.notifications import notify
from ..core.tables import utcnow
from .rules import (
    CATALOG_OPEN_STATES,
    MAX_ITEM_NAME,
    CatalogAction,
    CatalogItem,
    CatalogState,
    amendment_problems,
    catalog_diff,
    catalog_items_problems,
    catalog_period_problems,
    catalog_price,
    move,
)
from .tables import CatalogContract, CatalogContractItem, CatalogContractVersion

MAX_REASON = 2000

# --- queries for other stages (delivery requests, orders) -------------------------------------------------------


def active_catalog_contract(session: Session, service_id: int, on: date) -> CatalogContract | None:
    """The service's catalog contract in force on a day: contracted (not suspended, not expired) and with
    a period covering the day; None when the service is not in the shopping mall that day."""
    return session.scalars(
        select(CatalogContract)
        .where(
            CatalogContract.service_id == service_id,
            CatalogContract.status == CatalogState.CONTRACTED,
            CatalogContract.period_start <= on,
            CatalogContract.period_end >= on,
        )
        .order_by(CatalogContract.id.desc())
        .limit(1)
    ).first()


def catalog_item_price(contract: CatalogContract, price_plan_id: int) -> int | None:
    """The contracted unit price (KRW without VAT) of a price plan in the contract's current 변경차수, or
    None when the plan is not an item of it."""
    for item in contract.current_items():
        if item.price_plan_id == price_plan_id:
            return item.unit_price
    return None


# --- who sees what ---------------------------------------------------------------------------------------------

OFFICER_SIDE = {Role.CONTRACTING_OFFICER, Role.ADMIN}
#: What the officer's queue shows by default: applications waiting for PPS or for the supplier.
REVIEW_STATES = (CatalogState.APPLIED, CatalogState.PPS_REVIEW, CatalogState.SUPPLEMENT_REQUESTED)


def load(session: Session, contract_id: int) -> CatalogContract:
    contract = session.get(CatalogContract, contract_id)
    if contract is None:
        raise NotFound()
    return contract


def visible_contract(session: Session, actor: Actor, contract_id: int) -> CatalogContract:
    """PPS (and admins) see every catalog contract, a supplier its own; anyone else gets 404, as if it did
    not exist."""
    contract = session.get(CatalogContract, contract_id)
    if contract is None:
        raise NotFound()
    if actor.role in OFFICER_SIDE:
        return contract
    if actor.role == Role.SUPPLIER and contract.supplier_id == actor.organisation_id:
        return contract
    raise NotFound()


def own_contract(session: Session, actor: Actor, contract_id: int) -> CatalogContract:
    contract = visible_contract(session, actor, contract_id)
    if contract.supplier_id != actor.organisation_id:
        raise NotFound()
    return contract


def contracts_of_supplier(session: Session, actor: Actor) -> list[CatalogContract]:
    query = select(CatalogContract).where(CatalogContract.supplier_id == actor.organisation_id)
    return list(session.scalars(query.order_by(CatalogContract.id.desc())))


def queue(session: Session, state: str | None = None) -> list[CatalogContract]:
    """The officer's queue: by default what waits for PPS or the supplier, the longest waiting first; any
    other state when asked for."""
    query = select(CatalogContract)
    if state:
        query = query.where(CatalogContract.status == state)
    else:
        query = query.where(CatalogContract.status.in_([str(s) for s in REVIEW_STATES]))
    return list(session.scalars(query.order_by(CatalogContract.updated_at, CatalogContract.id)))


def contracts_for(session: Session, actor: Actor, state: str | None = None) -> list[CatalogContract]:
    if actor.role == Role.SUPPLIER:
        rows = contracts_of_supplier(session, actor)
        return [c for c in rows if c.status == state] if state else rows
    if actor.role in OFFICER_SIDE:
        return queue(session, state)
    raise PermissionDenied()


def open_contract_of_service(session: Session, service_id: int) -> CatalogContract | None:
    """The service's catalog contract that is not expired (at most one), if any."""
    return session.scalars(
        select(CatalogContract)
        .where(
            CatalogContract.service_id == service_id,
            CatalogContract.status.in_([str(s) for s in CATALOG_OPEN_STATES]),
        )
        .order_by(CatalogContract.id.desc())
        .limit(1)
    ).first()


def own_service(session: Session, actor: Actor, service_id: int) -> Service:
    service = session.get(Service, service_id)
    if service is None or service.supplier_id != actor.organisation_id or service.status == ServiceStatus.DELISTED:
        raise NotFound()
    return service


def selection_application(session: Session, service_id: int):
    """The selection application the service was published from (its documents serve the catalog
    contract too), or None for a service imported or registered otherwise."""
    from ..selection.tables import Application  # read only: the papers submitted once, for both gates

    return session.scalars(select(Application).where(Application.service_id == service_id)).first()


def contract_document(session: Session, actor: Actor, contract_id: int, document_id: int):
    """A document of the selection application behind a catalog contract, for those who see the contract."""
    contract = visible_contract(session, actor, contract_id)
    application = selection_application(session, contract.service_id)
    document = next((d for d in application.documents if d.id == document_id), None) if application else None
    if document is None:
        raise NotFound()
    return document


# --- items and periods -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemInput:
    """An item as a supplier or officer proposes it: a price plan and a unit price; the product id and the
    item name default to the service's code and the plan's name, the unit is always the plan's."""

    price_plan_id: int
    unit_price: int
    product_id: str | None = None
    item: str | None = None


def default_product_id(service: Service, plan: PricePlan) -> str:
    return f"{service.code}-{plan.position + 1:02d}"


def default_item_name(service: Service, plan: PricePlan) -> str:
    return f"{service.name} {plan.name}"[:MAX_ITEM_NAME]


def ceilings(service: Service) -> dict[int, int]:
    """Each price plan's catalog price without VAT: no item may be contracted above it."""
    return {plan.id: catalog_price(plan.unit_price, plan.vat_included) for plan in service.price_plans}


def _items(service: Service, inputs: list[ItemInput]) -> list[CatalogItem]:
    plans = {plan.id: plan for plan in service.price_plans}
    items = []
    for given in inputs:
        plan = plans.get(given.price_plan_id)
        items.append(
            CatalogItem(
                price_plan_id=given.price_plan_id,
                product_id=(given.product_id or (default_product_id(service, plan) if plan else "")).strip(),
                item=(given.item or (default_item_name(service, plan) if plan else "")).strip(),
                unit=plan.unit if plan else "",
                unit_price=given.unit_price,
            )
        )
    return items


def _checked_items(service: Service, inputs: list[ItemInput]) -> list[CatalogItem]:
    items = _items(service, inputs)
    problems = catalog_items_problems(items, ceilings(service))
    if problems:
        raise ValidationFailed(fields=problems)
    return items


def _check_period(start: date | None, end: date | None, today: date | None = None) -> None:
    problems = catalog_period_problems(start, end, today or today_kst())
    if problems:
        raise ValidationFailed(fields=problems)


def as_items(rows) -> list[CatalogItem]:
    """Stored items (of one 변경차수) as the rules see them."""
    return [CatalogItem(r.price_plan_id, r.product_id, r.item, r.unit, r.unit_price) for r in rows]


def items_of(contract: CatalogContract, seq: int) -> list[CatalogContractItem]:
    return [item for item in contract.items if item.seq == seq]


def version_of(contract: CatalogContract, seq: int) -> CatalogContractVersion | None:
    return next((v for v in contract.versions if v.seq == seq), None)


def _write_items(session: Session, contract: CatalogContract, seq: int, items: list[CatalogItem]) -> None:
    for position, item in enumerate(items):
        row = CatalogContractItem(
            seq=seq,
            position=position,
            price_plan_id=item.price_plan_id,
            product_id=item.product_id,
            item=item.item,
            unit=item.unit,
            unit_price=item.unit_price,
        )
        contract.items.append(row)
        session.add(row)


def _replace_application_items(session: Session, contract: CatalogContract, items: list[CatalogItem]) -> None:
    """Before the contract is signed, 변경차수 0 is the application itself: its items are replaced."""
    for row in items_of(contract, 0):
        contract.items.remove(row)
        session.delete(row)
    session.flush()
    _write_items(session, contract, 0, items)


def _item_details(items: list[CatalogItem]) -> list[dict]:
    return [
        {"plan": i.price_plan_id, "product_id": i.product_id, "item": i.item, "unit": i.unit, "price": i.unit_price}
        for i in items
    ]


# --- refusals -----------------------------------------------------------------------------------------------------


def refusal(service: Service, supplier: Organisation, today: date) -> Text | None:
    """Why the service cannot be applied for or contracted today: suspended or delisted, or its supplier
    under an active sanction (부정당업자 제재); None when nothing stands in the way."""
    if service.status == ServiceStatus.SUSPENDED:
        reason = service.status_reason or "-"
        return N_("The service is suspended from the catalog (%(reason)s).", reason=reason)
    if service.status != ServiceStatus.PUBLISHED:
        return N_("The service is not published in the catalog.")
    if sanction_active(supplier.sanction_from, supplier.sanction_until, today):
        return N_(
            "%(supplier)s is under a sanction until %(until)s.",
            supplier=supplier.name,
            until=supplier.sanction_until.isoformat(),
        )
    return None


def _refuse_if_blocked(contract_or_service: CatalogContract | Service, today: date | None = None) -> None:
    service = contract_or_service.service if isinstance(contract_or_service, CatalogContract) else contract_or_service
    reason = refusal(service, service.supplier, today or today_kst())
    if reason is not None:
        raise Conflict(reason)


# --- recording a step -----------------------------------------------------------------------------------------------


def _user_ids(session: Session, *, role: str | None = None, organisation_id: int | None = None) -> list[int]:
    query = select(User.id).where(User.is_active)
    if role is not None:
        query = query.where(User.role == role)
    if organisation_id is not None:
        query = query.where(User.organisation_id == organisation_id)
    return list(session.scalars(query))


def notify_supplier(session: Session, contract: CatalogContract, message: Text) -> None:
    notify(
        session,
        _user_ids(session, organisation_id=contract.supplier_id),
        message,
        f"/supplier/catalog-contracts/{contract.id}",
    )


def notify_officers(session: Session, contract: CatalogContract, message: Text) -> None:
    notify(
        session,
        _user_ids(session, role=Role.CONTRACTING_OFFICER),
        message,
        f"/officer/catalog-contracts/{contract.id}",
    )


def named(organisation: Organisation) -> dict:
    """An organisation as a contract names it in its events: its name and public numbers."""
    return {
        "name": organisation.name,
        "business_number": organisation.business_number,
        "agency_code": organisation.agency_code,
    }


def _record(
    session: Session,
    contract: CatalogContract,
    action: str,
    actor_user_id: int | None,
    *,
    from_state: str | None,
    reason: str | None = None,
    details: dict | None = None,
    now: datetime | None = None,
) -> None:
    contract.updated_at = now or utcnow()
    session.flush()
    audit.record(
        session,
        actor_user_id=actor_user_id,
        action=f"catalog_contract.{action}",
        object_type="catalog_contract",
        object_id=contract.id,
        occurred_at=contract.updated_at,
        details={
            "from": from_state,
            "to": contract.status,
            "change_seq": contract.change_seq,
            **({"reason": reason} if reason else {}),
            **(details or {}),
        },
    )


def _step(contract: CatalogContract, action: CatalogAction, version: int | None) -> str:
    """The state after ``action``; 409 for a wrong state or a stale version."""
    new_state = move("catalog", contract.status, action)
    if version is not None and contract.version != version:
        raise Conflict()
    return str(new_state)


def _reason(reason: str | None, field: str = "reason") -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed(fields={field: N_("Enter a reason.")})
    if len(text) > MAX_REASON:
        raise ValidationFailed(fields={field: N_("At most %(max)s characters.", max=MAX_REASON)})
    return text


# --- the supplier ------------------------------------------------------------------------------------------------


def apply(
    session: Session,
    actor: Actor,
    service_id: int,
    items: list[ItemInput],
    period_start: date | None,
    period_end: date | None,
    now: datetime | None = None,
) -> CatalogContract:
    """Apply for a catalog contract of one's published service, from its price plans: nothing is typed or
    uploaded again (the selection application's documents serve PPS too)."""
    service = own_service(session, actor, service_id)
    # one application at a time per service: hold the service row until the transaction ends
    session.execute(select(Service.id).where(Service.id == service.id).with_for_update())
    if open_contract_of_service(session, service.id) is not None:
        raise Conflict(N_("The service already has a catalog contract or an application under way."))
    today = today_kst(now)
    _refuse_if_blocked(service, today)
    checked = _checked_items(service, items)
    _check_period(period_start, period_end, today)
    contract = CatalogContract(
        service_id=service.id,
        supplier_id=service.supplier_id,
        applied_by=actor.user_id,
        status=CatalogState.APPLIED,
        change_seq=0,
        period_start=period_start,
        period_end=period_end,
    )
    session.add(contract)
    session.flush()
    session.add(
        CatalogContractVersion(
            contract=contract,
            seq=0,
            period_start=period_start,
            period_end=period_end,
            reason="",
            actor_user_id=actor.user_id,
        )
    )
    _write_items(session, contract, 0, checked)
    _record(
        session, contract, "apply", actor.user_id, from_state=None, details={"items": _item_details(checked)}, now=now
    )
    notify_officers(
        session,
        contract,
        N_(
            "%(supplier)s applies for a catalog contract of %(service)s.",
            supplier=service.supplier.name,
            service=service.name,
        ),
    )
    return contract


def resubmit(
    session: Session,
    actor: Actor,
    contract_id: int,
    version: int,
    items: list[ItemInput] | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
    now: datetime | None = None,
) -> CatalogContract:
    """After a supplement request: send the application again, with changed items or period if given."""
    contract = own_contract(session, actor, contract_id)
    new_state = _step(contract, CatalogAction.RESUBMIT, version)
    today = today_kst(now)
    _refuse_if_blocked(contract, today)
    details: dict = {}
    if items is not None:
        checked = _checked_items(contract.service, items)
        if as_items(items_of(contract, 0)) != checked:
            details["items"] = _item_details(checked)
            _replace_application_items(session, contract, checked)
    if period_start is not None or period_end is not None:
        start, end = period_start or contract.period_start, period_end or contract.period_end
        _check_period(start, end, today)
        if (start, end) != (contract.period_start, contract.period_end):
            details["period"] = [start.isoformat(), end.isoformat()]
        contract.period_start, contract.period_end = start, end
        first = version_of(contract, 0)
        first.period_start, first.period_end = start, end
    previous = contract.status
    contract.status = new_state
    contract.status_reason = None
    _record(session, contract, "resubmit", actor.user_id, from_state=previous, details=details, now=now)
    notify_officers(
        session,
        contract,
        N_("The catalog contract application of %(service)s is resubmitted.", service=contract.service.name),
    )
    return contract


# --- the contracting officer (조달청 계약관) -------------------------------------------------------------------


def start_review(
    session: Session, actor: Actor, contract_id: int, version: int, now: datetime | None = None
) -> CatalogContract:
    contract = load(session, contract_id)
    new_state = _step(contract, CatalogAction.START_REVIEW, version)
    previous = contract.status
    contract.status = new_state
    contract.officer_id = actor.user_id
    _record(session, contract, "start_review", actor.user_id, from_state=previous, now=now)
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
    new_state = _step(contract, CatalogAction.REQUEST_SUPPLEMENT, version)
    text = _reason(reason)
    previous = contract.status
    contract.status = new_state
    contract.status_reason = text
    _record(session, contract, "request_supplement", actor.user_id, from_state=previous, reason=text, now=now)
    notify_supplier(
        session,
        contract,
        N_("PPS asks for a supplement to the catalog contract of %(service)s.", service=contract.service.name),
    )
    return contract


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
    new_state = _step(contract, CatalogAction.CONTRACT, version)
    today = today_kst(now)
    _refuse_if_blocked(contract, today)
    if items is not None:
        checked = _checked_items(contract.service, items)
        if as_items(items_of(contract, 0)) != checked:
            _replace_application_items(session, contract, checked)
    else:
        checked = _checked_items(contract.service, [_input_of(i) for i in items_of(contract, 0)])
    start, end = period_start or contract.period_start, period_end or contract.period_end
    _check_period(start, end, today)
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
    _record(
        session,
        contract,
        "contract",
        actor.user_id,
        from_state=previous,
        details={
            "number": contract.number,
            "period": [start.isoformat(), end.isoformat()],
            "items": _item_details(checked),
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
    new_state = _step(contract, CatalogAction.AMEND, version)
    today = today_kst(now)
    _refuse_if_blocked(contract, today)
    text = _reason(reason)
    checked = _checked_items(contract.service, items)
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
    _write_items(session, contract, seq, checked)
    previous_end = contract.period_end
    contract.change_seq = seq
    contract.period_end = end
    contract.status = new_state
    diff = catalog_diff(before, checked)
    _record(
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
    new_state = _step(contract, CatalogAction.SUSPEND, version)
    text = _reason(reason)
    contract.status = new_state
    contract.status_reason = text
    _record(session, contract, "suspend", actor.user_id, from_state=str(CatalogState.CONTRACTED), reason=text, now=now)
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
    new_state = _step(contract, CatalogAction.RESUME, version)
    text = _reason(reason)
    today = today_kst(now)
    _refuse_if_blocked(contract, today)
    if contract.period_end < today:
        raise Conflict(N_("The contract period has ended; the contract expires instead."))
    contract.status = new_state
    contract.status_reason = None
    _record(session, contract, "resume", actor.user_id, from_state=str(CatalogState.SUSPENDED), reason=text, now=now)
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
        _record(
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


# --- what the pages show -----------------------------------------------------------------------------------------


def timeline(session: Session, contract: CatalogContract) -> list[dict]:
    """Every step of the contract from the audit trail: action, states, time, actor, reason, details."""
    rows = session.execute(
        select(AuditEvent, User)
        .outerjoin(User, User.id == AuditEvent.actor_user_id)
        .where(AuditEvent.object_type == "catalog_contract", AuditEvent.object_id == str(contract.id))
        .order_by(AuditEvent.id)
    ).all()
    steps = []
    for index, (event, user) in enumerate(rows):
        details = dict(event.details or {})
        steps.append(
            {
                "action": event.action.removeprefix("catalog_contract."),
                "from_state": details.get("from"),
                "to_state": details.get("to"),
                "change_seq": details.get("change_seq", 0),
                "at": event.occurred_at,
                "actor": user.name if user else None,
                "actor_role": user.role if user else None,
                "reason": details.get("reason"),
                "details": details,
                "current": index + 1 == len(rows),
            }
        )
    return steps


def diff(contract: CatalogContract, before_seq: int, after_seq: int) -> dict:
    """The differences between two versions (변경차수) of a contract: items and period."""
    before, after = version_of(contract, before_seq), version_of(contract, after_seq)
    if before is None or after is None:
        raise NotFound()
    changes = catalog_diff(as_items(items_of(contract, before_seq)), as_items(items_of(contract, after_seq)))
    return {
        "from_seq": before_seq,
        "to_seq": after_seq,
        "reason": after.reason,
        "period_before": (before.period_start, before.period_end),
        "period_after": (after.period_start, after.period_end),
        "period_changed": (before.period_start, before.period_end) != (after.period_start, after.period_end),
        "items": changes.items,
    }
