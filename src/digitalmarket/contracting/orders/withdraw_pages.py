"""The buyer withdraws a draft order from its page (`withdrawing`); a refusal shows the order's page again
with the reason's message."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from ...accounts.access import database, page_access
from ...accounts.permissions import AGENCY_BUYERS, Actor
from ...core.errors import DomainError
from ...core.forms import Form, form_errors, redirect, summary_only, version_of
from ...core.paths import Id
from ...core.templating import csrf_protect
from . import withdrawing
from .pages import _detail_page

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


@router.post("/orders/{order_id}/withdraw")
def order_withdraw(request: Request, order_id: Id, form: Form, actor: Actor = Depends(page_access(AGENCY_BUYERS))):
    try:
        with database(request).transaction() as session:
            withdrawing.withdraw(session, actor, order_id, version_of(form), form.get("reason", ""))
    except DomainError as error:
        if error.status == 404:
            raise
        errors = summary_only(form_errors(error), {"reason"})
        return _detail_page(request, actor, order_id, errors, {"reason": form.get("reason", "")}, error.status)
    return redirect(f"/orders/{order_id}", "withdrawn")
