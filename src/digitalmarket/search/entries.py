"""The facts of one published service, and how they are read from the database: of every published
service (a full load of the search facts) or of only the services a change touched (`facts.py`)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..accounts.tables import Organisation
from ..catalog.regions import regions_of
from ..catalog.rules import ServiceStatus
from ..catalog.tables import PricePlan, Service
from ..contracting.tables import CatalogContract, Order
from ..core.clock import today_kst
from ..settlement.tables import Review
from .hangul import chosung
from .tables import ServiceSearch

NO_CSAP = "none"
PRICE_BANDS = ((0, 99_999), (100_000, 999_999), (1_000_000, 9_999_999), (10_000_000, None))
FACETS = ("type", "category", "csap", "size", "deployment", "price", "contract")
#: The facet whose services may have several values (a data centre in Seoul and one in Busan): counted apart.
REGION = "region"
#: Every facet of a search, in the order a page of results lists them.
SEARCH_FACETS = (*FACETS[:5], REGION, *FACETS[5:])


@dataclass(slots=True)
class Entry:
    """The facts of one published service. Shared by every search of a process: never changed once
    built (not frozen only because a frozen dataclass is several times slower to build, and the facts
    of a large catalog build hundreds of thousands)."""

    id: int
    code: str
    name: str
    supplier: str
    type: str
    category_id: int
    csap: str  # 상 | 중 | 하, or "" without a certificate
    size: str  # the supplier's size: sme | middle | large
    deployment: str
    published_at: datetime
    price: int | None  # the unit price of its main plan (대표 요금제), in won without VAT
    name_terms: frozenset[str]
    name_chosung: str
    supplier_chosung: str
    contracts: int = 0
    rating: float | None = None
    has_contract: bool = False
    price_unit: str = ""  # the main plan's unit as listed (사용자/월)
    price_billing: str = ""  # and its billing (monthly | usage | fixed)
    regions: tuple[str, ...] = ()  # the regions its data centre location names (`catalog.regions`)
    facets: tuple = ()  # the value of each of `FACETS`, in that order (None: not counted)

    def __post_init__(self) -> None:
        values = (
            self.type,
            self.category_id,
            self.csap or NO_CSAP,
            self.size or None,
            self.deployment,
            band(self.price),
            self.has_contract,
        )
        self.facets = values


def band(price: int | None) -> str | None:
    """The price band of a main plan's price, as the price facet names it ("100000-999999", "10000000-")."""
    if price is None:
        return None
    for low, high in PRICE_BANDS:
        if high is None or price <= high:
            return f"{low}-{high if high is not None else ''}"
    return None


def without_vat(unit_price: int, vat_included: bool) -> int:
    """A unit price in won without VAT (10%), rounded to the won."""
    return round(unit_price / 1.1) if vat_included else unit_price


def _contracting(session: Session, ids: Collection[int] | None) -> tuple[dict[int, int], set[int], dict[int, float]]:
    """Per service, its number of use contracts (contracted, in use or done), the services with a
    catalog contract in force today (listed in the shopping mall), and per service its average rating
    by the agencies that used it (one decimal); of the services ``ids`` only, unless None."""

    def only(query, column):
        return query if ids is None else query.where(column.in_(ids))

    counted = ("contracted", "active", "completed", "terminated")
    orders = select(Order.service_id, func.count()).where(Order.status.in_(counted))
    contracts = dict(session.execute(only(orders, Order.service_id).group_by(Order.service_id)).all())
    today = today_kst()
    in_force = select(CatalogContract.service_id).where(
        CatalogContract.status == "contracted",
        CatalogContract.period_start <= today,
        CatalogContract.period_end >= today,
    )
    in_mall = set(session.scalars(only(in_force, CatalogContract.service_id)))
    reviews = only(select(Review.service_id, func.avg(Review.rating)), Review.service_id)
    ratings = {
        service_id: round(float(value), 1) for service_id, value in session.execute(reviews.group_by(Review.service_id))
    }
    return contracts, in_mall, ratings


def read(session: Session, ids: Collection[int] | None = None) -> dict[int, Entry]:
    """The facts of every published service, or of those of ``ids`` that are published, by id."""

    def only(query):
        return query if ids is None else query.where(Service.id.in_(ids))

    # The headline price of a service is its main plan's (chosen by the supplier), never the cheapest
    # plan of any kind: an add-on's 150 won per GB is not the price of a video-meeting service.
    prices: dict[int, tuple[int, str, str]] = {}
    plans = session.execute(
        only(
            select(
                PricePlan.service_id, PricePlan.unit_price, PricePlan.vat_included, PricePlan.unit, PricePlan.billing
            )
            .join(Service, Service.id == PricePlan.service_id)
            .where(Service.status == ServiceStatus.PUBLISHED, PricePlan.position == Service.main_plan_position)
        )
    )
    for service_id, unit_price, vat_included, unit, billing in plans:
        prices[service_id] = (without_vat(unit_price, vat_included), unit, billing)
    rows = session.execute(
        only(
            select(
                Service.id,
                Service.code,
                Service.name,
                Service.type,
                Service.category_id,
                Service.csap_grade,
                Service.deployment,
                Service.published_at,
                Service.data_centre_location,
                Organisation.name.label("supplier"),
                Organisation.size,
                ServiceSearch.name.label("name_terms"),
            )
            .join(Organisation, Organisation.id == Service.supplier_id)
            .join(ServiceSearch, ServiceSearch.service_id == Service.id)
            .where(Service.status == ServiceStatus.PUBLISHED)
        )
    ).all()
    contracts, in_mall, ratings = _contracting(session, ids)
    entries: dict[int, Entry] = {}
    supplier_chosung: dict[str, str] = {}  # a supplier's name comes back for each of its services
    for row in rows:
        name_terms = frozenset(row.name_terms.split())
        price, unit, billing = prices.get(row.id) or (None, "", "")
        entries[row.id] = Entry(
            id=row.id,
            code=row.code,
            name=row.name,
            supplier=row.supplier,
            type=row.type,
            category_id=row.category_id,
            csap=row.csap_grade or "",
            size=row.size or "",
            deployment=row.deployment,
            published_at=row.published_at,
            price=price,
            name_terms=name_terms,
            name_chosung=chosung(row.name),
            supplier_chosung=supplier_chosung.get(row.supplier)
            or supplier_chosung.setdefault(row.supplier, chosung(row.supplier)),
            contracts=contracts.get(row.id, 0),
            rating=ratings.get(row.id),
            has_contract=row.id in in_mall,
            price_unit=unit,
            price_billing=billing,
            regions=regions_of(row.data_centre_location),
        )
    return entries


def lengths(session: Session, ids: Collection[int] | None = None) -> dict[int, int]:
    """The length (in terms) of each indexed service (any status), or of those of ``ids``: the bm25
    length normalisation needs their number and average."""
    query = select(ServiceSearch.service_id, ServiceSearch.length)
    if ids is not None:
        query = query.where(ServiceSearch.service_id.in_(ids))
    return dict(session.execute(query).all())
