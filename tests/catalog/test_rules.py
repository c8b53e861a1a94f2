"""What a service's content must be: each bad value is a field error, a draft may be incomplete."""

from datetime import date

import pytest

from digitalmarket.catalog.content_rules import CategoryRef, clean_content
from digitalmarket.core.errors import ValidationFailed

TODAY = date(2026, 11, 26)
CATEGORIES = {1: CategoryRef(1, "SaaS"), 2: CategoryRef(2, "IaaS")}
PLAN = {"name": "Standard", "billing": "monthly", "unit": "사용자/월", "unit_price": 12000, "vat_included": False}
COMPLETE = {
    "type": "SaaS",
    "category_id": 1,
    "name": "가상 그룹웨어",
    "summary": "협업 도구",
    "description": "설명",
    "features": ["메일", "일정"],
    "keywords": ["그룹웨어"],
    "deployment": "public",
    "sla_availability": "99.9",
    "support_hours": "평일 09-18",
    "data_return_policy": "해지 후 30일 내 반환",
    "csap_grade": "하",
    "csap_certificate_number": "CSAP-2025-001",
    "csap_valid_until": "2027-05-31",
    "price_plans": [PLAN],
}


def problems(raw, complete=True):
    with pytest.raises(ValidationFailed) as error:
        clean_content(raw, CATEGORIES, TODAY, complete=complete)
    return error.value.fields


def test_complete_content_is_accepted_and_normalised():
    clean = clean_content({**COMPLETE, "features": "메일\n일정\n\n"}, CATEGORIES, TODAY, complete=True)
    assert clean["features"] == ["메일", "일정"]
    assert clean["price_plans"][0]["min_term_months"] == 0


def test_an_incomplete_draft_may_be_saved():
    assert clean_content({"name": "초안"}, CATEGORIES, TODAY, complete=False)["name"] == "초안"
    assert "summary" in problems({"name": "초안"})


@pytest.mark.parametrize(
    ("price", "expected"),
    [
        (0, "more than 0"),
        (-5, "more than 0"),
        ("12.5", "whole won"),
        (10**12 + 1, "1,000,000,000,000"),
        ("abc", "whole"),
    ],
)
def test_bad_prices_are_field_errors_even_in_a_draft(price, expected):
    fields = problems({"price_plans": [{**PLAN, "unit_price": price}]}, complete=False)
    assert expected in fields["price_plans.0.unit_price"].render("en")


def test_unknown_category_and_category_of_another_type():
    assert "category_id" in problems({**COMPLETE, "category_id": 99})
    assert "category_id" in problems({**COMPLETE, "category_id": 2})


def test_csap_in_the_past_and_missing_csap_for_cloud_types():
    assert "csap_valid_until" in problems({**COMPLETE, "csap_valid_until": "2026-11-25"}, complete=False)
    fields = problems({**COMPLETE, "csap_grade": "", "csap_certificate_number": "", "csap_valid_until": ""})
    assert {"csap_grade", "csap_certificate_number", "csap_valid_until"} <= set(fields)
    support = {**COMPLETE, "type": "SUPPORT", "category_id": None, "csap_grade": "", "csap_valid_until": ""}
    assert "csap_grade" not in problems(support)


def test_text_limits_and_list_limits():
    assert "name" in problems({"name": "가" * 101}, complete=False)
    assert "keywords" in problems({"keywords": [f"k{i}" for i in range(21)]}, complete=False)
    assert "price_plans" in problems({"price_plans": [PLAN] * 11}, complete=False)


def test_sla_must_be_a_percentage():
    assert "sla_availability" in problems({"sla_availability": "101"}, complete=False)
    assert "sla_availability" in problems({"sla_availability": "0"}, complete=False)
    assert (
        clean_content({"sla_availability": "99.95"}, CATEGORIES, TODAY, complete=False)["sla_availability"] == "99.95"
    )


def test_an_sla_written_with_its_percent_sign_is_the_same_percentage():
    """The field is labelled "SLA 가용성(%)": a supplier who types 99.9% means 99.9."""
    for written in ("99.9%", "99.9 %", " 99.9% "):
        assert (
            clean_content({"sla_availability": written}, CATEGORIES, TODAY, complete=False)["sla_availability"]
            == "99.9"
        )
    assert "sla_availability" in problems({"sla_availability": "100.1%"}, complete=False)
