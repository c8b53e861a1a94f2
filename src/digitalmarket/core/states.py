"""The state machines of the stages: which step (action) takes a record from which state to which.

Each stage keeps its own states, steps, labels and messages in its `rules.py` (contracting in its
`states.py`) and declares a `StateMachine` over them; the machine answers two questions the same way
everywhere:

- `move(state, action)`: the state after the step, or `Conflict` (409) naming the state the record is
  in and, for a machine that names its steps, the steps possible there ("The quote is in the state
  “Declined”; no step is possible in it." / "… Possible steps: Answer, Decline."), or the stage's own
  message: a refused caller learns where the record stands and what it can do next;
- `allowed(state)`: the steps possible in a state, in the order of the table (pages show these buttons).

A state that is not one of the machine's raises `ValueError`: the database holds only known states, so
that is a bug, not a user's mistake.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from .errors import Conflict
from .i18n import N_, Text

S = TypeVar("S", bound=StrEnum)
A = TypeVar("A", bound=StrEnum)


def not_possible(subject: Text, state: Text) -> Text:
    """The usual refusal: "<subject> is <state>; this step is not possible now."."""
    return N_("%(subject)s is %(state)s; this step is not possible now.", subject=subject, state=state)


def not_possible_here(subject: Text, state: Text, steps: list[Text]) -> Text:
    """A refusal that names the way on: the steps possible in the state, or that there is none."""
    if not steps:
        return N_("%(subject)s is in the state “%(state)s”; no step is possible in it.", subject=subject, state=state)
    return N_(
        "%(subject)s is in the state “%(state)s”; this step is not possible now. Possible steps: %(steps)s.",
        subject=subject,
        state=state,
        steps=tuple(steps),
    )


@dataclass(frozen=True)
class StateMachine(Generic[S, A]):
    """States ``S``, steps ``A`` and the table ``(state, step) -> next state`` of one kind of record.

    ``subject`` names the record in the usual refusal (`not_possible`); ``steps`` names the steps a
    person takes (those that happen by themselves, such as a contract starting on its date, left out),
    and the refusal then lists those possible in the record's state (`not_possible_here`); ``refusal``
    replaces that message by the stage's own, built from the current state.
    """

    states: type[S]
    actions: type[A]
    transitions: Mapping[tuple[S, A], S]
    labels: Mapping[S, Text]
    subject: Text | None = None
    refusal: Callable[[S], Text] | None = None
    steps: Mapping[A, Text] | None = None

    def move(self, state: str, action: str) -> S:
        """The state after ``action`` in ``state``, or `Conflict` when the table has no such step."""
        current = self.states(state)
        try:
            return self.transitions[(current, self.actions(action))]
        except (KeyError, ValueError):
            raise Conflict(self.refused(current)) from None

    def refused(self, current: S) -> Text:
        """The message of the 409 for a step not possible in ``current``."""
        if self.refusal is not None:
            return self.refusal(current)
        if self.subject is None:
            raise TypeError("a state machine needs a subject or a refusal")
        if self.steps is not None:
            possible = [self.steps[action] for action in self.allowed(current) if action in self.steps]
            return not_possible_here(self.subject, self.labels[current], possible)
        return not_possible(self.subject, self.labels[current])

    def allowed(self, state: str) -> list[A]:
        """The steps possible in ``state``, in the order of the table."""
        current = self.states(state)
        return [action for (source, action) in self.transitions if source == current]
