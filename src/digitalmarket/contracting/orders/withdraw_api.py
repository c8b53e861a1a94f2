"""``POST /api/v1/orders/{order_id}/withdraw``: the buyer withdraws a draft order the supplier has not
accepted yet, with a reason (`withdrawing`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from ...accounts.access import api_access, database
from ...accounts.permissions import AGENCY_BUYERS, Actor
from ...accounts.schemas import ErrorOut
from ...core.paths import Id
from . import withdrawing
from .api import OrderOut, TerminateIn

router = APIRouter(tags=["orders"], responses={s: {"model": ErrorOut} for s in (401, 403, 404, 409, 422)})


@router.post(
    "/orders/{order_id}/withdraw",
    response_model=OrderOut,
    summary="Withdraw a draft order the supplier has not accepted, with a reason the supplier is told",
)
def withdraw(order_id: Id, body: TerminateIn, request: Request, actor: Actor = Depends(api_access(AGENCY_BUYERS))):
    with database(request).transaction() as session:
        return OrderOut.of(withdrawing.withdraw(session, actor, order_id, body.version, body.reason))
