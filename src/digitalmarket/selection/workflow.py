"""Use cases of the supplier's application: drafts, documents, submission, the reply to a supplement
request, withdrawal and applying again after a rejection.

Each function runs inside the caller's transaction: it loads, asks the rules, writes, records the step
in the application's history and the audit trail, and notifies whoever must act next. The operator's
steps are in `screening`, the committee's in `committee_rounds`, `committee_votes` and `committee_decisions`;
who sees which application in `access`.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.permissions import Actor
from ..accounts.rules import Role, sanction_active
from ..accounts.tables import User
from ..accounts.verification import refuse_unless_verified
from ..catalog import queries as catalog
from ..catalog.content_rules import clean_content, csap_valid, missing_for_submission
from ..catalog.rules import CLOUD_TYPES
from ..core import audit
from ..core.clock import today_kst
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.files import StoredFile
from ..core.i18n import N_, Text
from ..core.notifications import notify
from ..core.tables import utcnow
from . import supplement
from .access import own_application
from .history import record_step, transition
from .rules import (
    DOCUMENT_LABELS,
    EDITABLE_STATES,
    MAX_DOCUMENTS,
    Action,
    DocumentKind,
    State,
    missing_documents,
    move,
)
from .tables import Application, ApplicationDocument


def _operator_ids(session: Session) -> list[int]:
    return list(session.scalars(select(User.id).where(User.role == Role.OPERATOR, User.is_active)))


# --- the supplier ---------------------------------------------------------------------------------------------


def _refuse_if_sanctioned(actor_org) -> None:
    refuse_unless_verified(actor_org)  # an unverified company cannot apply
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
