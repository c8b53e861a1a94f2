"""JSON route of CSAP certificates under /api/v1: the supplier (its own services) or an operator records a
renewed certificate."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from ..accounts.access import api_access, database
from ..accounts.permissions import Actor, roles
from ..accounts.rules import Role
from ..accounts.schemas import ErrorOut
from . import certificates
from .schemas import ServiceOut

SUPPLIERS_AND_OPERATORS = roles(Role.SUPPLIER, Role.OPERATOR)
router = APIRouter(tags=["catalog"], responses={s: {"model": ErrorOut} for s in (401, 403, 404, 409, 422)})


class CertificateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(description="the service's version as read")
    csap_grade: str = Field(max_length=4, description="상 | 중 | 하")
    csap_certificate_number: str = Field(max_length=200)
    csap_valid_until: date


@router.put(
    "/services/{code}/certificate",
    response_model=ServiceOut,
    summary="Record a renewed CSAP certificate; a service suspended for an expired one is published again",
)
def record_certificate(
    code: str, body: CertificateIn, request: Request, actor: Actor = Depends(api_access(SUPPLIERS_AND_OPERATORS))
):
    with database(request).transaction() as session:
        service = certificates.record_certificate(
            session,
            actor,
            code,
            grade=body.csap_grade,
            number=body.csap_certificate_number,
            valid_until=body.csap_valid_until,
            version=body.version,
        )
        return ServiceOut.of(service)
