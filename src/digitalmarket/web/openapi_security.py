"""The OpenAPI's security: the HTTP bearer scheme of API tokens and, on each operation, the scopes it needs.

Read from the routes themselves: each declares its rule (`access.Access`), so an operation open to anyone
declares no security, a GET needs ``read``, and a write needs the write scope of one of the roles its rule
admits (any role's, for a rule open to every signed-in user). OpenAPI 3.1 lets a bearer scheme's
requirement name such roles; the interactive docs (/api/docs) show an Authorize button for it.
"""

from __future__ import annotations

from fastapi import FastAPI

from ..accounts.access import Access
from ..accounts.rules import Role
from ..accounts.token_rules import READ, SAFE_METHODS, SCOPES, WRITE_SCOPE
from .routes import api_routes

SCHEME = "bearerAuth"


def _access_of(dependant) -> Access | None:
    call = getattr(dependant, "call", None)
    if isinstance(call, Access):
        return call
    for sub in dependant.dependencies:
        found = _access_of(sub)
        if found is not None:
            return found
    return None


def scopes_needed(access: Access, method: str) -> list[str]:
    """The scopes any one of which lets a token make this call."""
    if method.upper() in SAFE_METHODS:
        return [READ]
    roles = access.rule.roles if access.rule.roles is not None else frozenset(Role)
    return [WRITE_SCOPE[role] for role in Role if role in roles]


def declare_security(app: FastAPI) -> None:
    """Add the scheme and every operation's requirement to the app's OpenAPI (after whatever else builds it)."""
    build = app.openapi

    def openapi() -> dict:
        schema = build()
        if SCHEME in schema.get("components", {}).get("securitySchemes", {}):
            return schema
        schema.setdefault("components", {}).setdefault("securitySchemes", {})[SCHEME] = {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (POST /api/v1/tokens). Scopes: "
            + "; ".join(f"{name}: {meaning}" for name, meaning in SCOPES.items()),
        }
        paths = schema.get("paths", {})
        for path, route in api_routes(app):
            if not route.include_in_schema:
                continue
            access = _access_of(route.dependant)
            if access is None or access.surface != "api":
                continue
            optional = access.rule.anonymous
            if optional and not access.session_allowed:
                continue  # open to anyone: no credential asked for
            for method in route.methods:
                operation = paths.get(path, {}).get(method.lower())
                if operation is not None:
                    needed = [{SCHEME: [scope]} for scope in scopes_needed(access, method)]
                    operation["security"] = ([{}] if optional else []) + needed
        return schema

    app.openapi = openapi
