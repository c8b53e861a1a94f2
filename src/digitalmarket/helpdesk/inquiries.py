"""Use cases of inquiries (문의): a signed-in user asks the operator, an operator answers, the user follows
up and the operator answers again, until either side closes the thread.

Every function runs inside the caller's transaction and records an audit event and notifications there.
A user sees only their own inquiries (another user's is a 404); operators see every inquiry, in a queue
with those waiting for an answer first, the longest waiting first.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from ..accounts.permissions import Actor
from ..accounts.rules import Role
from ..accounts.tables import User
from ..core import audit
from ..core.clock import today_kst
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.i18n import N_, Text
from ..core.ids import next_code
from ..core.notifications import notify as _notify
from ..core.tables import utcnow
from . import rules
from .rules import InquiryAction, InquiryState
from .tables import Inquiry, InquiryMessage

KIND = "community"  # the notification kind of the help desk (see core.notifications)


def notify(session: Session, user_ids, message: Text, link: str) -> int:
    """Notifications of the help desk (their kind: demand notices and inquiries)."""
    return _notify(session, user_ids, message, link, kind=KIND)


def operator_ids(session: Session, but: int | None = None) -> list[int]:
    """Every active operator (the help desk), optionally without one of them."""
    query = select(User.id).where(User.role == Role.OPERATOR, User.is_active)
    return [user_id for user_id in session.scalars(query) if user_id != but]


def is_operator(actor: Actor) -> bool:
    return actor.role == Role.OPERATOR


def own_inquiry(session: Session, actor: Actor, inquiry_id: int) -> Inquiry:
    """The caller's own inquiry (anyone else's: 404)."""
    inquiry = session.get(Inquiry, inquiry_id)
    if inquiry is None or inquiry.user_id != actor.user_id:
        raise NotFound()
    return inquiry


def desk_inquiry(session: Session, actor: Actor, inquiry_id: int) -> Inquiry:
    """Any inquiry, for an operator (anyone else: 404)."""
    inquiry = session.get(Inquiry, inquiry_id)
    if inquiry is None or not is_operator(actor):
        raise NotFound()
    return inquiry


def visible_inquiry(session: Session, actor: Actor, inquiry_id: int) -> Inquiry:
    return desk_inquiry(session, actor, inquiry_id) if is_operator(actor) else own_inquiry(session, actor, inquiry_id)


def inquiries_of(session: Session, actor: Actor) -> list[Inquiry]:
    query = select(Inquiry).where(Inquiry.user_id == actor.user_id)
    return list(session.scalars(query.order_by(Inquiry.last_message_at.desc(), Inquiry.id.desc())))


def queue(session: Session, status: str | None = None, limit: int = 200) -> list[Inquiry]:
    """The operators' queue: waiting for an answer first, then answered, then closed; within each, the
    longest waiting first (closed ones: the latest first)."""
    order = case((Inquiry.status == InquiryState.OPEN, 0), (Inquiry.status == InquiryState.ANSWERED, 1), else_=2)
    query = select(Inquiry)
    if status:
        query = query.where(Inquiry.status == status)
    waiting = case((Inquiry.status == InquiryState.CLOSED, None), else_=Inquiry.last_message_at)
    query = query.order_by(order, waiting.asc(), Inquiry.last_message_at.desc(), Inquiry.id)
    return list(session.scalars(query.limit(limit)))


def _link_for_user(inquiry: Inquiry) -> str:
    return f"/help/inquiries/{inquiry.id}"


def _link_for_desk(inquiry: Inquiry) -> str:
    return f"/operator/inquiries/{inquiry.id}"


def _add_message(session: Session, inquiry: Inquiry, actor: Actor, body: str, now: datetime) -> InquiryMessage:
    message = InquiryMessage(
        inquiry=inquiry, author_id=actor.user_id, from_operator=is_operator(actor), body=body.strip(), created_at=now
    )
    session.add(message)
    inquiry.last_message_at = now
    return message


def _body_problem(body: str) -> None:
    problem = rules.text_problem(body, rules.MAX_BODY)
    if problem:
        raise ValidationFailed(fields={"body": problem})


def ask(session: Session, actor: Actor, subject: str, category: str, body: str, now: datetime | None = None) -> Inquiry:
    """A new inquiry; every operator is told."""
    now = now or utcnow()
    problems = rules.inquiry_problems(subject, category, body)
    if problems:
        raise ValidationFailed(fields=problems)
    inquiry = Inquiry(
        code=next_code(session, "INQ", today_kst(now).year),
        user_id=actor.user_id,
        organisation_id=actor.organisation_id,
        subject=subject.strip(),
        category=category,
        status=InquiryState.OPEN,
        created_at=now,
        last_message_at=now,
    )
    session.add(inquiry)
    _add_message(session, inquiry, actor, body, now)
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="inquiry.asked",
        object_type="inquiry",
        object_id=inquiry.id,
        details={"code": inquiry.code, "category": category},
    )
    notify(
        session,
        operator_ids(session, but=actor.user_id),
        N_("New inquiry %(code)s: %(subject)s", code=inquiry.code, subject=inquiry.subject),
        _link_for_desk(inquiry),
    )
    return inquiry


def _step(
    session: Session,
    actor: Actor,
    inquiry: Inquiry,
    version: int,
    action: InquiryAction,
    body: str | None,
    now: datetime,
) -> None:
    new_state = rules.move("inquiry", inquiry.status, action)
    if body is not None:
        _body_problem(body)
    if inquiry.version != version:
        raise Conflict()
    inquiry.status = new_state
    inquiry.closed_at = now if new_state == InquiryState.CLOSED else None
    if body is not None:
        _add_message(session, inquiry, actor, body, now)
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action=f"inquiry.{action.value}",
        object_type="inquiry",
        object_id=inquiry.id,
        details={"status": new_state.value, "messages": len(inquiry.messages)},
    )


def _answerers(inquiry: Inquiry) -> list[int]:
    return sorted({m.author_id for m in inquiry.messages if m.from_operator})


def follow_up(
    session: Session, actor: Actor, inquiry_id: int, version: int, body: str, now: datetime | None = None
) -> Inquiry:
    """The user writes again: the inquiry is open again, waiting for the operator."""
    now = now or utcnow()
    inquiry = own_inquiry(session, actor, inquiry_id)
    _step(session, actor, inquiry, version, InquiryAction.FOLLOW_UP, body, now)
    notify(
        session,
        operator_ids(session, but=actor.user_id),
        N_("%(name)s wrote again on inquiry %(code)s.", name=actor.name, code=inquiry.code),
        _link_for_desk(inquiry),
    )
    return inquiry


def answer(
    session: Session, actor: Actor, inquiry_id: int, version: int, body: str, now: datetime | None = None
) -> Inquiry:
    """An operator answers; the user is told."""
    now = now or utcnow()
    inquiry = desk_inquiry(session, actor, inquiry_id)
    _step(session, actor, inquiry, version, InquiryAction.ANSWER, body, now)
    notify(
        session,
        [inquiry.user_id],
        N_("Your inquiry %(code)s is answered.", code=inquiry.code),
        _link_for_user(inquiry),
    )
    return inquiry


def close(session: Session, actor: Actor, inquiry_id: int, version: int, now: datetime | None = None) -> Inquiry:
    """The user or an operator closes the inquiry; the other side is told. A follow-up reopens it."""
    now = now or utcnow()
    inquiry = visible_inquiry(session, actor, inquiry_id)
    _step(session, actor, inquiry, version, InquiryAction.CLOSE, None, now)
    message: Text = N_("Inquiry %(code)s is closed.", code=inquiry.code)
    if is_operator(actor):
        notify(session, [inquiry.user_id], message, _link_for_user(inquiry))
    else:
        notify(session, [u for u in _answerers(inquiry) if u != actor.user_id], message, _link_for_desk(inquiry))
    return inquiry
