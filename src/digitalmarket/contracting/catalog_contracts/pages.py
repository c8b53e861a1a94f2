"""HTML of catalog contracts shared by the supplier's pages (`supplier_pages`) and the contracting officer's
(`officer_pages`): notices, labels, the item and period forms, a contract page's context; the section on a
service's public page; and the download of the selection papers behind a contract."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request

from ...accounts.access import database, page_access
from ...accounts.permissions import CONTRACTING_OFFICERS, SUPPLIERS, Actor, roles
from ...accounts.rules import ROLE_LABELS, Role
from ...catalog.papers import papers_of
from ...catalog.rules import BILLING_LABELS, TYPE_LABELS
from ...core.clock import today_kst
from ...core.errors import NotFound, ValidationFailed
from ...core.files import DocumentStore, attachment
from ...core.formatting import kst_date, won
from ...core.i18n import N_, Text
from ...core.paths import Id
from ...core.templating import csrf_protect, render
from ..money import catalog_price
from ..states import CATALOG_STATE_LABELS, CatalogState, allowed
from . import change_requests as changes
from . import contract_items, queries

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])

SUPPLIER_PAGE = page_access(SUPPLIERS)
OFFICER_PAGE = page_access(CONTRACTING_OFFICERS)
READER_PAGE = page_access(roles(Role.SUPPLIER, Role.CONTRACTING_OFFICER, Role.ADMIN))

NOTICES: dict[str, tuple[str, Text]] = {
    "applied": ("success", N_("The catalog contract application is sent to PPS.")),
    "resubmitted": ("success", N_("The application is resubmitted to PPS.")),
    "review_started": ("success", N_("The review has started.")),
    "supplement_requested": ("success", N_("The supplement request is sent to the supplier.")),
    "contracted": ("success", N_("The catalog contract is signed: the service is in the digital service mall.")),
    "contracted_later": (
        "success",
        N_("The catalog contract is signed: the service is listed in the digital service mall when its period starts."),
    ),
    "amended": ("success", N_("The amendment is recorded as a new change.")),
    "suspended": ("info", N_("Trade under this contract is suspended.")),
    "resumed": ("success", N_("Trade under this contract resumes.")),
    "change_requested": ("success", N_("The change request is sent to PPS.")),
    "change_withdrawn": ("info", N_("The change request is withdrawn.")),
    "change_approved": ("success", N_("The change request is approved: the contract is amended.")),
    "change_refused": ("info", N_("The change request is refused; the supplier is told why.")),
}
STATE_BADGES = {
    CatalogState.APPLIED: "information",
    CatalogState.PPS_REVIEW: "secondary",
    CatalogState.SUPPLEMENT_REQUESTED: "warning",
    CatalogState.CONTRACTED: "success",
    CatalogState.SUSPENDED: "danger",
    CatalogState.EXPIRED: "gray",
}
STEP_LABELS: dict[str, Text] = {
    "apply": N_("Applied"),
    "start_review": N_("PPS review started"),
    "request_supplement": N_("Supplement requested"),
    "resubmit": N_("Resubmitted"),
    "contract": N_("Contracted"),
    "amend": N_("Amended"),
    "suspend": N_("Trade suspended"),
    "resume": N_("Trade resumed"),
    "expire": N_("Expired"),
    "change_request": N_("Change requested"),
    "change_refuse": N_("Change request refused"),
    "change_withdraw": N_("Change request withdrawn"),
}
CHANGE_LABELS: dict[str, Text] = {
    "added": N_("Added"),
    "removed": N_("Removed"),
    "price_down": N_("Price lowered"),
    "price_up": N_("Price raised"),
    "renamed": N_("Renamed"),
    "same": N_("Unchanged"),
}


def show(request: Request, template: str, context: dict, *, actor, status: int = 200):
    ctx = {
        "state_labels": CATALOG_STATE_LABELS,
        "state_badges": STATE_BADGES,
        "step_labels": STEP_LABELS,
        "change_labels": CHANGE_LABELS,
        "role_labels": ROLE_LABELS,
        "change_kind_labels": changes.KIND_LABELS,
        "change_state_labels": changes.STATE_LABELS,
        "billing_labels": BILLING_LABELS,
        "type_labels": TYPE_LABELS,
        "kst_date": kst_date,
        "won": won,
        **context,
    }
    return render(request, template, ctx, actor=actor, status_code=status, notices=NOTICES)


# --- forms ---------------------------------------------------------------------------------------------------------


def form_version(form: dict) -> int:
    try:
        return int(form.get("version") or 0)
    except ValueError:
        return 0


def form_date(form: dict, name: str, problems: dict) -> date | None:
    text = (form.get(name) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems[name] = N_("Enter a date as YYYY-MM-DD.")
        return None


def items_from(form: dict, service) -> list[contract_items.ItemInput]:
    """The items a form proposes: each ticked price plan with its product id, name and unit price."""
    items, problems = [], {}
    for plan in service.price_plans:
        if not form.get(f"item-{plan.id}-include"):
            continue
        text = (form.get(f"item-{plan.id}-unit_price") or "").replace(",", "").strip()
        if not text.isdecimal() or len(text) > 13:
            problems[f"items.{plan.id}.unit_price"] = N_("Enter a whole number of won.")
            continue
        items.append(
            contract_items.ItemInput(
                plan.id,
                int(text),
                (form.get(f"item-{plan.id}-product_id") or "").strip(),
                (form.get(f"item-{plan.id}-item") or "").strip(),
            )
        )
    if problems:
        raise ValidationFailed(fields=problems)
    return items


def period_from(form: dict) -> tuple[date | None, date | None]:
    problems: dict = {}
    start, end = form_date(form, "period_start", problems), form_date(form, "period_end", problems)
    if problems:
        raise ValidationFailed(fields=problems)
    return start, end


def item_rows(service, chosen: list | None, form: dict | None = None, current: list | None = None) -> list[dict]:
    """One row per price plan of the service for the items form: ticked when chosen, with its values, the
    plan's catalog price (the ceiling) and, in an amendment, the price in force."""
    chosen_by_plan = {i.price_plan_id: i for i in chosen or []}
    current_by_plan = {i.price_plan_id: i.unit_price for i in current or []}
    rows = []
    for plan in service.price_plans:
        ceiling = catalog_price(plan.unit_price, plan.vat_included)
        if form is not None:
            include = bool(form.get(f"item-{plan.id}-include"))
            product_id = form.get(f"item-{plan.id}-product_id", "")
            item = form.get(f"item-{plan.id}-item", "")
            unit_price = form.get(f"item-{plan.id}-unit_price", "")
        else:
            given = chosen_by_plan.get(plan.id)
            include = given is not None
            product_id = given.product_id if given else contract_items.default_product_id(service, plan)
            item = given.item if given else contract_items.default_item_name(service, plan)
            unit_price = str(given.unit_price if given else current_by_plan.get(plan.id, ceiling))
        rows.append(
            {
                "plan": plan,
                "ceiling": ceiling,
                "current": current_by_plan.get(plan.id),
                "include": include,
                "product_id": product_id,
                "item": item,
                "unit_price": unit_price,
            }
        )
    return rows


def form_values(form: dict) -> dict:
    return {k: v for k, v in form.items() if k != "csrf_token"}


# --- the service page's section -----------------------------------------------------------------------------------


def service_page_section(session, service, actor) -> dict:
    """What the public page of a service shows about its catalog contract: in the mall (number, period,
    items) or not; for its supplier, the application under way or the button to apply."""
    today = today_kst()
    active = queries.active_catalog_contract(session, service.id, today)
    is_owner = actor is not None and actor.role == Role.SUPPLIER and actor.organisation_id == service.supplier_id
    open_contract = queries.open_contract_of_service(session, service.id) if is_owner else None
    refusal = contract_items.refusal(service, service.supplier, today) if is_owner and open_contract is None else None
    # buyers (and the supplier, PPS) see that a later end is asked for: a need past the end may wait for it
    sees_requests = actor is not None and (is_owner or actor.role in (Role.AGENCY_BUYER, *queries.OFFICER_SIDE))
    pending = changes.pending_change_request(session, active.id) if active and sees_requests else None
    return {
        "catalog_contract": {
            "active": active,
            "items": active.current_items() if active else [],
            "is_owner": is_owner,
            "open": open_contract,
            "can_apply": is_owner and open_contract is None and refusal is None,
            "refusal": refusal,
            "requested_end": pending.period_end if pending and pending.kind == changes.ChangeKind.EXTENSION else None,
            "state_labels": CATALOG_STATE_LABELS,
        }
    }


def contract_context(session, actor: Actor, contract, form=None, form_name=None) -> dict:
    service = contract.service
    seqs = [v.seq for v in contract.versions]
    diffs = [queries.diff(contract, seq - 1, seq) for seq in seqs if seq > 0]
    current = contract_items.as_items(contract.current_items())
    papers = papers_of(session, contract.service_id)
    requests = changes.change_requests_of(session, contract.id)
    pending = next((r for r in requests if r.status == changes.ChangeState.PENDING), None)
    refusal = contract_items.refusal(service, service.supplier, today_kst())
    return {
        "contract": contract,
        "service": service,
        "state": CatalogState(contract.status),
        "can": set(allowed("catalog", contract.status)),
        "versions": [(v, contract_items.items_of(contract, v.seq)) for v in reversed(contract.versions)],
        "diffs": list(reversed(diffs)),
        "steps": queries.timeline(session, contract),
        "papers": papers,
        "signed_documents": queries.signed_documents(session, contract),
        "refusal": refusal,
        "change_requests": requests,
        "pending_request": pending,
        "can_request_change": contract.status == CatalogState.CONTRACTED and pending is None and refusal is None,
        "items_by_plan": {i.price_plan_id: i for i in contract.current_items()},
        "rows": item_rows(service, current, form if form_name in ("resubmit", "contract", "amend") else None, current),
        "values": form_values(form) if form is not None else {},
        "form_name": form_name,
        "in_mall": queries.active_catalog_contract(session, service.id, today_kst()) is not None
        and contract.status == CatalogState.CONTRACTED,
        "today": today_kst(),
    }


# --- documents ------------------------------------------------------------------------------------------------------


@router.get("/catalog-contracts/{contract_id}/documents/{document_id}")
def contract_document(request: Request, contract_id: Id, document_id: Id, actor: Actor = Depends(READER_PAGE)):
    """A paper of the service behind the contract (submitted once with its selection application, for both
    gates)."""
    with database(request).reading() as session:
        found = queries.contract_document(session, actor, contract_id, document_id)
        path = DocumentStore.of_request(request).path_of(found.sha256)
        filename, media_type = found.filename, found.media_type
    if not path.exists():
        raise NotFound()
    return attachment(path, filename, media_type)
