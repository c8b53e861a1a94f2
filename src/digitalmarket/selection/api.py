"""JSON routes of selection under /api/v1: the same workflows as the pages."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import FileResponse

from ..accounts.access import api_access, database
from ..accounts.permissions import PUBLIC, REVIEWERS, SIGNED_IN, SUPPLIERS, Actor, roles
from ..accounts.rules import Role
from ..accounts.schemas import ErrorOut
from ..catalog.rules import ServiceType
from ..catalog.schemas import ServiceContentIn
from ..core.files import DocumentStore, attachment, read_limited
from ..core.paging import DEFAULT_LIMIT, Cursor, Limit, Page, page, within
from ..core.paths import LARGEST_ID, Id
from . import access, committee_decisions, committee_rounds, committee_votes, history, months, screening, workflow
from .rules import (
    CRITERION_LABELS,
    DOCUMENT_LABELS,
    PUBLIC_DOCUMENT_KINDS,
    ROUND_KIND_LABELS,
    STATE_LABELS,
    Criterion,
    DocumentKind,
    State,
    required_documents,
)
from .schemas import (
    ApplicationDocumentOut,
    ApplicationOut,
    ApplicationSummary,
    ApplicationVersionIn,
    ApplicationWithdrawIn,
    BallotIn,
    ContentChangeIn,
    DecisionOut,
    DeclarationIn,
    DocumentKindOut,
    MoveIn,
    OpinionOut,
    OpinionsIn,
    RoundIn,
    RoundOut,
    SelectionCodeListsOut,
    SelectionCodeOut,
    SubmitIn,
    SupplementIn,
    TimelineOut,
    TimelineStep,
    VoteOut,
    round_ref,
)

OPERATORS = roles(Role.OPERATOR, Role.ADMIN)
#: Who has applications to see: suppliers their own, the operator all of them.
APPLICANTS_AND_OPERATORS = roles(Role.SUPPLIER, Role.OPERATOR, Role.ADMIN)
#: Who has committee rounds to see: the operator all of them, reviewers the rounds they sit on.
COMMITTEE_SIDE = roles(Role.OPERATOR, Role.ADMIN, Role.REVIEWER)

router = APIRouter(tags=["selection"], responses={s: {"model": ErrorOut} for s in (400, 401, 403, 404, 409, 422)})


def document_store(request: Request) -> DocumentStore:
    return DocumentStore.of(request.app.state.settings)


# --- applications ----------------------------------------------------------------------------------------


@router.get(
    "/selection/code-lists",
    response_model=SelectionCodeListsOut,
    summary="Document kinds (and which types need them), committee criteria, states, round kinds",
)
def selection_code_lists(_=Depends(api_access(PUBLIC))):
    def codes(labels: dict) -> list[SelectionCodeOut]:
        return [SelectionCodeOut(code=str(code), label=label.render()) for code, label in labels.items()]

    return SelectionCodeListsOut(
        document_kinds=[
            DocumentKindOut(
                code=str(kind),
                label=label.render(),
                required_for=[str(t) for t in ServiceType if kind in required_documents(t)],
                public=kind in PUBLIC_DOCUMENT_KINDS,
            )
            for kind, label in DOCUMENT_LABELS.items()
        ],
        criteria=codes(CRITERION_LABELS),
        states=codes(STATE_LABELS),
        round_kinds=codes(ROUND_KIND_LABELS),
    )


@router.get(
    "/applications",
    response_model=Page[ApplicationSummary],
    summary="A supplier's own applications, or the operator's queue; the oldest first",
)
def applications(
    request: Request,
    state: State | None = None,
    type: ServiceType | None = None,
    supplier: str | None = Query(None, max_length=200, description="Part of the supplier's name"),
    min_days_waiting: int | None = Query(None, ge=0, le=10_000),
    created_from: date | None = Query(None, description="Started on or after this day (KST)"),
    created_to: date | None = Query(None, description="Started on or before this day (KST)"),
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    actor: Actor = Depends(api_access(APPLICANTS_AND_OPERATORS)),
):
    filters = access.QueueFilter(state, type, supplier, min_days_waiting)
    with database(request).reading() as session:
        found = [
            a
            for a in access.applications_for(session, actor, filters)  # a supplier's own: filtered here only
            if within(a.created_at, created_from, created_to)
            and (state is None or a.state == state)
            and (type is None or a.service_type == type)
        ]
        chosen, next_cursor = page(found, lambda a: (a.created_at, a.id), cursor, limit, newest_first=False)
        stuck = months.waiting_on_closed_rounds(session, chosen)
        return Page(items=[ApplicationSummary.of(a, a.id in stuck) for a in chosen], next_cursor=next_cursor)


@router.post("/applications", status_code=201, response_model=ApplicationOut, summary="Start a draft application")
def create(body: ServiceContentIn, request: Request, actor: Actor = Depends(api_access(SUPPLIERS))):
    with database(request).transaction() as session:
        return ApplicationOut.of(workflow.create_application(session, actor, body.changes()))


@router.get("/applications/{application_id}", response_model=ApplicationOut, summary="One application")
def read(application_id: Id, request: Request, actor: Actor = Depends(api_access(APPLICANTS_AND_OPERATORS))):
    with database(request).reading() as session:
        return ApplicationOut.of(access.visible_application(session, actor, application_id))


@router.patch("/applications/{application_id}", response_model=ApplicationOut, summary="Save fields of a draft")
def update(application_id: Id, body: ContentChangeIn, request: Request, actor: Actor = Depends(api_access(SUPPLIERS))):
    with database(request).transaction() as session:
        changed = workflow.update_content(session, actor, application_id, body.version, body.content.changes())
        return ApplicationOut.of(changed)


@router.post(
    "/applications/{application_id}/documents",
    status_code=201,
    response_model=ApplicationDocumentOut,
    summary="Attach a document (PDF, HWP, HWPX, DOCX, XLSX, PNG, JPEG; at most 20 MB)",
)
def upload(
    application_id: Id,
    request: Request,
    kind: DocumentKind = Form(),
    file: UploadFile = File(),
    actor: Actor = Depends(api_access(SUPPLIERS)),
):
    data = read_limited(file.file, "file")
    with database(request).transaction() as session:
        access.own_application(session, actor, application_id)
        stored = document_store(request).accept(data, file.filename or "", "file")
        return ApplicationDocumentOut.of(workflow.attach_document(session, actor, application_id, kind, stored))


@router.get(
    "/applications/{application_id}/documents/{document_id}", summary="Download a document", response_class=FileResponse
)
def download(
    application_id: Id,
    document_id: Id,
    request: Request,
    round: int | None = Query(None, gt=0, le=LARGEST_ID),
    actor: Actor = Depends(api_access(SIGNED_IN)),
):
    with database(request).reading() as session:
        document = committee_votes.document_for(session, actor, application_id, document_id, round)
        path, filename, media_type = (
            document_store(request).path_of(document.sha256),
            document.filename,
            document.media_type,
        )
    return attachment(path, filename, media_type)


@router.delete("/applications/{application_id}/documents/{document_id}", status_code=204, summary="Remove a document")
def remove(application_id: Id, document_id: Id, request: Request, actor: Actor = Depends(api_access(SUPPLIERS))):
    with database(request).transaction() as session:
        workflow.remove_document(session, actor, application_id, document_id)
    return Response(status_code=204)


@router.post(
    "/applications/{application_id}/submit",
    response_model=ApplicationOut,
    summary="Submit a complete draft, or resubmit after a supplement request",
)
def submit(application_id: Id, body: SubmitIn, request: Request, actor: Actor = Depends(api_access(SUPPLIERS))):
    with database(request).transaction() as session:
        return ApplicationOut.of(workflow.submit(session, actor, application_id, body.version, body.reply))


@router.post("/applications/{application_id}/withdraw", response_model=ApplicationOut, summary="Withdraw")
def withdraw(
    application_id: Id, body: ApplicationWithdrawIn, request: Request, actor: Actor = Depends(api_access(SUPPLIERS))
):
    with database(request).transaction() as session:
        return ApplicationOut.of(workflow.withdraw(session, actor, application_id, body.version, body.reason))


@router.post(
    "/applications/{application_id}/reapply",
    status_code=201,
    response_model=ApplicationOut,
    summary="Start a new application from a rejected one",
)
def reapply(application_id: Id, request: Request, actor: Actor = Depends(api_access(SUPPLIERS))):
    with database(request).transaction() as session:
        return ApplicationOut.of(workflow.reapply(session, actor, application_id))


@router.get("/applications/{application_id}/timeline", response_model=TimelineOut, summary="Every step so far")
def timeline(application_id: Id, request: Request, actor: Actor = Depends(api_access(APPLICANTS_AND_OPERATORS))):
    with database(request).reading() as session:
        application = access.visible_application(session, actor, application_id)
        steps = [TimelineStep(**{k: s[k] for k in TimelineStep.model_fields}) for s in history.timeline(application)]
        return TimelineOut(
            state=application.state,
            committee_month=application.committee_month,
            committee_round=round_ref(application),
            decision=DecisionOut.of(application),
            steps=steps,
        )


def _operator_step(function):
    def endpoint(
        application_id: Id, body: ApplicationVersionIn, request: Request, actor: Actor = Depends(api_access(OPERATORS))
    ):
        with database(request).transaction() as session:
            return ApplicationOut.of(function(session, actor, application_id, body.version))

    return endpoint


for _path, _function, _summary in (
    ("start-check", screening.start_check, "Start the document check"),
    ("accept", screening.accept, "Accept (접수완료): the first open committee month with time to prepare"),
    ("start-expert-review", screening.start_expert_review, "Start the expert review"),
    ("send-to-committee", screening.send_to_committee, "Send to the committee (every expert opinion recorded)"),
    ("publish", screening.publish, "Publish a selected application as a service"),
):
    router.add_api_route(
        f"/applications/{{application_id}}/{_path}",
        _operator_step(_function),
        methods=["POST"],
        response_model=ApplicationOut,
        summary=_summary,
        name=f"application_{_path}",
    )


@router.post(
    "/applications/{application_id}/supplement-request",
    response_model=ApplicationOut,
    summary="Request a supplement, a reason per item",
)
def supplement(application_id: Id, body: SupplementIn, request: Request, actor: Actor = Depends(api_access(OPERATORS))):
    with database(request).transaction() as session:
        return ApplicationOut.of(screening.request_supplement(session, actor, application_id, body.version, body.items))


@router.put(
    "/applications/{application_id}/expert-opinions",
    response_model=ApplicationOut,
    summary="Record the expert opinion per criterion",
)
def opinions(application_id: Id, body: OpinionsIn, request: Request, actor: Actor = Depends(api_access(OPERATORS))):
    ballot = {c: (o.passes, o.comment) for c, o in body.opinions.items()}
    with database(request).transaction() as session:
        return ApplicationOut.of(screening.record_expert_opinions(session, actor, application_id, body.version, ballot))


@router.get(
    "/applications/{application_id}/expert-opinions",
    response_model=list[OpinionOut],
    summary="The expert opinions recorded, one per criterion, in the order of the criteria",
)
def read_opinions(application_id: Id, request: Request, actor: Actor = Depends(api_access(OPERATORS))):
    with database(request).reading() as session:
        application = access.visible_application(session, actor, application_id)
        return _opinions_out(screening.expert_opinions(session, application.id))


def _opinions_out(found: dict) -> list[OpinionOut]:
    return [
        OpinionOut(criterion=c, passes=found[c].passes, comment=found[c].comment, recorded_at=found[c].recorded_at)
        for c in Criterion
        if c in found
    ]


@router.post(
    "/applications/{application_id}/move",
    response_model=ApplicationOut,
    summary="Move to another committee month or into an open round (such as an extra round), with a reason",
)
def move(application_id: Id, body: MoveIn, request: Request, actor: Actor = Depends(api_access(OPERATORS))):
    with database(request).transaction() as session:
        moved = screening.move_to_round(
            session, actor, application_id, body.version, body.month, body.reason, round_id=body.round_id
        )
        return ApplicationOut.of(moved)


# --- committee rounds --------------------------------------------------------------------------------------


@router.get(
    "/rounds",
    response_model=Page[RoundOut],
    summary="Committee rounds: all (operator) or one's own (reviewer); the latest meeting first",
)
def list_rounds(
    request: Request,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    actor: Actor = Depends(api_access(COMMITTEE_SIDE)),
):
    with database(request).reading() as session:
        found = committee_rounds.rounds_for(session, actor)
        chosen, next_cursor = page(found, lambda r: (r.meeting_date, r.id), cursor, limit)
        items = [RoundOut.of(r, committee_rounds.round_applications(session, r)) for r in chosen]
        return Page(items=items, next_cursor=next_cursor)


@router.post(
    "/rounds",
    status_code=201,
    response_model=RoundOut,
    summary="Create the regular round of a month, or an extra round (수시 심사위원회) in the current month",
)
def create_round(body: RoundIn, request: Request, actor: Actor = Depends(api_access(OPERATORS))):
    with database(request).transaction() as session:
        created = committee_rounds.create_round(
            session,
            actor,
            number=body.number,
            month=body.month,
            meeting_date=body.meeting_date,
            member_ids=body.member_ids,
            kind=body.kind,
        )
        return RoundOut.of(created, committee_rounds.round_applications(session, created))


@router.get("/rounds/{round_id}", response_model=RoundOut, summary="One round")
def read_round(round_id: Id, request: Request, actor: Actor = Depends(api_access(COMMITTEE_SIDE))):
    with database(request).reading() as session:
        found = committee_rounds.round_for(session, actor, round_id)
        return RoundOut.of(found, committee_rounds.round_applications(session, found))


@router.post(
    "/rounds/{round_id}/close", response_model=RoundOut, summary="Close the round and decide (from its meeting date)"
)
def close_round(
    round_id: Id, body: ApplicationVersionIn, request: Request, actor: Actor = Depends(api_access(OPERATORS))
):
    with database(request).transaction() as session:
        closed = committee_decisions.close_round(session, actor, round_id, body.version)
        return RoundOut.of(closed, committee_rounds.round_applications(session, closed))


@router.put(
    "/rounds/{round_id}/applications/{application_id}/declaration",
    status_code=204,
    summary="Declare whether you have a relation to the supplier (once)",
)
def declare(
    round_id: Id,
    application_id: Id,
    body: DeclarationIn,
    request: Request,
    actor: Actor = Depends(api_access(REVIEWERS)),
):
    with database(request).transaction() as session:
        committee_votes.declare(session, actor, round_id, application_id, body.has_relation)
    return Response(status_code=204)


@router.get(
    "/rounds/{round_id}/applications/{application_id}",
    response_model=ApplicationOut,
    summary="An application of the round, after declaring no relation",
)
def reviewable(round_id: Id, application_id: Id, request: Request, actor: Actor = Depends(api_access(REVIEWERS))):
    with database(request).reading() as session:
        return ApplicationOut.of(committee_votes.reviewable_application(session, actor, round_id, application_id))


@router.get(
    "/rounds/{round_id}/applications/{application_id}/expert-opinions",
    response_model=list[OpinionOut],
    summary="The expert opinions on an application of the round, after declaring no relation",
)
def reviewable_opinions(
    round_id: Id, application_id: Id, request: Request, actor: Actor = Depends(api_access(REVIEWERS))
):
    with database(request).reading() as session:
        application = committee_votes.reviewable_application(session, actor, round_id, application_id)
        return _opinions_out(screening.expert_opinions(session, application.id))


@router.put(
    "/rounds/{round_id}/applications/{application_id}/votes",
    response_model=list[VoteOut],
    summary="Vote pass or fail per criterion (a fail needs a comment)",
)
def votes(
    round_id: Id, application_id: Id, body: BallotIn, request: Request, actor: Actor = Depends(api_access(REVIEWERS))
):
    ballot = {c: (o.passes, o.comment) for c, o in body.votes.items()}
    with database(request).transaction() as session:
        cast = committee_votes.cast_votes(session, actor, round_id, application_id, ballot)
        return [VoteOut(criterion=v.criterion, passes=v.passes, comment=v.comment) for v in cast]
