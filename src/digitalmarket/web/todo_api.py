"""``GET /api/v1/me/tasks``: what waits for the caller, the same groups as the workspace page shows; and
``GET /api/v1/me/recommendations``: what the workspace page suggests, each with its reasons."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from ..accounts.access import api_access, database
from ..accounts.permissions import SIGNED_IN, Actor
from ..accounts.rules import Role
from ..core.clock import KST, today_kst
from . import recommendations, todo

router = APIRouter(tags=["workspace"])


class TaskItemOut(BaseModel):
    title: str = Field(description="What waits: a code and a name, as the lists show them")
    url: str = Field(description="The page where the caller acts on it")
    since: datetime = Field(description="When it started waiting (ISO 8601, Korean time with its offset)")
    due: date | None = Field(description="The last day, when the stage sets one (KST)")
    overdue_days: int = Field(description="Days past the due date by the stage's rule; 0 when in time")


class TaskGroupOut(BaseModel):
    kind: str = Field(description="A stable code of the kind, e.g. invoices_to_inspect, payments_due")
    label: str = Field(description="The kind in the caller's language (Accept-Language)")
    url: str = Field(description="The list page of every item of the kind")
    count: int
    overdue: int = Field(description="How many of the items are overdue")
    items: list[TaskItemOut] = Field(description="Every item, the oldest first")


class TasksOut(BaseModel):
    role: str
    today: date = Field(description="The day in Korea the overdue days are counted on")
    count: int = Field(description="Items waiting in all groups")
    overdue: int = Field(description="Overdue items in all groups")
    groups: list[TaskGroupOut] = Field(description="Every kind of the role, in the workspace's order; empty ones too")


@router.get(
    "/me/tasks",
    response_model=TasksOut,
    summary="What waits for the caller (할 일), per kind with counts, the oldest first",
)
def my_tasks(request: Request, actor: Actor = Depends(api_access(SIGNED_IN))):
    today = today_kst()
    with database(request).reading() as session:
        groups = todo.tasks_for(session, actor, today, request.app.state.settings)
    out = [
        TaskGroupOut(
            kind=g.kind.code,
            label=g.kind.label.render(),
            url=g.kind.href,
            count=g.count,
            overdue=g.overdue_count,
            items=[
                TaskItemOut(
                    title=i.title if isinstance(i.title, str) else i.title.render(),
                    url=i.href,
                    since=i.since.astimezone(KST),
                    due=i.due,
                    overdue_days=i.overdue_days,
                )
                for i in g.items
            ],
        )
        for g in groups
    ]
    return TasksOut(
        role=str(actor.role),
        today=today,
        count=sum(g.count for g in out),
        overdue=sum(g.overdue for g in out),
        groups=out,
    )


class RecommendationOut(BaseModel):
    kind: str = Field(description="service (for an agency) or demand_notice (for a supplier)")
    id: int = Field(description="The service's or the demand notice's id")
    code: str = Field(description="The service's code (GET /services/{code}) or the notice's (DN-...)")
    name: str
    url: str = Field(description="Its page")
    reasons: list[str] = Field(description="Why it is suggested, in the caller's language")


class RecommendationsOut(BaseModel):
    items: list[RecommendationOut] = Field(description="The best first; at most six, as the workspace shows")


@router.get(
    "/me/recommendations",
    response_model=RecommendationsOut,
    summary="Suggestions with their reasons: services for an agency, demand notices for a supplier",
)
def my_recommendations(request: Request, actor: Actor = Depends(api_access(SIGNED_IN))):
    items: list[RecommendationOut] = []
    with database(request).reading() as session:
        if actor.role == Role.AGENCY_BUYER:
            for s in recommendations.for_agency(session, actor.organisation_id):
                items.append(
                    RecommendationOut(
                        kind="service",
                        id=s.service.id,
                        code=s.service.code,
                        name=s.service.name,
                        url=f"/services/{s.service.code}",
                        reasons=[r.render() for r in s.reasons],
                    )
                )
        elif actor.role == Role.SUPPLIER:
            for n in recommendations.for_supplier(session, actor.organisation_id):
                items.append(
                    RecommendationOut(
                        kind="demand_notice",
                        id=n.notice.id,
                        code=n.notice.code,
                        name=n.notice.title,
                        url=f"/demand-notices/{n.notice.id}",
                        reasons=[n.reason.render()],
                    )
                )
    return RecommendationsOut(items=items)
