"""Sobol' sensitivity analysis (``missionlens.analysis.sensitivity``): sample -> evaluate ->
analyse, checked against analytic indices.

Known values used here, each derived in the test that uses it:

* Ishigami function (Ishigami & Homma 1990, a = 7, b = 0.1): the analytic variance shares
  derived by Homma & Saltelli (1996), *Reliability Engineering & System Safety* 52(1), 1-17,
  from Sobol's (1993) decomposition: S1 = 0.314, 0.442, 0; ST = 0.558, 0.442, 0.244.
* A linear model Y = sum a_i X_i with independent X_i ~ U(0, 1): Var(a_i X_i) = a_i^2 / 12 and no
  interactions, so S_i = ST_i = a_i^2 / sum_j a_j^2.
* Discrete choices read as floor(u * k): exact variances of Bernoulli and uniform-choice inputs.

"Match within their confidence intervals" means |estimate - true| <= the half-width SALib
reports (95 %), with a fixed seed, so the tests are deterministic.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import rankdata

import missionlens as ml
from missionlens.analysis.sensitivity import (
    SECOND_ORDER_COLUMNS,
    SENSITIVITY_COLUMNS,
    SensitivityProblem,
    analyse_sobol,
    choice_index,
    evaluate,
    mean_rank_shift,
    rank_of,
    rank_scores,
    sample_sobol,
    score_of,
    sensitivity,
)

ROOT = Path(__file__).parents[1]


# ------------------------------------------------------------------------------ test models
class FunctionModel:
    """A UnitModel around a function of the unit cube."""

    def __init__(self, names, fn, levels=None):
        self.factor_names = tuple(names)
        self.factor_levels = tuple(levels or (None,) * len(names))
        self.fn = fn
        self.calls = 0

    def evaluate_unit(self, x: np.ndarray) -> np.ndarray:
        self.calls += 1
        return self.fn(x)


def ishigami(a: float = 7.0, b: float = 0.1, extra: int = 0) -> FunctionModel:
    """Ishigami & Homma (1990): sin x1 + a sin^2 x2 + b x3^4 sin x1, x_i ~ U(-pi, pi).

    The model reads u in [0, 1) and maps it to [-pi, pi); ``extra`` inputs are ignored
    (dummies).
    """

    def fn(u: np.ndarray) -> np.ndarray:
        x = -np.pi + 2 * np.pi * u[:, :3]
        return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])

    return FunctionModel([f"x{i + 1}" for i in range(3 + extra)], fn)


def ishigami_analytic(a: float = 7.0, b: float = 0.1) -> dict[str, np.ndarray]:
    """Analytic Sobol' indices of the Ishigami function (Homma & Saltelli 1996).

    V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2; V1 = (1 + b pi^4/5)^2 / 2; V2 = a^2/8; V3 = 0;
    V13 = b^2 pi^8 (1/18 - 1/50) = 8 b^2 pi^8 / 225; no other interaction.
    """
    v = a**2 / 8 + b * math.pi**4 / 5 + b**2 * math.pi**8 / 18 + 0.5
    v1 = 0.5 * (1 + b * math.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = 8 * b**2 * math.pi**8 / 225
    return {
        "S1": np.array([v1, v2, 0.0]) / v,
        "ST": np.array([v1 + v13, v2, v13]) / v,
        "S13": np.array([v13 / v]),
    }


def within_ci(table: pd.DataFrame, s1: np.ndarray, st: np.ndarray) -> None:
    """Each estimate is within its reported interval of the true value."""
    assert (np.abs(table["S1"].to_numpy() - s1) <= table["S1_conf"].to_numpy()).all(), table
    assert (np.abs(table["ST"].to_numpy() - st) <= table["ST_conf"].to_numpy()).all(), table


# ---------------------------------------------------------------------------------- known values
def test_ishigami_analytic_values_are_the_published_ones() -> None:
    # the published values (to 3 decimals) for a = 7, b = 0.1
    exact = ishigami_analytic()
    np.testing.assert_allclose(exact["S1"], [0.314, 0.442, 0.0], atol=5e-4)
    np.testing.assert_allclose(exact["ST"], [0.558, 0.442, 0.244], atol=5e-4)


def test_ishigami_through_sensitivity_matches_within_the_intervals() -> None:
    result = sensitivity(ishigami(), n=2048, seed=11)
    exact = ishigami_analytic()
    assert list(result.indices.columns) == list(SENSITIVITY_COLUMNS)
    assert result.indices["input"].tolist() == ["x1", "x2", "x3"]
    within_ci(result.indices, exact["S1"], exact["ST"])
    # the published values, to two decimals
    np.testing.assert_allclose(result.indices["S1"], [0.314, 0.442, 0.0], atol=0.03)
    np.testing.assert_allclose(result.indices["ST"], [0.558, 0.442, 0.244], atol=0.03)
    # x3 acts only through its interaction with x1: S1 near 0 (within its CI), ST clearly not
    x3 = result.indices.iloc[2]
    assert abs(x3["S1"]) <= x3["S1_conf"] and x3["ST_low"] > 0.2
    assert result.runs == 2048 * 5 == len(result.y)


def test_ishigami_second_order_of_x1_x3() -> None:
    # second order: S13 = V13 / V (the only interaction), the other pairs 0
    result = sensitivity(ishigami(), n=2048, seed=5, second_order=True)
    s2 = result.second_order
    assert s2 is not None and list(s2.columns) == list(SECOND_ORDER_COLUMNS)
    assert result.runs == 2048 * 8
    row = s2[(s2["input_1"] == "x1") & (s2["input_2"] == "x3")].iloc[0]
    assert abs(row["S2"] - ishigami_analytic()["S13"][0]) <= row["S2_conf"]
    others = s2[~((s2["input_1"] == "x1") & (s2["input_2"] == "x3"))]
    assert (others["S2"].abs() <= others["S2_conf"]).all()
    within_ci(result.indices, ishigami_analytic()["S1"], ishigami_analytic()["ST"])


def test_linear_model_variance_shares() -> None:
    # Y = sum a_i X_i, X_i ~ U(0, 1) independent: Var(Y) = sum a_i^2 / 12, additive, so
    # S_i = ST_i = a_i^2 / sum_j a_j^2 (derivation in the module docstring of this file)
    a = np.array([1.0, 2.0, 3.0, 0.5])
    model = FunctionModel(["a1", "a2", "a3", "a4"], lambda u: u @ a)
    result = sensitivity(model, n=2048, seed=3)
    share = a**2 / (a**2).sum()
    within_ci(result.indices, share, share)
    np.testing.assert_allclose(result.indices["S1"], share, atol=0.03)
    np.testing.assert_allclose(result.indices["ST"], share, atol=0.03)


def test_an_input_with_no_influence_has_indices_near_zero() -> None:
    # x4 is ignored by the model: f(AB_4) equals f(A) run for run, so both estimators'
    # numerators vanish: S1 = ST = 0 exactly, well inside the tolerance given by the intervals
    # of the other inputs (the resolution of this design)
    result = sensitivity(ishigami(extra=1), n=1024, seed=2)
    table = result.indices.set_index("input")
    tolerance = table.loc[["x1", "x2", "x3"], ["S1_conf", "ST_conf"]].to_numpy().min()
    assert abs(table.loc["x4", "S1"]) < tolerance and abs(table.loc["x4", "ST"]) < tolerance
    assert table.loc["x4", "S1"] == 0.0 and table.loc["x4", "ST"] == 0.0
    within_ci(result.indices.iloc[:3], ishigami_analytic()["S1"], ishigami_analytic()["ST"])


# ------------------------------------------------------------------------------- discrete
def test_discrete_two_level_choice_additive() -> None:
    # Y = c [option 1] + X2, option = floor(2 u1) (P = 1/2): Var = c^2/4 + 1/12, additive:
    # S_choice = (c^2/4) / (c^2/4 + 1/12) = 0.75 for c = 1, S_X2 = 0.25
    c = 1.0
    model = FunctionModel(
        ["method", "x2"],
        lambda u: c * choice_index(u[:, 0], 2) + u[:, 1],
        levels=(2, None),
    )
    result = sensitivity(model, n=2048, seed=7)
    share = np.array([c**2 / 4, 1 / 12]) / (c**2 / 4 + 1 / 12)
    assert result.indices["levels"].tolist() == [2, pd.NA]
    within_ci(result.indices, share, share)


def test_discrete_choice_interacting() -> None:
    # Y = Z X2, Z = floor(2 u1) ~ Bernoulli(1/2), X2 ~ U(0, 1):
    # E[Y|Z] = Z/2 -> V1 = 1/16; E[Y|X2] = X2/2 -> V2 = 1/48; Var Y = E[Z] E[X2^2] - 1/16 = 5/48;
    # V12 = 5/48 - 3/48 - 1/48 = 1/48, so S1 = (0.6, 0.2) and ST = (0.8, 0.4)
    model = FunctionModel(
        ["choice", "x2"], lambda u: choice_index(u[:, 0], 2) * u[:, 1], levels=(2, None)
    )
    result = sensitivity(model, n=4096, seed=1)
    within_ci(result.indices, np.array([0.6, 0.2]), np.array([0.8, 0.4]))


def test_discrete_three_level_choice() -> None:
    # options with values (0, 1, 3), each with probability 1/3: Var = 10/3 - (4/3)^2 = 14/9;
    # plus X2 ~ U(0, 1) (1/12), additive
    values = np.array([0.0, 1.0, 3.0])
    model = FunctionModel(
        ["option", "x2"], lambda u: values[choice_index(u[:, 0], 3)] + u[:, 1], levels=(3, None)
    )
    result = sensitivity(model, n=2048, seed=4)
    share = np.array([14 / 9, 1 / 12]) / (14 / 9 + 1 / 12)
    within_ci(result.indices, share, share)


def test_choice_index() -> None:
    u = np.array([0.0, 0.3333, 0.3334, 0.9999, 1.0])
    assert choice_index(u, 3).tolist() == [0, 0, 1, 2, 2]
    assert choice_index(u, 1).tolist() == [0] * 5
    with pytest.raises(ml.ArgumentError, match="levels"):
        choice_index(u, 0)


# ----------------------------------------------------------------- seeds, reuse, SALib itself
def test_same_seed_same_result_other_seed_other_result() -> None:
    one = sensitivity(ishigami(), n=512, seed=0, num_resamples=200)
    two = sensitivity(ishigami(), n=512, seed=0, num_resamples=200)
    three = sensitivity(ishigami(), n=512, seed=1, num_resamples=200)
    pd.testing.assert_frame_equal(one.indices, two.indices)
    np.testing.assert_array_equal(one.x, two.x)
    assert not np.array_equal(one.x, three.x)
    assert not np.allclose(one.indices["S1_conf"], three.indices["S1_conf"])


def test_three_steps_reuse_the_samples_and_equal_salib_called_directly() -> None:
    from SALib.analyze import sobol as salib_analyse
    from SALib.sample import sobol as salib_sample

    model = ishigami()
    problem = SensitivityProblem.from_model(model)
    x = sample_sobol(problem, 1024, seed=9)
    y = evaluate(model, x)
    table = analyse_sobol(problem, y, seed=9, num_resamples=300)
    # independent computation: SALib on its own, with the same design and bootstrap streams
    direct_x = salib_sample.sample(
        problem.to_salib(), 1024, calc_second_order=False, seed=np.random.default_rng(9)
    )
    np.testing.assert_array_equal(x, direct_x)
    direct = salib_analyse.analyze(
        problem.to_salib(),
        model.fn(direct_x),
        calc_second_order=False,
        num_resamples=300,
        seed=np.random.default_rng(np.random.SeedSequence(9)),
    )
    for key in ("S1", "S1_conf", "ST", "ST_conf"):
        np.testing.assert_allclose(table[key], direct[key], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(table["S1_low"], table["S1"] - table["S1_conf"])
    np.testing.assert_allclose(table["ST_high"], table["ST"] + table["ST_conf"])
    # the one-call result keeps x and y; analysing them again gives its table
    result = sensitivity(model, n=512, seed=4, num_resamples=200)
    boot = np.random.SeedSequence(4).spawn(2)[1]
    again = analyse_sobol(result.problem, result.y, seed=boot, num_resamples=200)
    pd.testing.assert_frame_equal(again, result.indices)


def test_an_output_does_not_depend_on_the_outputs_analysed_with_it() -> None:
    model = ishigami()
    problem = SensitivityProblem.from_model(model)
    x = sample_sobol(problem, 512, seed=1)
    y = evaluate(model, x, output={"f": lambda o: o, "twice": lambda o: 2 * o + 1})
    both = analyse_sobol(problem, y, seed=3, num_resamples=200)
    alone = analyse_sobol(problem, y[["twice"]], seed=3, num_resamples=200)
    pd.testing.assert_frame_equal(both[both["output"] == "twice"].reset_index(drop=True), alone)
    # an affine change of the output leaves the indices unchanged
    np.testing.assert_allclose(
        both.loc[both["output"] == "f", "S1"], alone["S1"], rtol=1e-9, atol=1e-12
    )


# -------------------------------------------------------------------------------- the problem
def test_problem_round_trips_through_salib_and_reports_every_problem() -> None:
    problem = SensitivityProblem(names=("w", "method"), bounds=((0, 2), (0, 1)), levels=(None, 3))
    salib = problem.to_salib()
    assert salib == {"num_vars": 2, "names": ["w", "method"], "bounds": [[0.0, 2.0], [0.0, 1.0]]}
    assert SensitivityProblem.from_salib(salib, levels=(None, 3)) == problem
    assert problem.to_frame()["kind"].tolist() == ["continuous", "discrete"]
    with pytest.raises(ml.ArgumentError) as err:
        SensitivityProblem(
            names=("a", "a", ""), bounds=((0, 1), (1, 0), (0, 2)), levels=(None, 0, 2)
        )
    text = str(err.value)
    assert "5 problem(s)" in text
    for part in ("'a' appears more than once", "names[2]", "bounds[1]", "levels[1]", "(0, 1)"):
        assert part in text
    with pytest.raises(ml.ArgumentError, match="groups"):
        SensitivityProblem.from_salib({"names": ["a"], "bounds": [[0, 1]], "groups": ["g"]})
    with pytest.raises(ml.ArgumentError, match="not a UnitModel"):
        SensitivityProblem.from_model(object())  # type: ignore[arg-type]


def test_sample_sobol_design_and_refusals() -> None:
    problem = SensitivityProblem(names=("a", "b", "c"), bounds=((0, 1), (-2, 2), (0, 1)))
    x = sample_sobol(problem, 256, seed=0)
    assert x.shape == (256 * 5, 3)
    assert (x[:, 1] >= -2).all() and (x[:, 1] < 2).all() and (x[:, [0, 2]] < 1).all()
    # block layout: A, AB_1, AB_2, AB_3, B; AB_j is A with column j from B
    a, ab2, b = x[0::5], x[2::5], x[4::5]
    np.testing.assert_array_equal(ab2[:, [0, 2]], a[:, [0, 2]])
    np.testing.assert_array_equal(ab2[:, 1], b[:, 1])
    assert sample_sobol(problem, 256, seed=0, second_order=True).shape == (256 * 8, 3)
    with pytest.raises(ml.ArgumentError, match=r"power of 2.*use 512 or 1024"):
        sample_sobol(problem, 1000, seed=0)
    with pytest.raises(ml.ArgumentError, match="seed"):
        sample_sobol(problem, 256, seed=-1)
    with pytest.raises(ml.ArgumentError, match="SensitivityProblem"):
        sample_sobol({"names": ["a"]}, 256, seed=0)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------- evaluate
def test_evaluate_chunks_outputs_and_refusals() -> None:
    model = ishigami()
    x = sample_sobol(SensitivityProblem.from_model(model), 64, seed=0)
    whole = evaluate(model, x, chunk_size=10_000)
    model.calls = 0
    chunked = evaluate(model, x, chunk_size=100)
    assert model.calls == math.ceil(len(x) / 100)
    pd.testing.assert_frame_equal(whole, chunked)
    assert whole.columns.tolist() == ["output"]

    def doubled(out: np.ndarray) -> np.ndarray:
        return 2 * out

    assert evaluate(model, x, output=doubled).columns.tolist() == ["doubled"]
    with pytest.raises(ml.ArgumentError, match=r"outside \[0, 1\].*x2"):
        evaluate(model, x * np.array([1, 7, 1]))
    with pytest.raises(ml.ArgumentError, match=r"\(runs, 3\)"):
        evaluate(model, x[:, :2])
    with pytest.raises(ml.ArgumentError, match="one number per run"):
        evaluate(model, x, output=lambda out: np.stack([out, out], axis=1))
    with pytest.raises(ml.ArgumentError, match="more than once"):
        evaluate(model, x, output=[doubled, doubled])
    with pytest.raises(ml.ArgumentError, match="returned shape"):
        evaluate(FunctionModel(["a", "b", "c"], lambda u: u[:1, 0]), x)


# ------------------------------------------------------------------- profile models, selectors
class TinyProfiles:
    """A ProfileModel: 3 missions x 2 periods, nodes (root, a, b); root = w a + (1 - w) b with
    the weight w = u0 read from the first factor; the second factor (a 2-level choice) is a
    no-op, so every output's indices for it are exactly 0."""

    factor_names = ("weight", "noop")
    factor_levels = (None, 2)
    nodes = ("root", "a", "b")

    def __init__(self) -> None:
        self.units = pd.DataFrame(
            {
                "mission": ["M1", "M2", "M3", "M1", "M2", "M3"],
                "period": ["2023", "2023", "2023", "2024", "2024", "2024"],
                "phase": "implementation",
            }
        )
        self.a = np.array([90.0, 50.0, 20.0, 60.0, 60.0, 10.0])
        self.b = np.array([10.0, 40.0, 70.0, 30.0, 80.0, 50.0])
        self.nominal = self._scores(np.array([0.5]))[0]

    def _scores(self, w: np.ndarray) -> np.ndarray:
        root = w[:, None] * self.a + (1 - w[:, None]) * self.b
        a = np.broadcast_to(self.a, root.shape)
        b = np.broadcast_to(self.b, root.shape)
        return np.stack([root, a, b], axis=2)

    def evaluate_unit(self, x: np.ndarray) -> np.ndarray:
        return self._scores(x[:, 0])


def test_rank_scores_is_average_ties_best_first() -> None:
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 5, (20, 7)).astype(float)
    scores[rng.random(scores.shape) < 0.2] = np.nan
    ranks = rank_scores(scores)
    # independent: pandas rank(method="average", ascending=False), NaN not ranked
    expected = pd.DataFrame(scores.T).rank(method="average", ascending=False).to_numpy().T
    np.testing.assert_array_equal(ranks, expected)
    groups = np.array(["p1", "p2", "p1", "p1", "p2", "p2", "p1"])
    grouped = rank_scores(scores, groups)
    for label in ("p1", "p2"):
        cols = groups == label
        ref = rankdata(-scores[:, cols], method="average", axis=1, nan_policy="omit")
        np.testing.assert_array_equal(grouped[:, cols], ref)
    with pytest.raises(ml.ArgumentError, match="one group label per unit"):
        rank_scores(scores, groups[:3])


def test_selectors_against_a_hand_computation() -> None:
    model = TinyProfiles()
    w = np.array([[0.0, 0.2], [0.5, 0.7], [1.0, 0.1], [0.25, 0.9]])
    w[2, 0] = 0.9999
    y = evaluate(
        model,
        w,
        output=[
            score_of("M2", "root", period="2024"),
            rank_of("M1", "root", period="2023"),
            mean_rank_shift("root"),
            mean_rank_shift("root", period="2024"),
        ],
    )
    assert y.columns.tolist() == [
        "score M2 2024 root",
        "rank M1 2023 root",
        "mean rank shift root",
        "mean rank shift 2024 root",
    ]
    scores = model._scores(w[:, 0])[:, :, 0]
    np.testing.assert_allclose(y["score M2 2024 root"], scores[:, 4])
    long = pd.DataFrame(
        {
            "run": np.repeat(np.arange(4), 6),
            "period": np.tile(model.units["period"], 4),
            "score": scores.ravel(),
            "nominal": np.tile(model.nominal[:, 0], 4),
        }
    )
    by = long.groupby(["run", "period"])
    long["rank"] = by["score"].rank(method="average", ascending=False)
    long["rank_ref"] = by["nominal"].rank(method="average", ascending=False)
    long["shift"] = (long["rank"] - long["rank_ref"]).abs()
    # the average shift in ranks of Saisana, Saltelli & Tarantola (2005):
    # the mean over units of |Rank_ref - Rank|
    np.testing.assert_allclose(y["mean rank shift root"], long.groupby("run")["shift"].mean())
    only = long[long["period"] == "2024"]
    np.testing.assert_allclose(y["mean rank shift 2024 root"], only.groupby("run")["shift"].mean())
    np.testing.assert_allclose(y["rank M1 2023 root"], long["rank"].to_numpy()[0::6])
    # hand check of one run: w = 0 -> 2023 roots are b = (10, 40, 70): M1 ranks 3rd
    assert y["rank M1 2023 root"][0] == 3.0


def test_sensitivity_of_a_profile_model() -> None:
    model = TinyProfiles()
    result = ml.sensitivity(
        model,
        output={
            "shift": ml.mean_rank_shift("root"),
            "M3": ml.score_of("M3", "root", period="2023"),
        },
        n=512,
        seed=0,
        num_resamples=200,
    )
    table = result.indices.set_index(["output", "input"])
    # the no-op choice has no influence on any output; the weight carries all of it
    assert (table.xs("noop", level="input")[["S1", "ST"]] == 0).all().all()
    assert table.loc[("M3", "weight"), "S1"] == pytest.approx(1.0, abs=0.02)
    assert table.loc[("shift", "weight"), "ST"] == pytest.approx(1.0, abs=0.05)


def test_selector_errors_name_what_was_expected() -> None:
    model = TinyProfiles()
    x = np.full((4, 2), 0.5)
    with pytest.raises(ml.ArgumentError, match=r"no mission 'm2'.*did you mean 'M2'"):
        evaluate(model, x, output=score_of("m2", "root", period="2023"))
    with pytest.raises(ml.ArgumentError, match=r"2 units .*name the period"):
        evaluate(model, x, output=rank_of("M2", "root"))
    with pytest.raises(ml.ArgumentError, match=r"no node 'rot'.*did you mean 'root'"):
        evaluate(model, x, output=score_of("M2", "rot", period="2023"))
    with pytest.raises(ml.ArgumentError, match="no unit in period '2025'"):
        evaluate(model, x, output=mean_rank_shift("root", period="2025"))
    with pytest.raises(ml.ArgumentError, match="must expose units"):
        evaluate(ishigami(), np.full((4, 3), 0.5), output=score_of("M1", "root"))


# -------------------------------------------------------------------------------- analyse
def test_analyse_refusals_and_constant_outputs() -> None:
    problem = SensitivityProblem(names=("a", "b"))
    y = np.linspace(0, 1, 64 * 4)
    with pytest.raises(ml.ArgumentError, match="255 runs do not fit"):
        analyse_sobol(problem, y[:-1], seed=0)
    with pytest.raises(ml.ArgumentError, match="second_order=True"):
        analyse_sobol(problem, np.zeros(64 * 6), seed=0)
    bad = pd.DataFrame({"ok": y, "gaps": y.copy(), "inf": y.copy()})
    bad.loc[[3, 9], "gaps"] = np.nan
    bad.loc[7, "inf"] = np.inf
    with pytest.raises(ml.ArgumentError) as err:
        analyse_sobol(problem, bad, seed=0)
    assert "'gaps': 2 runs (first rows 3, 9)" in str(err.value)
    assert "'inf': 1 runs (first rows 7)" in str(err.value) and "'ok'" not in str(err.value)
    with pytest.raises(ml.ArgumentError, match=r"conf_level.*num_resamples"):
        analyse_sobol(problem, y, seed=0, conf_level=95, num_resamples=1)
    # a constant output is kept, with undefined indices and the reason
    table = analyse_sobol(problem, pd.DataFrame({"flat": np.ones(256), "y": y}), seed=0)
    flat = table[table["output"] == "flat"]
    assert flat[["S1", "ST", "S1_conf"]].isna().all().all()
    assert flat["note"].str.contains("no variance to apportion").all()
    assert (table.loc[table["output"] == "y", "note"] == "").all()


# --------------------------------------------------------------------------------------- docs
def test_docs_examples_run() -> None:
    text = (ROOT / "docs" / "sensitivity.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.DOTALL)
    assert blocks
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, "docs/sensitivity.md", "exec"), namespace)


def test_public_names() -> None:
    for name in (
        "sensitivity",
        "SensitivityProblem",
        "SensitivityResult",
        "UnitModel",
        "sample_sobol",
        "analyse_sobol",
        "score_of",
        "rank_of",
        "mean_rank_shift",
        "SENSITIVITY_COLUMNS",
    ):
        assert name in ml.__all__ and name in dir(ml) and getattr(ml, name) is not None
    assert isinstance(ishigami(), ml.UnitModel)


def test_sobol_indices_of_the_library_s_own_uncertainty_engine() -> None:
    """The uncertainty engine is a UnitModel: sample -> evaluate -> analyse runs on it, and a
    discrete choice whose options are the same recipe has no influence at all."""
    import warnings

    small = ml.load_framework(Path(__file__).parent / "data" / "frameworks" / "small.yaml")
    rng = np.random.default_rng(0)
    rows = [
        (f"M{m}", "2024", "implementation", ind, float(rng.integers(1, 6)), f"R{r}")
        for m in range(5)
        for ind in ("pol_01", "pol_02")
        for r in range(3)
    ] + [(f"M{m}", "2024", "implementation", "env_02", float(m % 2), "R0") for m in range(5)]
    data = pd.DataFrame(rows, columns=["mission", "period", "phase", "indicator", "value", "rater"])
    spec = {
        "weights": {"noise": 0.5},
        "raters": True,
        "choices": [{"name": "same", "options": [{"label": "a"}, {"label": "b"}]}],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ml.IncompleteScoreWarning)
        model = ml.UncertaintyModel.build(data, framework=small, spec=spec, seed=2)
        result = ml.sensitivity(model, output=ml.score_of("M1", "pol"), n=256, seed=4)
    table = result.indices.set_index("input")
    assert set(table.index) == set(model.factor_names)
    assert table.loc["same", "ST"] == pytest.approx(0.0, abs=1e-12)
    assert table.loc["same", "S1"] == pytest.approx(0.0, abs=1e-12)
    # the weight of pol_01 against pol_02 and the raters both move the score of "pol"
    assert table.loc["raters", "ST"] > 0.05 and table.loc["weights", "ST"] > 0.0
