"""The items of a catalog contract (one per selected price plan, a unit price never above the plan's) and its
period, checked by the rules and written per version; and the refusals that keep a sanctioned supplier
or a service no longer published out of a contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from ...accounts.rules import sanction_active
from ...accounts.tables import Organisation
from ...catalog.rules import ServiceStatus
from ...catalog.tables import PricePlan, Service
from ...core.clock import today_kst
from ...core.errors import Conflict, ValidationFailed
from ...core.i18n import N_, Text
from ..catalog_items import MAX_ITEM_NAME, CatalogItem, catalog_items_problems, catalog_period_problems
from ..money import catalog_price
from ..tables import CatalogContract, CatalogContractItem, CatalogContractVersion

# --- items and periods -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemInput:
    """An item as a supplier or officer proposes it: a price plan and a unit price; the product id and the
    item name default to the service's code and the plan's name, the unit is always the plan's."""

    price_plan_id: int
    unit_price: int
    product_id: str | None = None
    item: str | None = None


def default_product_id(service: Service, plan: PricePlan) -> str:
    return f"{service.code}-{plan.position + 1:02d}"


def default_item_name(service: Service, plan: PricePlan) -> str:
    return f"{service.name} {plan.name}"[:MAX_ITEM_NAME]


def ceilings(service: Service) -> dict[int, int]:
    """Each price plan's catalog price without VAT: no item may be contracted above it."""
    return {plan.id: catalog_price(plan.unit_price, plan.vat_included) for plan in service.price_plans}


def _items(service: Service, inputs: list[ItemInput]) -> list[CatalogItem]:
    plans = {plan.id: plan for plan in service.price_plans}
    items = []
    for given in inputs:
        plan = plans.get(given.price_plan_id)
        items.append(
            CatalogItem(
                price_plan_id=given.price_plan_id,
                product_id=(given.product_id or (default_product_id(service, plan) if plan else "")).strip(),
                item=(given.item or (default_item_name(service, plan) if plan else "")).strip(),
                unit=plan.unit if plan else "",
                unit_price=given.unit_price,
            )
        )
    return items


def checked_items(
    service: Service, inputs: list[ItemInput], period: tuple[date | None, date | None, date] | None = None
) -> list[CatalogItem]:
    """The items as the contract keeps them, or 422 naming every bad item, and every problem of the
    ``period`` (start, end, today) when one is given: a caller corrects them all at once."""
    items = _items(service, inputs)
    problems = catalog_items_problems(items, ceilings(service))
    if period is not None:
        problems |= catalog_period_problems(*period)
    if problems:
        raise ValidationFailed(fields=problems)
    return items


def check_period(start: date | None, end: date | None, today: date | None = None) -> None:
    problems = catalog_period_problems(start, end, today or today_kst())
    if problems:
        raise ValidationFailed(fields=problems)


def as_items(rows) -> list[CatalogItem]:
    """Stored items (of one 변경차수) as the rules see them."""
    return [CatalogItem(r.price_plan_id, r.product_id, r.item, r.unit, r.unit_price) for r in rows]


def items_of(contract: CatalogContract, seq: int) -> list[CatalogContractItem]:
    return [item for item in contract.items if item.seq == seq]


def version_of(contract: CatalogContract, seq: int) -> CatalogContractVersion | None:
    return next((v for v in contract.versions if v.seq == seq), None)


def write_items(session: Session, contract: CatalogContract, seq: int, items: list[CatalogItem]) -> None:
    for position, item in enumerate(items):
        row = CatalogContractItem(
            seq=seq,
            position=position,
            price_plan_id=item.price_plan_id,
            product_id=item.product_id,
            item=item.item,
            unit=item.unit,
            unit_price=item.unit_price,
        )
        contract.items.append(row)
        session.add(row)


def replace_application_items(session: Session, contract: CatalogContract, items: list[CatalogItem]) -> None:
    """Before the contract is signed, 변경차수 0 is the application itself: its items are replaced."""
    for row in items_of(contract, 0):
        contract.items.remove(row)
        session.delete(row)
    session.flush()
    write_items(session, contract, 0, items)


def item_details(items: list[CatalogItem]) -> list[dict]:
    return [
        {"plan": i.price_plan_id, "product_id": i.product_id, "item": i.item, "unit": i.unit, "price": i.unit_price}
        for i in items
    ]


# --- refusals -----------------------------------------------------------------------------------------------------


def refusal(service: Service, supplier: Organisation, today: date) -> Text | None:
    """Why the service cannot be applied for or contracted today: suspended or delisted, or its supplier
    under an active sanction (부정당업자 제재); None when nothing stands in the way."""
    if service.status == ServiceStatus.SUSPENDED:
        reason = service.status_reason or "-"
        return N_("The service is suspended from the catalog (%(reason)s).", reason=reason)
    if service.status != ServiceStatus.PUBLISHED:
        return N_("The service is not published in the catalog.")
    if sanction_active(supplier.sanction_from, supplier.sanction_until, today):
        return N_(
            "%(supplier)s is under a sanction until %(until)s.",
            supplier=supplier.name,
            until=supplier.sanction_until.isoformat(),
        )
    return None


def refuse_if_blocked(contract_or_service: CatalogContract | Service, today: date | None = None) -> None:
    service = contract_or_service.service if isinstance(contract_or_service, CatalogContract) else contract_or_service
    reason = refusal(service, service.supplier, today or today_kst())
    if reason is not None:
        raise Conflict(reason)
