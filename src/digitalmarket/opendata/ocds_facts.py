"""The facts an OCDS release is made of, plain and public: ocids, organisations with their public
identifiers, priced lines, amendments, payments, and an order's or a catalog contract's facts as of one of
its events (built from the rows by `release_facts`, mapped to release JSON by `ocds`). No I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

DEFAULT_OCID_PREFIX = "ocds-xxxxxx"
OCID_PREFIX_PATTERN = re.compile(r"^ocds-[a-z0-9]{6}$")
BRN_SCHEME = "KR-BRN"  # 사업자등록번호
AGENCY_SCHEME = "x_KR-AGENCY"  # 행정표준기관코드 (no org-id.guide list yet)
PPS_PARTY_ID = "KR-PPS"


def ocid(prefix: str, local_id: str) -> str:
    return f"{prefix}-{local_id}"


def valid_prefix(prefix: str) -> bool:
    return bool(OCID_PREFIX_PATTERN.match(prefix))


# --- facts --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    """An organisation as open data: name and public identifiers only."""

    name: str
    business_number: str | None = None
    agency_code: str | None = None
    fixed_id: str | None = None  # PPS, which has neither number here

    @property
    def id(self) -> str:
        if self.fixed_id:
            return self.fixed_id
        if self.business_number:
            return f"{BRN_SCHEME}-{self.business_number}"
        if self.agency_code:
            return f"KR-AGENCY-{self.agency_code}"
        return f"KR-ORG-{self.name}"

    def identifier(self) -> dict | None:
        if self.business_number:
            return {"scheme": BRN_SCHEME, "id": self.business_number, "legalName": self.name}
        if self.agency_code:
            return {"scheme": AGENCY_SCHEME, "id": self.agency_code, "legalName": self.name}
        return None


@dataclass(frozen=True)
class Line:
    """A priced line: an order line (quantity × months) or a catalog item (a unit price only)."""

    id: str
    description: str
    unit: str
    unit_price: int
    quantity: int | None = None  # in units (user-months for monthly plans)


@dataclass(frozen=True)
class Amendment:
    seq: int
    date: datetime
    rationale: str
    release_id: str | None = None


@dataclass(frozen=True)
class Document:
    """A document of the contract or its implementation, published by its hash, never its content."""

    id: str
    document_type: str  # OCDS documentType: contractSigned, completionCertificate, financialProgressReport
    title: str
    sha256: str
    format: str  # the media type
    published: datetime | None = None


@dataclass(frozen=True)
class Payment:
    id: str  # the invoice code
    paid_on: date
    amount: int
    month: str
    documents: tuple[Document, ...] = ()  # the contract's and the month's documents, by hash


@dataclass(frozen=True)
class OrderFacts:
    """An order as one release tells it: the award (version 0) and the version in force at the event."""

    code: str
    method: str
    title: str
    service_code: str
    service_name: str
    buyer: Party
    supplier: Party
    awarded_at: datetime
    award_total: int
    award_lines: list[Line]
    award_start: date
    award_end: date
    contract_status: str | None = None  # None: only awarded so far
    signed_at: datetime | None = None
    total: int = 0
    start: date | None = None
    end: date | None = None
    lines: list[Line] = field(default_factory=list)
    amendments: list[Amendment] = field(default_factory=list)
    framework_ocid: str | None = None
    framework_number: str | None = None
    termination: str | None = None  # the reason of an early end


@dataclass(frozen=True)
class FrameworkFacts:
    """A catalog contract as one release tells it."""

    number: str
    service_code: str
    service_name: str
    procuring_entity: Party
    supplier: Party
    signed_at: datetime
    first_items: list[Line]
    first_start: date
    first_end: date
    status: str
    items: list[Line]
    start: date
    end: date
    amendments: list[Amendment] = field(default_factory=list)
    note: str | None = None  # suspension or resumption of trade
