"""The demo committee's calendar: round 1 in 2024-02 and one round a month after it, each meeting on the
20th (or the Friday before), the last round decided by today, and the working days steps fall on."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ...core.clock import KST
from ...selection.rules import month_key
from ..history import at

#: The month of round 1: the demo's history of selection starts with the applications of 2024-01.
FIRST_ROUND_MONTH = "2024-02"
FIRST_DAY = date(2024, 1, 2)


def meeting_day(month: str) -> date:
    """The committee meets on the 20th of its month, or the Friday before when the 20th is a weekend."""
    year, mon = (int(p) for p in month.split("-"))
    day = date(year, mon, 20)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def round_number(month: str) -> int:
    """Rounds are numbered from round 1 in `FIRST_ROUND_MONTH`, one a month."""
    year, mon = (int(p) for p in month.split("-"))
    first_year, first_mon = (int(p) for p in FIRST_ROUND_MONTH.split("-"))
    return (year - first_year) * 12 + mon - first_mon + 1


def last_decided_month(today: date) -> str:
    """The last round decided by today: its meeting at least four days ago, so that its selected
    services are published by now. The round after it is the open one."""
    month = month_key(today)
    while meeting_day(month) + timedelta(days=4) > today:
        month = month_before(month)
    return month


def working_day_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def working_moment(moment: datetime) -> datetime:
    day = working_day_on_or_after(moment.astimezone(KST).date())
    local = moment.astimezone(KST)
    return at(day, local.hour, local.minute)


def month_before(month: str) -> str:
    year, mon = (int(p) for p in month.split("-"))
    return f"{year - 1:04d}-12" if mon == 1 else f"{year:04d}-{mon - 1:02d}"
