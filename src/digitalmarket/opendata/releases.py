"""OCDS releases of the events of an order or a catalog contract, and their storing.

The releases are written after commit by the consumer ``opendata`` (`opendata.follow`), never by a stage:
one function per event (``order_awarded``, ``order_contracted``, ``order_changed``, ``order_ended``,
``invoice_paid``, ``catalog_contracted``, ``catalog_amended``, ``catalog_trade_changed``,
``catalog_expired``). Each builds the facts of the event (`release_facts`) from what does not change once
written (the order's versions and lines by their ``seq``, the catalog contract's versions and items, the
invoice paid) and from what the event tells (its date, its change in force, a reason, how the contract
named the parties and the service: `Named`), and stores the release JSON of ``ocds.py`` under a release id
made from the event. So the same release comes out when the consumer follows the log live and when it is
replayed later, after the rows have changed again; writing a release id twice leaves the first. Releases
are never edited: a later event adds a release.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..contracting.tables import CatalogContract, Order
from . import ocds, ocds_facts
from .release_facts import Named, framework_facts, framework_ocid, implementation_documents, order_facts, order_ocid
from .tables import OcdsRelease


def _write(session: Session, object_type: str, object_id: int, release: dict) -> OcdsRelease:
    """Store a release once: a release id already published is left as it is. It is published as of its
    event (the packages' ``publishedDate``: the date of the last change of their content), so that a replay
    serves the same packages."""
    existing = session.scalars(select(OcdsRelease).where(OcdsRelease.release_id == release["id"])).first()
    if existing is not None:
        return existing
    moment = datetime.fromisoformat(release["date"].replace("Z", "+00:00"))
    row = OcdsRelease(
        ocid=release["ocid"],
        release_id=release["id"],
        tag=",".join(release["tag"]),
        date=moment,
        object_type=object_type,
        object_id=object_id,
        data=release,
        published_at=moment,
    )
    session.add(row)
    session.flush()
    return row


def _order(session: Session, order: Order, suffix: str, tags: list[str], moment: datetime, facts, payment=None):
    key = order_ocid(order)
    release = ocds.order_release(key, f"{key}-{suffix}", tags, moment, facts, payment=payment)
    return _write(session, "order", order.id, release)


def order_awarded(session: Session, order: Order, moment: datetime, named: Named | None = None) -> OcdsRelease:
    """The award: a quote awarded, or a negotiated contract made directly (the order's version 0)."""
    facts = order_facts(session, order, 0, None, named=named)
    return _order(session, order, "award", ["award"], moment, facts)


def order_contracted(session: Session, order: Order, moment: datetime, named: Named | None = None) -> OcdsRelease:
    """Both sides confirmed the contract document."""
    facts = order_facts(session, order, 0, "active", named=named)
    return _order(session, order, "contract", ["contract"], moment, facts)


def order_changed(
    session: Session, order: Order, seq: int, moment: datetime, named: Named | None = None
) -> OcdsRelease:
    """A change (계약변경, 변경차수 ``seq``) is confirmed by both sides."""
    facts = order_facts(session, order, seq, "active", named=named)
    return _order(session, order, f"amendment-{seq}", ["contractAmendment"], moment, facts)


def order_ended(
    session: Session,
    order: Order,
    moment: datetime,
    *,
    seq: int,
    termination: str | None,
    named: Named | None = None,
) -> OcdsRelease:
    """The order ended: terminated early (``termination``: its reason) or completed at the end of its
    period (None); ``seq``: the change in force then."""
    facts = order_facts(session, order, seq, "terminated", termination, named)
    suffix = "completion" if termination is None else "termination"
    return _order(session, order, suffix, ["contractTermination"], moment, facts)


def invoice_paid(
    session: Session,
    order: Order,
    payment: ocds_facts.Payment,
    moment: datetime,
    *,
    seq: int,
    ended: bool,
    named: Named | None = None,
) -> OcdsRelease:
    """대금지급: a payment of the order, as an implementation transaction; ``seq``: the change in force
    then, ``ended``: whether the order had ended before."""
    facts = order_facts(session, order, seq, "terminated" if ended else "active", named=named)
    payment = replace(payment, documents=implementation_documents(session, order, payment.id))
    suffix = f"payment-{payment.id}"
    return _order(session, order, suffix, ["implementation"], moment, facts, payment=payment)


def _framework(session: Session, contract: CatalogContract, suffix: str, tags: list[str], moment: datetime, facts):
    key = framework_ocid(contract.number)
    release = ocds.framework_release(key, f"{key}-{suffix}", tags, moment, facts)
    return _write(session, "catalog_contract", contract.id, release)


def catalog_contracted(
    session: Session, contract: CatalogContract, moment: datetime, named: Named | None = None
) -> OcdsRelease:
    """PPS signed the catalog contract: the framework's award and contract."""
    facts = framework_facts(session, contract, 0, "active", named=named)
    return _framework(session, contract, "contract", ["award", "contract"], moment, facts)


def catalog_amended(
    session: Session, contract: CatalogContract, seq: int, moment: datetime, named: Named | None = None
) -> OcdsRelease:
    facts = framework_facts(session, contract, seq, "active", named=named)
    return _framework(session, contract, f"amendment-{seq}", ["contractAmendment"], moment, facts)


def catalog_trade_changed(
    session: Session,
    contract: CatalogContract,
    suspended: bool,
    reason: str,
    moment: datetime,
    *,
    number: int,
    seq: int,
    named: Named | None = None,
) -> OcdsRelease:
    """거래정지 (``suspended``) or its end, the ``number``-th of its kind: the contract stays active; its
    description says so."""
    kind = "suspension" if suspended else "resumption"
    note = f"거래정지: {reason}" if suspended else f"거래 재개: {reason}"
    facts = framework_facts(session, contract, seq, "active", note, named)
    return _framework(session, contract, f"{kind}-{number}", ["contractUpdate"], moment, facts)


def catalog_expired(
    session: Session, contract: CatalogContract, moment: datetime, *, seq: int, named: Named | None = None
) -> OcdsRelease:
    facts = framework_facts(session, contract, seq, "terminated", "계약기간 만료", named)
    return _framework(session, contract, "expiry", ["contractTermination"], moment, facts)
