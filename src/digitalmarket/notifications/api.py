"""JSON routes of e-mail choices under /api/v1: which kinds of notification the caller receives by e-mail."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from ..accounts.access import api_access, database
from ..accounts.permissions import SIGNED_IN, Actor
from ..accounts.schemas import ErrorOut
from ..core.notifications import KIND_LABELS
from . import preferences

router = APIRouter(tags=["notifications"], responses={s: {"model": ErrorOut} for s in (401, 409, 422)})


class KindOut(BaseModel):
    kind: str
    label: str
    email: bool


class PreferencesOut(BaseModel):
    language: str = Field(description="language of e-mails: ko | en")
    version: int = Field(description="send it back when saving; 0 before the first save")
    kinds: list[KindOut]

    @classmethod
    def of(cls, choices: preferences.Choices) -> PreferencesOut:
        return cls(
            language=choices.language,
            version=choices.version,
            kinds=[KindOut(kind=k, label=label.render(), email=choices.wants(k)) for k, label in KIND_LABELS.items()],
        )


class PreferencesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int
    language: str = Field(max_length=8)
    email_kinds: list[str] = Field(max_length=50, description="the kinds to receive by e-mail; the others are not")


@router.get(
    "/notification-preferences", response_model=PreferencesOut, summary="Which notifications the caller gets by e-mail"
)
def read_preferences(request: Request, actor: Actor = Depends(api_access(SIGNED_IN))):
    with database(request).reading() as session:
        return PreferencesOut.of(preferences.choices_of(session, actor.user_id))


@router.put(
    "/notification-preferences", response_model=PreferencesOut, summary="Choose the notifications sent by e-mail"
)
def save_preferences(body: PreferencesIn, request: Request, actor: Actor = Depends(api_access(SIGNED_IN))):
    with database(request).transaction() as session:
        return PreferencesOut.of(
            preferences.save_choices(session, actor, body.email_kinds, body.language, body.version)
        )
