"""The one chronological order of periods (missionlens.periods) and its call sites."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

import missionlens.periods as periods_module
from missionlens.errors import ArgumentError
from missionlens.periods import period_key, period_order, sort_periods, years_since
from missionlens.plot.time_axis import sort_periods as plot_sort_periods
from missionlens.scoring.steps import _period_order


def test_doctests() -> None:
    result = doctest.testmod(periods_module)
    assert result.failed == 0


def test_period_key_is_the_midpoint_then_start_then_end() -> None:
    # 2024 is a leap year of 366 days: its midpoint is 183 days after 1 January (2 July)
    assert period_key("2024") == (
        pd.Timestamp("2024-07-02"),
        pd.Timestamp("2024-01-01"),
        pd.Timestamp("2024-12-31"),
    )
    # one day: its midpoint is noon of that day
    assert period_key("2024-03-15")[0] == pd.Timestamp("2024-03-15 12:00")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (["2024-H2", "2024", "2024-H1"], ["2024-H1", "2024", "2024-H2"]),
        (["2024-Q4", "2024-H1", "2024-Q1", "2024"], ["2024-Q1", "2024-H1", "2024", "2024-Q4"]),
        (["2024-03", "2024-02-29", "2024-01"], ["2024-01", "2024-02-29", "2024-03"]),
        # a financial year (midpoint 31 Dec 2023 + 12 h) sits between the calendar years
        (["2024", "2023/24", "2023"], ["2023", "2023/24", "2024"]),
        # the same midpoint (15 February at noon): the earlier start first
        (
            ["2024-02-01/2024-02-29", "2024-01-01/2024-03-31"],
            ["2024-01-01/2024-03-31", "2024-02-01/2024-02-29"],
        ),
        # numbers are years; repeats and missing values are dropped
        ([2025.0, 2023, None, float("nan"), "2023"], ["2023", "2025"]),
        # a label that is not a period: the given order is kept
        (["cycle 2", "2024", "cycle 1"], ["cycle 2", "2024", "cycle 1"]),
    ],
)
def test_sort_periods(given: list[object], expected: list[str]) -> None:
    assert sort_periods(given) == expected
    assert plot_sort_periods(given) == expected  # the plots' name is the same function


def test_period_order_ranks_equal_periods_equally() -> None:
    ranks = period_order(["2024-H2", "2024h1", None, "2023", "2024-H1", 2023.0])
    np.testing.assert_array_equal(ranks, [2, 1, -1, 0, 1, 0])
    assert ranks.dtype == np.int64


def test_period_order_without_chronology_uses_first_appearance() -> None:
    np.testing.assert_array_equal(period_order(["b", "a", "b"]), [0, 1, 0])


def test_scoring_uses_the_same_order() -> None:
    """LOCF in scoring orders units by periods.period_order, not by label text: '2023/24' is
    before '2024' although it sorts after it as text."""
    units = pd.DataFrame({"mission": ["A", "A", "A"], "period": ["2024", "2023/24", "2023"]})
    np.testing.assert_array_equal(_period_order(units), [2, 1, 0])
    assert sorted(units["period"]) == ["2023", "2023/24", "2024"]  # text order agrees here
    units = pd.DataFrame({"mission": ["A", "A"], "period": ["2024-Q1", "2023-H2"]})
    np.testing.assert_array_equal(_period_order(units), [1, 0])


def test_years_since() -> None:
    # hand-computed: 2013-04-25 to 2014-01-01 is 251 days; 251 / 365.2425 = 0.68721...
    assert years_since("2014", "2013-04-25") == pytest.approx(251 / 365.2425)
    assert years_since("2013", "2013-04-25") < 0
    # 2014-01-01 to 2014-12-31 is 364 days
    assert years_since("2014", "2014-01-01", at="end") == pytest.approx(364 / 365.2425)
    assert years_since("2014", pd.Timestamp("2014-01-01"), at="midpoint") == pytest.approx(
        182.5 / 365.2425
    )
    with pytest.raises(ArgumentError, match="at must be"):
        years_since("2014", "2014-01-01", at="middle")
    with pytest.raises(ArgumentError, match="is not a date"):
        years_since("2014", "someday")
    with pytest.raises(ValueError, match="is not a period"):
        years_since("cycle 1", "2014-01-01")


def test_units_run_chronologically_within_each_mission_whoever_named_a_period_first() -> None:
    # Mission B names 2014 first; before the fix, Mission A's units followed that first
    # appearance (2014 before 2005) in consolidate, score and summary.
    import missionlens as ml

    fw = ml.load_framework("whole-of-mission")
    ind = fw.indicators_in_phase("implementation")[0].id
    rows = [("B", "2014"), ("B", "2016"), ("A", "2016"), ("A", "2005"), ("A", "2014")]
    entries = pd.DataFrame(
        [
            {
                "mission": m,
                "period": p,
                "phase": "implementation",
                "indicator": ind,
                "value": 3,
                "rater": "r1",
            }
            for m, p in rows
        ]
    )
    consolidated = ml.consolidate(entries, framework=fw)
    units = consolidated[["mission", "period"]].drop_duplicates()
    expected = {"A": ["2005", "2014", "2016"], "B": ["2014", "2016"]}

    def periods_by_mission(table: pd.DataFrame) -> dict[str, list[str]]:
        return {m: list(g["period"]) for m, g in table.groupby("mission", sort=False)}

    assert periods_by_mission(units) == expected
    with pytest.warns(ml.IncompleteScoreWarning):
        summary = ml.score(entries, framework=fw).summary()
    assert periods_by_mission(summary) == expected
    # quarters, halves and a year of one mission, given out of order
    mixed = pd.DataFrame(
        [
            {
                "mission": "A",
                "period": p,
                "phase": "implementation",
                "indicator": ind,
                "value": 3,
                "rater": "r1",
            }
            for p in ("2024-H2", "2023-Q4", "2024-H1", "2023")
        ]
    )
    got = ml.consolidate(mixed, framework=fw)["period"].drop_duplicates().tolist()
    assert got == ["2023", "2023-Q4", "2024-H1", "2024-H2"]
