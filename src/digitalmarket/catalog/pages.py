"""HTML routes of the catalog stage: the public list of published services and each service's page."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Depends, Request

from ..accounts.access import database, page_access
from ..accounts.permissions import PUBLIC
from ..accounts.rules import SIZE_LABELS
from ..core import i18n
from ..core.clock import KST, today_kst
from ..core.templating import csrf_protect, render
from . import workflow
from .rules import BILLING_LABELS, DEPLOYMENT_LABELS, TYPE_LABELS, ServiceStatus, ServiceType, csap_valid

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


def _date(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.astimezone(KST).strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:10]


def _won(amount) -> str:
    return f"{int(amount):,}"


def _csap(service) -> dict | None:
    """The service's CSAP certificate as the pages show it, with whether it is valid today."""
    if not service.csap_grade:
        return None
    content = {
        "csap_grade": service.csap_grade,
        "csap_valid_until": service.csap_valid_until.isoformat() if service.csap_valid_until else None,
    }
    return {"grade": service.csap_grade, "valid": csap_valid(content, today_kst())}


def _labels() -> dict:
    return {
        "type_labels": TYPE_LABELS,
        "deployment_labels": DEPLOYMENT_LABELS,
        "billing_labels": BILLING_LABELS,
        "size_labels": SIZE_LABELS,
        "format_date": _date,
        "won": _won,
        "csap_of": _csap,
        "locale": i18n.current_locale.get(),
    }


@router.get("/services")
def services(request: Request, type: str = "", actor=Depends(page_access(PUBLIC))):
    chosen = type if type in set(ServiceType) else ""
    with database(request).reading() as session:
        rows = workflow.public_services(session, chosen or None)
        context = {**_labels(), "services": rows, "chosen": chosen, "types": [str(t) for t in ServiceType]}
        return render(request, "catalog_services.html", context, actor=actor)


@router.get("/services/{code}")
def service(request: Request, code: str, actor=Depends(page_access(PUBLIC))):
    with database(request).reading() as session:
        found = workflow.public_service(session, code)
        others = [
            s
            for s in workflow.services_of_supplier(session, found.supplier_id, published_only=True)
            if s.id != found.id
        ]
        context = {
            **_labels(),
            "service": found,
            "others": others,
            "suspended": found.status == ServiceStatus.SUSPENDED,
        }
        return render(request, "catalog_service.html", context, actor=actor)
