"""HTML routes of the selection stage for the operator's committee rounds: the rounds and a new one, one
round with each application's declarations, votes and what closing would decide, and closing it."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request

from ..accounts import user_accounts
from ..accounts.access import database
from ..accounts.permissions import Actor
from ..accounts.rules import Role
from ..core.clock import today_kst
from ..core.errors import DomainError, ValidationFailed
from ..core.forms import form_errors, redirect, summary_only, version_of
from ..core.i18n import N_
from ..core.paths import Id
from ..core.templating import csrf_protect
from . import committee_decisions, committee_rounds, committee_votes
from .operator_pages import STAFF_PAGE, PostedForm, _text
from .rules import PREPARATION_DAYS, ROUND_KIND_LABELS, Criterion, RoundKind, closable_on, month_key, quorum_of
from .views import show

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


def _reviewers(session) -> list:
    return [u for u in user_accounts.list_users(session) if u.role == Role.REVIEWER and u.is_active]


def _rounds_page(request: Request, actor: Actor, *, errors=None, values=None, chosen=None, status=200):
    with database(request).reading() as session:
        rounds = committee_rounds.rounds(session)
        today = today_kst()
        context = {
            "rounds": [(r, len(committee_rounds.round_applications(session, r))) for r in rounds],
            "reviewers": _reviewers(session),
            "errors": errors or {},
            "values": values or {"number": str(max((r.number for r in rounds), default=0) + 1), "kind": "regular"},
            "kind_options": [(str(k), label.render()) for k, label in ROUND_KIND_LABELS.items()],
            "current_month": month_key(today),
            "preparation_days": PREPARATION_DAYS,
            "today": today,
            "chosen": set(chosen or ()),
        }
        return show(request, "operator_rounds.html", context, actor=actor, status=status)


@router.get("/operator/rounds")
def operator_rounds(request: Request, actor: Actor = Depends(STAFF_PAGE)):
    return _rounds_page(request, actor)


@router.post("/operator/rounds")
def operator_round_create(request: Request, form: PostedForm, actor: Actor = Depends(STAFF_PAGE)):
    values = {name: _text(form, name).strip() for name in ("number", "kind", "month", "meeting_date")}
    chosen = [v for v in form.getlist("member_ids") if isinstance(v, str)]
    problems = {}
    number = int(values["number"]) if values["number"].isdecimal() and len(values["number"]) < 7 else None
    if number is None:
        problems["number"] = N_("Enter a whole number above 0.")
    try:
        meeting_date = date.fromisoformat(values["meeting_date"])
    except ValueError:
        meeting_date = None
        problems["meeting_date"] = N_("Enter a date like 2026-12-31.")
    member_ids = [int(v) for v in chosen if v.isdecimal() and len(v) < 10]
    try:
        if problems:
            raise ValidationFailed(fields=problems)
        with database(request).transaction() as session:
            committee_rounds.create_round(
                session,
                actor,
                number=number,
                month=values["month"],
                meeting_date=meeting_date,
                member_ids=member_ids,
                kind=values["kind"] or RoundKind.REGULAR,
            )
    except DomainError as error:
        errors = summary_only(form_errors(error), {"number", "kind", "month", "meeting_date", "member_ids"})
        return _rounds_page(request, actor, errors=errors, values=values, chosen=member_ids, status=error.status)
    return redirect("/operator/rounds", "round_created")


def round_rows(session, committee_round, reviewer_ids: list[int]) -> list[dict]:
    """Per application of a round: declarations, who voted, and what closing now would decide."""
    rows = []
    for application in committee_rounds.round_applications(session, committee_round):
        declarations = {
            member: committee_votes.declaration(session, committee_round.id, application.id, member)
            for member in reviewer_ids
        }
        voted = {}
        for vote in committee_votes.votes_of(session, committee_round.id, application.id):
            voted.setdefault(vote.reviewer_id, set()).add(vote.criterion)
        rows.append(
            {
                "application": application,
                "declarations": declarations,
                "voted": {m for m, criteria in voted.items() if len(criteria) == len(Criterion)},
                "preview": committee_decisions.outcome_of(session, committee_round, application),
            }
        )
    return rows


def _round_page(request: Request, actor: Actor, round_id: int, *, errors=None, status=200):
    with database(request).reading() as session:
        committee_round = committee_rounds.load_round(session, round_id)
        members = [m.user for m in committee_round.members]
        context = {
            "round": committee_round,
            "members": members,
            "rows": round_rows(session, committee_round, [m.id for m in members]),
            "quorum": quorum_of(len(members)),
            "closable": closable_on(committee_round.meeting_date, today_kst()),
            "criteria": list(Criterion),
            "errors": errors or {},
        }
        return show(request, "operator_round.html", context, actor=actor, status=status)


@router.get("/operator/rounds/{round_id}")
def operator_round(request: Request, round_id: Id, actor: Actor = Depends(STAFF_PAGE)):
    return _round_page(request, actor, round_id)


@router.post("/operator/rounds/{round_id}/close")
def operator_round_close(request: Request, round_id: Id, form: PostedForm, actor: Actor = Depends(STAFF_PAGE)):
    try:
        with database(request).transaction() as session:
            committee_decisions.close_round(session, actor, round_id, version_of(form))
    except DomainError as error:
        if error.status == 404:
            raise
        return _round_page(
            request, actor, round_id, errors=summary_only(form_errors(error), set()), status=error.status
        )
    return redirect(f"/operator/rounds/{round_id}", "round_closed")
