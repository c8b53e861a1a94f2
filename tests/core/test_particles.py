"""Korean particles are chosen from the word they follow, in catalog messages and in page templates."""

import re

import pytest

from digitalmarket.core.i18n import LOCALE_DIR, N_
from digitalmarket.core.particles import fit, particle
from digitalmarket.core.templating import _build_environment

FALLBACKS = re.compile(r"이\(가\)|을\(를\)|은\(는\)|과\(와\)|와\(과\)|\(으\)로")


@pytest.mark.parametrize(
    ("word", "given", "chosen"),
    [
        ("클라우드나래", "이", "가"),
        ("(주)가상소프트", "이", "가"),
        ("미래행정부", "가", "가"),
        ("한빛특별시", "을", "를"),
        ("계약", "를", "을"),
        ("ORD-2026-00001", "가", "이"),  # 일
        ("2026-11", "를", "을"),
        ("QR-2026-00002", "은", "는"),  # 이
        ("한결", "으로", "로"),  # ㄹ takes 로
        ("서울", "으로", "로"),
        ("본부", "으로", "로"),
        ("민원실", "으로", "로"),  # a final ㄹ takes 로
        ("CC-2026-00017", "으로", "로"),  # 칠
        ("가상소프트 팀", "와", "과"),
        ("Nuri Cloud", "과", "와"),  # d is read without a final consonant
        ("Nuri Team", "와", "과"),
        ("선정 신청 3번(가상결재 클라우드)", "가", "이"),  # an aside in brackets is not what the particle follows
        ("INV-2026-00835(2026-11)", "을", "를"),  # 오
        ("미래행정부 [중앙행정기관]", "을", "를"),
        ("(주)", "이", "가"),  # nothing before the brackets: read as it is
        ("하늘정보통신(주)", "이", "가"),  # a legal form after the name is read with it: (주)
        ("미르시스템즈(주)", "을", "를"),
        ("가온데이터(유)", "은", "는"),
        ("한빛정보(합)", "가", "이"),  # 합
    ],
)
def test_the_particle_follows_the_last_syllable_as_it_is_read(word, given, chosen):
    assert particle(word, given) == chosen


def test_a_message_takes_the_particle_of_its_value_after_quotes_and_brackets_too():
    assert fit("%(name)s이 신청했습니다.", {"name": "한빛"}) % {"name": "한빛"} == "한빛이 신청했습니다."
    assert fit("“%(q)s”이 들어간", {"q": "챗봇"}) % {"q": "챗봇"} == "“챗봇”이 들어간"
    assert fit("“%(q)s”이 들어간", {"q": "보안관제"}) % {"q": "보안관제"} == "“보안관제”가 들어간"
    assert fit("%(x)s이용", {"x": "나래"}) == "%(x)s이용"  # a word, not a particle


def test_an_aside_in_brackets_takes_the_particle_of_the_word_before_it():
    values = {"id": 3, "name": "가상결재 클라우드", "invoice": "INV-2026-00835", "month": "2026-11"}
    assert fit("선정 신청 %(id)s번(%(name)s)이 선정되었습니다.", values) % values == (
        "선정 신청 3번(가상결재 클라우드)이 선정되었습니다."
    )
    assert fit("청구서 %(invoice)s(%(month)s)을 정정했습니다.", values) % values == (
        "청구서 INV-2026-00835(2026-11)를 정정했습니다."
    )
    assert fit("(%(name)s)이 들어간", values) % values == "(가상결재 클라우드)가 들어간"  # nothing before it


def test_catalog_messages_and_templates_read_naturally():
    message = N_("%(supplier)s declined to quote for %(code)s.", supplier="클라우드나래 주식회사", code="QR-1")
    assert message.render("ko").startswith("클라우드나래 주식회사가 ")
    message = N_("%(supplier)s declined to quote for %(code)s.", supplier="(주)한결클라우드", code="QR-1")
    assert message.render("ko").startswith("(주)한결클라우드가 ")
    template = _build_environment().from_string("{{ _('Back to %(name)s', name=name) }}")
    assert template.render(name="한결 화상회의") == "한결 화상회의로 돌아가기"
    assert template.render(name="서비스 목록") == "서비스 목록으로 돌아가기"


def test_no_catalog_message_writes_a_fallback_with_both_forms():
    for locale in ("ko", "en"):
        text = (LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
        assert not FALLBACKS.findall(text), locale
