"""Public JSON routes of OCDS 1.1 under /api/v1/ocds: the list of contracting processes (ocids), a
release package and a record package per ocid. Anyone may read them: they hold only public data."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from ..accounts.access import api_access, database
from ..accounts.permissions import PUBLIC
from ..accounts.schemas import ErrorOut
from ..core.errors import NotFound
from . import ocds, ocds_packages, stored_releases
from .tables import OcdsRelease

router = APIRouter(tags=["open data"], responses={s: {"model": ErrorOut} for s in (404, 422)})
OCDS_JSON = "application/json"
Ocid = Path(max_length=100, description="e.g. ocds-xxxxxx-ORD-2026-00001 or ocds-xxxxxx-CC-2026-00017")


class ProcessOut(BaseModel):
    ocid: str
    releases: int
    last_release_date: str
    release_package: str
    record_package: str


class ProcessListOut(BaseModel):
    items: list[ProcessOut]
    next_cursor: str | None
    has_more: bool


RELEASE_SCHEMA = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"


class PublisherOut(BaseModel):
    name: str
    uri: str


class OcdsReleaseOut(BaseModel):
    """One OCDS 1.1 release (a compiled release too): ocid, id, date, tag, initiationType, parties, buyer,
    tender, awards, contracts ... as the OCDS release schema defines them (`RELEASE_SCHEMA`); more fields
    than these are allowed."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"externalDocs": {"url": RELEASE_SCHEMA}})

    ocid: str
    id: str
    date: str
    tag: list[str]
    initiationType: str  # noqa: N815 (the standard's name)


class ReleasePackageOut(BaseModel):
    """An OCDS 1.1 release package."""

    uri: str
    version: str = Field(description="The OCDS version: 1.1")
    publishedDate: str  # noqa: N815
    publisher: PublisherOut
    releases: list[OcdsReleaseOut]


class OcdsRecord(BaseModel):
    ocid: str
    releases: list[OcdsReleaseOut]
    compiledRelease: OcdsReleaseOut  # noqa: N815


class RecordPackageOut(BaseModel):
    """An OCDS 1.1 record package: one record, its releases and the compiled release."""

    uri: str
    version: str = Field(description="The OCDS version: 1.1")
    publishedDate: str  # noqa: N815
    publisher: PublisherOut
    records: list[OcdsRecord]


def _base_url(request: Request) -> str:
    return request.app.state.settings.base_url


def _rows(session, ocid: str) -> list[OcdsRelease]:
    rows = list(
        session.scalars(select(OcdsRelease).where(OcdsRelease.ocid == ocid).order_by(OcdsRelease.date, OcdsRelease.id))
    )
    if not rows:
        raise NotFound()
    return rows


@router.get("/ocds/processes", response_model=ProcessListOut, summary="Contracting processes with OCDS releases")
def processes(
    request: Request,
    cursor: str | None = Query(None, max_length=100, description="the last ocid of the previous page"),
    limit: int = Query(100, ge=1, le=500),
    _=Depends(api_access(PUBLIC)),
):
    """Every ocid, in order: orders (`…-ORD-…`) and catalog contracts (`…-CC-…`, framework processes),
    with their number of releases. Page with `cursor`: the `next_cursor` of the previous page."""
    with database(request).reading() as session:
        rows = stored_releases.processes(session, cursor, limit + 1)
    base = str(request.base_url).rstrip("/")
    items = [
        ProcessOut(
            ocid=ocid,
            releases=count,
            last_release_date=ocds.when(last),
            release_package=f"{base}/api/v1/ocds/releases/{ocid}",
            record_package=f"{base}/api/v1/ocds/records/{ocid}",
        )
        for ocid, count, last in rows[:limit]
    ]
    more = len(rows) > limit
    return ProcessListOut(items=items, next_cursor=items[-1].ocid if more else None, has_more=more)


@router.get(
    "/ocds/releases/{ocid}",
    response_model=ReleasePackageOut,
    summary="Release package of one contracting process (OCDS 1.1)",
)
def release_package(request: Request, ocid: str = Ocid, _=Depends(api_access(PUBLIC))):
    """Every release of the process, oldest first: award, contract, each amendment, each payment
    (implementation) and its end. Releases never change once published."""
    with database(request).reading() as session:
        rows = _rows(session, ocid)
    published = max(row.published_at for row in rows)
    package = ocds_packages.release_package(str(request.url), _base_url(request), published, [row.data for row in rows])
    return JSONResponse(package, media_type=OCDS_JSON)


@router.get(
    "/ocds/records/{ocid}",
    response_model=RecordPackageOut,
    summary="Record package of one contracting process (OCDS 1.1)",
)
def record_package(request: Request, ocid: str = Ocid, _=Depends(api_access(PUBLIC))):
    """The process's releases and the compiled release: its current state, merged by the OCDS rules."""
    with database(request).reading() as session:
        rows = _rows(session, ocid)
    published = max(row.published_at for row in rows)
    data = [row.data for row in rows]
    record = ocds_packages.record(ocid, data, stored_releases.compile_releases(data))
    return JSONResponse(
        ocds_packages.record_package(str(request.url), _base_url(request), published, [record]), media_type=OCDS_JSON
    )
