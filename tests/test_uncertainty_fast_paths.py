"""The fast paths of the uncertainty engine and of the kernels it calls, against references.

Each test pins one shortcut taken for speed (issue 9, item 6) to a computation that does not
take it: the cached per-entry draws against freshly drawn ones, the median of cells laid out
one after another against ``ml.score``, ``aggregate`` (which skips the effective weights)
against ``aggregate_with_weights`` and against the weighted power mean written out unit by unit
(Bullen 2003, *Handbook of Means and Their Inequalities*, ch. III), and ``custom_map`` on
missing values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import missionlens as ml
from missionlens.analysis.uncertainty import _BLOCK, _EntryDraws
from missionlens.scoring.kernels import aggregate as agg
from missionlens.scoring.kernels.normalise import custom_map

from .test_uncertainty import FRAMEWORK, _long, _reference_by_score

pytestmark = pytest.mark.filterwarnings("ignore::missionlens.errors.IncompleteScoreWarning")


@pytest.fixture(scope="module")
def fw() -> ml.Framework:
    return ml.load_framework(FRAMEWORK)


def test_draws_do_not_depend_on_order_or_cache() -> None:
    """A realisation is the same whichever order it is asked in and whatever the cache keeps;
    a run of consecutive rows of one block is a read-only view."""
    m, entries = 3 * _BLOCK + 17, 40
    fresh = _EntryDraws(7, 5, entries, m, salt=11, cache_bytes=0)  # keeps two blocks
    every = np.vstack([fresh.block(b) for b in range(4)])
    rng = np.random.default_rng(0)
    for cache in (0, 10**9):
        draws = _EntryDraws(7, 5, entries, m, salt=11, cache_bytes=cache)
        for _ in range(5):
            index = rng.integers(0, m, 60)
            np.testing.assert_array_equal(draws.take(index), every[index])
    view = fresh.take(np.arange(_BLOCK + 3, _BLOCK + 40))
    np.testing.assert_array_equal(view, every[_BLOCK + 3 : _BLOCK + 40])
    assert not view.flags.writeable


def test_evaluate_in_random_order_with_a_small_cache(fw: ml.Framework) -> None:
    """A sensitivity design asks for realisations out of order: with a cache too small for
    every block (blocks evicted and drawn again), each replication is still its own."""
    model = ml.UncertaintyModel.build(
        _long(seed=2),
        framework=fw,
        spec={"raters": True, "jitter": {}, "weights": {"noise": 0.2}},
        seed=4,
        realisations=3 * _BLOCK,
        memory_budget=2**20,
    )
    rng = np.random.default_rng(1)
    n = 200
    index = {name: rng.integers(0, 3 * _BLOCK, n) for name in model.factor_names}
    out = model.evaluate(index)
    order = np.argsort(index["raters"], kind="stable")
    again = model.evaluate({k: v[order] for k, v in index.items()})
    np.testing.assert_array_equal(again, out[order])


@pytest.mark.parametrize("raters", [1, 2, 3])
def test_cells_in_runs_match_score(fw: ml.Framework, raters: int) -> None:
    """Every cell with the same number of raters: the median is taken on views of the entries
    (no gather), and each replication still equals ml.score on its own entries."""
    base = _long(seed=5)
    one = base.drop_duplicates(["mission", "period", "indicator"]).assign(rater="R0")
    frames = []
    for r in range(raters):
        shifted = one.assign(rater=f"R{r}")
        rubric = shifted["indicator"].isin(["pol_01", "pol_02"])
        shifted.loc[rubric, "value"] = ((shifted.loc[rubric, "value"] + r - 1) % 5) + 1
        frames.append(shifted)
    data = pd.concat(frames, ignore_index=True)
    result = ml.uncertainty(
        data, framework=fw, spec={"raters": True, "jitter": {"to_level": True}}, n=8, seed=2
    )
    assert raters in result.model._cell_runs
    _reference_by_score(result, range(result.n))


def _power_mean_loop(x: np.ndarray, w: np.ndarray, p: float) -> float:
    """Bullen (2003) M_p over the present children, written out for one unit."""
    keep = ~np.isnan(x) & (w > 0)
    xs, ws = x[keep], w[keep] / w[keep].sum()
    if p == 0:
        return 0.0 if (xs == 0).any() else float(np.exp((ws * np.log(xs)).sum()))
    if p < 0 and (xs == 0).any():
        return 0.0
    return float((ws * xs**p).sum() ** (1.0 / p))


@pytest.mark.parametrize("method", agg.AGGREGATION_METHODS)
@pytest.mark.parametrize("rule", ["reweight", "propagate"])
def test_aggregate_equals_aggregate_with_weights_and_the_loop(method: str, rule: str) -> None:
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 100, (4, 6, 5))
    x[rng.random(x.shape) < 0.2] = np.nan
    x[0, 0, 1] = 0.0
    applicable = rng.random((6, 5)) < 0.85
    p = 0.5 if method == "generalised" else None
    for w in (
        np.array([1.0, 2.0, 0.0, 1.0, 0.5]),
        rng.uniform(0.1, 2, (4, 5)),
        rng.uniform(0.1, 2, (4, 6, 5)),
    ):
        for app in (None, applicable):
            score, share = agg.aggregate(x, w, method, p=p, rule=rule, applicable=app)
            full = agg.aggregate_with_weights(x, w, method, p=p, rule=rule, applicable=app)
            np.testing.assert_array_equal(score, full[0])
            np.testing.assert_array_equal(share, full[1])
            power = {"arithmetic": 1.0, "geometric": 0.0, "harmonic": -1.0}.get(method, p)
            if power is None:
                continue
            wb = np.broadcast_to(w if w.ndim != 2 else w[:, None, :], x.shape)
            for r, u in np.ndindex(x.shape[:2]):
                if np.isnan(score[r, u]):
                    continue
                expected = _power_mean_loop(x[r, u], wb[r, u], power)
                assert score[r, u] == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_custom_map_keeps_missing_values_and_shape() -> None:
    mapping = {1: 0, 2: 20, 3: 50, 4: 80, 5: 100}
    x = np.array([[1.0, np.nan, 4.5], [np.nan, 5.0, 2.25]])
    np.testing.assert_allclose(
        custom_map(x, mapping), [[0.0, np.nan, 90.0], [np.nan, 100.0, 27.5]], equal_nan=True
    )
    zero_d = custom_map(np.array(3.0), mapping)
    assert isinstance(zero_d, np.ndarray) and zero_d.shape == () and float(zero_d) == 50.0
    with pytest.raises(ValueError, match="no custom score for level"):
        custom_map(np.array([0.5, np.nan]), mapping)
