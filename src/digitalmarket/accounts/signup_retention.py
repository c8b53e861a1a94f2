"""How long a sign-up nobody confirmed is kept: a pending sign-up or claim (`signing_up.py`, `claims.py`)
holds a person's name, e-mail address and password hash, and is of no use once its link has expired. The
daily run deletes those whose link expired more than `KEPT_AFTER_EXPIRY` ago (until then an old link still
says it has expired rather than that it is not valid) and records one audit event with how many it deleted
and their ids, nothing personal. Confirmed requests are the record of a company's sign-up and stay."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..core import audit
from ..core.clock import KST
from .review_tables import SignupRequest

KEPT_AFTER_EXPIRY = timedelta(days=7)


def purge_expired_signups(session: Session, today: date) -> int:
    """Delete the unconfirmed sign-up requests whose link expired more than a week before ``today`` (KST);
    returns how many, with an ``account.signup_requests_purged`` event when there were any."""
    cutoff = datetime.combine(today, time(0), KST) - KEPT_AFTER_EXPIRY
    expired = SignupRequest.confirmed_at.is_(None), SignupRequest.expires_at < cutoff
    ids = sorted(session.scalars(select(SignupRequest.id).where(*expired)))
    if not ids:
        return 0
    session.execute(delete(SignupRequest).where(SignupRequest.id.in_(ids)))
    audit.record(
        session,
        actor_user_id=None,
        action="account.signup_requests_purged",
        object_type="signup_request",
        object_id=today.isoformat(),
        details={"count": len(ids), "ids": ids, "expired_before": cutoff.isoformat()},
    )
    return len(ids)
