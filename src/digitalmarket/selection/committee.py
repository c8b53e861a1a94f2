"""Use cases of the monthly Digital Service Review Committee (디지털서비스 심사위원회).

The operator creates a round for a month with reviewers as members; applications accepted the month
before are in it automatically. A reviewer first declares, per application, whether it has a relation
to the supplier: with one it is excluded and sees nothing more; without, it votes per criterion until
the round is closed. Closing applies the committee rule (`rules.decide`) to every application.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.permissions import Actor
from ..accounts.rules import Role, sanction_active
from ..accounts.tables import User
from ..core import audit
from ..core.clock import today_kst
from ..core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from ..core.i18n import N_, Text
from ..core.notifications import notify
from ..core.tables import utcnow
from . import months, rules
from .access import document_for as application_document_for
from .history import notify_supplier, record_step, transition
from .rules import (
    CRITERION_LABELS,
    SANCTION_REASON,
    WAITING_FOR_COMMITTEE,
    Action,
    Criterion,
    RoundKind,
    State,
    closable_on,
    decide,
    is_month_key,
    month_key,
    next_month,
)
from .tables import Application, CommitteeRound, ConflictDeclaration, Decision, RoundMember, Vote


def create_round(
    session: Session,
    actor: Actor,
    *,
    number: int,
    month: str | None,
    meeting_date: date,
    member_ids: list[int],
    kind: str = RoundKind.REGULAR,
) -> CommitteeRound:
    """The regular round of a month, or an extra round (수시 심사위원회) in the current month meeting
    today or later, into which the operator then moves applications by hand."""
    problems: dict[str, Text] = {}
    today = today_kst()
    extra = kind == RoundKind.EXTRA
    if kind not in set(RoundKind):
        problems["kind"] = N_("Choose one of the options.")
    if extra and not month and meeting_date is not None:
        month = month_key(meeting_date)
    if number <= 0:
        problems["number"] = N_("Enter a whole number above 0.")
    if not is_month_key(month or ""):
        problems["month"] = N_("Enter the month like 2026-12.")
    elif meeting_date.strftime("%Y-%m") != month:
        problems["meeting_date"] = N_("The meeting date must fall in the round's month.")
    elif extra and (month != month_key(today) or meeting_date < today):
        problems["meeting_date"] = N_(
            "An extra round meets in the current month, today or later: from %(today)s to the end of %(month)s.",
            today=today.isoformat(),
            month=month_key(today),
        )
    members = list(session.scalars(select(User).where(User.id.in_(set(member_ids)))))
    if len(members) < 3:
        problems["member_ids"] = N_("Choose at least three reviewers.")
    elif any(m.role != Role.REVIEWER or not m.is_active for m in members) or len(members) != len(set(member_ids)):
        problems["member_ids"] = N_("Members must be reviewer accounts.")
    if problems:
        raise ValidationFailed(fields=problems)
    if session.scalar(select(CommitteeRound.id).where(CommitteeRound.number == number)):
        raise Conflict(N_("Some details are already registered."), fields={"number": N_("This round number exists.")})
    if not extra and months.regular_round(session, month) is not None:
        raise Conflict(
            N_("Some details are already registered."),
            fields={"month": N_("This month has a regular round; convene an extra round instead.")},
        )
    committee_round = CommitteeRound(
        number=number,
        month=month,
        kind=str(kind),
        meeting_date=meeting_date,
        members=[RoundMember(user_id=m.id) for m in members],
    )
    session.add(committee_round)
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="committee.round_created",
        object_type="committee_round",
        object_id=committee_round.id,
        details={"month": month, "kind": str(kind), "members": sorted(member_ids)},
    )
    notify(
        session,
        [m.id for m in members],
        N_("You sit on committee round %(number)s (%(month)s).", number=number, month=month),
        f"/reviewer/rounds/{committee_round.id}",
    )
    return committee_round


def rounds(session: Session) -> list[CommitteeRound]:
    return list(session.scalars(select(CommitteeRound).order_by(CommitteeRound.month.desc())))


def load_round(session: Session, round_id: int) -> CommitteeRound:
    committee_round = session.get(CommitteeRound, round_id)
    if committee_round is None:
        raise NotFound()
    return committee_round


def round_applications(session: Session, committee_round: CommitteeRound) -> list[Application]:
    """Applications of the round: those waiting in its month, and after closing those it decided."""
    decided = select(Decision.application_id).where(Decision.round_id == committee_round.id)
    if committee_round.is_extra:
        assigned = Application.committee_round_id == committee_round.id
    else:
        assigned = (Application.committee_month == committee_round.month) & Application.committee_round_id.is_(None)
    query = select(Application).where(
        (assigned & Application.state.in_(WAITING_FOR_COMMITTEE)) | Application.id.in_(decided)
    )
    return list(session.scalars(query.order_by(Application.id)))


# --- reviewers ----------------------------------------------------------------------------------------


def rounds_of_reviewer(session: Session, actor: Actor) -> list[CommitteeRound]:
    query = select(CommitteeRound).join(RoundMember).where(RoundMember.user_id == actor.user_id)
    return list(session.scalars(query.order_by(CommitteeRound.month.desc())))


def rounds_for(session: Session, actor: Actor) -> list[CommitteeRound]:
    """Every round for the operator; for a reviewer, the rounds it sits on."""
    if actor.role in (Role.OPERATOR, Role.ADMIN):
        return rounds(session)
    if actor.role == Role.REVIEWER:
        return rounds_of_reviewer(session, actor)
    raise PermissionDenied()


def round_for(session: Session, actor: Actor, round_id: int) -> CommitteeRound:
    if actor.role in (Role.OPERATOR, Role.ADMIN):
        return load_round(session, round_id)
    if actor.role == Role.REVIEWER:
        return reviewer_round(session, actor, round_id)
    raise PermissionDenied()


def reviewer_round(session: Session, actor: Actor, round_id: int) -> CommitteeRound:
    """A round the reviewer sits on; any other is 404."""
    committee_round = session.get(CommitteeRound, round_id)
    if committee_round is None or actor.user_id not in committee_round.member_ids:
        raise NotFound()
    return committee_round


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


# --- closing ----------------------------------------------------------------------------------------------


def _ballots(session: Session, committee_round: CommitteeRound, application_id: int):
    conflicted = {
        d.reviewer_id
        for d in session.scalars(
            select(ConflictDeclaration).where(
                ConflictDeclaration.round_id == committee_round.id,
                ConflictDeclaration.application_id == application_id,
                ConflictDeclaration.has_relation,
            )
        )
    }
    votes: dict[int, dict[str, bool]] = {}
    comments: dict[str, list[str]] = {}
    for vote in votes_of(session, committee_round.id, application_id):
        votes.setdefault(vote.reviewer_id, {})[vote.criterion] = vote.passes
        if not vote.passes:
            comments.setdefault(vote.criterion, []).append(vote.comment)
    return conflicted, votes, comments


def decisions_of(session: Session, committee_round: CommitteeRound) -> dict[int, Decision]:
    """The recorded decision of each application the round decided, by application id."""
    query = select(Decision).where(Decision.round_id == committee_round.id)
    return {d.application_id: d for d in session.scalars(query)}


def outcome_of(session: Session, committee_round: CommitteeRound, application: Application) -> rules.Decision:
    """The decision recorded when the round closed, or for an open round what closing now would decide."""
    recorded = session.scalar(
        select(Decision).where(Decision.round_id == committee_round.id, Decision.application_id == application.id)
    )
    if recorded is None:
        return preview(session, committee_round, application)
    tally = {c: tuple(v) for c, v in (recorded.tally or {}).items()}
    voters = sum(next(iter(tally.values()))) if tally else 0
    return rules.Decision(
        recorded.outcome, voters, rules.quorum_of(len(committee_round.members)), tally, tuple(recorded.reasons or {})
    )


def preview(session: Session, committee_round: CommitteeRound, application: Application):
    """What closing the round now would decide for this application."""
    conflicted, votes, _ = _ballots(session, committee_round, application.id)
    return decide(committee_round.member_ids, conflicted, votes)


def close_round(session: Session, actor: Actor, round_id: int, version: int) -> CommitteeRound:
    """Decide every application of the round; those not ready, or without quorum, go to next month."""
    committee_round = load_round(session, round_id)
    if committee_round.is_closed:
        raise Conflict(N_("The round is closed; nothing can change any more."))
    if committee_round.version != version:
        raise Conflict()
    today = today_kst()
    if not closable_on(committee_round.meeting_date, today):
        raise Conflict(
            N_(
                "Round %(number)s meets on %(date)s; it can be closed from that day on.",
                number=committee_round.number,
                date=committee_round.meeting_date.isoformat(),
            )
        )
    committee_round.closed_at = utcnow()  # its month is no longer open for what is carried over
    session.flush()
    for application in round_applications(session, committee_round):
        if application.state != State.COMMITTEE:
            _carry_over(
                session, actor, committee_round, application, N_("Not ready for the committee when the round closed.")
            )
            continue
        conflicted, votes, comments = _ballots(session, committee_round, application.id)
        outcome = decide(committee_round.member_ids, conflicted, votes)
        reasons = {c: comments.get(c, []) for c in outcome.failed}
        supplier = application.supplier
        if outcome.outcome == "selected" and sanction_active(supplier.sanction_from, supplier.sanction_until, today):
            outcome_name, reasons = "rejected", {Criterion.SANCTIONS.value: [SANCTION_REASON]}
        else:
            outcome_name = outcome.outcome
        session.add(
            Decision(
                round_id=committee_round.id,
                application_id=application.id,
                outcome=outcome_name,
                tally={c: list(t) for c, t in outcome.tally.items()},
                reasons=reasons,
            )
        )
        if outcome_name == "no_quorum":
            _carry_over(
                session, actor, committee_round, application, N_("The committee had no quorum for this application.")
            )
            continue
        action = Action.SELECT if outcome_name == "selected" else Action.REJECT
        transition(
            session,
            application,
            action,
            actor_user_id=actor.user_id,
            version=None,
            details={"round": committee_round.number, "reasons": reasons},
        )
        application.decided_at = utcnow()
        application.decision_reasons = reasons
        message = (
            N_(
                "Application %(id)s (%(name)s) is selected by committee round %(number)s.",
                id=application.id,
                name=application.name,
                number=committee_round.number,
            )
            if action == Action.SELECT
            else N_(
                "Application %(id)s (%(name)s) is not selected by committee round %(number)s.",
                id=application.id,
                name=application.name,
                number=committee_round.number,
            )
        )
        notify_supplier(session, application, message)
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="committee.round_closed",
        object_type="committee_round",
        object_id=committee_round.id,
        details={"month": committee_round.month},
    )
    return committee_round


def _carry_over(
    session: Session, actor: Actor, committee_round: CommitteeRound, application: Application, reason: Text
) -> None:
    """To the first open month after the round's month that leaves time to prepare (never a closed round)."""
    previous = application.committee_month
    application.committee_month = months.open_month(session, today_kst(), next_month(committee_round.month))
    application.committee_round_id = None
    record_step(
        session,
        application,
        action="carried_over",
        actor_user_id=actor.user_id,
        to_state=application.state,
        reason=reason.msgid,
        details={"from": previous, "to": application.committee_month},
    )


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
