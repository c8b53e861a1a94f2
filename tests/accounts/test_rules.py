from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digitalmarket.accounts import rules


@pytest.mark.parametrize("number", ["1208147521", "120-81-47521", "2208812340", "3148620457", "1078736528"])
def test_known_valid_business_numbers(number):
    assert rules.is_valid_business_number(number)


@pytest.mark.parametrize(
    "number",
    ["1208147522", "1208147520", "120814752", "12081475211", "12081475a1", "", "１２０８１４７５２１", "0000000001"],
)
def test_invalid_business_numbers(number):
    assert not rules.is_valid_business_number(number)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_exactly_one_check_digit_is_valid_for_every_prefix(prefix):
    valid = [d for d in range(10) if rules.is_valid_business_number(prefix + str(d))]
    assert valid == [rules.business_number_check_digit(prefix)]


def test_password_needs_ten_characters_and_to_be_hard_to_guess():
    assert rules.password_problem("123456789") is not None
    assert rules.password_problem("1234567890") is not None  # ten characters, but a sequence
    assert rules.password_problem("lantern-27-river") is None


def test_email_shape():
    assert rules.email_problem("buyer@agency.go.kr") is None
    assert rules.email_problem("buyer@agency") is not None
    assert rules.email_problem("") is not None


def test_five_failures_lock_for_fifteen_minutes():
    policy = rules.LockoutPolicy()
    now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    failures, locked_until = 0, None
    for _ in range(4):
        failures, locked_until = policy.after_failure(failures, now)
        assert locked_until is None
    failures, locked_until = policy.after_failure(failures, now)
    assert locked_until == now + timedelta(minutes=15)
    assert policy.is_locked(locked_until, now + timedelta(minutes=14, seconds=59))
    assert not policy.is_locked(locked_until, now + timedelta(minutes=15))


def test_sanction_covers_first_and_last_day():
    start, end = date(2026, 1, 1), date(2026, 6, 30)
    assert rules.sanction_active(start, end, date(2026, 1, 1))
    assert rules.sanction_active(start, end, date(2026, 6, 30))
    assert not rules.sanction_active(start, end, date(2026, 7, 1))
    assert not rules.sanction_active(None, None, date(2026, 3, 1))


def test_roles_belong_to_their_organisation_kind():
    assert rules.role_fits_organisation(rules.Role.AGENCY_BUYER, rules.OrganisationKind.AGENCY)
    assert not rules.role_fits_organisation(rules.Role.AGENCY_BUYER, rules.OrganisationKind.SUPPLIER)
    assert rules.role_fits_organisation(rules.Role.CONTRACTING_OFFICER, rules.OrganisationKind.PPS)
