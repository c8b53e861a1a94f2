"""Change requests (변경 요청) of catalog contracts: the supplier asks the contracting officer (조달청 계약관)
for an extension of the contract period or for lower unit prices on some items, with a reason.

The officer approves (an amendment of the contract, 변경차수 + 1, through `officer_steps.amend`) or
refuses with a reason; the supplier is notified either way. While a request is pending the supplier cannot
file another for the same contract (and a partial unique index holds the same rule in the database); the
supplier may withdraw it. Prices only go down through this path; an extension ends after the current end,
within the rules of every contract period (at most three years).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ...accounts.permissions import Actor
from ...core import audit
from ...core.clock import today_kst
from ...core.errors import Conflict, NotFound, ValidationFailed
from ...core.formatting import kst_date
from ...core.i18n import N_, Text
from ...core.tables import utcnow
from ..catalog_items import catalog_period_problems
from ..states import CATALOG_STATE_LABELS, CatalogState, wrong_state
from ..tables import CatalogContract, CatalogContractChangeRequest, CatalogContractItem
from . import contract_items, officer_steps, queries, recording


class ChangeKind(StrEnum):
    EXTENSION = "extension"  # a later end of the period
    PRICE_CUT = "price_cut"  # lower unit prices on some items


class ChangeState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


KIND_LABELS: dict[str, Text] = {
    ChangeKind.EXTENSION: N_("Extension of the contract period"),
    ChangeKind.PRICE_CUT: N_("Price cut"),
}
STATE_LABELS: dict[str, Text] = {
    ChangeState.PENDING: N_("Waiting for PPS"),
    ChangeState.APPROVED: N_("Approved"),
    ChangeState.REFUSED: N_("Refused"),
    ChangeState.WITHDRAWN: N_("Withdrawn"),
}
#: What happens to a pending request; anything else is 409 naming its state.
DECISIONS = {"approve": ChangeState.APPROVED, "refuse": ChangeState.REFUSED, "withdraw": ChangeState.WITHDRAWN}


@dataclass(frozen=True)
class PriceInput:
    """A lower unit price (KRW without VAT) asked for one item (a price plan) of the contract in force."""

    price_plan_id: int
    unit_price: int


# --- the rule (pure) ------------------------------------------------------------------------------------------------


def change_request_problems(
    kind: str,
    in_force: dict[int, int],
    period_start: date,
    current_end: date,
    period_end: date | None,
    prices: list[PriceInput],
    today: date,
) -> dict[str, Text]:
    """What is wrong with a change request (empty when it is fine). ``in_force``: price plan id -> unit
    price of the items in force. An extension ends after ``current_end`` and within the rules of every
    contract period; a price cut lowers at least one item's price and raises none."""
    if kind not in set(ChangeKind):
        return {"kind": N_("Choose an extension of the contract period or a price cut.")}
    problems: dict[str, Text] = {}
    if kind == ChangeKind.EXTENSION:
        if period_end is None:
            problems["period_end"] = N_("Enter a date.")
        elif period_end <= current_end:
            problems["period_end"] = N_(
                "An extension must end after the current end of the contract (%(date)s).", date=current_end.isoformat()
            )
        else:
            problems |= catalog_period_problems(period_start, period_end, today)
        return problems
    if not prices:
        return {"prices": N_("Enter a lower unit price for at least one item.")}
    seen: set[int] = set()
    for given in prices:
        key = f"items.{given.price_plan_id}.unit_price"
        before = in_force.get(given.price_plan_id)
        if before is None or given.price_plan_id in seen:
            problems["prices"] = N_("Each price must be for a different item of the contract in force.")
        elif given.unit_price <= 0:
            problems[key] = N_("Enter a unit price above zero.")
        elif given.unit_price > before:
            problems[key] = N_(
                "A price increase cannot be requested: prices only go down (now %(price)s won).", price=f"{before:,}"
            )
        elif given.unit_price == before:
            problems[key] = N_("Enter a price below the price in force (%(price)s won).", price=f"{before:,}")
        seen.add(given.price_plan_id)
    return problems


# --- queries --------------------------------------------------------------------------------------------------------


def pending_change_request(session: Session, contract_id: int) -> CatalogContractChangeRequest | None:
    """The change request of a catalog contract waiting for PPS, if any (at most one): its ``kind``
    (``extension`` | ``price_cut``), ``period_end`` (the end asked for), ``prices`` and ``requested_at``.
    Other stages call it to tell a buyer that an extension is requested."""
    return session.scalars(
        select(CatalogContractChangeRequest).where(
            CatalogContractChangeRequest.contract_id == contract_id,
            CatalogContractChangeRequest.status == ChangeState.PENDING,
        )
    ).first()


def change_requests_of(session: Session, contract_id: int) -> list[CatalogContractChangeRequest]:
    """Every change request of a contract, the latest first."""
    query = select(CatalogContractChangeRequest).where(CatalogContractChangeRequest.contract_id == contract_id)
    return list(session.scalars(query.order_by(CatalogContractChangeRequest.id.desc())))


def pending_change_requests(session: Session) -> list[CatalogContractChangeRequest]:
    """The officer's queue of change requests: every pending one, the longest waiting first."""
    query = select(CatalogContractChangeRequest).where(CatalogContractChangeRequest.status == ChangeState.PENDING)
    return list(
        session.scalars(query.order_by(CatalogContractChangeRequest.requested_at, CatalogContractChangeRequest.id))
    )


def visible_change_requests(session: Session, actor: Actor, contract_id: int) -> list[CatalogContractChangeRequest]:
    """The change requests of a contract, for those who see the contract (its supplier, PPS, admins)."""
    return change_requests_of(session, queries.visible_contract(session, actor, contract_id).id)


def _request_of(session: Session, contract: CatalogContract, request_id: int) -> CatalogContractChangeRequest:
    request = session.get(CatalogContractChangeRequest, request_id)
    if request is None or request.contract_id != contract.id:
        raise NotFound()
    return request


# --- recording ------------------------------------------------------------------------------------------------------


def _record(
    session: Session,
    contract: CatalogContract,
    request: CatalogContractChangeRequest,
    action: str,
    actor_user_id: int | None,
    *,
    reason: str | None = None,
    details: dict | None = None,
) -> None:
    """An audit event on the contract (so its timeline shows the request) naming the request; the contract
    row itself is not changed, so a page the officer has open stays current."""
    session.flush()
    audit.record(
        session,
        actor_user_id=actor_user_id,
        action=f"catalog_contract.{action}",
        object_type="catalog_contract",
        object_id=contract.id,
        details={
            "from": contract.status,
            "to": contract.status,
            "change_seq": contract.change_seq,
            "change_request": request.id,
            "kind": request.kind,
            **({"reason": reason} if reason else {}),
            **(details or {}),
        },
    )


def _decide(request: CatalogContractChangeRequest, decision: str, version: int | None) -> ChangeState:
    if request.status != ChangeState.PENDING:
        raise Conflict(wrong_state(N_("The change request"), STATE_LABELS[request.status]))
    if version is not None and request.version != version:
        raise Conflict()
    return DECISIONS[decision]


def _reason_problem(reason: str | None) -> Text | None:
    text = (reason or "").strip()
    if not text:
        return N_("Enter a reason.")
    if len(text) > recording.MAX_REASON:
        return N_("At most %(max)s characters.", max=recording.MAX_REASON)
    return None


# --- the supplier ---------------------------------------------------------------------------------------------------


def request_change(
    session: Session,
    actor: Actor,
    contract_id: int,
    kind: str,
    reason: str,
    period_end: date | None = None,
    prices: list[PriceInput] | None = None,
    now: datetime | None = None,
) -> CatalogContractChangeRequest:
    """변경 요청: ask PPS for a later end of the period (``extension``, ``period_end``) or for lower unit prices
    on some items (``price_cut``, ``prices``), with a reason. Only for a contract in the mall, one pending
    request at a time."""
    contract = queries.own_contract(session, actor, contract_id)
    # one pending request per contract: hold the contract row until the transaction ends
    session.execute(select(CatalogContract.id).where(CatalogContract.id == contract.id).with_for_update())
    if contract.status != CatalogState.CONTRACTED:
        raise Conflict(
            N_(
                "A change can be requested only while the contract is in the digital service mall (now: %(state)s).",
                state=CATALOG_STATE_LABELS[CatalogState(contract.status)],
            )
        )
    today = today_kst(now)
    blocked = contract_items.refusal(contract.service, contract.service.supplier, today)
    if blocked is not None:
        raise Conflict(blocked)
    pending = pending_change_request(session, contract.id)
    if pending is not None:
        raise Conflict(
            N_(
                "The change request of %(date)s is still waiting for PPS; another can be filed once it is decided.",
                date=kst_date(pending.requested_at),
            )
        )
    in_force = {item.price_plan_id: item.unit_price for item in contract.current_items()}
    given = list(prices or []) if kind == ChangeKind.PRICE_CUT else []
    end = period_end if kind == ChangeKind.EXTENSION else None
    problems = change_request_problems(kind, in_force, contract.period_start, contract.period_end, end, given, today)
    reason_problem = _reason_problem(reason)
    if reason_problem is not None:
        problems["reason"] = reason_problem
    if problems:
        raise ValidationFailed(fields=problems)
    request = CatalogContractChangeRequest(
        contract_id=contract.id,
        kind=kind,
        status=ChangeState.PENDING,
        period_end_before=contract.period_end,
        period_end=end,
        prices=[
            {"price_plan_id": p.price_plan_id, "before": in_force[p.price_plan_id], "unit_price": p.unit_price}
            for p in given
        ],
        reason=reason.strip(),
        requested_by=actor.user_id,
        requested_at=now or utcnow(),
    )
    session.add(request)
    try:
        session.flush()
    except IntegrityError:  # another request of the contract got in first (the partial unique index)
        raise Conflict(N_("Another change request of this contract is already waiting for PPS.")) from None
    details = {"period_end": [contract.period_end.isoformat(), end.isoformat()]} if end else {"prices": request.prices}
    _record(session, contract, request, "change_request", actor.user_id, reason=request.reason, details=details)
    if kind == ChangeKind.EXTENSION:
        message = N_(
            "%(supplier)s asks to extend catalog contract %(number)s until %(date)s.",
            supplier=contract.supplier.name,
            number=contract.number,
            date=end.isoformat(),
        )
    else:
        message = N_(
            "%(supplier)s asks to cut prices of catalog contract %(number)s.",
            supplier=contract.supplier.name,
            number=contract.number,
        )
    recording.notify_officers(session, contract, message)
    return request


def withdraw_change_request(
    session: Session, actor: Actor, contract_id: int, request_id: int, version: int | None, now: datetime | None = None
) -> CatalogContractChangeRequest:
    """The supplier takes back its pending request (to file a corrected one, for instance)."""
    contract = queries.own_contract(session, actor, contract_id)
    request = _request_of(session, contract, request_id)
    request.status = _decide(request, "withdraw", version)
    request.decided_by = actor.user_id
    request.decided_at = now or utcnow()
    _record(session, contract, request, "change_withdraw", actor.user_id)
    return request


# --- the contracting officer ----------------------------------------------------------------------------------------


def approve_change_request(
    session: Session, actor: Actor, contract_id: int, request_id: int, version: int | None, now: datetime | None = None
) -> CatalogContractChangeRequest:
    """Grant the request: the contract is amended (변경차수 + 1) with the requested end or prices, the
    request's reason as the amendment's, and every check of an amendment (409 when the contract is not in
    the mall any more, 422 when a price is no longer a cut)."""
    contract = queries.load(session, contract_id)
    request = _request_of(session, contract, request_id)
    new_state = _decide(request, "approve", version)
    cuts = {p["price_plan_id"]: p["unit_price"] for p in request.prices or []}
    items = [_input(item, cuts.get(item.price_plan_id, item.unit_price)) for item in contract.current_items()]
    missing = set(cuts) - {item.price_plan_id for item in contract.current_items()}
    if missing:
        raise Conflict(N_("An item of the request is no longer in the contract; refuse the request instead."))
    officer_steps.amend(
        session,
        actor,
        contract.id,
        contract.version,
        items,
        request.period_end,
        request.reason,
        now,
        change_request_id=request.id,
    )
    request.status = new_state
    request.decided_by = actor.user_id
    request.decided_at = now or utcnow()
    request.change_seq = contract.change_seq
    session.flush()
    return request


def _input(item: CatalogContractItem, unit_price: int) -> contract_items.ItemInput:
    return contract_items.ItemInput(item.price_plan_id, unit_price, item.product_id, item.item)


def refuse_change_request(
    session: Session,
    actor: Actor,
    contract_id: int,
    request_id: int,
    version: int | None,
    reason: str,
    now: datetime | None = None,
) -> CatalogContractChangeRequest:
    """Refuse the request with a reason the supplier reads; the contract stays as it is."""
    contract = queries.load(session, contract_id)
    request = _request_of(session, contract, request_id)
    new_state = _decide(request, "refuse", version)
    problem = _reason_problem(reason)
    if problem is not None:
        raise ValidationFailed(fields={"reason": problem})
    text = reason.strip()
    request.status = new_state
    request.decided_by = actor.user_id
    request.decided_at = now or utcnow()
    request.decision_reason = text
    _record(session, contract, request, "change_refuse", actor.user_id, reason=text)
    recording.notify_supplier(
        session,
        contract,
        N_(
            "PPS refused your change request for catalog contract %(number)s: %(reason)s",
            number=contract.number,
            reason=text,
        ),
    )
    return request
