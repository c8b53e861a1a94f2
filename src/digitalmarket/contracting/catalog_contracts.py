"""Use cases of catalog contracts (카탈로그 계약) with PPS, and the queries other stages build on.

A supplier applies for its published service; the contracting officer reviews, may ask for a supplement,
and contracts (a `CC-2026-00017` number, a period, items at unit prices never above the selected price
plans). Once contracted the service is in the shopping mall; each amendment (변경차수 + 1) keeps every
earlier version; trade may be suspended and resumed; the contract expires at the end of its period.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from .rules import CatalogState
from .tables import CatalogContract

# --- queries for other stages (delivery requests, orders) -------------------------------------------------------


def active_catalog_contract(session: Session, service_id: int, on: date) -> CatalogContract | None:
    """The service's catalog contract in force on a day: contracted (not suspended, not expired) and with
    a period covering the day; None when the service is not in the shopping mall that day."""
    return session.scalars(
        select(CatalogContract)
        .where(
            CatalogContract.service_id == service_id,
            CatalogContract.status == CatalogState.CONTRACTED,
            CatalogContract.period_start <= on,
            CatalogContract.period_end >= on,
        )
        .order_by(CatalogContract.id.desc())
        .limit(1)
    ).first()


def catalog_item_price(contract: CatalogContract, price_plan_id: int) -> int | None:
    """The contracted unit price (KRW without VAT) of a price plan in the contract's current 변경차수, or
    None when the plan is not an item of it."""
    for item in contract.current_items():
        if item.price_plan_id == price_plan_id:
            return item.unit_price
    return None
