"""HTML routes of the selection stage for reviewers: their rounds, declarations of interest, votes."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from ..accounts.access import database, page_access
from ..accounts.permissions import REVIEWERS, Actor
from ..accounts.rules import SIZE_LABELS
from ..core.errors import DomainError, ValidationFailed
from ..core.forms import Form, form_errors, redirect, summary_only
from ..core.i18n import N_
from ..core.paths import Id
from ..core.templating import csrf_protect
from . import committee_rounds, committee_votes, screening
from .rules import BEFORE_THE_COMMITTEE, Criterion
from .views import category_labels, show

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])

REVIEWER_PAGE = page_access(REVIEWERS)
VOTE_FIELDS = {str(c) for c in Criterion} | {f"{c}.comment" for c in Criterion}


@router.get("/reviewer/rounds")
def reviewer_rounds(request: Request, actor: Actor = Depends(REVIEWER_PAGE)):
    with database(request).reading() as session:
        rows = []
        for committee_round in committee_rounds.rounds_of_reviewer(session, actor):
            applications = committee_rounds.round_applications(session, committee_round)
            ready = [a for a in applications if a.state in BEFORE_THE_COMMITTEE]
            undeclared = [
                a
                for a in ready
                if committee_votes.declaration(session, committee_round.id, a.id, actor.user_id) is None
            ]
            rows.append({"round": committee_round, "ready": len(ready), "undeclared": len(undeclared)})
        return show(request, "reviewer_rounds.html", {"rows": rows}, actor=actor)


def _round_page(request: Request, actor: Actor, round_id: int, *, errors=None, failed=None, status=200):
    with database(request).reading() as session:
        committee_round = committee_rounds.reviewer_round(session, actor, round_id)
        rows, preparing = [], 0
        for application in committee_rounds.round_applications(session, committee_round):
            if application.state not in BEFORE_THE_COMMITTEE:
                preparing += 1
                continue
            declared = committee_votes.declaration(session, round_id, application.id, actor.user_id)
            votes = committee_votes.votes_of(session, round_id, application.id, actor.user_id) if declared else []
            rows.append(
                {
                    "application": application,
                    "declaration": declared,
                    "voted": len({v.criterion for v in votes}) == len(Criterion),
                }
            )
        context = {
            "round": committee_round,
            "rows": rows,
            "preparing": preparing,
            "errors": errors or {},
            "failed": failed,
        }
        return show(request, "reviewer_round.html", context, actor=actor, status=status)


@router.get("/reviewer/rounds/{round_id}")
def reviewer_round(request: Request, round_id: Id, actor: Actor = Depends(REVIEWER_PAGE)):
    return _round_page(request, actor, round_id)


@router.post("/reviewer/rounds/{round_id}/applications/{application_id}/declare")
def reviewer_declare(
    request: Request, round_id: Id, application_id: Id, form: Form, actor: Actor = Depends(REVIEWER_PAGE)
):
    relation = form.get("relation", "")
    try:
        if relation not in ("yes", "no"):
            raise ValidationFailed(fields={f"relation-{application_id}": N_("Choose one of the options.")})
        with database(request).transaction() as session:
            committee_votes.declare(session, actor, round_id, application_id, relation == "yes")
    except DomainError as error:
        if error.status == 404:
            raise
        errors = summary_only(form_errors(error), {f"relation-{application_id}"})
        return _round_page(request, actor, round_id, errors=errors, failed=application_id, status=error.status)
    if relation == "yes":
        return redirect(f"/reviewer/rounds/{round_id}", "declared_relation")
    return redirect(f"/reviewer/rounds/{round_id}/applications/{application_id}", "declared")


def _review_page(
    request: Request, actor: Actor, round_id: int, application_id: int, *, errors=None, values=None, status=200
):
    with database(request).reading() as session:
        application = committee_votes.reviewable_application(session, actor, round_id, application_id)
        committee_round = committee_rounds.reviewer_round(session, actor, round_id)
        votes = {v.criterion: v for v in committee_votes.votes_of(session, round_id, application.id, actor.user_id)}
        if values is None:
            values = {}
            for criterion, vote in votes.items():
                values[f"vote-{criterion}"] = "pass" if vote.passes else "fail"
                values[f"comment-{criterion}"] = vote.comment
        supplier = application.supplier
        context = {
            "round": committee_round,
            "application": application,
            "supplier": supplier,
            "size_label": SIZE_LABELS.get(supplier.size) if supplier.size else None,
            "category_labels": category_labels(session),
            "opinions": screening.expert_opinions(session, application.id),
            "votes": votes,
            "criteria": list(Criterion),
            "values": values,
            "errors": errors or {},
        }
        return show(request, "reviewer_application.html", context, actor=actor, status=status)


@router.get("/reviewer/rounds/{round_id}/applications/{application_id}")
def reviewer_application(request: Request, round_id: Id, application_id: Id, actor: Actor = Depends(REVIEWER_PAGE)):
    return _review_page(request, actor, round_id, application_id)


@router.post("/reviewer/rounds/{round_id}/applications/{application_id}/votes")
def reviewer_vote(
    request: Request, round_id: Id, application_id: Id, form: Form, actor: Actor = Depends(REVIEWER_PAGE)
):
    ballot = {}
    for criterion in Criterion:
        choice = form.get(f"vote-{criterion}", "")
        if choice in ("pass", "fail"):
            ballot[str(criterion)] = (choice == "pass", form.get(f"comment-{criterion}", ""))
    try:
        with database(request).transaction() as session:
            committee_votes.cast_votes(session, actor, round_id, application_id, ballot)
    except DomainError as error:
        if error.status == 404:
            raise
        errors = summary_only(form_errors(error), VOTE_FIELDS)
        values = {k: v for k, v in form.items() if k != "csrf_token"}
        return _review_page(request, actor, round_id, application_id, errors=errors, values=values, status=error.status)
    return redirect(f"/reviewer/rounds/{round_id}/applications/{application_id}", "votes_saved")
