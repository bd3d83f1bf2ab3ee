"""Performance composite and context index side by side (indicator roles).

The framework is tests/data/frameworks/roles.yaml: performance and context indicators in the
dimensions ``pol`` and ``sec``, a dimension of context indicators only (``env``) and one of
performance indicators only (``sup``). Expected scores are computed here independently, with
numpy from the framework's weights written out by hand (the arithmetic weighted mean of OECD/JRC
(2008) *Handbook on Constructing Composite Indicators*, 1.7, linear aggregation, and the linear
rescaling of a rubric, 1.5), not with the engine's kernels.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import missionlens as ml
from missionlens.errors import RecipeError
from missionlens.scoring.prepare import prepare
from missionlens.scoring.steps import run_recipe

ROLES_YAML = Path(__file__).parent / "data" / "frameworks" / "roles.yaml"
PERFORMANCE = ["pol_01", "pol_02", "sec_01", "sec_02", "sup_01"]
CONTEXT = ["pol_ctx", "sec_ctx1", "sec_ctx2", "env_ctx"]


@pytest.fixture(scope="module")
def fw() -> ml.Framework:
    return ml.load_framework(ROLES_YAML)


def _units(rng: np.random.Generator, n: int, *, gaps: bool = False) -> pd.DataFrame:
    """``n`` units with random values on every indicator (some missing with ``gaps``)."""
    data = pd.DataFrame(
        {
            "mission": [f"M{k:02d}" for k in range(n)],
            "period": "2024",
            "phase": "implementation",
            "pol_01": rng.integers(1, 5, n).astype(float),
            "pol_02": rng.integers(1, 5, n).astype(float),
            "pol_ctx": rng.integers(1, 5, n).astype(float),
            "sec_01": rng.integers(0, 2, n).astype(float),
            "sec_02": rng.uniform(0, 12, n),
            "sec_ctx1": rng.integers(1, 5, n).astype(float),
            "sec_ctx2": rng.uniform(0, 12, n),
            "env_ctx": rng.integers(1, 5, n).astype(float),
            "sup_01": rng.integers(1, 5, n).astype(float),
        }
    )
    if gaps:
        for column in PERFORMANCE + CONTEXT:
            data.loc[rng.random(n) < 0.15, column] = np.nan
    return data


def _quiet_score(data: pd.DataFrame, fw: ml.Framework, **kwargs: object) -> ml.Profiles:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ml.IncompleteScoreWarning)
        return ml.score(data, framework=fw, **kwargs)  # type: ignore[arg-type]


def _rubric(x: np.ndarray, direction: int = 1) -> np.ndarray:
    """Linear rescaling of the 1-4 rubric to 0-100, the worst level 0 (OECD/JRC 2008, 1.5)."""
    return 100 * (x - 1) / 3 if direction == 1 else 100 * (4 - x) / 3


def _rate(x: np.ndarray) -> np.ndarray:
    """Goalposts 0-10, lower is better, capped (UNDP HDR technical notes)."""
    return 100 * (10 - np.clip(x, 0, 10)) / 10


def _root(profiles: ml.Profiles, view: str) -> np.ndarray:
    frame = profiles.to_frame(view)
    return frame.loc[frame["node_type"] == "root", "score"].to_numpy()


def test_views_hold_the_indicators_of_their_role(fw: ml.Framework) -> None:
    profiles = ml.score(_units(np.random.default_rng(0), 3), framework=fw)
    assert tuple(profiles.to_frame(None).columns) == ml.PROFILE_COLUMNS
    assert ml.PROFILE_COLUMNS[-1] == "role"  # appended: the other positions are unchanged
    tree = profiles.to_frame("tree")
    context = profiles.to_frame("context")
    one = tree[tree["mission"] == "M00"]
    assert one.loc[one["node_type"] == "indicator", "node"].tolist() == PERFORMANCE
    assert one.loc[one["node_type"] != "indicator", "node"].tolist() == [
        "index", "pol", "sec", "sup"
    ]  # fmt: skip
    one = context[context["mission"] == "M00"]
    assert one.loc[one["node_type"] == "indicator", "node"].tolist() == CONTEXT
    assert one.loc[one["node_type"] != "indicator", "node"].tolist() == [
        "index", "pol", "sec", "sec_env", "env"
    ]  # fmt: skip
    assert set(tree["role"]) == {"performance"} and set(context["role"]) == {"context"}
    facets = profiles.to_frame("finding")
    assert set(facets["role"]) == {"performance"}
    # each indicator appears once in the whole table for a unit, in the view of its role
    indicators = profiles.to_frame(None)
    indicators = indicators[
        (indicators["node_type"] == "indicator") & (indicators["mission"] == "M00")
    ]
    assert sorted(indicators["node"]) == sorted(PERFORMANCE + CONTEXT)


def test_headline_and_context_index_against_numpy(fw: ml.Framework) -> None:
    data = _units(np.random.default_rng(1), 25)
    profiles = ml.score(data, framework=fw)
    # performance: env has no performance indicator, so it is not applicable (the root's
    # min_share 1 does not fail), and the root is the weighted mean of pol, sec and sup
    pol = (_rubric(data["pol_01"]) * 1 + _rubric(data["pol_02"]) * 0.5) / 1.5
    sec = (100 * data["sec_01"] * 1 + _rate(data["sec_02"]) * 2) / 3
    sup = _rubric(data["sup_01"])
    performance = (2 * pol + 1 * sec + 0.5 * sup) / 3.5
    np.testing.assert_allclose(_root(profiles, "tree"), performance, rtol=1e-12)
    # context: sup has no context indicator; pol's context score is pol_ctx alone
    sec_env = (_rubric(data["sec_ctx1"], -1) * 1 + _rate(data["sec_ctx2"]) * 0.5) / 1.5
    context = (2 * _rubric(data["pol_ctx"]) + 1 * sec_env + 1 * _rubric(data["env_ctx"])) / 4
    np.testing.assert_allclose(_root(profiles, "context"), context, rtol=1e-12)
    index = profiles.context_index()
    assert tuple(index.columns) == ml.scoring.profiles.CONTEXT_COLUMNS
    roots = index[index["node_type"] == "root"]
    np.testing.assert_allclose(roots["context"].to_numpy(), context, rtol=1e-12)
    summary = profiles.summary()
    assert tuple(summary.columns) == ml.scoring.profiles.SUMMARY_COLUMNS
    assert summary["mission"].tolist() == data["mission"].tolist()
    np.testing.assert_allclose(summary["performance"], performance, rtol=1e-12)
    np.testing.assert_allclose(summary["context"], context, rtol=1e-12)
    assert summary["complete"].all() and summary["context_complete"].all()
    assert (summary["performance_coverage"] == 1).all() and (summary["context_coverage"] == 1).all()


def test_context_index_against_numpy_with_gaps_and_weights(fw: ml.Framework) -> None:
    """The context index through the tree, reweighting missing children (min_share 0.5 below
    the root, 1 at the root), computed with a plain numpy walk of the tree."""
    data = _units(np.random.default_rng(2), 40, gaps=True)
    profiles = _quiet_score(data, fw)
    x = {
        "pol_ctx": _rubric(data["pol_ctx"].to_numpy()),
        "sec_ctx1": _rubric(data["sec_ctx1"].to_numpy(), -1),
        "sec_ctx2": _rate(data["sec_ctx2"].to_numpy()),
        "env_ctx": _rubric(data["env_ctx"].to_numpy()),
    }

    def node(children: list[tuple[np.ndarray, float]], need: float) -> np.ndarray:
        values = np.column_stack([c for c, _ in children])
        weights = np.array([w for _, w in children])
        present = ~np.isnan(values)
        share = (present * weights).sum(axis=1) / weights.sum()
        mean = np.nansum(values * weights, axis=1) / (present * weights).sum(axis=1)
        return np.where(share >= need - 1e-12, mean, np.nan)

    with np.errstate(invalid="ignore", divide="ignore"):
        pol = node([(x["pol_ctx"], 3.0)], 0.5)
        sec_env = node([(x["sec_ctx1"], 1.0), (x["sec_ctx2"], 0.5)], 0.5)
        sec = node([(sec_env, 1.0)], 0.5)
        env = node([(x["env_ctx"], 1.0)], 0.5)
        root = node([(pol, 2.0), (sec, 1.0), (env, 1.0)], 1.0)
    np.testing.assert_allclose(_root(profiles, "context"), root, rtol=1e-12, equal_nan=True)
    assert np.isnan(root).any() and not np.isnan(root).all()  # the rules were exercised


def test_changing_context_values_leaves_performance_unchanged(fw: ml.Framework) -> None:
    """The Done-when of issue 8: exact equality of every performance-view row."""
    rng = np.random.default_rng(3)
    base = _units(rng, 30, gaps=True)
    other = _units(rng, 30, gaps=True)
    changed_context = base.copy()
    changed_context[CONTEXT] = other[CONTEXT]
    changed_performance = base.copy()
    changed_performance[PERFORMANCE] = other[PERFORMANCE]
    a, b, c = (_quiet_score(d, fw) for d in (base, changed_context, changed_performance))

    def rows(p: ml.Profiles, role: str) -> pd.DataFrame:
        table = p.to_frame(None)
        table = table[table["role"] == role].reset_index(drop=True)
        # text as text: the categories' order follows the whole table, the values must not
        return table.astype({c: object for c in table.columns if table[c].dtype == "category"})

    pd.testing.assert_frame_equal(rows(a, "performance"), rows(b, "performance"))
    pd.testing.assert_frame_equal(rows(a, "context"), rows(c, "context"))
    # and the other view did change, so the test is not vacuous
    assert not rows(a, "context")["score"].equals(rows(b, "context")["score"])
    assert not rows(a, "performance")["score"].equals(rows(c, "performance")["score"])


def test_state_holds_both_trees(fw: ml.Framework) -> None:
    data = _units(np.random.default_rng(4), 5)
    recipe = ml.Recipe.default()
    state = run_recipe(prepare(data, fw, recipe)[0], recipe)
    assert state.node_scores is not None and state.context_scores is not None
    env = fw.node_ids.index("env")
    sup = fw.node_ids.index("sup")
    assert np.isnan(state.node_scores[:, env]).all()  # no performance indicator below
    assert np.isnan(state.context_scores[:, sup]).all()  # no context indicator below
    assert not np.isnan(state.node_scores[:, sup]).any()
    assert not np.isnan(state.context_scores[:, env]).any()
    # for_role: the other role's indicators neither apply nor have a score
    seen = state.for_role("context")
    performance = state.role_mask("performance")
    assert seen.normalised is not None
    assert np.isnan(seen.normalised[:, performance]).all()
    assert not seen.applicable[:, performance].any()


def test_framework_without_context_indicators_has_no_context_view(
    small_framework: ml.Framework, wide: pd.DataFrame
) -> None:
    profiles = ml.score(wide, framework=small_framework)
    assert "context" not in set(profiles.to_frame(None)["view"])
    assert set(profiles.to_frame(None)["role"]) == {"performance"}
    assert profiles.context_index().empty
    assert tuple(profiles.context_index().columns) == ml.scoring.profiles.CONTEXT_COLUMNS
    summary = profiles.summary()
    assert summary["context"].isna().all() and summary["context_complete"].all()
    assert (summary["n_critical"] == 0).all()
    assert profiles.critical_flags.empty
    with pytest.raises(KeyError, match="no view 'context'"):
        profiles.to_frame("context")


def test_phase_applicability_per_role(fw: ml.Framework) -> None:
    """env_ctx applies in implementation and drawdown only: in start_up env has no context
    indicator that applies, so the context index rests on pol and sec, complete."""
    data = _units(np.random.default_rng(5), 2)
    data["phase"] = ["start_up", "implementation"]
    data.loc[0, "env_ctx"] = np.nan
    profiles = ml.score(data, framework=fw)
    index = profiles.context_index().set_index(["mission", "node"])
    assert np.isnan(index.loc[("M00", "env"), "context"])
    assert index.loc[("M00", "env"), "complete"]
    root = index.loc[("M00", "index")]
    pol = _rubric(data.loc[0, "pol_ctx"])
    sec = (_rubric(data.loc[0, "sec_ctx1"], -1) + _rate(data.loc[0, "sec_ctx2"]) * 0.5) / 1.5
    assert root["context"] == pytest.approx((2 * pol + sec) / 3, rel=1e-12)
    assert root["complete"] and root["missing_children"] == ""


def test_missing_context_dimension_fails_only_the_context_root(fw: ml.Framework) -> None:
    data = _units(np.random.default_rng(6), 1)
    data["env_ctx"] = np.nan  # env applies (implementation) and has no context score
    profiles = ml.score(data, framework=fw)
    summary = profiles.summary().iloc[0]
    assert not np.isnan(summary["performance"]) and summary["complete"]
    assert np.isnan(summary["context"])
    context = profiles.context_index().set_index("node")
    assert context.loc["index", "missing_children"] == "env"
    assert not context.loc["index", "complete"]


def test_unused_accounting_per_role(fw: ml.Framework) -> None:
    """A context value is used when its parent's context score is reported, and listed in
    ``unused`` (naming the context score) when it is not; nothing is counted twice."""
    data = _units(np.random.default_rng(7), 4)
    data.loc[0, "sec_ctx1"] = np.nan  # sec_env keeps sec_ctx2: 0.5 of 1.5 < min_share 0.5
    data.loc[1, "pol_01"] = np.nan  # pol keeps pol_02: 0.5 of 1.5 < 0.5
    with pytest.warns(ml.IncompleteScoreWarning) as caught:
        profiles = ml.score(data, framework=fw)
    unused = profiles.unused
    assert unused[["mission", "indicator", "reason"]].values.tolist() == [
        ["M00", "sec_ctx2", "below_min_share"],
        ["M01", "pol_02", "below_min_share"],
    ]
    assert "no context score" in unused.loc[0, "detail"]
    assert "no score" in unused.loc[1, "detail"] and "context" not in unused.loc[1, "detail"]
    messages = " ".join(str(w.message) for w in caught)
    assert "1 below_min_share at 'sec_env' (context index)" in messages
    assert "1 below_min_share at 'pol')" in messages
    logged = profiles.log.loc[profiles.log["step"] == "accounting", "message"].tolist()
    assert any("score of the context index: below_min_share at 'sec_env'" in m for m in logged)
    # every entered value is used (its parent's score in its role's view is reported) or
    # listed as unused, never both
    table = profiles.to_frame(None)
    for row in data.itertuples(index=False):
        for ident in PERFORMANCE + CONTEXT:
            if np.isnan(getattr(row, ident)):
                continue
            indicator = fw.indicator(ident)
            view = "tree" if indicator.role == "performance" else "context"
            parent = table[
                (table["mission"] == row.mission)
                & (table["view"] == view)
                & (table["node"] == indicator.parent)
            ]
            used = bool(parent["score"].notna().iloc[0])
            listed = ((unused["mission"] == row.mission) & (unused["indicator"] == ident)).any()
            assert used != listed, (row.mission, ident)


def test_facet_views_read_performance_indicators_only(fw: ml.Framework) -> None:
    data = _units(np.random.default_rng(8), 6)
    profiles = ml.score(data, framework=fw)
    finding = profiles.to_frame("finding").set_index(["mission", "node"])
    # finding 16 holds pol_02 (performance) and pol_ctx (context): its score is pol_02's
    np.testing.assert_allclose(
        finding.xs("16", level="node")["score"].to_numpy(), _rubric(data["pol_02"]), rtol=1e-12
    )
    assert (finding.xs("16", level="node")["n_values"] == 1).all()


def test_save_load_regenerate_round_trip(fw: ml.Framework, tmp_path: Path) -> None:
    data = _units(np.random.default_rng(9), 8, gaps=True)
    profiles = _quiet_score(data, fw)
    path = profiles.save(tmp_path / "p.zip")
    loaded = ml.Profiles.load(path)
    assert loaded == profiles
    pd.testing.assert_frame_equal(loaded.to_frame(None), profiles.to_frame(None))
    pd.testing.assert_frame_equal(loaded.context_index(), profiles.context_index())
    pd.testing.assert_frame_equal(loaded.summary(), profiles.summary())
    pd.testing.assert_frame_equal(loaded.critical_flags, profiles.critical_flags)
    pd.testing.assert_frame_equal(loaded.unused, profiles.unused)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ml.IncompleteScoreWarning)
        assert profiles.regenerate() == profiles


def test_compare_and_rank_the_context_view(fw: ml.Framework) -> None:
    rng = np.random.default_rng(10)
    first = _units(rng, 5)
    second = first.copy()
    second["env_ctx"] = 5 - first["env_ctx"]  # mirror host-state capacity
    a, b = ml.score(first, framework=fw), ml.score(second, framework=fw)
    diff = a.compare(b, view="context").set_index(["mission", "node"])
    expected = (_rubric(second["env_ctx"]) - _rubric(first["env_ctx"])).to_numpy()
    np.testing.assert_allclose(
        diff.xs("env_ctx", level="node")["difference"].to_numpy(), expected, atol=1e-12
    )
    assert (a.compare(b)["difference"] == 0).all()  # the performance composite is unchanged
    ranked = a.rank(view="context")
    best = ranked.loc[ranked["rank"] == 1, "mission"].iloc[0]
    index = a.context_index()
    roots = index[index["node_type"] == "root"].set_index("mission")["context"]
    assert roots.idxmax() == best
    with pytest.raises(KeyError, match="'context' view"):
        a.rank("sup", view="context")


def test_a_facet_named_context_is_refused_beside_context_indicators(fw: ml.Framework) -> None:
    raw = fw.to_dict()
    raw["facets"] = [*raw.get("facets", []), {"id": "context", "values": [{"id": "x"}]}]
    clashing = ml.Framework.from_dict(raw)
    with pytest.raises(RecipeError, match="facet 'context'"):
        ml.score(_units(np.random.default_rng(11), 1), framework=clashing)


def test_cli_score_prints_context_and_critical_flags(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from missionlens.cli import main

    rows = [
        ("pol_01", 1, "amina", "No strategy document exists."),
        ("pol_01", 3, "bruno", ""),
        ("pol_02", 4, "amina", ""),
        ("pol_ctx", 2, "amina", ""),
        ("sec_01", 1, "amina", ""),
        ("sec_02", 5, "amina", ""),
        ("sec_ctx1", 1, "amina", ""),
        ("sec_ctx2", 10, "amina", ""),
        ("env_ctx", 4, "amina", ""),
        ("sup_01", 4, "amina", ""),
    ]
    entries = pd.DataFrame(rows, columns=["indicator", "value", "rater", "evidence"])
    entries.insert(0, "mission", "A")
    entries.insert(1, "period", "2024-H1")
    entries.insert(2, "phase", "implementation")
    source = tmp_path / "e.csv"
    entries.to_csv(source, index=False)
    out = str(tmp_path / "p.zip")
    args = ["score", str(source), "-f", str(ROLES_YAML), "-o", out]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    a = lines.index("A  2024-H1  (phase implementation)")
    assert lines[a + 1].split() == [
        "dimension", "score", "coverage", "weight", "share", "context"
    ]  # fmt: skip
    # by hand: pol = (33.3 * 1 + 100 * 0.5) / 1.5 (the median of 1 and 3 is 2, a third of the
    # way up the 1-4 rubric); context pol = pol_ctx = 33.3; sec = (100 + 50 * 2) / 3; sec_env
    # = (100 + 0 * 0.5) / 1.5; env has context only; sup 100
    pol, sec = (100 / 3 + 100 * 0.5) / 1.5, (100 + 50 * 2) / 3
    sec_env, env = 100 / 1.5, 100.0
    assert lines[a + 2].split()[-4:] == [f"{pol:.1f}", "100%", "100%", f"{100 / 3:.1f}"]
    assert lines[a + 3].split()[-4:] == [f"{sec:.1f}", "100%", "100%", f"{sec_env:.1f}"]
    assert lines[a + 4].split()[-2:] == ["-", f"{env:.1f}"]  # env: no performance score
    assert lines[a + 5].split()[-4:] == ["100.0", "100%", "100%", "-"]  # sup: no context
    overall = (2 * pol + sec + 0.5 * 100) / 3.5
    context = (2 * 100 / 3 + sec_env + env) / 4
    assert lines[a + 6].split() == ["overall", f"{overall:.1f}", "100%", "100%", f"{context:.1f}"]
    assert lines[a + 7] == "  critical flags (1):"
    assert lines[a + 8].split()[:2] == ["pol_01", "Political"]
    assert "1 of 2 raters at Critical: amina" in lines[a + 8]
    assert lines[a + 9].strip() == "No strategy document exists."

    quiet = CliRunner().invoke(main, [*args, "-q"])
    assert quiet.exit_code == 0 and quiet.stdout == ""
    assert quiet.stderr.startswith("critical: A  2024-H1  pol_01  Political strategy")

    document = json.loads(CliRunner().invoke(main, [*args, "--json"]).stdout)
    assert [f["indicator"] for f in document["critical_flags"]] == ["pol_01"]
    assert document["critical_flags"][0]["raters"] == "amina"
    (summary,) = document["summary"]
    assert summary["performance"] == pytest.approx(overall)
    assert summary["context"] == pytest.approx(context) and summary["n_critical"] == 1


def test_sibling_mean_imputes_within_a_role(fw: ml.Framework) -> None:
    """pol_ctx (context) has performance siblings only: it is never filled from them."""
    data = _units(np.random.default_rng(12), 3)
    data.loc[0, "pol_ctx"] = np.nan
    data.loc[1, "pol_02"] = np.nan
    recipe = ml.Recipe.default().with_step("impute", index=2, method="sibling_mean")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ml.IncompleteScoreWarning)
        profiles = ml.score(data, framework=fw, recipe=recipe)
    table = profiles.to_frame(None).set_index(["mission", "node", "view"])["score"]
    assert np.isnan(table[("M00", "pol_ctx", "context")])
    # pol_02 is filled from pol_01, its one performance sibling, not from pol_ctx
    assert table[("M01", "pol_02", "tree")] == _rubric(data.loc[1, "pol_01"])


def test_incomplete_context_root_is_marked_and_warned(fw: ml.Framework) -> None:
    data = _units(np.random.default_rng(13), 2)
    data.loc[0, "env_ctx"] = np.nan
    recipe = ml.Recipe.default().with_params("aggregate", overrides={"index": {"min_share": 0.5}})
    with pytest.warns(ml.IncompleteScoreWarning, match="context index of 'index' is incomplete"):
        profiles = ml.score(data, framework=fw, recipe=recipe)
    summary = profiles.summary().set_index("mission")
    assert not np.isnan(summary.loc["M00", "context"])
    assert not summary.loc["M00", "context_complete"] and summary.loc["M01", "context_complete"]
    assert summary["complete"].all()  # the headline lacks nothing
