"""How pages write money and dates: won with thousands separators, days in Korean time."""

from __future__ import annotations

from datetime import date, datetime

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
