"""How pages write money and dates: won with thousands separators, days in Korean time."""

from __future__ import annotations

from datetime import UTC, date, datetime

from .clock import KST


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
