"""The pure rules of settlement: payment due dates over weekends and holidays, the holiday list, months of
an order, fixed-price shares and the invoice state machine."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digitalmarket.core.errors import Conflict
from digitalmarket.settlement import rules


def test_payment_is_due_five_working_days_after_the_inspection():
    # accepted on a Monday: Tue Wed Thu Fri, then Monday
    assert rules.due_date(date(2026, 11, 23)) == date(2026, 11, 30)
    # accepted on a Wednesday: Thu Fri, the weekend skipped, Mon Tue Wed
    assert rules.due_date(date(2026, 11, 25)) == date(2026, 12, 2)
    # accepted on a Saturday: the next five working days
    assert rules.due_date(date(2026, 11, 28)) == date(2026, 12, 4)


def test_public_holidays_are_not_counted():
    # Friday 2026-09-18: Mon 21, Tue 22, Wed 23, then 추석 (Thu 24 - Sat 26) and Sunday, Mon 28, Tue 29
    assert rules.due_date(date(2026, 9, 18)) == date(2026, 9, 29)
    # Christmas 2026 is a Friday; accepted on Wed 23 Dec: Thu 24, Mon 28, Tue 29, Wed 30, Thu 31
    assert rules.due_date(date(2026, 12, 23)) == date(2026, 12, 31)
    # 설날 2027 (Sat 6 - Mon 8 Feb) and its substitute day (Tue 9): from Fri 5 Feb, Wed 10 to Tue 16
    assert rules.due_date(date(2027, 2, 5)) == date(2027, 2, 16)


def test_the_holiday_list_covers_2025_to_2027():
    fixed = [(1, 1), (3, 1), (5, 5), (6, 6), (8, 15), (10, 3), (10, 9), (12, 25)]
    for year in (2025, 2026, 2027):
        days = [d for d in rules.HOLIDAYS if d.year == year]
        assert all(date(year, month, day) in rules.HOLIDAYS for month, day in fixed), year
        assert sum("설날" in rules.HOLIDAYS[d] for d in days) >= 3
        assert sum("추석" in rules.HOLIDAYS[d] for d in days) >= 3
        assert 15 <= len(days) <= 25
    assert {d.year for d in rules.HOLIDAYS} == {2025, 2026, 2027}
    assert rules.HOLIDAYS[date(2026, 6, 3)].endswith("지방선거")
    assert not rules.is_working_day(date(2026, 10, 5))  # 개천절 on a Saturday, substituted on Monday


@given(st.integers(min_value=1, max_value=10**10), st.integers(min_value=1, max_value=60))
def test_fixed_price_shares_add_up_to_the_line_amount(amount, months):
    shares = [rules.fixed_share(amount, months, index) for index in range(months)]
    assert sum(shares) == amount
    assert max(shares) - min(shares) < months
    assert rules.fixed_share(amount, months, months) == 0


def test_months_of_an_order():
    start, end = date(2026, 11, 26), date(2027, 11, 25)
    assert rules.months_between(start, end)[:2] == ["2026-11", "2026-12"]
    assert len(rules.months_between(start, end)) == 13
    assert rules.month_index(start, "2027-10") == 11
    today = date(2026, 12, 3)
    assert rules.month_problem("2026-12", start, end, today) is None
    assert "future" in rules.month_problem("2027-01", start, end, today).render("en")
    assert "period" in rules.month_problem("2026-10", start, end, today).render("en")
    assert rules.month_problem("2026-1", start, end, today) is not None


def test_the_invoice_state_machine():
    assert rules.move("reported", "accept") == "accepted"
    assert rules.move("reported", "reject") == "rejected"
    assert rules.move("rejected", "correct") == "reported"
    assert rules.move("accepted", "pay") == "paid"
    for state, action in (("paid", "pay"), ("accepted", "reject"), ("rejected", "accept"), ("reported", "pay")):
        with pytest.raises(Conflict) as caught:
            rules.move(state, action)
        assert rules.INVOICE_STATE_LABELS[rules.InvoiceState(state)].render("en") in caught.value.message.render("en")


def test_review_eligibility():
    start = date(2026, 1, 1)
    assert rules.review_refusal("active", start, date(2026, 1, 30)) is not None
    assert rules.review_refusal("active", start, date(2026, 1, 31)) is None
    assert rules.review_refusal("completed", None, start) is None
    assert rules.review_refusal("terminated", start, date(2027, 1, 1)) is not None
    assert rules.review_refusal("contracted", None, start) is not None
