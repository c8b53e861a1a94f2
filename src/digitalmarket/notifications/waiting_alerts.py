"""Reminders of applications waiting: one longer in its document check or its expert review than the
target days of the step (``DM_TARGET_*_DAYS``) is announced to the operators, once per stay in the step."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.rules import Role
from ..core.clock import KST
from ..core.i18n import N_, Text
from ..core.settings import Settings
from ..selection.rules import State
from ..selection.tables import Application
from .alerts import active_users, alert
from .rules import waited_too_long


def _document_check_late(**params) -> Text:
    return N_(
        "Application %(id)s (%(name)s) has waited %(days)s days for its document check, longer than the "
        "target of %(target)s days.",
        **params,
    )


def _expert_review_late(**params) -> Text:
    return N_(
        "Application %(id)s (%(name)s) has been in expert review for %(days)s days, longer than the "
        "target of %(target)s days.",
        **params,
    )


#: step -> (the states of the step, the state whose entry starts the clock, the message)
WAITING_STEPS = {
    "document_check": ((State.SUBMITTED, State.DOCUMENT_CHECK), State.SUBMITTED, _document_check_late),
    "expert_review": ((State.EXPERT_REVIEW,), State.EXPERT_REVIEW, _expert_review_late),
}


def targets(settings: Settings | None) -> dict[str, int]:
    """Days an application may spend in each step (``DM_TARGET_*_DAYS``)."""
    return {
        "document_check": settings.target_document_check_days if settings else Settings.target_document_check_days,
        "expert_review": settings.target_expert_review_days if settings else Settings.target_expert_review_days,
    }


def waiting_application_alerts(session: Session, today: date, settings: Settings | None = None) -> int:
    """Applications waiting longer than the target of their step: the operators, once per stay in it."""
    sent = 0
    target_days = targets(settings)
    operators = active_users(session, role=Role.OPERATOR)
    for step, (states, start_state, message) in WAITING_STEPS.items():
        waiting = session.scalars(
            select(Application).where(Application.state.in_([str(s) for s in states])).order_by(Application.id)
        ).all()
        for application in waiting:
            entered = [e.occurred_at for e in application.events if e.to_state == start_state]
            if not entered:
                continue
            since = entered[-1].astimezone(KST).date()
            if not waited_too_long(since, today, target_days[step]):
                continue
            sent += alert(
                session,
                today,
                kind="application_waiting",
                object_key=f"application:{application.id}:{step}:{since.isoformat()}",
                threshold="late",  # once per stay in the step, even if the target changes meanwhile
                messages=[
                    (
                        operators,
                        message(
                            id=application.id,
                            name=application.name,
                            days=(today - since).days,
                            target=target_days[step],
                        ),
                        f"/operator/applications/{application.id}",
                    )
                ],
            )
    return sent
