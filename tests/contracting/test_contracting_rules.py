"""The rules of quotes and orders, without a database: every (state, action) of the quote, request and
order state machines, money, periods and price ceilings."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digitalmarket.contracting.lines import ceiling, line_problems, period_end, price_problem
from digitalmarket.contracting.money import amounts, line_amount
from digitalmarket.contracting.states import (
    ORDER_STEPS,
    ORDER_TRANSITIONS,
    QUOTE_STEPS,
    QUOTE_TRANSITIONS,
    REQUEST_STEPS,
    REQUEST_TRANSITIONS,
    OrderAction,
    OrderState,
    QuoteAction,
    QuoteState,
    RequestAction,
    RequestState,
    allowed,
    move,
)
from digitalmarket.core.errors import Conflict

EXPECTED_QUOTE = {
    ("requested", "answer"): "quoted",
    ("quoted", "answer"): "quoted",
    ("requested", "decline"): "declined",
    ("quoted", "decline"): "declined",
    ("quoted", "award"): "awarded",
    ("requested", "pass_over"): "not_awarded",
    ("quoted", "pass_over"): "not_awarded",
}
EXPECTED_REQUEST = {("open", "award"): "awarded", ("open", "close"): "closed", ("open", "cancel"): "cancelled"}
EXPECTED_ORDER = {
    ("draft", "confirm"): "contracted",
    ("draft", "withdraw"): "withdrawn",
    ("contracted", "activate"): "active",
    ("contracted", "change"): "contracted",
    ("active", "change"): "active",
    ("active", "complete"): "completed",
    ("contracted", "terminate"): "terminated",
    ("active", "terminate"): "terminated",
}
MACHINES = [
    ("quote", QuoteState, QuoteAction, EXPECTED_QUOTE, QUOTE_TRANSITIONS),
    ("request", RequestState, RequestAction, EXPECTED_REQUEST, REQUEST_TRANSITIONS),
    ("order", OrderState, OrderAction, EXPECTED_ORDER, ORDER_TRANSITIONS),
]
TABLES = {kind: table for kind, _, _, _, table in MACHINES}
STEPS = {"quote": QUOTE_STEPS, "request": REQUEST_STEPS, "order": ORDER_STEPS}
CELLS = [
    (kind, str(state), str(action), expected.get((str(state), str(action))))
    for kind, states, actions, expected, _ in MACHINES
    for state, action in itertools.product(states, actions)
]


@pytest.mark.parametrize(("kind", "state", "action", "target"), CELLS, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CELLS])
def test_every_state_and_action(kind, state, action, target):
    if target is None:
        with pytest.raises(Conflict) as error:
            move(kind, state, action)
        assert error.value.status == 409
        message = error.value.message.render("en")
        # the refusal names the state and the way on: the steps a person can take there, or that there is none
        offered = [a for (s, a), _ in TABLES[kind].items() if str(s) == state and a in STEPS[kind]]
        if offered:
            assert "this step is not possible now. Possible steps: " in message
            assert all(STEPS[kind][a].render("en") in message for a in offered)
        else:
            assert "no step is possible in it" in message
    else:
        assert move(kind, state, action) == target


@pytest.mark.parametrize(("kind", "states", "actions", "expected", "table"), MACHINES, ids=[m[0] for m in MACHINES])
def test_the_tables_are_exactly_the_documented_machines(kind, states, actions, expected, table):
    assert {(str(s), str(a)): str(t) for (s, a), t in table.items()} == expected
    for state in states:
        assert set(allowed(kind, state)) == {a for (s, a) in expected if s == state}


def test_finished_orders_allow_nothing():
    for state in ("completed", "terminated", "withdrawn"):
        assert allowed("order", state) == []


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2026, 12, 1), 12, date(2027, 11, 30)),
        (date(2026, 1, 31), 1, date(2026, 2, 27)),
        (date(2028, 1, 31), 1, date(2028, 2, 28)),
        (date(2026, 3, 15), 60, date(2031, 3, 14)),
        (date(2026, 12, 31), 2, date(2027, 2, 27)),
    ],
)
def test_period_end(start, months, end):
    assert period_end(start, months) == end


def test_line_and_price_problems():
    assert line_problems(1, 1) == {}
    assert set(line_problems(0, 0)) == {"quantity", "months"}
    assert set(line_problems(-3, 61)) == {"quantity", "months"}
    assert set(line_problems(True, 12)) == {"quantity"}
    assert price_problem(12000, 12000) is None
    assert "catalog price of 12,000" in price_problem(12001, 12000).render("en")
    assert price_problem(0, 12000) is not None
    assert ceiling(12000, None) == 12000 and ceiling(12000, 11000) == 11000
    assert ceiling(12000, 13000) == 12000


LINE = st.tuples(
    st.sampled_from(["monthly", "usage", "fixed"]),
    st.integers(1, 10**8),  # catalog price
    st.integers(1, 10**6),  # quantity
    st.integers(1, 60),  # months
    st.floats(0.01, 1.0),  # discount factor
)


@given(st.lists(LINE, min_size=1, max_size=10))
def test_amounts_are_the_sum_of_lines_plus_vat_and_never_above_the_catalog(lines):
    agreed, at_catalog = [], []
    for billing, catalog, quantity, months, factor in lines:
        price = max(1, int(catalog * factor))
        assert price_problem(price, catalog) is None
        agreed.append(line_amount(billing, price, quantity, months))
        at_catalog.append(line_amount(billing, catalog, quantity, months))
    money = amounts(agreed)
    assert money.supply == sum(agreed)
    assert money.vat == money.supply * 10 // 100
    assert money.total == money.supply + money.vat
    assert money.supply <= amounts(at_catalog).supply
    assert all(isinstance(v, int) for v in (money.supply, money.vat, money.total))


@given(st.integers(1, 10**9), st.integers(1, 10**9))
def test_a_price_above_the_ceiling_is_always_refused(price, ceiling):
    assert (price_problem(price, ceiling) is None) == (price <= ceiling)
