"""Comparing services: prices brought to comparable units, differences flagged, the lowest price marked."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from digitalmarket.catalog.compare import compare
from digitalmarket.catalog.compare_facts import Localised, PlanFacts, ServiceFacts, chosen_codes
from digitalmarket.catalog.compare_prices import format_amount, normalise_plan
from digitalmarket.catalog.compare_units import canonical_unit
from digitalmarket.core.errors import ValidationFailed

TODAY = date(2026, 11, 26)


def plan(unit, price, billing="monthly", vat=False, name="Standard"):
    return PlanFacts(name, billing, unit, price, vat)


def service(code="SAS-2026-00001", **changes):
    base = ServiceFacts(
        code=code,
        name=f"서비스 {code}",
        type="SaaS",
        category=Localised("협업·그룹웨어", "Collaboration and groupware"),
        supplier="가온클라우드 주식회사",
        supplier_size="sme",
        deployment="public",
        sla_availability=Decimal("99.900"),
        support_hours="평일 09:00-18:00",
        data_return_policy="계약 종료 후 30일 안에 반환합니다.",
        data_centre_location="대한민국(세종)",
        csap_grade="하",
        csap_valid_until=date(2028, 6, 30),
        plans=(plan("사용자/월", 6000),),
    )
    return replace(base, **changes)


def row(comparison, key):
    return next(r for r in comparison.rows if r.key == key)


@pytest.mark.parametrize(
    ("unit", "billing", "price", "vat", "expected_unit", "expected_amount"),
    [
        ("사용자/월", "monthly", 6000, False, "사용자/월", "6,000"),
        ("user/month", "monthly", 6000, False, "사용자/월", "6,000"),
        ("per user per month", "monthly", 6000, False, "사용자/월", "6,000"),
        ("명/월", "monthly", 2500, False, "사용자/월", "2,500"),
        ("사용자/년", "fixed", 120000, False, "사용자/월", "10,000"),
        ("사용자/월", "monthly", 6600, True, "사용자/월", "6,000"),  # VAT taken out: ÷ 1.1
        ("사용자/월", "monthly", 6000, True, "사용자/월", "5,455"),  # 5,454.5 rounded half up
        ("TB/월", "usage", 60000, False, "GB/월", "58.6"),  # 1 TB = 1,024 GB
        ("GB/월", "usage", 9000, False, "GB/월", "9,000"),
        ("vCPU/시간", "usage", 45, False, "vCPU/시간", "45"),
        ("vCPU/분", "usage", 2, False, "vCPU/시간", "120"),
        ("천 건", "usage", 1000, False, "건", "1"),
        ("만 건", "usage", 500, False, "건", "0.05"),
        ("식", "monthly", 150000, False, "식/월", "150,000"),  # a monthly flat fee
        ("식", "fixed", 1200000, False, "식", "1,200,000"),  # a one-off price
        ("인월", "fixed", 12000000, False, "인월", "12,000,000"),
        ("인월", "monthly", 12000000, False, "인월", "12,000,000"),  # never "인월/월"
        ("대/월", "monthly", 50000, False, "대/월", "50,000"),
        ("회", "fixed", 300000, False, "회", "300,000"),
        ("km²", "fixed", 90000, False, "km²", "90,000"),  # unknown: compared only with itself
    ],
)
def test_prices_are_brought_to_a_canonical_unit(unit, billing, price, vat, expected_unit, expected_amount):
    normalised = normalise_plan(plan(unit, price, billing, vat))
    assert normalised.unit.code == expected_unit
    assert format_amount(normalised.amount) == expected_amount


def test_a_word_that_starts_like_a_number_is_not_a_number():
    assert canonical_unit("백업/월", "monthly").code == "백업/월"  # not 100 × 업
    assert canonical_unit("천건", "usage").code == "건"


def test_hourly_prices_stay_hourly_with_730_hours_as_a_guide():
    hourly = normalise_plan(plan("vCPU/시간", 45, "usage"))
    assert hourly.unit.code == "vCPU/시간" and hourly.monthly_at_730_hours == 32850
    assert normalise_plan(plan("사용자/월", 6000)).monthly_at_730_hours is None


def test_rows_say_where_the_services_differ():
    a = service("SAS-2026-00001")
    b = service("SAS-2026-00002", sla_availability=Decimal("99.95"), supplier="나래클라우드(주)")
    comparison = compare([a, b], TODAY)
    assert [v.render("en") for v in row(comparison, "sla").values] == ["99.9 %", "99.95 %"]
    assert row(comparison, "sla").differs and row(comparison, "supplier").differs
    assert not row(comparison, "type").differs and not row(comparison, "deployment").differs
    assert not row(comparison, "category").differs and not row(comparison, "csap").differs
    assert row(comparison, "category").values[0].render("en") == "Collaboration and groupware"
    assert row(comparison, "category").values[0].render("ko") == "협업·그룹웨어"
    assert row(comparison, "supplier_size").values[0].render("en") == "Small or medium enterprise"


def test_the_csap_row_shows_grade_and_validity():
    valid = service("SAS-2026-00001")
    expired = service("SAS-2026-00002", csap_valid_until=date(2026, 1, 31))
    support = service("SUP-2026-00003", type="SUPPORT", csap_grade=None, csap_valid_until=None)
    values = row(compare([valid, expired, support], TODAY), "csap").values
    assert [v.render("en") for v in values] == [
        "Grade Low, valid until 2028-06-30",
        "Grade Low, expired on 2026-01-31",
        "None",
    ]
    assert values[0].render("ko") == "하등급, 2028-06-30까지 유효"


def test_each_unit_is_a_price_row_with_the_lowest_price_marked():
    a = service("SAS-2026-00001", plans=(plan("사용자/월", 9000), plan("사용자/월", 6000, name="Lite")))
    b = service("SAS-2026-00002", plans=(plan("사용자/월", 7700, vat=True), plan("식", 150000)))
    c = service("SAS-2026-00003", plans=(plan("user/month", 8000),))
    comparison = compare([a, b, c], TODAY)
    assert [r.unit.code for r in comparison.price_rows] == ["사용자/월", "식/월"]
    per_user = row(comparison, "price:사용자/월")
    assert per_user.label.render("en") == "Lowest price per user per month"
    assert [v.render("en") for v in per_user.values] == ["6,000 won", "7,000 won", "8,000 won"]
    assert [v.lowest for v in per_user.values] == [True, False, False]
    assert per_user.values[0].price.plan.name == "Lite"  # the service's cheapest plan in the unit
    assert [n.render("en") for n in per_user.values[1].notes] == ["listed at 7,700 won per 사용자/월, VAT included"]
    flat = row(comparison, "price:식/월")
    assert [v.render("en") for v in flat.values] == ["-", "150,000 won", "-"]
    assert flat.differs and not any(v.lowest for v in flat.values)  # one price is not "the lowest"


def test_equal_prices_are_not_a_difference_and_ties_are_all_marked():
    same = compare([service("SAS-2026-00001"), service("SAS-2026-00002")], TODAY)
    per_user = row(same, "price:사용자/월")
    assert not per_user.differs and not any(v.lowest for v in per_user.values)
    dearer = service("SAS-2026-00003", plans=(plan("사용자/월", 9000),))
    tie = compare([service("SAS-2026-00001"), service("SAS-2026-00002"), dearer], TODAY)
    assert [v.lowest for v in row(tie, "price:사용자/월").values] == [True, True, False]


def test_storage_in_tb_and_gb_is_compared_per_gb():
    tb = service("IAS-2026-00001", type="IaaS", plans=(plan("TB/월", 60000, "usage", name="백업 용량"),))
    gb = service("IAS-2026-00002", type="IaaS", plans=(plan("GB/월", 50, "usage", name="Object storage"),))
    storage = row(compare([tb, gb], TODAY), "price:GB/월:storage")
    assert storage.label.render("en") == "Lowest price per GB of storage per month"
    assert storage.label.render("ko") == "최저가(저장공간 1GB·1개월)"
    assert [v.render("en") for v in storage.values] == ["58.6 won", "50 won"]
    assert [v.lowest for v in storage.values] == [False, True]
    assert [n.render("en") for n in storage.values[0].notes] == ["listed at 60,000 won per TB/월"]


@pytest.mark.parametrize(
    ("unit", "name", "key"),
    [
        ("GB/월", "메모리", "GB/월:memory"),
        ("GB 메모리/월", "추가", "GB/월:memory"),  # the unit names its resource
        ("GB(memory)/month", "Extra", "GB/월:memory"),
        ("TB/월", "백업 용량", "GB/월:storage"),
        ("GB/월", "블록 스토리지", "GB/월:storage"),
        ("GB", "데이터 전송", "GB/월:transfer"),  # billed monthly: per GB per month
        ("GB/월", "Standard", "GB/월"),  # not said: its own row, never ranked
        ("사용자/월", "메모리 포함", "사용자/월"),  # only quantities of data have a resource
    ],
)
def test_a_price_per_gb_names_the_resource_it_prices(unit, name, key):
    assert canonical_unit(unit, "monthly", name).key == key


def test_memory_is_never_compared_with_backup_storage():
    plans = (plan("vCPU/시간", 45, "usage", name="vCPU"), plan("GB/월", 9000, name="메모리"))
    server = service("IAS-2026-00001", type="IaaS", plans=plans)
    backup = service("IAS-2026-00002", type="IaaS", plans=(plan("TB/월", 60000, name="백업 용량"),))
    comparison = compare([server, backup], TODAY)
    memory, storage = row(comparison, "price:GB/월:memory"), row(comparison, "price:GB/월:storage")
    assert memory.label.render("ko") == "최저가(메모리 1GB·1개월)"
    assert [v.render("en") for v in memory.values] == ["9,000 won", "-"]
    assert [v.render("en") for v in storage.values] == ["-", "58.6 won"]
    assert not any(v.lowest for r in comparison.price_rows for v in r.values)
    assert "price:GB/월" not in {r.key for r in comparison.rows}


def test_data_prices_whose_resource_is_not_said_are_shown_but_not_ranked():
    one = service("IAS-2026-00001", type="IaaS", plans=(plan("GB/월", 100, name="기본"),))
    two = service("IAS-2026-00002", type="IaaS", plans=(plan("GB/월", 80, name="Standard"),))
    unknown = row(compare([one, two], TODAY), "price:GB/월")
    assert [v.render("en") for v in unknown.values] == ["100 won", "80 won"]
    assert not unknown.comparable and not any(v.lowest for v in unknown.values)
    assert unknown.note.render("ko").startswith("비교 불가")


@pytest.mark.parametrize(
    "written",
    ["평일 09:00–18:00", "평일 09:00 - 18:00", "평일　０９:００－１８:００", "평일 09:00~18:00", "평일09:00—18:00"],
)
def test_texts_differ_only_when_more_than_dashes_spaces_width_or_case_differ(written):
    plain = service("SAS-2026-00001", support_hours="평일 09:00-18:00", supplier="Gaon Cloud")
    other = service("SAS-2026-00002", support_hours=written, supplier="GAON  cloud")
    comparison = compare([plain, other], TODAY)
    assert not row(comparison, "support_hours").differs
    assert not row(comparison, "supplier").differs
    assert [v.render() for v in row(comparison, "support_hours").values] == ["평일 09:00-18:00", written]
    later = service("SAS-2026-00003", support_hours="평일 09:00-20:00")
    assert row(compare([plain, later], TODAY), "support_hours").differs


def test_the_main_plan_row_shows_each_suppliers_headline_price_with_unit_and_billing():
    meeting = service(
        "SAS-2026-00001",
        plans=(
            plan("GB/월", 150, "usage", name="녹화 저장공간"),
            PlanFacts("Standard", "monthly", "사용자/월", 28000, False, main=True),
        ),
    )
    approval = service("SAS-2026-00002", plans=(plan("사용자/월", 33000, vat=True, name="기본"),))
    main = row(compare([meeting, approval], TODAY), "main_plan")
    assert [v.render("ko") for v in main.values] == [
        "Standard: 28,000원 / 사용자·월 (월 정액, 부가세 별도)",
        "기본: 30,000원 / 사용자·월 (월 정액, 부가세 별도)",  # the first plan when none is marked
    ]
    assert main.differs and not main.is_price


@pytest.mark.parametrize("count", [0, 1, 5])
def test_fewer_than_two_or_more_than_four_services_are_refused(count):
    services = [service(f"SAS-2026-{i:05d}") for i in range(count)]
    with pytest.raises(ValidationFailed) as error:
        compare(services, TODAY)
    message = error.value.fields["codes"].render("en")
    assert ("at least 2" in message) if count < 2 else ("at most 4" in message and "you chose 5" in message)
    assert error.value.fields["codes"].render("ko") != message  # in Korean too


def test_chosen_codes_are_tidied_and_repeats_ignored():
    assert chosen_codes([" sas-2026-00001", "SAS-2026-00001", "", "IAS-2026-00002"]) == [
        "SAS-2026-00001",
        "IAS-2026-00002",
    ]
