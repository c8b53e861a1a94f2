"""The facts of an order or a catalog contract as of one of its events, for its OCDS release: built from
what does not change once written (the order's versions and lines by their ``seq``, the catalog contract's
versions and items) and from what the event tells (its change in force, a reason, how the contract named
the parties and the service: `Named`), so that a release made again later is the same. Also the ocids of
this installation (``DM_OCID_PREFIX``). `releases` stores the releases made of these facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.rules import OrganisationKind
from ..accounts.tables import Organisation, User
from ..contracting.tables import CatalogContract, Order, OrderVersion, Quote, QuoteRequest
from ..core import ids
from ..settlement.tables import Invoice, SettlementDocument
from . import ocds_facts


def ocid_prefix() -> str:
    """``DM_OCID_PREFIX`` (the prefix registered with the Open Contracting Partnership), or the placeholder:
    `core.ids`, which the contracting answers' ``ocid`` read too."""
    return ids.ocid_prefix()


def order_ocid(order: Order) -> str:
    return ocds_facts.ocid(ocid_prefix(), order.code)


def framework_ocid(number: str) -> str:
    return ocds_facts.ocid(ocid_prefix(), number)


# --- facts from the rows ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Named:
    """How a contract names its service and its two parties: as the event that made it recorded them
    (``service``, ``agency`` or ``pps``, ``supplier`` in its details), so that its releases name them the
    same however often they are written again, although an organisation or the service was renamed since.
    Events recorded before they carried these names are read from the rows as they are now."""

    service_code: str
    service_name: str
    buyer: ocds_facts.Party  # the agency of an order; PPS (조달청) of a catalog contract
    supplier: ocds_facts.Party


def party_of(organisation: Organisation) -> ocds_facts.Party:
    return ocds_facts.Party(organisation.name, organisation.business_number, organisation.agency_code)


def _named_party(details: dict) -> ocds_facts.Party:
    return ocds_facts.Party(details["name"], details.get("business_number"), details.get("agency_code"))


def _pps(organisation: Organisation | dict | None) -> ocds_facts.Party:
    """PPS (조달청) as the officer's organisation names it, with a fixed id when it has no number here."""
    if isinstance(organisation, Organisation):
        organisation = {"name": organisation.name, "business_number": organisation.business_number}
    name = organisation["name"] if organisation else "조달청"
    number = organisation.get("business_number") if organisation else None
    return ocds_facts.Party(name, number, None, None if number else ocds_facts.PPS_PARTY_ID)


def pps_party(session: Session, contract: CatalogContract) -> ocds_facts.Party:
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


def _order_lines(order: Order, seq: int, service_name: str) -> list[ocds_facts.Line]:
    lines = []
    for line in order.lines_of(seq):
        units = line.quantity if line.billing == "fixed" else line.quantity * line.months
        lines.append(
            ocds_facts.Line(str(line.position + 1), f"{service_name} {line.item}", line.unit, line.unit_price, units)
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
) -> ocds_facts.OrderFacts:
    """The order as of an event: the award (version 0) and, when ``status`` is given, the contract in its
    version ``seq`` with the changes confirmed up to it."""
    named = named or order_named(order)
    first = next(v for v in order.versions if v.seq == 0)
    current = next((v for v in order.versions if v.seq == seq), first)
    framework_number = None
    if order.catalog_contract_id is not None:
        query = select(CatalogContract.number).where(CatalogContract.id == order.catalog_contract_id)
        framework_number = session.scalar(query)  # its number alone, not its items and versions
    prefix = ocid_prefix()
    changes = [
        ocds_facts.Amendment(
            v.seq, confirmed_at(v), v.reason, f"{ocds_facts.ocid(prefix, order.code)}-amendment-{v.seq}"
        )
        for v in order.versions
        if 0 < v.seq <= current.seq and v.status == "confirmed"
    ]
    return ocds_facts.OrderFacts(
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
        framework_ocid=ocds_facts.ocid(prefix, framework_number) if framework_number else None,
        framework_number=framework_number,
        termination=termination,
    )


def _catalog_lines(contract: CatalogContract, seq: int) -> list[ocds_facts.Line]:
    return [
        ocds_facts.Line(item.product_id, item.item, item.unit, item.unit_price)
        for item in contract.items
        if item.seq == seq
    ]


def framework_facts(
    session: Session,
    contract: CatalogContract,
    seq: int,
    status: str,
    note: str | None = None,
    named: Named | None = None,
) -> ocds_facts.FrameworkFacts:
    named = named or framework_named(session, contract)
    first = next(v for v in contract.versions if v.seq == 0)
    current = next(v for v in contract.versions if v.seq == seq)
    prefix = ocid_prefix()
    return ocds_facts.FrameworkFacts(
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
            ocds_facts.Amendment(
                v.seq, v.created_at, v.reason, f"{ocds_facts.ocid(prefix, contract.number)}-amendment-{v.seq}"
            )
            for v in contract.versions
            if 0 < v.seq <= seq
        ],
        note=note,
    )


# --- documents, by hash ---------------------------------------------------------------------------------------

#: OCDS documentType of each kind of document (the codelist is open; these are its own codes).
DOCUMENT_TYPES = {
    "contract": "contractSigned",
    "inspection_report": "completionCertificate",
    "payment_claim": "financialProgressReport",
    "tax_invoice": "financialProgressReport",
    "tax_invoice_xml": "financialProgressReport",
}
DOCUMENT_TITLES = {
    "contract": "디지털서비스 이용계약서",
    "inspection_report": "검수조서",
    "payment_claim": "대금청구서",
    "tax_invoice": "전자세금계산서",
    "tax_invoice_xml": "전자세금계산서 (표준 XML)",
}


def implementation_documents(session: Session, order: Order, invoice_code: str) -> tuple[ocds_facts.Document, ...]:
    """The documents a payment's release publishes by hash: the contract document of each version made so
    far, and the paid month's documents (검수조서, 대금청구서, tax invoices) as listed when the release is
    made. A document made after the release (or made again by a rebuild) is published by the next one."""
    found = [
        ocds_facts.Document(
            f"contract-{order.code}-{version.seq}",
            DOCUMENT_TYPES["contract"],
            f"{DOCUMENT_TITLES['contract']} {order.code}" + (f" (변경차수 {version.seq})" if version.seq else ""),
            version.document_sha256,
            "application/pdf",
        )
        for version in order.versions
        if version.document_sha256
    ]
    invoice = session.scalars(select(Invoice).where(Invoice.code == invoice_code)).first()
    if invoice is not None:
        rows = session.scalars(
            select(SettlementDocument)
            .where(SettlementDocument.invoice_id == invoice.id)
            .order_by(SettlementDocument.id)
        )
        found += [
            ocds_facts.Document(
                f"{row.kind}-{row.subject}-{row.version}",
                DOCUMENT_TYPES[row.kind],
                f"{DOCUMENT_TITLES[row.kind]} {row.subject}",
                row.sha256,
                row.media_type,
                row.made_at,
            )
            for row in rows
        ]
    return tuple(found)
