"""Use cases of reviews (이용후기): an agency that has used a service for at least 30 days under an order,
or whose order is completed, rates it 1-5 with a comment, once per order, and may edit or remove it;
the supplier answers once. Ratings feed the catalog (average per service, the "best rated" sort): the
search facts follow each rating's event (`digitalmarket.subscribers`) in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..accounts.permissions import Actor
from ..contracting.orders.access import organisation_users, side_of, visible_order
from ..contracting.tables import Order
from ..core import audit
from ..core.clock import today_kst
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.i18n import N_, Text
from ..core.notifications import notify
from ..core.tables import utcnow
from . import rules
from .tables import Review


def active_since(order: Order) -> date | None:
    """The first day of use: the start date, or the day of contracting when that came later."""
    if order.contracted_at is None:
        return None
    return max(order.start_date, today_kst(order.contracted_at))


def review_of_order(session: Session, order_id: int) -> Review | None:
    return session.scalar(select(Review).where(Review.order_id == order_id))


def refusal(order: Order, today: date | None = None) -> Text | None:
    """Why the agency cannot review this order yet, or None."""
    return rules.review_refusal(order.status, active_since(order), today or today_kst())


@dataclass(frozen=True)
class ReviewIn:
    rating: int | None
    comment: str


def _agency_order(session: Session, actor: Actor, order_id: int) -> Order:
    order = visible_order(session, actor, order_id)
    if side_of(actor, order) != "agency":
        raise NotFound()
    return order


def write(
    session: Session,
    actor: Actor,
    order_id: int,
    data: ReviewIn,
    version: int | None = None,
    now: datetime | None = None,
) -> Review:
    """The agency writes its review of the order's service, or edits it (``version``: the review's, read
    before editing; None for a new review)."""
    now = now or utcnow()
    order = _agency_order(session, actor, order_id)
    existing = review_of_order(session, order.id)
    if existing is None:
        why = refusal(order, today_kst(now))
        if why is not None:
            raise Conflict(why)
        if version is not None:
            raise Conflict()
    elif version is None:
        raise Conflict(
            N_(
                "This order already has your review (version %(version)s); edit it instead, sending that version.",
                version=existing.version,
            )
        )
    problems = rules.review_problems(data.rating, data.comment)
    if problems:
        raise ValidationFailed(fields=problems)
    if existing is not None and existing.version != version:
        raise Conflict()
    if existing is None:
        review = Review(
            order_id=order.id,
            service_id=order.service_id,
            agency_id=order.agency_id,
            author_id=actor.user_id,
            rating=data.rating,
            comment=data.comment.strip(),
            created_at=now,
            updated_at=now,
        )
        session.add(review)
        action = "review.created"
    else:
        review = existing
        review.rating, review.comment, review.updated_at = data.rating, data.comment.strip(), now
        action = "review.edited"
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action=action,
        object_type="review",
        object_id=review.id,
        details={"order": order.code, "rating": review.rating},
    )
    if action == "review.created":
        notify(
            session,
            organisation_users(session, order.supplier_id),
            N_(
                "%(agency)s reviewed %(service)s (%(rating)s/5). You may answer once.",
                agency=order.agency.name,
                service=order.service.name,
                rating=review.rating,
            ),
            f"/orders/{order.id}/review",
        )
    return review


def remove(session: Session, actor: Actor, order_id: int, version: int) -> None:
    """The agency removes its review."""
    order = _agency_order(session, actor, order_id)
    review = review_of_order(session, order.id)
    if review is None:
        raise NotFound()
    if review.version != version:
        raise Conflict()
    review_id, rating = review.id, review.rating
    session.delete(review)
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="review.removed",
        object_type="review",
        object_id=review_id,
        details={"order": order.code, "rating": rating},
    )


def answer(
    session: Session, actor: Actor, order_id: int, version: int, text: str, now: datetime | None = None
) -> Review:
    """The supplier answers the review of its order, once."""
    now = now or utcnow()
    order = visible_order(session, actor, order_id)
    if side_of(actor, order) != "supplier":
        raise NotFound()
    review = review_of_order(session, order.id)
    if review is None:
        raise NotFound()
    if review.answer is not None:
        raise Conflict(N_("The review is already answered; an answer is given once."))
    problem = rules.answer_problem(text)
    if problem:
        raise ValidationFailed(fields={"answer": problem})
    if review.version != version:
        raise Conflict()
    review.answer, review.answered_by, review.answered_at = text.strip(), actor.user_id, now
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="review.answered",
        object_type="review",
        object_id=review.id,
        details={"order": order.code},
    )
    notify(
        session,
        [review.author_id],
        N_(
            "%(supplier)s answered your review of %(service)s.",
            supplier=order.supplier.name,
            service=order.service.name,
        ),
        f"/orders/{order.id}/review",
    )
    return review


# --- what the catalog shows ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rating:
    average: float | None
    count: int


def rating_of(session: Session, service_id: int) -> Rating:
    count, total = session.execute(
        select(func.count(Review.id), func.coalesce(func.sum(Review.rating), 0)).where(Review.service_id == service_id)
    ).one()
    return Rating(round(total / count, 1) if count else None, count)


def reviews_of_service(session: Session, service_id: int) -> list[Review]:
    query = select(Review).where(Review.service_id == service_id)
    return list(session.scalars(query.order_by(Review.updated_at.desc(), Review.id.desc())))


def average_ratings(session: Session) -> dict[int, float]:
    """Per service, its average rating (one decimal)."""
    rows = session.execute(select(Review.service_id, func.avg(Review.rating)).group_by(Review.service_id))
    return {service_id: round(float(value), 1) for service_id, value in rows}
