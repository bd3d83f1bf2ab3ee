"""Performance read against context: difficulty bands, the quadrant, context-adjusted scores.

The framework is tests/data/frameworks/peers.yaml (see tests/test_peers.py): a unit's
performance composite is the mean of its two dimension means and its context index is the value
of ``env_c``, so both are known exactly from the entries. The band edges are worked by hand with
Hyndman & Fan (1996) definition 7; the regression is checked against an independent computation
with ``numpy.linalg.lstsq`` and the hat matrix ``X (X'X)^-1 X'`` (Montgomery, Peck & Vining
2012, 2.4.2 and 3.4: the prediction interval ``y0 +/- t s sqrt(1 + x0'(X'X)^-1 x0)``).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import missionlens as ml
from missionlens.analysis.context import ADJUSTED_COLUMNS, BAND_COLUMNS, VERSUS_COLUMNS

PEERS_YAML = Path(__file__).parent / "data" / "frameworks" / "peers.yaml"


@pytest.fixture(scope="module")
def fw() -> ml.Framework:
    return ml.load_framework(PEERS_YAML)


def _score(fw: ml.Framework, data: pd.DataFrame) -> ml.Profiles:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ml.IncompleteScoreWarning)
        return ml.score(data, framework=fw)


def _five(fw: ml.Framework) -> ml.Profiles:
    """The units of tests/test_peers.py: performance 20, 50, 65, 50, 55; context 20, 30, 60, 90,
    10 (A 2023, A 2024, B, C, D)."""
    data = pd.DataFrame(
        {
            "mission": ["A", "A", "B", "C", "D"],
            "period": ["2023", "2024", "2024", "2024", "2024-H2"],
            "phase": ["start_up"] + ["implementation"] * 4,
            "pol_1": [20, 80, 50, 60, 90],
            "pol_2": [20, 60, 50, 40, 70],
            "sec_1": [20, 40, 70, 60, np.nan],
            "sec_2": [20, 20, 90, 40, 30],
            "env_c": [20, 30, 60, 90, 10],
        }
    )
    return _score(fw, data)


def _many(fw: ml.Framework, n: int = 12, seed: int = 7) -> tuple[ml.Profiles, pd.DataFrame]:
    """``n`` missions, one period; returns the profiles and the entries."""
    rng = np.random.default_rng(seed)
    data = pd.DataFrame(
        {
            "mission": [f"M{k:02d}" for k in range(n)],
            "period": "2024",
            "phase": "implementation",
            **{c: rng.uniform(0, 100, n).round(1) for c in ("pol_1", "pol_2", "sec_1", "sec_2")},
            "env_c": rng.uniform(0, 100, n).round(1),
        }
    )
    return _score(fw, data), data


def test_difficulty_bands_tertiles_by_hand(fw: ml.Framework) -> None:
    bands = ml.difficulty_bands(_five(fw))
    assert tuple(bands.columns) == BAND_COLUMNS
    # context 20, 30, 60, 90, 10 sorted 10, 20, 30, 60, 90: definition 7 puts the 1/3 quantile
    # at position 4/3, 20 + (30 - 20) / 3 = 23.33, and the 2/3 quantile at 8/3,
    # 30 + 2 (60 - 30) / 3 = 50
    assert list(bands["band"]) == [1, 2, 3, 3, 1]
    np.testing.assert_allclose(bands["lower"], [0, 70 / 3, 50, 50, 0])
    np.testing.assert_allclose(bands["upper"], [70 / 3, 50, 100, 100, 70 / 3])


def test_difficulty_bands_given_edges_include_the_upper_edge(fw: ml.Framework) -> None:
    bands = ml.difficulty_bands(_five(fw), bands=[0, 30, 70, 100])
    # (0, 30] holds 20, 30 and 10 (the first band includes 0 too); (30, 70] 60; (70, 100] 90
    assert list(bands["band"]) == [1, 1, 2, 3, 1]
    outside = ml.difficulty_bands(_five(fw), bands=[40, 100])  # below the lowest edge: no band
    assert outside["band"].isna().tolist() == [True, True, False, False, True]
    with pytest.raises(ml.ArgumentError, match="increasing order"):
        ml.difficulty_bands(_five(fw), bands=[50, 10])
    with pytest.raises(ml.ArgumentError, match="at least 1"):
        ml.difficulty_bands(_five(fw), bands=0)


def test_performance_vs_context_quadrants_by_hand(fw: ml.Framework) -> None:
    table = ml.performance_vs_context(_five(fw))
    assert tuple(table.columns) == VERSUS_COLUMNS
    assert list(table["performance"]) == [20, 50, 65, 50, 55]
    assert list(table["context"]) == [20, 30, 60, 90, 10]
    # medians: performance 50, context 30; at the median counts as high / favourable
    assert list(table["quadrant"]) == [
        "low_performance_hard_context",
        "high_performance_favourable_context",
        "high_performance_favourable_context",
        "high_performance_favourable_context",
        "high_performance_hard_context",
    ]
    assert set(table["quadrant"]) <= set(ml.analysis.context.QUADRANTS)


def test_context_adjusted_against_lstsq_and_the_hat_matrix(fw: ml.Framework) -> None:
    profiles, _ = _many(fw)
    table = ml.context_adjusted(profiles)
    assert tuple(table.columns) == ADJUSTED_COLUMNS
    summary = profiles.summary()
    y = summary["performance"].to_numpy(dtype=float)
    x = summary["context"].to_numpy(dtype=float)
    design = np.column_stack([np.ones_like(x), x])
    (a, b), *_ = np.linalg.lstsq(design, y, rcond=None)
    fitted = design @ np.array([a, b])
    n = len(y)
    s2 = ((y - fitted) ** 2).sum() / (n - 2)
    inverse = np.linalg.inv(design.T @ design)
    leverage = np.einsum("ij,jk,ik->i", design, inverse, design)  # x0'(X'X)^-1 x0
    se = np.sqrt(s2 * (1 + leverage))
    t = stats.t.ppf(0.95, n - 2)
    np.testing.assert_allclose(table["intercept"], a)
    np.testing.assert_allclose(table["slope"], b)
    np.testing.assert_allclose(table["expected"], fitted)
    np.testing.assert_allclose(table["se"], se)
    np.testing.assert_allclose(table["expected_lower"], fitted - t * se)
    np.testing.assert_allclose(table["expected_upper"], fitted + t * se)
    np.testing.assert_allclose(table["adjusted"], y.mean() + y - fitted)
    np.testing.assert_allclose(table["adjusted_lower"], y.mean() + y - fitted - t * se)
    np.testing.assert_allclose(
        table["r_squared"], 1 - ((y - fitted) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    )
    # always beside the unadjusted score
    np.testing.assert_array_equal(table["performance"], y)
    assert set(table["n_units"]) == {n} and set(table["note"]) == {""}
    assert set(table["versus_expected"]) <= {"above", "below", "within"}


def test_context_adjusted_on_a_line_by_hand(fw: ml.Framework) -> None:
    # performance = 20 + 0.5 context exactly: pol_1 = pol_2 = sec_1 = sec_2 = performance
    context = np.array([0.0, 20, 40, 60, 80, 100, 30, 50])
    perf = 20 + 0.5 * context
    data = pd.DataFrame(
        {
            "mission": list("ABCDEFGH"),
            "period": "2024",
            **{c: perf for c in ("pol_1", "pol_2", "sec_1", "sec_2")},
            "env_c": context,
        }
    )
    table = ml.context_adjusted(_score(fw, data))
    np.testing.assert_allclose(table["slope"], 0.5)
    np.testing.assert_allclose(table["intercept"], 20, atol=1e-9)
    np.testing.assert_allclose(table["residual"], 0, atol=1e-9)
    # every mission does exactly what its context predicts: all adjusted to the mean, 43.75
    np.testing.assert_allclose(table["adjusted"], perf.mean())
    assert perf.mean() == 43.75
    np.testing.assert_allclose(table["se"], 0, atol=1e-6)


def test_context_adjusted_refuses_too_few_and_lists_the_left_out(fw: ml.Framework) -> None:
    with pytest.raises(ml.ArgumentError, match=r"at least min_units=8 .* these profiles have 5"):
        ml.context_adjusted(_five(fw))
    profiles, data = _many(fw, n=10)
    data.loc[0, "env_c"] = np.nan
    table = ml.context_adjusted(_score(fw, data))
    assert table.loc[0, "note"] == "no context index" and np.isnan(table.loc[0, "adjusted"])
    assert set(table["n_units"]) == {9} and table.loc[0, "performance"] > 0
    with pytest.raises(ml.ArgumentError, match="period '1990' is in none"):
        ml.context_adjusted(profiles, period="1990")
    with pytest.raises(ml.ArgumentError, match="at least 3"):
        ml.context_adjusted(profiles, min_units=2)
    with pytest.raises(ml.ArgumentError, match="level"):
        ml.context_adjusted(profiles, level=90)


def test_no_context_indicator_is_a_clear_error(small_framework: ml.Framework) -> None:
    data = pd.DataFrame({"mission": ["A"], "period": ["2024"], "pol_02": [3]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        profiles = ml.score(data, framework=small_framework)
    with pytest.raises(ml.ArgumentError, match="has no context indicator"):
        ml.difficulty_bands(profiles)
    with pytest.raises(ml.ArgumentError, match="within_band=True needs a context index"):
        ml.compare_missions(profiles, period="2024", within_band=True)
