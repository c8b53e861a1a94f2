"""Use cases of the operator (NIA): document check, supplement requests, acceptance, expert review,
moving an application to a later committee month, and publishing a selected service."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.permissions import Actor
from ..catalog import documents as catalog_documents
from ..catalog import workflow as catalog
from ..core import audit
from ..core.clock import today_kst
from ..core.errors import Conflict, ValidationFailed
from ..core.i18n import N_
from ..core.tables import utcnow
from . import months, supplement
from .access import load
from .history import notify_supplier, record_step, transition
from .months import slot_of
from .rules import (
    CRITERION_LABELS,
    PUBLIC_DOCUMENT_KINDS,
    WAITING_FOR_COMMITTEE,
    Action,
    Criterion,
    State,
    committee_month_for,
    is_month_key,
    month_key,
    move,
    supplement_items_problem,
    supplement_keys,
)
from .tables import Application, CommitteeRound, ExpertOpinion


def start_check(session: Session, actor: Actor, application_id: int, version: int) -> Application:
    return transition(
        session, load(session, application_id), Action.START_CHECK, actor_user_id=actor.user_id, version=version
    )


def request_supplement(
    session: Session, actor: Actor, application_id: int, version: int, items: dict[str, str]
) -> Application:
    """보완 요청: a reason per missing or wrong item (a field or a document kind)."""
    application = load(session, application_id)
    move(application.state, Action.REQUEST_SUPPLEMENT)
    allowed = supplement_keys(application.service_type)
    unknown = {k: v for k, v in items.items() if k not in allowed}
    items = {k: v.strip() for k, v in items.items() if (v or "").strip()}
    problem = supplement_items_problem({**unknown, **items}, allowed)
    if problem:
        raise ValidationFailed(fields={"items": problem})
    reason = "; ".join(f"{k}: {v}" for k, v in items.items())
    transition(
        session,
        application,
        Action.REQUEST_SUPPLEMENT,
        actor_user_id=actor.user_id,
        version=version,
        reason=reason,
        details={"items": items},
    )
    supplement.record_request(session, application, application.events[-1])
    notify_supplier(
        session,
        application,
        N_("A supplement is requested for application %(id)s (%(name)s).", id=application.id, name=application.name),
    )
    return application


def acceptance_month(session: Session) -> str:
    """The committee month an application accepted today goes to (asked too by the confirmation page)."""
    today = today_kst()
    return months.open_month(session, today, committee_month_for(today))


def accept(session: Session, actor: Actor, application_id: int, version: int) -> Application:
    """접수완료: the committee month is the first month from next month on whose round is open and leaves
    time to prepare (`rules.first_open_month`)."""
    application = load(session, application_id)
    move(application.state, Action.ACCEPT)
    month = acceptance_month(session)
    transition(
        session,
        application,
        Action.ACCEPT,
        actor_user_id=actor.user_id,
        version=version,
        details={"committee_month": month},
    )
    application.accepted_at = utcnow()
    application.committee_month, application.committee_round_id = month, None
    notify_supplier(
        session,
        application,
        N_(
            "Application %(id)s (%(name)s) is accepted and goes to the committee of %(month)s.",
            id=application.id,
            name=application.name,
            month=month,
        ),
    )
    return application


def start_expert_review(session: Session, actor: Actor, application_id: int, version: int) -> Application:
    return transition(
        session, load(session, application_id), Action.START_EXPERT_REVIEW, actor_user_id=actor.user_id, version=version
    )


def record_expert_opinions(
    session: Session, actor: Actor, application_id: int, version: int, opinions: dict[str, tuple[bool, str]]
) -> Application:
    """The expert pre-review's opinion per criterion (pass or fail, with a comment)."""
    application = load(session, application_id)
    if application.state != State.EXPERT_REVIEW:
        raise Conflict(N_("Expert opinions can be recorded only during the expert review."))
    if application.version != version:
        raise Conflict()
    problems = {}
    for criterion, (_passes, comment) in opinions.items():
        if criterion not in set(Criterion):
            problems[criterion] = N_("This value is not valid.")
        elif len(comment) > 2000:
            problems[f"{criterion}.comment"] = N_("At most %(max)s characters.", max=2000)
    if problems:
        raise ValidationFailed(fields=problems)
    existing = {
        o.criterion: o
        for o in session.scalars(select(ExpertOpinion).where(ExpertOpinion.application_id == application.id))
    }
    for criterion, (passes, comment) in opinions.items():
        opinion = existing.get(criterion) or ExpertOpinion(application_id=application.id, criterion=criterion)
        opinion.passes, opinion.comment = passes, comment.strip()
        opinion.recorded_by, opinion.recorded_at = actor.user_id, utcnow()
        session.add(opinion)
    application.updated_at = utcnow()  # bumps the version: a concurrent writer gets 409
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="application.expert_opinion",
        object_type="application",
        object_id=application.id,
        details={c: p for c, (p, _) in opinions.items()},
    )
    return application


def expert_opinions(session: Session, application_id: int) -> dict[str, ExpertOpinion]:
    query = select(ExpertOpinion).where(ExpertOpinion.application_id == application_id)
    return {o.criterion: o for o in session.scalars(query)}


def send_to_committee(session: Session, actor: Actor, application_id: int, version: int) -> Application:
    application = load(session, application_id)
    move(application.state, Action.SEND_TO_COMMITTEE)
    missing = [c for c in Criterion if c not in expert_opinions(session, application.id)]
    if missing:
        raise ValidationFailed(
            N_("Record the expert opinion on every criterion first."),
            fields={
                c: N_("Record the expert opinion on %(criterion)s.", criterion=CRITERION_LABELS[c]) for c in missing
            },
        )
    return transition(session, application, Action.SEND_TO_COMMITTEE, actor_user_id=actor.user_id, version=version)


def _move_target(session: Session, application: Application, month: str | None, round_id: int | None):
    """Where a move goes: (month, round or None while the month has none yet, problems)."""
    today = today_kst()
    field = "round_id" if round_id is not None else "month"
    target = session.get(CommitteeRound, round_id) if round_id is not None else None
    if round_id is not None:
        if target is None:
            return month, None, {field: N_("Choose one of the options.")}
        month = target.month
        if not slot_of(target).open_on(today):
            return (
                month,
                target,
                {
                    field: N_(
                        "Committee round %(number)s is closed or has already met; choose an open round.",
                        number=target.number,
                    )
                },
            )
    elif not month or not is_month_key(month) or month < month_key(today):
        return month, None, {field: N_("Choose this month or a later one, like %(example)s.", example=month_key(today))}
    else:
        target = months.regular_round(session, month)
        if target is not None and not slot_of(target).open_on(today):
            return (
                month,
                target,
                {field: N_("The round of %(month)s is closed or has already met; choose a later month.", month=month)},
            )
    if target is None and month == month_key(today):
        return (
            month,
            None,
            {field: N_("This month has no round yet: convene an extra round first, or choose a later month.")},
        )
    current = months.assigned_round(session, application)
    if (target is not None and current is target) or (
        target is None and (application.committee_round_id, application.committee_month) == (None, month)
    ):
        return month, target, {field: N_("The application is already in this round.")}
    return month, target, {}


def move_to_round(
    session: Session,
    actor: Actor,
    application_id: int,
    version: int,
    month: str | None,
    reason: str,
    *,
    round_id: int | None = None,
) -> Application:
    """Move an application waiting for the committee, with a reason: into a given open round (an extra
    round 수시 심사위원회, or a month's regular round), or to a month whose round is open or not set yet."""
    application = load(session, application_id)
    if application.state not in WAITING_FOR_COMMITTEE:
        raise Conflict(N_("Only an accepted application waiting for the committee can be moved."))
    month, target, problems = _move_target(session, application, month, round_id)
    if not (reason or "").strip():
        problems["reason"] = N_("This field is required.")
    if problems:
        raise ValidationFailed(fields=problems)
    if application.version != version:
        raise Conflict()
    previous = application.committee_month
    extra = target is not None and target.is_extra
    application.committee_month = month
    application.committee_round_id = target.id if extra else None
    details = {"from": previous, "to": month}
    if target is not None:
        details |= {"round": target.number, "meeting_date": target.meeting_date.isoformat()}
        details |= {"extra": True} if extra else {}
    record_step(
        session,
        application,
        action="moved_to_round",
        actor_user_id=actor.user_id,
        to_state=application.state,
        reason=reason.strip(),
        details=details,
    )
    notify_supplier(
        session,
        application,
        N_(
            "Application %(id)s (%(name)s) moves to the committee of %(month)s.",
            id=application.id,
            name=application.name,
            month=month,
        ),
    )
    return application


def publish(session: Session, actor: Actor, application_id: int, version: int) -> Application:
    """서비스 등록·공개: a selected application becomes a service in the catalog with a public code."""
    application = load(session, application_id)
    move(application.state, Action.PUBLISH)
    if application.version != version:
        raise Conflict()
    committee_round = months.assigned_round(session, application)
    service = catalog.publish(
        session,
        actor_user_id=actor.user_id,
        supplier_id=application.supplier_id,
        content=application.content,
        origin=f"application:{application.id}",
        selected_on=application.decided_at.date() if application.decided_at else today_kst(),
        committee_round=committee_round.number if committee_round else None,
    )
    application.service_id = service.id
    catalog_documents.publish_documents(
        session, actor_user_id=actor.user_id, service=service, documents=public_documents(application)
    )
    transition(
        session,
        application,
        Action.PUBLISH,
        actor_user_id=actor.user_id,
        version=None,
        details={"service_code": service.code},
    )
    notify_supplier(
        session,
        application,
        N_("Your service %(name)s is published as %(code)s.", name=service.name, code=service.code),
    )
    return application


def public_documents(application: Application) -> list[catalog_documents.PublicDocument]:
    """What a published service offers buyers: its service description, SLA and price list, in the order
    attached (the last of a kind becomes its latest version); business documents stay here."""
    return [
        catalog_documents.PublicDocument(d.kind, d.filename, d.sha256, d.size, d.media_type)
        for d in application.documents
        if d.kind in PUBLIC_DOCUMENT_KINDS
    ]
