"""What the committee decides: closing a round applies the committee rule (`rules.decide`) to the
members' ballots on every application of the round; those not ready, or without quorum, are carried over
to a later month. The outcome of an application, as recorded or as closing now would decide it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.permissions import Actor
from ..accounts.rules import sanction_active
from ..core import audit
from ..core.clock import today_kst
from ..core.errors import Conflict
from ..core.i18n import N_, Text
from ..core.tables import utcnow
from . import months, rules
from .committee_rounds import load_round, round_applications
from .committee_votes import votes_of
from .history import notify_supplier, record_step, transition
from .rules import SANCTION_REASON, Action, Criterion, State, closable_on, decide, next_month
from .tables import Application, CommitteeRound, ConflictDeclaration, Decision


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
