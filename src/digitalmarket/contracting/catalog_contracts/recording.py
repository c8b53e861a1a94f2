"""How a step of a catalog contract is recorded: its audit event (with the parties named), the move of its
state, its reason, and whom it notifies (the supplier's users or the contracting officers).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...accounts.rules import Role
from ...accounts.tables import Organisation, User
from ...core import audit
from ...core.errors import Conflict, ValidationFailed
from ...core.i18n import N_, Text
from ...core.notifications import notify
from ...core.tables import utcnow
from ..states import CatalogAction, move
from ..tables import CatalogContract

MAX_REASON = 2000


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


def record_step(
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


def moved_state(contract: CatalogContract, action: CatalogAction, version: int | None) -> str:
    """The state after ``action``; 409 for a wrong state or a stale version."""
    new_state = move("catalog", contract.status, action)
    if version is not None and contract.version != version:
        raise Conflict()
    return str(new_state)


def checked_reason(reason: str | None, field: str = "reason") -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed(fields={field: N_("Enter a reason.")})
    if len(text) > MAX_REASON:
        raise ValidationFailed(fields={field: N_("At most %(max)s characters.", max=MAX_REASON)})
    return text
