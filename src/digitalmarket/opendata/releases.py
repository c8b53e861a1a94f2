"""OCDS releases: the facts of an order or a catalog contract as of one of its events, and their storing.

The releases are written after commit by the consumer ``opendata`` (`opendata.follow`), never by a stage:
one function per event (``order_awarded``, ``order_contracted``, ``order_changed``, ``order_ended``,
``invoice_paid``, ``catalog_contracted``, ``catalog_amended``, ``catalog_trade_changed``,
``catalog_expired``). Each builds the facts of the event from what does not change once written (the
order's versions and lines by their ``seq``, the catalog contract's versions and items, the invoice paid)
and from what the event tells (its date, its change in force, a reason, how the contract named the parties
and the service: `Named`), and stores the release JSON of ``ocds.py`` under a release id made from the
event. So the same release comes out when the consumer follows the log live and when it is replayed later,
after the rows have changed again; writing a release id twice leaves the first. Releases are never
edited: a later event adds a release.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..accounts.rules import OrganisationKind
from ..accounts.tables import Organisation, User
from ..contracting.tables import CatalogContract, Order, OrderVersion, Quote, QuoteRequest
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


@dataclass(frozen=True)
class Named:
    """How a contract names its service and its two parties: as the event that made it recorded them
    (``service``, ``agency`` or ``pps``, ``supplier`` in its details), so that its releases name them the
    same however often they are written again, although an organisation or the service was renamed since.
    Events recorded before they carried these names are read from the rows as they are now."""

    service_code: str
    service_name: str
    buyer: ocds.Party  # the agency of an order; PPS (조달청) of a catalog contract
    supplier: ocds.Party


def party_of(organisation: Organisation) -> ocds.Party:
    return ocds.Party(organisation.name, organisation.business_number, organisation.agency_code)


def _named_party(details: dict) -> ocds.Party:
    return ocds.Party(details["name"], details.get("business_number"), details.get("agency_code"))


def _pps(organisation: Organisation | dict | None) -> ocds.Party:
    """PPS (조달청) as the officer's organisation names it, with a fixed id when it has no number here."""
    if isinstance(organisation, Organisation):
        organisation = {"name": organisation.name, "business_number": organisation.business_number}
    name = organisation["name"] if organisation else "조달청"
    number = organisation.get("business_number") if organisation else None
    return ocds.Party(name, number, None, None if number else ocds.PPS_PARTY_ID)


def pps_party(session: Session, contract: CatalogContract) -> ocds.Party:
    """PPS as the officer's organisation names it now (the PPS organisation when no officer is known)."""
    organisation = None
    if contract.officer_id is not None:
        officer = session.get(User, contract.officer_id)
        organisation = officer.organisation if officer is not None else None
    if organisation is None:
        organisation = session.scalars(
            select(Organisation).where(Organisation.kind == OrganisationKind.PPS).order_by(Organisation.id)
        ).first()
    return _pps(organisation)


def order_named(order: Order, details: dict | None = None) -> Named:
    """The names of the order's award event (``order.created``), or of its rows now."""
    details = details or {}
    if "service" in details and "agency" in details and "supplier" in details:
        service = details["service"]
        return Named(
            service["code"], service["name"], _named_party(details["agency"]), _named_party(details["supplier"])
        )
    return Named(order.service.code, order.service.name, party_of(order.agency), party_of(order.supplier))


def framework_named(session: Session, contract: CatalogContract, details: dict | None = None) -> Named:
    """The names of the catalog contract's signing event (``catalog_contract.contract``), or of its rows now."""
    details = details or {}
    if "service" in details and "pps" in details and "supplier" in details:
        service = details["service"]
        return Named(service["code"], service["name"], _pps(details["pps"]), _named_party(details["supplier"]))
    service = contract.service
    return Named(service.code, service.name, pps_party(session, contract), party_of(contract.supplier))


def _order_lines(order: Order, seq: int, service_name: str) -> list[ocds.Line]:
    lines = []
    for line in order.lines_of(seq):
        units = line.quantity if line.billing == "fixed" else line.quantity * line.months
        lines.append(
            ocds.Line(str(line.position + 1), f"{service_name} {line.item}", line.unit, line.unit_price, units)
        )
    return lines


def confirmed_at(version: OrderVersion) -> datetime:
    stamps = [s for s in (version.agency_confirmed_at, version.supplier_confirmed_at) if s is not None]
    return max(stamps) if stamps else version.created_at


def _title(session: Session, order: Order, service_name: str) -> str:
    """The quote request's title (one column, not the quote with its lines and plans), or the service's."""
    if order.quote_id is not None:
        asked = select(QuoteRequest.title).join(Quote, Quote.request_id == QuoteRequest.id)
        title = session.scalar(asked.where(Quote.id == order.quote_id))
        if title is not None:
            return title
    return f"{service_name} 이용계약"


def order_facts(
    session: Session,
    order: Order,
    seq: int | None,
    status: str | None,
    termination: str | None = None,
    named: Named | None = None,
) -> ocds.OrderFacts:
    """The order as of an event: the award (version 0) and, when ``status`` is given, the contract in its
    version ``seq`` with the changes confirmed up to it."""
    named = named or order_named(order)
    first = next(v for v in order.versions if v.seq == 0)
    current = next((v for v in order.versions if v.seq == seq), first)
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
        title=_title(session, order, named.service_name),
        service_code=named.service_code,
        service_name=named.service_name,
        buyer=named.buyer,
        supplier=named.supplier,
        awarded_at=order.created_at,
        award_total=first.total,
        award_lines=_order_lines(order, 0, named.service_name),
        award_start=first.start_date,
        award_end=first.end_date,
        contract_status=status,
        signed_at=order.contracted_at,
        total=current.total,
        start=current.start_date,
        end=current.end_date,
        lines=_order_lines(order, current.seq, named.service_name),
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
    session: Session,
    contract: CatalogContract,
    seq: int,
    status: str,
    note: str | None = None,
    named: Named | None = None,
) -> ocds.FrameworkFacts:
    named = named or framework_named(session, contract)
    first = next(v for v in contract.versions if v.seq == 0)
    current = next(v for v in contract.versions if v.seq == seq)
    prefix = ocid_prefix()
    return ocds.FrameworkFacts(
        number=contract.number,
        service_code=named.service_code,
        service_name=named.service_name,
        procuring_entity=named.buyer,
        supplier=named.supplier,
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
    payment: ocds.Payment,
    moment: datetime,
    *,
    seq: int,
    ended: bool,
    named: Named | None = None,
) -> OcdsRelease:
    """대금지급: a payment of the order, as an implementation transaction; ``seq``: the change in force
    then, ``ended``: whether the order had ended before."""
    facts = order_facts(session, order, seq, "terminated" if ended else "active", named=named)
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
