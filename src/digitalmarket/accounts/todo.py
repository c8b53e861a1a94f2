"""What waits for an administrator (할 일): accounts locked after repeated failed sign-ins, and
organisations nobody can sign in for (no active account); and for the operator, the company reviews
(business registration evidence, identity change requests) waiting for a decision; and for a supplier
that cannot apply, quote or sign now (a claim on its number is being decided, or it is not verified), one
item saying why and what to do."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.i18n import N_
from ..core.tables import utcnow
from ..core.todo import TodoGroup, TodoItem, TodoKind, group
from .credentials import LOCKOUT
from .review_tables import CompanyReview
from .tables import Organisation, User
from .verification import PROFILE_PATH, trade_block

LOCKED = TodoKind("locked_accounts", N_("Accounts locked after failed sign-ins"), "/admin")
COMPANY_REVIEWS = TodoKind(
    "company_reviews", N_("Company reviews: business registration evidence and changes"), "/operator/company-reviews"
)
CANNOT_TRADE = TodoKind("company_cannot_trade", N_("Your company cannot quote or sign for now"), PROFILE_PATH)
NO_ACCOUNT = TodoKind("organisations_without_account", N_("Organisations without an active account"), "/organisations")


def for_admin(session: Session, now: datetime | None = None) -> list[TodoItem]:
    now = now or utcnow()
    locked = session.execute(
        select(User.id, User.name, User.email, User.locked_until).where(User.is_active, User.locked_until > now)
    ).all()
    items = [
        TodoItem(
            LOCKED,
            f"{row.name} · {row.email}",
            "/admin",
            row.locked_until - timedelta(minutes=LOCKOUT.lock_minutes),
        )
        for row in locked
        if LOCKOUT.is_locked(row.locked_until, now)
    ]
    with_account = select(User.organisation_id).where(User.is_active)
    lonely = session.execute(
        select(Organisation.id, Organisation.name, Organisation.created_at).where(Organisation.id.not_in(with_account))
    ).all()
    items += [TodoItem(NO_ACCOUNT, row.name, f"/organisations/{row.id}", row.created_at) for row in lonely]
    return items


#: The administrator's kinds, in the order shown (``web/todo.py`` lists them for the role too).
KINDS = (LOCKED, NO_ACCOUNT)


def admin_groups(session: Session) -> list[TodoGroup]:
    """The administrator's to-do list, as the administration page shows it at its top."""
    return group(KINDS, for_admin(session))


def for_operator(session: Session) -> list[TodoItem]:
    """The company reviews waiting for the operator, oldest first."""
    rows = session.execute(
        select(CompanyReview.requested_at, Organisation.name)
        .join(Organisation, Organisation.id == CompanyReview.organisation_id)
        .where(CompanyReview.status == "pending")
        .order_by(CompanyReview.requested_at)
    ).all()
    return [TodoItem(COMPANY_REVIEWS, row.name, COMPANY_REVIEWS.href, row.requested_at) for row in rows]


def cannot_trade(session: Session, organisation_id: int) -> list[TodoItem]:
    """One item when the supplier cannot apply, quote or sign: why, and what to do; since the claim on its
    number was filed (or since the company signed up, while it is not verified)."""
    org = session.get(Organisation, organisation_id)
    block = trade_block(org)
    if block is None:
        return []
    return [TodoItem(CANNOT_TRADE, block, PROFILE_PATH, org.frozen_at or org.created_at)]
