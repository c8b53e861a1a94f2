"""Selection steps that cannot be undone, each asked on a page of its own before it is taken.

The operator closes a committee round, accepts an application (접수완료) and publishes a selected service;
the supplier removes a document and withdraws an application. Each GET route here shows what the step
will do to this object and what cannot be undone, with a form posting to the step's route (unchanged,
in `operator_pages`, `operator_round_pages` and `pages`). Showing the page writes nothing. When the step is
no longer possible (the round is closed, the application moved on), the GET leads back to the object's page.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from ..accounts.access import database, page_access
from ..accounts.permissions import SUPPLIERS, Actor, roles
from ..accounts.rules import Role
from ..core import confirmation
from ..core.clock import today_kst
from ..core.confirmation import Confirmation, ReasonField
from ..core.errors import NotFound
from ..core.formatting import file_size, kst_date
from ..core.i18n import N_
from ..core.paths import Id
from ..core.templating import csrf_protect
from . import access, committee_decisions, committee_rounds, months, screening
from .rules import (
    DOCUMENT_LABELS,
    EDITABLE_STATES,
    Action,
    State,
    allowed_actions,
    closable_on,
    quorum_of,
    required_documents,
)

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
STAFF_PAGE = page_access(roles(Role.OPERATOR, Role.ADMIN))
SUPPLIER_PAGE = page_access(SUPPLIERS)


def _names(applications) -> str:
    return ", ".join(a.name or str(a.id) for a in applications)


def page(request: Request, actor: Actor, confirm: Confirmation, *, errors=None, values=None, status: int = 200):
    """Render a confirmation page (also again after a failed POST, with its errors)."""
    return confirmation.show(request, confirm, actor=actor, errors=errors, values=values, status=status)


def again(request: Request, actor: Actor, build, *args, errors: dict, values: dict, status: int):
    """After a failed POST: the confirmation page again with the errors, or None when the step is no
    longer possible (then the object's page tells why)."""
    with database(request).reading() as session:
        confirm = build(session, actor, *args)
    if confirm is None:
        return None
    return page(request, actor, confirm, errors=errors, values=values, status=status)


# --- the operator -------------------------------------------------------------------------------------------------


def round_close(session, round_id: int) -> Confirmation | None:
    """Closing a round: every application of it decided now, as the round page previews."""
    committee_round = committee_rounds.load_round(session, round_id)
    if committee_round.is_closed or not closable_on(committee_round.meeting_date, today_kst()):
        return None
    outcomes: dict[str, list] = {"selected": [], "rejected": [], "moved": []}
    applications = committee_rounds.round_applications(session, committee_round)
    for application in applications:
        outcome = committee_decisions.preview(session, committee_round, application).outcome
        ready = application.state == State.COMMITTEE
        outcomes[outcome if ready and outcome in ("selected", "rejected") else "moved"].append(application)
    happens = [N_("Applications decided in this round: %(count)s.", count=len(applications))]
    if outcomes["selected"]:
        happens.append(N_("Selected: %(names)s.", names=_names(outcomes["selected"])))
    if outcomes["rejected"]:
        happens.append(N_("Not selected: %(names)s.", names=_names(outcomes["rejected"])))
    if outcomes["moved"]:
        happens.append(
            N_(
                "Moved to the next month (no quorum, or not sent to the committee): %(names)s.",
                names=_names(outcomes["moved"]),
            )
        )
    happens.append(N_("Each supplier is notified of its decision, with the reasons of every failed criterion."))
    members = len(committee_round.members)
    return Confirmation(
        question=N_("Close committee round %(number)s?", number=committee_round.number),
        subject=N_(
            "Committee round %(number)s (%(month)s)", number=committee_round.number, month=committee_round.month
        ).render(),
        facts=[
            (N_("Meeting date"), kst_date(committee_round.meeting_date)),
            (
                N_("Quorum"),
                N_(
                    "%(quorum)s of %(members)s members (two thirds)", quorum=quorum_of(members), members=members
                ).render(),
            ),
        ],
        happens=happens,
        irreversible=N_(
            "Once closed, the round cannot be opened again: the votes and the decisions are final, and "
            "nothing can be added to this round."
        ),
        action=f"/operator/rounds/{round_id}/close",
        hidden={"version": committee_round.version},
        button=N_("Close the round now"),
        back=f"/operator/rounds/{round_id}",
    )


def application_accept(session, actor: Actor, application_id: int) -> Confirmation | None:
    """Accepting (접수완료): the committee month it goes to, the supplier told, no way back to a supplement."""
    application = access.visible_application(session, actor, application_id)
    if Action.ACCEPT not in allowed_actions(State(application.state)):
        return None
    month = screening.acceptance_month(session)
    committee_round = months.regular_round(session, month)
    happens = [
        N_("The application goes to the committee of %(month)s.", month=month)
        if committee_round is None
        else N_(
            "The application goes to the committee of %(month)s, which meets on %(date)s.",
            month=month,
            date=kst_date(committee_round.meeting_date),
        ),
        N_("%(supplier)s is notified that the application is accepted.", supplier=application.supplier.name),
        N_("The expert pre-review comes next."),
    ]
    return Confirmation(
        question=N_("Accept this application (접수완료)?"),
        subject=f"{application.name or application.id} · {application.supplier.name}",
        facts=[
            (N_("Submitted on"), kst_date(application.submitted_at)),
            (N_("Documents"), N_("%(count)s files", count=len(application.documents)).render()),
        ],
        happens=happens,
        irreversible=N_(
            "Once accepted, the application cannot go back to the document check: you can no longer ask for a "
            "supplement, and the supplier can neither change nor withdraw it."
        ),
        action=f"/operator/applications/{application_id}/accept",
        hidden={"version": application.version},
        button=N_("Accept the application"),
        back=f"/operator/applications/{application_id}",
    )


def application_publish(session, actor: Actor, application_id: int) -> Confirmation | None:
    """Publishing a selected service: a public code, visible to every agency, the supplier told."""
    application = access.visible_application(session, actor, application_id)
    if Action.PUBLISH not in allowed_actions(State(application.state)):
        return None
    plans = (application.content or {}).get("price_plans") or []
    return Confirmation(
        question=N_("Publish this service in the catalog?"),
        subject=f"{application.name or application.id} · {application.supplier.name}",
        happens=[
            N_("%(name)s gets its public service code (SAS-…).", name=application.name or ""),
            N_(
                "The service and its %(count)s price plans become public: every agency finds it in the catalog and "
                "search, and the open data publishes it.",
                count=len(plans),
            ),
            N_("%(supplier)s is notified with the code.", supplier=application.supplier.name),
        ],
        irreversible=N_(
            "A published service cannot be unpublished: its code and its publication stay for good. Later it "
            "can only be suspended, with a reason."
        ),
        action=f"/operator/applications/{application_id}/publish",
        hidden={"version": application.version},
        button=N_("Publish the service now"),
        back=f"/operator/applications/{application_id}",
    )


@router.get("/operator/rounds/{round_id}/close")
def operator_round_close_confirm(request: Request, round_id: Id, actor: Actor = Depends(STAFF_PAGE)):
    with database(request).reading() as session:
        confirm = round_close(session, round_id)
        if confirm is None:
            return RedirectResponse(f"/operator/rounds/{round_id}", status_code=303)
        return page(request, actor, confirm)


@router.get("/operator/applications/{application_id}/accept")
def operator_accept_confirm(request: Request, application_id: Id, actor: Actor = Depends(STAFF_PAGE)):
    with database(request).reading() as session:
        confirm = application_accept(session, actor, application_id)
        if confirm is None:
            return RedirectResponse(f"/operator/applications/{application_id}", status_code=303)
        return page(request, actor, confirm)


@router.get("/operator/applications/{application_id}/publish")
def operator_publish_confirm(request: Request, application_id: Id, actor: Actor = Depends(STAFF_PAGE)):
    with database(request).reading() as session:
        confirm = application_publish(session, actor, application_id)
        if confirm is None:
            return RedirectResponse(f"/operator/applications/{application_id}", status_code=303)
        return page(request, actor, confirm)


# --- the supplier -------------------------------------------------------------------------------------------------


def document_remove(session, actor: Actor, application_id: int, document_id: int) -> Confirmation | None:
    """Removing an attached file: which one, and whether the application then misses a required document."""
    application = access.own_application(session, actor, application_id)
    document = next((d for d in application.documents if d.id == document_id), None)
    if document is None:
        raise NotFound()
    back = f"/supplier/applications/{application_id}/steps/4"
    if application.state not in EDITABLE_STATES:
        return None
    label = DOCUMENT_LABELS[document.kind]
    happens = [N_("%(file)s is removed from the application.", file=document.filename)]
    others = [d for d in application.documents if d.kind == document.kind and d.id != document.id]
    if document.kind in required_documents((application.content or {}).get("type")) and not others:
        happens.append(
            N_(
                "The %(document)s is required: the application cannot be submitted until you attach it again.",
                document=label,
            )
        )
    return Confirmation(
        question=N_("Remove this document?"),
        subject=f"{document.filename} · {application.name or application.id}",
        facts=[
            (N_("Kind of document"), label.render()),
            (N_("Size"), file_size(document.size)),
            (N_("Attached"), kst_date(document.uploaded_at)),
        ],
        happens=happens,
        irreversible=N_("A removed file cannot be brought back. To use it again, attach it again from your computer."),
        action=f"/supplier/applications/{application_id}/documents/{document_id}/remove",
        button=N_("Remove the document"),
        back=f"{back}#doc-{document.kind}",
    )


def application_withdraw(session, actor: Actor, application_id: int) -> Confirmation | None:
    """Withdrawing: the application stops for good; a new one can be started."""
    application = access.own_application(session, actor, application_id)
    if Action.WITHDRAW not in allowed_actions(State(application.state)):
        return None
    return Confirmation(
        question=N_("Withdraw this application?"),
        subject=application.name or str(application.id),
        happens=[
            N_("The application stops here: the operator no longer reviews it and it goes to no committee."),
            N_("It stays in your list of applications as withdrawn."),
        ],
        irreversible=N_("A withdrawn application cannot be submitted again; you can start a new one at any time."),
        action=f"/supplier/applications/{application_id}/withdraw",
        hidden={"version": application.version},
        button=N_("Withdraw the application now"),
        back=f"/supplier/applications/{application_id}",
        reason=ReasonField("reason", N_("Reason (optional)"), required=False),
    )


@router.get("/supplier/applications/{application_id}/documents/{document_id}/remove")
def supplier_document_remove_confirm(
    request: Request, application_id: Id, document_id: Id, actor: Actor = Depends(SUPPLIER_PAGE)
):
    with database(request).reading() as session:
        confirm = document_remove(session, actor, application_id, document_id)
        if confirm is None:
            return RedirectResponse(f"/supplier/applications/{application_id}", status_code=303)
        return page(request, actor, confirm)


@router.get("/supplier/applications/{application_id}/withdraw")
def supplier_withdraw_confirm(request: Request, application_id: Id, actor: Actor = Depends(SUPPLIER_PAGE)):
    with database(request).reading() as session:
        confirm = application_withdraw(session, actor, application_id)
        if confirm is None:
            return RedirectResponse(f"/supplier/applications/{application_id}", status_code=303)
        return page(request, actor, confirm)
