"""JSON, CSV and PDF of an order's award decision record (낙찰 결정 기록) under /api/v1.

Readers: the buyers of the order's agency, the operator and PPS contracting officers; anyone else (the
supplier included) gets 404, as does an order made without a quote request.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from ...accounts.access import api_access, database
from ...accounts.permissions import SIGNED_IN, Actor
from ...accounts.schemas import ErrorOut
from ...core.i18n import current_locale
from ...core.paths import Id
from .decision_pdf import decision_csv, decision_pdf
from .decision_record import DecisionRecord, record_of_order

router = APIRouter(tags=["orders"], responses={s: {"model": ErrorOut} for s in (401, 404, 422)})


class DecisionRecordOut(BaseModel):
    order_id: int
    order_code: str
    request_code: str
    frozen: bool = Field(description="Kept at the award; false for an award made before records were kept")
    frozen_at: datetime | None
    sha256: str = Field(description="SHA-256 of the canonical JSON of `record` (keys sorted, UTF-8, no spaces)")
    record: dict = Field(
        description="request, window (which searches belong to it), searches, comparisons, searches_left_out, "
        "shortlist, quotes (lines, totals, declines) and award (reason, early_reason); instants in UTC"
    )

    @classmethod
    def of(cls, found: DecisionRecord) -> DecisionRecordOut:
        return cls(
            order_id=found.order_id,
            order_code=found.order_code,
            request_code=found.code,
            frozen=found.frozen,
            frozen_at=found.frozen_at,
            sha256=found.sha256,
            record=found.data,
        )


def filename(found: DecisionRecord, extension: str) -> str:
    return f"decision-record-{found.order_code}.{extension}"


def download(found: DecisionRecord, kind: str) -> Response:
    """The record as a CSV or PDF download (never shown inline)."""
    if kind == "csv":
        body, media = decision_csv(found, current_locale.get()), "text/csv; charset=utf-8"
    else:
        body, media = decision_pdf(found), "application/pdf"
    headers = {
        "Content-Disposition": f'attachment; filename="{filename(found, kind)}"',
        "X-Content-Type-Options": "nosniff",
    }
    return Response(body, media_type=media, headers=headers)


def _read(request: Request, actor: Actor, order_id: int) -> DecisionRecord:
    with database(request).reading() as session:
        return record_of_order(session, actor, order_id)


@router.get(
    "/orders/{order_id}/decision-record",
    response_model=DecisionRecordOut,
    summary="The award decision record of an order made from a quote request (JSON, or CSV/PDF by `format`)",
)
def decision_record(
    order_id: Id,
    request: Request,
    format: Literal["json", "csv", "pdf"] = Query("json", description="json | csv | pdf"),
    actor: Actor = Depends(api_access(SIGNED_IN)),
):
    found = _read(request, actor, order_id)
    if format != "json":
        return download(found, format)
    return DecisionRecordOut.of(found)


@router.get("/orders/{order_id}/decision-record.csv", summary="The award decision record as CSV")
def decision_record_csv(order_id: Id, request: Request, actor: Actor = Depends(api_access(SIGNED_IN))):
    return download(_read(request, actor, order_id), "csv")


@router.get("/orders/{order_id}/decision-record.pdf", summary="The award decision record as PDF")
def decision_record_pdf(order_id: Id, request: Request, actor: Actor = Depends(api_access(SIGNED_IN))):
    return download(_read(request, actor, order_id), "pdf")
