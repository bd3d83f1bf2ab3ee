"""Outlier treatment and moments against COINr's definitions (bluefoxr/COINr, ``R/treat.R``)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from missionlens.scoring.kernels import moments, outliers

NAN = np.nan
TOL = {"rtol": 0, "atol": 1e-12}


def _e1071_type2(values: list[float]) -> tuple[float, float]:
    """Skewness and kurtosis written out as COINr ``skew``/``kurt`` (copied from e1071 type 2).

    An independent, scalar, pure-Python transcription of the R code:
    ``y <- sqrt(n) * sum(x^3) / (sum(x^2)^(3/2)); y * sqrt(n * (n - 1)) / (n - 2)`` and
    ``r <- n * sum(x^4) / (sum(x^2)^2); ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))``.
    """
    n = len(values)
    mean = math.fsum(values) / n
    d = [v - mean for v in values]
    s2, s3, s4 = (math.fsum(e**k for e in d) for k in (2, 3, 4))
    skew = math.sqrt(n) * s3 / s2**1.5 * math.sqrt(n * (n - 1)) / (n - 2)
    r = n * s4 / s2**2
    kurt = ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)) if n > 3 else math.nan
    return skew, kurt


def test_moments_match_the_e1071_transcription_per_column_and_skip_nan() -> None:
    rng = np.random.default_rng(7)
    x = rng.lognormal(size=(25, 3))
    x[[2, 9], 1] = NAN
    s, k = moments.skewness(x), moments.kurtosis(x)
    assert s.shape == k.shape == (3,)
    for j in range(3):
        col = [float(v) for v in x[:, j] if not np.isnan(v)]
        ref_s, ref_k = _e1071_type2(col)
        assert_allclose([s[j], k[j]], [ref_s, ref_k], rtol=1e-12)


def test_moments_undefined_cases_are_nan() -> None:
    x = np.array([[1.0, 2, 0.1], [2, 2, 0.1], [4, 2, 0.1], [NAN, 2, 0.1]])
    # column 0: 3 values -> skewness defined, kurtosis needs 4; columns 1, 2: constant
    # (0.1 * 4 / 4 is not exactly 0.1, so only an exact equality test avoids a spurious value)
    s, k = moments.skewness(x), moments.kurtosis(x)
    assert_allclose(s[0], _e1071_type2([1.0, 2, 4])[0], rtol=1e-12)
    assert np.isnan(s[1:]).all() and np.isnan(k).all()
    assert np.isnan(outliers.sample_kurtosis(np.array([1.0, 2, 3])))


def test_coinr_vignette_vector_winmax_2() -> None:
    # COINr Treat.numeric example: x <- c(1:10, 30, 100); Treat(x, f1 = "winsorise",
    # f1_para = list(winmax = 2), f_pass = "check_SkewKurt"). By hand: skew 3.06 >= 2 and
    # kurtosis 9.74 >= 3.5 fail; pass 1 sets 100 to 30 (imax = {12}, nwin = 1); now
    # skew 1.71 < 2 passes, so only point 12 is winsorised ("winhi").
    x = np.array([*range(1, 11), 30.0, 100.0])
    s0, k0 = _e1071_type2(x.tolist())
    assert round(s0, 2) == 3.06 and round(k0, 2) == 9.74
    treated, changed, info = outliers.treat_outliers(x, max_points=2)
    assert_array_equal(treated, [*range(1, 11), 30.0, 30.0])
    assert np.flatnonzero(changed).tolist() == [11]
    assert (info.action, info.winsorised) == ("winsorised", 1)
    assert_allclose(info.skew_after, _e1071_type2(treated.tolist())[0], rtol=1e-12)


def test_winmax_counts_distinct_points_as_coinr_does() -> None:
    # x = 1..30 followed by 200, 300, 400, 500 (34 values), COINr defaults (winmax 5).
    # COINr winsorise, pass by pass (nwin = length(imax), imax = positions at the maximum):
    #   start : skew 2.96, kurt 8.11 -> fails
    #   pass 1: imax = {500}               -> 400, nwin 1; skew 2.77, kurt 6.57 fails
    #   pass 2: imax = {400, 400}          -> 300, nwin 2; skew 2.57, kurt 5.17 fails
    #   pass 3: imax = {300, 300, 300}     -> 200, nwin 3; skew 2.40, kurt 4.17 fails
    #   pass 4: imax = {200 x 4}           -> 30,  nwin 4; skew -0.12 passes -> stop.
    # COINr treats exactly the 4 points 200, 300, 400, 500, each set to 30. Counting a point
    # again each time a later pass moves it (1, 1 + 2, 1 + 2 + 3 = 6 >= 5) would stop after
    # pass 3, still failing, and fall back to log_CT: the old, wrong rule.
    x = np.array([*range(1, 31), 200.0, 300, 400, 500])
    stages = [
        x,
        np.array([*range(1, 31), 200.0, 300, 400, 400]),
        np.array([*range(1, 31), 200.0, 300, 300, 300]),
        np.array([*range(1, 31), 200.0, 200, 200, 200]),
        np.array([*range(1, 31), 30.0, 30, 30, 30]),
    ]
    by_hand = [(2.96, 8.11), (2.77, 6.57), (2.57, 5.17), (2.40, 4.17)]
    for stage, (s, k) in zip(stages, by_hand, strict=False):
        got = _e1071_type2(stage.tolist())
        assert (round(got[0], 2), round(got[1], 2)) == (s, k)
    assert _e1071_type2(stages[-1].tolist())[0] < 2
    treated, changed, info = outliers.treat_outliers(x)
    assert_array_equal(treated, stages[-1])
    assert np.flatnonzero(changed).tolist() == [30, 31, 32, 33]
    assert (info.action, info.winsorised) == ("winsorised", 4)
    # with winmax 3 the limit is reached after pass 3 (nwin 3), still failing: log_CT
    treated, changed, info = outliers.treat_outliers(x, max_points=3)
    assert info.action == "log"
    assert_allclose(treated, np.log(x - 1 + 0.01 * (500 - 1)), **TOL)


def test_failure_test_uses_coinr_inequalities() -> None:
    # check_SkewKurt passes iff abs(skew) < skew_thresh | kurt < kurt_thresh, so a column whose
    # statistics equal the thresholds exactly fails and is treated.
    x = np.array([*range(1, 11), 30.0, 100.0])
    s, k = outliers.sample_skewness(x), outliers.sample_kurtosis(x)
    _, _, info = outliers.treat_outliers(x, skew_threshold=abs(s), kurtosis_threshold=k)
    assert info.action == "winsorised"
    _, _, info = outliers.treat_outliers(x, skew_threshold=abs(s) + 1e-9, kurtosis_threshold=k)
    assert info.action == "none"


def test_negative_skew_winsorises_the_low_end_and_ties_together() -> None:
    # mirror image with a tied pair: -100 twice. Pass 1: imin = both -100 -> -30 (nwin 2).
    x = -np.array([*range(1, 11), 30.0, 100.0, 100.0, *range(1, 11)])
    treated, changed, info = outliers.treat_outliers(x)
    assert outliers.sample_skewness(x) < 0
    expected = x.copy()
    expected[expected == -100] = -30
    assert_array_equal(treated, expected)
    assert changed.sum() == 2 and info.winsorised == 2


def test_log_fallback_variants() -> None:
    x = np.array([1.0] * 20 + [2, 3, 50, 400, 10_000, NAN])
    treated, changed, info = outliers.treat_outliers(x, max_points=2, fallback="log_ct_orig")
    assert info.action == "log"
    assert_allclose(treated, np.log(x - 1 + 1), **TOL)  # COINr log_CT_orig: log(x - min + 1)
    assert changed.tolist() == [True] * 25 + [False]
    assert np.isnan(treated[-1])
    same, _, _ = outliers.treat_outliers(x, max_points=2, fallback="log_ct")
    assert_array_equal(same, outliers.treat_outliers(x, max_points=2)[0])
    original, changed, info = outliers.treat_outliers(x, max_points=2, fallback="none")
    assert info.action == "failed" and not changed.any()
    assert_array_equal(original, x)
    with pytest.raises(ValueError, match="unknown outlier fallback 'boxcox'"):
        outliers.treat_outliers(x, fallback="boxcox")


def test_untestable_columns_are_reported_not_treated() -> None:
    x = np.array([[1.0, 5.0], [1000.0, 5.0], [2.0, 5.0], [NAN, 5.0]])
    treated, changed, info = outliers.treat_outliers_columns(x)
    assert info.action.tolist() == ["untested", "untested"]
    assert_array_equal(treated, x)
    assert not changed.any()


def test_no_limit_and_bad_max_points() -> None:
    x = np.array([*range(1, 31), 200.0, 300, 400, 500])
    _, _, info = outliers.treat_outliers(x, max_points=None)
    assert info.winsorised == 4
    with pytest.raises(ValueError, match="max_points must be at least 0"):
        outliers.treat_outliers(x, max_points=-1)
    with pytest.raises(ValueError, match="takes one column"):
        outliers.treat_outliers(np.ones((3, 2)))


def test_columns_and_replications_are_treated_independently() -> None:
    rng = np.random.default_rng(3)
    x = rng.lognormal(sigma=1.5, size=(4, 30, 3))
    x[1, 5, 2] = NAN
    treated, changed, info = outliers.treat_outliers_columns(x)
    assert info.action.shape == (4, 3)
    assert set(info.action.ravel()) >= {"winsorised", "none"}
    for r in range(4):
        for j in range(3):
            t1, c1, i1 = outliers.treat_outliers(x[r, :, j])
            assert_array_equal(treated[r, :, j], t1)
            assert_array_equal(changed[r, :, j], c1)
            assert info.column((r, j)) == i1
