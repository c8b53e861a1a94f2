"""부정당업자 제재: PPS records (or lifts) a supplier's sanction period, and whether a sanction is in force
today. Runs inside the caller's transaction: load, ask the rules, write, audit."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from ..core import audit
from ..core.clock import today_kst
from ..core.errors import Conflict, NotFound
from ..core.i18n import N_, Text
from . import rules
from .checks import fail_if
from .permissions import Actor
from .rules import OrganisationKind
from .tables import Organisation


def set_sanction(
    session: Session,
    actor: Actor,
    organisation_id: int,
    sanction_from: date | None,
    sanction_until: date | None,
    reason: str,
    version: int,
) -> Organisation:
    """부정당업자 제재: PPS records (or lifts, with both dates empty) a supplier's sanction period."""
    org = session.get(Organisation, organisation_id)
    if org is None or org.kind != OrganisationKind.SUPPLIER:
        raise NotFound()
    problems: dict[str, Text | None] = {"reason": rules.required_text_problem(reason, 500)}
    if (sanction_from is None) != (sanction_until is None):
        problems["sanction_until"] = N_("Give both the first and the last day, or neither.")
    elif sanction_from and sanction_until and sanction_from > sanction_until:
        problems["sanction_until"] = N_("The last day cannot be before the first day.")
    fail_if(problems)
    if org.version != version:
        raise Conflict()
    org.sanction_from, org.sanction_until = sanction_from, sanction_until
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="organisation.sanction_set",
        object_type="organisation",
        object_id=org.id,
        details={
            "from": sanction_from.isoformat() if sanction_from else None,
            "until": sanction_until.isoformat() if sanction_until else None,
            "reason": reason.strip(),
        },
    )
    return org


def sanction_is_active(org: Organisation) -> bool:
    return rules.sanction_active(org.sanction_from, org.sanction_until, today_kst())
