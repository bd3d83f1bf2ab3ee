"""Normalisation, aggregation, imputation and outlier kernels against values worked by hand."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from missionlens.scoring.kernels import aggregate as agg
from missionlens.scoring.kernels import impute, outliers
from missionlens.scoring.kernels import normalise as norm

NAN = np.nan
TOL = {"rtol": 0, "atol": 1e-12}


# ------------------------------------------------------------------------------ normalise
def test_linear_rubric_levels() -> None:
    assert_allclose(norm.linear(np.array([1.0, 2, 3, 4, 5]), 1, 5), [0, 25, 50, 75, 100], **TOL)


def test_goalposts_cap_and_no_cap() -> None:
    x = np.array([10.0, 50, 90, 120])
    # (50 - 20) / (85 - 20) = 30 / 65
    assert_allclose(norm.goalposts(x, 20, 85), [0, 3000 / 65, 100, 100], **TOL)
    assert_allclose(
        norm.goalposts(x, 20, 85, cap=False), [-1000 / 65, 3000 / 65, 7000 / 65, 10000 / 65], **TOL
    )


def test_minmax_columns_missing_and_constant() -> None:
    x = np.array([[2.0, 7], [4, 7], [6, NAN], [NAN, 7]])
    out = norm.minmax(x)
    assert_allclose(out[:, 0], [0, 50, 100, NAN], **TOL)
    assert_allclose(out[:, 1], [50, 50, NAN, 50], **TOL)  # constant column -> 50


def test_zscore_sample_sd() -> None:
    # mean 2, sd (ddof=1) 1
    assert_allclose(norm.zscore(np.array([1.0, 2, 3])), [-1, 0, 1], **TOL)
    assert_allclose(norm.zscore(np.array([1.0, 2, 3]), centre=50, scale=10), [40, 50, 60], **TOL)
    # mean 5, sd sqrt(((2-5)^2+(4-5)^2+(9-5)^2)/2) = sqrt(13)
    assert_allclose(norm.zscore(np.array([2.0, 4, 9])), np.array([-3, -1, 4]) / np.sqrt(13), **TOL)


def test_rank_and_percentile_ties_min() -> None:
    x = np.array([3.0, 1, 3, 2, NAN])
    assert_allclose(norm.rank(x), [3, 1, 3, 2, NAN], **TOL)
    # dplyr::percent_rank(c(3, 1, 3, 2)) = c(2/3, 0, 2/3, 1/3)
    assert_allclose(norm.percentile(x), [200 / 3, 0, 200 / 3, 100 / 3, NAN], **TOL)


def test_distance_to_target() -> None:
    # min 2, target 6: (x - 2) / 4, capped at 1
    x = np.array([2.0, 4, 8])
    assert_allclose(norm.distance_to_target(x, 6), [0, 50, 100], **TOL)
    assert_allclose(norm.distance_to_target(x, 6, cap=False), [0, 50, 150], **TOL)
    with pytest.raises(ValueError, match="target above the lowest"):
        norm.distance_to_target(x, 1)


def test_custom_map_and_unknown_level() -> None:
    mapping = {1.0: 0.0, 2.0: 20.0, 3.0: 50.0, 4.0: 80.0, 5.0: 100.0}
    assert_allclose(norm.custom_map(np.array([1.0, 3, NAN, 5]), mapping), [0, 50, NAN, 100], **TOL)
    # between two levels (a consolidated median): linear interpolation, 2.5 -> (20 + 50) / 2
    assert_allclose(norm.custom_map(np.array([2.5]), mapping), [35], **TOL)
    with pytest.raises(ValueError, match=r"level\(s\) 6; the mapping covers 1, 2, 3, 4, 5"):
        norm.custom_map(np.array([6.0]), mapping)


def test_transforms_and_domain_errors() -> None:
    assert_allclose(norm.transform(np.array([1.0, np.e]), "log"), [0, 1], **TOL)
    assert_allclose(norm.transform(np.array([0.0, 9]), "log1p"), [0, np.log(10)], **TOL)
    with pytest.raises(ValueError, match="log transform needs values above 0"):
        norm.transform(np.array([0.0, 1]), "log")


# ------------------------------------------------------------------------------ aggregate
def test_weighted_arithmetic_with_reweighting() -> None:
    score, share = agg.aggregate(np.array([[50.0, NAN, 100]]), np.array([1.0, 1, 2]))
    assert_allclose(score, [250 / 3], **TOL)  # (50 * 1 + 100 * 2) / 3
    assert_allclose(share, [0.75], **TOL)
    score, _ = agg.aggregate(np.array([[50.0, NAN, 100]]), np.array([1.0, 1, 2]), min_share=0.8)
    assert np.isnan(score[0])


def test_geometric_harmonic_generalised() -> None:
    x = np.array([[1.0, 4.0]])
    assert_allclose(agg.aggregate(x, np.array([1.0, 1]), "geometric")[0], [2.0], **TOL)
    # weights 1 and 3: 4 ** (3/4)
    assert_allclose(agg.aggregate(x, np.array([1.0, 3]), "geometric")[0], [4**0.75], **TOL)
    # harmonic: 2 / (1/1 + 1/4) = 1.6
    assert_allclose(agg.aggregate(x, np.array([1.0, 1]), "harmonic")[0], [1.6], **TOL)
    # power mean p=2 of 3 and 4: sqrt(12.5)
    y = np.array([[3.0, 4.0]])
    assert_allclose(
        agg.aggregate(y, np.array([1.0, 1]), "generalised", p=2)[0], [np.sqrt(12.5)], **TOL
    )
    assert_allclose(
        agg.aggregate(y, np.array([1.0, 1]), "generalised", p=-1)[0],
        agg.aggregate(y, np.array([1.0, 1]), "harmonic")[0],
        **TOL,
    )


def test_minimum_and_median_ignore_zero_weight_children() -> None:
    x = np.array([[50.0, 20, 80], [NAN, 10, 30]])
    w = np.array([1.0, 0, 1])
    assert_allclose(agg.aggregate(x, w, "minimum", min_share=0)[0], [50, 30], **TOL)
    assert_allclose(
        agg.aggregate(np.array([[10.0, 30, 20, 40]]), np.ones(4), "median")[0], [25], **TOL
    )


def test_geometric_zero_gives_zero_and_negative_is_refused() -> None:
    assert_allclose(agg.aggregate(np.array([[0.0, 50]]), np.ones(2), "geometric")[0], [0], **TOL)
    assert_allclose(agg.aggregate(np.array([[0.0, 50]]), np.ones(2), "harmonic")[0], [0], **TOL)
    # p > 0 with a zero: ((0 + 50^2) / 2) ** 0.5
    assert_allclose(
        agg.aggregate(np.array([[0.0, 50]]), np.ones(2), "generalised", p=2)[0],
        [np.sqrt(1250)],
        **TOL,
    )
    with pytest.raises(ValueError, match="undefined for negative values"):
        agg.aggregate(np.array([[-1.0, 50]]), np.ones(2), "geometric")


def test_propagate_rule() -> None:
    x = np.array([[50.0, NAN, 20], [50.0, 30, 20]])
    w = np.array([1.0, 1, 0])
    score, _ = agg.aggregate(x, w, rule="propagate")
    assert np.isnan(score[0]) and score[1] == 40
    # a missing child of weight 0 does not propagate
    score, _ = agg.aggregate(np.array([[50.0, 30, NAN]]), w, rule="propagate")
    assert_allclose(score, [40], **TOL)


def test_bad_weights_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one weight must be positive"):
        agg.aggregate(np.ones((1, 2)), np.zeros(2))
    with pytest.raises(ValueError, match="2 children but 3 weights"):
        agg.aggregate(np.ones((1, 2)), np.ones(3))


scores = st.floats(min_value=0.01, max_value=100, allow_nan=False)


@given(
    st.lists(st.tuples(scores, st.floats(min_value=0.01, max_value=10)), min_size=1, max_size=8),
    st.sampled_from(["arithmetic", "geometric", "harmonic", "generalised", "median", "minimum"]),
    st.floats(min_value=0.01, max_value=1000),
)
def test_mean_between_children_and_scale_invariant(
    pairs: list[tuple[float, float]], method: str, factor: float
) -> None:
    x = np.array([[v for v, _ in pairs]])
    w = np.array([wt for _, wt in pairs])
    p = 3.0 if method == "generalised" else None
    score, _ = agg.aggregate(x, w, method, p=p)
    assert x.min() - 1e-9 <= score[0] <= x.max() + 1e-9
    scaled, _ = agg.aggregate(x, w * factor, method, p=p)
    assert_allclose(scaled, score, rtol=1e-12)


# ------------------------------------------------------------------------------ treatment
def test_skewness_and_kurtosis_match_excel() -> None:
    # Microsoft Excel documentation examples for SKEW and KURT on
    # {3, 4, 5, 2, 3, 4, 5, 6, 4, 7}: SKEW = 0.359543, KURT = -0.151799637
    x = np.array([3.0, 4, 5, 2, 3, 4, 5, 6, 4, 7])
    assert round(outliers.sample_skewness(x), 6) == 0.359543
    assert round(outliers.sample_kurtosis(x), 9) == -0.151799637


def test_winsorisation_worked_example() -> None:
    # COINr's treat vignette example x = c(1:10, 30, 100): skew 3.06 > 2 and kurtosis 9.74 > 3.5;
    # one pass sets 100 to the next value 30, after which skew is 1.71 and the test passes.
    x = np.array([*range(1, 11), 30.0, 100.0])
    treated, changed, info = outliers.treat_outliers(x)
    assert_allclose(treated, [*range(1, 11), 30.0, 30.0], **TOL)
    assert changed.tolist() == [False] * 11 + [True]
    assert info.action == "winsorised" and info.winsorised == 1
    assert info.skew_after < 2


def test_winsorisation_falls_back_to_log() -> None:
    x = np.array([1.0] * 20 + [2, 3, 50, 400, 10_000])
    treated, changed, info = outliers.treat_outliers(x, max_points=2)
    assert info.action == "log"
    # log_CT: ln(x - min + 0.01 (max - min))
    expected = np.log(x - 1 + 0.01 * (10_000 - 1))
    assert_allclose(treated, expected, **TOL)
    assert changed.all()


def test_group_mean_and_locf_imputation() -> None:
    x = np.array([[1.0, NAN], [3.0, 4], [NAN, 8], [10, NAN]])
    groups = np.array([0, 0, 0, 1])
    filled, mask = impute.fill_group_stat(x, groups, "mean")
    assert_allclose(filled, [[1, 6], [3, 4], [2, 8], [10, NAN]], **TOL)
    assert mask.tolist() == [[False, True], [False, False], [True, False], [False, False]]
    filled, _ = impute.fill_group_stat(x, groups, "median")
    assert_allclose(filled[0, 1], 6, **TOL)
    # locf: entity 0 has periods 2, 0, 1 (out of order); entity 1 one period
    y = np.array([[NAN], [5.0], [NAN], [NAN]])
    filled, mask = impute.fill_locf(y, np.array([0, 0, 0, 1]), np.array([2, 0, 1, 0]))
    assert_allclose(filled[:, 0], [5, 5, 5, NAN], **TOL)
    assert mask[:, 0].tolist() == [True, False, True, False]


def test_children_that_do_not_apply_leave_the_total_weight() -> None:
    x = np.array([[60.0, NAN, NAN], [60.0, NAN, NAN], [60.0, NAN, 30]])
    w = np.array([1.0, 1, 2])
    applies = np.array([[True, False, False], [True, True, True], [True, False, False]])
    score, share = agg.aggregate(x, w, applicable=applies)
    # row 0: only child 0 applies -> share 1; row 1: share 1/4 < 0.5 -> missing;
    # row 2: child 2 does not apply but has a value, which still counts: (60 + 60) / 3
    assert_allclose(share, [1.0, 0.25, 1.0], **TOL)
    assert_allclose(score, [60, NAN, 40], **TOL)
    score, _ = agg.aggregate(x, w, rule="propagate", applicable=applies)
    assert_allclose(score, [60, NAN, 40], **TOL)
