"""The award decision record (낙찰 결정 기록): one frozen snapshot per awarded quote request.

The snapshot is written in the award's own transaction, whatever code awards (the API, the page, a
script calling `quotes.awarding.award`): setting a quote request's ``status`` to ``awarded`` marks the request in
its session, and just before that transaction commits `decision_record.freeze` builds the record from
the rows as they are then (searches, quotes, declines, the award and its reason) and adds it. If the
award fails, the transaction rolls back and no record is kept. A record is never changed or removed
afterwards (the mapper refuses), so renaming a service or a plan later changes nothing in it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column, object_session

from ..core.tables import Base, UTCDateTime, utcnow
from .tables import QuoteRequest

#: Where a session keeps the requests awarded in its current transaction (their ids).
_AWARDED = "decision_record.awarded_requests"


class AwardDecisionRecord(Base):
    """낙찰 결정 기록: what the buyer looked at and why the supplier was chosen, frozen at the award."""

    __tablename__ = "award_decision_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("quote_requests.id"), nullable=False, unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), unique=True)
    data: Mapped[dict] = mapped_column(JSON, nullable=False)  # see decision_record.build
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)  # of the canonical JSON of ``data``
    frozen_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class DecisionRecordIsFrozen(RuntimeError):
    """A decision record was about to be changed or removed."""


@event.listens_for(AwardDecisionRecord, "before_update")
def _refuse_update(mapper, connection, target) -> None:
    raise DecisionRecordIsFrozen(f"the decision record of quote request {target.request_id} cannot change")


@event.listens_for(AwardDecisionRecord, "before_delete")
def _refuse_delete(mapper, connection, target) -> None:
    raise DecisionRecordIsFrozen(f"the decision record of quote request {target.request_id} cannot be removed")


@event.listens_for(QuoteRequest.status, "set")
def _mark_award(target: QuoteRequest, value, oldvalue, initiator) -> None:
    """A request set to ``awarded`` gets its record when its transaction commits (nothing else costs)."""
    if value == "awarded" and oldvalue != "awarded":
        session = object_session(target)
        if session is not None:
            session.info.setdefault(_AWARDED, set()).add(target)


@event.listens_for(Session, "before_commit")
def _freeze_awards(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint ends: the award's transaction goes on
        return
    awarded = session.info.pop(_AWARDED, None)
    if not awarded:
        return
    from .quotes.decision_record import freeze  # the record's builder reads catalog and contracting rows

    for request in sorted(awarded, key=lambda r: r.id or 0):
        if request.status == "awarded":
            freeze(session, request)


@event.listens_for(Session, "after_soft_rollback")
def _forget_awards(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested:  # a savepoint rolled back: the award's transaction goes on
        session.info.pop(_AWARDED, None)
