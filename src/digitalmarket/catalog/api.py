"""JSON routes of the catalog under /api/v1: a published service, public; suspension, by the operator. The
search of published services (`GET /services`) is `digitalmarket.search.api`."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from ..accounts.access import api_access, database
from ..accounts.permissions import PUBLIC, Actor, roles
from ..accounts.rules import Role
from ..accounts.schemas import ErrorOut
from . import queries, rules, workflow
from .schemas import CategoryOut, CodeListsOut, CodeOut, ServiceOut, ServiceStatusIn

OPERATORS_AND_ADMINS = roles(Role.OPERATOR, Role.ADMIN)
router = APIRouter(tags=["catalog"], responses={s: {"model": ErrorOut} for s in (401, 403, 404, 409, 422)})


@router.get("/categories", response_model=list[CategoryOut], summary="The catalog's categories, by service type")
def categories(request: Request, _=Depends(api_access(PUBLIC))):
    with database(request).reading() as session:
        return [
            CategoryOut(id=c.id, type=c.type, name_ko=c.name_ko, name_en=c.name_en) for c in queries.categories(session)
        ]


def _codes(labels: dict) -> list[CodeOut]:
    return [CodeOut(code=str(code), label=label.render()) for code, label in labels.items()]


@router.get(
    "/code-lists", response_model=CodeListsOut, summary="The values the catalog accepts (types, units, grades ...)"
)
def code_lists(_=Depends(api_access(PUBLIC))):
    return CodeListsOut(
        service_types=[CodeOut(code=str(t), label=rules.TYPE_LABELS[t].render()) for t in rules.ServiceType],
        deployments=_codes(rules.DEPLOYMENT_LABELS),
        billings=_codes(rules.BILLING_LABELS),
        csap_grades=_codes(rules.CSAP_GRADE_LABELS),
        units=list(rules.COMMON_UNITS),
        service_statuses=_codes(rules.SERVICE_STATUS_LABELS),
        public_document_kinds=_codes(rules.PUBLIC_DOCUMENT_LABELS),
    )


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
