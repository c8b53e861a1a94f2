"""JSON routes of the catalog under /api/v1: a published service, public; suspension, by the operator. The
search of published services (`GET /services`) is `digitalmarket.search.api`."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from ..accounts.access import api_access, database
from ..accounts.permissions import PUBLIC, Actor, roles
from ..accounts.rules import Role
from ..accounts.schemas import ErrorOut
from . import queries, workflow
from .schemas import ServiceOut, ServiceStatusIn

OPERATORS_AND_ADMINS = roles(Role.OPERATOR, Role.ADMIN)
router = APIRouter(tags=["catalog"], responses={s: {"model": ErrorOut} for s in (401, 403, 404, 409, 422)})


@router.get("/services/{code}", response_model=ServiceOut, summary="One service by its public code")
def service(code: str, request: Request, _=Depends(api_access(PUBLIC))):
    with database(request).reading() as session:
        return ServiceOut.of(queries.public_service(session, code))


@router.post("/services/{code}/suspend", response_model=ServiceOut, summary="Suspend a service, with a reason")
def suspend(
    code: str, body: ServiceStatusIn, request: Request, actor: Actor = Depends(api_access(OPERATORS_AND_ADMINS))
):
    with database(request).transaction() as session:
        return ServiceOut.of(workflow.change_status(session, actor, code, "suspend", body.reason, body.version))


@router.post("/services/{code}/republish", response_model=ServiceOut, summary="Publish a suspended service again")
def republish(
    code: str, body: ServiceStatusIn, request: Request, actor: Actor = Depends(api_access(OPERATORS_AND_ADMINS))
):
    with database(request).transaction() as session:
        return ServiceOut.of(workflow.change_status(session, actor, code, "republish", body.reason, body.version))
