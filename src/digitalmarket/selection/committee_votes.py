"""A member's part in a committee round, application by application.

A reviewer first declares whether it has a relation to the supplier (이해충돌 신고): with one it is
excluded and sees nothing more; without, it votes pass or fail per criterion until the round is closed,
and may see the application's documents.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.permissions import Actor
from ..accounts.rules import Role
from ..core import audit
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.i18n import N_, Text
from ..core.tables import utcnow
from .access import document_for as application_document_for
from .committee_rounds import reviewer_round, round_applications
from .rules import CRITERION_LABELS, Criterion, State
from .tables import Application, CommitteeRound, ConflictDeclaration, Vote


def declaration(session: Session, round_id: int, application_id: int, reviewer_id: int) -> ConflictDeclaration | None:
    return session.scalar(
        select(ConflictDeclaration).where(
            ConflictDeclaration.round_id == round_id,
            ConflictDeclaration.application_id == application_id,
            ConflictDeclaration.reviewer_id == reviewer_id,
        )
    )


def _application_in_round(session: Session, committee_round: CommitteeRound, application_id: int) -> Application:
    application = next((a for a in round_applications(session, committee_round) if a.id == application_id), None)
    if application is None or application.state not in (
        State.COMMITTEE,
        State.SELECTED,
        State.REJECTED,
        State.PUBLISHED,
    ):
        raise NotFound()
    return application


def declare(session: Session, actor: Actor, round_id: int, application_id: int, has_relation: bool):
    """이해충돌 신고: once per application; with a relation the reviewer is excluded from it."""
    committee_round = reviewer_round(session, actor, round_id)
    if committee_round.is_closed:
        raise Conflict(N_("The round is closed; nothing can change any more."))
    application = _application_in_round(session, committee_round, application_id)
    if declaration(session, round_id, application.id, actor.user_id) is not None:
        raise Conflict(N_("You have already declared for this application."))
    session.add(
        ConflictDeclaration(
            round_id=round_id, application_id=application.id, reviewer_id=actor.user_id, has_relation=has_relation
        )
    )
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="committee.declared",
        object_type="application",
        object_id=application.id,
        details={"round_id": round_id, "has_relation": has_relation},
    )


def reviewable_application(session: Session, actor: Actor, round_id: int, application_id: int) -> Application:
    """The application, for a member who declared no relation to the supplier; otherwise 404."""
    committee_round = reviewer_round(session, actor, round_id)
    application = _application_in_round(session, committee_round, application_id)
    declared = declaration(session, round_id, application.id, actor.user_id)
    if declared is None or declared.has_relation:
        raise NotFound()
    return application


def votes_of(session: Session, round_id: int, application_id: int, reviewer_id: int | None = None) -> list[Vote]:
    query = select(Vote).where(Vote.round_id == round_id, Vote.application_id == application_id)
    if reviewer_id is not None:
        query = query.where(Vote.reviewer_id == reviewer_id)
    return list(session.scalars(query))


def cast_votes(
    session: Session, actor: Actor, round_id: int, application_id: int, ballot: dict[str, tuple[bool, str]]
) -> list[Vote]:
    """Pass or fail per criterion; a fail needs a comment. Changeable until the round closes."""
    committee_round = reviewer_round(session, actor, round_id)
    if committee_round.is_closed:
        raise Conflict(N_("The round is closed; votes can no longer change."))
    application = reviewable_application(session, actor, round_id, application_id)
    problems: dict[str, Text] = {}
    for criterion in Criterion:
        if criterion not in ballot:
            problems[criterion] = N_("Vote on %(criterion)s.", criterion=CRITERION_LABELS[criterion])
            continue
        passes, comment = ballot[criterion]
        if not passes and not (comment or "").strip():
            problems[f"{criterion}.comment"] = N_("Give a reason for a fail.")
        elif len(comment or "") > 2000:
            problems[f"{criterion}.comment"] = N_("At most %(max)s characters.", max=2000)
    if any(c not in set(Criterion) for c in ballot):
        problems["ballot"] = N_("This value is not valid.")
    if problems:
        raise ValidationFailed(fields=problems)
    existing = {v.criterion: v for v in votes_of(session, round_id, application.id, actor.user_id)}
    for criterion, (passes, comment) in ballot.items():
        vote = existing.get(criterion) or Vote(
            round_id=round_id, application_id=application.id, reviewer_id=actor.user_id, criterion=criterion
        )
        vote.passes, vote.comment, vote.updated_at = passes, (comment or "").strip(), utcnow()
        session.add(vote)
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="committee.voted",
        object_type="application",
        object_id=application.id,
        details={"round_id": round_id, **{c: p for c, (p, _) in ballot.items()}},
    )
    return votes_of(session, round_id, application.id, actor.user_id)


def reviewer_document(session: Session, actor: Actor, round_id: int, application_id: int, document_id: int):
    """A document of an application the reviewer may review (declared no relation)."""
    application = reviewable_application(session, actor, round_id, application_id)
    document = next((d for d in application.documents if d.id == document_id), None)
    if document is None:
        raise NotFound()
    return document


def document_for(session: Session, actor: Actor, application_id: int, document_id: int, round_id: int | None):
    """A document for whoever may see it: reviewers through their round, others through the application."""
    if actor.role == Role.REVIEWER and round_id is not None:
        return reviewer_document(session, actor, round_id, application_id, document_id)
    return application_document_for(session, actor, application_id, document_id)
