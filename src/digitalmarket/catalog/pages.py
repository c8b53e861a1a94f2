"""HTML routes of the catalog stage: each published service's page and its suspension. The list of services
(the search page, `/services`) belongs to `digitalmarket.search`."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request

from ..accounts.access import database, page_access
from ..accounts.permissions import PUBLIC, roles
from ..accounts.rules import Role
from ..core import sections
from ..core.errors import DomainError
from ..core.forms import Form, form_errors, redirect
from ..core.i18n import N_
from ..core.templating import csrf_protect, render
from . import documents, queries, views, workflow
from .rules import PUBLIC_DOCUMENT_LABELS, ServiceStatus

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
OPERATORS_AND_ADMINS = roles(Role.OPERATOR, Role.ADMIN)
#: What later stages add to a service's page: functions ``(session, service, actor) -> dict`` of context,
#: installed at start-up by `digitalmarket.subscribers` (the catalog does not import them).
SERVICE_PAGE_SECTIONS = sections.Page("service")


def back_to_results(request: Request) -> str:
    """Where "back to the digital services" leads: the search the reader opened the service from, with its
    words, filters, sort and page (this site's ``/services`` page, from the browser's Referer), else the
    catalog's first page."""
    came_from = urlsplit(request.headers.get("referer") or "")
    if came_from.netloc == request.url.netloc and came_from.path == "/services" and len(came_from.query) < 2000:
        return "/services" + (f"?{came_from.query}" if came_from.query else "")
    return "/services"


def _service_page(request: Request, code: str, actor, errors=None, status: int = 200):
    with database(request).reading() as session:
        found = queries.public_service(session, code)
        others = queries.other_published_services(session, found.supplier_id, found.id)
        context = {
            **views.labels(),
            "service": found,
            "others": others,
            "suspended": found.status == ServiceStatus.SUSPENDED,
            "can_manage": OPERATORS_AND_ADMINS.allows(actor),
            "errors": errors or {},
            "public_documents": documents.latest_documents(session, found),
            "document_labels": PUBLIC_DOCUMENT_LABELS,
            "file_size": documents.file_size,
            "back_to": back_to_results(request),
        }
        for section in SERVICE_PAGE_SECTIONS:
            context.update(section(session, found, actor))
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
