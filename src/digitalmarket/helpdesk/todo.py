"""What waits at the help desk (할 일): inquiries waiting for an operator's answer, the longest waiting
first, and for the person who asked, the answers to read."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.i18n import N_
from ..core.todo import TodoItem, TodoKind
from .rules import InquiryState
from .tables import Inquiry

WAITING = TodoKind("inquiries_to_answer", N_("Inquiries waiting for an answer"), "/operator/inquiries")
ANSWERED = TodoKind("inquiries_answered", N_("Answers to your inquiries"), "/help/inquiries")


def _rows(session: Session, *where):
    query = select(Inquiry.id, Inquiry.code, Inquiry.subject, Inquiry.last_message_at).where(*where)
    return session.execute(query).all()


def for_desk(session: Session) -> list[TodoItem]:
    """Every inquiry waiting for the operators, since its last message."""
    return [
        TodoItem(WAITING, f"{r.code} · {r.subject}", f"/operator/inquiries/{r.id}", r.last_message_at)
        for r in _rows(session, Inquiry.status == InquiryState.OPEN)
    ]


def for_user(session: Session, user_id: int) -> list[TodoItem]:
    """The user's own inquiries answered and not yet followed up or ended."""
    return [
        TodoItem(ANSWERED, f"{r.code} · {r.subject}", f"/help/inquiries/{r.id}", r.last_message_at)
        for r in _rows(session, Inquiry.user_id == user_id, Inquiry.status == InquiryState.ANSWERED)
    ]
