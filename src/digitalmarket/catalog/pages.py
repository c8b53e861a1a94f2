"""HTML routes of the catalog stage: the public list of published services and each service's page."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from ..accounts.access import database, page_access
from ..accounts.permissions import PUBLIC, roles
from ..accounts.rules import SIZE_LABELS, Role
from ..core import i18n, sections
from ..core.clock import today_kst
from ..core.errors import DomainError
from ..core.formatting import kst_date, won
from ..core.forms import Form, form_errors, redirect
from ..core.i18n import N_
from ..core.templating import csrf_protect, render
from . import documents, finder, listing, search_log, workflow
from .compare import price_text
from .rules import (
    BILLING_LABELS,
    CSAP_GRADE_LABELS,
    DEPLOYMENT_LABELS,
    PUBLIC_DOCUMENT_LABELS,
    TYPE_LABELS,
    ServiceStatus,
    csap_valid,
)
from .suggest import suggest

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
OPERATORS_AND_ADMINS = roles(Role.OPERATOR, Role.ADMIN)
#: What later stages add to a service's page: functions ``(session, service, actor) -> dict`` of context,
#: installed at start-up by `digitalmarket.subscribers` (the catalog does not import them).
SERVICE_PAGE_SECTIONS = sections.Page("service")


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
        "csap_grade_labels": CSAP_GRADE_LABELS,
        "price_text": price_text,
        "locale": i18n.current_locale.get(),
    }


@router.get("/services")
def services(request: Request, actor=Depends(page_access(PUBLIC))):
    """The catalog: search box, facets, sort, one page of results, and a form to compare results."""
    params = dict(request.query_params)
    errors: dict = {}
    try:
        query = finder.Query.parse(params)
    except DomainError as error:
        errors = form_errors(error)
        query = finder.Query(q=(params.get("q") or "").strip()[: finder.MAX_QUERY])
    with database(request).reading() as session:
        results = finder.find(session, query)
        categories = {c.id: c for c in workflow.categories(session)}
        locale = i18n.current_locale.get()
        context = {
            **_labels(),
            "results": results,
            "query": query,
            "facets": listing.options(results, categories, locale),
            "facet_titles": listing.FACET_TITLES,
            "sort_labels": listing.SORT_LABELS,
            "url": listing.url,
            "facet_url": listing.facet_url,
            "page_numbers": listing.pages(query, results.pages),
            "errors": errors,
            "chosen_filters": [
                (name, option)
                for name, values in listing.options(results, categories, locale).items()
                for option in values
                if option.chosen
            ],
        }
        codes = [found.service.code for found in results.items]
        search_log.log_found(database(request), actor, "page", query, results.total, codes)  # a buyer's only
        return render(request, "catalog_services.html", context, actor=actor, status_code=422 if errors else 200)


@router.get("/services/suggestions")
def suggestions(request: Request, q: str = "", actor=Depends(page_access(PUBLIC))):
    """Options of the search box's datalist, as the searcher types (an HTML fragment for htmx)."""
    with database(request).reading() as session:
        found = suggest(session, q[:200])
    return render(request, "catalog_suggestions.html", {"suggestions": found}, actor=actor)


def _service_page(request: Request, code: str, actor, errors=None, status: int = 200):
    with database(request).reading() as session:
        found = workflow.public_service(session, code)
        others = workflow.other_published_services(session, found.supplier_id, found.id)
        context = {
            **_labels(),
            "service": found,
            "others": others,
            "suspended": found.status == ServiceStatus.SUSPENDED,
            "can_manage": OPERATORS_AND_ADMINS.allows(actor),
            "errors": errors or {},
            "public_documents": documents.latest_documents(session, found),
            "document_labels": PUBLIC_DOCUMENT_LABELS,
            "file_size": documents.file_size,
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
