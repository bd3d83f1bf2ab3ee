"""The step registry, typed steps, order from data flow, parameter paths and partial reruns."""

from __future__ import annotations

import math
import statistics
import warnings
from pathlib import Path
from typing import get_args, get_type_hints

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import missionlens as ml
from missionlens.framework.elements import AggregationMethod
from missionlens.scoring import methods, steps
from missionlens.scoring.kernels import aggregate as agg
from missionlens.scoring.prepare import prepare
from missionlens.scoring.profiles import profiles_from_state
from missionlens.scoring.recipe import (
    STEP_PARAMS,
    STEP_TYPES,
    AggregateStep,
    ImputeStep,
    NormaliseParams,
    NormaliseStep,
    first_changed_step,
    flow_problems,
)

DATA = Path(__file__).parent / "data"


def _score(p: ml.Profiles, mission: str, element: str) -> float:
    t = p.to_frame()
    return float(t[(t["mission"] == mission) & (t["node"] == element)]["score"].iloc[0])


# ------------------------------------------------------------------ the four reported bugs
def test_with_step_impute_goes_before_normalise_and_takes_effect(
    small_framework: ml.Framework, wide: pd.DataFrame
) -> None:
    recipe = ml.Recipe.default().with_step("impute", method="group_mean")
    assert [s.step for s in recipe.steps] == [
        "impute",
        "impute",
        "normalise",
        "weight",
        "aggregate",
    ]
    p = ml.score(wide, framework=small_framework, recipe=recipe)
    # C's pol_01 = mean(5, 2) = 3.5 on a 1-5 rubric -> 62.5 (worked by hand)
    assert _score(p, "C", "pol_01") == 62.5
    assert "1 cell(s) imputed" in " ".join(p.log["message"])
    with pytest.raises(ml.RecipeError, match=r"it must come before steps\[1\]") as info:
        ml.Recipe.default().with_step("impute", index=3, method="group_mean")
    assert "takes effect at index 0, 1" in str(info.value)


def test_second_with_params_deep_merges(small_framework: ml.Framework) -> None:
    recipe = (
        ml.Recipe.default()
        .with_params("aggregate", overrides={"pol": {"method": "minimum"}})
        .with_params("aggregate", overrides={"env": {"method": "geometric"}})
        .with_params("aggregate", overrides={"pol": {"min_share": 1.0}})
    )
    overrides = recipe.steps[3].params.overrides
    assert set(overrides) == {"pol", "env"}
    assert overrides["pol"].method == "minimum" and overrides["pol"].min_share == 1.0


def test_unknown_normalisation_method_raises(
    small_framework: ml.Framework, wide: pd.DataFrame
) -> None:
    with pytest.raises(ml.RecipeError, match="unknown normalisation method 'best'"):
        ml.Recipe.default().with_params("normalise", overrides={"env_01": {"method": "best"}})
    with pytest.raises(ml.RecipeError, match="unknown numeric normalisation method 'linear'"):
        ml.Recipe.default().with_params("normalise", numeric="linear")
    # a method that slips past validation reaches the engine, which refuses it (no NaN scores)
    params = NormaliseParams.model_construct(
        **{**NormaliseParams().__dict__, "numeric": "not_in_the_table"}
    )
    state, _ = prepare(wide, small_framework, ml.Recipe.default())
    with pytest.raises(ml.RecipeError, match="unknown method 'not_in_the_table' for 'env_01'"):
        steps.step_normalise(state, params)


def test_changed_recipe_gets_a_new_name_and_description() -> None:
    base = ml.Recipe.default()
    changed = base.with_params("impute", method="group_mean").with_params("weight", method="equal")
    assert changed.name == "default+impute+weight"
    assert changed.description == (
        "Derived from 'default': impute.method='group_mean'; weight.method='equal'."
    )
    again = changed.with_params("impute", method="locf")
    assert again.name == "default+impute+weight"
    named = base.with_step("treat_outliers", name="mine", description="Treated.")
    assert (named.name, named.description) == ("mine", "Treated.")
    assert named.fingerprint != base.fingerprint
    assert base.with_params("impute", method="none", name="x").fingerprint == base.fingerprint


# ----------------------------------------------------------------------------- registry
def test_every_step_model_has_exactly_one_function() -> None:
    assert set(steps.STEPS) == set(STEP_TYPES) == set(STEP_PARAMS)
    functions = [spec.function for spec in steps.STEPS.values()]
    assert len(set(functions)) == len(functions)
    for name, spec in steps.STEPS.items():
        assert spec.model is STEP_TYPES[name]
        assert get_type_hints(spec.function)["params"] is STEP_PARAMS[name] is spec.params
    with pytest.raises(ml.RecipeError, match="already registered"):
        steps.register_step(ImputeStep)(steps.step_impute)


def test_normalisation_and_aggregation_tables_agree() -> None:
    # one list of aggregation names (framework elements), one kernel table, exactly the same
    assert tuple(agg.AGGREGATORS) == get_args(AggregationMethod) == agg.AGGREGATION_METHODS
    schema = NormaliseParams.model_json_schema()
    assert schema["properties"]["numeric"]["enum"] == ["auto", *methods.normaliser_names("numeric")]
    with pytest.raises(ValueError, match="unknown aggregation method 'mode'"):
        agg.aggregate(np.ones((1, 2)), np.ones(2), "mode")


def test_each_aggregation_kernel_against_the_statistics_module() -> None:
    # independent values: the weighted mean written out, Python's statistics module (geometric_mean,
    # harmonic_mean, median) and the power mean of Bullen (2003) written out by hand
    x = [20.0, 50.0, 80.0]
    w = [1.0, 2.0, 1.0]
    expected = {
        "arithmetic": sum(wi * xi for xi, wi in zip(x, w, strict=True)) / sum(w),
        "geometric": math.exp(sum(wi * math.log(xi) for xi, wi in zip(x, w, strict=True)) / sum(w)),
        "harmonic": statistics.harmonic_mean(x, weights=w),
        "minimum": min(x),
        "median": statistics.median(x),
        "generalised": (sum(wi * xi**0.5 for xi, wi in zip(x, w, strict=True)) / sum(w)) ** 2,
    }
    assert set(expected) == set(agg.AGGREGATORS)
    for method, value in expected.items():
        score, _ = agg.aggregate(np.array([x]), np.array(w), method, p=0.5)
        assert_allclose(score[0], value, rtol=1e-12, err_msg=method)
    assert_allclose(statistics.geometric_mean([20.0, 50.0, 50.0, 80.0]), expected["geometric"])


def test_every_normalisation_method_scores_through_the_engine(
    small_framework: ml.Framework,
) -> None:
    data = pd.DataFrame({"mission": list("ABCD"), "period": "2024", "env_01": [0.0, 1.0, 2.0, 4.0]})
    for name in methods.NORMALISERS:
        if name in ("custom", "linear"):
            continue  # rubric methods: below
        override = {"method": name, "target": 1.0, "goalposts": (0.0, 4.0)}
        recipe = (
            ml.Recipe.default()
            .with_params("normalise", overrides={"env_01": override})
            .with_params("aggregate", method="arithmetic")  # z-scores can be negative
        )
        col = ml.score(data, framework=small_framework, recipe=recipe).wide()["env_01"]
        assert col.notna().all(), name
    custom = ml.Recipe.default().with_params(
        "normalise", rubric="custom", rubric_mapping={1: 0, 2: 10, 3: 40, 4: 70, 5: 100}
    )
    d2 = pd.DataFrame({"mission": ["A"], "period": ["2024"], "pol_01": [3]})
    assert ml.score(d2, framework=small_framework, recipe=custom).wide()["pol_01"].iloc[0] == 40


# -------------------------------------------------------------------------- typed steps
def test_step_is_a_discriminated_union_built_by_step() -> None:
    step = ml.Step(step="impute", params={"method": "locf"})
    assert isinstance(step, ImputeStep) and isinstance(step, ml.Step)
    assert step.params.method == "locf"
    assert isinstance(ml.Step(step="normalise"), NormaliseStep)
    with pytest.raises(ml.RecipeError, match=r"Step \(impute\)\.params\.method"):
        ml.Step(step="impute", params={"method": "guess"})
    with pytest.raises(ml.RecipeError, match="unknown step 'impoot'"):
        ml.Step(step="impoot")
    with pytest.raises(ml.RecipeError, match=r"steps\[0\] \(aggregate\)\.params\.p"):
        ml.Recipe.from_yaml("steps:\n- {step: aggregate, params: {method: generalised, p: x}}\n")
    with pytest.raises(ml.RecipeError, match="generalised' needs the exponent p"):
        ml.Recipe.from_yaml("steps:\n- {step: aggregate, params: {method: generalised}}\n")


def test_round_trips_and_fingerprints_unchanged_since_before_the_registry(
    tmp_path: Path,
) -> None:
    recipe = (
        ml.Recipe.default()
        .with_step("denominate", index=0, indicators=["x"], by="personnel", multiplier=1000)
        .with_params("normalise", numeric="zscore", overrides={"x": {"method": "rank"}})
        .with_params("aggregate", overrides={"root": {"method": "generalised", "p": 0.5}})
    )
    for copy in (
        ml.Recipe.from_yaml(recipe.to_yaml()),
        ml.Recipe.from_json(recipe.to_json(tmp_path / "r.json")),
    ):
        assert copy == recipe and copy.fingerprint == recipe.fingerprint
        assert isinstance(copy.steps[-1], AggregateStep)
    # known values: computed with missionlens at commit 1f2fd5a, before the typed steps
    assert ml.Recipe.default().fingerprint == "2b91bb7c497ea6b6"
    assert recipe.fingerprint == "ccee0bb22e1687dc"


def test_profile_saved_before_the_registry_loads() -> None:
    p = ml.Profiles.load(DATA / "profiles" / "saved-before-step-registry.zip")
    assert p.recipe.fingerprint == "dd7bef28e0e33d1e"  # as saved
    assert [s.step for s in p.recipe.steps][:2] == ["denominate", "impute"]
    assert p.regenerate() == p
    # index of A with the geometric root, value printed when the file was written
    assert_allclose(p.wide().loc[("A", "2024"), "index"], 84.117596, atol=1e-6)


# --------------------------------------------------------------------------- data flow
def test_order_rules_follow_from_reads_and_writes() -> None:
    _, normalise, weight, aggregate = ml.Recipe.default().steps
    assert flow_problems([normalise, aggregate]) == []
    assert "nothing writes 'node_scores', 'node_share'" in flow_problems([normalise])[-1]
    assert flow_problems([weight, normalise, aggregate]) == []
    late_weight = flow_problems([normalise, aggregate, weight])
    assert late_weight == [
        "steps[2] (weight): writes 'weights', which steps[1] (aggregate) has already read to "
        "compute node_scores, node_share; it must come before steps[1]"
    ]
    twice = flow_problems([normalise, normalise, aggregate])
    assert twice == [
        "steps[0] (normalise): its output 'normalised' is overwritten by steps[1] (normalise) "
        "before anything reads it, so the step would change nothing"
    ]
    sibling = ml.Step(step="impute", params={"method": "sibling_mean"})
    assert flow_problems([normalise, sibling, aggregate]) == []
    assert "must come before steps[1]" in flow_problems([normalise, aggregate, sibling])[0]
    with pytest.raises(ml.RecipeError, match="must come after a 'normalise' step"):
        ml.Recipe(steps=(aggregate,))


def test_with_step_positions_and_refusals() -> None:
    base = ml.Recipe.default()
    sibling = base.with_step("impute", method="sibling_mean")
    assert [s.step for s in sibling.steps] == [
        "impute",
        "normalise",
        "weight",
        "impute",
        "aggregate",
    ]
    treat = base.with_step("treat_outliers")
    assert [s.step for s in treat.steps][:3] == ["impute", "treat_outliers", "normalise"]
    with pytest.raises(ml.RecipeError, match="reads and writes nothing"):
        base.with_step("impute", method="none")
    with pytest.raises(ml.RecipeError, match="cannot take effect anywhere"):
        base.with_step("normalise")
    with pytest.raises(ml.RecipeError, match=r"at the latest just before steps\[1\] \(normalise\)"):
        base.with_step("denominate", index=-1, indicators=["x"], by="n")


# ----------------------------------------------------------------------- parameter paths
def test_set_params_paths_deep_merge_and_addressing() -> None:
    base = ml.Recipe.default().with_params("aggregate", overrides={"wom": {"p": 0.5}})
    r = base.set_params(aggregate__overrides__wom__method="generalised", weight__method="equal")
    assert r.steps[3].params.overrides["wom"].method == "generalised"
    assert r.steps[3].params.overrides["wom"].p == 0.5  # kept by the deep merge
    assert r.steps[2].params.method == "equal"
    assert r.set_params(aggregate__overrides__wom=None).steps[3].params.overrides == {}
    assert r.with_params(3, overrides__pol__rule="propagate").steps[3].params.overrides.keys() == {
        "wom",
        "pol",
    }
    assert base.set_params(settings__consolidate="mean").settings.consolidate == "mean"
    assert base.set_params(normalise={"numeric": "rank"}).steps[1].params.numeric == "rank"
    mapping = base.set_params(normalise__rubric="custom", normalise__rubric_mapping={1: 0, 5: 100})
    replaced = mapping.set_params(normalise__rubric_mapping={1: 0, 3: 50, 5: 100})
    assert replaced.steps[1].params.rubric_mapping == {1.0: 0.0, 3.0: 50.0, 5.0: 100.0}

    two = ml.Recipe.default().with_step("impute", method="group_mean")
    with pytest.raises(ml.RecipeError, match="appears 2 times"):
        two.set_params(impute__method="locf")
    assert two.set_params(steps__1__method="locf").steps[1].params.method == "locf"
    assert two.with_params(1, method="locf").name == "default+impute"

    with pytest.raises(ml.RecipeError, match="no parameter 'overide'; valid keys: method, p, rule"):
        base.set_params(aggregate__overide={})
    with pytest.raises(ml.RecipeError, match="no parameter 'metod'; valid keys: method, p"):
        base.set_params(aggregate__overrides__wom__metod="x")
    with pytest.raises(ml.RecipeError, match="unknown key 'agregate__p'"):
        base.set_params(agregate__p=1)
    with pytest.raises(ml.RecipeError, match="has no step 'treat_outliers'"):
        base.set_params(treat_outliers__max_points=2)
    with pytest.raises(ml.RecipeError, match="index 9 is out of range"):
        base.set_params(steps__9__method="x")
    with pytest.raises(ml.RecipeError, match=r"settings\.trim"):
        base.set_params(settings__trim=0.9)


# ------------------------------------------------------------------------ partial reruns
def test_rerun_from_first_changed_step_equals_a_full_run(
    small_framework: ml.Framework, wide: pd.DataFrame
) -> None:
    old = ml.Recipe.default()
    state, _ = prepare(wide, small_framework, old)
    trace = steps.trace_recipe(state, old)
    assert len(trace.states) == 5 and trace.final is trace.states[-1]
    changes = [
        (old.with_params("weight", overrides={"pol_02": 3.0}), 2),
        (old.set_params(aggregate__overrides__index__method="minimum"), 3),
        (old.with_step("impute", method="group_mean"), 1),
        (old.with_params("normalise", numeric="minmax"), 1),
        (old.with_params("impute", method="none", name="renamed"), 4),
    ]
    for new, expected in changes:
        assert first_changed_step(old, new) == expected
        rerun = trace.rerun(new)
        full = steps.run_recipe(state, new)
        assert rerun.start == expected
        assert np.array_equal(rerun.final.node_scores, full.node_scores, equal_nan=True)
        assert rerun.final.log == full.log
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ml.IncompleteScoreWarning)
            a = profiles_from_state(rerun.final, new, wide).to_frame(None)
            b = profiles_from_state(full, new, wide).to_frame(None)
        pd.testing.assert_frame_equal(a, b)
        # run_recipe(start=...) from the cached state is the same run
        direct = steps.run_recipe(trace.states[expected], new, start=expected)
        assert np.array_equal(direct.normalised, full.normalised, equal_nan=True)
    with pytest.raises(ml.RecipeError, match="start must be an index from 0 to 4"):
        steps.run_recipe(state, old, start=5)
    with pytest.raises(ml.RecipeError, match="prepare the data again"):
        trace.rerun(old.set_params(settings__consolidate="mean"))
