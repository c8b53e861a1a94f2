"""HTML routes of the catalog stage: the public list of published services and each service's page."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from ..accounts.access import database, page_access
from ..accounts.permissions import PUBLIC, roles
from ..accounts.rules import SIZE_LABELS, Role
from ..core import i18n
from ..core.clock import today_kst
from ..core.errors import DomainError
from ..core.formatting import kst_date, won
from ..core.forms import Form, form_errors, redirect
from ..core.i18n import N_
from ..core.templating import csrf_protect, render
from . import workflow
from .rules import BILLING_LABELS, DEPLOYMENT_LABELS, TYPE_LABELS, ServiceStatus, ServiceType, csap_valid
from .search import search

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
OPERATORS_AND_ADMINS = roles(Role.OPERATOR, Role.ADMIN)


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
        "format_date": kst_date,
        "won": won,
        "csap_of": _csap,
        "locale": i18n.current_locale.get(),
    }


@router.get("/services")
def services(request: Request, type: str = "", q: str = "", actor=Depends(page_access(PUBLIC))):
    chosen = type if type in set(ServiceType) else ""
    q = q.strip()[:200]
    with database(request).reading() as session:
        if q:
            rows = [hit.service for hit in search(session, q, limit=50, service_type=chosen or None)]
        else:
            rows = workflow.public_services(session, chosen or None)
        context = {
            **_labels(),
            "services": rows,
            "chosen": chosen,
            "q": q,
            "types": [str(t) for t in ServiceType],
        }
        return render(request, "catalog_services.html", context, actor=actor)


def _service_page(request: Request, code: str, actor, errors=None, status: int = 200):
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
            "can_manage": OPERATORS_AND_ADMINS.allows(actor),
            "errors": errors or {},
        }
        return render(request, "catalog_service.html", context, actor=actor, status_code=status)


@router.get("/services/{code}")
def service(request: Request, code: str, actor=Depends(page_access(PUBLIC))):
    return _service_page(request, code, actor)


@router.post("/services/{code}/status")
def service_status(request: Request, code: str, form: Form, actor=Depends(page_access(OPERATORS_AND_ADMINS))):
    """The operator suspends or re-publishes a service, with a reason."""
    action = form.get("action", "")
    try:
        version = int(form.get("version") or 0)
        with database(request).transaction() as session:
            workflow.change_status(session, actor, code, action, form.get("reason", ""), version)
    except ValueError:
        return _service_page(request, code, actor, {"_form": N_("The request could not be processed.").render()}, 400)
    except DomainError as error:
        return _service_page(request, code, actor, form_errors(error), error.status)
    return redirect(f"/services/{code}")
