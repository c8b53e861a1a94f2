"""Pydantic shapes of the search API: one page of services with facets, and suggestions."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field


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

    field: str = Field(description="the filter it sets: type | csap | size | price_max")
    value: str | int
    phrase: str = Field(description="the words it was read from")
    without: str = Field(description="the query without those words: search this to drop the constraint")


class ServiceListOut(BaseModel):
    total: int
    page: int
    per_page: int
    pages: int
    sort: str
    items: list[ServiceItemOut]
    facets: dict[str, list[FacetOptionOut]]
    understood: list[UnderstoodOut] = Field(
        default_factory=list, description="constraints read from the query's words and applied as filters"
    )
    did_you_mean: str | None = Field(
        None,
        description="the query with its misspelt words corrected (쳇봇 → 챗봇), when a word matched nothing as written",
    )


class SuggestionOut(BaseModel):
    text: str
    kind: str = Field(description="service | term")
    code: str | None
