"""Renewing an order: the quote request form filled in from the order that is ending.

``/agency/quote-requests/new?from_order=ORD-2026-00012`` asks the same service again, each plan with the
order's quantity and months, to start the day after the order ends. Nothing is written until the agency
sends the form.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...accounts.permissions import Actor
from ...core.clock import today_kst
from ...core.errors import NotFound
from ...core.i18n import N_
from ..tables import Order

#: Days suppliers get to answer a renewal request, unless the order ends sooner.
ANSWER_DAYS = 7


def renewal_values(
    session: Session, actor: Actor, order_code: str, today: date | None = None
) -> tuple[list[str], dict]:
    """The service codes and form values of a quote request renewing the agency's own order (404 for an
    order of another agency, as for any object one may not see)."""
    today = today or today_kst()
    order = session.scalar(select(Order).where(Order.code == order_code.strip()))
    if order is None or order.agency_id != actor.organisation_id:
        raise NotFound()
    service = order.service
    start = max(order.end_date + timedelta(days=1), today + timedelta(days=1))
    deadline = min(today + timedelta(days=ANSWER_DAYS), start - timedelta(days=1))
    values = {
        "title": N_("Renewal of %(service)s (%(code)s)", service=service.name, code=order.code).render(),
        "requirements": N_(
            "Renewal of order %(code)s, which ends on %(date)s.", code=order.code, date=order.end_date.isoformat()
        ).render(),
        "desired_start": start.isoformat(),
        "deadline": max(deadline, today).isoformat(),
    }
    rows = {plan.id: index for index, plan in enumerate(service.price_plans)}
    for line in order.current_lines():
        row = rows.get(line.price_plan_id)
        if row is not None:
            values[f"s0-p{row}-quantity"] = str(line.quantity)
            values[f"s0-p{row}-months"] = str(line.months)
    return [service.code], values
