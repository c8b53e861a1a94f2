"""Use cases of applications: drafts, documents, submission, document check, expert review, publication.

Each function runs inside the caller's transaction: it loads, asks the rules, writes, records the step
in the application's history and the audit trail, and notifies whoever must act next.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.permissions import Actor
from ..accounts.rules import Role, sanction_active
from ..accounts.tables import User
from ..catalog import workflow as catalog
from ..catalog.rules import CLOUD_TYPES, clean_content, csap_valid, missing_for_submission
from ..core import audit
from ..core.clock import today_kst
from ..core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from ..core.files import StoredFile
from ..core.i18n import N_, Text
from ..core.notifications import notify
from ..core.tables import utcnow
from . import supplement
from .rules import (
    CRITERION_LABELS,
    DOCUMENT_LABELS,
    EDITABLE_STATES,
    MAX_DOCUMENTS,
    OPEN_STATES,
    SANCTION_REASON,
    Action,
    Criterion,
    DocumentKind,
    State,
    missing_documents,
    move,
)
from .tables import Application, ApplicationDocument, ApplicationEvent

STAFF_ROLES = {Role.OPERATOR, Role.ADMIN}


# --- who sees what ------------------------------------------------------------------------------------


def load(session: Session, application_id: int) -> Application:
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound()
    return application


def visible_application(session: Session, actor: Actor, application_id: int) -> Application:
    """A supplier sees its own organisation's applications, the operator every one; nobody else here
    (reviewers see theirs through the committee). Others get 404, as if it did not exist."""
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound()
    if actor.role in STAFF_ROLES:
        return application
    if actor.role == Role.SUPPLIER and application.supplier_id == actor.organisation_id:
        return application
    raise NotFound()


def own_application(session: Session, actor: Actor, application_id: int) -> Application:
    application = visible_application(session, actor, application_id)
    if application.supplier_id != actor.organisation_id:
        raise NotFound()
    return application


def applications_of_supplier(session: Session, actor: Actor) -> list[Application]:
    query = select(Application).where(Application.supplier_id == actor.organisation_id)
    return list(session.scalars(query.order_by(Application.id.desc())))


def applications_for(session: Session, actor: Actor, filters: QueueFilter) -> list[Application]:
    """A supplier's own applications; for the operator, the queue; for anyone else, nothing to see."""
    if actor.role == Role.SUPPLIER:
        return applications_of_supplier(session, actor)
    if actor.role in STAFF_ROLES:
        return queue(session, filters)
    raise PermissionDenied()


@dataclass(frozen=True)
class QueueFilter:
    state: str | None = None
    service_type: str | None = None
    supplier: str | None = None
    min_days_waiting: int | None = None


def queue(session: Session, filters: QueueFilter, now: datetime | None = None) -> list[Application]:
    """The operator's queue: applications under way past the draft stage, longest waiting first."""
    now = now or utcnow()
    query = select(Application).where(Application.state != State.DRAFT)
    if filters.state:
        query = query.where(Application.state == filters.state)
    else:  # by default only what is still under way; finished ones by choosing their state
        query = query.where(Application.state.in_(OPEN_STATES))
    rows = list(session.scalars(query.order_by(Application.updated_at)))
    if filters.service_type:
        rows = [a for a in rows if a.service_type == filters.service_type]
    if filters.supplier:
        needle = filters.supplier.strip().lower()
        rows = [a for a in rows if needle in a.supplier.name.lower() or needle in (a.supplier.business_number or "")]
    if filters.min_days_waiting is not None:
        rows = [a for a in rows if days_waiting(a, now) >= filters.min_days_waiting]
    return rows


def days_waiting(application: Application, now: datetime | None = None) -> int:
    """Days since the application last changed state."""
    last = application.events[-1].occurred_at if application.events else application.created_at
    return max(0, ((now or utcnow()) - last).days)


# --- recording a step ------------------------------------------------------------------------------------


def _supplier_user_ids(session: Session, organisation_id: int) -> list[int]:
    return list(session.scalars(select(User.id).where(User.organisation_id == organisation_id, User.is_active)))


def _operator_ids(session: Session) -> list[int]:
    return list(session.scalars(select(User.id).where(User.role == Role.OPERATOR, User.is_active)))


def record_step(
    session: Session,
    application: Application,
    *,
    action: str,
    actor_user_id: int | None,
    to_state: str,
    reason: str | None = None,
    details: dict | None = None,
) -> ApplicationEvent:
    """One history row and one audit event, in the caller's transaction."""
    event = ApplicationEvent(
        application=application,
        action=action,
        from_state=application.state if application.id else None,
        to_state=to_state,
        actor_user_id=actor_user_id,
        reason=reason,
        details=details or {},
    )
    session.add(event)
    application.state = to_state
    application.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor_user_id=actor_user_id,
        action=f"application.{action}",
        object_type="application",
        object_id=application.id,
        details={"to": to_state, **({"reason": reason} if reason else {}), **(details or {})},
    )
    return event


def transition(
    session: Session,
    application: Application,
    action: Action,
    *,
    actor_user_id: int | None,
    version: int | None,
    reason: str | None = None,
    details: dict | None = None,
) -> Application:
    """Move an application along the state machine; 409 for a wrong state or a stale version."""
    new_state = move(application.state, action)
    if version is not None and application.version != version:
        raise Conflict()
    record_step(
        session,
        application,
        action=action,
        actor_user_id=actor_user_id,
        to_state=new_state,
        reason=reason,
        details=details,
    )
    return application


# --- the supplier ---------------------------------------------------------------------------------------------


def _refuse_if_sanctioned(actor_org) -> None:
    if sanction_active(actor_org.sanction_from, actor_org.sanction_until, today_kst()):
        raise Conflict(
            N_("Your company is under a sanction until %(until)s and cannot apply.", until=actor_org.sanction_until)
        )


def _clean_draft(session: Session, content: dict) -> dict:
    return clean_content(content, catalog.category_refs(session), today_kst(), complete=False)


def create_application(session: Session, actor: Actor, content: dict) -> Application:
    """A new draft; whatever is filled in is checked, nothing is required yet."""
    from ..accounts.tables import Organisation

    _refuse_if_sanctioned(session.get(Organisation, actor.organisation_id))
    application = Application(
        supplier_id=actor.organisation_id,
        created_by=actor.user_id,
        state=State.DRAFT,
        content=_clean_draft(session, content),
    )
    session.add(application)
    session.flush()
    record_step(session, application, action="create", actor_user_id=actor.user_id, to_state=State.DRAFT)
    return application


def update_content(session: Session, actor: Actor, application_id: int, version: int, changes: dict) -> Application:
    """Save fields of a draft (or of an application in a supplement loop); the rest stays as it was."""
    application = own_application(session, actor, application_id)
    if application.state not in EDITABLE_STATES:
        raise Conflict(N_("The application can be changed only as a draft or when a supplement is requested."))
    if application.version != version:
        raise Conflict()
    merged = {**(application.content or {}), **changes}
    application.content = _clean_draft(session, merged)
    application.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="application.updated",
        object_type="application",
        object_id=application.id,
        details={"fields": sorted(changes)},
    )
    return application


def attach_document(
    session: Session, actor: Actor, application_id: int, kind: str, stored: StoredFile
) -> ApplicationDocument:
    application = own_application(session, actor, application_id)
    if application.state not in EDITABLE_STATES:
        raise Conflict(N_("The application can be changed only as a draft or when a supplement is requested."))
    if kind not in set(DocumentKind):
        raise ValidationFailed(fields={"kind": N_("Choose one of the options.")})
    if len(application.documents) >= MAX_DOCUMENTS:
        raise ValidationFailed(fields={"file": N_("At most %(max)s items.", max=MAX_DOCUMENTS)})
    document = ApplicationDocument(
        application=application,
        kind=kind,
        filename=stored.filename,
        sha256=stored.sha256,
        size=stored.size,
        media_type=stored.media_type,
        uploaded_by=actor.user_id,
    )
    session.add(document)
    application.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="application.document_added",
        object_type="application",
        object_id=application.id,
        details={"kind": kind, "sha256": stored.sha256, "document_id": document.id},
    )
    return document


def remove_document(session: Session, actor: Actor, application_id: int, document_id: int) -> None:
    application = own_application(session, actor, application_id)
    if application.state not in EDITABLE_STATES:
        raise Conflict(N_("The application can be changed only as a draft or when a supplement is requested."))
    document = next((d for d in application.documents if d.id == document_id), None)
    if document is None:
        raise NotFound()
    session.delete(document)
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="application.document_removed",
        object_type="application",
        object_id=application.id,
        details={"document_id": document_id, "sha256": document.sha256},
    )


def document_for(session: Session, actor: Actor, application_id: int, document_id: int) -> ApplicationDocument:
    """A document, for those who may see its application (reviewers: see `committee.reviewer_document`)."""
    application = visible_application(session, actor, application_id)
    document = next((d for d in application.documents if d.id == document_id), None)
    if document is None:
        raise NotFound()
    return document


def submission_problems(session: Session, application: Application) -> dict[str, Text]:
    """Everything that stops a submission: missing fields and documents, an expired CSAP, a sanction."""
    today = today_kst()
    content = application.content or {}
    problems = dict(missing_for_submission(content, catalog.category_refs(session), today))
    for kind in missing_documents(content.get("type"), (d.kind for d in application.documents)):
        problems[f"documents.{kind}"] = N_("Attach the %(document)s.", document=DOCUMENT_LABELS[kind])
    if content.get("type") in CLOUD_TYPES and not problems.get("csap_valid_until") and not csap_valid(content, today):
        problems["csap_valid_until"] = N_("Cloud services need a valid CSAP certificate.")
    supplier = application.supplier
    if sanction_active(supplier.sanction_from, supplier.sanction_until, today):
        problems["_sanction"] = N_("Your company is under a sanction and cannot apply.")
    return problems


def submit(session: Session, actor: Actor, application_id: int, version: int, reply: str | None = None) -> Application:
    """Submit a complete draft, or resubmit after a supplement request with the reply to it (if given)."""
    application = own_application(session, actor, application_id)
    action = Action.RESUBMIT if application.state == State.SUPPLEMENT_REQUESTED else Action.SUBMIT
    move(application.state, action)
    problems = submission_problems(session, application)
    if reply is not None and action == Action.RESUBMIT and supplement.reply_problem(reply):
        problems["reply"] = supplement.reply_problem(reply)
    if problems:
        raise ValidationFailed(N_("The application is not complete yet."), fields=problems)
    if reply is not None and action == Action.RESUBMIT:
        _save_reply(session, actor, application, reply)
    transition(session, application, action, actor_user_id=actor.user_id, version=version)
    application.submitted_at = utcnow()
    notify(
        session,
        _operator_ids(session),
        N_(
            "Application %(id)s (%(name)s) is waiting for the document check.", id=application.id, name=application.name
        ),
        f"/operator/applications/{application.id}",
    )
    return application


def reply_to_supplement(session: Session, actor: Actor, application_id: int, version: int, reply: str) -> Application:
    """The supplier's reply to the operator's supplement request, kept until it resubmits (and sent with it)."""
    application = own_application(session, actor, application_id)
    if application.state != State.SUPPLEMENT_REQUESTED:
        raise Conflict(N_("A reply can be written only while a supplement is requested."))
    problem = supplement.reply_problem(reply)
    if problem:
        raise ValidationFailed(fields={"reply": problem})
    if application.version != version:
        raise Conflict()
    _save_reply(session, actor, application, reply)
    application.updated_at = utcnow()  # bumps the version: a concurrent writer gets 409
    session.flush()
    return application


def _save_reply(session: Session, actor: Actor, application: Application, reply: str) -> None:
    request = supplement.current_request(session, application.id)
    if request is not None and (request.reply or "") != reply.strip():
        supplement.record_reply(session, actor.user_id, request, reply)


def withdraw(session: Session, actor: Actor, application_id: int, version: int, reason: str = "") -> Application:
    application = own_application(session, actor, application_id)
    return transition(
        session, application, Action.WITHDRAW, actor_user_id=actor.user_id, version=version, reason=reason or None
    )


def reapply(session: Session, actor: Actor, application_id: int) -> Application:
    """After a rejection: a new draft with the same fields and documents (nothing uploaded again)."""
    previous = own_application(session, actor, application_id)
    if previous.state != State.REJECTED:
        raise Conflict(N_("Only a rejected application can be started again."))
    application = create_application(session, actor, previous.content or {})
    application.previous_application_id = previous.id
    for document in previous.documents:
        session.add(
            ApplicationDocument(
                application=application,
                kind=document.kind,
                filename=document.filename,
                sha256=document.sha256,
                size=document.size,
                media_type=document.media_type,
                uploaded_by=actor.user_id,
            )
        )
    session.flush()
    return application


# --- telling the supplier -----------------------------------------------------------------------------------


def notify_supplier(session: Session, application: Application, message: Text) -> None:
    notify(
        session,
        _supplier_user_ids(session, application.supplier_id),
        message,
        f"/supplier/applications/{application.id}",
    )


def timeline(application: Application, now: datetime | None = None) -> list[dict]:
    """Every step with its date, actor, reason and how many days it took until the next step."""
    now = now or utcnow()
    steps = []
    events = list(application.events)
    for index, event in enumerate(events):
        until = events[index + 1].occurred_at if index + 1 < len(events) else now
        steps.append(
            {
                "action": event.action,
                "from_state": event.from_state,
                "to_state": event.to_state,
                "at": event.occurred_at,
                "actor": event.actor.name if event.actor else None,
                "actor_role": event.actor.role if event.actor else None,
                "reason": event.reason,
                "details": event.details,
                "days": (until - event.occurred_at).days,
                "current": index + 1 == len(events),
            }
        )
    return steps


def committee_decision(application: Application) -> dict | None:
    """What the supplier is told of the committee's decision: the outcome, the round, the day, and for each
    failed criterion the reasons the members wrote (without their names; the same text once)."""
    event = next((e for e in reversed(application.events) if e.action in (Action.SELECT, Action.REJECT)), None)
    if event is None:
        return None
    reasons = application.decision_reasons or {}
    order = [str(c) for c in Criterion] + sorted(set(reasons) - set(Criterion))
    failed = []
    for criterion in (c for c in order if c in reasons):
        texts = list(dict.fromkeys(r.strip() for r in reasons[criterion] or () if r and r.strip()))
        failed.append(
            {
                "criterion": criterion,
                "label": CRITERION_LABELS.get(criterion, Text(criterion)),
                "reasons": [SANCTION_TEXT if r == SANCTION_REASON else r for r in texts],
            }
        )
    return {
        "outcome": "selected" if event.action == Action.SELECT else "rejected",
        "round": (event.details or {}).get("round"),
        "decided_at": event.occurred_at,
        "failed": failed,
    }


SANCTION_TEXT = N_("The company was under an active sanction when the round closed.")
