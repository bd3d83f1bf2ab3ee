"""Benchmarks (finding 4) and exit readiness, on hand-worked numbers.

The tiny framework below has percentage indicators with goalposts 0 and 100, so a score is the
value entered, and arithmetic means: ``pol`` is the mean of ``p1`` and ``p2``, the root the
mean of ``pol`` and ``sec``. Mission A is scored in 2022, 2023 and 2024:

=======  ====  ====  ====  ===  ===  =====
period   p1    p2    s1    pol  sec  index
=======  ====  ====  ====  ===  ===  =====
2022     20    40    10    30   10   20
2023     30    50    20    40   20   30
2024     40    60    30    50   30   40
=======  ====  ====  ====  ===  ===  =====

A calendar year's midpoint is ``year + 0.5`` in decimal years (:func:`decimal_year`), so the
OLS slope of ``pol`` is 10 a year, and its line ``30 + 10 (t - 2022.5)`` reaches 75 at the end
of 2026 (``t = 2027.0``). Mission B is scored in 2024 only, without ``s1``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import missionlens as ml
from missionlens.analysis.benchmarks import (
    READINESS_COLUMNS,
    STATUS_COLUMNS,
    decimal_year,
)

ROOT = Path(__file__).parents[1]

TINY = """
id: tiny
version: "1"
title: Tiny
description: Two dimensions of percentage indicators, arithmetic means.
source: missionlens test suite
scales:
  - {kind: numeric, id: pct, name: Percent, minimum: 0, maximum: 100, goalposts: [0, 100]}
nodes:
  - {id: index, name: Overall, parent: null}
  - {id: pol, name: Political, parent: index}
  - {id: sec, name: Security, parent: index}
indicators:
  - {id: p1, name: P1, parent: pol, scale: pct}
  - {id: p2, name: P2, parent: pol, scale: pct}
  - {id: s1, name: S1, parent: sec, scale: pct}
"""


@pytest.fixture(scope="module")
def tiny() -> ml.Framework:
    return ml.Framework.from_yaml(TINY)


@pytest.fixture(scope="module")
def profiles(tiny: ml.Framework) -> ml.Profiles:
    data = pd.DataFrame(
        {
            "mission": ["A", "A", "A", "B"],
            "period": ["2022", "2023", "2024", "2024"],
            "phase": ["implementation", "implementation", "drawdown", "implementation"],
            "p1": [20, 30, 40, 50],
            "p2": [40, 50, 60, 70],
            "s1": [10, 20, 30, np.nan],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ml.IncompleteScoreWarning)  # B has no sec score
        return ml.score(data, framework=tiny)


def bench(**fields: object) -> ml.Benchmark:
    base: dict[str, object] = {"id": "b", "node": "pol", "source": "S/RES/0000 (2024), para 1"}
    return ml.Benchmark.model_validate(base | fields)


def rows(status: pd.DataFrame, mission: str = "A") -> pd.DataFrame:
    return status[status["mission"] == mission].set_index("period")


# --------------------------------------------------------------------------------- statuses
def test_hand_worked_scores(profiles: ml.Profiles) -> None:
    w = profiles.wide()
    assert w.loc[("A", "2023"), "pol"] == 40.0 and w.loc[("A", "2024"), "index"] == 40.0


def test_met_at_the_target(profiles: ml.Profiles) -> None:
    # pol of A is 50 in 2024: exactly the target counts as met
    st = rows(ml.benchmark_status(profiles, bench(target=50, deadline="2026")))
    assert st.loc["2024", "status"] == "met"
    assert st.loc["2024", "score"] == 50.0 and st.loc["2024", "score_period"] == "2024"


def test_on_track_by_the_trend(profiles: ml.Profiles) -> None:
    # 2023: two points (2022.5, 30), (2023.5, 40): slope 10 a year; at the end of 2026
    # (t = 2027.0) the line gives 30 + 10 * 4.5 = 75 >= 60
    st = rows(ml.benchmark_status(profiles, bench(target=60, deadline="2026")))
    assert st.loc["2023", "status"] == "on_track"
    assert st.loc["2023", "slope_per_year"] == pytest.approx(10.0)
    assert st.loc["2023", "projected"] == pytest.approx(75.0)
    assert st.loc["2023", "n_points"] == 2
    assert st.loc["2023", "deadline_date"] == pd.Timestamp("2026-12-31")
    assert st.loc["2023", "deadline_basis"] == "given"
    # 2024: three points on the same line: still 10 a year and 75
    assert st.loc["2024", "projected"] == pytest.approx(75.0)
    assert st.loc["2024", "status"] == "on_track"


def test_off_track_when_the_projection_misses(profiles: ml.Profiles) -> None:
    # the same line reaches 75 by the end of 2026, short of 80
    st = rows(ml.benchmark_status(profiles, bench(target=80, deadline="2026")))
    assert list(st["status"]) == ["no_projection", "off_track", "off_track"]
    assert st.loc["2024", "projected"] == pytest.approx(75.0)


def test_off_track_when_the_deadline_passed(profiles: ml.Profiles) -> None:
    # due by the end of 2023; pol is 40 < 45 then: the deadline is reached unmet, although the
    # line (45 at t = 2024.0) would have reached it; 2024 (50) meets it late
    st = rows(ml.benchmark_status(profiles, bench(target=45, deadline="2023")))
    assert st.loc["2023", "status"] == "off_track"
    assert st.loc["2023", "projected"] == pytest.approx(45.0)
    assert st.loc["2024", "status"] == "met"
    # 2022: one score only, deadline ahead: no trend to project
    assert st.loc["2022", "status"] == "no_projection" and st.loc["2022", "n_points"] == 1
    assert np.isnan(st.loc["2022", "projected"])


def test_no_data(profiles: ml.Profiles) -> None:
    # B has no sec score; mission Z is not in the profiles at all: one row, no period
    status = ml.benchmark_status(
        profiles,
        [
            bench(id="b1", node="sec", target=10, deadline="2026"),
            bench(id="b2", mission="Z", target=10, deadline="2026"),
        ],
    )
    b = status[(status["mission"] == "B")].iloc[0]
    assert b["status"] == "no_data" and b["n_points"] == 0 and np.isnan(b["score"])
    z = status[status["mission"] == "Z"]
    assert len(z) == 1 and z["status"].iloc[0] == "no_data" and pd.isna(z["period"].iloc[0])


def test_at_most_on_raw_values(profiles: ml.Profiles) -> None:
    # s1 raw values 10, 20, 30: at most 15 by 2025. 2022: met. 2023: 20, rising 10 a year:
    # the line 10 + 10 (t - 2022.5) gives 45 at t = 2026.0, above 15: off track
    st = rows(
        ml.benchmark_status(
            profiles, bench(node="s1", on="raw", comparison="<=", target=15, deadline="2025")
        )
    )
    assert list(st["status"]) == ["met", "off_track", "off_track"]
    assert st.loc["2023", "projected"] == pytest.approx(45.0)


def test_phase_deadline_from_the_profiles_and_from_a_timeline(profiles: ml.Profiles) -> None:
    b = bench(target=60, phase="drawdown")
    assert b.kind == "drawdown"
    st = rows(ml.benchmark_status(profiles, b))
    # A enters drawdown in 2024: due on 1 January 2024 (t = 2024.0); at the end of 2023 the
    # time is up and 40 < 60
    assert st.loc["2023", "deadline_date"] == pd.Timestamp("2024-01-01")
    assert st.loc["2023", "deadline_basis"] == "profiles"
    assert st.loc["2023", "status"] == "off_track"
    assert st.loc["2024", "mission_phase"] == "drawdown"
    # B never enters drawdown: no deadline, so no projection (pol 60 is met, though)
    assert (
        rows(ml.benchmark_status(profiles, bench(target=70, phase="drawdown")), "B").loc[
            "2024", "status"
        ]
        == "no_projection"
    )
    # a timeline placing A's drawdown on 1 January 2026: the line gives 30 + 10 * 3.5 = 65
    timeline = pd.DataFrame({"mission": ["A"], "phase": ["drawdown"], "start": ["2026-01-01"]})
    st = rows(ml.benchmark_status(profiles, b, timeline=timeline))
    assert st.loc["2023", "deadline_basis"] == "timeline"
    assert st.loc["2023", "projected"] == pytest.approx(65.0)
    assert st.loc["2023", "status"] == "on_track"


def test_as_of(profiles: ml.Profiles) -> None:
    status = ml.benchmark_status(profiles, bench(target=60, deadline="2026"), as_of="2023-12")
    assert list(status["period"]) == ["2023-12", "2023-12"]
    a, b = status.iloc[0], status.iloc[1]
    assert a["score_period"] == "2023" and a["status"] == "on_track"
    assert b["status"] == "no_data"  # B's first period ends after December 2023


def test_trend_matches_numpy_polyfit_on_uneven_periods(tiny: ml.Framework) -> None:
    # independent computation: numpy.polyfit on the same midpoints (half-years and a year)
    data = pd.DataFrame(
        {
            "mission": ["A"] * 3,
            "period": ["2022-H1", "2022-H2", "2024"],
            "p1": [10, 35, 50],
            "p2": [10, 35, 50],
            "s1": [0, 0, 0],
        }
    )
    p = ml.score(data, framework=tiny)
    st = ml.benchmark_status(p, bench(target=90, deadline="2030"))
    t = [
        (2022 + (2022 + 181 / 365)) / 2,  # 1 Jan to 30 Jun 2022: days 1-181
        (2022 + 181 / 365 + 2023) / 2,
        2024.5,
    ]
    slope, intercept = np.polyfit(t, [10, 35, 50], 1)
    last = st.iloc[-1]
    assert last["slope_per_year"] == pytest.approx(slope)
    assert last["projected"] == pytest.approx(intercept + slope * 2031.0)


def test_decimal_year() -> None:
    assert decimal_year(pd.Timestamp("2024-01-01")) == 2024.0
    assert decimal_year(pd.Timestamp("2024-07-01")) == pytest.approx(2024 + 182 / 366)
    assert decimal_year(pd.Timestamp("2023-07-01")) == pytest.approx(2023 + 181 / 365)


def test_columns_are_stable(profiles: ml.Profiles) -> None:
    status = ml.benchmark_status(profiles, bench(target=60, deadline="2026"))
    assert tuple(status.columns) == STATUS_COLUMNS
    assert list(status["status"].cat.categories) == list(ml.BENCHMARK_STATUSES)
    assert status["source"].iloc[0] == "S/RES/0000 (2024), para 1"
    ready = ml.exit_readiness(profiles, bench(target=60, deadline="2026", kind="exit"))
    assert tuple(ready.columns) == READINESS_COLUMNS


# ------------------------------------------------------------------------- exit readiness
def test_exit_readiness_worked_example(profiles: ml.Profiles) -> None:
    bset = ml.BenchmarkSet(
        benchmarks=(
            bench(id="pol_exit", target=60, deadline="2026", kind="exit"),  # A on track, B met
            bench(id="sec_transition", node="sec", target=25, deadline="2024", kind="transition"),
            bench(id="index_drawdown", node="index", target=90, phase="drawdown"),  # not counted
        )
    )
    ready = ml.exit_readiness(profiles, bset).set_index("mission")
    # A in 2024: pol 50 < 60 on track; sec 30 >= 25 met -> 1 of 2
    assert ready.loc["A", "period"] == "2024" and ready.loc["A", "mission_phase"] == "drawdown"
    assert ready.loc["A", "n_benchmarks"] == 2 and ready.loc["A", "n_met"] == 1
    assert ready.loc["A", "share_met"] == 0.5 and ready.loc["A", "unmet"] == "pol_exit"
    assert ready.loc["A", "n_on_track"] == 1 and ready.loc["A", "n_no_data"] == 0
    # B in 2024: pol 60 met; sec has no score -> 1 of 2, the other without data
    assert ready.loc["B", "n_met"] == 1 and ready.loc["B", "n_no_data"] == 1
    assert ready.loc["B", "unmet"] == "sec_transition"
    # as of 2023: A has pol 40 (on track) and sec 20 (< 25, projected 25 at the deadline
    # t = 2025.0: 10 + 10 * 2.5 = 35 >= 25, on track); B has no data yet
    early = ml.exit_readiness(profiles, bset, period="2023").set_index("mission")
    assert early.loc["A", "n_met"] == 0 and early.loc["A", "n_on_track"] == 2
    assert early.loc["A", "unmet"] == "pol_exit,sec_transition"
    assert early.loc["B", "n_no_data"] == 2 and early.loc["B", "share_met"] == 0.0
    # the drawdown benchmark is counted when asked for
    drawdown = ml.exit_readiness(profiles, bset, kinds=["drawdown"]).set_index("mission")
    assert drawdown.loc["A", "n_benchmarks"] == 1 and drawdown.loc["A", "unmet"] == "index_drawdown"


def test_exit_readiness_lists_missions_in_profile_order(profiles: ml.Profiles) -> None:
    bset = [
        bench(id="z", mission="Z", target=60, deadline="2026", kind="exit"),
        bench(id="all", target=60, deadline="2026", kind="exit"),
    ]
    ready = ml.exit_readiness(profiles, bset)
    assert ready["mission"].tolist() == ["A", "B", "Z"]
    # "*" means every mission of the profiles: Z has its own benchmark only
    assert ready["n_benchmarks"].tolist() == [1, 1, 1]


def test_exit_readiness_refuses_an_unknown_kind(profiles: ml.Profiles) -> None:
    with pytest.raises(ml.ArgumentError, match="kinds"):
        ml.exit_readiness(profiles, bench(target=60, deadline="2026"), kinds=["exti"])


def test_met_probability_from_replications(profiles: ml.Profiles, tiny: ml.Framework) -> None:
    result = ml.uncertainty(profiles.data, framework=tiny, n=4, seed=1)
    # replace the replications by hand-made ones: pol of A in 2024 is 45, 55, 65, 75 -> with a
    # target of 60, 2 of 4 replications meet it
    scores = result.scores.copy()
    units = result.model.units
    u = int(np.flatnonzero((units["mission"] == "A") & (units["period"] == "2024"))[0])
    k = list(result.model.nodes).index("pol")
    scores[:, u, k] = [45.0, 55.0, 65.0, 75.0]
    crafted = ml.UncertaintyResult(result.model, scores, result.index)
    status = ml.benchmark_status(
        profiles, bench(target=60, deadline="2026", kind="exit"), uncertainty=crafted
    )
    row = status[(status["mission"] == "A") & (status["period"] == "2024")].iloc[0]
    assert row["met_probability"] == 0.5
    ready = ml.exit_readiness(
        profiles, bench(target=60, deadline="2026", kind="exit"), uncertainty=crafted
    ).set_index("mission")
    assert ready.loc["A", "met_probability"] == 0.5
    # raw targets have none
    raw = ml.benchmark_status(
        profiles, bench(node="s1", on="raw", target=5, deadline="2026"), uncertainty=crafted
    )
    assert raw["met_probability"].isna().all()


def test_uncertainty_of_other_data_is_refused(profiles: ml.Profiles, tiny: ml.Framework) -> None:
    other = profiles.data.assign(p1=profiles.data["p1"] + 1)
    result = ml.uncertainty(other, framework=tiny, n=2, seed=1)
    with pytest.raises(ml.ArgumentError, match="another data"):
        ml.benchmark_status(profiles, bench(target=60, deadline="2026"), uncertainty=result)


# --------------------------------------------------------------------- definition and YAML
def test_yaml_round_trip(tmp_path: Path) -> None:
    bset = ml.BenchmarkSet(
        title="Round trip",
        benchmarks=(
            bench(id="a", target=60, deadline="2026-06-30", kind="exit", note="ünïcödé"),
            bench(id="b", node="s1", on="raw", comparison="<=", target=0.25, phase="transition"),
            bench(
                id="c", mission="MINUSCA", node="sec", target=40, deadline="2025/26", view="tree"
            ),
        ),
    )
    path = tmp_path / "benchmarks.yaml"
    text = bset.to_yaml(path)
    assert path.read_text(encoding="utf-8") == text
    assert ml.BenchmarkSet.from_yaml(path) == bset
    assert ml.load_benchmarks(str(path)) == bset
    assert ml.BenchmarkSet.from_yaml(text) == bset
    assert "'on': raw" in text  # quoted: an unquoted on is a YAML 1.1 boolean


def test_yaml_dates_and_unquoted_on_key(tiny: ml.Framework) -> None:
    bset = ml.BenchmarkSet.from_yaml(
        """
benchmarks:
  - {id: a, node: s1, on: raw, target: 3, deadline: 2026-06-30, kind: exit, source: plan}
  - {id: b, node: pol, target: 50, deadline: 2026, source: plan}
""",
        framework=tiny,
    )
    assert bset.benchmarks[0].on == "raw" and bset.benchmarks[0].deadline == "2026-06-30"
    assert bset.benchmarks[1].deadline == "2026" and bset.benchmarks[1].kind == "other"


def test_every_problem_of_a_bad_file_at_once(tmp_path: Path, tiny: ml.Framework) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        """
title: Bad
benchmarks:
  - {id: unknown_node, node: pool, target: 60, deadline: 2026, source: plan}
  - {id: no_source, node: pol, target: 60, deadline: 2026}
  - {id: bad_comparison, node: pol, target: 60, comparison: ">", deadline: 2026, source: plan}
  - {id: bad_deadline, node: pol, target: 60, deadline: 2026-13, source: plan}
  - {id: no_when, node: pol, target: 60, source: plan, colour: red}
  - {id: raw_node, node: pol, on: raw, target: 60, deadline: 2026, source: plan}
  - {id: unknown_node, node: sec, target: 60, phase: exitt, deadline: 2026, source: plan}
""",
        encoding="utf-8",
    )
    with pytest.raises(ml.BenchmarkError) as info:
        ml.BenchmarkSet.from_yaml(path, framework=tiny)
    problems = info.value.problems
    assert set(problems["file"]) == {str(path)}
    found = set(zip(problems["path"], problems["check"], strict=True))
    assert found == {
        ("benchmarks[0].node", "unknown_node"),
        ("benchmarks[1].source", "missing_source"),
        ("benchmarks[2].comparison", "bad_comparison"),
        ("benchmarks[3].deadline", "bad_deadline"),
        ("benchmarks[4]", "no_phase_or_deadline"),
        ("benchmarks[4].colour", "unknown_field"),
        ("benchmarks[5].on", "raw_needs_indicator"),
        ("benchmarks[6].id", "duplicate_id"),
        ("benchmarks[6].phase", "unknown_phase"),
    }
    message = str(info.value)
    assert "9 problems in benchmark set" in message and str(path) in message
    assert "cite the resolution" in message
    assert "did you mean 'pol'?" in message
    assert "not a month" in message  # the period parser's own words for 2026-13
    # without a framework the field problems are still all reported
    with pytest.raises(ml.BenchmarkError) as info:
        ml.BenchmarkSet.from_yaml(path)
    assert len(info.value.problems) == 6


def test_unknown_node_is_refused_when_evaluated(profiles: ml.Profiles, tmp_path: Path) -> None:
    with pytest.raises(ml.BenchmarkError, match="unknown_node") as info:
        ml.benchmark_status(profiles, [bench(id="x", node="pool", target=1, deadline="2026")])
    assert info.value.problems["id"].tolist() == ["x"]
    # a file given by path: the problems name it
    path = tmp_path / "b.yaml"
    ml.BenchmarkSet(benchmarks=(bench(id="x", node="pool", target=1, deadline="2026"),)).to_yaml(
        path
    )
    with pytest.raises(ml.BenchmarkError) as info:
        ml.benchmark_status(profiles, path)
    assert info.value.problems["file"].tolist() == [str(path)]
    assert info.value.problems["path"].tolist() == ["benchmarks[0].node"]


def test_python_definitions_are_checked() -> None:
    with pytest.raises(ValueError, match="phase, a deadline or both"):
        bench(target=60)
    with pytest.raises(ValueError, match="outside the profile scale"):
        bench(target=150, deadline="2026")
    assert bench(target=150, deadline="2026", on="raw", node="p1").target == 150
    with pytest.raises(ValueError, match="unique"):
        ml.BenchmarkSet(benchmarks=(bench(deadline="2026", target=1),) * 2)


def test_bad_arguments(profiles: ml.Profiles) -> None:
    with pytest.raises(ml.ArgumentError, match="as_of"):
        ml.benchmark_status(profiles, bench(target=1, deadline="2026"), as_of="soon")
    with pytest.raises(ml.ArgumentError, match="BenchmarkSet"):
        ml.benchmark_status(profiles, 42)  # type: ignore[arg-type]
    with pytest.raises(ml.ArgumentError, match="Benchmark objects"):
        ml.benchmark_status(profiles, [{"id": "x"}])  # type: ignore[list-item]
    with pytest.raises(ml.ArgumentError, match="start"):
        ml.benchmark_status(
            profiles, bench(target=1, phase="exit"), timeline=pd.DataFrame({"mission": ["A"]})
        )
    with pytest.raises(ml.ArgumentError, match="not found"):
        ml.load_benchmarks("missing.yaml")


def test_benchmarks_leave_the_framework_fingerprint_alone() -> None:
    v1 = ml.load_framework("whole-of-mission@1")
    v2 = ml.load_framework("whole-of-mission")
    before = v2.fingerprint
    bset = ml.load_benchmarks(framework=v2)
    assert bset.check(v2).empty
    assert v1.fingerprint == "e148808d509ea573" and v2.fingerprint == before
    assert not hasattr(v2, "benchmarks")  # a framework carries no targets


def test_bundled_example_is_labelled_illustrative() -> None:
    bset = ml.load_benchmarks()
    assert "invented" in bset.title and len(bset) >= 5
    assert all("illustrative" in b.source for b in bset)
    assert {b.kind for b in bset} >= {"transition", "exit"}
