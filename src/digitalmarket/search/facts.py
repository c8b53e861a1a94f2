"""What search needs to know about every published service, kept in memory per process.

Filters, facets, sorts, 초성 search, typo corrections and suggestions all work on small per-service
facts (type, category, CSAP grade, supplier size, deployment, main plan's price, name terms ...). Reading
them from the database on every search would cost more than the search itself, so each process keeps
a `Facts` snapshot and reloads it when the catalog's revision token (`catalog_revision`) differs from
the one it was built at, or when the day (in Korea) has changed, since catalog contracts start and end
with the calendar. The token is replaced (`catalog_changed`), in the changing transaction, by every step
that changes what the facts hold: the subscribers of those steps' events (`digitalmarket.subscribers`,
`projections.py`) and the index itself (`search.index_service`). So a search never sees a catalog older
than its own transaction; tokens are random, so a rolled-back change can never be mistaken for a later one.
"""

from __future__ import annotations

import bisect
import threading
import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..accounts.tables import Organisation
from ..catalog.rules import ServiceStatus
from ..catalog.tables import PricePlan, Service
from ..contracting.tables import CatalogContract, Order
from ..core.clock import today_kst
from ..settlement.tables import Review
from .hangul import chosung, edit_distance
from .tables import CatalogRevision, ServiceSearch

if TYPE_CHECKING:
    from .columns import Columns

TYPO_MIN_LENGTH = 4
NO_CSAP = "none"
PRICE_BANDS = ((0, 99_999), (100_000, 999_999), (1_000_000, 9_999_999), (10_000_000, None))
FACETS = ("type", "category", "csap", "size", "deployment", "price", "contract")
CACHED_DATABASES = 4
CACHED_PHRASES = 5_000
CACHED_ANSWERS = 2_000


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


@dataclass
class Facts:
    token: str
    entries: dict[int, Entry]
    indexed: int  # services in the index (any status): the N of the idf
    average_length: float
    day: date | None = None  # the day (KST) the facts were loaded
    _vocabulary: dict[str, int] | None = field(default=None, repr=False)
    _deletions: dict[str, set[str]] | None = field(default=None, repr=False)
    _sorted_terms: list[str] | None = field(default=None, repr=False)
    _columns: Columns | None = field(default=None, repr=False)
    _postings: dict[str, tuple[int, np.ndarray]] = field(default_factory=dict, repr=False)
    _answers: dict = field(default_factory=dict, repr=False)

    @property
    def columns(self) -> Columns:
        """The published services as columns (`columns.py`), built on first use."""
        if self._columns is None:
            from .columns import Columns  # built from the entries defined here

            self._columns = Columns(self.entries.values())
        return self._columns

    def answer(self, key: Hashable, compute: Callable[[], object]) -> object:
        """What ``compute()`` gives for a key, computed once at this catalog revision (the JSON of a
        page of the search API, say) and kept for at most `CACHED_ANSWERS` keys, the oldest going first.
        Only for answers that depend on nothing but the key and the catalog."""
        if key in self._answers:
            return self._answers[key]
        found = compute()
        while len(self._answers) >= CACHED_ANSWERS:
            self._answers.pop(next(iter(self._answers)), None)
        self._answers[key] = found
        return found

    def forget_phrases(self) -> None:
        """Empty the cache of phrase holders, as a change of the catalog would (for benchmarks)."""
        self._postings.clear()

    def postings(self, phrases: list[str], look_up) -> dict[str, tuple[int, np.ndarray]]:
        """For each phrase, the number of indexed services holding it (any status: the document
        frequency) and the positions of the published ones. Phrases not seen before at this revision
        are looked up together with ``look_up(phrases) -> {phrase: service ids}``; the answers are kept
        until the catalog changes (at most `CACHED_PHRASES` of them)."""
        missing = [phrase for phrase in phrases if phrase not in self._postings]
        if missing:
            if len(self._postings) + len(missing) > CACHED_PHRASES:
                self._postings.clear()
            for phrase, ids in look_up(missing).items():
                self._postings[phrase] = (len(ids), self.columns.positions(ids))
        return {phrase: self._postings[phrase] for phrase in phrases}

    def frequency(self, term: str) -> int:
        return (self._vocabulary or {}).get(term, 0)

    def vocabulary(self, session: Session, backend) -> Facts:
        """Load the index's vocabulary (term -> services holding it) from the search backend once;
        returns self, which then answers ``term in facts`` and `neighbours`."""
        if self._vocabulary is None:
            self._vocabulary = backend.vocabulary(session)
        return self

    def __contains__(self, term: str) -> bool:
        return term in (self._vocabulary or {})

    def neighbours(self, term: str) -> list[str]:
        """Vocabulary words one edit away (insert, delete, replace, swap) from a word of at least
        `TYPO_MIN_LENGTH` characters, found through an index of single deletions."""
        if len(term) < TYPO_MIN_LENGTH:
            return []
        if self._deletions is None:
            deletions: dict[str, set[str]] = {}
            for word in self._vocabulary or {}:
                if len(word) >= TYPO_MIN_LENGTH:
                    for variant in _deletes(word) | {word}:
                        deletions.setdefault(variant, set()).add(word)
            self._deletions = deletions
        found: set[str] = set()
        for variant in _deletes(term) | {term}:
            found |= self._deletions.get(variant, set())
        found.discard(term)
        return sorted(word for word in found if edit_distance(term, word) == 1)

    def terms_starting(self, prefix: str) -> list[str]:
        """Vocabulary words that begin with a prefix, in alphabetical order (load it first)."""
        if self._sorted_terms is None:
            self._sorted_terms = sorted(self._vocabulary or {})
        terms = self._sorted_terms
        start = bisect.bisect_left(terms, prefix)
        out = []
        for term in terms[start:]:
            if not term.startswith(prefix):
                break
            out.append(term)
        return out


def without_vat(unit_price: int, vat_included: bool) -> int:
    """A unit price in won without VAT (10%), rounded to the won."""
    return round(unit_price / 1.1) if vat_included else unit_price


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def catalog_changed(session: Session) -> None:
    """Record, in the caller's transaction, that a service changed, or anything the facts hold about it
    (its catalog contract, its number of contracts, its rating): see the module docstring."""
    token = uuid.uuid4().hex
    change = update(CatalogRevision).where(CatalogRevision.id == 1).values(token=token)
    if not session.execute(change.execution_options(synchronize_session=False)).rowcount:
        session.add(CatalogRevision(id=1, token=token))
        session.flush()


_cache: dict[str, Facts] = {}
_lock = threading.Lock()


def facts(session: Session) -> Facts:
    """The facts of the catalog as the session's transaction sees it (from the cache when current)."""
    token = session.scalar(select(CatalogRevision.token).where(CatalogRevision.id == 1)) or ""
    key = str(session.get_bind().url)
    cached = _cache.get(key)
    if cached is not None and cached.token == token and cached.day == today_kst():
        return cached
    return _replace(key, _load(session, token))


def _replace(key: str, loaded: Facts) -> Facts:
    with _lock:
        _cache.pop(key, None)
        while len(_cache) >= CACHED_DATABASES:  # tests and tools may open many databases in one process
            _cache.pop(next(iter(_cache)))
        _cache[key] = loaded
    return loaded


def _contracting(session: Session) -> tuple[dict[int, int], set[int], dict[int, float]]:
    """Per service, its number of use contracts (contracted, in use or done), the services with a
    catalog contract in force today (listed in the shopping mall), and per service its average rating
    by the agencies that used it (one decimal)."""
    counted = ("contracted", "active", "completed", "terminated")
    contracts = dict(
        session.execute(
            select(Order.service_id, func.count()).where(Order.status.in_(counted)).group_by(Order.service_id)
        ).all()
    )
    today = today_kst()
    in_mall = set(
        session.scalars(
            select(CatalogContract.service_id).where(
                CatalogContract.status == "contracted",
                CatalogContract.period_start <= today,
                CatalogContract.period_end >= today,
            )
        )
    )
    ratings = {
        service_id: round(float(value), 1)
        for service_id, value in session.execute(
            select(Review.service_id, func.avg(Review.rating)).group_by(Review.service_id)
        )
    }
    return contracts, in_mall, ratings


def _load(session: Session, token: str) -> Facts:
    # The headline price of a service is its main plan's (chosen by the supplier), never the cheapest
    # plan of any kind: an add-on's 150 won per GB is not the price of a video-meeting service.
    prices: dict[int, tuple[int, str, str]] = {}
    plans = session.execute(
        select(PricePlan.service_id, PricePlan.unit_price, PricePlan.vat_included, PricePlan.unit, PricePlan.billing)
        .join(Service, Service.id == PricePlan.service_id)
        .where(Service.status == ServiceStatus.PUBLISHED, PricePlan.position == Service.main_plan_position)
    )
    for service_id, unit_price, vat_included, unit, billing in plans:
        prices[service_id] = (without_vat(unit_price, vat_included), unit, billing)
    rows = session.execute(
        select(
            Service.id,
            Service.code,
            Service.name,
            Service.type,
            Service.category_id,
            Service.csap_grade,
            Service.deployment,
            Service.published_at,
            Organisation.name.label("supplier"),
            Organisation.size,
            ServiceSearch.name.label("name_terms"),
        )
        .join(Organisation, Organisation.id == Service.supplier_id)
        .join(ServiceSearch, ServiceSearch.service_id == Service.id)
        .where(Service.status == ServiceStatus.PUBLISHED)
    ).all()
    contracts, in_mall, ratings = _contracting(session)
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
        )
    indexed, average = session.execute(select(func.count(), func.avg(ServiceSearch.length))).one()
    return Facts(
        token=token,
        entries=entries,
        indexed=indexed,
        average_length=float(average or 1),
        day=today_kst(),
    )
