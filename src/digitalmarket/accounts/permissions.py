"""Who may do what: the caller as an `Actor`, and declarative `Rule`s that routes state.

Every route names one rule (see `digitalmarket.accounts.access`); the rule is checked on the server
before the route runs. Object-level checks (same organisation) are made by workflows with
`ensure_same_organisation`, which answers "not found" so that another organisation's objects are not
even revealed to exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.errors import NotFound, NotSignedIn, PermissionDenied
from ..core.i18n import N_
from .rules import ROLE_HOME, ROLE_LABELS, Role


@dataclass(frozen=True)
class Actor:
    """The signed-in caller."""

    user_id: int
    email: str
    name: str
    role: Role
    organisation_id: int
    organisation_name: str
    organisation_kind: str
    is_org_admin: bool = False  # 조직 관리자 of their organisation

    @property
    def home_path(self) -> str:
        return ROLE_HOME[self.role]

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role].render()


@dataclass(frozen=True)
class Rule:
    """Who may call a route: anyone, anyone signed in, the listed roles, or an organisation's administrators."""

    name: str
    roles: frozenset[Role] | None = None
    anonymous: bool = False
    org_admin: bool = False

    def check(self, actor: Actor | None) -> None:
        if self.anonymous:
            return
        if actor is None:
            raise NotSignedIn()
        if self.roles is not None and actor.role not in self.roles:
            raise PermissionDenied()
        if self.org_admin and not actor.is_org_admin:
            raise PermissionDenied(N_("Only an administrator of your organisation can do this."))

    def allows(self, actor: Actor | None) -> bool:
        try:
            self.check(actor)
        except (NotSignedIn, PermissionDenied):
            return False
        return True


PUBLIC = Rule("public", anonymous=True)
SIGNED_IN = Rule("signed_in")
#: The administrators (조직 관리자) of any organisation, for their own organisation's users.
ORGANISATION_ADMINS = Rule("organisation_admins", org_admin=True)


def roles(*allowed: Role) -> Rule:
    return Rule("roles:" + ",".join(sorted(allowed)), roles=frozenset(allowed))


SUPPLIERS = roles(Role.SUPPLIER)
AGENCY_BUYERS = roles(Role.AGENCY_BUYER)
OPERATORS = roles(Role.OPERATOR)
REVIEWERS = roles(Role.REVIEWER)
CONTRACTING_OFFICERS = roles(Role.CONTRACTING_OFFICER)
ADMINS = roles(Role.ADMIN)
STAFF = roles(Role.OPERATOR, Role.CONTRACTING_OFFICER, Role.ADMIN)


def ensure_same_organisation(actor: Actor, organisation_id: int) -> None:
    """An organisation's own objects are visible to its members only."""
    if actor.organisation_id != organisation_id:
        raise NotFound()
