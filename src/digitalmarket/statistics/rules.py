"""The rules of the statistics: what counts as a contract, how a spread of durations is read, shares and
the year filter. No I/O.

Quartiles are read with linear interpolation between the two nearest ranks, as PostgreSQL's
``percentile_cont`` does: for n sorted values and a fraction f, the value at rank f x (n - 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..core.errors import ValidationFailed
from ..core.i18n import N_, Text

#: Orders that are contracts: both sides confirmed (contracted), in use, ended or ended early.
CONTRACT_STATES = ("contracted", "active", "completed", "terminated")
FIRST_YEAR = 2020  # the specialised track started on 2020-10-01
LAST_YEAR = 2100
DAYS_DIGITS = 1  # durations are shown in days with one decimal
PERCENT_DIGITS = 1


def percentile(values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` percentile of sorted values, interpolated like ``percentile_cont``."""
    if not values:
        raise ValueError("no values")
    if not 0 <= fraction <= 1:
        raise ValueError("fraction outside 0..1")
    rank = fraction * (len(values) - 1)
    low = int(rank)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (rank - low)


@dataclass(frozen=True)
class Spread:
    """How long something took: how many cases, the quartiles and the median, in days."""

    count: int
    p25: float
    median: float
    p75: float

    def rounded(self) -> Spread:
        return Spread(
            self.count, round(self.p25, DAYS_DIGITS), round(self.median, DAYS_DIGITS), round(self.p75, DAYS_DIGITS)
        )


def spread(sorted_values: Sequence[float]) -> Spread | None:
    """The spread of sorted durations, or None when there are none."""
    if not sorted_values:
        return None
    return Spread(
        len(sorted_values),
        percentile(sorted_values, 0.25),
        percentile(sorted_values, 0.5),
        percentile(sorted_values, 0.75),
    )


def share(part: int, whole: int) -> float:
    """``part`` as a percentage of ``whole`` with one decimal; 0.0 when there is nothing."""
    if not whole:
        return 0.0
    return round(part * 100 / whole, PERCENT_DIGITS)


def parse_year(value: str | None) -> int | None:
    """The year filter: nothing (all years) or a year from 2020 on; anything else is a field error."""
    if value is None or value.strip() == "":
        return None
    text = value.strip()
    problem: Text | None = None
    if not text.isdecimal():
        problem = N_("Choose a year such as 2026.")
    elif not FIRST_YEAR <= int(text) <= LAST_YEAR:
        problem = N_("Choose a year from %(first)s to %(last)s.", first=FIRST_YEAR, last=LAST_YEAR)
    if problem is not None:
        raise ValidationFailed(fields={"year": problem})
    return int(text)
