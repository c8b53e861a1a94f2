"""JSON routes of demand notices under /api/v1: the same workflows as the pages.

The list and each notice are public open information. An agency buyer posts, edits and closes its
agency's notices and reads who is interested; a supplier says it is interested, edits or withdraws its
note, and reads only its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from ..accounts.access import api_access, database
from ..accounts.permissions import AGENCY_BUYERS, PUBLIC, SUPPLIERS, Actor, roles
from ..accounts.rules import Role
from ..accounts.schemas import ErrorOut
from ..core.i18n import current_locale
from ..core.paging import DEFAULT_LIMIT, Cursor, Limit, Page, page
from ..core.paths import LARGEST_ID, Id
from . import notice_interests, notice_posting, notice_queries
from .tables import DemandInterest, DemandNotice

PARTIES = roles(Role.AGENCY_BUYER, Role.SUPPLIER)
router = APIRouter(tags=["demand notices"], responses={s: {"model": ErrorOut} for s in (401, 403, 404, 409, 422)})


class DemandNoticeIn(BaseModel):
    title: str = Field(max_length=400)
    description: str = Field(max_length=8000)
    category_id: int = Field(gt=0, le=LARGEST_ID, description="A catalog category id (as in the services' facets)")
    budget_min: int = Field(description="KRW, whole won")
    budget_max: int = Field(description="KRW, whole won, at least budget_min")
    expected_month: str = Field(max_length=7, description="YYYY-MM, not in the past")


class DemandNoticeEditIn(DemandNoticeIn):
    version: int


class CloseIn(BaseModel):
    version: int
    reason: str = Field("", max_length=2000)


class InterestIn(BaseModel):
    note: str = Field(max_length=2000)


class InterestEditIn(InterestIn):
    version: int


class InterestWithdrawIn(BaseModel):
    version: int


class DemandNoticeOut(BaseModel):
    id: int
    code: str
    agency: str
    title: str
    description: str
    category_id: int
    category: str
    budget_min: int
    budget_max: int
    expected_month: str
    state: Literal["open", "closed"]
    close_reason: str | None
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, notice: DemandNotice) -> DemandNoticeOut:
        return cls(
            id=notice.id,
            code=notice.code,
            agency=notice.agency.name,
            title=notice.title,
            description=notice.description,
            category_id=notice.category_id,
            category=notice.category.label(current_locale.get()),
            budget_min=notice.budget_min,
            budget_max=notice.budget_max,
            expected_month=notice.expected_month,
            state=notice.status,
            close_reason=notice.close_reason,
            created_at=notice.created_at,
            updated_at=notice.updated_at,
            version=notice.version,
        )


class ServiceRefOut(BaseModel):
    code: str
    name: str


class InterestOut(BaseModel):
    id: int
    notice_id: int
    supplier: str
    supplier_size: str | None
    note: str
    state: str = Field(description="active or withdrawn")
    services: list[ServiceRefOut] = Field(description="The supplier's published services in the category")
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, interest: DemandInterest, services=()) -> InterestOut:
        return cls(
            id=interest.id,
            notice_id=interest.notice_id,
            supplier=interest.supplier.name,
            supplier_size=interest.supplier.size,
            note=interest.note,
            state=interest.status,
            services=[ServiceRefOut(code=s.code, name=s.name) for s in services],
            updated_at=interest.updated_at,
            version=interest.version,
        )


def _data(body: DemandNoticeIn) -> notice_posting.NoticeIn:
    return notice_posting.NoticeIn(
        body.title, body.description, body.category_id, body.budget_min, body.budget_max, body.expected_month
    )


@router.get("/demand-notices", response_model=Page[DemandNoticeOut], summary="Demand notices, newest first (public)")
def list_notices(
    request: Request,
    category: int | None = Query(None, gt=0, le=LARGEST_ID),
    state: Literal["open", "closed", "all"] = Query("open"),
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    _: Actor | None = Depends(api_access(PUBLIC)),
):
    with database(request).reading() as session:
        rows, _total = notice_queries.public_notices(
            session, category_id=category, status=None if state == "all" else state, page=1, page_size=10**6
        )
        chosen, next_cursor = page(rows, lambda n: (n.id,), cursor, limit)
        return Page(items=[DemandNoticeOut.of(n) for n in chosen], next_cursor=next_cursor)


@router.post("/demand-notices", status_code=201, response_model=DemandNoticeOut, summary="Post a demand notice")
def post_notice(body: DemandNoticeIn, request: Request, actor: Actor = Depends(api_access(AGENCY_BUYERS))):
    with database(request).transaction() as session:
        return DemandNoticeOut.of(notice_posting.post_notice(session, actor, _data(body)))


@router.get("/demand-notices/{demand_notice_id}", response_model=DemandNoticeOut, summary="One demand notice (public)")
def read_notice(demand_notice_id: Id, request: Request, _: Actor | None = Depends(api_access(PUBLIC))):
    with database(request).reading() as session:
        return DemandNoticeOut.of(notice_queries.public_notice(session, demand_notice_id))


@router.put(
    "/demand-notices/{demand_notice_id}", response_model=DemandNoticeOut, summary="Edit the agency's open notice"
)
def edit_notice(
    demand_notice_id: Id, body: DemandNoticeEditIn, request: Request, actor: Actor = Depends(api_access(AGENCY_BUYERS))
):
    with database(request).transaction() as session:
        return DemandNoticeOut.of(
            notice_posting.edit_notice(session, actor, demand_notice_id, body.version, _data(body))
        )


@router.post(
    "/demand-notices/{demand_notice_id}/close", response_model=DemandNoticeOut, summary="Close the agency's notice"
)
def close_notice(
    demand_notice_id: Id, body: CloseIn, request: Request, actor: Actor = Depends(api_access(AGENCY_BUYERS))
):
    with database(request).transaction() as session:
        return DemandNoticeOut.of(
            notice_posting.close_notice(session, actor, demand_notice_id, body.version, body.reason)
        )


@router.get(
    "/demand-notices/{demand_notice_id}/interests",
    response_model=Page[InterestOut],
    summary="Who is interested: every supplier for the agency that posted it, its own note for a supplier",
)
def list_interests(
    demand_notice_id: Id,
    request: Request,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    actor: Actor = Depends(api_access(PARTIES)),
):
    with database(request).reading() as session:
        if actor.role == Role.SUPPLIER:
            own = notice_queries.interest_of(session, actor, notice_queries.public_notice(session, demand_notice_id))
            rows = [(own, ())] if own else []
        else:
            rows = [
                (row.interest, row.services)
                for row in notice_queries.interested_suppliers(session, actor, demand_notice_id)
            ]
        chosen, next_cursor = page(rows, lambda row: (row[0].id,), cursor, limit, newest_first=False)
        return Page(items=[InterestOut.of(i, services) for i, services in chosen], next_cursor=next_cursor)


@router.post(
    "/demand-notices/{demand_notice_id}/interest",
    status_code=201,
    response_model=InterestOut,
    summary="Say your company is interested, with a short note (once per notice)",
)
def express(demand_notice_id: Id, body: InterestIn, request: Request, actor: Actor = Depends(api_access(SUPPLIERS))):
    with database(request).transaction() as session:
        return InterestOut.of(notice_interests.express_interest(session, actor, demand_notice_id, body.note))


@router.put("/demand-notices/{demand_notice_id}/interest", response_model=InterestOut, summary="Edit your note")
def edit_interest(
    demand_notice_id: Id, body: InterestEditIn, request: Request, actor: Actor = Depends(api_access(SUPPLIERS))
):
    with database(request).transaction() as session:
        return InterestOut.of(notice_interests.edit_interest(session, actor, demand_notice_id, body.version, body.note))


@router.post(
    "/demand-notices/{demand_notice_id}/interest/withdraw", response_model=InterestOut, summary="Withdraw your interest"
)
def withdraw(
    demand_notice_id: Id, body: InterestWithdrawIn, request: Request, actor: Actor = Depends(api_access(SUPPLIERS))
):
    with database(request).transaction() as session:
        return InterestOut.of(notice_interests.withdraw_interest(session, actor, demand_notice_id, body.version))
