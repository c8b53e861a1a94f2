"""Idempotency keys: an API client that sends a POST with an ``Idempotency-Key`` header gets the first answer
again when it sends the same request with the same key, instead of a second order, request or invoice.

A client whose connection broke before the answer came cannot tell whether its request was done; with a key
it sends it again and reads what happened. The key belongs to the caller's token and the path (another token,
or another path, is another key); a key sent again with another body is refused, so that a mistaken reuse
never passes for a retry. Answers kept: successes and the refusals that would be given again (400, 404, 422);
not a conflict, a rate limit or a busy database, which a retry may get past. Keys are kept 24 hours, then
deleted; a request still without an answer after ten minutes (its worker died) may be taken over by its
retry. The web layer applies it (`web.idempotency`); docs/api.md, "Retries".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Index, Integer, LargeBinary, String, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from .database import Database
from .tables import Base, UTCDateTime, utcnow

KEY_MAX = 255
KEPT = timedelta(hours=24)
RUNNING = timedelta(minutes=10)  # far past any request's bounds (statements stop at 30 s): its worker died
#: Statuses whose answer a retry gets again; any other (a conflict, a rate limit, a busy database, a server
#: error) lets the retry run the request anew.
KEPT_STATUSES = frozenset({200, 201, 202, 204, 400, 404, 422})


class IdempotentRequest(Base):
    """A request sent with an ``Idempotency-Key``: who sent it where (``scope``), what it sent and, once
    answered, the answer kept for its retries."""

    __tablename__ = "idempotent_requests"
    __table_args__ = (
        UniqueConstraint("scope", "key", name="uq_idempotent_requests_key"),
        Index("ix_idempotent_requests_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(64), nullable=False)  # SHA-256 of the token and the path
    key: Mapped[str] = mapped_column(String(KEY_MAX), nullable=False)
    request_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[int | None] = mapped_column(Integer)  # None while it runs
    media_type: Mapped[str | None] = mapped_column(String(100))
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


@dataclass(frozen=True)
class Claim:
    """What to do with a keyed request: ``run`` it (``row_id`` keeps its answer), ``replay`` the kept answer,
    or refuse it: the first is still ``running``, or the key came with another request (``mismatch``)."""

    outcome: str
    row_id: int | None = None
    status: int | None = None
    media_type: str | None = None
    body: bytes | None = None


def claim(db: Database, scope: str, key: str, request_sha256: str, now: datetime | None = None) -> Claim:
    """Claim ``key`` for a request (`Claim`); a key last used more than `KEPT` ago is used afresh."""
    now = now or utcnow()
    try:
        with db.transaction() as session:
            query = select(IdempotentRequest).where(IdempotentRequest.scope == scope, IdempotentRequest.key == key)
            row = session.scalar(query.with_for_update())
            if row is None or now - row.created_at > KEPT:
                if row is None:
                    session.execute(delete(IdempotentRequest).where(IdempotentRequest.created_at < now - KEPT))
                    row = IdempotentRequest(scope=scope, key=key)
                    session.add(row)
                row.request_sha256, row.status, row.media_type, row.body = request_sha256, None, None, None
                row.created_at = now
                session.flush()
                return Claim("run", row.id)
            if row.request_sha256 != request_sha256:
                return Claim("mismatch")
            if row.status is None:
                if now - row.created_at <= RUNNING:
                    return Claim("running")
                row.created_at = now  # its worker died: this retry takes it over
                return Claim("run", row.id)
            return Claim("replay", row.id, row.status, row.media_type, row.body)
    except IntegrityError:  # the same key claimed at this moment by another request
        return Claim("running")


def keep(db: Database, row_id: int, status: int, media_type: str | None, body: bytes) -> None:
    """Keep the answer of a claimed request for its retries, or forget the claim when a retry should run the
    request again (`KEPT_STATUSES`)."""
    with db.transaction() as session:
        row = session.get(IdempotentRequest, row_id)
        if row is None:
            return
        if status in KEPT_STATUSES:
            row.status, row.media_type, row.body = status, media_type, body
        else:
            session.delete(row)


def forget(db: Database, row_id: int) -> None:
    """Forget a claim whose request failed without an answer: its retry runs it again."""
    with db.transaction() as session:
        row = session.get(IdempotentRequest, row_id)
        if row is not None:
            session.delete(row)
