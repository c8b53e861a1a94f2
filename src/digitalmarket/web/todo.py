"""What waits for each role (할 일): the stage queries that make a role's to-do list, in one readable list.

The workspace pages show the groups at their top and ``GET /api/v1/me/tasks`` gives the same groups.
Each entry of `ROLE_TODO` names a kind list (the order the groups appear in) and the stage queries that
fill it for an actor on a day (KST); a kind without items stays in the list with a count of 0. A supplier
that cannot quote or sign for now (a claim on its number is being decided, or it is not verified) gets one
card saying why and what to do instead of the quote requests and contracts it cannot act on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from ..accounts import todo as accounts_todo
from ..accounts.permissions import Actor
from ..accounts.rules import Role
from ..community import todo as community_todo
from ..contracting import todo as contracting_todo
from ..core.settings import Settings
from ..core.todo import TodoGroup, TodoItem, TodoKind, group
from ..helpdesk import todo as helpdesk_todo
from ..selection import todo as selection_todo
from ..settlement import todo as settlement_todo


@dataclass(frozen=True)
class Context:
    """What a stage query may need: the session, the actor, the day in Korea and the settings."""

    session: Session
    actor: Actor
    today: date
    settings: Settings | None


Query = Callable[[Context], list[TodoItem]]

_AGENCY, _SUPPLIER = contracting_todo.CONFIRM["agency"], contracting_todo.CONFIRM["supplier"]


def _targets(settings: Settings | None) -> dict[str, int]:
    """The operator's targets per step (``DM_TARGET_*_DAYS``), as the daily reminders read them."""
    source = settings or Settings
    return {
        "document_check": source.target_document_check_days,
        "expert_review": source.target_expert_review_days,
    }


#: role -> (the kinds, in the order shown; the stage queries that fill them)
ROLE_TODO: dict[Role, tuple[tuple[TodoKind, ...], tuple[Query, ...]]] = {
    Role.SUPPLIER: (
        (
            accounts_todo.CANNOT_TRADE,
            selection_todo.SUPPLEMENT,
            contracting_todo.ANSWER,
            _SUPPLIER[0],
            _SUPPLIER[1],
            contracting_todo.SUPPLEMENT,
            settlement_todo.REPORT,
            settlement_todo.CORRECT,
            settlement_todo.CLAIM,
            helpdesk_todo.ANSWERED,
            community_todo.MATCHING,
        ),
        (
            lambda c: accounts_todo.cannot_trade(c.session, c.actor.organisation_id),
            lambda c: selection_todo.for_supplier(c.session, c.actor.organisation_id),
            lambda c: contracting_todo.quotes_to_answer(c.session, c.actor.organisation_id),
            lambda c: contracting_todo.orders_to_confirm(c.session, "supplier", c.actor.organisation_id),
            lambda c: contracting_todo.catalog_supplements(c.session, c.actor.organisation_id),
            lambda c: settlement_todo.for_supplier(c.session, c.actor.organisation_id, c.today),
            lambda c: helpdesk_todo.for_user(c.session, c.actor.user_id),
            lambda c: community_todo.for_supplier(c.session, c.actor.organisation_id),
        ),
    ),
    Role.AGENCY_BUYER: (
        (
            settlement_todo.PAY,
            settlement_todo.INSPECT,
            contracting_todo.AWARD,
            _AGENCY[0],
            _AGENCY[1],
            helpdesk_todo.ANSWERED,
            community_todo.INTERESTED,
        ),
        (
            lambda c: settlement_todo.for_agency(c.session, c.actor.organisation_id, c.today),
            lambda c: contracting_todo.quotes_to_award(c.session, c.actor.organisation_id),
            lambda c: contracting_todo.orders_to_confirm(c.session, "agency", c.actor.organisation_id),
            lambda c: helpdesk_todo.for_user(c.session, c.actor.user_id),
            lambda c: community_todo.for_agency(c.session, c.actor.organisation_id),
        ),
    ),
    Role.OPERATOR: (
        (
            selection_todo.SCREEN,
            selection_todo.RETURNED,
            selection_todo.EXPERT,
            selection_todo.PUBLISH,
            selection_todo.NO_ROUND,
            selection_todo.CLOSE,
            settlement_todo.OVERDUE,
            helpdesk_todo.WAITING,
            accounts_todo.COMPANY_REVIEWS,
        ),
        (
            lambda c: selection_todo.for_operator(c.session, c.today, _targets(c.settings)),
            lambda c: settlement_todo.for_operator(c.session, c.today),
            lambda c: helpdesk_todo.for_desk(c.session),
            lambda c: accounts_todo.for_operator(c.session),
        ),
    ),
    Role.REVIEWER: (
        (selection_todo.DECLARE, selection_todo.VOTE),
        (lambda c: selection_todo.for_reviewer(c.session, c.actor.user_id),),
    ),
    Role.CONTRACTING_OFFICER: (
        (contracting_todo.QUEUE, contracting_todo.CHANGE_REQUESTS),
        (lambda c: contracting_todo.for_officer(c.session),),
    ),
    Role.ADMIN: (
        accounts_todo.KINDS,
        (lambda c: accounts_todo.for_admin(c.session),),
    ),
}


#: What a supplier that cannot quote or sign has no way to act on (`accounts.verification.refuse_unless_verified`
#: refuses answering a quote and confirming a contract or its change); the card of `accounts_todo.CANNOT_TRADE`
#: replaces them.
_NEEDS_TRADE = frozenset({contracting_todo.ANSWER.code, _SUPPLIER[0].code, _SUPPLIER[1].code})


def tasks_for(session: Session, actor: Actor, today: date, settings: Settings | None = None) -> list[TodoGroup]:
    """Every kind of the actor's role with what waits in it, the oldest first."""
    kinds, queries = ROLE_TODO[actor.role]
    context = Context(session, actor, today, settings)
    items = [item for query in queries for item in query(context)]
    blocked = any(item.kind == accounts_todo.CANNOT_TRADE for item in items)
    hidden = _NEEDS_TRADE if blocked else {accounts_todo.CANNOT_TRADE.code}
    return group([k for k in kinds if k.code not in hidden], (i for i in items if i.kind.code not in hidden))
