"""The pure rules of the statistics: quartiles read like percentile_cont, shares, the year filter."""

from __future__ import annotations

import statistics as pystats

import pytest

from digitalmarket.core.errors import ValidationFailed
from digitalmarket.statistics import rules


@pytest.mark.parametrize(
    "values",
    [[1.0, 2.0], [3.0, 5.0, 9.0], [0.5, 1.5, 2.0, 10.0], [4.2, 4.2, 4.2, 7.9, 8.0, 30.25, 31.0]],
)
def test_quartiles_interpolate_between_ranks_like_percentile_cont(values):
    spread = rules.spread(sorted(values))
    p25, median, p75 = pystats.quantiles(sorted(values), n=4, method="inclusive")
    assert spread.count == len(values)
    assert spread.p25 == pytest.approx(p25) and spread.median == pytest.approx(median)
    assert spread.p75 == pytest.approx(p75)
    assert spread.median == pytest.approx(pystats.median(values))


def test_one_value_and_none():
    assert rules.spread([2.5]) == rules.Spread(1, 2.5, 2.5, 2.5)
    assert rules.spread([]) is None
    with pytest.raises(ValueError):
        rules.percentile([1.0], 1.5)


def test_spread_rounds_to_one_decimal():
    assert rules.Spread(2, 1.04, 2.25, 3.96).rounded() == rules.Spread(2, 1.0, 2.2, 4.0)


def test_share_is_a_percentage_with_one_decimal():
    assert rules.share(2, 3) == 66.7
    assert rules.share(0, 0) == 0.0
    assert rules.share(5, 5) == 100.0


def test_year_filter():
    assert rules.parse_year(None) is None
    assert rules.parse_year(" ") is None
    assert rules.parse_year("2026") == 2026
    for bad in ("20x6", "-1", "1999", "2101", "2026.0"):
        with pytest.raises(ValidationFailed) as raised:
            rules.parse_year(bad)
        assert set(raised.value.fields) == {"year"}
