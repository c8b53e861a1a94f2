"""The application state machine and the committee rule, exhaustively and by property."""

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digitalmarket.core.errors import Conflict
from digitalmarket.selection import rules
from digitalmarket.selection.rules import Action, Criterion, State

ALL_MOVES = list(itertools.product(State, Action))


@pytest.mark.parametrize(("state", "action"), ALL_MOVES, ids=[f"{s}-{a}" for s, a in ALL_MOVES])
def test_every_state_and_action(state, action):
    """Allowed moves succeed; every other move is refused with a 409 naming the state."""
    if (state, action) in rules.TRANSITIONS:
        assert rules.move(state, action) == rules.TRANSITIONS[(state, action)]
    else:
        with pytest.raises(Conflict) as refused:
            rules.move(state, action)
        message = refused.value.message.render("en")
        assert rules.STATE_LABELS[state].render("en") in message
        possible = [rules.ACTION_LABELS[a].render("en") for a in rules.allowed_actions(state)]
        if possible:  # the way on: the steps possible in the state, or that none is left
            assert message.endswith("Possible steps: " + ", ".join(possible) + ".")
        else:
            assert message.endswith("no step is possible in it.")


def test_the_journey_of_domain_md():
    path = [
        Action.SUBMIT,
        Action.START_CHECK,
        Action.REQUEST_SUPPLEMENT,
        Action.RESUBMIT,
        Action.START_CHECK,
        Action.ACCEPT,
        Action.START_EXPERT_REVIEW,
        Action.SEND_TO_COMMITTEE,
        Action.SELECT,
        Action.PUBLISH,
    ]
    state = State.DRAFT
    for action in path:
        state = rules.move(state, action)
    assert state == State.PUBLISHED


def test_withdrawal_only_before_the_check():
    withdrawable = {s for (s, a) in rules.TRANSITIONS if a == Action.WITHDRAW}
    assert withdrawable == {State.DRAFT, State.SUBMITTED, State.SUPPLEMENT_REQUESTED}


def test_every_state_has_a_label_and_every_action_an_actor():
    assert set(rules.STATE_LABELS) == set(State)
    assert set(rules.ACTOR_OF_ACTION) == set(Action)


def test_required_documents_depend_on_the_type():
    assert rules.DocumentKind.CSAP_CERTIFICATE in rules.required_documents("SaaS")
    assert rules.DocumentKind.CSAP_CERTIFICATE not in rules.required_documents("SUPPORT")
    assert rules.missing_documents("SUPPORT", ["sla", "price_list"]) == [
        rules.DocumentKind.SERVICE_DESCRIPTION,
        rules.DocumentKind.BUSINESS_REGISTRATION,
        rules.DocumentKind.CREDIT_RATING,
    ]


def test_committee_month_is_the_next_month():
    from datetime import date

    assert rules.committee_month_for(date(2026, 11, 26)) == "2026-12"
    assert rules.committee_month_for(date(2026, 12, 1)) == "2027-01"


# --- the committee rule --------------------------------------------------------------------------------

ALL_PASS = {c: True for c in Criterion}


def ballot(**fails):
    return {c: c not in fails for c in Criterion}


def test_all_pass_with_full_attendance_is_selected():
    decision = rules.decide([1, 2, 3], [], {1: ALL_PASS, 2: ALL_PASS, 3: ALL_PASS})
    assert decision.outcome == "selected"
    assert decision.quorum == 2


def test_quorum_is_two_thirds_of_the_members():
    assert rules.quorum_of(3) == 2 and rules.quorum_of(4) == 3 and rules.quorum_of(6) == 4 and rules.quorum_of(7) == 5
    assert rules.decide([1, 2, 3, 4], [], {1: ALL_PASS, 2: ALL_PASS}).outcome == "no_quorum"
    assert rules.decide([1, 2, 3, 4], [], {1: ALL_PASS, 2: ALL_PASS, 3: ALL_PASS}).outcome == "selected"


def test_a_tie_fails_the_criterion():
    votes = {1: ALL_PASS, 2: ballot(security=1), 3: ALL_PASS, 4: ballot(security=1)}
    decision = rules.decide([1, 2, 3, 4], [], votes)
    assert decision.outcome == "rejected"
    assert decision.failed == (Criterion.SECURITY,)
    assert decision.tally[Criterion.SECURITY] == (2, 2)


def test_a_conflicted_member_does_not_count():
    votes = {1: ALL_PASS, 2: ballot(support=1), 3: ALL_PASS}
    assert rules.decide([1, 2, 3], [], votes).outcome == "selected"  # support passes 2 to 1
    assert rules.decide([1, 2, 3], [3], votes).outcome == "rejected"  # without member 3: a 1 to 1 tie
    assert rules.decide([1, 2, 3], [2, 3], votes).outcome == "no_quorum"  # one voter of a quorum of two


def test_an_incomplete_ballot_is_not_a_vote():
    partial = {Criterion.MANAGEMENT: True}
    assert rules.decide([1, 2, 3], [], {1: ALL_PASS, 2: partial}).outcome == "no_quorum"


members_st = st.sets(st.integers(1, 12), min_size=1, max_size=9)


@st.composite
def rounds(draw):
    members = sorted(draw(members_st))
    conflicted = draw(st.sets(st.sampled_from(members)))
    voters = draw(st.sets(st.sampled_from(members)))
    votes = {m: {c: draw(st.booleans()) for c in Criterion} for m in voters}
    return members, conflicted, votes


@given(rounds())
def test_committee_rule_properties(case):
    members, conflicted, votes = case
    decision = rules.decide(members, conflicted, votes)
    counted = [m for m in votes if m not in conflicted]
    assert decision.voters == len(counted)
    if len(counted) < rules.quorum_of(len(members)):
        assert decision.outcome == "no_quorum"
        return
    for criterion in Criterion:
        yes = sum(votes[m][criterion] for m in counted)
        assert decision.tally[criterion] == (yes, len(counted) - yes)
        assert (criterion in decision.failed) == (yes * 2 <= len(counted))
    assert (decision.outcome == "selected") == (not decision.failed)


@given(rounds())
def test_unanimous_pass_with_quorum_is_always_selected(case):
    members, conflicted, votes = case
    votes = {m: dict(ALL_PASS) for m in votes}
    decision = rules.decide(members, conflicted, votes)
    assert decision.outcome in {"selected", "no_quorum"}
    if len([m for m in votes if m not in conflicted]) >= rules.quorum_of(len(members)):
        assert decision.outcome == "selected"
