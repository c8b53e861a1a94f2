"""The OCDS 1.1 mapping: plain facts of an order or a catalog contract in, release JSON out. No I/O.

An order (이용계약) is a contracting process of its own, ``ocds-<prefix>-ORD-2026-00001``; a catalog
contract (카탈로그 계약) is a framework process, ``ocds-<prefix>-CC-2026-00017``, which the orders made
against it (delivery requests, 납품요구) point to through ``relatedProcesses``. Only what is public
leaves: organisations (names, business numbers, agency codes), services, amounts, dates, methods and the
reasons of changes; never a person's name, e-mail or phone, nor a quote that was not awarded. The facts
are those of `ocds_facts`; `ocds_packages` wraps releases in packages and records.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from ..core.clock import KST
from .ocds_facts import Amendment, FrameworkFacts, Line, OrderFacts, Party, Payment

CURRENCY = "KRW"
LANGUAGE = "ko"

# Closed code lists of OCDS 1.1.5 used here.
RELEASE_TAGS = [
    "planning",
    "planningUpdate",
    "tender",
    "tenderAmendment",
    "tenderUpdate",
    "tenderCancellation",
    "award",
    "awardUpdate",
    "awardCancellation",
    "contract",
    "contractUpdate",
    "contractAmendment",
    "implementation",
    "implementationUpdate",
    "contractTermination",
    "compiled",
]
CONTRACT_STATUSES = ("pending", "active", "cancelled", "terminated")
METHODS = ("open", "selective", "limited", "direct")

#: procurementMethod per order method: a negotiated contract (수의계약) is limited to one supplier; a
#: delivery request (납품요구) calls off a catalog contract open to the services the committee selected.
PROCUREMENT_METHOD = {"negotiated": "limited", "delivery_request": "selective"}
METHOD_DETAILS = {
    "negotiated": "수의계약 (디지털서비스 전문계약제도)",
    "delivery_request": "납품요구 (디지털서비스몰 카탈로그 계약)",
}
FRAMEWORK_METHOD_DETAILS = "카탈로그 계약 (디지털서비스 전문계약제도, 디지털서비스 심사위원회 선정 서비스)"


# --- values -------------------------------------------------------------------------------------------------


def when(moment: datetime) -> str:
    """An instant as OCDS wants it: ISO 8601 with its offset (UTC)."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def day_start(day: date) -> str:
    return datetime(day.year, day.month, day.day, tzinfo=KST).isoformat()


def day_end(day: date) -> str:
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=KST).isoformat()


def money(amount: int) -> dict:
    return {"amount": amount, "currency": CURRENCY}


def period(start: date, end: date) -> dict:
    return {"startDate": day_start(start), "endDate": day_end(end)}


def reference(party: Party) -> dict:
    return {"id": party.id, "name": party.name}


def party(party: Party, roles: list[str]) -> dict:
    found = {"id": party.id, "name": party.name, "roles": roles}
    identifier = party.identifier()
    if identifier:
        found["identifier"] = identifier
    return found


def items(lines: list[Line]) -> list[dict]:
    out = []
    for line in lines:
        item = {
            "id": line.id,
            "description": line.description,
            "unit": {"name": line.unit, "value": money(line.unit_price)},
        }
        if line.quantity is not None:
            item["quantity"] = line.quantity
        out.append(item)
    return out


def documents(found) -> list[dict]:
    """Documents by hash (SHA-256 in the description), never their content: whoever holds a copy can
    check it is the one published (and verify its signatures, docs/documents.md)."""
    shown = []
    for doc in found:
        entry = {
            "id": doc.id,
            "documentType": doc.document_type,
            "title": doc.title,
            "description": f"SHA-256: {doc.sha256}",
            "format": doc.format,
        }
        if doc.published is not None:
            entry["datePublished"] = when(doc.published)
        shown.append(entry)
    return shown


def amendments(found: list[Amendment]) -> list[dict]:
    out = []
    for amendment in found:
        entry = {
            "id": str(amendment.seq),
            "date": when(amendment.date),
            "description": f"변경차수 {amendment.seq}",
            "rationale": amendment.rationale,
        }
        if amendment.release_id:
            entry["releaseID"] = amendment.release_id
        out.append(entry)
    return out


def _release(ocid_: str, release_id: str, tags: list[str], moment: datetime) -> dict:
    for tag in tags:
        if tag not in RELEASE_TAGS:
            raise ValueError(f"{tag} is not in the closed releaseTag code list")
    return {
        "ocid": ocid_,
        "id": release_id,
        "date": when(moment),
        "tag": tags,
        "initiationType": "tender",
        "language": LANGUAGE,
    }


# --- orders: contracting processes -------------------------------------------------------------------------------


def order_release(
    ocid_: str, release_id: str, tags: list[str], moment: datetime, facts: OrderFacts, *, payment: Payment | None = None
) -> dict:
    """One release of an order: parties, buyer, tender, the award (in the award release), the contract as
    in force at the event (from the contract release on) and the payment of an implementation release."""
    if facts.method not in PROCUREMENT_METHOD:
        raise ValueError(f"unknown order method {facts.method}")
    release = _release(ocid_, release_id, tags, moment)
    release["parties"] = [party(facts.buyer, ["buyer", "payer"]), party(facts.supplier, ["supplier", "payee"])]
    release["buyer"] = reference(facts.buyer)
    release["tender"] = {
        "id": facts.code,
        "title": facts.title,
        "status": "complete",
        "procurementMethod": PROCUREMENT_METHOD[facts.method],
        "procurementMethodDetails": METHOD_DETAILS[facts.method]
        + (f" {facts.framework_number}" if facts.framework_number else ""),
        "mainProcurementCategory": "services",
    }
    award_id = f"{facts.code}-award"
    if "award" in tags:
        release["awards"] = [
            {
                "id": award_id,
                "title": facts.service_name,
                "description": f"{facts.service_name} ({facts.service_code})",
                "status": "active",
                "date": when(facts.awarded_at),
                "value": money(facts.award_total),
                "suppliers": [reference(facts.supplier)],
                "items": items(facts.award_lines),
                "contractPeriod": period(facts.award_start, facts.award_end),
            }
        ]
    if facts.contract_status is not None:
        if facts.contract_status not in CONTRACT_STATUSES:
            raise ValueError(f"{facts.contract_status} is not in the closed contractStatus code list")
        contract = {
            "id": facts.code,
            "awardID": award_id,
            "title": f"{facts.service_name} 이용계약",
            "status": facts.contract_status,
            "value": money(facts.total),
            "period": period(facts.start, facts.end),
            "items": items(facts.lines),
        }
        if facts.signed_at is not None:
            contract["dateSigned"] = when(facts.signed_at)
        if facts.amendments:
            contract["amendments"] = amendments(facts.amendments)
        if facts.termination:
            contract["description"] = f"조기 해지: {facts.termination}"
        if payment is not None:
            contract["implementation"] = {
                "transactions": [
                    {
                        "id": payment.id,
                        "date": day_start(payment.paid_on),
                        "value": money(payment.amount),
                        "payer": reference(facts.buyer),
                        "payee": reference(facts.supplier),
                    }
                ]
            }
            if payment.documents:
                contract["implementation"]["documents"] = documents(payment.documents)
        release["contracts"] = [contract]
    if facts.framework_ocid:
        release["relatedProcesses"] = [
            {
                "id": "framework",
                "relationship": ["framework"],
                "title": f"카탈로그 계약 {facts.framework_number}",
                "scheme": "ocid",
                "identifier": facts.framework_ocid,
            }
        ]
    return release


# --- catalog contracts: framework processes -----------------------------------------------------------------------


def framework_release(ocid_: str, release_id: str, tags: list[str], moment: datetime, facts: FrameworkFacts) -> dict:
    """One release of a catalog contract: PPS as buyer and procuring entity, the supplier, the award and
    contract of the items at their unit prices, amendments (변경차수) and trade suspensions."""
    release = _release(ocid_, release_id, tags, moment)
    release["parties"] = [
        party(facts.procuring_entity, ["buyer", "procuringEntity"]),
        party(facts.supplier, ["supplier"]),
    ]
    release["buyer"] = reference(facts.procuring_entity)
    release["tender"] = {
        "id": facts.number,
        "title": f"{facts.service_name} 카탈로그 계약",
        "status": "complete",
        "procurementMethod": "selective",
        "procurementMethodDetails": FRAMEWORK_METHOD_DETAILS,
        "mainProcurementCategory": "services",
        "procuringEntity": reference(facts.procuring_entity),
    }
    award_id = f"{facts.number}-award"
    if "award" in tags:
        release["awards"] = [
            {
                "id": award_id,
                "title": facts.service_name,
                "description": f"{facts.service_name} ({facts.service_code})",
                "status": "active",
                "date": when(facts.signed_at),
                "suppliers": [reference(facts.supplier)],
                "items": items(facts.first_items),
                "contractPeriod": period(facts.first_start, facts.first_end),
            }
        ]
    if facts.status not in CONTRACT_STATUSES:
        raise ValueError(f"{facts.status} is not in the closed contractStatus code list")
    contract = {
        "id": facts.number,
        "awardID": award_id,
        "title": f"{facts.service_name} 카탈로그 계약",
        "status": facts.status,
        "dateSigned": when(facts.signed_at),
        "period": period(facts.start, facts.end),
        "items": items(facts.items),
    }
    if facts.amendments:
        contract["amendments"] = amendments(facts.amendments)
    if facts.note:
        contract["description"] = facts.note
    release["contracts"] = [contract]
    return release
