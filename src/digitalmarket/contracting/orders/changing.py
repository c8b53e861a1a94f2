"""Changing the contract (계약변경): a side proposes new quantities, months or prices with a reason
(변경차수 + 1), the other side confirms it (the order's lines and amounts become the new version's) or the
proposer withdraws it. The order's `version` makes two changes at once a 409.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from ...accounts.permissions import Actor
from ...accounts.verification import refuse_unless_verified
from ...core import audit
from ...core.clock import today_kst
from ...core.errors import Conflict, ValidationFailed
from ...core.i18n import N_, Text
from ...core.notifications import notify
from ...core.tables import utcnow
from ..documents.parties import refuse_unless_parties_complete
from ..lines import line_problems, period_end, price_problem
from ..money import amounts, line_amount
from ..states import OrderAction, move
from ..tables import CatalogContract, Order, OrderLine, OrderVersion
from .access import confirmed_by, pending_change, side_of, visible_order
from .confirming import check_tradable, other_side, refuse_unless_side_can_sign, stamp
from .documents import conclude_document, refuse_until_document
from .making import MAX_REASON, catalog_contract_of, line_term_problems, plan_ceiling, plan_price_problem

# --- changing the contract (계약변경) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeLineIn:
    position: int
    quantity: int
    months: int
    unit_price: int


@dataclass(frozen=True)
class ChangeIn:
    reason: str
    lines: list[ChangeLineIn] = field(default_factory=list)


def reason_problem(reason: str) -> Text | None:
    reason = (reason or "").strip()
    if not reason:
        return N_("Give a reason.")
    if len(reason) > MAX_REASON:
        return N_("At most %(max)s characters.", max=MAX_REASON)
    return None


def propose_change(
    session: Session,
    actor: Actor,
    order_id: int,
    version: int,
    change: ChangeIn,
    now: datetime | None = None,
) -> OrderVersion:
    """계약변경: new quantities, months or prices (never above today's catalog price) with a reason; the
    proposer's side confirms by proposing, the other side confirms or declines."""
    now = now or utcnow()
    today = today_kst(now)
    order = visible_order(session, actor, order_id, lock=True)
    side = side_of(actor, order)
    if side == "supplier":
        refuse_unless_verified(order.supplier)  # a change is signed: an unverified company cannot sign
    move("order", order.status, OrderAction.CHANGE)
    if pending_change(order) is not None:
        raise Conflict(N_("A change of this contract is already waiting for confirmation."))
    current = {line.position: line for line in order.current_lines()}
    contract = (
        session.get(CatalogContract, order.catalog_contract_id)
        if order.method == "delivery_request" and order.catalog_contract_id
        else catalog_contract_of(session, order.service, today)
    )
    plans = {p.id: p for p in order.service.price_plans}
    problems: dict[str, Text] = {}
    reason_text = reason_problem(change.reason)
    if reason_text:
        problems["reason"] = reason_text
    given = {line.position: line for line in change.lines}
    if set(given) != set(current) or len(given) != len(change.lines):
        problems["lines"] = N_("Give the new quantity, months and unit price of every line of the contract.")
    else:
        for position, line in given.items():
            old = current[position]
            plan = plans.get(old.price_plan_id)
            checked = (
                line_term_problems(plan, line.quantity, line.months)
                if plan
                else line_problems(line.quantity, line.months)
            )
            for name, problem in checked.items():
                problems[f"lines.{position}.{name}"] = problem
            price = (
                plan_price_problem(plan, contract, line.unit_price)
                if plan
                else price_problem(line.unit_price, old.unit_price)
            )
            if price:
                problems[f"lines.{position}.unit_price"] = price
        unchanged = all(
            (given[p].quantity, given[p].months, given[p].unit_price) == (o.quantity, o.months, o.unit_price)
            for p, o in current.items()
        )
        if not problems and unchanged:
            problems["lines"] = N_("Change the quantity, months or unit price of at least one line.")
    if problems:
        raise ValidationFailed(fields=problems)
    seq = order.change_seq + 1
    lines = []
    for position, old in sorted(current.items()):
        new = given[position]
        plan = plans.get(old.price_plan_id)
        lines.append(
            OrderLine(
                seq=seq,
                position=position,
                price_plan_id=old.price_plan_id,
                item=old.item,
                unit=old.unit,
                billing=old.billing,
                quantity=new.quantity,
                months=new.months,
                catalog_unit_price=max(plan_ceiling(plan, contract) if plan else old.unit_price, new.unit_price),
                unit_price=new.unit_price,
                amount=line_amount(old.billing, new.unit_price, new.quantity, new.months),
            )
        )
    end = period_end(order.start_date, max(line.months for line in lines))
    check_tradable(session, order, order.start_date, end, today)
    refuse_unless_side_can_sign(session, order, side)
    if order.version != version:
        raise Conflict()
    money = amounts(line.amount for line in lines)
    proposal = OrderVersion(
        seq=seq,
        status="proposed",
        start_date=order.start_date,
        end_date=end,
        supply_amount=money.supply,
        vat=money.vat,
        total=money.total,
        reason=change.reason.strip(),
        proposed_by=actor.user_id,
        created_at=now,
    )
    stamp(proposal, side, actor, now)
    # its document (signed by the proposer) is made after the commit: `documents`
    refuse_unless_parties_complete(order.agency, order.supplier)
    order.versions.append(proposal)
    for line in lines:
        order.lines.append(line)
    order.updated_at = now
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="order.change_proposed",
        object_type="order",
        object_id=order.id,
        details={"seq": seq, "reason": proposal.reason, "total": money.total, "side": side},
    )
    notify(
        session,
        other_side(session, order, side),
        N_("A change (변경차수 %(seq)s) of order %(code)s waits for your confirmation.", seq=seq, code=order.code),
        f"/orders/{order.id}",
    )
    return proposal


def confirm_change(
    session: Session,
    actor: Actor,
    order_id: int,
    version: int,
    seq: int,
    now: datetime | None = None,
) -> Order:
    """The other side confirms a proposed change, once its document exists (409 `DocumentPreparing`
    before): it becomes the version in force (변경차수 + 1), and its document of record, with both
    confirmations, is made after the commit (`conclude_document`)."""
    now = now or utcnow()
    today = today_kst(now)
    order = visible_order(session, actor, order_id, lock=True)
    side = side_of(actor, order)
    if side == "supplier":
        refuse_unless_verified(order.supplier)  # a change is signed: an unverified company cannot sign
    new_state = move("order", order.status, OrderAction.CHANGE)
    proposal = pending_change(order)
    if proposal is None or proposal.seq != seq:
        raise Conflict(N_("There is no change waiting for confirmation."))
    if confirmed_by(proposal, side):
        raise Conflict(N_("You have already confirmed; the other side has not yet."))
    refuse_until_document(proposal)
    check_tradable(session, order, proposal.start_date, proposal.end_date, today)
    refuse_unless_side_can_sign(session, order, side)
    if order.version != version:
        raise Conflict()
    stamp(proposal, side, actor, now)
    concluded = conclude_document(order, proposal)
    proposal.status = "confirmed"
    order.status = new_state
    order.change_seq = proposal.seq
    order.end_date = proposal.end_date
    order.supply_amount, order.vat, order.total = proposal.supply_amount, proposal.vat, proposal.total
    order.updated_at = now
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="order.changed",
        object_type="order",
        object_id=order.id,
        details={"seq": proposal.seq, "total": proposal.total, **concluded},
        occurred_at=now,
    )
    notify(
        session,
        other_side(session, order, side),
        N_("The change (변경차수 %(seq)s) of order %(code)s is confirmed.", seq=proposal.seq, code=order.code),
        f"/orders/{order.id}",
    )
    return order


def withdraw_change(
    session: Session, actor: Actor, order_id: int, version: int, seq: int, now: datetime | None = None
) -> Order:
    """The proposer withdraws a change, or the other side declines it; the contract stays as it was."""
    now = now or utcnow()
    order = visible_order(session, actor, order_id, lock=True)
    side = side_of(actor, order)
    proposal = pending_change(order)
    if proposal is None or proposal.seq != seq:
        raise Conflict(N_("There is no change waiting for confirmation."))
    if order.version != version:
        raise Conflict()
    proposal.status = "withdrawn"
    order.updated_at = now
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="order.change_withdrawn",
        object_type="order",
        object_id=order.id,
        details={"seq": seq, "side": side},
    )
    notify(
        session,
        other_side(session, order, side),
        N_("The change (변경차수 %(seq)s) of order %(code)s was withdrawn.", seq=seq, code=order.code),
        f"/orders/{order.id}",
    )
    return order
