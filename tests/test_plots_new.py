"""The briefing plots (issue 11): each one drawn on sample data and checked through its artists.

Sample data are scored with ``ml.score`` on the small test framework (tests/data/frameworks/
small.yaml) or given as tidy frames with the column names the plots document. Numbers drawn
are checked against hand computations, named in each test.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

import missionlens as ml
from missionlens.errors import ArgumentError, MixedPhasesWarning
from missionlens.plot import (
    effective_weights,
    level_scores,
    plot_agreement,
    plot_comparison,
    plot_facets,
    plot_framework,
    plot_levels,
    plot_lifecycle,
    plot_profile,
    plot_quadrant,
    plot_radar,
    plot_rank_intervals,
    plot_rater_spread,
    plot_score_intervals,
    plot_small_multiples,
    plot_waterfall,
)
from missionlens.plot.data import is_partial, missing_text
from missionlens.plot.theme import caption_text
from missionlens.plot.weights import recipe_weights


@pytest.fixture(scope="module")
def scored(small_framework: ml.Framework) -> ml.Profiles:
    """The conftest ``wide`` values (three missions, 2024, no phase), scored."""
    wide = pd.DataFrame(
        {
            "mission": ["A", "B", "C"],
            "period": ["2024"] * 3,
            "pol_01": [5, 2, np.nan],
            "pol_02": [4, 1, 3],
            "env_01": [0.5, 2.0, 4.0],
            "env_02": [1, 0, 1],
            "env_03": [3, 3, 5],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ml.score(wide, framework=small_framework)


@pytest.fixture(scope="module")
def phased(small_framework: ml.Framework) -> ml.Profiles:
    """A in implementation, B in drawdown: missions in different phases."""
    rows = pd.DataFrame(
        {
            "mission": ["A", "B"],
            "period": ["2024", "2024"],
            "phase": ["implementation", "drawdown"],
            "pol_01": [5, np.nan],
            "pol_02": [4, 2],
            "env_01": [0.5, 1.0],
            "env_02": [1, 1],
            "env_03": [np.nan, 4],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ml.score(rows, framework=small_framework)


@pytest.fixture
def ax() -> Axes:
    _, new = plt.subplots()
    return new


def _gids(ax: Axes, prefix: str) -> list[str]:
    artists = [*ax.lines, *ax.patches, *ax.collections, *ax.texts]
    return [str(a.get_gid()) for a in artists if str(a.get_gid()).startswith(prefix)]


def _caption(figure: Figure) -> str:
    return figure.get_supxlabel()


# ------------------------------------------------------------------------ defects of issue 11
def test_missing_reasons_and_partial_follow_weight_share() -> None:
    """ "no data" only where nothing applicable is rated; partial = weight_share < 1."""
    assert missing_text({"weight_share": np.nan, "n_values": 0}) == "n/a"
    assert missing_text({"weight_share": 0.4, "n_values": 8}) == "no score"
    assert missing_text({"weight_share": 0.0, "n_values": 0}) == "no data"
    assert missing_text({}, unknown="–") == "–"
    # an unrated numeric companion lowers coverage but not the weight share of its dimension
    assert not is_partial({"weight_share": 1.0, "coverage": 0.83})
    assert is_partial({"weight_share": 0.67}) and is_partial({"coverage": 0.5})


def test_profile_of_rated_dimension_is_not_no_data(wom: ml.Framework) -> None:
    """The issue's case: a dimension with rated indicators but no score said "no data"."""
    rubric = [
        i.id
        for i in wom.indicators_in_phase("implementation")
        if wom.scale_of(i.id).kind == "rubric"
    ]
    political = [i for i in rubric if wom.dimension_of(i) == "political"]
    row = {"mission": "X", "period": "2024", "phase": "implementation"}
    row |= dict.fromkeys(rubric, 3) | {i: np.nan for i in political[2:]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        profiles = ml.score(pd.DataFrame([row]), framework=wom)
    table = profiles.to_frame()
    pol = table[table["node"] == "political"].iloc[0]
    assert np.isnan(pol["score"]) and pol["n_values"] == 2
    _, ax = plt.subplots()
    plot_profile(profiles, ax=ax)
    assert [t.get_text() for t in ax.texts if t.get_gid() == "no-data"] == ["no score"]
    # the other dimensions rest on all their applicable weight: solid, even with the numeric
    # companions unrated (the old rule made them hollow)
    solid = [line for line in ax.lines if str(line.get_gid()).startswith("score:X:")]
    assert len(solid) == 3
    assert all(to_hex(line.get_markerfacecolor()) != "#ffffff" for line in solid)


def test_score_axes_run_from_0_to_100(scored: ml.Profiles, ax: Axes) -> None:
    plot_profile(scored, mission="A", kind="bar", ax=ax)
    assert ax.get_xlim() == (0, 100)
    _, other = plt.subplots()
    plot_facets(scored, mission="A", view="finding", ax=other)
    assert other.get_xlim() == (0, 100)


# --------------------------------------------------------------------------------- caption
def test_caption_names_framework_recipe_and_data(scored: ml.Profiles, ax: Axes) -> None:
    plot_profile(scored, mission="A", ax=ax)
    text = _caption(ax.get_figure(root=True))
    prints = scored.fingerprints
    assert text.startswith("framework small 2 · recipe default ")
    assert prints["recipe"] in text and prints["data"] in text
    assert caption_text(scored, False) is None
    _, plain = plt.subplots()
    plot_profile(scored, mission="A", caption=False, ax=plain)
    assert _caption(plain.get_figure(root=True)) == ""
    _, given = plt.subplots()
    plot_profile(scored, mission="A", caption="Source: DPO", ax=given)
    assert _caption(given.get_figure(root=True)) == "Source: DPO"


def test_caption_lists_data_sources(small_framework: ml.Framework) -> None:
    entries = pd.DataFrame(
        {
            "mission": "A",
            "period": "2024",
            "phase": "implementation",
            "indicator": ["pol_01", "pol_02"],
            "value": [4.0, 3.0],
            "rater": "r1",
            "sources": ["SG report S/2024/1", "SG report S/2024/1"],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        profiles = ml.score(entries, framework=small_framework)
    assert caption_text(profiles, None).endswith("sources: SG report S/2024/1")


# --------------------------------------------------------------------------------- profile
def test_profile_intervals_and_context_block(ax: Axes) -> None:
    table = pd.DataFrame(
        {
            "mission": ["A"] * 4,
            "view": ["tree", "tree", "context", "context"],
            "node_type": ["dimension", "dimension", "dimension", "dimension"],
            "node": ["pol", "env", "ctx_security", "ctx_host"],
            "score": [60.0, 40.0, 30.0, np.nan],
            "lower": [50.0, 35.0, np.nan, np.nan],
            "upper": [70.0, 48.0, np.nan, np.nan],
            "weight_share": [1.0, 1.0, 1.0, 0.0],
            "n_values": [3, 2, 1, 0],
        }
    )
    plot_profile(table, ax=ax)
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "pol",
        "env",
        "ctx_security",
        "ctx_host",
    ]
    intervals = [line for line in ax.lines if str(line.get_gid()).startswith("interval:")]
    assert [list(line.get_xdata()) for line in intervals] == [[50.0, 70.0], [35.0, 48.0]]
    assert _gids(ax, "context-header") == ["context-header"]
    # the context rows sit below the rule, after a gap row
    assert [t.get_position()[1] for t in ax.get_yticklabels()] == [0.0, 1.0, 3.0, 4.0]
    assert [t.get_text() for t in ax.texts if t.get_gid() == "no-data"] == ["no data"]
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["A", "interval"]


def test_profile_without_context_rows_has_no_context_block(scored: ml.Profiles, ax: Axes) -> None:
    plot_profile(scored, mission="A", ax=ax)
    assert _gids(ax, "context-header") == []


def test_profile_bar_kind_hatches_partial(scored: ml.Profiles, ax: Axes) -> None:
    plot_profile(scored, mission="C", compare="A", kind="bar", ax=ax)
    bars = {str(p.get_gid()): p for p in ax.patches if str(p.get_gid()).startswith("score:")}
    assert set(bars) == {"score:C:env", "score:A:pol", "score:A:env"}
    assert bars["score:A:pol"].get_width() == pytest.approx(
        float(scored.to_frame().query("mission == 'A' and node == 'pol'")["score"].iloc[0])
    )
    # C's pol has no score: pol_01 (weight 1 of 1.5) unrated, below min_share 0.5
    assert "no score: C" in [t.get_text() for t in ax.texts]


def test_profile_kind_is_checked(scored: ml.Profiles) -> None:
    with pytest.raises(ArgumentError, match="kind must be"):
        plot_profile(scored, mission="A", kind="pie")


def test_radar_closes_each_mission_and_marks_missing(scored: ml.Profiles) -> None:
    _, ax = plt.subplots(subplot_kw={"projection": "polar"})
    out = plot_profile(scored, mission="A", compare="C", node_type="level", kind="radar", ax=ax)
    assert out is ax and ax.name == "polar"
    lines = {str(line.get_gid()): line for line in ax.lines}
    assert set(lines) == {"radar:A", "radar:C"}
    ydata = lines["radar:A"].get_ydata()
    assert len(ydata) == 4 and ydata[0] == ydata[-1]
    assert ax.get_ylim() == (0, 100)
    with pytest.raises(ArgumentError, match="polar"):
        _, flat = plt.subplots()
        plot_radar(scored, mission="A", node_type="level", ax=flat)
    with pytest.raises(ArgumentError, match="three nodes"):
        _, polar = plt.subplots(subplot_kw={"projection": "polar"})
        plot_radar(scored, mission="A", ax=polar)


# ------------------------------------------------------------------------------ comparison
def test_comparison_relative_to_peer_median(scored: ml.Profiles, ax: Axes) -> None:
    plot_comparison(scored, relative="median", ax=ax, caption=False)
    grid = scored.wide(node_type="dimension").xs("2024", level="period")
    values = grid.to_numpy(dtype=float)
    expected = values - np.nanmedian(values, axis=0)  # numpy's nanmedian: an independent check
    cells = [t.get_text() for t in ax.texts if t.get_gid() == "cell"]
    want = []
    for v in expected.ravel():
        if np.isnan(v):
            want.append("no score")
        else:
            r = int(np.floor(v + 0.5))
            want.append("0" if r == 0 else f"{r:+d}".replace("-", "−"))
    assert cells == want
    (image,) = ax.images
    low, high = image.get_clim()
    assert low == -high and image.get_cmap().name.startswith("PuOr")
    assert ax.get_title().endswith("relative to the peer median")
    with pytest.raises(ArgumentError, match="relative"):
        plot_comparison(scored, relative="mean")


def test_comparison_warns_and_notes_mixed_phases(phased: ml.Profiles, ax: Axes) -> None:
    with pytest.warns(MixedPhasesWarning, match="drawdown, implementation"):
        plot_comparison(phased, ax=ax)
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "A\n(implementation)",
        "B\n(drawdown)",
    ]
    (note,) = [t for t in ax.texts if t.get_gid() == "phase-warning"]
    assert note.get_text().startswith("Note: Missions in different phases")


def test_comparison_says_na_where_nothing_applies(ax: Axes) -> None:
    table = pd.DataFrame(
        {
            "mission": ["A", "A", "A"],
            "node": ["x", "y", "z"],
            "score": [np.nan, np.nan, 50.0],
            "weight_share": [np.nan, 0.0, 0.5],
            "n_values": [0, 0, 1],
        }
    )
    plot_comparison(table, ax=ax)
    assert [t.get_text() for t in ax.texts if t.get_gid() == "cell"] == ["n/a", "no data", "50"]
    assert len(_gids(ax, "partial-corner")) == 1


# ------------------------------------------------------------------------------- lifecycle
def test_lifecycle_ribbons_benchmarks_and_events(ax: Axes) -> None:
    table = pd.DataFrame(
        {
            "mission": ["A"] * 3,
            "period": ["2021", "2022", "2023"],
            "phase": ["implementation", "drawdown", "drawdown"],
            "score": [40.0, 50.0, 55.0],
            "lower": [30.0, 42.0, 50.0],
            "upper": [48.0, 58.0, 61.0],
        }
    )
    benchmarks = pd.DataFrame({"target": [60.0, 45.0], "deadline": [None, "2022"]})
    events = pd.DataFrame({"date": ["2022-06-29"], "label": ["Mandate renewal"]})
    plot_lifecycle(table, benchmarks=benchmarks, events=events, ax=ax, caption=False)
    (ribbon,) = [c for c in ax.collections if c.get_gid() == "interval:A"]
    assert isinstance(ribbon, PolyCollection)
    lines = {str(line.get_gid()): line for line in ax.lines}
    assert list(lines["benchmark:0"].get_ydata()) == [60.0, 60.0]
    # the second target stops at 2022's midpoint, with a tick there
    assert lines["benchmark:1"].get_xdata()[1] == pytest.approx(2022.5)
    assert "deadline" in lines
    labels = [t.get_text() for t in ax.texts if t.get_gid() == "benchmark-label"]
    assert labels == ["target 60", "target 45 (by 2022)"]
    (event,) = [line for line in ax.lines if line.get_gid() == "event"]
    # 29 June 2022: day 179 of 365 -> 2022 + 179/365
    assert event.get_xdata()[0] == pytest.approx(2022 + 179 / 365)
    assert [t.get_text() for t in ax.texts if t.get_gid() == "event-label"] == [" Mandate renewal"]
    assert ax.get_ylim() == (0, 100)


def test_lifecycle_benchmark_of_a_phase_spans_that_phase(ax: Axes) -> None:
    table = pd.DataFrame(
        {
            "mission": ["A"] * 3,
            "period": ["2021", "2022", "2023"],
            "phase": ["implementation", "drawdown", "drawdown"],
            "score": [40.0, 50.0, 55.0],
        }
    )
    benchmarks = pd.DataFrame({"target": [70.0, 50.0], "phase": ["drawdown", "exit"]})
    plot_lifecycle(table, benchmarks=benchmarks, ax=ax, caption=False)
    lines = {str(line.get_gid()): line for line in ax.lines}
    # drawdown runs from the start of 2022 to the end of 2023
    assert list(lines["benchmark:0"].get_xdata()) == [2022.0, 2024.0]
    # no exit in the plot: the whole axis, the phase named in the label
    assert list(lines["benchmark:1"].get_xdata()) == list(ax.get_xlim())
    labels = [t.get_text() for t in ax.texts if t.get_gid() == "benchmark-label"]
    assert labels == ["target 70 (drawdown)", "target 50 (exit)"]


def test_lifecycle_bad_benchmarks_are_named() -> None:
    table = pd.DataFrame({"mission": "A", "period": ["2021", "2022"], "score": [1.0, 2.0]})
    with pytest.raises(ArgumentError, match="'target' column"):
        plot_lifecycle(table, benchmarks=pd.DataFrame({"goal": [1]}))
    with pytest.raises(ArgumentError, match=r"row 0: 'soon' is not a period"):
        plot_lifecycle(table, events=pd.DataFrame({"date": ["soon"], "label": ["x"]}))


# ---------------------------------------------------------------------------------- levels
def test_level_scores_against_a_hand_computation(scored: ml.Profiles) -> None:
    """Hand computation (tests/data/frameworks/small.yaml, mission A's normalised scores
    pol_01 100, pol_02 75, env_01 83.33, env_02 100, env_03 50):

    effective weights: pol 2/3 -> pol_01 2/3 * 1/1.5, pol_02 2/3 * 0.5/1.5; env 1/3 -> env_sec
    1/6 (env_01 1/12, env_02 1/12) and env_03 1/6.
    strategic x pol = (100 * 4/9 + 75 * 2/9) / (6/9) = 91.667;
    operational x env = (100 * 1/12 + 50 * 1/6) / (1/4) = 66.667 (env_02, env_03);
    tactical x env = 83.333 (env_01 alone).
    C lacks pol_01: strategic x pol = 50 (pol_02 alone) with weight share (2/9) / (6/9) = 1/3.
    """
    table = level_scores(scored)
    assert tuple(table.columns) == ml.plot.levels.LEVEL_COLUMNS
    a = table[table["mission"] == "A"].set_index(["dimension", "level"])["score"]
    assert a[("pol", "strategic")] == pytest.approx(275 / 3)
    assert a[("env", "operational")] == pytest.approx(200 / 3)
    assert a[("env", "tactical")] == pytest.approx(250 / 3)
    c = table[table["mission"] == "C"].set_index(["dimension", "level"])
    assert c.loc[("pol", "strategic"), "score"] == pytest.approx(50.0)
    assert c.loc[("pol", "strategic"), "weight_share"] == pytest.approx(1 / 3)
    assert c.loc[("pol", "strategic"), "n_indicators"] == 1


def test_effective_weights_product_down_the_tree(small_framework: ml.Framework) -> None:
    weights = effective_weights(small_framework)
    assert weights["index"] == 1.0
    assert weights["pol"] == pytest.approx(2 / 3) and weights["env_sec"] == pytest.approx(1 / 6)
    assert weights["pol_01"] == pytest.approx(4 / 9) and weights["env_01"] == pytest.approx(1 / 12)
    indicators = sum(weights[i] for i in small_framework.indicator_ids)
    assert indicators == pytest.approx(1.0)
    from missionlens.scoring.recipe import WeightParams, WeightStep

    steps = tuple(
        WeightStep(step="weight", params=WeightParams(method="equal")) if s.step == "weight" else s
        for s in ml.Recipe.default().steps
    )
    equal = ml.Recipe.default().model_copy(update={"steps": steps})
    flat = effective_weights(small_framework, recipe_weights(small_framework, equal))
    assert flat["pol"] == pytest.approx(0.5) and flat["pol_01"] == pytest.approx(0.25)


def test_effective_weights_are_the_framework_s_own(small_framework: ml.Framework) -> None:
    # one definition: indicators from Framework.effective_weights, nodes the sum below them
    weights = effective_weights(small_framework)
    table = small_framework.effective_weights()
    for ind, w in zip(table["indicator"], table["effective_weight"], strict=True):
        assert weights[ind] == w
    assert weights["pol"] == pytest.approx(2 / 3)


def test_plot_levels_draws_one_bar_per_level_and_dimension(scored: ml.Profiles, ax: Axes) -> None:
    plot_levels(scored, mission="C", ax=ax)
    bars = {str(p.get_gid()): p for p in ax.patches if str(p.get_gid()).startswith("level:")}
    assert set(bars) == {"level:pol:strategic", "level:env:operational", "level:env:tactical"}
    assert bars["level:pol:strategic"].get_width() == pytest.approx(50.0)
    # a third of the weight rated: hollow, dotted edge (no level's encoding), strategic's hatch
    assert bars["level:pol:strategic"].get_facecolor() == (1.0, 1.0, 1.0, 1.0)
    assert bars["level:pol:strategic"].get_linestyle() == ":"
    assert not bars["level:pol:strategic"].get_hatch()
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Political process",
        "Operating environment",
    ]
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == [
        "Strategic",
        "Operational",
        "Tactical",
        "part of weight rated",
    ]
    assert ax.get_xlim() == (0, 100)


# ------------------------------------------------------------------------------- intervals
RUNS = pd.DataFrame(
    {
        "mission": ["A", "B", "C"],
        "rank_median": [2.0, 1.0, 3.0],
        "rank_lower": [1.0, 1.0, 2.0],
        "rank_upper": [3.0, 2.0, 3.0],
        "rank_nominal": [1, 2, 3],
        "score_median": [55.0, 60.0, 30.0],
        "score_lower": [45.0, 50.0, 20.0],
        "score_upper": [62.0, 68.0, 41.0],
        "score_nominal": [57.0, 59.0, 33.0],
    }
)


def test_rank_intervals(ax: Axes) -> None:
    plot_rank_intervals(RUNS, ax=ax, caption=False)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A", "B", "C"]  # by nominal rank
    (bars,) = [c for c in ax.collections if c.get_gid() == "interval"]
    assert isinstance(bars, LineCollection)
    assert [seg[:, 0].tolist() for seg in bars.get_segments()] == [[1, 3], [1, 2], [2, 3]]
    lines = {str(line.get_gid()): line for line in ax.lines}
    assert list(lines["median"].get_xdata()) == [2.0, 1.0, 3.0]
    assert list(lines["nominal"].get_xdata()) == [1.0, 2.0, 3.0]
    assert ax.get_xlabel() == "Rank (1 = best)"


def test_score_intervals_and_their_checks(ax: Axes) -> None:
    plot_score_intervals(RUNS, ax=ax)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["B", "A", "C"]  # highest first
    assert ax.get_xlim() == (0, 100)
    bad = RUNS.assign(score_lower=[56.0, 50.0, 20.0])
    with pytest.raises(ArgumentError, match="mission='A'"):
        plot_score_intervals(bad)
    with pytest.raises(KeyError, match="score_median"):
        plot_score_intervals(RUNS.drop(columns="score_median"))


# ------------------------------------------------------------------------------- waterfall
def test_waterfall_adds_up_and_shows_what_is_not_explained(ax: Axes) -> None:
    moves = pd.DataFrame(
        {"indicator": ["pol_01", "env_02", "env_03"], "contribution": [4.0, -1.5, np.nan]}
    )
    plot_waterfall(moves, start=50.0, end=54.0, ax=ax, caption=False)
    bars = {str(p.get_gid()): p for p in ax.patches}
    assert bars["step:pol_01"].get_y() == 50.0 and bars["step:pol_01"].get_height() == 4.0
    assert bars["step:env_02"].get_y() == 54.0 and bars["step:env_02"].get_height() == -1.5
    # 50 + 4 - 1.5 = 52.5; end 54: 1.5 not explained, drawn as its own bar
    assert bars["unexplained"].get_y() == 52.5 and bars["unexplained"].get_height() == 1.5
    assert bars["end"].get_height() == 54.0
    assert [t.get_text() for t in ax.texts if t.get_gid() == "no-value"] == ["no value"]
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "start",
        "pol_01",
        "env_02",
        "env_03",
        "not explained",
        "end",
    ]
    with pytest.raises(ArgumentError, match="needs start"):
        plot_waterfall(moves, end=3.0)


# -------------------------------------------------------------------------------- quadrant
def test_quadrant_medians_labels_and_left_out(ax: Axes) -> None:
    table = pd.DataFrame(
        {
            "mission": ["A", "B", "C", "D"],
            "context": [20.0, 40.0, 70.0, np.nan],
            "performance": [30.0, 80.0, 50.0, 60.0],
        }
    )
    plot_quadrant(table, ax=ax)
    (points,) = ax.collections
    assert points.get_offsets().tolist() == [[20, 30], [40, 80], [70, 50]]
    lines = {str(line.get_gid()): line for line in ax.lines}
    assert lines["median-x"].get_xdata()[0] == 40.0
    assert lines["median-y"].get_ydata()[0] == 50.0
    assert len([t for t in ax.texts if t.get_gid() == "quadrant"]) == 4
    (note,) = [t for t in ax.texts if t.get_gid() == "not-shown"]
    assert note.get_text().endswith(": D")
    assert ax.get_xlim() == (0, 100) and ax.get_ylim() == (0, 100)


def test_quadrant_reads_a_context_view_of_profiles(scored: ml.Profiles) -> None:
    from types import SimpleNamespace

    from missionlens.plot.quadrant import context_performance

    with pytest.raises(KeyError, match="no 'context' view"):
        plot_quadrant(scored)
    # the view another engineer adds: simulated by appending context rows to the table
    table = scored.to_frame(None)
    roots = table[(table["view"] == "tree") & (table["node_type"] == "root")]
    context = roots.assign(view="context", node="ctx", score=[10.0, 20.0, 30.0])
    stub = SimpleNamespace(to_frame=lambda view: pd.concat([table, context]))
    out = context_performance(stub)  # type: ignore[arg-type]
    assert out["context"].tolist() == [10.0, 20.0, 30.0]
    np.testing.assert_array_equal(out["performance"], roots["score"])  # C's root is missing
    assert list(out.columns) == ["mission", "period", "phase", "context", "performance"]


# ------------------------------------------------------------------------------- framework
def test_framework_icicle_heights_are_effective_weights(
    small_framework: ml.Framework, ax: Axes
) -> None:
    plot_framework(small_framework, ax=ax)
    boxes = {str(p.get_gid()): p for p in ax.patches}
    assert set(boxes) == {
        f"node:{e}" for e in (*small_framework.node_ids, *small_framework.indicator_ids)
    }
    assert boxes["node:index"].get_height() == 1.0
    assert boxes["node:pol"].get_height() == pytest.approx(2 / 3)
    assert boxes["node:env_01"].get_height() == pytest.approx(1 / 12)
    # env_01 and env_02 stacked under env_sec, which starts after pol (2/3)
    assert boxes["node:env_sec"].get_y() == pytest.approx(2 / 3)
    assert boxes["node:env_02"].get_y() == pytest.approx(2 / 3 + 1 / 12)
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "Framework",
        "Dimensions",
        "Sub-dimensions",
        "Indicators",
    ]
    assert "framework small 2" in _caption(ax.get_figure(root=True))
    with pytest.raises(ArgumentError, match="icicle"):
        plot_framework(small_framework, kind="sunburst")


# ------------------------------------------------------------------------------- agreement
def _entries() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    rows = []
    for mission in ("A", "B", "C", "D", "E", "F"):
        truth = {"pol_01": int(rng.integers(1, 6)), "pol_02": int(rng.integers(1, 6))}
        for rater in ("r1", "r2", "r3"):
            rows += [
                {
                    "mission": mission,
                    "period": "2024",
                    "phase": "implementation",
                    "indicator": "pol_01",
                    "value": float(truth["pol_01"]),
                    "rater": rater,
                },
                {
                    "mission": mission,
                    "period": "2024",
                    "phase": "implementation",
                    "indicator": "pol_02",
                    "value": float(rng.integers(1, 6)),
                    "rater": rater,
                },
            ]
    return pd.DataFrame(rows)


def test_agreement_plot_on_agreement_output(small_framework: ml.Framework, ax: Axes) -> None:
    result = ml.agreement(_entries(), framework=small_framework, n_boot=1000, seed=1)
    plot_agreement(result, ax=ax, caption=False)
    indicators = result[result["scope"] == "indicator"]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert sorted(ticks) == sorted(indicators["id"].astype(str))
    assert ticks[-1] == "pol_01"  # perfect agreement, sorted last (lowest alpha first)
    (bars,) = [c for c in ax.collections if c.get_gid() == "interval"]
    assert len(bars.get_segments()) == 2
    thresholds = [line.get_xdata()[0] for line in ax.lines if line.get_gid() == "threshold"]
    assert thresholds == [0.667, 0.8]
    assert ax.get_xlim()[1] == 1.0


def test_rater_spread_one_series_per_rater(small_framework: ml.Framework, ax: Axes) -> None:
    entries = _entries()
    plot_rater_spread(entries, mission="A", framework=small_framework, ax=ax)
    raters = [line for line in ax.lines if str(line.get_gid()).startswith("rater:")]
    assert [line.get_gid() for line in raters] == ["rater:r1", "rater:r2", "rater:r3"]
    assert len({line.get_marker() for line in raters}) == 3
    assert all(len(line.get_xdata()) == 2 for line in raters)  # two indicators each
    assert [float(t) for t in ax.get_xticks()] == [1.0, 2.0, 3.0, 4.0, 5.0]
    names = {t.get_text() for t in ax.get_yticklabels()}
    assert names == {"Political strategy", "Consent"}
    with pytest.raises(KeyError, match="unknown mission 'Z'"):
        plot_rater_spread(entries, mission="Z")


# ------------------------------------------------------------------------- small multiples
def test_small_multiples_profile_and_lifecycle(scored: ml.Profiles, phased: ml.Profiles) -> None:
    fig = plot_small_multiples(scored, col="mission", col_wrap=2)
    assert isinstance(fig, Figure)
    assert [ax.get_title() for ax in fig.axes] == ["A", "B", "C"]  # the 4th cell removed
    assert all(ax.get_xlim() == (0, 100) for ax in fig.axes)
    assert _caption(fig).startswith("framework small 2")
    life = plot_small_multiples(phased, kind="lifecycle", node="pol")
    assert [ax.get_title() for ax in life.axes if ax.get_label() != "phase strip"] == ["A", "B"]
    with pytest.raises(ArgumentError, match="kind"):
        plot_small_multiples(scored, kind="radar")
    with pytest.raises(KeyError, match="unknown mission"):
        plot_small_multiples(scored, values=["Z"])


@pytest.mark.parametrize(
    "name", ["levels", "ranks", "scores", "waterfall", "quadrant", "framework", "radar"]
)
def test_every_new_plot_renders(
    name: str, scored: ml.Profiles, small_framework: ml.Framework, tmp_path: Path
) -> None:
    """Drawn to PNG (errors raised only at draw time), in its own default figure."""
    draws = {
        "levels": lambda: plot_levels(scored, mission="A"),
        "ranks": lambda: plot_rank_intervals(RUNS),
        "scores": lambda: plot_score_intervals(RUNS),
        "waterfall": lambda: plot_waterfall(
            pd.DataFrame({"indicator": ["a"], "contribution": [2.0]})
        ),
        "quadrant": lambda: plot_quadrant(
            pd.DataFrame({"mission": ["A", "B"], "context": [1, 2], "performance": [3, 4]})
        ),
        "framework": lambda: plot_framework(small_framework),
        "radar": lambda: plot_radar(scored, mission="A", node_type="level"),
    }
    plt.close("all")
    figure = draws[name]().get_figure(root=True)
    assert figure is not None and len(plt.get_fignums()) == 1
    path = tmp_path / f"{name}.png"
    figure.savefig(path, dpi=40)
    assert path.stat().st_size > 1000


def test_a_long_caption_is_wrapped_not_cut(ax: Axes) -> None:
    from missionlens.plot.theme import CAPTION_SIZE, add_caption

    words = [f"source{k}" for k in range(120)]
    add_caption(ax, " ".join(words))
    fig = ax.get_figure(root=True)
    lines = _caption(fig).split("\n")
    width = int(fig.get_figwidth() * 72 / (CAPTION_SIZE * 0.6))
    assert len(lines) > 1 and max(len(line) for line in lines) <= width
    assert " ".join(lines).split() == words  # every word kept, in order
    add_caption(ax, " ".join(words))  # the same caption again: not repeated
    assert _caption(fig).split("\n") == lines


def test_the_context_root_is_labelled_context_index(ax: Axes) -> None:
    # the context view's root is the context index, not "Whole-of-mission performance"
    entries = ml.datasets.load_portfolio()
    one = entries[(entries["mission"] == "UNMIL") & (entries["period"] == "2009")]
    profiles = ml.score(one, framework="whole-of-mission")
    ml.plot_profile(profiles, mission="UNMIL", ax=ax)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "Context index" in labels
    assert labels.count(profiles.framework.root.name) <= 1


# ------------------------------------------------------------------ newcomer review (polish)
@pytest.fixture(scope="module")
def portfolio_latest() -> ml.Profiles:
    """The example portfolio's latest assessed year of each of its ten missions, scored."""
    entries = ml.datasets.load_portfolio()
    latest = entries.groupby("mission")["period"].transform(lambda p: max(p, key=int))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ml.score(entries[entries["period"] == latest], framework="whole-of-mission")


def _label_boxes(ax: Axes, gid: str) -> list[tuple[str, object]]:
    figure = ax.get_figure(root=True)
    assert figure is not None
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    return [(t.get_text(), t.get_window_extent(renderer)) for t in ax.texts if t.get_gid() == gid]


@pytest.mark.parametrize("size", [(8.5, 5.2), (6.0, 5.0)])
def test_quadrant_point_labels_do_not_overlap(
    portfolio_latest: ml.Profiles, size: tuple[float, float]
) -> None:
    # the demo's labels "MISSION YEAR" on each mission's latest year: before the placement,
    # "UNFICYP 2024" lay over "MINUSTAH 2017" and "UNAMID 2018" ran into a point
    from missionlens.plot.quadrant import context_performance

    table = context_performance(portfolio_latest)
    table["label"] = table["mission"] + " " + table["period"]
    _, ax = plt.subplots(figsize=size, layout="constrained")
    plot_quadrant(table, label="label", ax=ax)
    boxes = _label_boxes(ax, "point-label")
    assert sorted(name for name, _ in boxes) == sorted(table["label"])
    clashes = [
        (a, b)
        for i, (a, box_a) in enumerate(boxes)
        for b, box_b in boxes[:i]
        if box_a.overlaps(box_b)  # type: ignore[attr-defined]
    ]
    assert clashes == []
    # and no label covers a point (the markers' centres)
    points = ax.transData.transform(ax.collections[0].get_offsets())
    covered = [n for n, box in boxes for p in points if box.contains(*p)]  # type: ignore[attr-defined]
    assert covered == []


def test_point_labels_try_right_first_then_move(ax: Axes) -> None:
    # two points almost at the same place: the first label takes the first candidate (right
    # of its point); the second's right would cover the first label, so it takes the next
    # candidate, left of its point (placement.CANDIDATES, first fit in the order given)
    from missionlens.plot.placement import point_labels

    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    points = ax.scatter([50.0, 50.0], [50.0, 51.0], s=36)
    labels = point_labels(ax, points, ["first", "second"])
    figure = ax.get_figure(root=True)
    assert figure is not None
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    first, second = (label.get_window_extent(renderer) for label in labels)
    x_point = ax.transData.transform((50.0, 50.0))[0]
    assert first.x0 > x_point  # right of its point
    assert second.x1 < x_point  # left of its point
    assert not first.overlaps(second)


def test_radar_score_labels_lie_between_spokes_above_the_lines(
    portfolio_latest: ml.Profiles,
) -> None:
    # four dimensions: spokes at 0, 90, 180, 270 degrees; the score labels at 45 degrees,
    # not on the "Operating environment" spoke (90) where "100" ran into the spoke label
    _, ax = plt.subplots(subplot_kw={"projection": "polar"})
    plot_radar(portfolio_latest, mission="UNMIL", compare="MINUSTAH", ax=ax)  # both 2017
    spokes = sorted(float(np.degrees(t)) for t in ax.get_xticks())
    assert spokes == pytest.approx([0.0, 90.0, 180.0, 270.0])
    labels = [t for t in ax.texts if t.get_gid() == "radial-label"]
    assert [t.get_text() for t in labels] == ["20", "40", "60", "80", "100"]
    assert [t.get_position()[1] for t in labels] == [20, 40, 60, 80, 100]
    for text in labels:
        angle = float(np.degrees(text.get_position()[0]))
        assert angle == pytest.approx(45.0)  # halfway between the first two spokes
        assert min(abs(angle - s) for s in spokes) >= 45.0 - 1e-9
        assert text.get_zorder() > max(line.get_zorder() for line in ax.lines)  # above
        assert to_hex(text.get_color()) == to_hex("0.35")  # muted (theme.MUTED)
    assert ax.get_rlabel_position() == pytest.approx(45.0)  # type: ignore[attr-defined]
    assert all(t.get_text() == "" for t in ax.get_yticklabels())  # not drawn twice


def test_radar_score_labels_between_spokes_for_three_nodes(scored: ml.Profiles) -> None:
    _, ax = plt.subplots(subplot_kw={"projection": "polar"})
    plot_radar(scored, mission="A", node_type="indicator", ax=ax)
    n = len(ax.get_xticks())
    labels = [t for t in ax.texts if t.get_gid() == "radial-label"]
    assert labels and all(
        float(np.degrees(t.get_position()[0])) == pytest.approx(180.0 / n) for t in labels
    )


def test_levels_partial_encoding_is_no_levels_encoding(portfolio_latest: ml.Profiles) -> None:
    # UNMIL 2017: the strategic and tactical bars of Mission performance rest on part of
    # their weight (level_scores' weight_share < 1); before, they were hatched "///", which
    # read as the Operational level's own hatch "//"
    _, ax = plt.subplots()
    plot_levels(portfolio_latest, mission="UNMIL", ax=ax)
    shares = level_scores(portfolio_latest)
    shares = shares[(shares["mission"] == "UNMIL") & shares["score"].notna()]
    partial = {
        f"level:{d}:{lv}"
        for d, lv, w in shares[["dimension", "level", "weight_share"]].itertuples(index=False)
        if w < 1
    }
    assert len(partial) >= 1
    bars = {str(p.get_gid()): p for p in ax.patches if str(p.get_gid()).startswith("level:")}

    def encoding(patch: Any) -> tuple[str, bool]:
        # fill, and whether the edge is dashed/dotted: a legend's handle is a copy that keeps
        # the dash pattern but not the style name (matplotlib's Patch.update_from)
        return (to_hex(patch.get_facecolor()), patch._unscaled_dash_pattern[1] is not None)

    legend = ax.get_legend()
    assert legend is not None
    texts = [t.get_text() for t in legend.get_texts()]
    entries = dict(zip(texts, legend.legend_handles, strict=True))
    assert list(entries) == ["Strategic", "Operational", "Tactical", "part of weight rated"]
    key = entries.pop("part of weight rated")
    assert encoding(key) == ("#ffffff", True)  # hollow, dotted edge
    for name, level_key in entries.items():  # every level: filled, solid edge
        assert encoding(level_key)[0] != "#ffffff", name
        assert encoding(level_key)[1] is False, name
    for gid, bar in bars.items():
        assert (encoding(bar) == ("#ffffff", True)) == (gid in partial), gid
    # the share is written beside a partial bar
    values = [t.get_text() for t in ax.texts if t.get_gid() == "level-value"]
    assert sum("of weight rated" in v for v in values) == len(partial)


@pytest.mark.parametrize(
    ("interval", "words"), [(0.9, "5–95 % interval"), (0.8, "10–90 % interval")]
)
def test_interval_legends_say_the_coverage_the_analysis_used(
    small_framework: ml.Framework, interval: float, words: str
) -> None:
    # Uncertainty.interval is the coverage; the bounds are its quantiles (1 - interval) / 2
    # and (1 + interval) / 2 (UncertaintyResult.summary): 0.9 -> 5 and 95 %, 0.8 -> 10 and 90 %
    wide = pd.DataFrame(
        {
            "mission": ["A", "B", "C"],
            "period": ["2024"] * 3,
            "pol_01": [5, 2, 4],
            "pol_02": [4, 1, 3],
            "env_01": [0.5, 2.0, 4.0],
            "env_02": [1, 0, 1],
            "env_03": [3, 3, 5],
        }
    )
    spec = {"weights": {"noise": 0.3}, "interval": interval}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = ml.uncertainty(wide, framework=small_framework, spec=spec, n=30, seed=1)
    profiles = result.profiles
    assert profiles.to_frame().attrs["interval"] == interval
    assert result.summary.attrs["interval"] == interval

    def legend_texts(ax: Axes) -> list[str]:
        legend = ax.get_legend()
        assert legend is not None
        return [t.get_text() for t in legend.get_texts()]

    _, ax = plt.subplots()
    plot_profile(profiles, mission="A", ax=ax)
    assert words in legend_texts(ax)
    _, polar = plt.subplots(subplot_kw={"projection": "polar"})
    plot_radar(profiles, mission="A", node_type="indicator", ax=polar)
    assert words in legend_texts(polar)
    summary = result.summary
    root = summary[summary["node_type"] == "root"]
    _, bars = plt.subplots()
    plot_score_intervals(root, ax=bars)
    assert words in legend_texts(bars)
    fr = plot_profile(profiles, mission="A", ax=plt.subplots()[1], lang="fr")
    assert "intervalle " + words.removesuffix(" interval") in legend_texts(fr)


def test_interval_legend_without_a_recorded_coverage_says_interval(ax: Axes) -> None:
    table = pd.DataFrame(
        {
            "mission": "A",
            "node": ["p", "q"],
            "score": [50.0, 60.0],
            "lower": [40.0, 55.0],
            "upper": [58.0, 70.0],
        }
    )
    plot_profile(table, ax=ax)
    legend = ax.get_legend()
    assert legend is not None
    assert "interval" in [t.get_text() for t in legend.get_texts()]
    table.attrs["interval"] = 1.5
    with pytest.raises(ValueError, match=r"attrs\['interval'\] is 1.5"):
        plot_profile(table, ax=ax)


def test_small_multiples_lifecycle_labels_each_axis_once() -> None:
    # five missions in rows of two: rows 0-2; column 1 has no panel in row 2, so its x label
    # is under row 1
    missions = ["A", "B", "C", "D", "E"]
    table = pd.DataFrame(
        {
            "mission": np.repeat(missions, 3),
            "period": ["2021", "2022", "2023"] * 5,
            "phase": ["implementation", "implementation", "drawdown"] * 5,
            "score": np.linspace(30.0, 70.0, 15),
        }
    )
    fig = plot_small_multiples(table, col="mission", kind="lifecycle", col_wrap=2)
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == missions
    assert [bool(ax.get_ylabel()) for ax in axes] == [True, False, True, False, True]
    assert [bool(ax.get_xlabel()) for ax in axes] == [False, False, False, True, True]
    assert {ax.get_ylabel() for ax in axes} - {""} == {"Score (0–100, higher is better)"}
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    for upper, lower in ((axes[0], axes[2]), (axes[1], axes[3]), (axes[2], axes[4])):
        # the upper panel's lowest text (tick labels, x label) stays above everything drawn
        # over the lower panel (its title, its phase names)
        ticks = [t.get_window_extent(renderer) for t in upper.get_xticklabels() if t.get_text()]
        bottom = min(b.y0 for b in ticks)
        above = [lower.title.get_window_extent(renderer)] + [
            t.get_window_extent(renderer) for t in lower.texts if t.get_text()
        ]
        assert bottom > max(b.y1 for b in above)


@pytest.fixture(scope="module")
def wom2() -> ml.Framework:
    """The built-in whole-of-mission framework, version 2 (89 indicators, six weighing 0)."""
    return ml.load_framework("whole-of-mission")


def test_framework_icicle_uses_the_width_and_wraps_its_footer(wom2: ml.Framework) -> None:
    # the built-in whole-of-mission v2 (89 indicators) at the demo's size: before, a third
    # of the canvas was empty (the one-line weight-0 footer ran past the right edge and the
    # layout narrowed the plot for it) and most indicator labels were cut at 25 characters
    fig, ax = plt.subplots(figsize=(12.0, 9.0), layout="constrained")
    plot_framework(wom2, ax=ax)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    (footer,) = [t for t in ax.texts if t.get_gid() == "zero-weight"]
    lines = footer.get_text().split("\n")
    assert len(lines) > 1
    zero = [i.id for i in wom2.indicators if effective_weights(wom2).get(i.id, 0.0) == 0.0]
    assert all(i in footer.get_text() for i in zero)  # every id still listed
    figure_box = fig.bbox
    extent = footer.get_window_extent(renderer)
    assert figure_box.x0 <= extent.x0 and extent.x1 <= figure_box.x1
    for line in lines:  # each line, measured alone at the footer's size, fits the figure
        probe = fig.text(0, 0, line, fontsize=footer.get_fontsize())
        assert probe.get_window_extent(renderer).width <= figure_box.width
        probe.remove()
    # the columns span the Axes: boxes from the left edge to the right edge of the x range
    boxes = [p for p in ax.patches if str(p.get_gid()).startswith("node:")]
    left = min(p.get_x() for p in boxes)
    right = max(p.get_x() + p.get_width() for p in boxes)
    low, high = ax.get_xlim()
    assert left == pytest.approx(low) and right == pytest.approx(high, abs=0.05)
    # and the Axes spans most of the figure (it was about two thirds)
    assert ax.bbox.width > 0.85 * figure_box.width
    # labels: every indicator label shown whole (no "…"), and none runs out of its box
    texts = [t for t in ax.texts if t.get_gid() == "node-label"]
    assert not [t.get_text() for t in texts if "…" in t.get_text()]
    for text in texts:
        x = text.get_position()[0]
        box = min((p for p in boxes if p.get_x() <= x), key=lambda p: x - p.get_x())
        right_edge = ax.transData.transform((box.get_x() + box.get_width(), 0))[0]
        assert text.get_window_extent(renderer).x1 <= right_edge + 0.5, text.get_text()


def test_framework_labels_cut_only_what_does_not_fit(wom2: ml.Framework) -> None:
    # a small figure: long names are cut with "…", but no label overflows its box
    fig, ax = plt.subplots(figsize=(6.4, 4.8), layout="constrained")
    plot_framework(wom2, ax=ax)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    boxes = [p for p in ax.patches if str(p.get_gid()).startswith("node:")]
    texts = [t for t in ax.texts if t.get_gid() == "node-label"]
    assert any("…" in t.get_text() for t in texts)
    for text in texts:
        x = text.get_position()[0]
        box = min((p for p in boxes if p.get_x() <= x), key=lambda p: x - p.get_x())
        right_edge = ax.transData.transform((box.get_x() + box.get_width(), 0))[0]
        assert text.get_window_extent(renderer).x1 <= right_edge + 0.5, text.get_text()


def test_bad_plot_arguments_raise_argument_error(ax: Axes) -> None:
    # ArgumentError is a ValueError and a TypeError too: callers catching those still work
    profiles = ml.score(ml.datasets.load_portfolio(), framework="whole-of-mission")
    with pytest.raises(ml.ArgumentError, match="choose one with mission="):
        ml.plot_profile(profiles, ax=ax)  # ten missions: which one?
    with pytest.raises(ml.ArgumentError, match="entries must be a pandas DataFrame"):
        ml.plot_rater_spread([1, 2, 3], ax=ax)  # type: ignore[arg-type]
