"""The demo catalog: about 170 fictional services, written for this product, for `seed-demo`.

The hand-written Korean building blocks live in `catalog.json`, next to this module: twenty fictional
suppliers, who offers each category, the price plans of the SaaS categories, the small tables that vary
the services of a category (price factors, CSAP grades, SLA, deployment, support hours, data return,
data centre) and, per cloud type and category, the concepts (name stem, one-line summary, description,
features, keywords, and for most non-SaaS services their own price plans). `demo_catalog()` combines
them into entries of the catalog import format (DOMAIN.md). Every name, company and business number is
invented; nothing is taken from the search sample. Deterministic: the same list on every call, with no
randomness.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from ..accounts.rules import business_number_check_digit

#: The building blocks, edited by hand (UTF-8 JSON; a plan's `min_term_months` may be left out).
CATALOG_FILE = Path(__file__).with_name("catalog.json")


@cache
def _blocks() -> dict:
    return json.loads(CATALOG_FILE.read_text(encoding="utf-8"))


def _suppliers() -> dict[str, dict]:
    return {
        supplier["key"]: {
            "business_number": supplier["business_number_prefix"]
            + str(business_number_check_digit(supplier["business_number_prefix"])),
            "name": supplier["name"],
            "size": supplier["size"],
        }
        for supplier in _blocks()["suppliers"]
    }


#: The demo suppliers by key (the brand in their service names): business number, company name, size.
SUPPLIERS: dict[str, dict] = _suppliers()


def _round_price(value: float) -> int:
    """A price as suppliers write it: exact under 1,000 won, then to 100 won, 10,000 won and 100,000 won."""
    for limit, step in ((1_000, 1), (1_000_000, 100), (10_000_000, 10_000)):
        if value < limit:
            return max(1, round(value / step) * step)
    return round(value / 100_000) * 100_000


def _plans(plans: list[dict], factor: float) -> list[dict]:
    return [
        {
            "name": plan["name"],
            "billing": plan["billing"],
            "unit": plan["unit"],
            "unit_price": _round_price(plan["unit_price"] * factor),
            "vat_included": False,
            "min_term_months": plan.get("min_term_months", 0),
        }
        for plan in plans
    ]


def _pick(values: list, position: int):
    return values[position % len(values)]


def _csap(kind: str, category: str, index: int, serial: int) -> dict | None:
    varies = _blocks()["variations"]
    if kind not in varies["csap_grades"]:
        return None
    grades = ["중", "하"] if category in varies["sensitive_saas_categories"] else varies["csap_grades"][kind]
    return {
        "grade": _pick(grades, index),
        "valid_until": _pick(varies["csap_valid_until"], serial),
        "certificate_number": f"CSAP-{kind}-{2024 + serial % 2}-{1000 + serial * 7:04d}",
        "underlying_iaas": None if kind == "IaaS" else _pick(varies["underlying_iaas"], serial),
    }


def demo_catalog() -> list[dict]:
    """Every concept as a service of its category's suppliers, in the catalog import format (DOMAIN.md)."""
    blocks = _blocks()
    varies = blocks["variations"]
    entries: list[dict] = []
    for group in blocks["concepts"]:
        kind, category = group["type"], group["category"]
        pool = blocks["supplier_pools"][category]
        for index, concept in enumerate(group["services"]):
            serial = len(entries) + 1
            supplier_key = _pick(pool, index)
            own_plans = concept.get("plans")
            factor = 1.0 if own_plans else _pick(varies["price_factors"], index)
            round_the_clock = kind == "IaaS" or category == "운영관리(MSP)"
            entries.append(
                {
                    "ref": f"demo-{serial:03d}",
                    "name": f"{supplier_key} {concept['stem']}",
                    "type": kind,
                    "category": category,
                    "supplier": dict(SUPPLIERS[supplier_key]),
                    "summary": concept["summary"],
                    "description": concept["description"],
                    "features": list(concept["features"]),
                    "keywords": list(concept["keywords"]),
                    "csap": _csap(kind, category, index, serial),
                    "deployment": _pick(varies["deployments"][kind], index),
                    "sla_availability": _pick(varies["sla_availability"][kind], index),
                    "price_plans": _plans(own_plans or blocks["category_plans"][category], factor),
                    "support_hours": varies["support_hours"][1 if round_the_clock else serial % 3],
                    "data_return_policy": _pick(varies["data_return_policies"], serial),
                    "data_centre_location": _pick(varies["data_centre_locations"], serial),
                }
            )
    return entries
