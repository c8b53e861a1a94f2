"""보완 요청 and its answer: what an application held when the operator asked for a supplement, the
supplier's reply, and what changed since (each field before and after; documents added, replaced, removed).

A request keeps a snapshot of the application's fields and document list (`snapshot`); the changes are
computed when a page is shown, against the next request's snapshot or, for the latest request, against
the application as it is now, so each round of supplement is compared with its own request.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..catalog.rules import BILLING_LABELS, DEPLOYMENT_LABELS, TYPE_LABELS
from ..core import audit
from ..core.formatting import kst_date, won
from ..core.i18n import N_, Text
from ..core.tables import utcnow
from .rules import DocumentKind
from .tables import Application, ApplicationEvent, SupplementRequest

#: The longest reply a supplier may write.
MAX_REPLY = 4000

#: The fields of an application in the order its form asks them, with the label the pages use.
FIELD_LABELS: dict[str, Text] = {
    "type": N_("Type of service"),
    "category_id": N_("Category"),
    "name": N_("Service name"),
    "summary": N_("Summary"),
    "description": N_("Description"),
    "features": N_("Main features"),
    "keywords": N_("Search keywords"),
    "deployment": N_("Deployment"),
    "data_centre_location": N_("Data centre location"),
    "sla_availability": N_("SLA availability"),
    "support_hours": N_("Support hours"),
    "data_return_policy": N_("Data return and deletion at the end of the contract"),
    "csap_grade": N_("CSAP grade"),
    "csap_certificate_number": N_("CSAP certificate number"),
    "csap_valid_until": N_("CSAP valid until"),
    "csap_underlying_iaas": N_("Underlying IaaS (CSAP)"),
    "price_plans": N_("Price plans"),
}

CHANGE_LABELS: dict[str, Text] = {
    "added": N_("Added"),
    "replaced": N_("Replaced"),
    "removed": N_("Removed"),
}


# --- writing ---------------------------------------------------------------------------------------------


def snapshot(application: Application) -> dict:
    """The application's fields and document list as they are now."""
    return {
        "content": dict(application.content or {}),
        "documents": [
            {
                "id": d.id,
                "kind": d.kind,
                "filename": d.filename,
                "sha256": d.sha256,
                "size": d.size,
                "uploaded_at": d.uploaded_at.isoformat() if d.uploaded_at else None,
            }
            for d in application.documents
        ],
    }


def record_request(session: Session, application: Application, event: ApplicationEvent) -> SupplementRequest:
    """Keep, with the request step just recorded, what the application holds at this moment."""
    request = SupplementRequest(application_id=application.id, event_id=event.id, snapshot=snapshot(application))
    session.add(request)
    session.flush()
    return request


def reply_problem(reply: str) -> Text | None:
    if len(reply) > MAX_REPLY:
        return N_("At most %(max)s characters.", max=MAX_REPLY)
    return None


def record_reply(session: Session, actor_user_id: int, request: SupplementRequest, reply: str) -> SupplementRequest:
    """The supplier's reply to a request (written again until the application is resubmitted)."""
    request.reply = reply.strip() or None
    request.replied_by = actor_user_id
    request.replied_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor_user_id=actor_user_id,
        action="application.supplement_replied",
        object_type="application",
        object_id=request.application_id,
        details={"supplement_request": request.id, "reply": request.reply or ""},
    )
    return request


# --- reading ---------------------------------------------------------------------------------------------


def requests_of(session: Session, application_id: int) -> list[SupplementRequest]:
    """Every supplement request of an application, the first one first."""
    query = select(SupplementRequest).where(SupplementRequest.application_id == application_id)
    return list(session.scalars(query.order_by(SupplementRequest.event_id)))


def current_request(session: Session, application_id: int) -> SupplementRequest | None:
    found = requests_of(session, application_id)
    return found[-1] if found else None


def saved_reply(session: Session, application: Application | None) -> str:
    """The reply written so far to the supplement request an application is waiting on ("" for none)."""
    if application is None or application.state != "supplement_requested":
        return ""
    request = current_request(session, application.id)
    return (request.reply or "") if request else ""


def rounds(session: Session, application: Application) -> list[dict]:
    """Each request, newest first: when, what was asked, the reply, and what changed in answer to it (up to
    the next request, or up to now for the latest); ``changes`` is None when the request kept no snapshot."""
    found = requests_of(session, application.id)
    result = []
    for index, request in enumerate(found):
        later = found[index + 1].snapshot if index + 1 < len(found) else snapshot(application)
        event = request.event
        result.append(
            {
                "number": index + 1,
                "requested_at": event.occurred_at,
                "items": (event.details or {}).get("items") or {},
                "reply": request.reply,
                "replied_at": request.replied_at,
                "latest": index + 1 == len(found),
                "changes": changes(request.snapshot, later) if request.snapshot and later else None,
            }
        )
    return list(reversed(result))


# --- comparing (no I/O) ------------------------------------------------------------------------------------


def _empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def changes(before: Mapping, after: Mapping) -> dict:
    """What changed from one snapshot to another: ``fields`` as (key, before, after) in the form's order,
    ``documents`` per kind as added, replaced or removed, with the files before and after."""
    old, new = before.get("content") or {}, after.get("content") or {}
    keys = [*FIELD_LABELS, *sorted((set(old) | set(new)) - set(FIELD_LABELS))]
    fields = [
        (key, old.get(key), new.get(key))
        for key in keys
        if not (_empty(old.get(key)) and _empty(new.get(key))) and old.get(key) != new.get(key)
    ]
    return {
        "fields": fields,
        "documents": document_changes(before.get("documents") or [], after.get("documents") or []),
    }


def document_changes(before: list[dict], after: list[dict]) -> list[dict]:
    """Per kind, the files no longer there and the new ones: both is a replacement."""
    kinds = [str(k) for k in DocumentKind]
    kinds += sorted({d["kind"] for d in before + after} - set(kinds))
    found = []
    for kind in kinds:
        old = {d["id"]: d for d in before if d["kind"] == kind}
        new = {d["id"]: d for d in after if d["kind"] == kind}
        removed = [d for i, d in old.items() if i not in new]
        added = [d for i, d in new.items() if i not in old]
        if not removed and not added:
            continue
        change = "replaced" if removed and added else "added" if added else "removed"
        found.append({"kind": kind, "change": change, "before": removed, "after": added})
    return found


def shown(key: str, value, category_labels: Mapping[int, str]) -> list[str]:
    """A field's value as lines of text the operator reads ("-" for nothing)."""
    if _empty(value):
        return ["-"]
    if key == "type":
        return [TYPE_LABELS[value].render() if value in TYPE_LABELS else str(value)]
    if key == "category_id":
        return [category_labels.get(value, str(value))]
    if key == "deployment":
        return [DEPLOYMENT_LABELS[value].render() if value in DEPLOYMENT_LABELS else str(value)]
    if key == "sla_availability":
        return [f"{value} %"]
    if key == "price_plans":
        return [_plan_line(plan) for plan in value]
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def _plan_line(plan: Mapping) -> str:
    billing = plan.get("billing")
    price = plan.get("unit_price")
    parts = [
        str(plan.get("name") or "-"),
        BILLING_LABELS[billing].render() if billing in BILLING_LABELS else str(billing or "-"),
        str(plan.get("unit") or "-"),
        N_("%(amount)s won", amount=won(price)).render() if isinstance(price, int) else "-",
    ]
    return " · ".join(parts)


def uploaded_on(document: Mapping) -> str:
    value = document.get("uploaded_at")
    return kst_date(datetime.fromisoformat(value)) if value else "-"
