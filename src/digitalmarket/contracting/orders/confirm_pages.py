"""Contracting steps that cannot be undone, each asked on a page of its own before it is taken.

The agency terminates an order early (중도 해지) and cancels a quote request; a supplier declines to
quote. Each GET route here shows what the step will do to this contract or request and what cannot be
undone, with the reason it needs and a form posting to the step's route (unchanged, in `orders.pages`,
`quotes.pages` and `quotes.supplier_pages`). Showing the page writes nothing; when the step is no longer
possible, the GET leads back to the object's page. (Awarding a quote has its own confirmation page,
`quote_award.html`, which shares the same parts.)
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from ...accounts.access import database, page_access
from ...accounts.permissions import AGENCY_BUYERS, SUPPLIERS, Actor
from ...core import confirmation
from ...core.confirmation import Confirmation, ReasonField
from ...core.formatting import kst_date, won
from ...core.i18n import N_
from ...core.paths import Id
from ...core.templating import csrf_protect
from ..quotes import asking
from ..states import QuoteState
from . import access

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
AGENCY_PAGE = page_access(AGENCY_BUYERS)
SUPPLIER_PAGE = page_access(SUPPLIERS)
TERMINABLE = ("contracted", "active")


def again(request: Request, actor: Actor, build, object_id: int, *, errors: dict, values: dict, status: int):
    """After a failed POST: the confirmation page again with the errors, or None when the step is no
    longer possible (then the object's page tells why)."""
    with database(request).reading() as session:
        confirm = build(session, actor, object_id)
    if confirm is None:
        return None
    return confirmation.show(request, confirm, actor=actor, errors=errors, values=values, status=status)


def _show_or_back(request: Request, actor: Actor, build, object_id: int, back: str):
    with database(request).reading() as session:
        confirm = build(session, actor, object_id)
    if confirm is None:
        return RedirectResponse(back, status_code=303)
    return confirmation.show(request, confirm, actor=actor)


def order_terminate(session, actor: Actor, order_id: int) -> Confirmation | None:
    """Early termination by the agency: the contract ends, the supplier is told, a waiting change goes."""
    order = access.visible_order(session, actor, order_id)
    if access.side_of(actor, order) != "agency" or order.status not in TERMINABLE:
        return None
    happens = [
        N_(
            "Contract %(code)s ends now, before its end date of %(date)s.",
            code=order.code,
            date=kst_date(order.end_date),
        ),
        N_("%(supplier)s is notified of the termination and its reason.", supplier=order.supplier.name),
        N_("The data is returned and deleted as the contract document says."),
        N_("The open data shows the contract as ended."),
    ]
    pending = access.pending_change(order)
    if pending is not None:
        happens.insert(1, N_("The change waiting for confirmation (변경차수 %(seq)s) is withdrawn.", seq=pending.seq))
    return Confirmation(
        question=N_("Terminate this contract early?"),
        subject=f"{order.code} · {order.service.name}",
        facts=[
            (N_("Supplier"), order.supplier.name),
            (N_("Period"), f"{kst_date(order.start_date)} ~ {kst_date(order.end_date)}"),
            (N_("Total with VAT"), N_("%(amount)s won", amount=won(order.total)).render()),
        ],
        happens=happens,
        irreversible=N_(
            "A terminated contract cannot be resumed or changed. To use the service again, make a new order."
        ),
        action=f"/orders/{order_id}/terminate",
        hidden={"version": order.version},
        button=N_("Terminate the contract now"),
        back=f"/orders/{order_id}",
        reason=ReasonField("reason", N_("Reason for the termination")),
    )


def request_cancel(session, actor: Actor, request_id: int) -> Confirmation | None:
    """Cancelling a quote request: every open quote is passed over and its supplier told."""
    found = asking.own_request(session, actor, request_id)
    if found.status != "open":
        return None
    open_quotes = [q for q in found.quotes if q.status in (QuoteState.REQUESTED, QuoteState.QUOTED)]
    happens = [N_("Quote request %(code)s is cancelled and no quote of it is awarded.", code=found.code)]
    if open_quotes:
        happens.append(
            N_(
                "The suppliers asked are notified: %(names)s.",
                names=", ".join(sorted({q.supplier.name for q in found.quotes})),
            )
        )
    return Confirmation(
        question=N_("Cancel this quote request?"),
        subject=f"{found.title} ({found.code})",
        facts=[
            (N_("Deadline"), kst_date(found.deadline)),
            (
                N_("Quotes answered"),
                N_(
                    "%(answered)s of %(asked)s",
                    answered=sum(1 for q in found.quotes if q.status == QuoteState.QUOTED),
                    asked=len(found.quotes),
                ).render(),
            ),
        ],
        happens=happens,
        irreversible=N_(
            "A cancelled request cannot be opened again, and none of its quotes can be awarded later. To buy, "
            "send a new request."
        ),
        action=f"/agency/quote-requests/{request_id}/cancel",
        hidden={"version": found.version},
        button=N_("Cancel the request now"),
        back=f"/agency/quote-requests/{request_id}",
        back_label=N_("Keep the request"),
        reason=ReasonField("reason", N_("Reason")),
    )


def quote_decline(session, actor: Actor, quote_id: int) -> Confirmation | None:
    """Declining to quote: the agency is told, and the quote cannot be answered any more."""
    quote = asking.own_quote(session, actor, quote_id)
    found = quote.request
    if quote.status not in (QuoteState.REQUESTED, QuoteState.QUOTED) or found.status != "open":
        return None
    if asking.is_late(found):
        return None
    happens = [N_("%(agency)s is told that you decline, with your reason.", agency=found.agency.name)]
    if quote.status == QuoteState.QUOTED:
        happens.append(N_("The quote you sent is taken back: the agency can no longer award it."))
    return Confirmation(
        question=N_("Decline to quote?"),
        subject=f"{found.title} ({found.code}) · {quote.service.name}",
        facts=[(N_("Deadline"), kst_date(found.deadline))],
        happens=happens,
        irreversible=N_("Once declined, you cannot quote for this request again, even before the deadline."),
        action=f"/supplier/quotes/{quote_id}/decline",
        hidden={"version": quote.version},
        button=N_("Decline now"),
        back=f"/supplier/quotes/{quote_id}",
        reason=ReasonField("reason", N_("Reason")),
    )


@router.get("/supplier/quotes/{quote_id}/decline")
def quote_decline_confirm(request: Request, quote_id: Id, actor: Actor = Depends(SUPPLIER_PAGE)):
    return _show_or_back(request, actor, quote_decline, quote_id, f"/supplier/quotes/{quote_id}")


@router.get("/orders/{order_id}/terminate")
def order_terminate_confirm(request: Request, order_id: Id, actor: Actor = Depends(AGENCY_PAGE)):
    return _show_or_back(request, actor, order_terminate, order_id, f"/orders/{order_id}")


@router.get("/agency/quote-requests/{request_id}/cancel")
def request_cancel_confirm(request: Request, request_id: Id, actor: Actor = Depends(AGENCY_PAGE)):
    return _show_or_back(request, actor, request_cancel, request_id, f"/agency/quote-requests/{request_id}")
