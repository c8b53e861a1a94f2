"""The supplier's steps: it applies for a catalog contract (카탈로그 계약) for its published service, with the
items and the period it asks, and resubmits after a supplement is requested.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...accounts.permissions import Actor
from ...accounts.verification import refuse_unless_verified
from ...catalog.tables import Service
from ...core.clock import today_kst
from ...core.errors import Conflict
from ...core.i18n import N_
from ..states import CatalogAction, CatalogState
from ..tables import CatalogContract, CatalogContractVersion
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
from .queries import open_contract_of_service, own_contract, own_service
from .recording import moved_state, notify_officers, record_step

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
    refuse_unless_verified(service.supplier)  # an unverified company cannot apply
    # one application at a time per service: hold the service row until the transaction ends
    session.execute(select(Service.id).where(Service.id == service.id).with_for_update())
    if open_contract_of_service(session, service.id) is not None:
        raise Conflict(N_("The service already has a catalog contract or an application under way."))
    today = today_kst(now)
    refuse_if_blocked(service, today)
    checked = checked_items(service, items, (period_start, period_end, today))
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
    write_items(session, contract, 0, checked)
    record_step(
        session, contract, "apply", actor.user_id, from_state=None, details={"items": item_details(checked)}, now=now
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
    new_state = moved_state(contract, CatalogAction.RESUBMIT, version)
    today = today_kst(now)
    refuse_if_blocked(contract, today)
    details: dict = {}
    if items is not None:
        checked = checked_items(contract.service, items)
        if as_items(items_of(contract, 0)) != checked:
            details["items"] = item_details(checked)
            replace_application_items(session, contract, checked)
    if period_start is not None or period_end is not None:
        start, end = period_start or contract.period_start, period_end or contract.period_end
        check_period(start, end, today)
        if (start, end) != (contract.period_start, contract.period_end):
            details["period"] = [start.isoformat(), end.isoformat()]
        contract.period_start, contract.period_end = start, end
        first = version_of(contract, 0)
        first.period_start, first.period_end = start, end
    previous = contract.status
    contract.status = new_state
    contract.status_reason = None
    record_step(session, contract, "resubmit", actor.user_id, from_state=previous, details=details, now=now)
    notify_officers(
        session,
        contract,
        N_("The catalog contract application of %(service)s is resubmitted.", service=contract.service.name),
    )
    return contract
