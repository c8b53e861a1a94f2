"""JSON routes of settlement under /api/v1: monthly usage and invoices of an order, inspection, the
supplier's payment claim (대금청구), payment, overdue invoices for the operator, and reviews. Only the two
parties of an order see its invoices and manage its review; anyone else gets 404. A service's reviews are
public."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from ..accounts.access import api_access, database
from ..accounts.permissions import AGENCY_BUYERS, PUBLIC, SUPPLIERS, Actor, roles
from ..accounts.rules import Role
from ..accounts.schemas import ErrorOut
from ..catalog import queries as catalog
from ..contracting.orders.access import visible_order
from ..core.clock import today_kst
from ..core.errors import NotFound, ValidationFailed
from ..core.i18n import N_
from ..core.paging import DEFAULT_LIMIT, Cursor, Limit, Page, page
from ..core.paths import Id
from . import documents_api, inspection, invoices, payment, reviews, usage
from .rules import InvoiceState
from .tables import Invoice, InvoiceItem, InvoiceRevision, Review

PARTIES = roles(Role.AGENCY_BUYER, Role.SUPPLIER)
OPERATORS_AND_ADMINS = roles(Role.OPERATOR, Role.ADMIN)
router = APIRouter(tags=["settlement"], responses={s: {"model": ErrorOut} for s in (401, 403, 404, 409, 422)})


class Loose(BaseModel):
    """Fields the server computes (amounts, due dates) may be sent and are ignored."""

    model_config = ConfigDict(extra="ignore")


class UsageLineIn(Loose):
    position: int = Field(ge=0, lt=100, description="The order line's position")
    quantity: int = Field(description="Used in the month (monthly and usage lines; fixed lines bill their share)")


class UsageIn(Loose):
    month: str = Field(max_length=7, description="YYYY-MM, inside the order period, once the month has ended")
    lines: list[UsageLineIn] = Field(default_factory=list, max_length=20)
    note: str = Field(default="", max_length=4000)


class CorrectionIn(UsageIn):
    month: str | None = Field(None, max_length=7, description="The invoice's month, if given: a correction keeps it")
    version: int


class SettlementVersionIn(Loose):
    version: int


class RejectIn(Loose):
    version: int
    reason: str = Field(max_length=4000)


class PaymentIn(Loose):
    version: int
    paid_on: date


class ServiceReviewIn(Loose):
    rating: int = Field(description="1 to 5")
    comment: str = Field(max_length=4000)
    version: int | None = Field(default=None, description="The review's version when editing it")


class ReviewAnswerIn(Loose):
    version: int
    answer: str = Field(max_length=4000)


class InvoiceItemOut(BaseModel):
    position: int
    item: str
    unit: str
    billing: str
    quantity: int
    unit_price: int
    amount: int

    @classmethod
    def of(cls, item: InvoiceItem) -> InvoiceItemOut:
        return cls(**{name: getattr(item, name) for name in cls.model_fields})


class InvoiceRevisionOut(BaseModel):
    revision: int
    supply_amount: int
    vat: int
    total: int
    note: str
    reported_at: datetime
    rejection_reason: str | None
    rejected_at: datetime | None
    items: list[InvoiceItemOut]

    @classmethod
    def of(cls, revision: InvoiceRevision, items: list[InvoiceItem]) -> InvoiceRevisionOut:
        fields = {name: getattr(revision, name) for name in cls.model_fields if name != "items"}
        return cls(**fields, items=[InvoiceItemOut.of(item) for item in items])


class InvoiceOut(BaseModel):
    id: int
    code: str
    order_id: int
    order_code: str
    agency: str
    supplier: str
    service: str
    month: str
    state: InvoiceState
    revision: int
    supply_amount: int
    vat: int
    total: int
    accepted_on: date | None
    claimed_at: datetime | None = Field(description="대금청구: when the supplier claimed the payment")
    claimed_by: str | None = Field(description="Who claimed the payment")
    due_date: date | None = Field(description="5 working days after the payment claim")
    paid_on: date | None
    overdue: bool
    waiting_for: str | None = Field(description="Whose step is next: agency (inspect, pay), supplier (correct, claim)")
    items: list[InvoiceItemOut]
    revisions: list[InvoiceRevisionOut]
    version: int

    @classmethod
    def of(cls, invoice: Invoice, today: date | None = None) -> InvoiceOut:
        order = invoice.order
        return cls(
            id=invoice.id,
            code=invoice.code,
            order_id=order.id,
            order_code=order.code,
            agency=order.agency.name,
            supplier=order.supplier.name,
            service=order.service.name,
            month=invoice.month,
            state=invoice.status,
            revision=invoice.revision,
            supply_amount=invoice.supply_amount,
            vat=invoice.vat,
            total=invoice.total,
            accepted_on=invoice.accepted_on,
            claimed_at=invoice.claimed_at,
            claimed_by=invoice.claimant.name if invoice.claimant else None,
            due_date=invoice.due_date,
            paid_on=invoice.paid_on,
            overdue=usage.rules.is_overdue(invoice.status, invoice.due_date, today or today_kst()),
            waiting_for=usage.rules.waiting_for(invoice.status),
            items=[InvoiceItemOut.of(item) for item in invoice.current_items()],
            revisions=[InvoiceRevisionOut.of(r, invoice.items_of(r.revision)) for r in invoice.revisions],
            version=invoice.version,
        )


class ImplementationOut(BaseModel):
    order_id: int
    order_code: str
    contract_total: int
    invoiced_total: int
    paid_total: int
    reported: int
    inspected: int
    paid: int
    unclaimed: int = Field(description="Accepted invoices waiting for the supplier's payment claim")
    outstanding: int = Field(description="Claimed invoices waiting for payment")
    overdue: int
    reportable_months: list[str]
    next_reportable: dict[str, date] = Field(description="Months of use not ended yet -> the day they can be reported")
    invoices: list[InvoiceOut]


class ServiceReviewOut(BaseModel):
    id: int
    order_id: int
    service_code: str
    agency: str
    rating: int
    comment: str
    created_at: datetime
    updated_at: datetime
    answer: str | None
    answered_at: datetime | None
    version: int

    @classmethod
    def of(cls, review: Review) -> ServiceReviewOut:
        order = review.order
        return cls(
            id=review.id,
            order_id=order.id,
            service_code=order.service.code,
            agency=order.agency.name,
            rating=review.rating,
            comment=review.comment,
            created_at=review.created_at,
            updated_at=review.updated_at,
            answer=review.answer,
            answered_at=review.answered_at,
            version=review.version,
        )


class ServiceReviewsOut(BaseModel):
    service_code: str
    average: float | None
    count: int
    reviews: list[ServiceReviewOut]


def _usage(body: UsageIn) -> usage.UsageIn:
    """The usage asked, each line once: a line sent twice is a 422 (it would bill whichever came last)."""
    seen: set[int] = set()
    for index, line in enumerate(body.lines):
        if line.position in seen:
            raise ValidationFailed(
                fields={
                    f"lines.{index}.position": N_(
                        "Line %(position)s is sent twice; send each line once.", position=line.position
                    )
                }
            )
        seen.add(line.position)
    return usage.UsageIn(body.month or "", {line.position: line.quantity for line in body.lines}, body.note)


# --- invoices -----------------------------------------------------------------------------------------------


@router.get(
    "/orders/{order_id}/invoices",
    response_model=ImplementationOut,
    summary="An order's implementation: its monthly invoices and the sums against the contract amount",
)
def order_invoices(order_id: Id, request: Request, actor: Actor = Depends(api_access(PARTIES))):
    with database(request).reading() as session:
        order = visible_order(session, actor, order_id)
        summary = invoices.implementation(session, order)
        return ImplementationOut(
            order_id=order.id,
            order_code=order.code,
            contract_total=summary.contract_total,
            invoiced_total=summary.invoiced_total,
            paid_total=summary.paid_total,
            reported=summary.reported,
            inspected=summary.inspected,
            paid=summary.paid,
            unclaimed=summary.unclaimed,
            outstanding=summary.outstanding,
            overdue=summary.overdue,
            reportable_months=summary.reportable,
            next_reportable=summary.waiting,
            invoices=[InvoiceOut.of(row.invoice) for row in summary.months if row.invoice is not None],
        )


@router.post(
    "/orders/{order_id}/invoices",
    status_code=201,
    response_model=InvoiceOut,
    summary="Report a month's usage (이용실적) of every line in force; the invoice follows",
)
def report_usage(order_id: Id, body: UsageIn, request: Request, actor: Actor = Depends(api_access(SUPPLIERS))):
    with database(request).transaction() as session:
        return InvoiceOut.of(usage.report_usage(session, actor, order_id, _usage(body)))


@router.get(
    "/invoices",
    response_model=Page[InvoiceOut],
    summary="The invoices of the caller's organisation, the latest month first",
)
def list_invoices(
    request: Request,
    state: InvoiceState | None = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    actor: Actor = Depends(api_access(PARTIES)),
):
    with database(request).reading() as session:
        found = [i for i in invoices.invoices_of(session, actor) if state is None or i.status == state]
        chosen, next_cursor = page(found, lambda i: (i.month, i.id), cursor, limit)
        return Page(items=[InvoiceOut.of(invoice) for invoice in chosen], next_cursor=next_cursor)


@router.get(
    "/invoices/overdue",
    response_model=Page[InvoiceOut],
    summary="Claimed invoices whose payment is overdue (operator), the oldest due first",
)
def overdue(
    request: Request,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    actor: Actor = Depends(api_access(OPERATORS_AND_ADMINS)),
):
    with database(request).reading() as session:
        found = invoices.overdue_invoices(session, today_kst())
        chosen, next_cursor = page(found, lambda i: (i.due_date, i.id), cursor, limit, newest_first=False)
        return Page(items=[InvoiceOut.of(invoice) for invoice in chosen], next_cursor=next_cursor)


@router.get("/invoices/{invoice_id}", response_model=InvoiceOut, summary="One invoice with every revision")
def read_invoice(invoice_id: Id, request: Request, actor: Actor = Depends(api_access(PARTIES))):
    with database(request).reading() as session:
        return InvoiceOut.of(invoices.visible_invoice(session, actor, invoice_id))


@router.post("/invoices/{invoice_id}/accept", response_model=InvoiceOut, summary="Inspection passed (검수)")
def accept(
    invoice_id: Id, body: SettlementVersionIn, request: Request, actor: Actor = Depends(api_access(AGENCY_BUYERS))
):
    with database(request).transaction() as session:
        return InvoiceOut.of(inspection.accept(session, actor, invoice_id, body.version))


@router.post("/invoices/{invoice_id}/reject", response_model=InvoiceOut, summary="Inspection failed, with a reason")
def reject(invoice_id: Id, body: RejectIn, request: Request, actor: Actor = Depends(api_access(AGENCY_BUYERS))):
    with database(request).transaction() as session:
        return InvoiceOut.of(inspection.reject(session, actor, invoice_id, body.version, body.reason))


@router.post(
    "/invoices/{invoice_id}/correct", response_model=InvoiceOut, summary="Correct a rejected invoice (a new revision)"
)
def correct(invoice_id: Id, body: CorrectionIn, request: Request, actor: Actor = Depends(api_access(SUPPLIERS))):
    with database(request).transaction() as session:
        return InvoiceOut.of(usage.correct(session, actor, invoice_id, body.version, _usage(body)))


@router.post(
    "/invoices/{invoice_id}/claim",
    response_model=InvoiceOut,
    summary="Claim the payment (대금청구) of an accepted invoice; payment is due within 5 working days of it",
)
def claim(invoice_id: Id, body: SettlementVersionIn, request: Request, actor: Actor = Depends(api_access(SUPPLIERS))):
    with database(request).transaction() as session:
        return InvoiceOut.of(payment.claim_payment(session, actor, invoice_id, body.version))


@router.post("/invoices/{invoice_id}/pay", response_model=InvoiceOut, summary="Record the payment (대금지급)")
def pay(invoice_id: Id, body: PaymentIn, request: Request, actor: Actor = Depends(api_access(AGENCY_BUYERS))):
    with database(request).transaction() as session:
        return InvoiceOut.of(payment.record_payment(session, actor, invoice_id, body.version, body.paid_on))


# --- reviews ------------------------------------------------------------------------------------------------


@router.get(
    "/services/{code}/reviews",
    response_model=ServiceReviewsOut,
    summary="A service's reviews (이용후기) by the agencies that used it, with the suppliers' answers",
)
def service_reviews(code: str, request: Request, actor=Depends(api_access(PUBLIC))):
    with database(request).reading() as session:
        service = catalog.public_service(session, code[:40])
        rating = reviews.rating_of(session, service.id)
        found = reviews.reviews_of_service(session, service.id)
        return ServiceReviewsOut(
            service_code=service.code,
            average=rating.average,
            count=rating.count,
            reviews=[ServiceReviewOut.of(review) for review in found],
        )


@router.get("/orders/{order_id}/review", response_model=ServiceReviewOut, summary="The agency's review of an order")
def read_review(order_id: Id, request: Request, actor: Actor = Depends(api_access(PARTIES))):
    with database(request).reading() as session:
        order = visible_order(session, actor, order_id)
        review = reviews.review_of_order(session, order.id)
        if review is None:
            raise NotFound()
        return ServiceReviewOut.of(review)


@router.put(
    "/orders/{order_id}/review",
    response_model=ServiceReviewOut,
    summary="Write the review of an order (after 30 days of use, or once completed), or edit it (with version)",
)
def write_review(
    order_id: Id, body: ServiceReviewIn, request: Request, actor: Actor = Depends(api_access(AGENCY_BUYERS))
):
    data = reviews.ReviewIn(body.rating, body.comment)
    with database(request).transaction() as session:
        return ServiceReviewOut.of(reviews.write(session, actor, order_id, data, body.version))


@router.delete("/orders/{order_id}/review", status_code=204, summary="Remove the agency's review")
def remove_review(
    order_id: Id, body: SettlementVersionIn, request: Request, actor: Actor = Depends(api_access(AGENCY_BUYERS))
):
    with database(request).transaction() as session:
        reviews.remove(session, actor, order_id, body.version)


@router.post("/orders/{order_id}/review/answer", response_model=ServiceReviewOut, summary="The supplier's answer, once")
def answer_review(order_id: Id, body: ReviewAnswerIn, request: Request, actor: Actor = Depends(api_access(SUPPLIERS))):
    with database(request).transaction() as session:
        return ServiceReviewOut.of(reviews.answer(session, actor, order_id, body.version, body.answer))


# the order's documents and the tax invoices (`documents_api`) are served with settlement's routes
router.include_router(documents_api.router)
