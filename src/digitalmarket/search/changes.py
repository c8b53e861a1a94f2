"""Which services changed since a position of the event log: how the search facts follow the stages.

Every step appends its event to the audit log in its own transaction (`core.audit`), and after commit the
sequencer gives each committed event its position in the log (``seq``), in commit order
(`core.sequencer`). The search facts of a process remember the position of the last event they applied
(`Facts.position`, with its ``hash``); when events that concern them came (`news`), they read the events
after it that change what they hold of a service (`changes_after`), find the services those events touch
(`services_touched`) and load the facts of only those services again.

A committed event the sequencer has not numbered yet (it runs right after the commit, or within a second)
is read too: it is visible, only without a position, so the process that made a change, or any other,
shows it at its next search without waiting for the sequencer. Applying the facts of a service again is
idempotent, so such an event read once more after it gets its position costs a little and changes nothing.
Positions only grow, so an event numbered later is always after every position already read.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from ..catalog.tables import Service
from ..contracting.tables import CatalogContract, Order
from ..core.audit import AuditEvent
from ..core.database import Lean

#: The steps that change what the search facts hold of a service (an action, or every action of a kind
#: when it ends in a dot): the facts look for them in the log (`news`).
FACT_ACTIONS = (
    "service.",  # published, edited, suspended, re-published, its certificate renewed ...
    "catalog_contract.contract",  # listed in the shopping mall, and no longer:
    "catalog_contract.amend",
    "catalog_contract.suspend",
    "catalog_contract.resume",
    "catalog_contract.expire",
    "order.contracted",  # its number of contracts
    "review.created",  # its rating
    "review.edited",
    "review.removed",
)
#: What the facts read from the log: those steps, and a supplier's profile (its name and size are shown
#: and filtered on with each of its services; `projections.supplier_changed` follows it in the step).
FOLLOWED = (*FACT_ACTIONS, "organisation.updated")


@dataclass(frozen=True)
class Change:
    """One event of the log that may change the search facts of some services."""

    position: int | None  # None: committed, not sequenced yet
    action: str
    object_type: str
    object_id: str
    details: dict
    hash: str | None


def _followed():
    return or_(
        *(
            AuditEvent.action.startswith(action) if action.endswith(".") else AuditEvent.action == action
            for action in FOLLOWED
        )
    )


# Built once: every search asks them (`facts.facts`), and building a statement costs more than running it.
_HEAD = select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.seq.is_not(None)).order_by(AuditEvent.seq.desc())
_END = select(AuditEvent.seq).where(AuditEvent.seq.is_not(None)).order_by(AuditEvent.seq.desc()).limit(1)
_HASH_AT = select(AuditEvent.hash).where(AuditEvent.seq == bindparam("position"))
_PENDING = select(AuditEvent.id).where(AuditEvent.seq.is_(None), _followed()).limit(1)
_AFTER = select(AuditEvent.id).where(AuditEvent.seq > bindparam("checked"), _followed()).limit(1)
_LOOK = Lean(select(_END.scalar_subquery(), _HASH_AT.limit(1).scalar_subquery(), _PENDING.scalar_subquery()))


def head(session: Session) -> tuple[int, str]:
    """The position of the last sequenced event the session's transaction sees and its hash (0 and "" for
    an empty log): where facts loaded now start following."""
    last = session.execute(_HEAD.limit(1)).first()
    return (last.seq, last.hash) if last else (0, "")


@dataclass(frozen=True)
class Look:
    """What one read of the log's end says to facts that checked it up to a position."""

    end: int  # the log's last position
    same_log: bool  # the event at the facts' position is still the one they applied
    news: bool  # an event that changes search facts came after the position checked, or is not sequenced yet


def look(session: Session, position: int, hash: str, checked: int) -> Look:
    """For facts that applied the event at ``position`` (with ``hash``) and checked the log up to ``checked``:
    the log's end, whether it is the same log (not a database restored or created anew under the same
    address) and whether news came. One round trip, and one more only when the log moved past ``checked``."""
    end, at, pending = _LOOK.first(session, position=position)
    end = end or 0
    news = pending is not None
    if not news and end > checked:
        news = session.scalar(_AFTER, {"checked": checked}) is not None
    return Look(end, not position or at == hash, news)


def news(session: Session, checked: int) -> tuple[bool, int]:
    """Whether an event that changes search facts came after position ``checked`` (or is committed and not
    sequenced yet), and the log's last position."""
    found = look(session, 0, "", checked)
    return found.news, found.end


def same_log(session: Session, position: int, hash: str) -> bool:
    """Whether the event at ``position`` is still the one with ``hash``: the log a process followed is the
    log it reads (not a database restored or created anew under the same address)."""
    if not position:
        return True
    return session.scalar(_HASH_AT, {"position": position}) == hash


def changes_after(session: Session, position: int, limit: int) -> list[Change]:
    """The events after ``position`` that change search facts, in log order, then those committed and not
    sequenced yet (in the order they were appended); at most ``limit`` of them."""
    rows = session.execute(
        select(
            AuditEvent.seq,
            AuditEvent.action,
            AuditEvent.object_type,
            AuditEvent.object_id,
            AuditEvent.details,
            AuditEvent.hash,
        )
        .where(or_(AuditEvent.seq > position, AuditEvent.seq.is_(None)), _followed())
        .order_by(AuditEvent.seq.is_(None), AuditEvent.seq, AuditEvent.id)
        .limit(limit)
    )
    return [Change(row.seq, row.action, row.object_type, row.object_id, row.details or {}, row.hash) for row in rows]


def services_touched(session: Session, changes: list[Change]) -> set[int]:
    """The ids of the services whose facts the changes may have changed: the service itself, the service
    of a catalog contract, of an order or of a reviewed order, every service of an organisation."""
    ids: set[int] = set()
    by_type: dict[str, set[str]] = {}
    for change in changes:
        if change.object_type == "service":
            ids.add(int(change.object_id))
        elif change.object_type == "review":  # a removed review is gone: its order names the service
            by_type.setdefault("order_code", set()).add(str(change.details.get("order") or ""))
        else:
            by_type.setdefault(change.object_type, set()).add(change.object_id)
    lookups = {
        "catalog_contract": (CatalogContract.service_id, CatalogContract.id, int),
        "order": (Order.service_id, Order.id, int),
        "order_code": (Order.service_id, Order.code, str),
    }
    for kind, objects in by_type.items():
        if kind == "organisation":
            numbers = [int(each) for each in objects]
            ids.update(session.scalars(select(Service.id).where(Service.supplier_id.in_(numbers))))
        elif kind in lookups:
            service_id, key, cast = lookups[kind]
            ids.update(session.scalars(select(service_id).where(key.in_([cast(each) for each in objects]))))
    return ids
