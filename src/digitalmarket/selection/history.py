"""An application's history: each step recorded as the application moves along the state machine (a
history row and an audit event, in the caller's transaction), the supplier told of it, and the history read
back: the timeline of steps and the committee's decision as the supplier is told it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.tables import User
from ..core import audit
from ..core.clock import today_kst
from ..core.errors import Conflict
from ..core.i18n import N_, Text
from ..core.notifications import notify
from ..core.tables import utcnow
from .rules import CRITERION_LABELS, SANCTION_REASON, Action, Criterion, move
from .tables import Application, ApplicationEvent

# --- recording a step ------------------------------------------------------------------------------------


def _supplier_user_ids(session: Session, organisation_id: int) -> list[int]:
    return list(session.scalars(select(User.id).where(User.organisation_id == organisation_id, User.is_active)))


def record_step(
    session: Session,
    application: Application,
    *,
    action: str,
    actor_user_id: int | None,
    to_state: str,
    reason: str | None = None,
    details: dict | None = None,
) -> ApplicationEvent:
    """One history row and one audit event, in the caller's transaction."""
    event = ApplicationEvent(
        application=application,
        action=action,
        from_state=application.state if application.id else None,
        to_state=to_state,
        actor_user_id=actor_user_id,
        reason=reason,
        details=details or {},
    )
    session.add(event)
    application.state = to_state
    application.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor_user_id=actor_user_id,
        action=f"application.{action}",
        object_type="application",
        object_id=application.id,
        details={"to": to_state, **({"reason": reason} if reason else {}), **(details or {})},
    )
    return event


def transition(
    session: Session,
    application: Application,
    action: Action,
    *,
    actor_user_id: int | None,
    version: int | None,
    reason: str | None = None,
    details: dict | None = None,
) -> Application:
    """Move an application along the state machine; 409 for a wrong state or a stale version."""
    new_state = move(application.state, action)
    if version is not None and application.version != version:
        raise Conflict()
    record_step(
        session,
        application,
        action=action,
        actor_user_id=actor_user_id,
        to_state=new_state,
        reason=reason,
        details=details,
    )
    return application


# --- telling the supplier -----------------------------------------------------------------------------------


def notify_supplier(session: Session, application: Application, message: Text) -> None:
    notify(
        session,
        _supplier_user_ids(session, application.supplier_id),
        message,
        f"/supplier/applications/{application.id}",
    )


def asked_supplement(application: Application) -> dict[str, str]:
    """The items of the application's last supplement request (an item: a group of fields or a document
    kind), each with the operator's reason; none before any request."""
    asked = next((e for e in reversed(application.events) if e.action == Action.REQUEST_SUPPLEMENT), None)
    return dict((asked.details or {}).get("items") or {}) if asked is not None else {}


def timeline(application: Application, now: datetime | None = None) -> list[dict]:
    """Every step with its date, actor, reason and how many days it took until the next step (or until now):
    days of the calendar in Korea, so a step taken on 12-02 and followed on 12-08 took 6 days, whatever the
    hours."""
    now = now or utcnow()
    steps = []
    events = list(application.events)
    for index, event in enumerate(events):
        until = events[index + 1].occurred_at if index + 1 < len(events) else now
        steps.append(
            {
                "action": event.action,
                "from_state": event.from_state,
                "to_state": event.to_state,
                "at": event.occurred_at,
                "actor": event.actor.name if event.actor else None,
                "actor_role": event.actor.role if event.actor else None,
                "reason": event.reason,
                "details": event.details,
                "days": (today_kst(until) - today_kst(event.occurred_at)).days,
                "current": index + 1 == len(events),
            }
        )
    return steps


def committee_decision(application: Application) -> dict | None:
    """What the supplier is told of the committee's decision: the outcome, the round, the day, and for each
    failed criterion the reasons the members wrote (without their names; the same text once)."""
    event = next((e for e in reversed(application.events) if e.action in (Action.SELECT, Action.REJECT)), None)
    if event is None:
        return None
    reasons = application.decision_reasons or {}
    order = [str(c) for c in Criterion] + sorted(set(reasons) - set(Criterion))
    failed = []
    for criterion in (c for c in order if c in reasons):
        texts = list(dict.fromkeys(r.strip() for r in reasons[criterion] or () if r and r.strip()))
        failed.append(
            {
                "criterion": criterion,
                "label": CRITERION_LABELS.get(criterion, Text(criterion)),
                "reasons": [SANCTION_TEXT if r == SANCTION_REASON else r for r in texts],
            }
        )
    return {
        "outcome": "selected" if event.action == Action.SELECT else "rejected",
        "round": (event.details or {}).get("round"),
        "decided_at": event.occurred_at,
        "failed": failed,
    }


SANCTION_TEXT = N_("The company was under an active sanction when the round closed.")
