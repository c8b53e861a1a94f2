"""The pure rules of settlement: payment due dates counted from the claim over weekends and holidays in
any year, the holidays of Korea, months of an order and when they can be reported, fixed-price shares and
the invoice state machine."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digitalmarket.core.errors import Conflict
from digitalmarket.settlement import rules


def test_payment_is_due_five_working_days_after_the_claim():
    # claimed on a Monday: Tue Wed Thu Fri, then Monday
    assert rules.due_date(date(2026, 11, 23)) == date(2026, 11, 30)
    # claimed on a Wednesday: Thu Fri, the weekend skipped, Mon Tue Wed
    assert rules.due_date(date(2026, 11, 25)) == date(2026, 12, 2)
    # claimed on a Saturday: the next five working days
    assert rules.due_date(date(2026, 11, 28)) == date(2026, 12, 4)


def test_public_holidays_are_not_counted():
    # Friday 2026-09-18: Mon 21, Tue 22, Wed 23, then 추석 (Thu 24 - Sat 26) and Sunday, Mon 28, Tue 29
    assert rules.due_date(date(2026, 9, 18)) == date(2026, 9, 29)
    # Christmas 2026 is a Friday; claimed on Wed 23 Dec: Thu 24, Mon 28, Tue 29, Wed 30, Thu 31
    assert rules.due_date(date(2026, 12, 23)) == date(2026, 12, 31)
    # 설날 2027 (Sat 6 - Mon 8 Feb) and its substitute day (Tue 9): from Fri 5 Feb, Wed 10 to Tue 16
    assert rules.due_date(date(2027, 2, 5)) == date(2027, 2, 16)


def test_due_dates_hold_in_any_year():
    # 설날 2029 falls on Mon 12 - Wed 14 Feb: claimed on Fri 9 Feb, Thu 15, Fri 16, Mon 19, Tue 20, Wed 21
    assert [rules.holiday_name(date(2029, 2, day)) for day in (12, 13, 14)] == ["설날 전날", "설날", "설날 다음날"]
    assert rules.due_date(date(2029, 2, 9)) == date(2029, 2, 21)
    # 어린이날 2029 is a Saturday, substituted on Monday 7 May: from Fri 4 May, Tue 8 to Mon 14
    assert not rules.is_working_day(date(2029, 5, 7))
    assert "대체" in rules.holiday_name(date(2029, 5, 7))
    assert rules.due_date(date(2029, 5, 4)) == date(2029, 5, 14)
    # 추석 2029 (Fri 21 - Sun 23 Sep) and its substitute day (Mon 24): from Thu 20, Tue 25 to Mon 1 Oct
    assert rules.due_date(date(2029, 9, 20)) == date(2029, 10, 1)
    # and further on, with no list to extend: 설날 2035 is Thu 8 Feb (Wed 7 - Fri 9)
    assert not any(rules.is_working_day(date(2035, 2, day)) for day in (7, 8, 9))


def test_the_holidays_come_from_the_calendar_of_korea():
    fixed = [(1, 1), (3, 1), (5, 5), (6, 6), (8, 15), (10, 3), (10, 9), (12, 25)]
    for year in range(2025, 2031):
        days = rules.holidays_of(year)
        assert all(date(year, month, day) in days for month, day in fixed), year
        assert sum("설날" in name for name in days.values()) >= 3
        assert sum("추석" in name for name in days.values()) >= 3
    # the temporary holiday of 27 January 2025 and the election days are in it
    assert rules.holiday_name(date(2025, 1, 27)) is not None
    assert rules.holiday_name(date(2025, 6, 3)) is not None
    assert rules.holiday_name(date(2026, 6, 3)) is not None
    assert not rules.is_working_day(date(2026, 10, 5))  # 개천절 on a Saturday, substituted on Monday
    # 제헌절 is a public holiday again from 2026 (공휴일에 관한 법률, 2026 amendment): claimed on Thu 16 July
    # 2026, the Friday is not counted
    assert rules.holiday_name(date(2026, 7, 17)) == "제헌절"
    assert rules.due_date(date(2026, 7, 16)) == date(2026, 7, 24)
    assert rules.is_working_day(date(2026, 12, 4)) and not rules.is_working_day(date(2026, 12, 5))


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
    assert rules.month_problem("2026-11", start, end, today) is None
    # the month in course is reported once it has ended: from the first day of the next month
    unfinished = rules.month_problem("2026-12", start, end, today).render("en")
    assert "once the month has ended, from 2027-01-01 (KST)" in unfinished
    assert rules.month_problem("2026-12", start, end, date(2027, 1, 1)) is None
    assert "from 2027-02-01" in rules.month_problem("2027-01", start, end, today).render("en")
    assert "period" in rules.month_problem("2026-10", start, end, today).render("en")
    assert rules.month_problem("2026-1", start, end, today) is not None
    # an order that ended within the month (terminated on 3 December) reports it at once
    assert rules.month_problem("2026-12", start, today, today, ended=True) is None
    # an order whose period ends on 15 December reports December from the 16th
    assert rules.reportable_from("2026-12", date(2026, 12, 15), ended=False) == date(2026, 12, 16)


def test_the_invoice_state_machine():
    assert rules.is_overdue("claimed", date(2026, 12, 1), date(2026, 12, 2))
    assert not rules.is_overdue("accepted", date(2026, 12, 1), date(2026, 12, 2))  # waits for the claim
    assert rules.move("reported", "accept") == "accepted"
    assert rules.move("reported", "reject") == "rejected"
    assert rules.move("rejected", "correct") == "reported"
    assert rules.move("accepted", "claim") == "claimed"
    assert rules.move("claimed", "pay") == "paid"
    for state, action in (
        ("paid", "pay"),
        ("accepted", "reject"),
        ("accepted", "pay"),  # payment follows the supplier's claim
        ("reported", "claim"),
        ("claimed", "claim"),
        ("rejected", "accept"),
        ("reported", "pay"),
    ):
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
