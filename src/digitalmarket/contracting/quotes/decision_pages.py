"""Pages of the award decision record (낙찰 결정 기록): one order's record with its CSV and PDF downloads,
and the operator's list of recent records. The order's agency, the operator and PPS contracting officers
read a record; anyone else gets 404. Nothing on these pages can be changed."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from ...accounts.access import database, page_access
from ...accounts.permissions import SIGNED_IN, Actor, roles
from ...accounts.rules import Role
from ...core.i18n import current_locale
from ...core.paths import Id
from ...core.templating import csrf_protect
from ..states import QUOTE_STATE_LABELS
from .decision_api import download
from .decision_pdf import FILTER_KO, filters_text
from .decision_record import kst_time as record_time
from .decision_record import recent_records, record_of_order
from .pages import show

STAFF = roles(Role.OPERATOR, Role.CONTRACTING_OFFICER)
router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


@router.get("/orders/{order_id}/decision-record")
def decision_record_page(request: Request, order_id: Id, actor: Actor = Depends(page_access(SIGNED_IN))):
    with database(request).reading() as session:
        found = record_of_order(session, actor, order_id)
    context = {
        "record": found,
        "data": found.data,
        "record_time": record_time,
        "filters_text": lambda filters: filters_text(filters, FILTER_KO if current_locale.get() == "ko" else {}),
        "quote_state_labels": QUOTE_STATE_LABELS,
        "back": f"/orders/{order_id}" if actor.role == Role.AGENCY_BUYER else "/operator/decision-records",
    }
    return show(request, "decision_record.html", context, actor=actor)


@router.get("/orders/{order_id}/decision-record.csv")
def decision_record_csv(request: Request, order_id: Id, actor: Actor = Depends(page_access(SIGNED_IN))):
    with database(request).reading() as session:
        found = record_of_order(session, actor, order_id)
    return download(found, "csv")


@router.get("/orders/{order_id}/decision-record.pdf")
def decision_record_pdf(request: Request, order_id: Id, actor: Actor = Depends(page_access(SIGNED_IN))):
    with database(request).reading() as session:
        found = record_of_order(session, actor, order_id)
    return download(found, "pdf")


@router.get("/operator/decision-records")
def operator_decision_records(request: Request, actor: Actor = Depends(page_access(STAFF))):
    """The latest records kept at awards, each linking to its page."""
    with database(request).reading() as session:
        rows = [
            {
                "order_id": row.order_id,
                "request": row.data["request"],
                "award": row.data["award"],
                "frozen_at": row.frozen_at,
            }
            for row in recent_records(session)
        ]
    return show(request, "decision_record_list.html", {"rows": rows, "record_time": record_time}, actor=actor)
