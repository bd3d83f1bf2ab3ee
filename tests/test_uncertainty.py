"""Uncertainty analysis: reproducible draws, Monte Carlo error, collapse, and a slow reference.

The reference for every kind of factor is a loop that scores each replication on its own with
:func:`missionlens.score` (or, for continuous jitter, whose values are no rubric level and so
are refused by ``score``'s entry checks, with the library's own ``prepare`` and
``run_recipe`` on the consolidated jittered values), using the concrete inputs the model says
the replication used (:meth:`UncertaintyModel.replication_inputs`); the vectorised engine must
give the same scores value by value.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import missionlens as ml
from missionlens.analysis.uncertainty import (
    COMPARE_COLUMNS,
    PAIRWISE_COLUMNS,
    RANK_SHIFT_COLUMNS,
    SUMMARY_COLUMNS,
    average_rank,
)
from missionlens.assessments.consolidation import consolidate_cells
from missionlens.cli import main
from missionlens.scoring.prepare import prepare
from missionlens.scoring.steps import run_recipe

ROOT = Path(__file__).parents[1]
FRAMEWORK = ROOT / "tests" / "data" / "frameworks" / "small.yaml"

pytestmark = pytest.mark.filterwarnings("ignore::missionlens.errors.IncompleteScoreWarning")


@pytest.fixture(scope="module")
def fw() -> ml.Framework:
    return ml.load_framework(FRAMEWORK)


def _long(seed: int = 0, n_missions: int = 6, periods: tuple[str, ...] = ("2024",)) -> pd.DataFrame:
    """Long entries of the small framework: 3 raters on the rubric indicators, one on the
    numeric and binary ones, confidences mixed, phase implementation."""
    rng = np.random.default_rng(seed)
    rows = []
    for period in periods:
        for m in range(n_missions):
            mission = f"M{m}"
            for ind in ("pol_01", "pol_02"):
                for r in range(3):
                    rows.append(
                        (
                            mission,
                            period,
                            ind,
                            float(rng.integers(1, 6)),
                            f"R{r}",
                            ("low", "medium", "high")[int(rng.integers(0, 3))],
                        )
                    )
            rows.append((mission, period, "env_01", float(rng.gamma(2.0, 0.7)), "R0", "high"))
            rows.append((mission, period, "env_02", float(rng.integers(0, 2)), "R0", "high"))
    frame = pd.DataFrame(
        rows, columns=["mission", "period", "indicator", "value", "rater", "confidence"]
    )
    frame["phase"] = "implementation"
    return frame


def _unit_node_array(profiles: ml.Profiles, model: ml.UncertaintyModel) -> np.ndarray:
    """Scores of ``profiles`` as (units, nodes) in the model's order."""
    table = profiles.to_frame("tree")
    keyed = table.assign(
        mission=table["mission"].astype(str),
        period=table["period"].astype(str),
        node=table["node"].astype(str),
    ).set_index(["mission", "period", "node"])["score"]
    units = model.units
    out = np.full((len(units), len(model.nodes)), np.nan)
    for i, (mission, period) in enumerate(zip(units["mission"], units["period"], strict=True)):
        out[i] = keyed.reindex([(str(mission), str(period), n) for n in model.nodes]).to_numpy()
    return out


def _reference_table(model: ml.UncertaintyModel, entries: object) -> pd.DataFrame:
    """A long table holding exactly the given entries (each with a rater name of its own, so
    that resampled duplicates are not refused as one rater rating twice)."""
    n_ind = len(model.framework.indicator_ids)
    cell = entries.cell  # type: ignore[attr-defined]
    unit, ind = cell // n_ind, cell % n_ind
    return pd.DataFrame(
        {
            "mission": model.units["mission"].astype(str).to_numpy()[unit],
            "period": model.units["period"].astype(str).to_numpy()[unit],
            "phase": "implementation",
            "indicator": np.array(model.framework.indicator_ids, dtype=object)[ind],
            "value": entries.value,  # type: ignore[attr-defined]
            "rater": [f"E{k}" for k in range(cell.size)],
        }
    )


def _reference_by_score(result: ml.UncertaintyResult, replications: range) -> None:
    """Every replication scored alone with ml.score equals the vectorised engine at 1e-12."""
    model = result.model
    for r in replications:
        inputs = model.replication_inputs({k: int(v[r]) for k, v in result.index.items()})
        table = _reference_table(model, inputs.entries)
        alone = ml.score(table, framework=model.framework, recipe=inputs.recipe)
        expected = _unit_node_array(alone, model)
        np.testing.assert_allclose(result.scores[r], expected, rtol=0, atol=1e-12, err_msg=f"{r}")


def _reference_by_steps(
    result: ml.UncertaintyResult, data: pd.DataFrame, replications: range
) -> None:
    """Continuous jitter: consolidate the replication's entries with the one consolidation
    kernel, put them in the prepared state and run the recipe's own steps."""
    model = result.model
    for r in replications:
        inputs = model.replication_inputs({k: int(v[r]) for k, v in result.index.items()})
        state, _ = prepare(data, model.framework, inputs.recipe)
        e = inputs.entries
        s = inputs.recipe.settings
        matrix = consolidate_cells(
            e.cell, e.value, e.n_cells, s.consolidate, trim=s.trim, weights=e.weight
        ).reshape(state.raw.shape)
        final = run_recipe(replace(state, raw=matrix, values=matrix.copy()), inputs.recipe)
        expected = np.concatenate([final.node_scores, final.normalised], axis=1)
        np.testing.assert_allclose(result.scores[r], expected, rtol=0, atol=1e-12, err_msg=f"{r}")


# ------------------------------------------------------------------ the slow reference
@pytest.mark.parametrize(
    "spec",
    [
        {"raters": True},
        {"jitter": {"to_level": True}},
        {"jitter": {"to_level": True, "shape": "triangular"}, "raters": True},
        {"weights": {"noise": 0.3}},
        {"weights": {"noise": {"indicator": 0.4, "dimension": 0.2}}},
        {"weights": {"method": "dirichlet", "concentration": 5}},
        {"leave_out": {"elements": "indicator"}},
        {"leave_out": {"elements": ["env_sec", "pol_02"]}},
        {
            "choices": [
                {
                    "name": "normalisation",
                    "options": [
                        {"label": "goalposts"},
                        {"label": "minmax", "set": {"normalise__numeric": "minmax"}},
                        {
                            "label": "zscore",
                            "set": {
                                "normalise__numeric": "zscore",
                                "normalise__zscore_centre": 50,
                                "normalise__zscore_scale": 10,
                            },
                        },
                    ],
                },
                {
                    "name": "aggregation",
                    "options": [
                        {"label": "framework"},
                        {"label": "arithmetic", "set": {"aggregate__method": "arithmetic"}},
                    ],
                },
            ],
            "weights": {"noise": 0.2},
        },
    ],
    ids=[
        "raters",
        "jitter-level",
        "jitter-tri-raters",
        "weights",
        "weights-by-type",
        "dirichlet",
        "leave-out-indicator",
        "leave-out-list",
        "choices-weights",
    ],
)
def test_vectorised_equals_a_loop_of_score(fw: ml.Framework, spec: dict) -> None:
    data = _long()
    result = ml.uncertainty(data, framework=fw, spec=spec, n=12, seed=7)
    assert (np.fmax.reduce(result.scores, axis=0) > np.fmin.reduce(result.scores, axis=0)).any()
    _reference_by_score(result, range(result.n))


def test_vectorised_equals_reference_with_outliers_imputation_and_raters(fw: ml.Framework) -> None:
    """Per-entry draws through outlier treatment (on/off) and imputation (choices)."""
    data = _long(seed=3, n_missions=8)
    data = data[~((data["mission"] == "M2") & (data["indicator"] == "pol_02"))].copy()
    data.loc[(data["mission"] == "M7") & (data["indicator"] == "env_01"), "value"] = 9.0  # skewed
    data.loc[(data["mission"] == "M6") & (data["indicator"] == "env_01"), "value"] = 8.0
    spec = {
        "raters": True,
        "choices": [
            {
                "name": "outliers",
                "options": [
                    {"label": "none"},
                    {
                        "label": "treated",
                        "add_step": {
                            "step": "treat_outliers",
                            "skew_threshold": 0.5,
                            "kurtosis_threshold": -5,
                        },
                    },
                    {
                        "label": "logged",
                        "add_step": {
                            "step": "treat_outliers",
                            "skew_threshold": 0.1,
                            "max_points": 1,
                            "kurtosis_threshold": -5,
                        },
                    },
                ],
            },
            {
                "name": "imputation",
                "options": [
                    {"label": "none"},
                    {"label": "group_mean", "set": {"impute__method": "group_mean"}},
                ],
            },
        ],
    }
    result = ml.uncertainty(data, framework=fw, spec=spec, n=24, seed=2)
    assert set(result.index["outliers"]) == {0, 1, 2}
    for option, action in ((1, "winsorised"), (2, "log")):  # both treatments act
        treated = ml.score(data, framework=fw, recipe=result.model._recipe_of((option, 0)))
        assert (treated.log["message"] == f"env_01: {action}").any()
    _reference_by_score(result, range(result.n))


def test_continuous_jitter_equals_the_steps_run_alone(fw: ml.Framework) -> None:
    data = _long(seed=5)
    spec = {"jitter": {"shape": "triangular"}, "raters": True, "weights": {"noise": 0.1}}
    result = ml.uncertainty(data, framework=fw, spec=spec, n=10, seed=11)
    _reference_by_steps(result, data, range(result.n))
    inputs = result.model.replication_inputs({k: int(v[0]) for k, v in result.index.items()})
    assert not np.allclose(inputs.entries.value, np.round(inputs.entries.value))  # continuous


def test_jitter_stays_on_the_scale_and_spares_high_confidence(fw: ml.Framework) -> None:
    data = _long()
    model = ml.UncertaintyModel.build(
        data, framework=fw, spec={"jitter": {}}, seed=1, realisations=50
    )
    for r in range(50):
        e = model.replication_inputs({"jitter": r}).entries
        rubric = np.isin(e.cell % 5, [0, 1])
        assert (e.value[rubric] >= 1).all() and (e.value[rubric] <= 5).all()
    # high confidence (half-width 0) and non-rubric values are taken as entered
    base = model.replication_inputs({"jitter": 0}).entries
    original = np.sort(data["value"].to_numpy())
    assert base.value.size == original.size


# ----------------------------------------------------------------------- reproducibility
def test_same_seed_same_result_and_chunking_changes_nothing(fw: ml.Framework) -> None:
    data = _long()
    spec = {"jitter": {}, "raters": True, "weights": {"noise": 0.25}}
    a = ml.uncertainty(data, framework=fw, spec=spec, n=300, seed=42)
    b = ml.uncertainty(data, framework=fw, spec=spec, n=300, seed=42, memory_budget=2**20)
    np.testing.assert_array_equal(a.scores, b.scores)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    c = ml.uncertainty(data, framework=fw, spec=spec, n=300, seed=43)
    assert not np.array_equal(a.scores, c.scores, equal_nan=True)


def test_another_seed_agrees_within_monte_carlo_error(fw: ml.Framework) -> None:
    """Two independent runs: their means differ by at most z standard errors of a difference
    of two means (CLT: se = sd * sqrt(2 / n)); the median of one lies, under the empirical
    distribution of the other, within z binomial standard errors of 1/2
    (sqrt(2 * p (1 - p) / n) for two estimates). z = 4.5: a false alarm per value has
    probability below 1e-5."""
    data = _long(n_missions=5)
    spec = {
        "jitter": {},
        "raters": True,
        "weights": {"noise": 0.25},
        "leave_out": {"elements": "indicator"},
    }
    n, z = 2000, 4.5
    a = ml.uncertainty(data, framework=fw, spec=spec, n=n, seed=1)
    b = ml.uncertainty(data, framework=fw, spec=spec, n=n, seed=2)
    nodes = [k for k, t in enumerate(a.model.node_types) if t != "indicator"]
    checked = 0
    for u in range(len(a.model.units)):
        for k in nodes:
            x, y = a.scores[:, u, k], b.scores[:, u, k]
            x, y = x[~np.isnan(x)], y[~np.isnan(y)]
            if x.size < n // 2 or y.size < n // 2 or np.std(x) == 0:
                continue
            se = math.sqrt(np.var(x, ddof=1) / x.size + np.var(y, ddof=1) / y.size)
            assert abs(x.mean() - y.mean()) <= z * se
            share = np.mean(x <= np.median(y))
            assert abs(share - 0.5) <= z * math.sqrt(2 * 0.25 / min(x.size, y.size)) + 1 / x.size
            checked += 1
    assert checked >= 10


# ----------------------------------------------------------------------------- collapse
@pytest.mark.parametrize(
    "spec",
    [
        {},
        {"choices": [{"name": "as_is", "options": [{"label": "as given"}]}]},
        {"weights": {"noise": 0.0}},
    ],
    ids=["nothing", "one-option", "zero-noise"],
)
def test_nothing_uncertain_collapses_to_the_nominal_profile(fw: ml.Framework, spec: dict) -> None:
    data = _long(periods=("2023", "2024"))
    result = ml.uncertainty(data, framework=fw, spec=spec, n=50, seed=3)
    nominal = _unit_node_array(ml.score(data, framework=fw), result.model)
    np.testing.assert_array_equal(result.model.nominal, nominal)
    s = result.summary
    assert list(s.columns) == list(SUMMARY_COLUMNS)
    for col in ("median", "mean", "lower", "upper"):
        np.testing.assert_array_equal(s[col].to_numpy(), s["nominal"].to_numpy())
    for col in ("rank_median", "rank_mean", "rank_lower", "rank_upper"):
        np.testing.assert_array_equal(s[col].to_numpy(), s["nominal_rank"].to_numpy())
    scored = s["nominal"].notna()
    assert (s.loc[scored, "rank_shift"] == 0).all()
    pairs = result.pairwise()
    assert list(pairs.columns) == list(PAIRWISE_COLUMNS)
    known = pairs["p_above"].dropna()
    assert len(known) > 0 and known.isin([0.0, 1.0]).all()
    shift = result.rank_shift
    assert list(shift.columns) == list(RANK_SHIFT_COLUMNS)
    assert (shift["mean"].dropna() == 0).all()
    frame = result.profiles.to_frame()
    tree = frame[frame["score"].notna()]
    np.testing.assert_array_equal(tree["lower"].to_numpy(), tree["score"].to_numpy())
    np.testing.assert_array_equal(tree["upper"].to_numpy(), tree["score"].to_numpy())


def test_one_rater_bootstrap_collapses_through_the_batched_steps(fw: ml.Framework) -> None:
    data = _long()
    data = data[data["rater"] == "R0"]
    result = ml.uncertainty(data, framework=fw, spec={"raters": True}, n=20, seed=1)
    np.testing.assert_array_equal(
        result.scores, np.broadcast_to(result.model.nominal, result.scores.shape)
    )


# ------------------------------------------------------------------ ranks and summaries
def test_average_rank_matches_pandas() -> None:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 4, size=(3, 9, 2)).astype(float)
    x[0, 2, 0] = np.nan
    groups = np.array([0, 0, 1, 1, 1, 0, 2, 1, 0])
    got = average_rank(x, groups)
    for r in range(3):
        for k in range(2):
            expected = (
                pd.Series(x[r, :, k])
                .groupby(groups)
                .rank(method="average", ascending=False)
                .to_numpy()
            )
            np.testing.assert_array_equal(got[r, :, k], expected)


def test_summary_pairwise_and_rank_shift_against_direct_computation(fw: ml.Framework) -> None:
    data = _long(n_missions=4)
    result = ml.uncertainty(
        data, framework=fw, spec={"weights": {"noise": 0.4}, "raters": True}, n=400, seed=9
    )
    m = result.model
    k = m.nodes.index(m.framework.root.id)
    s = result.summary.query("node == @m.framework.root.id").reset_index(drop=True)
    x = result.scores[:, :, k]
    np.testing.assert_allclose(s["median"], np.median(x, axis=0), rtol=0, atol=1e-12)
    np.testing.assert_allclose(s["lower"], np.quantile(x, 0.05, axis=0), rtol=0, atol=1e-12)
    np.testing.assert_allclose(s["upper"], np.quantile(x, 0.95, axis=0), rtol=0, atol=1e-12)
    np.testing.assert_allclose(s["mean"], x.mean(axis=0), rtol=0, atol=1e-9)
    ranks = pd.DataFrame(x).rank(axis=1, ascending=False, method="average").to_numpy()
    nominal_rank = pd.Series(m.nominal[:, k]).rank(ascending=False, method="average").to_numpy()
    np.testing.assert_array_equal(s["nominal_rank"], nominal_rank)
    np.testing.assert_allclose(s["rank_shift"], np.abs(ranks - nominal_rank).mean(axis=0))
    # Saisana et al. (2005) eq. 2: R_S of each replication, averaged over the missions
    rs = np.abs(ranks - nominal_rank).mean(axis=1)
    row = result.rank_shift.query("node == @m.framework.root.id").iloc[0]
    assert row["mean"] == pytest.approx(rs.mean()) and row["median"] == pytest.approx(np.median(rs))
    pairs = result.pairwise([m.framework.root.id])
    a, b = 0, 2
    got = pairs.query("mission == 'M0' and mission_other == 'M2'")["p_above"].item()
    assert got == pytest.approx(np.mean(x[:, a] > x[:, b]))
    assert len(pairs) == 4 * 3


def test_replications_table_and_provenance(fw: ml.Framework) -> None:
    data = _long(n_missions=3)
    spec = ml.Uncertainty.from_dict({"weights": {"noise": 0.1}, "leave_out": {}})
    result = ml.uncertainty(data, framework=fw, spec=spec, n=5, seed=4)
    table = result.replications(["index"])
    assert list(table.columns) == [
        "replication",
        "mission",
        "period",
        "node",
        "score",
        "rank",
        "weights",
        "leave_out",
    ]
    assert len(table) == 5 * 3
    assert result.provenance["spec"] == spec.to_dict() and result.provenance["seed"] == 4
    assert ml.Uncertainty.from_dict(result.provenance["spec"]) == spec


# ------------------------------------------------------------------------ the model protocol
def test_unit_model_protocol(fw: ml.Framework) -> None:
    data = _long(n_missions=3)
    spec = {
        "jitter": {},
        "weights": {"noise": 0.2},
        "choices": [
            {
                "name": "agg",
                "options": [
                    {"label": "a"},
                    {"label": "g", "set": {"aggregate__method": "geometric"}},
                ],
            }
        ],
        "leave_out": {"elements": "indicator"},
    }
    model = ml.UncertaintyModel.build(data, framework=fw, spec=spec, seed=5, realisations=40)
    assert model.factor_names == ("jitter", "weights", "agg", "leave_out")
    assert model.factor_levels == (None, None, 2, 1 + len(fw.indicator_ids))
    assert list(model.units.columns) == ["mission", "period", "phase"]
    assert model.nodes == (*fw.node_ids, *fw.indicator_ids)
    x = np.random.default_rng(0).random((7, 4))
    out = model.evaluate_unit(x)
    assert out.shape == (7, len(model.units), len(model.nodes))
    index = {
        "jitter": (x[:, 0] * 40).astype(np.int64),
        "weights": (x[:, 1] * 40).astype(np.int64),
        "agg": (x[:, 2] * 2).astype(np.int64),
        "leave_out": (x[:, 3] * model.factor_levels[3]).astype(np.int64),
    }
    np.testing.assert_array_equal(out, model.evaluate(index))
    with pytest.raises(ml.ArgumentError, match=r"shape \(n, 4\)"):
        model.evaluate_unit(np.zeros((3, 2)))
    with pytest.raises(ml.ArgumentError, match=r"\[0, 1\)"):
        model.evaluate_unit(np.ones((3, 4)))


# ----------------------------------------------------------------------------- compare
def test_compare_pairs_replications_and_flags_real_changes(fw: ml.Framework) -> None:
    first = _long(seed=1, periods=("2023",))
    second = _long(seed=1, periods=("2024",))
    second.loc[second["mission"] == "M0", "value"] = np.where(
        second.loc[second["mission"] == "M0", "indicator"].isin(["pol_01", "pol_02"]),
        5.0,
        second.loc[second["mission"] == "M0", "value"],
    )
    first.loc[first["mission"] == "M0", "value"] = np.where(
        first.loc[first["mission"] == "M0", "indicator"].isin(["pol_01", "pol_02"]),
        1.0,
        first.loc[first["mission"] == "M0", "value"],
    )
    spec = {"weights": {"noise": 0.2}, "jitter": {}}
    a = ml.uncertainty(first, framework=fw, spec=spec, n=300, seed=8)
    b = ml.uncertainty(second, framework=fw, spec=spec, n=300, seed=8)
    table = a.compare(b)
    assert list(table.columns) == list(COMPARE_COLUMNS)
    k = a.model.nodes.index("pol")
    diff = b.scores[:, 0, k] - a.scores[:, 0, k]
    row = table.query("mission == 'M0' and node == 'pol'").iloc[0]
    assert row["diff_lower"] == pytest.approx(np.quantile(diff, 0.05))
    assert row["period"] == "2023" and row["period_other"] == "2024"
    assert bool(row["real"]) and row["difference"] == pytest.approx(100.0)
    same = a.compare(
        ml.uncertainty(
            first, framework=fw, spec={"weights": {"noise": 0.2}, "jitter": {}}, n=300, seed=8
        )
    )
    assert not same["real"].any()
    with pytest.raises(ml.ArgumentError, match="not paired"):
        ml.compare_uncertain(a, ml.uncertainty(second, framework=fw, spec=spec, n=300, seed=9))


def test_profiles_compare_with_intervals(fw: ml.Framework) -> None:
    data = _long()
    spec = {"weights": {"noise": 0.2}}
    recipe = ml.Recipe.default()
    other = recipe.set_params(aggregate__method="arithmetic")
    a = ml.uncertainty(data, framework=fw, recipe=recipe, spec=spec, n=100, seed=1)
    b = ml.uncertainty(data, framework=fw, recipe=other, spec=spec, n=100, seed=1)
    table = a.profiles.compare(b.profiles, allow_mixed=True, uncertain=True)
    assert {"diff_lower", "diff_upper", "real"} <= set(table.columns)
    plain = ml.score(data, framework=fw)
    assert "lower" not in plain.to_frame().columns
    with pytest.raises(ml.ArgumentError, match="uncertain=True"):
        plain.compare(plain, uncertain=True)


# --------------------------------------------------------------------------- the spec
def test_spec_yaml_round_trip_and_errors(tmp_path: Path) -> None:
    text = """
jitter: {half_widths: {low: 1.5}, shape: triangular}
raters: true
weights: {noise: {indicator: 0.25, dimension: 0.1}}
choices:
  - name: normalisation
    options:
      - {label: goalposts}
      - {label: zscore, set: {normalise__numeric: zscore}}
leave_out: {elements: subdimension}
"""
    spec = ml.Uncertainty.from_yaml(text)
    assert spec.jitter is not None and spec.jitter.half_widths == {
        "low": 1.5,
        "medium": 0.5,
        "high": 0.0,
    }
    path = tmp_path / "spec.yaml"
    spec.to_yaml(path)
    assert ml.Uncertainty.from_yaml(path) == spec == ml.Uncertainty.from_yaml(str(path))
    with pytest.raises(ml.MissionLensError, match="appears twice"):
        ml.Uncertainty.from_yaml("raters: true\nraters: false\n")
    with pytest.raises(ml.ArgumentError) as info:
        ml.Uncertainty.from_dict(
            {"weights": {"noise": 1.5}, "jitter": {"half_widths": {"x": 1}}, "bogus": 1}
        )
    message = str(info.value)
    assert "weights.noise" in message and "half_widths" in message and "bogus" in message


def test_refusals(fw: ml.Framework) -> None:
    data = _long()
    with pytest.raises(ml.ArgumentError, match="n must be"):
        ml.uncertainty(data, framework=fw, n=0)
    with pytest.raises(ml.ArgumentError, match="seed"):
        ml.uncertainty(data, framework=fw, n=2, seed=-1)
    with pytest.raises(ml.ArgumentError, match="only child"):
        ml.uncertainty(
            data,
            framework=fw,
            n=2,
            spec={"leave_out": {"elements": ["env_sec"]}},
            recipe=ml.Recipe.default().set_params(weight__overrides={"env_03": 0}),
        )
    with pytest.raises(ml.RecipeError, match="option 'bad'"):
        ml.uncertainty(
            data,
            framework=fw,
            n=2,
            spec={
                "choices": [
                    {"name": "x", "options": [{"label": "bad", "set": {"normalise__nope": 1}}]}
                ]
            },
        )
    with pytest.raises(ml.ArgumentError, match="MiB"):
        ml.uncertainty(data, framework=fw, n=10**7)


def test_progress_is_silent_when_not_interactive(
    fw: ml.Framework, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _long()
    ml.uncertainty(data, framework=fw, spec={"raters": True}, n=50, seed=1, memory_budget=2**20)
    assert capsys.readouterr().err == ""


# ------------------------------------------------------------------------------- CLI, docs
def test_cli_writes_every_table(tmp_path: Path) -> None:
    data = _long()
    data.loc[0, "mission"] = "=HYPERLINK(1)"
    source = tmp_path / "round.csv"
    data.to_csv(source, index=False)
    spec = tmp_path / "spec.yaml"
    spec.write_text("weights: {noise: 0.2}\nraters: true\n", encoding="utf-8")
    runner = CliRunner()
    out = tmp_path / "out.xlsx"
    res = runner.invoke(
        main,
        [
            "uncertainty",
            str(source),
            "-f",
            str(FRAMEWORK),
            "--spec",
            str(spec),
            "-n",
            "50",
            "--seed",
            "1",
            "-o",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    sheets = pd.read_excel(out, sheet_name=None)
    assert set(sheets) == {"summary", "pairwise", "rank_shift", "provenance"}
    assert list(sheets["summary"].columns) == list(SUMMARY_COLUMNS)
    assert "'=HYPERLINK(1)" in set(sheets["summary"]["mission"])
    res = runner.invoke(
        main,
        [
            "uncertainty",
            str(source),
            "-f",
            str(FRAMEWORK),
            "--spec",
            str(spec),
            "-n",
            "20",
            "--seed",
            "1",
            "-o",
            str(tmp_path / "t.csv"),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    assert (tmp_path / "t.summary.csv").exists() and (tmp_path / "t.pairwise.csv").exists()
    assert '"ok": true' in res.output
    bad = runner.invoke(
        main, ["uncertainty", str(source), "-f", str(FRAMEWORK), "-o", str(tmp_path / "x.txt")]
    )
    assert bad.exit_code == 2
    spec.write_text("weights: {noise: 2}\n", encoding="utf-8")
    bad = runner.invoke(
        main,
        ["uncertainty", str(source), "-f", str(FRAMEWORK), "--spec", str(spec), "-o", str(out)],
    )
    assert bad.exit_code == 1 and "noise" in bad.output


def test_docs_page_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = (ROOT / "docs" / "uncertainty.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.DOTALL)
    assert blocks
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, "docs/uncertainty.md", "exec"), namespace)


def test_quantiles_equal_numpy_nanquantile() -> None:
    """The one-sort quantiles are numpy's type 7 (numpy.nanquantile, the reference), NaN and
    constant columns included."""
    from missionlens.analysis.uncertainty import _quantiles

    rng = np.random.default_rng(0)
    x = rng.normal(size=(301, 12))
    x[rng.random(x.shape) < 0.2] = np.nan
    x[:, 3], x[:, 5] = np.nan, 2.0
    for n in (1, 2, 7, 301):
        got = _quantiles(x[:n], [0.5, 0.05, 0.95])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # the all-NaN column
            expected = np.nanquantile(x[:n], [0.5, 0.05, 0.95], axis=0)
        np.testing.assert_array_equal(got, expected)


def test_cells_of_one_to_five_raters_match_score(fw: ml.Framework) -> None:
    """The batched median takes cells by their number of values (1, 2, 3, more): each kind
    against ml.score, with resampled raters and rounded jitter."""
    data = _long(seed=4)
    extra = data[data["rater"] == "R0"].copy()
    extra = extra[extra["indicator"].isin(["pol_01", "pol_02"])]
    four = extra.assign(rater="R3", value=np.where(extra["value"] > 3, 1.0, 5.0))
    five = four[four["mission"].isin(["M0", "M1"])].assign(rater="R4", value=2.0)
    data = pd.concat([data, four[four["mission"] != "M5"], five], ignore_index=True)
    data = data[~((data["mission"] == "M5") & (data["rater"] == "R2"))]  # cells of two
    counts = data.groupby(["mission", "indicator"]).size()
    assert {1, 2, 4, 5} <= set(counts)
    spec = {"raters": True, "jitter": {"to_level": True}}
    result = ml.uncertainty(data, framework=fw, spec=spec, n=10, seed=3)
    _reference_by_score(result, range(result.n))


def test_wide_table_jitter_uses_the_unstated_half_width(
    fw: ml.Framework, wide: pd.DataFrame
) -> None:
    """A wide table has no confidence: its rubric values move by ``unstated``; the binary and
    numeric ones stay as entered."""
    spec = {"jitter": {"unstated": 0.5}, "raters": True}
    result = ml.uncertainty(wide, framework=fw, spec=spec, n=8, seed=2)
    _reference_by_steps(result, wide, range(result.n))
    model = result.model
    moved = np.stack(
        [model.replication_inputs({"jitter": r, "raters": r}).entries.value for r in range(8)]
    )
    entries = model.replication_inputs({"jitter": 0, "raters": 0}).entries
    rubric = np.isin(entries.cell % len(fw.indicator_ids), [0, 1, 4])  # pol_01, pol_02, env_03
    spread = moved.max(axis=0) - moved.min(axis=0)
    assert (spread[rubric] > 0).all() and (spread[rubric] <= 1.0).all()
    assert (spread[~rubric] == 0).all()


def test_spec_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(ml.ArgumentError, match="not found"):
        ml.Uncertainty.from_yaml(tmp_path / "missing.yaml")
    with pytest.raises(ml.ArgumentError, match="not found"):
        ml.Uncertainty.from_yaml(str(tmp_path / "missing.yaml"))


# ------------------------------------------------------- performance and context (framework v2)
@pytest.fixture(scope="module")
def fw_roles(fw: ml.Framework) -> ml.Framework:
    """The small framework with its numeric indicator ``env_01`` a context indicator."""
    raw = fw.to_dict()
    for indicator in raw["indicators"]:
        if indicator["id"] == "env_01":
            indicator["role"] = "context"
    return ml.Framework.from_dict(raw)


@pytest.mark.parametrize(
    "spec",
    [{"raters": True}, {"weights": {"noise": 0.3}}, {"jitter": {"to_level": True}}],
    ids=["raters", "weights", "jitter-level"],
)
def test_the_engine_scores_the_performance_composite_as_score_does(
    fw: ml.Framework, fw_roles: ml.Framework, spec: dict
) -> None:
    # the headline tree the engine varies is ml.score's performance composite (tree view):
    # the context indicator env_01 neither applies nor counts there, replication by replication
    data = _long()
    result = ml.uncertainty(data, framework=fw_roles, spec=spec, n=8, seed=3)
    model = result.model
    nodes = [k for k, n in enumerate(model.nodes) if n in fw_roles.node_ids]
    nominal = ml.score(data, framework=fw_roles)
    np.testing.assert_allclose(
        model.nominal[:, nodes], _unit_node_array(nominal, model)[:, nodes], rtol=0, atol=1e-12
    )
    for r in range(result.n):
        inputs = model.replication_inputs({k: int(v[r]) for k, v in result.index.items()})
        alone = ml.score(
            _reference_table(model, inputs.entries), framework=fw_roles, recipe=inputs.recipe
        )
        expected = _unit_node_array(alone, model)[:, nodes]
        np.testing.assert_allclose(result.scores[r][:, nodes], expected, rtol=0, atol=1e-12)
    # and the performance headline differs from the all-indicator one: env_01 was left out
    everything = ml.score(data, framework=fw)
    assert not np.allclose(
        _unit_node_array(everything, model)[:, nodes], model.nominal[:, nodes], equal_nan=True
    )


def test_uncertainty_takes_the_timelines_score_takes() -> None:
    # the same front-door checks: a phase that contradicts the mission's timeline is refused
    # by ml.uncertainty exactly as by ml.score (and by ml.validate)
    entries = ml.datasets.load_portfolio()
    timelines = ml.datasets.portfolio_timelines()
    one = entries[(entries["mission"] == "UNMIL") & (entries["period"] == "2009")].copy()
    result = ml.uncertainty(one, framework="whole-of-mission", timelines=timelines, n=5, seed=1)
    nominal = ml.score(one, framework="whole-of-mission", timelines=timelines)
    root = nominal.framework.root.id
    got = result.summary.set_index("node").loc[root, "nominal"]
    assert got == pytest.approx(nominal.summary()["performance"].iat[0], abs=1e-12)
    one["phase"] = "exit"  # UNMIL was in implementation in 2009 (S/RES/1509 (2003) ff.)
    with pytest.raises(ml.ScoringInputError, match="phase_contradicts_timeline"):
        ml.uncertainty(one, framework="whole-of-mission", timelines=timelines, n=5, seed=1)
    with pytest.raises(ml.ScoringInputError, match="phase_contradicts_timeline"):
        ml.score(one, framework="whole-of-mission", timelines=timelines)
    assert not ml.validate(one, framework="whole-of-mission", timelines=timelines).ok
