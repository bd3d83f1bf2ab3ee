"""Krippendorff's alpha with its uncertainty: the unit bootstrap of ``ml.agreement``.

The vectorised alpha of all draws is compared with ``krippendorff.alpha`` (the point value on
the worked example of Krippendorff, 2011, and random data, and every draw of a slow bootstrap
that loops over the same draws); the interval's properties are checked on simulated raters.
"""

from __future__ import annotations

import re
from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd
import pytest

import missionlens as ml
from missionlens.analysis.agreement import (
    AGREEMENT_COLUMNS,
    BOOTSTRAP_COLUMNS,
    alpha_of_draws,
    bootstrap_units,
    scope_draws,
)

LEVELS = ("nominal", "ordinal", "interval", "ratio")
ROOT = Path(__file__).parents[1]


def _long(data: np.ndarray, indicator: str = "pol_02") -> pd.DataFrame:
    """Long table from reliability data (raters x units, nan = not rated), one unit a mission."""
    rater, unit = np.nonzero(~np.isnan(data))
    return pd.DataFrame(
        {
            "mission": [f"M{u:03d}" for u in unit],
            "period": "2024",
            "phase": "implementation",
            "indicator": indicator,
            "value": data[rater, unit],
            "rater": [f"R{r}" for r in rater],
        }
    )


def _raters(n_units: int, seed: int, n_raters: int = 3, noise: float = 0.8) -> np.ndarray:
    """Raters x units on a 1-5 rubric: a latent level per unit plus each rater's noise."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(1, 6, n_units)
    values = truth[None, :] + np.rint(rng.normal(0, noise, (n_raters, n_units)))
    return np.clip(values, 1, 5).astype(float)


def _slow(data: np.ndarray, draws: np.ndarray, level: str) -> np.ndarray:
    """The bootstrap by hand: per draw, resample the units and call ``krippendorff.alpha``."""
    domain = np.unique(data[~np.isnan(data)])
    out = []
    for row in draws:
        sample = data[:, row]
        if np.unique(sample[~np.isnan(sample)]).size < 2:
            out.append(1.0)  # all values equal: no disagreement, alpha counted as 1
            continue
        out.append(
            krippendorff.alpha(
                reliability_data=sample, value_domain=domain, level_of_measurement=level
            )
        )
    return np.array(out)


@pytest.fixture
def krippendorff_2011(data_dir: Path, small_framework: ml.Framework) -> pd.DataFrame:
    return ml.read_assessments(
        data_dir / "assessments" / "krippendorff_2011.csv", framework=small_framework
    )


# ------------------------------------------------------------ the vectorised alpha is alpha
@pytest.mark.parametrize("level", LEVELS)
def test_point_alpha_equals_the_package_on_the_worked_example(
    krippendorff_2011: pd.DataFrame, level: str
) -> None:
    wide = krippendorff_2011.pivot(index="rater", columns="mission", values="value")
    data = wide.to_numpy(dtype="float64")
    everything = np.arange(data.shape[1])[None, :]
    ours = alpha_of_draws(data, everything, level)  # type: ignore[arg-type]
    theirs = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    assert ours[0] == pytest.approx(theirs, abs=1e-12)


@pytest.mark.parametrize("level", LEVELS)
def test_point_alpha_equals_the_package_on_random_data(level: str) -> None:
    rng = np.random.default_rng(7)
    for _ in range(40):
        n_raters, n_units = int(rng.integers(2, 6)), int(rng.integers(2, 30))
        data = rng.choice([0.0, 1.0, 2.5, 4.0, 7.0], size=(n_raters, n_units))
        data[rng.random(data.shape) < 0.3] = np.nan
        pairable = np.sum(~np.isnan(data), axis=0) >= 2
        if (
            not pairable.any()
            or np.unique(data[:, pairable][~np.isnan(data[:, pairable])]).size < 2
        ):
            continue
        ours = alpha_of_draws(data, np.arange(n_units)[None, :], level)[0]  # type: ignore[arg-type]
        with np.errstate(divide="ignore", invalid="ignore"):
            theirs = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
        assert ours == pytest.approx(theirs, abs=1e-12)


@pytest.mark.parametrize("level", LEVELS)
def test_vectorised_bootstrap_equals_a_slow_bootstrap_draw_by_draw(level: str) -> None:
    data = _raters(12, seed=3, n_raters=4)
    data[0, 2] = data[1, 5] = data[3, 7] = np.nan
    draws = bootstrap_units(data.shape[1], 200, seed=11)
    fast = alpha_of_draws(data, draws, level)  # type: ignore[arg-type]
    np.testing.assert_allclose(fast, _slow(data, draws, level), rtol=0, atol=1e-12)


def test_agreement_replays_with_scope_draws(small_framework: ml.Framework) -> None:
    data = _raters(15, seed=5)
    table = _long(data)
    result = ml.agreement(table, framework=small_framework, n_boot=1000, seed=42)
    row = result.set_index("scope").loc["indicator"]
    draws = scope_draws(42, "indicator", "pol_02", int(row["n_units"]), 1000)
    alphas = _slow(data, draws, "ordinal")
    low, high = np.quantile(alphas, [0.025, 0.975])
    assert row["alpha_low"] == pytest.approx(low, abs=1e-12)
    assert row["alpha_high"] == pytest.approx(high, abs=1e-12)
    assert row["p_below_0667"] == np.mean(alphas < 0.667)
    assert row["p_below_0800"] == np.mean(alphas < 0.800)
    assert 0.0 <= row["p_below_0800"] <= 1.0 and row["p_below_0667"] <= row["p_below_0800"]
    assert row["n_boot_constant"] == np.sum([np.unique(data[:, d]).size < 2 for d in draws])


def test_bootstrap_units_draws_with_replacement_reproducibly() -> None:
    draws = bootstrap_units(7, 1000, seed=1)
    assert draws.shape == (1000, 7) and draws.min() == 0 and draws.max() == 6
    np.testing.assert_array_equal(draws, bootstrap_units(7, 1000, seed=1))
    assert not np.array_equal(draws, bootstrap_units(7, 1000, seed=2))
    assert np.mean([np.unique(d).size < 7 for d in draws]) > 0.9  # with replacement


# ------------------------------------------------------------------- agreement's interval
def test_default_call_has_todays_columns(small_framework: ml.Framework) -> None:
    result = ml.agreement(_long(_raters(10, seed=1)), framework=small_framework)
    assert list(result.columns) == list(AGREEMENT_COLUMNS)


def test_same_seed_same_result_and_columns(small_framework: ml.Framework) -> None:
    table = _long(_raters(25, seed=2))
    first = ml.agreement(table, framework=small_framework, n_boot=1000, seed=9)
    again = ml.agreement(table, framework=small_framework, n_boot=1000, seed=9)
    other = ml.agreement(table, framework=small_framework, n_boot=1000, seed=10)
    assert list(first.columns) == [*AGREEMENT_COLUMNS, *BOOTSTRAP_COLUMNS]
    pd.testing.assert_frame_equal(first, again)
    assert not first["alpha_low"].equals(other["alpha_low"])
    plain = ml.agreement(table, framework=small_framework)
    pd.testing.assert_frame_equal(first[list(AGREEMENT_COLUMNS)], plain)
    assert (first["n_boot"] == 1000).all()
    assert first["n_boot"].dtype == "int64" and first["alpha_low"].dtype == "float64"


@pytest.mark.parametrize("level", LEVELS)
def test_interval_covers_the_point_value(small_framework: ml.Framework, level: str) -> None:
    table = _long(_raters(40, seed=4))
    result = ml.agreement(table, level, framework=small_framework, n_boot=1000, seed=1)  # type: ignore[arg-type]
    assert (result["alpha_low"] <= result["alpha"]).all()
    assert (result["alpha"] <= result["alpha_high"]).all()
    assert (result["alpha_low"] < result["alpha_high"]).all()


def test_interval_narrows_as_units_grow(small_framework: ml.Framework) -> None:
    widths = {}
    for n_units in (20, 200):
        table = _long(_raters(n_units, seed=6))
        row = ml.agreement(table, framework=small_framework, n_boot=1000, seed=3).iloc[-1]
        widths[n_units] = row["alpha_high"] - row["alpha_low"]
    # about 1 / sqrt(n): ten times the units, about a third of the width
    assert widths[200] < 0.6 * widths[20]


def test_wider_coverage_wider_interval(small_framework: ml.Framework) -> None:
    table = _long(_raters(30, seed=8))
    narrow = ml.agreement(table, framework=small_framework, n_boot=1000, seed=1, ci=0.5)
    wide = ml.agreement(table, framework=small_framework, n_boot=1000, seed=1, ci=0.99)
    assert (wide["alpha_low"] <= narrow["alpha_low"]).all()
    assert (wide["alpha_high"] >= narrow["alpha_high"]).all()


def test_perfect_agreement_gives_one_and_interval_one(small_framework: ml.Framework) -> None:
    levels = np.array([1.0, 2.0, 3.0, 4.0, 5.0] * 4)
    data = np.vstack([levels, levels, levels])
    for level in LEVELS:
        result = ml.agreement(
            _long(data),
            level,
            framework=small_framework,
            n_boot=1000,
            seed=0,  # type: ignore[arg-type]
        )
        assert (result["alpha"] == 1.0).all()
        assert (result["alpha_low"] == 1.0).all() and (result["alpha_high"] == 1.0).all()
        assert (result["p_below_0667"] == 0.0).all() and (result["p_below_0800"] == 0.0).all()


def test_single_value_draws_are_counted(small_framework: ml.Framework) -> None:
    # two units of 5 and one of 1: a third of draws or so hold only 5s
    data = np.array([[5.0, 5.0, 1.0], [5.0, 5.0, 1.0]])
    row = ml.agreement(_long(data), framework=small_framework, n_boot=1000, seed=0).iloc[-1]
    assert row["alpha"] == 1.0
    assert 0 < row["n_boot_constant"] < 1000
    assert row["alpha_low"] == row["alpha_high"] == 1.0


def test_undefined_alpha_has_no_interval(small_framework: ml.Framework) -> None:
    same = _long(np.array([[3.0, 3.0], [3.0, 3.0]]))
    result = ml.agreement(same, framework=small_framework, n_boot=1000, seed=0)
    assert result["alpha"].isna().all() and result["alpha_low"].isna().all()
    assert (result["n_boot"] == 0).all() and result["p_below_0800"].isna().all()


def test_thresholds_follow_the_agreement(small_framework: ml.Framework) -> None:
    poor = ml.agreement(
        _long(_raters(30, seed=9, noise=2.0)), framework=small_framework, n_boot=1000, seed=0
    ).iloc[-1]
    good = ml.agreement(
        _long(_raters(30, seed=9, noise=0.3)), framework=small_framework, n_boot=1000, seed=0
    ).iloc[-1]
    assert poor["p_below_0667"] > 0.9 and good["p_below_0800"] < 0.1


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"n_boot": 10}, "n_boot"),
        ({"n_boot": 999}, "n_boot"),
        ({"n_boot": -1}, "n_boot"),
        ({"n_boot": 1000.0}, "n_boot"),
        ({"n_boot": True}, "n_boot"),
        ({"ci": 1.5}, "ci"),
        ({"ci": 0.0}, "ci"),
        ({"ci": 1}, "ci"),
        ({"ci": "95%"}, "ci"),
        ({"ci": float("nan")}, "ci"),
        ({"n_boot": 1000, "seed": -3}, "seed"),
        ({"n_boot": 1000, "seed": "abc"}, "seed"),
    ],
)
def test_refusals(small_framework: ml.Framework, kwargs: dict[str, object], named: str) -> None:
    table = _long(_raters(5, seed=1))
    with pytest.raises(ml.ArgumentError, match=named):
        ml.agreement(table, framework=small_framework, **kwargs)  # type: ignore[arg-type]


def test_helper_refusals() -> None:
    data = np.array([[1.0, 2.0], [1.0, 3.0]])
    with pytest.raises(ml.ArgumentError, match="n_boot"):
        bootstrap_units(3, 0, seed=1)
    with pytest.raises(ml.ArgumentError, match="seed"):
        bootstrap_units(3, 5, seed=-1)
    with pytest.raises(ml.ArgumentError, match="index"):
        alpha_of_draws(data, np.array([[0, 2]]))
    with pytest.raises(ml.ArgumentError, match="integer"):
        alpha_of_draws(data, np.array([[0.0, 1.0]]))
    with pytest.raises(ml.ArgumentError, match="value_domain"):
        alpha_of_draws(data, np.array([[0, 1]]), value_domain=np.array([1.0, 2.0]))


def test_chunked_draws_match_one_block(monkeypatch: pytest.MonkeyPatch) -> None:
    from missionlens.analysis import agreement as module

    data = _raters(30, seed=12)
    whole = alpha_of_draws(data, bootstrap_units(30, 1000, seed=4))
    monkeypatch.setattr(module, "_CHUNK_ELEMENTS", 64)  # chunks of 2 draws
    np.testing.assert_array_equal(bootstrap_units(30, 1000, seed=4).shape, (1000, 30))
    np.testing.assert_allclose(
        alpha_of_draws(data, bootstrap_units(30, 1000, seed=4)), whole, rtol=0, atol=1e-13
    )


def test_docs_agreement_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (ROOT / "docs" / "assessments.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```python\n(.*?)```", text, re.DOTALL) if "n_boot" in b]
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(compile(block, "docs/assessments.md", "exec"), namespace)
    result = namespace["result"]
    assert isinstance(result, pd.DataFrame) and "alpha_low" in result.columns
