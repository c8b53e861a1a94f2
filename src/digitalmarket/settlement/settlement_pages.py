"""HTML routes of settlement: the supplier reports a month's usage of an order, the agency inspects the
invoices, the supplier claims the payment (대금청구) and the agency pays it, the operator sees overdue
payments; reviews of an order and the service page's reviews block. The order page gets its
implementation section (`order_page_section`) and the service page its reviews (`service_page_section`),
both declared in `digitalmarket.subscribers`: neither stage imports settlement."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from ..accounts.access import database, page_access
from ..accounts.permissions import AGENCY_BUYERS, SUPPLIERS, Actor, roles
from ..accounts.rules import Role
from ..contracting.orders.access import side_of, visible_order
from ..contracting.quotes.pages import common_context, day
from ..core.clock import today_kst
from ..core.errors import DomainError, NotFound
from ..core.formatting import kst_date, kst_datetime, won
from ..core.forms import Form, form_errors, number, redirect, version_of
from ..core.i18n import N_, Text
from ..core.paths import Id
from ..core.templating import csrf_protect, render
from . import documents_pages, inspection, invoices, paperwork, payment, reviews, rules, usage
from .rules import INVOICE_STATE_LABELS, InvoiceState

PARTIES = roles(Role.AGENCY_BUYER, Role.SUPPLIER)
OPERATORS_AND_ADMINS = roles(Role.OPERATOR, Role.ADMIN)
router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])

#: Messages a redirect asks the next page to show (``?notice=<key>``).
NOTICES: dict[str, tuple[str, Text]] = {
    "usage_reported": ("success", N_("The usage is reported and the invoice sent to the agency for inspection.")),
    "invoice_corrected": ("success", N_("The corrected invoice is sent to the agency for inspection.")),
    "invoice_accepted": (
        "success",
        N_("The invoice is accepted. The supplier now claims the payment; pay within 5 working days of the claim."),
    ),
    "invoice_claimed": (
        "success",
        N_("The payment is claimed; the agency is notified and pays within 5 working days."),
    ),
    "invoice_rejected": ("info", N_("The invoice is rejected; the supplier is notified and corrects it.")),
    "invoice_paid": ("success", N_("The payment is recorded; the supplier is notified.")),
    "review_saved": ("success", N_("Your review is saved and shown on the service page.")),
    "review_removed": ("info", N_("Your review is removed.")),
    "review_answered": ("success", N_("Your answer is shown under the review.")),
    "tax_invoice_amended": ("success", N_("The amended tax invoice is issued; the agency is notified.")),
}

BADGES = {
    InvoiceState.REPORTED: "information",
    InvoiceState.REJECTED: "danger",
    InvoiceState.ACCEPTED: "information",
    InvoiceState.CLAIMED: "warning",
    InvoiceState.PAID: "success",
}


def next_step(invoice, side: str | None) -> Text:
    """What happens next to an invoice, for the side reading it."""
    state, due = invoice.status, kst_date(invoice.due_date)
    agency = side == "agency"
    if state == InvoiceState.REPORTED:
        if agency:
            return N_("Inspect the invoice: accept it, or reject it with a reason.")
        return N_("Waiting for the agency's inspection (검수).")
    if state == InvoiceState.REJECTED:
        return N_("Waiting for the supplier's correction.") if agency else N_("Correct the invoice and send it again.")
    if state == InvoiceState.ACCEPTED:
        if agency:
            return N_(
                "Waiting for the supplier's payment claim (대금청구); payment is due within 5 working days of it."
            )
        return N_("Claim the payment (대금청구): the agency pays within 5 working days of your claim.")
    if state == InvoiceState.CLAIMED:
        if agency:
            return N_(
                "Pay %(amount)s won by %(date)s, then record the day of payment.", amount=won(invoice.total), date=due
            )
        return N_("Waiting for the agency's payment, due by %(date)s.", date=due)
    return N_("Nothing left to do: paid on %(date)s.", date=kst_date(invoice.paid_on))


def _labels() -> dict:
    """What the settlement templates need besides the contracting pages' context."""
    return {
        "invoice_state_labels": INVOICE_STATE_LABELS,
        "invoice_badges": BADGES,
        "is_overdue": rules.is_overdue,
        "kst_datetime": kst_datetime,
        "next_step": next_step,
        "today": today_kst(),
    }


def show(request: Request, template: str, context: dict, *, actor: Actor | None, status: int = 200):
    ctx = {**common_context(), **_labels(), **context}
    return render(request, template, ctx, actor=actor, status_code=status, notices=NOTICES)


def _errors(error: DomainError, known: set[str]) -> dict[str, str]:
    """Messages next to the fields a form has; anything else in the summary at the top."""
    placed = {}
    for key, message in form_errors(error).items():
        parts = key.split(".")
        if parts[0] == "lines" and len(parts) == 3:
            key = f"q{parts[1]}"
        placed[key if key.startswith("_") or key in known else f"_{key}"] = message
    return placed


def _quantities(form: dict[str, str], order) -> dict[int, int | None]:
    found = {}
    for line in order.current_lines():
        if line.billing != "fixed":
            found[line.position] = number(form.get(f"q{line.position}"))
    return found


# --- the order page's section -------------------------------------------------------------------------------


def order_page_section(session, order, actor) -> dict:
    """What an order's page shows of its implementation: months reported, inspected, paid, outstanding,
    the total paid against the contract amount, and the review."""
    side = side_of(actor, order)
    if order.status not in ("active", "completed", "terminated"):
        return {}
    review = reviews.review_of_order(session, order.id)
    return {
        **_labels(),
        "settlement": {
            "side": side,
            "summary": invoices.implementation(session, order),
            "review": review,
            "can_review": side == "agency" and review is None and reviews.refusal(order) is None,
            "review_refusal": reviews.refusal(order) if side == "agency" and review is None else None,
            "documents": paperwork.documents_of_order(session, order),
        },
    }


def service_page_section(session, service, actor) -> dict:
    """The service page's reviews: the average rating, the count and every review with its answer."""
    return {
        "service_reviews": {
            "rating": reviews.rating_of(session, service.id),
            "reviews": reviews.reviews_of_service(session, service.id),
        }
    }


# --- the supplier reports usage -----------------------------------------------------------------------------


def _usage_page(request, actor, order_id, values=None, errors=None, status=200):
    with database(request).reading() as session:
        order = visible_order(session, actor, order_id)
        if side_of(actor, order) != "supplier":
            raise NotFound()
        summary = invoices.implementation(session, order)
        values = values or {}
        context = {
            "order": order,
            "summary": summary,
            "lines": order.current_lines(),
            "month": values.get("month") or (summary.reportable[0] if summary.reportable else ""),
            "month_options": [(month, month) for month in summary.reportable],
            "values": values,
            "errors": errors or {},
            "reportable": order.status in invoices.REPORTABLE,
        }
        return show(request, "settlement_usage.html", context, actor=actor, status=status)


@router.get("/orders/{order_id}/usage")
def usage_form(request: Request, order_id: Id, actor: Actor = Depends(page_access(SUPPLIERS))):
    return _usage_page(request, actor, order_id)


@router.post("/orders/{order_id}/usage")
def usage_report(request: Request, order_id: Id, form: Form, actor: Actor = Depends(page_access(SUPPLIERS))):
    try:
        with database(request).transaction() as session:
            order = visible_order(session, actor, order_id)
            data = usage.UsageIn(form.get("month", ""), _quantities(form, order), form.get("note", ""))
            invoice_id = usage.report_usage(session, actor, order_id, data).id
    except DomainError as error:
        if error.status == 404:
            raise
        known = {"month", "note"} | {f"q{p}" for p in range(100)}
        return _usage_page(request, actor, order_id, form, _errors(error, known), error.status)
    return redirect(f"/invoices/{invoice_id}", "usage_reported")


# --- one invoice --------------------------------------------------------------------------------------------


def _invoice_page(request, actor, invoice_id, errors=None, values=None, status=200):
    with database(request).reading() as session:
        invoice = invoices.visible_invoice(session, actor, invoice_id)
        side = side_of(actor, invoice.order)
        context = {
            "invoice": invoice,
            "order": invoice.order,
            "side": side,
            "lines": invoice.order.current_lines(),
            "can_inspect": side == "agency" and invoice.status == InvoiceState.REPORTED,
            "can_claim": side == "supplier" and invoice.status == InvoiceState.ACCEPTED,
            "can_pay": side == "agency" and invoice.status == InvoiceState.CLAIMED,
            "can_correct": side == "supplier" and invoice.status == InvoiceState.REJECTED,
            **documents_pages.tax_invoice_context(session, invoice, side),
            "errors": errors or {},
            "values": values or {},
        }
        return show(request, "settlement_invoice.html", context, actor=actor, status=status)


@router.get("/invoices/{invoice_id}")
def invoice_page(request: Request, invoice_id: Id, actor: Actor = Depends(page_access(PARTIES))):
    return _invoice_page(request, actor, invoice_id)


def _step(request, actor, invoice_id, form, function, notice, known=frozenset()):
    try:
        with database(request).transaction() as session:
            function(session)
    except DomainError as error:
        if error.status == 404:
            raise
        return _invoice_page(request, actor, invoice_id, _errors(error, set(known)), form, error.status)
    return redirect(f"/invoices/{invoice_id}", notice)


@router.post("/invoices/{invoice_id}/accept")
def invoice_accept(request: Request, invoice_id: Id, form: Form, actor: Actor = Depends(page_access(AGENCY_BUYERS))):
    return _step(
        request,
        actor,
        invoice_id,
        form,
        lambda session: inspection.accept(session, actor, invoice_id, version_of(form)),
        "invoice_accepted",
    )


@router.post("/invoices/{invoice_id}/reject")
def invoice_reject(request: Request, invoice_id: Id, form: Form, actor: Actor = Depends(page_access(AGENCY_BUYERS))):
    return _step(
        request,
        actor,
        invoice_id,
        form,
        lambda session: inspection.reject(session, actor, invoice_id, version_of(form), form.get("reason", "")),
        "invoice_rejected",
        {"reason"},
    )


@router.post("/invoices/{invoice_id}/claim")
def invoice_claim(request: Request, invoice_id: Id, form: Form, actor: Actor = Depends(page_access(SUPPLIERS))):
    return _step(
        request,
        actor,
        invoice_id,
        form,
        lambda session: payment.claim_payment(session, actor, invoice_id, version_of(form)),
        "invoice_claimed",
    )


@router.post("/invoices/{invoice_id}/pay")
def invoice_pay(request: Request, invoice_id: Id, form: Form, actor: Actor = Depends(page_access(AGENCY_BUYERS))):
    return _step(
        request,
        actor,
        invoice_id,
        form,
        lambda session: payment.record_payment(session, actor, invoice_id, version_of(form), day(form.get("paid_on"))),
        "invoice_paid",
        {"paid_on"},
    )


@router.post("/invoices/{invoice_id}/correct")
def invoice_correct(request: Request, invoice_id: Id, form: Form, actor: Actor = Depends(page_access(SUPPLIERS))):
    def correct(session):
        invoice = invoices.visible_invoice(session, actor, invoice_id)
        data = usage.UsageIn(invoice.month, _quantities(form, invoice.order), form.get("note", ""))
        usage.correct(session, actor, invoice_id, version_of(form), data)

    known = {"note"} | {f"q{p}" for p in range(100)}
    return _step(request, actor, invoice_id, form, correct, "invoice_corrected", known)


# --- lists --------------------------------------------------------------------------------------------------


def _list_page(request, actor, side):
    with database(request).reading() as session:
        found = invoices.invoices_of(session, actor)
        today = today_kst()
        groups = {
            "inspect": [i for i in found if i.status == InvoiceState.REPORTED],
            "claim": [i for i in found if i.status == InvoiceState.ACCEPTED],
            "pay": [i for i in found if i.status == InvoiceState.CLAIMED],
            "correct": [i for i in found if i.status == InvoiceState.REJECTED],
            "paid": [i for i in found if i.status == InvoiceState.PAID],
        }
        overdue = [i for i in groups["pay"] if rules.is_overdue(i.status, i.due_date, today)]
        context = {"side": side, "groups": groups, "overdue": overdue, "all": found}
        return show(request, "settlement_invoices.html", context, actor=actor)


@router.get("/agency/invoices")
def agency_invoices(request: Request, actor: Actor = Depends(page_access(AGENCY_BUYERS))):
    return _list_page(request, actor, "agency")


@router.get("/supplier/invoices")
def supplier_invoices(request: Request, actor: Actor = Depends(page_access(SUPPLIERS))):
    return _list_page(request, actor, "supplier")


@router.get("/operator/overdue-invoices")
def operator_overdue(request: Request, actor: Actor = Depends(page_access(OPERATORS_AND_ADMINS))):
    with database(request).reading() as session:
        today = today_kst()
        found = invoices.overdue_invoices(session, today)
        rows = [{"invoice": i, "late_days": (today - i.due_date).days} for i in found]
        return show(request, "settlement_overdue.html", {"rows": rows}, actor=actor)


# --- reviews ------------------------------------------------------------------------------------------------


def _review_page(request, actor, order_id, errors=None, values=None, status=200):
    with database(request).reading() as session:
        order = visible_order(session, actor, order_id)
        side = side_of(actor, order)
        review = reviews.review_of_order(session, order.id)
        context = {
            "order": order,
            "side": side,
            "review": review,
            "refusal": reviews.refusal(order) if review is None else None,
            "errors": errors or {},
            "values": values or {},
        }
        return show(request, "settlement_review.html", context, actor=actor, status=status)


@router.get("/orders/{order_id}/review")
def review_page(request: Request, order_id: Id, actor: Actor = Depends(page_access(PARTIES))):
    return _review_page(request, actor, order_id)


def _review_step(request, actor, order_id, form, function, notice, known):
    try:
        with database(request).transaction() as session:
            function(session)
    except DomainError as error:
        if error.status == 404:
            raise
        return _review_page(request, actor, order_id, _errors(error, known), form, error.status)
    return redirect(f"/orders/{order_id}/review", notice)


@router.post("/orders/{order_id}/review")
def review_write(request: Request, order_id: Id, form: Form, actor: Actor = Depends(page_access(AGENCY_BUYERS))):
    version = number(form.get("version"))
    data = reviews.ReviewIn(number(form.get("rating")), form.get("comment", ""))
    return _review_step(
        request,
        actor,
        order_id,
        form,
        lambda session: reviews.write(session, actor, order_id, data, version),
        "review_saved",
        {"rating", "comment"},
    )


@router.post("/orders/{order_id}/review/remove")
def review_remove(request: Request, order_id: Id, form: Form, actor: Actor = Depends(page_access(AGENCY_BUYERS))):
    return _review_step(
        request,
        actor,
        order_id,
        form,
        lambda session: reviews.remove(session, actor, order_id, version_of(form)),
        "review_removed",
        set(),
    )


@router.post("/orders/{order_id}/review/answer")
def review_answer(request: Request, order_id: Id, form: Form, actor: Actor = Depends(page_access(SUPPLIERS))):
    return _review_step(
        request,
        actor,
        order_id,
        form,
        lambda session: reviews.answer(session, actor, order_id, version_of(form), form.get("answer", "")),
        "review_answered",
        {"answer"},
    )


# the downloads of an order's documents (`documents_pages`) are served with settlement's pages
router.include_router(documents_pages.router)
