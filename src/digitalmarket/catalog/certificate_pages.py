"""The supplier records a cloud service's renewed CSAP certificate; a service suspended because its
certificate expired is back in the catalog at once."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request

from ..accounts.access import database, page_access
from ..accounts.permissions import SUPPLIERS, Actor, ensure_same_organisation
from ..catalog.rules import CSAP_GRADE_LABELS, CSAP_GRADES, SERVICE_STATUS_LABELS, ServiceType
from ..core.clock import today_kst
from ..core.errors import Conflict, DomainError
from ..core.forms import Form, form_errors, redirect
from ..core.i18n import N_
from ..core.templating import csrf_protect, render
from . import certificates, queries

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


def _page(request: Request, actor: Actor, code: str, values=None, errors=None, status=200):
    with database(request).reading() as session:
        service = queries.service_by_code(session, code)
        ensure_same_organisation(actor, service.supplier_id)
        if not ServiceType(service.type).is_cloud:
            raise Conflict(N_("Only cloud services (IaaS, PaaS, SaaS) carry a CSAP certificate."))
        values = values or {
            "version": service.version,
            "csap_grade": service.csap_grade or "",
            "csap_certificate_number": service.csap_certificate_number or "",
            "csap_valid_until": "",
        }
        reason = service.status_reason or ""
        if service.status != "published" and reason.startswith(certificates.CSAP_EXPIRED_REASON):
            reason = N_("The CSAP certificate expired on %(date)s.", date=reason.split()[-1]).render()
        context = {
            "service": service,
            "status_note": reason if service.status != "published" else "",
            "values": values,
            "errors": errors or {},
            "grades": [(g, CSAP_GRADE_LABELS[g].render()) for g in CSAP_GRADES],
            "status_labels": SERVICE_STATUS_LABELS,
            "expired": service.csap_valid_until is not None and service.csap_valid_until < today_kst(),
            "saved": request.query_params.get("notice") == "certificate_saved",
        }
        return render(request, "catalog_certificate.html", context, actor=actor, status_code=status)


@router.get("/supplier/services/{code}/certificate")
def certificate_form(request: Request, code: str, actor: Actor = Depends(page_access(SUPPLIERS))):
    return _page(request, actor, code)


@router.post("/supplier/services/{code}/certificate")
def certificate_save(request: Request, code: str, form: Form, actor: Actor = Depends(page_access(SUPPLIERS))):
    try:
        valid_until = date.fromisoformat(form.get("csap_valid_until", "").strip())
    except ValueError:
        valid_until = None
    try:
        version = int(form.get("version") or 0)
    except ValueError:
        version = 0
    try:
        with database(request).transaction() as session:
            certificates.record_certificate(
                session,
                actor,
                code,
                grade=form.get("csap_grade", "").strip(),
                number=form.get("csap_certificate_number", ""),
                valid_until=valid_until,
                version=version,
            )
    except DomainError as error:
        if error.status == 404:
            raise
        return _page(request, actor, code, dict(form), form_errors(error), error.status)
    return redirect(f"/supplier/services/{code}/certificate", "certificate_saved")
