"""The award decision record (낙찰 결정 기록): why a public buyer chose a supplier, kept for every award.

What the record holds (``data``, a JSON document, `build`):

- the quote request (code, title, requirements, desired start, deadline, when it was made and by whom);
- the searches and comparisons of the request's buyer that belong to it (words, filters, how many services
  matched and the codes shown on that page; the services compared, by code and name);
- the shortlist: the services the buyer asked for a quote;
- every quote as answered: per line the item, unit, quantity, months, catalog price (the ceiling when
  asked) and the quoted unit price with its amount; supply value, VAT and total; validity, note; and each
  decline with its reason;
- the award: the quote, its service and supplier, the order, the reason and the early-award reason.

Which searches belong to a request: those the buyer (signed in as an agency buyer) made after the later
of their previous quote request's creation and 30 days before this request was made, up to the award, so
both the searches that led to the request and those made while it was open are in it.

The record is frozen in the award's transaction (`decision_tables`): names and prices are copied, so it
never changes when a service, a plan or a supplier is renamed later, and nothing can edit it. An award
made before records were kept has none; its record is then built from today's rows when it is read
(``frozen`` false, and the page says so).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...accounts.permissions import Actor
from ...accounts.rules import Role
from ...accounts.tables import User
from ...catalog.search_log import searches_between
from ...catalog.tables import Service
from ...core.clock import KST
from ...core.errors import NotFound
from ...core.i18n import N_
from ...core.tables import utcnow
from ..decision_tables import AwardDecisionRecord
from ..money import amounts, line_amount
from ..tables import Order, Quote, QuoteRequest

FORMAT = 1
#: How far back the searches of a buyer's first request (or one long after the previous) reach.
LOOK_BACK = timedelta(days=30)
#: At most this many searches are kept (the latest); the record says how many were left out.
MAX_SEARCHES = 300
#: Who may read a record besides the order's agency.
STAFF_READERS = frozenset({Role.OPERATOR, Role.CONTRACTING_OFFICER})


# --- building -------------------------------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def _user_name(session: Session, user_id: int | None) -> str:
    """A user's name (the buyer who asked is most often the one who awarded: read once per session)."""
    if not user_id:
        return ""
    names = session.info.setdefault("decision_record.user_names", {})
    if user_id not in names:
        names[user_id] = session.scalar(select(User.name).where(User.id == user_id)) or ""
    return names[user_id]


def search_window(session: Session, request: QuoteRequest) -> tuple[datetime, str]:
    """Where the request's searches start (exclusive) and why: the buyer's previous request, or 30 days."""
    previous = session.scalar(
        select(func.max(QuoteRequest.created_at)).where(
            QuoteRequest.buyer_id == request.buyer_id,
            QuoteRequest.id != request.id,
            QuoteRequest.created_at < request.created_at,
        )
    )
    floor = request.created_at - LOOK_BACK
    if previous is not None and previous > floor:
        return previous, "previous_request"
    return floor, "30_days"


def _names(session: Session, codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    rows = session.execute(select(Service.code, Service.name).where(Service.code.in_(codes)))
    return {code: name for code, name in rows}


def _quote(quote: Quote) -> dict:
    plans = {p.id: p for p in quote.service.price_plans}
    lines = []
    for line in quote.lines:
        plan = plans.get(line.price_plan_id)
        months = getattr(line, "quoted_months", None) or line.months
        billing = plan.billing if plan is not None else "monthly"
        lines.append(
            {
                "item": plan.name if plan is not None else "-",
                "unit": plan.unit if plan is not None else "",
                "billing": billing,
                "quantity": line.quantity,
                "months": months,
                "months_asked": line.months,
                "catalog_unit_price": line.catalog_unit_price,
                "unit_price": line.unit_price,
                "amount": line_amount(billing, line.unit_price, line.quantity, months)
                if line.unit_price is not None
                else None,
            }
        )
    answered = [line["amount"] for line in lines if line["amount"] is not None]
    money = amounts(answered) if answered and quote.status != "declined" else None
    return {
        "id": quote.id,
        "service_code": quote.service.code,
        "service": quote.service.name,
        "supplier": quote.supplier.name,
        "business_number": quote.supplier.business_number,
        "status": quote.status,
        "revision": quote.revision,
        "answered_at": _iso(quote.answered_at),
        "valid_until": quote.valid_until.isoformat() if quote.valid_until else None,
        "note": quote.note or "",
        "decline_reason": quote.decline_reason,
        "lines": lines,
        "supply_amount": money.supply if money else None,
        "vat": money.vat if money else None,
        "total": money.total if money else None,
    }


def build(session: Session, request: QuoteRequest, *, frozen: bool, until: datetime | None = None) -> dict:
    """The record of an awarded request from the rows as they are now (see the module's docstring)."""
    awarded_at = request.awarded_at or until or utcnow()
    after, rule = search_window(session, request)
    logged = searches_between(session, request.buyer_id, after, awarded_at)
    left_out = max(0, len(logged) - MAX_SEARCHES)
    logged = logged[left_out:]
    awarded = next((q for q in request.quotes if q.status == "awarded"), None)
    # the order's id, then the order as the session holds it (the award's own, just written)
    order_id = session.scalar(select(Order.id).where(Order.quote_id == awarded.id)) if awarded is not None else None
    order = session.get(Order, order_id) if order_id is not None else None
    compared = {code for row in logged if row.kind == "compare" for code in row.codes}
    names = _names(session, compared)
    return {
        "format": FORMAT,
        "frozen": frozen,
        "request": {
            "id": request.id,
            "code": request.code,
            "title": request.title,
            "requirements": request.requirements,
            "agency": request.agency.name,
            "buyer": _user_name(session, request.buyer_id),
            "desired_start": request.desired_start.isoformat(),
            "deadline": _iso(request.deadline),
            "created_at": _iso(request.created_at),
        },
        "window": {"after": _iso(after), "until": _iso(awarded_at), "rule": rule},
        "searches": [
            {
                "at": _iso(row.at),
                "channel": row.channel,
                "query": row.query,
                "filters": row.filters,
                "result_count": row.result_count,
                "codes": list(row.codes),
            }
            for row in logged
            if row.kind == "search"
        ],
        "comparisons": [
            {
                "at": _iso(row.at),
                "channel": row.channel,
                "services": [{"code": code, "name": names.get(code, "")} for code in row.codes],
            }
            for row in logged
            if row.kind == "compare"
        ],
        "searches_left_out": left_out,
        "shortlist": [
            {"code": q.service.code, "name": q.service.name, "supplier": q.supplier.name} for q in request.quotes
        ],
        "quotes": [_quote(q) for q in request.quotes],
        "award": {
            "quote_id": awarded.id if awarded else None,
            "service_code": awarded.service.code if awarded else None,
            "service": awarded.service.name if awarded else None,
            "supplier": awarded.supplier.name if awarded else None,
            "order_id": order.id if order else None,
            "order_code": order.code if order else None,
            "reason": request.award_reason or "",
            "early_reason": request.early_award_reason or "",
            "awarded_at": _iso(awarded_at),
            "awarded_by": _user_name(session, order.buyer_id if order else None),
        },
    }


def digest(data: dict) -> str:
    """SHA-256 of the record's canonical JSON (keys sorted, UTF-8, no spaces)."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def freeze(session: Session, request: QuoteRequest) -> AwardDecisionRecord | None:
    """Keep the record of a request awarded in this transaction (once: a second call keeps the first)."""
    exists = session.scalar(select(AwardDecisionRecord.id).where(AwardDecisionRecord.request_id == request.id))
    if exists is not None:
        return None
    data = build(session, request, frozen=True)
    record = AwardDecisionRecord(
        request_id=request.id,
        agency_id=request.agency_id,
        order_id=data["award"]["order_id"],
        data=data,
        sha256=digest(data),
        frozen_at=request.awarded_at or utcnow(),  # the award's own time (a replayed history dates it)
    )
    session.add(record)
    return record


# --- reading --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionRecord:
    """A record as it is read: its document, its digest, the order it belongs to and when it was frozen."""

    order_id: int
    order_code: str
    data: dict
    sha256: str
    frozen_at: datetime | None

    @property
    def frozen(self) -> bool:
        return self.frozen_at is not None

    @property
    def code(self) -> str:
        return self.data["request"]["code"]


def may_read(actor: Actor, order: Order) -> bool:
    """The order's agency (its buyers), the operator and PPS contracting officers."""
    if actor.role == Role.AGENCY_BUYER:
        return order.agency_id == actor.organisation_id
    return actor.role in STAFF_READERS


NO_RECORD = N_("This order was made directly, without a quote request, so it has no decision record.")


def record_of_order(session: Session, actor: Actor, order_id: int) -> DecisionRecord:
    """The decision record of an order that came from a quote request; 404 for anyone else."""
    order = session.get(Order, order_id)
    if order is None or not may_read(actor, order):
        raise NotFound()
    if order.quote_id is None:
        raise NotFound(NO_RECORD)
    quote = session.get(Quote, order.quote_id)
    request = quote.request
    kept = session.scalar(select(AwardDecisionRecord).where(AwardDecisionRecord.request_id == request.id))
    if kept is not None:
        return DecisionRecord(order.id, order.code, kept.data, kept.sha256, kept.frozen_at)
    data = build(session, request, frozen=False, until=request.updated_at)
    return DecisionRecord(order.id, order.code, data, digest(data), None)


def recent_records(session: Session, limit: int = 200) -> list[AwardDecisionRecord]:
    """The latest frozen records, for the operator's list."""
    query = select(AwardDecisionRecord).order_by(AwardDecisionRecord.frozen_at.desc(), AwardDecisionRecord.id.desc())
    return list(session.scalars(query.limit(limit)))


def kst_time(iso: str | None) -> str:
    """An instant of the record as people read it: 2026-12-05 14:03 KST."""
    if not iso:
        return "-"
    return datetime.fromisoformat(iso).astimezone(KST).strftime("%Y-%m-%d %H:%M KST")
