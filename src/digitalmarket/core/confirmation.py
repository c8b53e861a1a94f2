"""What a page asks before a step that cannot be undone (되돌릴 수 없는 단계).

Closing a committee round, accepting an application, publishing a service, removing a document,
terminating a contract: the button on the object's page is a link to a confirmation page, and only the
form on that page posts the step. A stage's page route describes the page with a `Confirmation` built
from the facts of its object (names, counts, who is notified) and renders it with `show`, into
``confirm.html`` of the shared templates. Showing the page writes nothing; the POST route is the step
itself, unchanged, and the API is not involved.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .i18n import Text
from .templating import render

#: The template every confirmation page is rendered into (web/templates/confirm.html).
TEMPLATE = "confirm.html"


@dataclass(frozen=True)
class ReasonField:
    """A text the step needs from the person confirming (a reason for a termination or a withdrawal)."""

    name: str
    label: Text
    required: bool = True
    hint: Text | None = None
    key: str | None = None  # the field key its errors come under, when not the name


@dataclass(frozen=True)
class Confirmation:
    """One confirmation page: a question, what will happen, what cannot be undone, one button, a way back."""

    question: Text  # the title, as a question: "심사위원회를 마감할까요?"
    subject: str  # the object as people call it: a round, an application's name, a contract code
    happens: list[Text]  # what the step does, concretely: names, counts, who is notified
    irreversible: Text  # what cannot be undone afterwards
    action: str  # the POST route of the step
    button: Text  # the primary button, the verb: "마감하기"
    back: str  # the object's page, where 취소 leads
    hidden: dict[str, object] = field(default_factory=dict)  # e.g. the version the page was shown with
    facts: list[tuple[Text, str]] = field(default_factory=list)  # what the object is (a term and its value)
    reason: ReasonField | None = None
    back_label: Text | None = None  # the way back, when "취소" would be read as the step itself


def show(request, confirm: Confirmation, *, actor, errors: dict | None = None, values: dict | None = None, status=200):
    """Render a confirmation page; after a failed POST, again with its ``errors`` and posted ``values``."""
    context = {"confirm": confirm, "errors": errors or {}, "values": values or {}}
    return render(request, TEMPLATE, context, actor=actor, status_code=status)
