"""Rules of API tokens: scopes and expiry. No I/O.

A token acts as its user, and only within its scopes: ``read`` (every GET), and the write scope of its
user's role (``supplier-write`` for a supplier, ``buyer-write`` for an agency buyer, ...). A write scope
includes reading. A token never has more than its user's role permits: it may name only its role's write
scope, and a token whose user changed role has none of the new role's write scope.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ..core.i18n import N_, Text
from .rules import Role

READ = "read"

#: The scope that lets a token of each role write (POST, PUT, PATCH, DELETE).
WRITE_SCOPE = {
    Role.SUPPLIER: "supplier-write",
    Role.AGENCY_BUYER: "buyer-write",
    Role.OPERATOR: "operator-write",
    Role.REVIEWER: "reviewer-write",
    Role.CONTRACTING_OFFICER: "officer-write",
    Role.ADMIN: "admin",
}

#: Every scope, as the OpenAPI lists them, with what it permits.
SCOPES = {
    READ: "Read what the token's user may read (every GET).",
    "supplier-write": "A supplier's writes: applications, documents, quotes, usage, profile.",
    "buyer-write": "An agency buyer's writes: quote requests, orders, confirmations, inspections, reviews.",
    "operator-write": "An operator's writes: document checks, committee rounds, publication.",
    "reviewer-write": "An expert reviewer's writes: evaluations of the applications of their rounds.",
    "officer-write": "A contracting officer's writes: catalog contracts, signatures, sanctions.",
    "admin": "An administrator's writes: users, agencies, roles.",
}

DEFAULT_DAYS = 90
MAX_DAYS = 365
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def scopes_for_role(role: Role) -> list[str]:
    """The scopes a token of a user with this role may carry."""
    return [READ, WRITE_SCOPE[role]]


def scope_problem(scopes: list[str], role: Role) -> Text | None:
    """Why these scopes cannot be given to a token of this role, or None."""
    if not scopes:
        return N_("Choose at least one scope.")
    allowed = scopes_for_role(role)
    for scope in scopes:
        if scope not in SCOPES:
            return N_("There is no scope %(scope)s. Scopes: %(scopes)s.", scope=scope, scopes=", ".join(SCOPES))
        if scope not in allowed:
            return N_(
                "Your role cannot give a token the scope %(scope)s. Choose from: %(scopes)s.",
                scope=scope,
                scopes=", ".join(allowed),
            )
    return None


def expiry_problem(days: int | None) -> Text | None:
    if days is None:
        return None
    if not 1 <= days <= MAX_DAYS:
        return N_("A token expires after 1 to %(max)s days.", max=MAX_DAYS)
    return None


def expires_at(now: datetime, days: int | None) -> datetime:
    return now + timedelta(days=days or DEFAULT_DAYS)


def normalise_scopes(scopes: list[str] | None, role: Role) -> list[str]:
    """The scopes asked for, cleaned and ordered; none asked for: everything the role may give."""
    if scopes is None:
        return scopes_for_role(role)
    cleaned = []
    for scope in scopes:
        scope = scope.strip().lower()
        if scope and scope not in cleaned:
            cleaned.append(scope)
    return sorted(cleaned, key=lambda s: list(SCOPES).index(s) if s in SCOPES else len(SCOPES))


def needed_scope(method: str, role: Role) -> str:
    """The scope a call with this HTTP method needs from a token of this role."""
    return READ if method.upper() in SAFE_METHODS else WRITE_SCOPE[role]


def grants(scopes: list[str], needed: str) -> bool:
    """A write scope includes reading."""
    return needed in scopes or (needed == READ and any(s != READ for s in scopes))
