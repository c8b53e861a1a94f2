"""Pydantic shapes of the search API: one page of services with facets, suggestions, and the demand radar."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from ..accounts.rules import SupplierSize
from ..catalog import regions
from ..catalog.rules import Deployment, ServiceType
from ..core.paths import LARGEST_ID
from .finder import MAX_PER_PAGE, SORTS


class SearchParams(BaseModel):
    """The search API's query parameters (`GET /api/v1/services`), validated together at once."""

    q: str | None = Field(None, description="words in Korean or English, or 초성 (ㅎㅅㅎㅇ)")
    type: ServiceType | None = Field(None, description="a service type (GET /code-lists)")
    category: int | None = Field(None, ge=1, le=LARGEST_ID, description="a category id (GET /categories)")
    csap: Literal["상", "중", "하", "none"] | None = Field(None, description="a CSAP grade, or none")
    size: SupplierSize | None = Field(None, description="the supplier's size")
    deployment: Deployment | None = None
    region: Literal[regions.CODES] | None = Field(
        None, description="a region its data centre location names (the `region` facet's values)"
    )
    price_min: int | None = Field(None, ge=0, le=10**12, description="main plan price at least (KRW, without VAT)")
    price_max: int | None = Field(None, ge=0, le=10**12, description="main plan price at most (KRW, without VAT)")
    contract: Literal["true", "false"] | None = Field(
        None, description="true: with an active catalog contract; false: without"
    )
    sort: Literal[SORTS] | None = Field(None, description="relevance by default with words, else newest")
    cursor: str | None = Field(
        None, max_length=200, description="`next_cursor` of the previous page; none for the first page"
    )
    limit: int | None = Field(None, ge=1, le=MAX_PER_PAGE, description="Items per page, 1 to 100; 20")
    page: int | None = Field(None, ge=1, le=10_000, description="Or a page number, from 1")
    per_page: int | None = Field(None, ge=1, le=MAX_PER_PAGE, description="The same as limit")


class SnippetOut(BaseModel):
    text: str
    marks: list[tuple[int, int]] = Field(description="[start, end) character offsets of the words found")


class MainPriceOut(BaseModel):
    amount: int = Field(description="KRW without VAT, per unit")
    unit: str = Field(description="the unit as listed", examples=["사용자/월"])
    billing: str = Field(description="monthly | usage | fixed")
    text: str = Field(
        description="as the page shows it, in the caller's language",
        examples=["28,000원 / 사용자·월 (월 정액, 부가세 별도)"],
    )


class ServiceItemOut(BaseModel):
    """A service as a list shows it; `GET /services/{code}` gives every field."""

    id: int = Field(description="the service's id: `service_id` in a catalog contract application")
    code: str
    ref: str | None = Field(description="the identifier an imported service was imported with")
    name: str
    type: str
    category_id: int
    category: str
    supplier: str
    supplier_size: str | None
    summary: str
    deployment: str
    data_centre_location: str | None = Field(description="where its data centres are, as the supplier wrote it")
    regions: list[str] = Field(description="the regions that location names (the `region` facet's values)")
    sla_availability: str
    csap_grade: str | None
    csap_valid_until: date | None
    main_price: MainPriceOut | None = Field(
        description="the price of its main plan (대표 요금제), the one the price sort and filter use"
    )
    contracts: int
    rating: float | None
    has_catalog_contract: bool
    published_at: datetime
    score: float | None = Field(description="relevance to the query (higher is better); null without a query")
    snippet: SnippetOut | None = Field(description="where the service says what was searched for")


class FacetOptionOut(BaseModel):
    value: str
    label: str
    count: int
    chosen: bool


class UnderstoodOut(BaseModel):
    """A constraint written in the query's words and applied as a filter (search/understanding.py)."""

    field: str = Field(description="the filter it sets: type | csap | size | region | price_max")
    value: str | int
    phrase: str = Field(description="the words it was read from")
    without: str = Field(description="the query without those words: search this to drop the constraint")
    total_without: int = Field(description="how many services that query finds (the way out of few or no results)")


class ConditionsOnlyOut(BaseModel):
    """The constraints read from the query's words, searched without its other words."""

    q: str = Field(description="the constraints' words alone: search this to drop the other words")
    words: str = Field(description="the words it leaves out")
    total: int = Field(description="how many services it finds (the way out when the words find nothing)")


class ServiceListOut(BaseModel):
    total: int
    page: int
    per_page: int
    pages: int
    next_cursor: str | None = Field(description="Ask again with `cursor` set to this for the next page; null: the last")
    sort: str = Field(
        description="the order the items are in: relevance only when words are left to rank (else newest, unless "
        "another was asked)"
    )
    items: list[ServiceItemOut]
    facets: dict[str, list[FacetOptionOut]]
    understood: list[UnderstoodOut] = Field(
        default_factory=list, description="constraints read from the query's words and applied as filters"
    )
    did_you_mean: str | None = Field(
        None,
        description="the query with its misspelt words corrected (쳇봇 → 챗봇), when a word matched nothing as written",
    )
    conditions_only: ConditionsOnlyOut | None = Field(
        None, description="when constraints were read from the words and other words remain: the constraints alone"
    )
    missing_words: list[str] = Field(
        default_factory=list,
        description="words of `q` that no service holds, even corrected: the search went on without them",
    )
    total_every_word: int | None = Field(
        None,
        description="how many of `total` hold every word ranked (or are what the query names): 0 with a `total` "
        "says that only services holding some of the words are left, e.g. under the filters; null without words",
    )


class SuggestionOut(BaseModel):
    text: str
    kind: str = Field(description="service | term")
    code: str | None


class DemandOut(BaseModel):
    """A query text that found nothing or little in a month (search/misses.py)."""

    query: str = Field(description="the words as kept: spaces collapsed, Latin letters lower-cased")
    count: int = Field(description="how many times it was asked in the month")
    signed_in: int = Field(description="of those, asked signed in (who asked is not kept)")
    anonymous: int = Field(description="of those, asked without signing in")
    result_count: int = Field(description="services found the last time it was asked")
    did_you_mean: str | None = Field(description="the corrected query the last answer offered (이것을 찾으셨나요)")
    understood: list[str] = Field(description="phrases of the words read as filters (CSAP 상 등급, 중소기업 ...)")
    filters: list[dict[str, str | int | bool]] = Field(
        description="each choice of filters made with these words, once; {} when asked without filters"
    )
    first_at: datetime = Field(description="first asked in the month")
    last_at: datetime = Field(description="last asked in the month")


class DemandRadarOut(BaseModel):
    """What buyers searched for and did not find, in one month (Korean time)."""

    month: str = Field(description="the month shown, YYYY-MM", examples=["2026-12"])
    months: list[str] = Field(description="the months with searches kept, the latest first")
    few: int = Field(description="a search is kept when it found at most this many services")
    items: list[DemandOut] = Field(description="most asked first, at most 200")
