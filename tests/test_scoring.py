"""The scoring engine end to end: recipes, steps, profiles, provenance."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import missionlens as ml

TOL = {"rtol": 0, "atol": 1e-12}


def _score_of(profiles: ml.Profiles, mission: str, node: str) -> float:
    table = profiles.to_frame()
    row = table[(table["mission"] == mission) & (table["node"] == node)]
    return float(row["score"].iloc[0])


def test_default_recipe_worked_by_hand(small_framework: ml.Framework, wide: pd.DataFrame) -> None:
    p = ml.score(wide, framework=small_framework)
    # pol_01 rubric 1..5 linear: 5 -> 100, 2 -> 25; pol_02 4 -> 75
    assert _score_of(p, "A", "pol_01") == 100
    assert _score_of(p, "B", "pol_01") == 25
    # env_01 numeric, lower is better, goalposts [0, 3]: 0.5 -> (3 - 0.5) / 3 = 83.33
    assert_allclose(_score_of(p, "A", "env_01"), 250 / 3, **TOL)
    # 4.0 is beyond the worst goalpost: capped at 0
    assert _score_of(p, "C", "env_01") == 0
    # pol (arithmetic, weights 1 and 0.5): (100 + 0.5 * 75) / 1.5
    assert_allclose(_score_of(p, "A", "pol"), 137.5 / 1.5, **TOL)
    # env_sec = mean(83.33, 100); env = mean(env_sec, env_03=50)
    env_sec = (250 / 3 + 100) / 2
    assert_allclose(_score_of(p, "A", "env_sec"), env_sec, **TOL)
    assert_allclose(_score_of(p, "A", "env"), (env_sec + 50) / 2, **TOL)
    # root geometric, pol weight 2, env weight 1
    expected = np.exp((2 * np.log(137.5 / 1.5) + np.log((env_sec + 50) / 2)) / 3)
    assert_allclose(_score_of(p, "A", "index"), expected, rtol=1e-14)
    # C lacks pol_01 (weight 1 of 1.5): share 1/3 < 0.5 so pol is missing, and so is the root
    assert np.isnan(_score_of(p, "C", "pol"))
    assert np.isnan(_score_of(p, "C", "index"))


def test_profile_table_columns_and_coverage(
    small_framework: ml.Framework, wide: pd.DataFrame
) -> None:
    p = ml.score(wide, framework=small_framework)
    table = p.to_frame()
    assert tuple(table.columns) == ml.PROFILE_COLUMNS
    row = table[(table["mission"] == "C") & (table["node"] == "pol")].iloc[0]
    # C has pol_02 only: coverage 1/2, but the share of weight is too small for a score, so
    # the (missing) score rests on no value
    assert row["n_indicators"] == 0 and row["coverage"] == 0.5 and np.isnan(row["score"])
    assert row["node_type"] == "dimension" and pd.isna(row["phase"])
    env = table[(table["mission"] == "C") & (table["node"] == "env")].iloc[0]
    assert env["n_indicators"] == 3 and env["score"] == 75
    root = table[(table["mission"] == "A") & (table["node"] == "index")].iloc[0]
    assert root["n_indicators"] == 5 and root["coverage"] == 1.0 and root["imputed_share"] == 0


def test_facet_views(small_framework: ml.Framework, wide: pd.DataFrame) -> None:
    p = ml.score(wide, framework=small_framework)
    findings = p.to_frame("finding")
    assert set(findings["node"]) == {"1", "14", "16"}
    # finding 14 is served by env_01 alone
    a14 = findings[(findings["mission"] == "A") & (findings["node"] == "14")]["score"].iloc[0]
    assert_allclose(a14, 250 / 3, **TOL)
    # level 'strategic': pol_01 and pol_02; global weights 2/3 * (1/1.5) and 2/3 * (0.5/1.5)
    levels = p.to_frame("level")
    a = levels[(levels["mission"] == "A") & (levels["node"] == "strategic")]["score"].iloc[0]
    assert_allclose(a, (100 * 2 + 75 * 1) / 3, **TOL)


def test_wide_and_rank(small_framework: ml.Framework, wide: pd.DataFrame) -> None:
    p = ml.score(wide, framework=small_framework)
    dims = p.wide(node_type="dimension")
    assert list(dims.columns) == ["pol", "env"]
    assert dims.index.names == ["mission", "period"]
    ranks = p.rank()
    assert list(ranks.columns) == ["mission", "period", "node", "score", "rank"]
    assert ranks["mission"].tolist() == ["A", "B", "C"]
    assert ranks["rank"].tolist()[:2] == [1, 2] and pd.isna(ranks["rank"].iloc[2])


def test_denominate_then_normalise(small_framework: ml.Framework, wide: pd.DataFrame) -> None:
    recipe = ml.Recipe.default().with_step(
        "denominate", index=0, indicators=["env_01"], by="personnel", multiplier=1000
    )
    p = ml.score(wide.assign(personnel=[1000, 4000, 500]), framework=small_framework, recipe=recipe)
    # B: 2.0 / 4000 * 1000 = 0.5 per 1,000 -> (3 - 0.5) / 3 * 100
    assert_allclose(_score_of(p, "B", "env_01"), 250 / 3, **TOL)


def test_impute_group_mean_flags_cells(small_framework: ml.Framework, wide: pd.DataFrame) -> None:
    recipe = ml.Recipe.default().with_params("impute", method="group_mean", group="period")
    p = ml.score(wide, framework=small_framework, recipe=recipe)
    # C's pol_01 = mean(5, 2) = 3.5 -> 62.5
    assert_allclose(_score_of(p, "C", "pol_01"), 62.5, **TOL)
    table = p.to_frame()
    row = table[(table["mission"] == "C") & (table["node"] == "pol")].iloc[0]
    assert row["imputed_share"] == 0.5 and row["coverage"] == 1.0
    assert "1 cell(s) imputed" in p.log["message"].iloc[0]


def test_impute_sibling_mean_after_normalise(
    small_framework: ml.Framework, wide: pd.DataFrame
) -> None:
    steps = [
        ml.Step(step="normalise"),
        ml.Step(step="impute", params={"method": "sibling_mean"}),
        ml.Step(step="aggregate"),
    ]
    p = ml.score(wide, framework=small_framework, recipe=ml.Recipe(steps=tuple(steps)))
    assert _score_of(p, "C", "pol_01") == 50  # sibling pol_02 = 3 -> 50
    with pytest.raises(ml.RecipeError, match="sibling_mean averages normalised scores"):
        ml.Recipe(steps=(steps[1], steps[0], steps[2]))


def test_locf_across_periods(small_framework: ml.Framework) -> None:
    data = pd.DataFrame(
        {
            "mission": ["A", "A", "A", "B"],
            "period": ["2023", "2025", "2024", "2024"],
            "pol_01": [4, np.nan, np.nan, 2],
            "pol_02": [4, 4, 4, 2],
        }
    )
    recipe = ml.Recipe.default().with_params("impute", method="locf")
    p = ml.score(data, framework=small_framework, recipe=recipe)
    w = p.wide()
    assert w.loc[("A", "2024"), "pol_01"] == 75 and w.loc[("A", "2025"), "pol_01"] == 75


def test_normalise_methods_through_recipe(small_framework: ml.Framework) -> None:
    data = pd.DataFrame({"mission": list("ABCD"), "period": "2024", "env_01": [0.0, 1.0, 2.0, 4.0]})
    minmax = ml.Recipe.default().with_params("normalise", numeric="minmax")
    p = ml.score(data, framework=small_framework, recipe=minmax)
    # lower is better: 0 best -> 100, 4 worst -> 0, 1 -> 75
    assert_allclose(p.wide()["env_01"].to_numpy(), [100, 75, 50, 0], **TOL)
    pct = ml.Recipe.default().with_params("normalise", numeric="percentile")
    p = ml.score(data, framework=small_framework, recipe=pct)
    assert_allclose(p.wide()["env_01"].to_numpy(), [100, 200 / 3, 100 / 3, 0], **TOL)
    target = ml.Recipe.default().with_params(
        "normalise", overrides={"env_01": {"method": "distance_to_target", "target": 1.0}}
    )
    p = ml.score(data, framework=small_framework, recipe=target)
    # negated: x' = -x, min' = -4, target' = -1: (x' + 4) / 3, capped at 100
    assert_allclose(p.wide()["env_01"].to_numpy(), [100, 100, 200 / 3, 0], **TOL)
    custom = ml.Recipe.default().with_params(
        "normalise", rubric="custom", rubric_mapping={1: 0, 2: 10, 3: 40, 4: 70, 5: 100}
    )
    d2 = pd.DataFrame({"mission": ["A"], "period": ["2024"], "pol_01": [3]})
    assert ml.score(d2, framework=small_framework, recipe=custom).wide()["pol_01"].iloc[0] == 40


def test_weight_and_aggregate_overrides(small_framework: ml.Framework, wide: pd.DataFrame) -> None:
    recipe = ml.Recipe.default().with_params("weight", overrides={"pol_02": 1.0})
    recipe = recipe.with_params("aggregate", overrides={"index": {"method": "minimum"}})
    p = ml.score(wide, framework=small_framework, recipe=recipe)
    assert_allclose(_score_of(p, "A", "pol"), 87.5, **TOL)
    assert_allclose(_score_of(p, "A", "index"), min(87.5, _score_of(p, "A", "env")), **TOL)
    equal = ml.Recipe.default().with_params("weight", method="equal")
    q = ml.score(wide, framework=small_framework, recipe=equal)
    assert_allclose(_score_of(q, "A", "pol"), 87.5, **TOL)


def test_outlier_treatment_through_recipe(small_framework: ml.Framework) -> None:
    values = [*range(1, 11), 30.0, 100.0]
    data = pd.DataFrame(
        {"mission": [f"M{i:02d}" for i in range(12)], "period": "2024", "env_01": values}
    )
    recipe = ml.Recipe.default().with_step("treat_outliers", index=0)
    recipe = recipe.with_params("normalise", numeric="minmax")
    p = ml.score(data, framework=small_framework, recipe=recipe)
    col = p.wide()["env_01"].to_numpy()
    # after winsorising 100 -> 30, min-max of the negated values: M10 and M11 both score 0
    assert col[10] == 0 and col[11] == 0
    assert_allclose(col[0], 100, **TOL)
    assert p.log["winsorised"].iloc[0] == 1


# --------------------------------------------------------------------------- long inputs
def test_long_assessments_with_raters_use_median(small_framework: ml.Framework) -> None:
    long = pd.DataFrame(
        {
            "mission": ["A"] * 4,
            "period": ["2024-H1"] * 4,
            "phase": "implementation",
            "indicator": ["pol_01", "pol_01", "pol_01", "pol_02"],
            "value": [1, 4, 5, 3],
            "rater": ["r1", "r2", "r3", "r1"],
        }
    )
    p = ml.score(long, framework=small_framework)
    assert _score_of(p, "A", "pol_01") == 75  # median(1, 4, 5) = 4
    mean = ml.score(long, framework=small_framework, recipe=_with_consolidate("mean"))
    assert_allclose(_score_of(mean, "A", "pol_01"), (10 / 3 - 1) / 4 * 100, **TOL)


def _with_consolidate(method: str) -> ml.Recipe:
    return ml.Recipe(
        settings=ml.RecipeSettings(consolidate=method),  # type: ignore[arg-type]
        steps=ml.Recipe.default().steps,
    )


def test_bad_inputs_are_reported(small_framework: ml.Framework) -> None:
    long = pd.DataFrame(
        {
            "mission": ["A", "A", "A"],
            "period": ["2024"] * 3,
            "phase": "implementation",
            "indicator": ["pol_01", "nope", "pol_02"],
            "value": [1, 2, 3],
            "rater": "r",
        }
    )
    with pytest.raises(ml.ScoringInputError, match="unknown_indicator") as info:
        ml.score(long, framework=small_framework)
    assert info.value.problems["indicator"].tolist() == ["nope"]
    wide = pd.DataFrame({"mission": ["A", "B"], "period": "2024", "pol_01": [7, 3]})
    with pytest.raises(ml.ScoringInputError, match="out_of_scale") as info:
        ml.score(wide, framework=small_framework)
    assert info.value.problems[["mission", "value"]].values.tolist() == [["A", "7"]]
    text = pd.DataFrame({"mission": ["A"], "period": "2024", "pol_01": ["high"]})
    with pytest.raises(ml.ScoringInputError, match="not_numeric"):
        ml.score(text, framework=small_framework)
    with pytest.raises(ml.ScoringInputError, match="no 'period' column"):
        ml.score(pd.DataFrame({"mission": ["A"]}), framework=small_framework)


# ------------------------------------------------------------------------ provenance
def test_regenerate_save_load(
    small_framework: ml.Framework, wide: pd.DataFrame, tmp_path: Path
) -> None:
    recipe = ml.Recipe.default().with_params("impute", method="group_mean")
    p = ml.score(wide, framework=small_framework, recipe=recipe)
    assert p.regenerate() == p
    path = p.save(tmp_path / "profiles.zip")
    q = ml.Profiles.load(path)
    assert q == p
    assert q.recipe == recipe and q.framework == small_framework
    assert q.fingerprints == p.fingerprints
    pd.testing.assert_frame_equal(q.to_frame(None), p.to_frame(None))


def test_mixing_profiles_is_refused(small_framework: ml.Framework, wide: pd.DataFrame) -> None:
    a = ml.score(wide, framework=small_framework)
    b = ml.score(wide, framework=small_framework, recipe=_with_consolidate("mean"))
    with pytest.raises(ml.IncompatibleProfilesError, match="recipe"):
        ml.Profiles.concat([a, b])
    mixed = ml.Profiles.concat([a, b], allow_mixed=True)
    assert mixed["recipe_fingerprint"].nunique() == 2
    assert len(ml.Profiles.concat([a, a])) == 2 * len(a.to_frame(None))


def test_recipe_yaml_json_round_trip_and_errors(tmp_path: Path) -> None:
    recipe = (
        ml.Recipe.default()
        .with_step("denominate", index=0, indicators=["x"], by="personnel", multiplier=1000)
        .with_params("normalise", numeric="zscore", overrides={"x": {"method": "rank"}})
        .with_params("aggregate", overrides={"root": {"method": "generalised", "p": 0.5}})
    )
    assert ml.Recipe.from_yaml(recipe.to_yaml()) == recipe
    assert ml.Recipe.from_json(recipe.to_json(tmp_path / "r.json")) == recipe
    assert ml.Recipe.from_yaml(recipe.to_yaml()).fingerprint == recipe.fingerprint
    with pytest.raises(ml.RecipeError) as info:
        ml.Recipe.from_dict(
            {
                "steps": [
                    {"step": "normalize"},
                    {"step": "normalise", "params": {"numeric": "best"}},
                    {"step": "aggregate"},
                ]
            }
        )
    message = str(info.value)
    assert (
        "unknown step 'normalize'" in message and "steps[1] (normalise).params.numeric" in message
    )


@given(
    st.lists(
        st.sampled_from(["none", "group_mean", "group_median", "locf"]), min_size=1, max_size=2
    ),
    st.sampled_from(["auto", "minmax", "zscore", "percentile"]),
    st.sampled_from(["framework", "arithmetic", "median", "minimum"]),
)
def test_generated_recipes_survive_yaml(imputes: list[str], numeric: str, method: str) -> None:
    steps = [ml.Step(step="impute", params={"method": m}) for m in imputes]
    steps += [
        ml.Step(step="normalise", params={"numeric": numeric}),
        ml.Step(step="aggregate", params={"method": method}),
    ]
    recipe = ml.Recipe(name="r", steps=tuple(steps))
    assert ml.Recipe.from_yaml(recipe.to_yaml()) == recipe


@given(st.permutations(list(range(6))), st.integers(min_value=0, max_value=2**32 - 1))
def test_reordering_missions_changes_only_order(order: list[int], seed: int) -> None:
    fw = ml.load_framework(Path(__file__).parent / "data" / "frameworks" / "small.yaml")
    rng = np.random.default_rng(seed)
    data = pd.DataFrame(
        {
            "mission": [f"M{i}" for i in range(6)],
            "period": "2024",
            "pol_01": rng.integers(1, 6, 6),
            "pol_02": rng.integers(1, 6, 6),
            "env_01": rng.uniform(0, 4, 6),
            "env_02": rng.integers(0, 2, 6),
            "env_03": rng.integers(1, 6, 6),
        }
    )
    recipe = ml.Recipe.default().with_params("normalise", numeric="minmax")
    a = ml.score(data, framework=fw, recipe=recipe).wide().sort_index()
    b = ml.score(data.iloc[order], framework=fw, recipe=recipe).wide().sort_index()
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_scaling_node_weights_changes_nothing(
    small_framework: ml.Framework, wide: pd.DataFrame
) -> None:
    base = ml.score(wide, framework=small_framework).wide()
    scaled = ml.Recipe.default().with_params(
        "weight", overrides={"pol_01": 10.0, "pol_02": 5.0, "pol": 20.0, "env": 10.0}
    )
    other = ml.score(wide, framework=small_framework, recipe=scaled).wide()
    pd.testing.assert_frame_equal(base, other, rtol=1e-12)


def test_builtin_framework_scores(wom: ml.Framework) -> None:
    rng = np.random.default_rng(1)
    data = {"mission": ["X", "Y"], "period": ["2024", "2024"]}
    for ind in wom.indicators:
        scale = wom.scale(ind.scale)
        if scale.kind == "rubric":
            data[ind.id] = rng.integers(1, 6, 2)
        else:
            low, high = wom.goalposts(ind.id) or (0, 1)
            data[ind.id] = rng.uniform(low, high, 2)
    p = ml.score(pd.DataFrame(data), framework=wom)
    root = p.wide(node_type="root")["wom"]
    assert root.notna().all() and ((root >= 0) & (root <= 100)).all()
    assert set(p.to_frame("level")["node"]) == {"strategic", "operational", "tactical"}
    assert p.to_frame("finding")["node"].nunique() == 22


def test_indicators_that_do_not_apply_in_the_phase_do_not_count(
    small_framework: ml.Framework,
) -> None:
    # pol_01 applies in mandate_design and implementation only; env_03 in drawdown and exit
    data = pd.DataFrame(
        {
            "mission": ["A", "B"],
            "period": ["2024", "2024"],
            "phase": ["exit", "implementation"],
            "pol_02": [3, 3],
            "env_01": [1.5, 1.5],
            "env_02": [1, 1],
        }
    )
    p = ml.score(data, framework=small_framework)
    table = p.to_frame()
    pol = table[table["node"] == "pol"].set_index("mission")
    # in exit pol_01 does not apply: pol is pol_02 alone, fully covered
    assert pol.loc["A", "score"] == 50 and pol.loc["A", "coverage"] == 1.0
    # in implementation pol_01 applies and is missing: share 0.5 / 1.5 < 0.5
    assert np.isnan(pol.loc["B", "score"]) and pol.loc["B", "coverage"] == 0.5
    env = table[table["node"] == "env"].set_index("mission")
    # env_03 applies in exit (missing there) but not in implementation
    assert env.loc["A", "coverage"] == 2 / 3 and env.loc["B", "coverage"] == 1.0
    # implementation: env = env_sec alone (env_03 does not apply) = mean(50, 100)
    assert_allclose(env.loc["B", "score"], 75, **TOL)


@pytest.mark.parametrize("method", ["median", "mean", "trimmed_mean", "confidence_weighted"])
def test_engine_consolidation_equals_ml_consolidate(
    small_framework: ml.Framework, method: str
) -> None:
    """The engine's fast consolidation gives the values of ml.consolidate, method by method."""
    rng = np.random.default_rng(3)
    rows = []
    for mission in ("A", "B"):
        for indicator in ("pol_01", "pol_02"):
            for r in range(int(rng.integers(1, 7))):
                rows.append(
                    {
                        "mission": mission,
                        "period": "2024-H1",
                        "phase": "implementation",
                        "indicator": indicator,
                        "value": float(rng.integers(1, 6)),
                        "rater": f"r{r}",
                        "confidence": ["low", "medium", "high", None][int(rng.integers(0, 4))],
                    }
                )
    long = pd.DataFrame(rows)
    expected = ml.consolidate(long, method=method, framework=small_framework)
    p = ml.score(long, framework=small_framework, recipe=_with_consolidate(method))
    got = p.wide()
    for row in expected.itertuples():
        level = small_framework.scale_of(row.indicator)
        normalised = (row.value - level.bounds[0]) / (level.bounds[1] - level.bounds[0]) * 100
        assert_allclose(got.loc[(row.mission, row.period), row.indicator], normalised, rtol=1e-12)


def test_profiles_csv_is_protected_against_formula_injection(
    small_framework: ml.Framework, tmp_path: Path
) -> None:
    data = pd.DataFrame({"mission": ["=HYPERLINK(1)", "B"], "period": "2024", "pol_01": [3, 4]})
    path = ml.score(data, framework=small_framework).to_csv(tmp_path / "scores.csv")
    text = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert set(text["mission"]) == {"'=HYPERLINK(1)", "B"}
    assert not text["mission"].str.startswith("=").any()


def test_data_fingerprint_ignores_storage_but_not_content() -> None:
    from missionlens.scoring.fingerprints import data_fingerprint

    base = pd.DataFrame({"mission": ["A", "B", None], "value": [1, 2, 3], "x": [0.5, None, 2]})
    same = base.astype({"mission": "category", "value": "float64"})
    same = same.assign(mission=same["mission"])  # categorical storage, float values
    assert data_fingerprint(base) == data_fingerprint(same)
    assert data_fingerprint(base) == data_fingerprint(base[["x", "value", "mission"]])
    assert data_fingerprint(base) != data_fingerprint(base.assign(value=[1, 2, 4]))
    assert data_fingerprint(base) != data_fingerprint(base.iloc[::-1])
    text = base.astype({"mission": "string"})
    assert data_fingerprint(base) == data_fingerprint(text)


# ------------------------------------------------------------------- inputs refused or kept
def test_wide_table_refuses_unknown_columns_with_a_hint(small_framework: ml.Framework) -> None:
    data = pd.DataFrame({"mission": ["A"], "period": ["2024"], "pol_1": [4], "pol_02": [3]})
    with pytest.raises(ml.ScoringInputError, match="unknown_column") as info:
        ml.score(data, framework=small_framework)
    assert info.value.problems["check"].tolist() == ["unknown_column"]
    assert "did you mean 'pol_01'" in info.value.problems["message"].iloc[0]
    kept = ml.score(data, framework=small_framework, unknown_columns="ignore")
    assert "pol_1" in kept.data.columns and kept.regenerate() == kept
    with pytest.raises(ml.ScoringInputError, match="no column is an indicator"):
        ml.score(pd.DataFrame({"mission": ["A"], "period": ["2024"]}), framework=small_framework)
    with pytest.raises(ml.ScoringInputError, match="mission is required but empty"):
        ml.score(
            pd.DataFrame({"mission": ["A", None], "period": ["2024", "2024"], "pol_02": [3, 4]}),
            framework=small_framework,
        )


def test_periods_are_canonical(small_framework: ml.Framework) -> None:
    data = pd.DataFrame(
        {"mission": ["A", "A"], "period": ["2024h1", 2023.0], "pol_01": [4, 2], "pol_02": [4, 2]}
    )
    p = ml.score(data, framework=small_framework)
    assert sorted(p.wide().index.get_level_values("period")) == ["2023", "2024-H1"]
    clash = pd.DataFrame({"mission": ["A", "A"], "period": ["2024h1", "2024-H1"], "pol_02": [1, 2]})
    with pytest.raises(ml.ScoringInputError, match="duplicate_unit"):
        ml.score(clash, framework=small_framework)


def test_long_table_refusals(small_framework: ml.Framework) -> None:
    base = {
        "mission": "A",
        "period": "2024",
        "phase": "implementation",
        "indicator": "pol_02",
        "value": 3.0,
    }
    twice = pd.DataFrame([{**base, "rater": "x"}, {**base, "rater": "y"}, {**base, "rater": "y"}])
    with pytest.raises(ml.ScoringInputError, match="duplicate_entry"):
        ml.score(twice, framework=small_framework)
    typo = pd.DataFrame([{**base, "rater": "x", "phase": "implementaton"}])
    with pytest.raises(ml.ScoringInputError, match="unknown_phase"):
        ml.score(typo, framework=small_framework)
    odd = pd.DataFrame([{**base, "rater": "x", "confidence": "very"}])
    with pytest.raises(ml.ScoringInputError, match="bad_confidence"):
        ml.score(odd, framework=small_framework, recipe=_with_consolidate("confidence_weighted"))


def test_confidence_is_read_case_insensitively(small_framework: ml.Framework) -> None:
    long = pd.DataFrame(
        {
            "mission": "A",
            "period": "2024",
            "phase": "implementation",
            "indicator": "pol_02",
            "value": [1.0, 5.0],
            "rater": ["x", "y"],
            "confidence": ["High", " low "],
        }
    )
    p = ml.score(long, framework=small_framework, recipe=_with_consolidate("confidence_weighted"))
    # (3 * 1 + 1 * 5) / 4 = 2 -> 25
    assert _score_of(p, "A", "pol_02") == 25


def test_wide_has_no_rows_for_units_never_scored(small_framework: ml.Framework) -> None:
    data = pd.DataFrame({"mission": ["M1", "M2"], "period": ["2023", "2024"], "pol_02": [3, 4]})
    w = ml.score(data, framework=small_framework).wide()
    assert list(w.index) == [("M1", "2023"), ("M2", "2024")]


def test_custom_mapping_follows_direction(tmp_path: Path) -> None:
    fw = ml.Framework.from_yaml(
        """
id: dir
version: "1"
title: Direction
scales:
  - kind: rubric
    id: r5
    levels: [{value: 1, label: a}, {value: 2, label: b}, {value: 3, label: c},
             {value: 4, label: d}, {value: 5, label: e}]
nodes: [{id: root, name: Root}]
indicators:
  - {id: good, name: Higher is better, parent: root, scale: r5}
  - {id: bad, name: Lower is better, parent: root, scale: r5, direction: -1}
"""
    )
    recipe = ml.Recipe.default().with_params(
        "normalise", rubric="custom", rubric_mapping={1: 0, 2: 20, 3: 50, 4: 80, 5: 100}
    )
    data = pd.DataFrame({"mission": ["A"], "period": ["2024"], "good": [2], "bad": [2]})
    w = ml.score(data, framework=fw, recipe=recipe).wide()
    # "bad" at level 2 is the second-best level: the mapping's level 4 -> 80
    assert w.loc[("A", "2024"), "good"] == 20 and w.loc[("A", "2024"), "bad"] == 80


def test_log_treated_indicator_is_not_normalised_with_raw_goalposts(
    small_framework: ml.Framework,
) -> None:
    rates = [0.05] * 20 + [0.1] * 10 + [0.2, 0.3, 0.4, 2.5, 2.9, 2.95]
    data = pd.DataFrame(
        {"mission": [f"M{i:02d}" for i in range(len(rates))], "period": "2024", "env_01": rates}
    )
    recipe = ml.Recipe.default().with_step("treat_outliers", index=0, max_points=2)
    p = ml.score(data, framework=small_framework, recipe=recipe)
    assert p.log["message"].str.endswith(": log").any()
    col = p.wide()["env_01"]
    # min-max of the logged values: the highest rate is the worst (0), the lowest the best
    assert col.loc[("M35", "2024")] == 0 and col.loc[("M00", "2024")] == 100
    explicit = recipe.with_params("normalise", numeric="goalposts")
    with pytest.raises(ml.RecipeError, match="log-transformed by treat_outliers"):
        ml.score(data, framework=small_framework, recipe=explicit)


def test_denominate_refuses_rubric_indicators(
    small_framework: ml.Framework, wide: pd.DataFrame
) -> None:
    recipe = ml.Recipe.default().with_step("denominate", index=0, indicators=["pol_01"], by="n")
    with pytest.raises(ml.RecipeError, match="not numeric indicators"):
        ml.score(wide.assign(n=10), framework=small_framework, recipe=recipe)


def test_recipe_errors_are_recipe_errors(tmp_path: Path) -> None:
    with pytest.raises(ml.RecipeError, match=r"weights must be >= 0"):
        ml.Recipe.default().with_params("weight", overrides={"pol": -1})
    with pytest.raises(ml.RecipeError, match="not valid YAML"):
        ml.Recipe.from_yaml("steps: [\n")
    with pytest.raises(ml.RecipeError, match="not valid YAML"):
        ml.Recipe.from_yaml("!!python/object/apply:os.system ['echo hi']")
    with pytest.raises(ml.RecipeError, match="appears twice"):
        ml.Recipe.from_yaml("name: a\nname: b\nsteps: []\n")
    with pytest.raises(ml.RecipeError, match="not valid JSON"):
        ml.Recipe.from_json('{"steps": [}')
    with pytest.raises(ml.RecipeError, match="does not declare"):
        ml.score(
            pd.DataFrame({"mission": ["A"], "period": ["1"], "x": [1.0]}),
            framework=ml.Framework.from_frame(
                pd.DataFrame(
                    {
                        "iCode": ["x", "r"],
                        "iName": ["X", "R"],
                        "Parent": ["r", None],
                        "Type": ["Indicator", "Aggregate"],
                    }
                ),
                id="t",
            ),
            recipe=ml.Recipe(
                settings=ml.RecipeSettings(facets=("levels",)), steps=ml.Recipe.default().steps
            ),
        )


def test_save_refuses_unstorable_data_without_leaving_a_file(
    small_framework: ml.Framework, tmp_path: Path
) -> None:
    data = pd.DataFrame(
        {"mission": ["A", "B"], "period": "2024", "pol_02": [3, 4], "note": [1, "text"]}
    )
    p = ml.score(data, framework=small_framework, unknown_columns="ignore")
    with pytest.raises(ml.MissionLensError, match="columns mixing types: note"):
        p.save(tmp_path / "p.zip")
    assert list(tmp_path.iterdir()) == []


def test_entered_at_keeps_profiles_loadable(small_framework: ml.Framework, tmp_path: Path) -> None:
    long = pd.DataFrame(
        {
            "mission": "A",
            "period": "2024",
            "phase": "implementation",
            "indicator": ["pol_01", "pol_02"],
            "value": [4.0, 3.0],
            "rater": "x",
            "entered_at": pd.to_datetime(["2024-07-01T09:00Z", "2024-07-02T10:00Z"], utc=True),
        }
    )
    p = ml.score(long, framework=small_framework)
    assert p.regenerate() == p
    assert ml.Profiles.load(p.save(tmp_path / "p.zip")) == p


def test_compare_profiles(small_framework: ml.Framework, wide: pd.DataFrame) -> None:
    a = ml.score(wide, framework=small_framework)
    b = ml.score(wide.assign(pol_02=[5, 5, 5]), framework=small_framework)
    diff = a.compare(b).set_index(["mission", "node"])
    # A's pol_02 goes from 4 to 5: 75 -> 100; pol = (100 + 0.5 x) / 1.5 moves by 25 / 3
    assert diff.loc[("A", "pol_02"), "difference"] == 25
    assert_allclose(diff.loc[("A", "pol"), "difference"], 25 / 3, **TOL)
    other = ml.score(wide, framework=small_framework, recipe=_with_consolidate("mean"))
    with pytest.raises(ml.IncompatibleProfilesError):
        a.compare(other)
    assert (a.compare(other, allow_mixed=True)["difference"].fillna(0) == 0).all()
