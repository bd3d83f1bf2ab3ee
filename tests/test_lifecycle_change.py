"""Trajectories, change between periods and what moved (issue 10, parts 2 and 3).

Every expected number below is worked by hand from the definitions (the framework's numeric
scale with goalposts 0-100 makes an entered value its own score), and the decompositions are
checked against the symmetric decomposition of a change of a weighted mean into a score part
and a weight part (Kitagawa 1955, "Components of a difference between two rates", JASA 50,
eq. for two factors; Bennet 1920) and its logarithmic form for geometric means (Vartia 1976;
Ang 2004, LMDI).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import missionlens as ml
from missionlens.analysis.lifecycle import (
    CHANGE_COLUMNS,
    CHANGE_INTERVAL_COLUMNS,
    DECOMPOSITION_COLUMNS,
    TRAJECTORY_COLUMNS,
)

FRAMEWORK = """
id: lifecycle-test
version: "1"
title: Lifecycle test framework
scales:
  - {kind: numeric, id: pts, name: Points, minimum: 0, maximum: 100, goalposts: [0, 100]}
nodes:
  - {id: top, name: Overall, parent: null, missing: {rule: reweight, min_share: 0.5}}
  - {id: a, name: Arithmetic dimension, parent: top, weight: 2}
  - {id: g, name: Geometric dimension, parent: top, weight: 1, aggregation: {method: geometric}}
indicators:
  - {id: a1, name: A one, parent: a, scale: pts}
  - {id: a2, name: A two, parent: a, scale: pts}
  - {id: a3, name: A three, parent: a, scale: pts, weight: 2}
  - {id: g1, name: G one, parent: g, scale: pts}
  - {id: g2, name: G two, parent: g, scale: pts, weight: 3}
"""

NAN = np.nan
SQRT2 = math.sqrt(2.0)


@pytest.fixture(scope="module")
def fw() -> ml.Framework:
    return ml.Framework.from_yaml(FRAMEWORK)


def _wide(rows: list[tuple[str, str, float, float, float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["mission", "period", "a1", "a2", "a3", "g1", "g2"])


@pytest.fixture(scope="module")
def panel(fw: ml.Framework) -> ml.Profiles:
    """M: a3 enters (a: 50 -> 67.5), g1 leaves (g: 40 sqrt 2 -> 80).
    N: the whole of g leaves (no score in 2024-H1). P: one period only."""
    data = _wide(
        [
            ("M", "2022", 40, 60, NAN, 20, 80),
            ("M", "2024-H1", 50, 60, 80, NAN, 80),
            ("N", "2022", 40, 60, NAN, 20, 80),
            ("N", "2024-H1", 50, 60, 80, NAN, NAN),
            ("P", "2023", 50, 50, 50, 50, 50),
        ]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ml.IncompleteScoreWarning)
        return ml.score(data, framework=fw)


def _by(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index("indicator")


# ------------------------------------------------------------------------ what moved
def test_arithmetic_decomposition_with_an_indicator_that_entered(panel: ml.Profiles) -> None:
    d = ml.decompose_change(panel, mission="M", node="a", start="2022", end="2024-H1")
    assert list(d.columns) == list(DECOMPOSITION_COLUMNS)
    # by hand: a = (40 + 60) / 2 = 50 (a3 unrated), then (50 + 60 + 2 * 80) / 4 = 67.5;
    # effective weights (1/2, 1/2, 0) -> (1/4, 1/4, 1/2); mean of the two scores 58.75
    assert d.attrs["score_start"] == pytest.approx(50.0)
    assert d.attrs["score_end"] == pytest.approx(67.5)
    rows = _by(d)
    assert rows["weight_start"].tolist() == pytest.approx([0.5, 0.5, 0.0])
    assert rows["weight_end"].tolist() == pytest.approx([0.25, 0.25, 0.5])
    # a1: 0.375 * (50 - 40) = 3.75 and (45 - 58.75) * (0.25 - 0.5) = 3.4375
    assert rows.loc["a1", "score_part"] == pytest.approx(3.75)
    assert rows.loc["a1", "weight_part"] == pytest.approx(3.4375)
    # a2: no score change; (60 - 58.75) * -0.25 = -0.3125
    assert rows.loc["a2", "score_part"] == pytest.approx(0.0, abs=1e-12)
    assert rows.loc["a2", "contribution"] == pytest.approx(-0.3125)
    # a3 entered: all weight, (80 - 58.75) * 0.5 = 10.625
    assert rows.loc["a3", "status"] == "entered"
    assert rows.loc["a3", "contribution"] == pytest.approx(10.625)
    assert "no score in 2022" in rows.loc["a3", "note"]
    assert d["contribution"].sum() == pytest.approx(17.5, abs=1e-9)
    # independent computation: sum_i (e1 s1 - e0 s0) = (12.5 - 20) + (15 - 30) + 40
    raw = (12.5 - 20) + (15 - 30) + 40
    assert d["contribution"].sum() == pytest.approx(raw, abs=1e-9)
    filled = d.fillna({"score_start": 0.0, "score_end": 0.0})
    moved = (
        filled["weight_end"] * filled["score_end"] - filled["weight_start"] * filled["score_start"]
    )
    assert moved.sum() == pytest.approx(raw, abs=1e-9)
    assert d["log_contribution"].isna().all()


def test_geometric_decomposition_in_logs_with_an_indicator_that_left(
    panel: ml.Profiles,
) -> None:
    d = ml.decompose_change(panel, mission="M", node="g", start="2022", end="2024-H1")
    # by hand: g = 20^(1/4) 80^(3/4) = 40 sqrt 2, then 80 (g1 unrated); delta ln g = ln 2 / 2
    start, end = 40 * SQRT2, 80.0
    assert d.attrs["score_start"] == pytest.approx(start)
    assert d.attrs["change"] == pytest.approx(end - start)
    rows = _by(d)
    # mean of the logs: ln 80 - ln 2 / 4; g1 left: 0.25 (mean log - ln 20) = 0.4375 ln 2,
    # g2: 0.25 (ln 80 - mean log) = 0.0625 ln 2 (log points, summing to ln 2 / 2)
    assert rows.loc["g1", "log_contribution"] == pytest.approx(0.4375 * math.log(2))
    assert rows.loc["g2", "log_contribution"] == pytest.approx(0.0625 * math.log(2))
    assert d["log_contribution"].sum() == pytest.approx(math.log(end / start), abs=1e-12)
    # in points: the log points times the logarithmic mean, 7/8 and 1/8 of the change
    assert rows.loc["g1", "contribution"] == pytest.approx(0.875 * (end - start))
    assert rows.loc["g2", "contribution"] == pytest.approx(0.125 * (end - start))
    assert d["contribution"].sum() == pytest.approx(end - start, abs=1e-9)
    assert rows.loc["g1", "status"] == "left"


def test_nested_decomposition_reaches_the_indicators(panel: ml.Profiles) -> None:
    d = ml.decompose_change(panel, mission="M", start="first", end="last")
    assert d["node"].eq("top").all()
    # top = (2 a + g) / 3: 52.1895... -> 71.666...; weights of a and g unchanged (2/3, 1/3)
    start, end = (2 * 50 + 40 * SQRT2) / 3, (2 * 67.5 + 80) / 3
    assert d.attrs["change"] == pytest.approx(end - start)
    assert d["contribution"].sum() == pytest.approx(end - start, abs=1e-9)
    rows = _by(d)
    assert rows.loc["a", "contribution"] == pytest.approx(0.0, abs=1e-12)  # no weight change
    assert rows.loc["a", "total"] == pytest.approx(2 / 3 * 17.5)
    assert rows.loc["g", "total"] == pytest.approx((80 - 40 * SQRT2) / 3)
    # each indicator: 2/3 (or 1/3) of its contribution to its dimension's change
    assert rows.loc["a3", "contribution"] == pytest.approx(2 / 3 * 10.625)
    assert rows.loc["g1", "contribution"] == pytest.approx(0.875 * (80 - 40 * SQRT2) / 3)
    assert rows.loc["a1", "depth"] == 2 and rows.loc["a", "depth"] == 1
    depth1 = d[d["depth"] == 1]
    assert depth1["total"].sum() == pytest.approx(end - start, abs=1e-9)


def test_a_dimension_that_left_keeps_its_weight_part_at_its_level(panel: ml.Profiles) -> None:
    d = ml.decompose_change(panel, mission="N", start="2022", end="2024-H1")
    start, end = (2 * 50 + 40 * SQRT2) / 3, 67.5
    mean = (start + end) / 2
    rows = _by(d)
    # g left: (40 sqrt 2 - mean) * (0 - 1/3); a: score part 5/6 * 17.5 passed down, weight part
    # (58.75 - mean) * (1 - 2/3)
    assert rows.loc["g", "status"] == "left"
    assert rows.loc["g", "contribution"] == pytest.approx((40 * SQRT2 - mean) * (-1 / 3))
    assert rows.loc["a", "contribution"] == pytest.approx((58.75 - mean) / 3)
    assert rows.loc[["a1", "a2", "a3"], "contribution"].sum() == pytest.approx(5 / 6 * 17.5)
    assert rows.loc[["g1", "g2"], "contribution"].tolist() == [0.0, 0.0]
    assert "below 'g'" in rows.loc["g1", "note"]
    assert d["contribution"].sum() == pytest.approx(end - start, abs=1e-9)


def test_decomposition_sums_exactly_on_the_built_in_framework() -> None:
    fw = ml.load_framework("whole-of-mission")
    rng = np.random.default_rng(3)
    ids = [i.id for i in fw.indicators]
    values = rng.integers(1, 6, size=(2, len(ids))).astype(float)
    values[0, rng.choice(len(ids), 12, replace=False)] = np.nan  # rated in one period only
    values[1, rng.choice(len(ids), 12, replace=False)] = np.nan
    data = pd.DataFrame(values, columns=ids).assign(mission="X", period=["2021/22", "2023-Q2"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ml.IncompleteScoreWarning)
        p = ml.score(data, framework=fw)
    for node, view in (("political", "tree"), ("performance", "tree"), ("wom", "context")):
        d = ml.decompose_change(p, mission="X", node=node, view=view)
        assert d["contribution"].sum() == pytest.approx(d.attrs["change"], abs=1e-9)
        assert set(d["status"]) >= {"both"}


CELL = st.one_of(st.just(NAN), st.integers(1, 100).map(float))


@settings(max_examples=8)
@given(st.lists(CELL, min_size=10, max_size=10))
def test_contributions_always_sum_to_the_change(fw: ml.Framework, cells: list[float]) -> None:
    """Any ratings, any indicators entering or leaving: the sum is the change (1e-9)."""
    data = _wide([("M", "2022", *cells[:5]), ("M", "2023", *cells[5:])])  # type: ignore[list-item]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ml.IncompleteScoreWarning)
        p = ml.score(data, framework=fw)
    wide = p.wide()
    for node in ("top", "a", "g"):
        if wide[node].isna().any():
            continue  # no score in a period: nothing to decompose (refused, tested above)
        d = ml.decompose_change(p, mission="M", node=node)
        assert d["contribution"].sum() == pytest.approx(d.attrs["change"], abs=1e-9)
        assert d.loc[d["depth"] == 1, "total"].sum() == pytest.approx(d.attrs["change"], abs=1e-9)


def test_methods_without_a_decomposition(fw: ml.Framework, panel: ml.Profiles) -> None:
    recipe = ml.Recipe.default().set_params(aggregate__overrides__g__method="median")
    p = ml.score(panel.data, framework=fw, recipe=recipe)
    with pytest.raises(ml.MissionLensError, match="median"):
        ml.decompose_change(p, mission="M", node="g")
    d = ml.decompose_change(p, mission="M")  # the root is arithmetic: g keeps its whole effect
    rows = _by(d)
    assert "median" in rows.loc["g", "note"]
    assert rows.loc["g", "contribution"] == pytest.approx(rows.loc["g", "total"])
    assert d["contribution"].sum() == pytest.approx(d.attrs["change"], abs=1e-9)


def test_geometric_with_a_zero_is_refused(fw: ml.Framework) -> None:
    data = _wide([("M", "2022", 50, 50, 50, 0, 80), ("M", "2023", 50, 50, 50, 40, 80)])
    p = ml.score(data, framework=fw)
    with pytest.raises(ml.MissionLensError, match="'g1' \\(0 in 2022"):
        ml.decompose_change(p, mission="M", node="g")


def test_decompose_change_refuses_what_it_cannot_do(panel: ml.Profiles) -> None:
    with pytest.raises(ml.MissionLensError, match="no score in 2024-H1"):
        ml.decompose_change(panel, mission="N", node="g")
    with pytest.raises(ml.ArgumentError, match="no mission 'Z'"):
        ml.decompose_change(panel, mission="Z")
    with pytest.raises(ml.ArgumentError, match="an indicator has no children"):
        ml.decompose_change(panel, mission="M", node="a1")
    with pytest.raises(ml.ArgumentError, match="one period only"):
        ml.decompose_change(panel, mission="P")
    with pytest.raises(ml.ArgumentError, match="facet views"):
        ml.decompose_change(panel, mission="M", view="level")


def test_waterfall_takes_the_table(panel: ml.Profiles) -> None:
    d = ml.decompose_change(panel, mission="M", node="a")
    ax = ml.plot_waterfall(d, start=d.attrs["score_start"], end=d.attrs["score_end"])
    assert "unexplained" not in {p.get_gid() for p in ax.patches}


# ------------------------------------------------------------------------ change
def test_change_between_differently_labelled_periods(panel: ml.Profiles) -> None:
    with pytest.warns(UserWarning, match="P \\(no period 2024-H1"):
        c = ml.change(panel, start="2022", end="2024-h1")
    assert list(c.columns) == list(CHANGE_COLUMNS)
    top = c[c["node"] == "top"].set_index("mission")
    assert top.loc["M", "change"] == pytest.approx((2 * 67.5 + 80) / 3 - (2 * 50 + 40 * SQRT2) / 3)
    assert top.loc["M", "period_end"] == "2024-H1"
    assert c.attrs["not_compared"]["mission"].tolist() == ["P"]
    g = c[c["node"] == "g"].set_index("mission")
    assert np.isnan(g.loc["N", "change"]) and np.isnan(g.loc["N", "score_end"])
    same = ml.change(panel, start="previous", end="last", missions=["M", "N"])
    assert np.allclose(same["change"], c["change"], equal_nan=True)


def test_change_refusals(panel: ml.Profiles) -> None:
    with pytest.raises(ml.ArgumentError, match="mission 'P' has no period 2022"):
        ml.change(panel, start="2022", end="last", missions=["M", "P"])
    with pytest.raises(ml.MissionLensError, match="no mission has both periods"):
        ml.change(panel, start="2019", end="2024-H1")
    with pytest.raises(ml.ArgumentError, match="neither a period"):
        ml.change(panel, start="soon", end="last")
    with pytest.raises(ml.ArgumentError, match="'previous' is a start"):
        ml.change(panel, start="first", end="previous")
    with pytest.raises(ml.ArgumentError, match="same period"):
        ml.change(panel, start="2022", end=2022)


def test_change_with_paired_replications(fw: ml.Framework) -> None:
    data = _wide([("M", "2022", 40, 60, 70, 20, 80), ("M", "2024-H1", 50, 60, 80, 30, 80)])
    result = ml.uncertainty(data, framework=fw, spec={"weights": {"noise": 0.3}}, n=64, seed=2)
    c = ml.change(result.model.profiles, uncertainty=result)
    assert list(c.columns) == [*CHANGE_COLUMNS, *CHANGE_INTERVAL_COLUMNS]
    # independent computation: the same replication index in both periods
    units = result.model.units
    u0 = int(np.flatnonzero(units["period"].astype(str) == "2022")[0])
    u1 = int(np.flatnonzero(units["period"].astype(str) == "2024-H1")[0])
    k = list(result.model.nodes).index("top")
    diff = result.scores[:, u1, k] - result.scores[:, u0, k]
    row = c[c["node"] == "top"].iloc[0]
    assert row["change_lower"] == pytest.approx(np.quantile(diff, 0.05))
    assert row["change_upper"] == pytest.approx(np.quantile(diff, 0.95))
    assert bool(row["real"]) == bool(np.quantile(diff, 0.05) > 0 or np.quantile(diff, 0.95) < 0)
    assert row["n_compared"] == 64
    assert not c.loc[c["node"] == "a2", "real"].iloc[0]  # a2 did not move at all
    carried = ml.change(result.profiles)  # profiles with intervals bring their analysis
    pd.testing.assert_frame_equal(carried, c)
    other = ml.score(data.assign(a1=10), framework=fw)
    with pytest.raises(ml.ArgumentError, match="not of these profiles"):
        ml.change(other, uncertainty=result)


# ------------------------------------------------------------------------ trajectories
def test_trajectories_are_in_period_order(fw: ml.Framework) -> None:
    data = _wide(
        [
            ("M", "2024-H1", 80, 80, 80, 80, 80),
            ("M", "2023", 40, 40, 40, 40, 40),
            ("M", "2023/24", 60, 60, 60, 60, 60),
        ]
    )
    t = ml.trajectories(ml.score(data, framework=fw), node="top")
    assert list(t.columns) == list(TRAJECTORY_COLUMNS)
    # 2023 starts 1 Jan 2023, the financial year 2023/24 on 1 July 2023, 2024-H1 on 1 Jan 2024
    assert t["period"].tolist() == ["2023", "2023/24", "2024-H1"]
    assert t["position"].tolist() == [0, 1, 2]
    assert t["score"].tolist() == pytest.approx([40, 60, 80])
    assert t["change_previous"].tolist()[1:] == pytest.approx([20, 20])
    assert t["period_start"].iloc[1] == pd.Timestamp("2023-07-01")
    every = ml.trajectories(ml.score(data, framework=fw))
    assert set(every["node"]) == {"top", "a", "g"}
    with pytest.raises(ml.ArgumentError, match="no node 'zz'"):
        ml.trajectories(ml.score(data, framework=fw), node="zz")


def test_trajectories_of_chosen_missions(panel: ml.Profiles) -> None:
    t = ml.trajectories(panel, node=["a", "a3"], missions=["N", "M"])
    assert list(dict.fromkeys(t["mission"])) == ["N", "M"]  # in the order asked for
    assert t.loc[t["node"] == "a3", "score"].isna().tolist() == [True, False, True, False]
    with pytest.raises(ml.ArgumentError, match="no mission 'Q'"):
        ml.trajectories(panel, missions=["Q"])
    with pytest.raises(ml.ArgumentError, match="must be a Profiles"):
        ml.trajectories(panel.to_frame())  # type: ignore[arg-type]


# ------------------------------------------------------------------------ Profiles.compare
def _round(fw: ml.Framework, period: str, a1: float) -> ml.Profiles:
    return ml.score(
        _wide([("M", period, a1, 60, 70, 20, 80), ("N", period, 50, 50, 50, 50, 50)]),
        framework=fw,
    )


def test_compare_rounds_with_different_period_labels(fw: ml.Framework) -> None:
    first, second = _round(fw, "2023", 40), _round(fw, "2024-H1", 60)
    with pytest.raises(ml.IncompatibleProfilesError) as info:
        first.compare(second)
    message = str(info.value)
    assert "no common (mission, period)" in message
    assert "'2023'" in message and "'2024-H1'" in message
    assert "period_pairs={'2023': '2024-H1'}" in message and "on='mission'" in message
    by_mission = first.compare(second, on="mission")
    paired = first.compare(second, period_pairs={"2023": "2024-h1"})
    pd.testing.assert_frame_equal(by_mission, paired)
    row = paired.set_index(["mission", "node"]).loc[("M", "a1")]
    assert (row["period"], row["period_other"]) == ("2023", "2024-H1")
    assert row["difference"] == pytest.approx(20.0)
    # a = (a1 + a2 + 2 a3) / 4 moves by 20 / 4
    assert paired.set_index(["mission", "node"]).loc[("M", "a"), "difference"] == pytest.approx(5)
    with pytest.raises(ml.ArgumentError, match="'2022' is not a period of these profiles"):
        first.compare(second, period_pairs={"2022": "2024-H1"})
    with pytest.raises(ml.ArgumentError, match="on must be"):
        first.compare(second, on="unit")  # type: ignore[arg-type]


def test_compare_same_labels_still_matches_on_period(fw: ml.Framework) -> None:
    first, second = _round(fw, "2023", 40), _round(fw, "2023", 60)
    table = first.compare(second)
    assert (table["period"] == table["period_other"]).all()
    elsewhere = ml.score(_wide([("Q", "2023", 1, 2, 3, 4, 5)]), framework=fw)
    with pytest.raises(ml.IncompatibleProfilesError, match="different missions"):
        first.compare(elsewhere)
