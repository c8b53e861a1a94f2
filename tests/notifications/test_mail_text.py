"""E-mails read as people write: each Korean particle is chosen for the name before it, as on the pages."""

from __future__ import annotations

import re

from digitalmarket.core.i18n import N_
from digitalmarket.core.settings import Settings
from digitalmarket.notifications.mailer import compose

FALLBACK = re.compile(r"[이가]\([이가]\)|[을를]\([을를]\)|[과와]\([과와]\)|[은는]\([은는]\)|\(으\)로")


def _mail(message, language: str, tmp_path) -> tuple[str, str]:
    settings = Settings(
        data_dir=tmp_path, database_url="sqlite://", secret_key="test", base_url="https://market.example.kr"
    )
    mail = compose(
        notification_id=7,
        message=message,
        link="/orders/3",
        to_email="kim@demo.kr",
        to_name="김가상",
        language=language,
        settings=settings,
    )
    return str(mail["Subject"]), mail.get_content()


def test_particles_follow_the_names_in_korean_e_mails(tmp_path):
    for agency, code, expected in (
        ("미래행정부", "ORD-2026-00001", ("미래행정부가", "ORD-2026-00001을")),
        ("한빛특별시", "ORD-2026-00002", ("한빛특별시가", "ORD-2026-00002를")),
        ("국민건강데이터원", "ORD-2026-00010", ("국민건강데이터원이", "ORD-2026-00010을")),
    ):
        message = N_(
            "%(agency)s made order %(code)s for %(service)s. Check the contract document and confirm it.",
            agency=agency,
            code=code,
            service="가상 그룹웨어",
        )
        subject, body = _mail(message, "ko", tmp_path)
        for text in (subject, body):
            assert all(word in text for word in expected), text
            assert not FALLBACK.search(text), text
        assert "김가상님" in body and "https://market.example.kr/orders/3" in body


def test_the_same_e_mail_in_english(tmp_path):
    message = N_(
        "%(agency)s made order %(code)s for %(service)s. Check the contract document and confirm it.",
        agency="미래행정부",
        code="ORD-2026-00001",
        service="가상 그룹웨어",
    )
    subject, body = _mail(message, "en", tmp_path)
    assert "미래행정부 made order ORD-2026-00001" in subject and "Hello 김가상," in body
