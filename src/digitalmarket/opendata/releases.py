"""Writing OCDS releases: one per event of an order or a catalog contract, in the event's transaction.

The workflows call one function per event (``order_awarded``, ``order_contracted``, ``order_changed``,
``order_ended``, ``invoice_paid``, ``catalog_contracted``, ``catalog_amended``, ``catalog_trade_changed``,
``catalog_expired``). Each builds the facts of the event from the rows (the order version in force, its
lines, its confirmed changes ...) and stores the release JSON of ``ocds.py`` under a release id made from
the event, so writing the same event twice (a backfill after the live call) changes nothing. Releases are
never edited: a later event adds a release.

``backfill`` writes the releases of orders and catalog contracts that existed before this code (or
whose events were missed), from their history: versions, audit events and payments, with their original
dates.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..accounts.rules import OrganisationKind
from ..accounts.tables import Organisation, User
from ..contracting.rules import CatalogState, OrderState
from ..contracting.tables import CatalogContract, Order, OrderVersion, Quote, QuoteRequest
from ..core.audit import AuditEvent
from ..core.tables import utcnow
from ..settlement.tables import Invoice
from . import ocds
from .tables import OcdsRelease

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"


def ocid_prefix() -> str:
    """``DM_OCID_PREFIX`` (the prefix registered with the Open Contracting Partnership), or the placeholder."""
    prefix = (os.environ.get("DM_OCID_PREFIX") or ocds.DEFAULT_OCID_PREFIX).strip()
    if not ocds.valid_prefix(prefix):
        raise ValueError(f"DM_OCID_PREFIX must look like ocds-abc123, not {prefix!r}")
    return prefix


def order_ocid(order: Order) -> str:
    return ocds.ocid(ocid_prefix(), order.code)


def framework_ocid(number: str) -> str:
    return ocds.ocid(ocid_prefix(), number)


# --- facts from the rows ------------------------------------------------------------------------------------


def party_of(organisation: Organisation) -> ocds.Party:
    return ocds.Party(organisation.name, organisation.business_number, organisation.agency_code)


def pps_party(session: Session, contract: CatalogContract) -> ocds.Party:
    """PPS (조달청) as the officer's organisation names it."""
    organisation = None
    if contract.officer_id is not None:
        officer = session.get(User, contract.officer_id)
        organisation = officer.organisation if officer is not None else None
    if organisation is None:
        organisation = session.scalars(
            select(Organisation).where(Organisation.kind == OrganisationKind.PPS).order_by(Organisation.id)
        ).first()
    name = organisation.name if organisation is not None else "조달청"
    number = organisation.business_number if organisation is not None else None
    return ocds.Party(name, number, None, None if number else ocds.PPS_PARTY_ID)


def _order_lines(order: Order, seq: int) -> list[ocds.Line]:
    lines = []
    for line in order.lines_of(seq):
        units = line.quantity if line.billing == "fixed" else line.quantity * line.months
        lines.append(
            ocds.Line(str(line.position + 1), f"{order.service.name} {line.item}", line.unit, line.unit_price, units)
        )
    return lines


def confirmed_at(version: OrderVersion) -> datetime:
    stamps = [s for s in (version.agency_confirmed_at, version.supplier_confirmed_at) if s is not None]
    return max(stamps) if stamps else version.created_at


def _title(session: Session, order: Order) -> str:
    """The quote request's title (one column, not the quote with its lines and plans), or the service's."""
    if order.quote_id is not None:
        asked = select(QuoteRequest.title).join(Quote, Quote.request_id == QuoteRequest.id)
        title = session.scalar(asked.where(Quote.id == order.quote_id))
        if title is not None:
            return title
    return f"{order.service.name} 이용계약"


def order_facts(
    session: Session, order: Order, seq: int | None, status: str | None, termination: str | None = None
) -> ocds.OrderFacts:
    """The order as of an event: the award (version 0) and, when ``status`` is given, the contract in its
    version ``seq`` with the changes confirmed up to it."""
    first = next(v for v in order.versions if v.seq == 0)
    current = next((v for v in order.versions if v.seq == seq), first) if seq is not None else first
    framework_number = None
    if order.catalog_contract_id is not None:
        framework_number = session.get(CatalogContract, order.catalog_contract_id).number
    prefix = ocid_prefix()
    changes = [
        ocds.Amendment(v.seq, confirmed_at(v), v.reason, f"{ocds.ocid(prefix, order.code)}-amendment-{v.seq}")
        for v in order.versions
        if 0 < v.seq <= current.seq and v.status == "confirmed"
    ]
    return ocds.OrderFacts(
        code=order.code,
        method=order.method,
        title=_title(session, order),
        service_code=order.service.code,
        service_name=order.service.name,
        buyer=party_of(order.agency),
        supplier=party_of(order.supplier),
        awarded_at=order.created_at,
        award_total=first.total,
        award_lines=_order_lines(order, 0),
        award_start=first.start_date,
        award_end=first.end_date,
        contract_status=status,
        signed_at=order.contracted_at,
        total=current.total,
        start=current.start_date,
        end=current.end_date,
        lines=_order_lines(order, current.seq),
        amendments=changes,
        framework_ocid=ocds.ocid(prefix, framework_number) if framework_number else None,
        framework_number=framework_number,
        termination=termination,
    )


def _catalog_lines(contract: CatalogContract, seq: int) -> list[ocds.Line]:
    return [
        ocds.Line(item.product_id, item.item, item.unit, item.unit_price) for item in contract.items if item.seq == seq
    ]


def framework_facts(
    session: Session, contract: CatalogContract, seq: int, status: str, note: str | None = None
) -> ocds.FrameworkFacts:
    first = next(v for v in contract.versions if v.seq == 0)
    current = next(v for v in contract.versions if v.seq == seq)
    prefix = ocid_prefix()
    return ocds.FrameworkFacts(
        number=contract.number,
        service_code=contract.service.code,
        service_name=contract.service.name,
        procuring_entity=pps_party(session, contract),
        supplier=party_of(contract.supplier),
        signed_at=contract.contracted_at,
        first_items=_catalog_lines(contract, 0),
        first_start=first.period_start,
        first_end=first.period_end,
        status=status,
        items=_catalog_lines(contract, seq),
        start=current.period_start,
        end=current.period_end,
        amendments=[
            ocds.Amendment(v.seq, v.created_at, v.reason, f"{ocds.ocid(prefix, contract.number)}-amendment-{v.seq}")
            for v in contract.versions
            if 0 < v.seq <= seq
        ],
        note=note,
    )


# --- writing -----------------------------------------------------------------------------------------------------


def _write(session: Session, object_type: str, object_id: int, release: dict) -> OcdsRelease:
    """Store a release once: a release id already published is left as it is."""
    existing = session.scalars(select(OcdsRelease).where(OcdsRelease.release_id == release["id"])).first()
    if existing is not None:
        return existing
    row = OcdsRelease(
        ocid=release["ocid"],
        release_id=release["id"],
        tag=",".join(release["tag"]),
        date=datetime.fromisoformat(release["date"].replace("Z", "+00:00")),
        object_type=object_type,
        object_id=object_id,
        data=release,
    )
    session.add(row)
    session.flush()
    return row


def _order(session: Session, order: Order, suffix: str, tags: list[str], moment: datetime, facts, payment=None):
    key = order_ocid(order)
    release = ocds.order_release(key, f"{key}-{suffix}", tags, moment, facts, payment=payment)
    return _write(session, "order", order.id, release)


def order_awarded(session: Session, order: Order, now: datetime | None = None) -> OcdsRelease:
    """The award: a quote awarded, or a negotiated contract made directly (the order's version 0)."""
    return _order(session, order, "award", ["award"], now or order.created_at, order_facts(session, order, 0, None))


def order_contracted(
    session: Session, order: Order, now: datetime | None = None, *, facts: ocds.OrderFacts | None = None
) -> OcdsRelease:
    """Both sides confirmed the contract document. ``facts`` (`order_facts(session, order, 0, "active")`)
    may be read before the order's row is written, so that nothing is read while its writer holds the
    change feed's lock."""
    facts = facts or order_facts(session, order, 0, "active")
    return _order(session, order, "contract", ["contract"], now or order.contracted_at, facts)


def order_changed(session: Session, order: Order, seq: int, now: datetime | None = None) -> OcdsRelease:
    """A change (계약변경, 변경차수 ``seq``) is confirmed by both sides."""
    version = next(v for v in order.versions if v.seq == seq)
    facts = order_facts(session, order, seq, "active")
    return _order(session, order, f"amendment-{seq}", ["contractAmendment"], now or confirmed_at(version), facts)


def order_ended(session: Session, order: Order, now: datetime | None = None, *, seq: int | None = None) -> OcdsRelease:
    """The order ended: terminated early (with its reason) or completed at the end of its period."""
    early = order.status == OrderState.TERMINATED
    facts = order_facts(
        session, order, order.change_seq if seq is None else seq, "terminated", order.status_reason if early else None
    )
    suffix = "termination" if early else "completion"
    return _order(session, order, suffix, ["contractTermination"], now or order.updated_at, facts)


def invoice_paid(
    session: Session,
    invoice: Invoice,
    now: datetime | None = None,
    *,
    seq: int | None = None,
    ended: bool | None = None,
) -> OcdsRelease:
    """대금지급: a payment of the order, as an implementation transaction."""
    order = invoice.order
    if ended is None:
        ended = order.status in (OrderState.COMPLETED, OrderState.TERMINATED)
    facts = order_facts(session, order, order.change_seq if seq is None else seq, "terminated" if ended else "active")
    payment = ocds.Payment(invoice.code, invoice.paid_on, invoice.total, invoice.month)
    return _order(
        session, order, f"payment-{invoice.code}", ["implementation"], now or utcnow(), facts, payment=payment
    )


def _framework(session: Session, contract: CatalogContract, suffix: str, tags: list[str], moment: datetime, facts):
    key = framework_ocid(contract.number)
    release = ocds.framework_release(key, f"{key}-{suffix}", tags, moment, facts)
    return _write(session, "catalog_contract", contract.id, release)


def catalog_contracted(session: Session, contract: CatalogContract, now: datetime | None = None) -> OcdsRelease:
    """PPS signed the catalog contract: the framework's award and contract."""
    facts = framework_facts(session, contract, 0, "active")
    return _framework(session, contract, "contract", ["award", "contract"], now or contract.contracted_at, facts)


def catalog_amended(
    session: Session, contract: CatalogContract, seq: int | None = None, now: datetime | None = None
) -> OcdsRelease:
    seq = contract.change_seq if seq is None else seq
    version = next(v for v in contract.versions if v.seq == seq)
    facts = framework_facts(session, contract, seq, "active")
    return _framework(session, contract, f"amendment-{seq}", ["contractAmendment"], now or version.created_at, facts)


def _count(session: Session, ocid_: str, pattern: str) -> int:
    query = select(func.count()).where(OcdsRelease.ocid == ocid_, OcdsRelease.release_id.like(f"{ocid_}-{pattern}-%"))
    return session.scalar(query) or 0


def catalog_trade_changed(
    session: Session,
    contract: CatalogContract,
    suspended: bool,
    reason: str,
    now: datetime | None = None,
    *,
    number: int | None = None,
    seq: int | None = None,
) -> OcdsRelease:
    """거래정지 (``suspended``) or its end: the contract stays active; its description says so."""
    kind = "suspension" if suspended else "resumption"
    number = number if number is not None else _count(session, framework_ocid(contract.number), kind) + 1
    note = f"거래정지: {reason}" if suspended else f"거래 재개: {reason}"
    facts = framework_facts(session, contract, contract.change_seq if seq is None else seq, "active", note)
    return _framework(session, contract, f"{kind}-{number}", ["contractUpdate"], now or utcnow(), facts)


def catalog_expired(session: Session, contract: CatalogContract, now: datetime | None = None) -> OcdsRelease:
    facts = framework_facts(session, contract, contract.change_seq, "terminated", "계약기간 만료")
    return _framework(session, contract, "expiry", ["contractTermination"], now or utcnow(), facts)


# --- reading -------------------------------------------------------------------------------------------------------


def releases_of(session: Session, ocid_: str) -> list[dict]:
    rows = session.scalars(
        select(OcdsRelease.data).where(OcdsRelease.ocid == ocid_).order_by(OcdsRelease.date, OcdsRelease.id)
    )
    return list(rows)


@lru_cache(maxsize=1)
def merge_rules() -> dict:
    """ocdsmerge's rules from the release schema kept in the package: nothing is downloaded."""
    from ocdsmerge.rules import get_merge_rules

    schema = json.loads((SCHEMA_DIR / "release-schema.json").read_text(encoding="utf-8"))
    return get_merge_rules(schema)


def compiler():
    """An empty compiled release to append releases to, oldest first."""
    from ocdsmerge.merge import CompiledRelease

    return CompiledRelease(merge_rules=merge_rules())


def compile_releases(releases: list[dict]) -> dict:
    compiled = compiler()
    for release in releases:
        compiled.append(release)
    return compiled.asdict()


def processes(session: Session, after: str | None, limit: int) -> list[tuple[str, int, datetime]]:
    """Ocids in order, after a cursor: (ocid, number of releases, last release date)."""
    query = select(OcdsRelease.ocid, func.count(), func.max(OcdsRelease.date)).group_by(OcdsRelease.ocid)
    if after:
        query = query.where(OcdsRelease.ocid > after)
    return [tuple(row) for row in session.execute(query.order_by(OcdsRelease.ocid).limit(limit))]


# --- backfill ------------------------------------------------------------------------------------------------------


def _events(session: Session, object_type: str, object_id: int, action: str) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.object_type == object_type,
                AuditEvent.object_id == str(object_id),
                AuditEvent.action == action,
            )
            .order_by(AuditEvent.id)
        )
    )


def _order_history(session: Session, order: Order) -> Iterator[OcdsRelease]:
    yield order_awarded(session, order, order.created_at)
    if order.contracted_at is None:
        return
    yield order_contracted(session, order, order.contracted_at)
    confirmed = sorted((v for v in order.versions if v.seq > 0 and v.status == "confirmed"), key=lambda v: v.seq)
    for version in confirmed:
        yield order_changed(session, order, version.seq, confirmed_at(version))
    ended_at = None
    if order.status in (OrderState.TERMINATED, OrderState.COMPLETED):
        action = "order.terminated" if order.status == OrderState.TERMINATED else "order.completed"
        events = _events(session, "order", order.id, action)
        ended_at = events[-1].occurred_at if events else order.updated_at
        yield order_ended(session, order, ended_at)
    invoices = session.scalars(
        select(Invoice).where(Invoice.order_id == order.id, Invoice.paid_on.is_not(None)).order_by(Invoice.id)
    )
    for invoice in invoices:
        events = _events(session, "invoice", invoice.id, "invoice.paid")
        paid_at = events[-1].occurred_at if events else invoice.updated_at
        in_force = [v.seq for v in confirmed if confirmed_at(v) <= paid_at]
        seq = max(in_force) if in_force else 0
        yield invoice_paid(session, invoice, paid_at, seq=seq, ended=ended_at is not None and ended_at <= paid_at)


def _catalog_history(session: Session, contract: CatalogContract) -> Iterator[OcdsRelease]:
    yield catalog_contracted(session, contract, contract.contracted_at)
    steps = list(
        session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.object_type == "catalog_contract",
                AuditEvent.object_id == str(contract.id),
                AuditEvent.action.in_(
                    [
                        "catalog_contract.amend",
                        "catalog_contract.suspend",
                        "catalog_contract.resume",
                        "catalog_contract.expire",
                    ]
                ),
            )
            .order_by(AuditEvent.id)
        )
    )
    counts = {"suspension": 0, "resumption": 0}
    seq = 0
    for step in steps:
        action = step.action.removeprefix("catalog_contract.")
        details = step.details or {}
        seq = int(details.get("change_seq", seq))
        if action == "amend":
            yield catalog_amended(session, contract, seq, step.occurred_at)
        elif action in ("suspend", "resume"):
            kind = "suspension" if action == "suspend" else "resumption"
            counts[kind] += 1
            yield catalog_trade_changed(
                session,
                contract,
                action == "suspend",
                details.get("reason", ""),
                step.occurred_at,
                number=counts[kind],
                seq=seq,
            )
        else:
            yield catalog_expired(session, contract, step.occurred_at)


def backfill(session: Session) -> int:
    """Write the releases missing for every public order and catalog contract; returns how many were
    written. Running it again writes nothing."""
    before = session.scalar(select(func.count()).select_from(OcdsRelease)) or 0
    contracts = session.scalars(
        select(CatalogContract).where(CatalogContract.number.is_not(None)).order_by(CatalogContract.id)
    ).all()
    for contract in contracts:
        if contract.status in (CatalogState.APPLIED, CatalogState.PPS_REVIEW, CatalogState.SUPPLEMENT_REQUESTED):
            continue
        for _ in _catalog_history(session, contract):
            pass
    for order in session.scalars(select(Order).order_by(Order.id)).all():
        for _ in _order_history(session, order):
            pass
    return (session.scalar(select(func.count()).select_from(OcdsRelease)) or 0) - before
