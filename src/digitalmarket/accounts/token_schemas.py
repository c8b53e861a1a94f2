"""JSON shapes of the API token routes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from .tables import ApiToken, User
from .token_rules import DEFAULT_DAYS, MAX_DAYS, SCOPES

Scope = StrEnum("Scope", {name.upper().replace("-", "_"): name for name in SCOPES})
Scope.__doc__ = "What an API token may do: read, or the writes of its user's role (a write scope includes read)."


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=100, examples=["정산 스크립트"])
    scopes: list[Scope] | None = Field(
        default=None,
        max_length=len(SCOPES),
        description="read, and the write scope of your role; by default both",
    )
    expires_in_days: int | None = Field(
        default=None, ge=1, le=MAX_DAYS, description=f"days until the token expires (default {DEFAULT_DAYS})"
    )
    email: str | None = Field(
        default=None, max_length=254, description="with password, for a first token without a token or session"
    )
    password: str | None = Field(default=None, max_length=256)


class RotateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expires_in_days: int | None = Field(
        default=None, ge=1, le=MAX_DAYS, description="days until the new token expires (default: as the old one)"
    )


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    scopes: list[Scope]
    created_at: datetime
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
    user_email: str | None = Field(default=None, description="whose token (in an organisation's list)")

    @classmethod
    def of(cls, token: ApiToken, user: User | None = None) -> TokenOut:
        return cls(
            id=token.id,
            name=token.name,
            prefix=token.prefix,
            scopes=[Scope(s) for s in token.scopes.split() if s in SCOPES],
            created_at=token.created_at,
            expires_at=token.expires_at,
            last_used_at=token.last_used_at,
            revoked_at=token.revoked_at,
            user_email=user.email if user is not None else None,
        )


class NewTokenOut(TokenOut):
    token: str = Field(description="The token itself, shown this once only.")


class PasswordChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(max_length=256)
    new_password: str = Field(max_length=256)
    keep_api_tokens: bool = Field(default=False, description="keep your API tokens (by default they are revoked)")


class PasswordChangeOut(BaseModel):
    api_tokens_revoked: int
