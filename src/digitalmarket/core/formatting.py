"""How pages write money, dates and units: won with thousands separators, days and times in Korean time,
units in the reader's language."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from .clock import KST
from .i18n import Text, current_locale


def file_size(size: int) -> str:
    """1536 -> "2 KB", as document and attachment lists show sizes."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} B"


def won(amount) -> str:
    """12000 -> "12,000" (the template adds 원)."""
    return f"{int(amount):,}"


def kst_date(value) -> str:
    """YYYY-MM-DD, in Korean time for instants; "-" for nothing."""
    if value is None or value == "":
        return "-"
    if isinstance(value, datetime):
        return value.astimezone(KST).strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:10]


def kst_datetime(value) -> str:
    """An instant as people read it everywhere: "2026-12-05 23:04 KST" (date, Korean time, zone); "-" for
    nothing. The API keeps ISO 8601 with its offset; this is for pages and e-mails only."""
    if value is None or value == "":
        return "-"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:  # stored instants are UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(KST).strftime("%Y-%m-%d %H:%M") + " KST"


#: The words of the units plans are priced in (사용자/월, 대/월, vCPU/시간, 식, 건 ...) as English readers
#: read them. A unit is what the supplier wrote; words not listed here are shown as written.
UNIT_WORDS_EN = {
    "사용자": "user",
    "명": "person",
    "월": "month",
    "개월": "month",
    "년": "year",
    "연": "year",
    "일": "day",
    "시간": "hour",
    "분": "minute",
    "건": "case",
    "식": "set",
    "대": "device",
    "인월": "person-month",
    "회": "session",
    "개": "item",
    "계정": "account",
    "코어": "core",
}


def unit_label(unit, locale: str | None = None) -> str:
    """A unit in the reader's language: "사용자/월" stays in Korean and reads "user/month" in English."""
    unit = "" if unit is None else str(unit)
    if (locale or current_locale.get()) != "en":
        return unit
    return re.sub(r"[가-힣]+", lambda match: UNIT_WORDS_EN.get(match.group(0), match.group(0)), unit)


@dataclass(frozen=True)
class UnitText(Text):
    """A unit as a message parameter, rendered in the message's language (`unit_label`)."""

    def render(self, locale: str | None = None) -> str:
        return unit_label(self.msgid, locale)
