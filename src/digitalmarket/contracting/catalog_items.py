"""The rules of a catalog contract's content: its period, its items (품목: price plans of the service at
unit prices without VAT, never above the plan's catalog price) and what an amendment (변경차수) may change,
with the differences between two versions of the items. No I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ..core.i18n import N_, Text

#: The longest catalog contract period [ours]: three years.
MAX_CATALOG_DAYS = 3 * 366
MAX_PRODUCT_ID = 40
MAX_ITEM_NAME = 200


@dataclass(frozen=True)
class CatalogItem:
    """An item (품목) of a catalog contract: a price plan of the service at a unit price without VAT."""

    price_plan_id: int
    product_id: str
    item: str
    unit: str
    unit_price: int


def catalog_period_problems(start: date | None, end: date | None, today: date) -> dict[str, Text]:
    """What is wrong with a proposed contract period (empty when it is fine)."""
    problems: dict[str, Text] = {}
    if start is None:
        problems["period_start"] = N_("Enter a date.")
    if end is None:
        problems["period_end"] = N_("Enter a date.")
    if problems:
        return problems
    if end < start:
        problems["period_end"] = N_("The end of the period must not be before its start.")
    elif end < today:
        problems["period_end"] = N_("The period has already ended.")
    elif (end - start).days > MAX_CATALOG_DAYS:
        problems["period_end"] = N_("A catalog contract runs at most three years.")
    return problems


def catalog_items_problems(items: Iterable[CatalogItem], ceilings: dict[int, int]) -> dict[str, Text]:
    """What is wrong with proposed items: at least one, each a plan of the service (``ceilings``: plan id ->
    its catalog price without VAT) at most once, with a product id, a name and a unit price above zero and
    never above the plan's catalog price."""
    items = list(items)
    problems: dict[str, Text] = {}
    if not items:
        return {"items": N_("Choose at least one price plan as an item.")}
    seen_plans: set[int] = set()
    seen_products: set[str] = set()
    for item in items:
        key = f"items.{item.price_plan_id}"
        if item.price_plan_id not in ceilings:
            problems[f"{key}.price_plan_id"] = N_(
                "Price plan %(id)s is not a plan of this service; choose one of its own.", id=item.price_plan_id
            )
            continue
        if item.price_plan_id in seen_plans:
            problems["items"] = N_("Each item must be a different price plan of the service.")
            continue
        seen_plans.add(item.price_plan_id)
        product = item.product_id.strip()
        if not product or len(product) > MAX_PRODUCT_ID:
            problems[f"{key}.product_id"] = N_("Enter a product id of at most %(max)s characters.", max=MAX_PRODUCT_ID)
        elif product in seen_products:
            problems[f"{key}.product_id"] = N_("Two items cannot have the same product id.")
        seen_products.add(product)
        if not item.item.strip() or len(item.item.strip()) > MAX_ITEM_NAME:
            problems[f"{key}.item"] = N_("Enter an item name of at most %(max)s characters.", max=MAX_ITEM_NAME)
        ceiling = ceilings[item.price_plan_id]
        if item.unit_price <= 0:
            problems[f"{key}.unit_price"] = N_("Enter a unit price above zero.")
        elif item.unit_price > ceiling:
            problems[f"{key}.unit_price"] = N_(
                "The unit price may not be above the plan's catalog price of %(price)s won without VAT.",
                price=f"{ceiling:,}",
            )
    return problems


def amendment_problems(
    current: Iterable[CatalogItem],
    proposed: Iterable[CatalogItem],
    current_end: date,
    proposed_end: date,
) -> dict[str, Text]:
    """What an amendment (변경차수) may not do: raise the price of an item it keeps, shorten the period, or
    change nothing at all. Items it adds are checked against the plan prices by `catalog_items_problems`."""
    before = {item.price_plan_id: item for item in current}
    after = list(proposed)
    problems: dict[str, Text] = {}
    for item in after:
        previous = before.get(item.price_plan_id)
        if previous is not None and item.unit_price > previous.unit_price:
            problems[f"items.{item.price_plan_id}.unit_price"] = N_(
                "A price may only go down in an amendment (now %(price)s won).", price=f"{previous.unit_price:,}"
            )
    if proposed_end < current_end:
        problems["period_end"] = N_("An amendment may extend the period, never shorten it.")
    if not problems and not catalog_diff(list(before.values()), after).changed and proposed_end == current_end:
        problems["_form"] = N_("The amendment changes nothing.")
    return problems


@dataclass(frozen=True)
class ItemChange:
    price_plan_id: int
    change: str  # added | removed | price_down | price_up | renamed | same
    before: CatalogItem | None
    after: CatalogItem | None


@dataclass(frozen=True)
class CatalogDiff:
    items: list[ItemChange]

    @property
    def changed(self) -> bool:
        return any(change.change != "same" for change in self.items)


def catalog_diff(before: Iterable[CatalogItem], after: Iterable[CatalogItem]) -> CatalogDiff:
    """The differences of items between two versions, matched by price plan: kept items first in the
    order of the later version, then the removed ones."""
    old = {item.price_plan_id: item for item in before}
    new = {item.price_plan_id: item for item in after}
    changes = []
    for plan_id, item in new.items():
        previous = old.get(plan_id)
        if previous is None:
            kind = "added"
        elif item.unit_price < previous.unit_price:
            kind = "price_down"
        elif item.unit_price > previous.unit_price:
            kind = "price_up"
        elif (item.product_id, item.item, item.unit) != (previous.product_id, previous.item, previous.unit):
            kind = "renamed"
        else:
            kind = "same"
        changes.append(ItemChange(plan_id, kind, previous, item))
    for plan_id, item in old.items():
        if plan_id not in new:
            changes.append(ItemChange(plan_id, "removed", item, None))
    return CatalogDiff(changes)
