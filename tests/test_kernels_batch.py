"""A batch of R replications equals R single runs, value by value, for every kernel.

The reference for each replication is the same kernel called on that replication alone (the
2-D call that ``steps.py`` makes); equality is exact (``assert_array_equal``), so a kernel that
mixed replications, or summed them in a different order, would fail.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from missionlens.scoring.kernels import aggregate as agg
from missionlens.scoring.kernels import impute, moments, outliers
from missionlens.scoring.kernels import normalise as norm

NAN = np.nan
R, N, C = 4, 9, 3


def _data(seed: int, shape: tuple[int, ...] = (R, N, C), missing: float = 0.15) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.uniform(1, 100, size=shape).round(1)  # rounded: ties for rank and percentile
    x[rng.random(shape) < missing] = NAN
    return x


def _each(batch: np.ndarray, single: Any, *args: Any, **kwargs: Any) -> None:
    """``batch`` (R, ...) equals ``single(x[r], ...)`` for every replication r."""
    for r in range(batch.shape[0]):
        assert_array_equal(batch[r], single(r, *args, **kwargs))


# ------------------------------------------------------------------------------ normalise
@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("minmax", {}),
        ("zscore", {"centre": 50.0, "scale": 10.0}),
        ("rank", {}),
        ("percentile", {}),
    ],
)
def test_data_driven_normalisers_reduce_over_units_only(name: str, kwargs: dict[str, Any]) -> None:
    x = _data(1)
    x[2, :, 1] = 7.0  # a constant column in one replication only
    x[3, 1:, 2] = NAN  # a single value in one replication only
    func = getattr(norm, name)
    out = func(x, **kwargs)
    assert out.shape == x.shape
    _each(out, lambda r: func(x[r], **kwargs))
    # two leading axes behave like one
    assert_array_equal(func(x.reshape(2, 2, N, C), **kwargs).reshape(x.shape), out)


def test_distance_to_target_per_column_and_per_replication_targets() -> None:
    x = _data(2)
    target = np.array([90.0, 95.0, 99.0])
    out = norm.distance_to_target(x, target)
    _each(out, lambda r: norm.distance_to_target(x[r], target))
    per_rep = np.array([[90.0, 95, 99], [91, 96, 99], [92, 97, 99], [93, 98, 99.5]])
    out = norm.distance_to_target(x, per_rep, cap=False)
    _each(out, lambda r: norm.distance_to_target(x[r], per_rep[r], cap=False))


def test_elementwise_normalisers_broadcast() -> None:
    x = _data(3)
    lo, hi = np.array([0.0, 10, 20]), np.array([100.0, 90, 80])
    _each(norm.goalposts(x, lo, hi), lambda r: norm.goalposts(x[r], lo, hi))
    _each(norm.linear(x, lo, hi), lambda r: norm.linear(x[r], lo, hi))
    _each(norm.transform(x, "log"), lambda r: norm.transform(x[r], "log"))
    levels = np.where(np.isnan(x), NAN, np.ceil(x / 20))  # levels 1..5
    mapping = {1.0: 0.0, 2.0: 20.0, 3.0: 50.0, 4.0: 80.0, 5.0: 100.0}
    _each(norm.custom_map(levels, mapping), lambda r: norm.custom_map(levels[r], mapping))


def test_rank_matches_pandas_min_ties() -> None:
    # independent computation: pandas DataFrame.rank(method="min"), as R rank(ties = "min")
    import pandas as pd

    x = _data(4, missing=0.3)
    out = norm.rank(x)
    for r in range(R):
        assert_array_equal(out[r], pd.DataFrame(x[r]).rank(method="min").to_numpy())


# ------------------------------------------------------------------------------ aggregate
METHODS = ["arithmetic", "geometric", "harmonic", "generalised", "minimum", "median"]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    ("rule", "min_share"), [("reweight", 0.5), ("reweight", 0.0), ("propagate", 0.5)]
)
@pytest.mark.parametrize("with_applicable", [False, True])
def test_aggregation_batch_equals_single_runs(
    method: str, rule: str, min_share: float, with_applicable: bool
) -> None:
    x = _data(5, shape=(R, N, 5), missing=0.25)
    x[0, 0] = 0.0  # zeros for the geometric/harmonic rule
    applicable = None
    if with_applicable:
        applicable = np.random.default_rng(6).random((N, 5)) > 0.3
    p = 2.5 if method == "generalised" else None
    kwargs: dict[str, Any] = {"p": p, "rule": rule, "min_share": min_share}
    shared = np.array([1.0, 2, 0, 1, 3])
    per_rep = np.random.default_rng(7).uniform(0.5, 2, size=(R, 5))
    per_unit = np.random.default_rng(8).uniform(0.5, 2, size=(R, N, 5))
    for w, w_of in [
        (shared, lambda r: shared),
        (per_rep, lambda r: per_rep[r]),
        (per_unit, lambda r: per_unit[r]),
    ]:
        score, share, eff = agg.aggregate_with_weights(
            x, w, method, applicable=applicable, **kwargs
        )
        assert score.shape == share.shape == (R, N) and eff.shape == x.shape
        for r in range(R):
            s1, sh1, e1 = agg.aggregate_with_weights(
                x[r], w_of(r), method, applicable=applicable, **kwargs
            )
            assert_array_equal(score[r], s1)
            assert_array_equal(share[r], sh1)
            assert_array_equal(eff[r], e1)
            # the 2-D call keeps its old signature and result
            s2, sh2 = agg.aggregate(x[r], w_of(r), method, applicable=applicable, **kwargs)
            assert_array_equal(s2, s1)
            assert_array_equal(sh2, sh1)


def test_effective_weights_decompose_the_scores() -> None:
    x = _data(9, shape=(R, N, 4), missing=0.2)
    w = np.array([1.0, 2, 3, 0])
    tol = {"rtol": 0, "atol": 1e-12}
    for method, check in [
        ("arithmetic", lambda e, v: (e * v).sum(-1)),
        ("geometric", lambda e, v: np.exp((e * np.log(v)).sum(-1))),
        ("harmonic", lambda e, v: 1 / (e / v).sum(-1)),
        ("generalised", lambda e, v: ((e * v**3).sum(-1)) ** (1 / 3)),
    ]:
        score, _, eff = agg.aggregate_with_weights(x, w, method, p=3, min_share=0)
        filled = np.where(np.isnan(x), 1.0, x)
        ok = ~np.isnan(score)
        assert_allclose(check(eff, filled)[ok], score[ok], rtol=1e-12)
        assert_allclose(eff.sum(-1)[ok], 1.0, **tol)
        assert (eff[np.isnan(x)] == 0).all() and (eff[..., 3] == 0).all()
        assert (eff[~ok] == 0).all()


def test_effective_weights_by_hand() -> None:
    # weights 1, 1, 2; child 1 missing: effective 1/3, 0, 2/3; score (50 + 200) / 3
    score, _, eff = agg.aggregate_with_weights(
        np.array([[50.0, NAN, 100.0]]), np.array([1.0, 1, 2])
    )
    assert_allclose(eff, [[1 / 3, 0, 2 / 3]], rtol=0, atol=1e-15)
    assert_allclose(score, [250 / 3], rtol=1e-15)
    # a child that does not apply but has a value is used, and weighted
    _, _, eff = agg.aggregate_with_weights(
        np.array([[60.0, NAN, 30.0]]),
        np.array([1.0, 1, 2]),
        applicable=np.array([[True, False, False]]),
    )
    assert_allclose(eff, [[1 / 3, 0, 2 / 3]], rtol=0, atol=1e-15)


def test_weight_shapes_are_checked() -> None:
    x = np.ones((R, N, 3))
    with pytest.raises(ValueError, match="3 children but 2 weights"):
        agg.aggregate(x, np.ones(2))
    with pytest.raises(ValueError, match="do not fit scores of shape"):
        agg.aggregate(x, np.ones((R + 1, 3)))
    with pytest.raises(ValueError, match="positive for every unit"):
        w = np.ones((R, 3))
        w[1] = 0
        agg.aggregate(x, w)
    with pytest.raises(ValueError, match="applicable has shape"):
        agg.aggregate(x, np.ones(3), applicable=np.ones((N + 1, 3), dtype=bool))
    with pytest.raises(ValueError, match=r"first unit position \(1, 0\)"):
        y = np.ones((R, N, 3))
        y[1, 0, 0] = -1
        agg.aggregate(y, np.ones(3), "geometric")


@settings(max_examples=25, deadline=None)
@given(
    st.integers(min_value=1, max_value=3),
    st.integers(min_value=1, max_value=6),
    st.integers(min_value=1, max_value=5),
    st.sampled_from(METHODS),
    st.sampled_from(["reweight", "propagate"]),
    st.floats(min_value=0, max_value=1),
    st.integers(min_value=0, max_value=2**32 - 1),
)
def test_aggregation_batch_property(
    reps: int, units: int, children: int, method: str, rule: str, min_share: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 100, size=(reps, units, children))
    x[rng.random(x.shape) < 0.3] = NAN
    w = rng.uniform(0, 3, size=(reps, children))
    w[:, 0] += 0.1  # every replication has a positive weight
    applicable = rng.random((units, children)) > 0.2
    kwargs: dict[str, Any] = {"p": -0.5, "rule": rule, "min_share": min_share}
    score, share, eff = agg.aggregate_with_weights(x, w, method, applicable=applicable, **kwargs)
    for r in range(reps):
        s1, sh1, e1 = agg.aggregate_with_weights(
            x[r], w[r], method, applicable=applicable, **kwargs
        )
        assert_array_equal(score[r], s1)
        assert_array_equal(share[r], sh1)
        assert_array_equal(eff[r], e1)


# ------------------------------------------------------------------------------ moments
def test_moments_batch_equals_single_columns() -> None:
    rng = np.random.default_rng(10)
    x = rng.lognormal(size=(R, 12, C))
    x[rng.random(x.shape) < 0.2] = NAN
    x[0, :, 0] = 3.0  # constant
    x[1, 3:, 1] = NAN  # 3 values: skewness only
    for func in (moments.skewness, moments.kurtosis):
        out = func(x)
        assert out.shape == (R, C)
        for r in range(R):
            assert_array_equal(out[r], func(x[r]))
            for j in range(C):
                assert_array_equal(out[r, j], func(x[r, :, j]))


# ------------------------------------------------------------------------------ impute
@pytest.mark.parametrize("stat", ["mean", "median"])
def test_group_imputation_batch_equals_single_runs(stat: str) -> None:
    x = _data(11, missing=0.3)
    groups = np.array([0, 0, 1, 1, 1, 2, 2, 0, 1])
    filled, mask = impute.fill_group_stat(x, groups, stat)
    assert filled.shape == mask.shape == x.shape
    for r in range(R):
        f1, m1 = impute.fill_group_stat(x[r], groups, stat)
        assert_array_equal(filled[r], f1)
        assert_array_equal(mask[r], m1)


def test_locf_batch_equals_single_runs() -> None:
    x = _data(12, missing=0.4)
    entity = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])
    order = np.array([2, 0, 1, 0, 2, 1, 1, 0, 2])
    filled, mask = impute.fill_locf(x, entity, order)
    for r in range(R):
        f1, m1 = impute.fill_locf(x[r], entity, order)
        assert_array_equal(filled[r], f1)
        assert_array_equal(mask[r], m1)
    with pytest.raises(ValueError, match="entity must give one code per unit"):
        impute.fill_locf(x, entity[:-1], order)


# ------------------------------------------------------------------------------ outliers
def test_outlier_treatment_batch_equals_single_runs() -> None:
    rng = np.random.default_rng(13)
    x = rng.lognormal(sigma=1.5, size=(R, 30, C))
    x[rng.random(x.shape) < 0.1] = NAN
    treated, changed, info = outliers.treat_outliers_columns(x, max_points=3)
    for r in range(R):
        t1, c1, i1 = outliers.treat_outliers_columns(x[r], max_points=3)
        assert_array_equal(treated[r], t1)
        assert_array_equal(changed[r], c1)
        assert_array_equal(info.action[r], i1.action)
        assert_array_equal(info.winsorised[r], i1.winsorised)
        assert_array_equal(info.skew_after[r], i1.skew_after)
