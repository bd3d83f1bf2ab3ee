"""Plots: every function rendered to PNG, checked through its artists."""

from __future__ import annotations

import itertools
from itertools import pairwise
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

import missionlens as ml
from missionlens.plot import (
    OKABE_ITO,
    plot_comparison,
    plot_facets,
    plot_lifecycle,
    plot_profile,
    sort_periods,
)

PHASE = {"2023": "implementation", "2024-H1": "drawdown", "2024-H2": "transition"}


@pytest.fixture(scope="module")
def small(small_framework: ml.Framework) -> ml.Profiles:
    """Three missions over three periods of mixed length, given out of order.

    C lacks pol_01 in every period; pol_01 applies only in implementation (2023 here), so C's
    ``pol`` and root scores are missing in 2023 and present later. B lacks pol_02 in 2023, so
    its ``pol`` score rests on half of the indicators (coverage 0.5).
    """
    rows = []
    for period in ("2024-H2", "2023", "2024-H1"):
        for k, mission in enumerate(("A", "B", "C")):
            rows.append(
                {
                    "mission": mission,
                    "period": period,
                    "phase": PHASE[period],
                    # pol_01 applies in implementation only, env_03 in drawdown and exit only:
                    # an entry where an indicator does not apply is refused
                    "pol_01": [5, 2, np.nan][k] if PHASE[period] == "implementation" else np.nan,
                    "pol_02": [4, np.nan if period == "2023" else 1, 3][k],
                    "env_01": [0.5, 2.0, 4.0][k],
                    "env_02": [1, 0, 1][k],
                    "env_03": [3, 3, 5][k] if PHASE[period] == "drawdown" else np.nan,
                }
            )
    return ml.score(pd.DataFrame(rows), framework=small_framework)


@pytest.fixture(scope="module")
def whole(wom: ml.Framework) -> ml.Profiles:
    """Two missions, two years, every rubric indicator of the whole-of-mission framework that
    applies in implementation."""
    rng = np.random.default_rng(7)
    rubric = [
        i.id
        for i in wom.indicators_in_phase("implementation")
        if wom.scale_of(i.id).kind == "rubric"
    ]
    rows = [
        {"mission": m, "period": y, "phase": "implementation"}
        | dict(zip(rubric, rng.integers(1, 6, len(rubric)).tolist(), strict=True))
        for m in ("MINUSMA", "UNMISS")
        for y in ("2022", "2023")
    ]
    return ml.score(pd.DataFrame(rows), framework=wom)


def _scores(profiles: ml.Profiles, period: str, view: str = "tree") -> pd.DataFrame:
    table = profiles.to_frame(view)
    table = table[table["period"] == period]
    return table.assign(mission=table["mission"].astype(str), node=table["node"].astype(str))


def _render(ax: Axes | Figure, tmp_path: Path, name: str) -> None:
    """Draw to PNG on the Agg backend (catches errors raised only at draw time)."""
    figure = ax if isinstance(ax, Figure) else ax.get_figure(root=True)
    assert figure is not None
    path = tmp_path / f"{name}.png"
    figure.savefig(path, dpi=60)
    assert path.stat().st_size > 1000


def _markers(ax: Axes, mission: str) -> dict[str, Line2D]:
    prefix = f"score:{mission}:"
    return {
        str(line.get_gid())[len(prefix) :]: line
        for line in ax.lines
        if str(line.get_gid()).startswith(prefix)
    }


@pytest.fixture
def ax() -> Axes:
    _, new = plt.subplots()
    return new


# ------------------------------------------------------------------------------------ periods
@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (["2024", "2022", "2023"], ["2022", "2023", "2024"]),
        (["2024-H2", "2023-Q4", "2024", "2024-H1"], ["2023-Q4", "2024-H1", "2024", "2024-H2"]),
        (["2024-Q3", "2024-q1", "2023-Q4"], ["2023-Q4", "2024-q1", "2024-Q3"]),
        (["2024-03", "2023-12", "2024-01"], ["2023-12", "2024-01", "2024-03"]),
        (["2024-03-15", "2024-03-02", "2023-12-31"], ["2023-12-31", "2024-03-02", "2024-03-15"]),
        ([2024, 2022.0, None, 2023, 2022], ["2022", "2023", "2024"]),
        # UN financial years (July to June), alone and among calendar years
        (["2023/24", "2021/22", "2022/23"], ["2021/22", "2022/23", "2023/24"]),
        (["2024", "2023/24", "2023", "2024/25"], ["2023", "2023/24", "2024", "2024/25"]),
        # halves written as semesters, with or without the dash, in any case
        (["2024-S2", "2024-H1", "2023s2"], ["2023s2", "2024-H1", "2024-S2"]),
        # quarters among halves and years
        (["2024-Q4", "2024-H1", "2024-Q1", "2024"], ["2024-Q1", "2024-H1", "2024", "2024-Q4"]),
        # ranges of dates, ordered by midpoint like any other period; the first two share
        # theirs (noon on 15 February), so the earlier start comes first
        (
            ["2024-07-01/2024-12-31", "2024-02-01/2024-02-29", "2024-01-01/2024-03-31"],
            ["2024-01-01/2024-03-31", "2024-02-01/2024-02-29", "2024-07-01/2024-12-31"],
        ),
        (
            ["2024-03-01/2024-03-31", "2024-01-01/2024-01-10", "2023-12-20/2024-01-31"],
            ["2024-01-01/2024-01-10", "2023-12-20/2024-01-31", "2024-03-01/2024-03-31"],
        ),
        (
            ["2024-01-01/2024-12-31", "2023/24", "2024-Q3"],
            ["2023/24", "2024-01-01/2024-12-31", "2024-Q3"],
        ),
        # any label the library's parse_period refuses: the given order is kept
        (["cycle 2", "cycle 1", "2024"], ["cycle 2", "cycle 1", "2024"]),
        (["2024-13", "2024-01"], ["2024-13", "2024-01"]),
        (["2024-03", "2024-1"], ["2024-03", "2024-1"]),
        (["2024/26", "2023/24"], ["2024/26", "2023/24"]),
        (["2024-06-30/2024-01-01", "2023"], ["2024-06-30/2024-01-01", "2023"]),
    ],
)
def test_sort_periods(given: list[object], expected: list[str]) -> None:
    assert sort_periods(given) == expected


def test_sort_periods_uses_the_library_parser() -> None:
    """Every label the plots place on a time axis is one that ml.parse_period accepts."""
    labels = [
        "2024",
        "2024-S1",
        "2024-q3",
        "2024-03",
        "2024-03-15",
        "2023/24",
        "2024-01-01/2024-01-31",
    ]
    for label in labels:
        ml.parse_period(label)  # does not raise
    assert sorted(sort_periods(labels)) == sorted(labels)
    assert sort_periods(labels) == sorted(labels, key=lambda k: _midpoint(ml.parse_period(k)))


def _midpoint(period: ml.Period) -> pd.Timestamp:
    return period.start + (period.end + pd.Timedelta(days=1) - period.start) / 2


# ------------------------------------------------------------------------------- plot_profile
def test_profile_draws_scores_on_the_given_axes(
    small: ml.Profiles, ax: Axes, tmp_path: Path
) -> None:
    out = plot_profile(small, mission="A", period="2023", ax=ax)
    assert out is ax
    _render(ax, tmp_path, "profile")
    expected = _scores(small, "2023").set_index(["mission", "node"])["score"]
    drawn = _markers(ax, "A")
    assert set(drawn) == {"pol", "env"}
    for node, line in drawn.items():
        assert line.get_xdata()[0] == pytest.approx(expected[("A", node)])
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["Political process", "Operating environment"]
    assert ax.get_xlim() == (0, 100) and ax.get_xlabel().startswith("Score (0–100")
    assert ax.get_title() == "A, 2023 (implementation): scores by dimension"


def test_profile_defaults_to_the_latest_period(small: ml.Profiles, ax: Axes) -> None:
    plot_profile(small, mission="A", ax=ax)
    assert ax.get_title().startswith("A, 2024-H2")


def test_profile_missing_score_is_marked_not_drawn_at_zero(small: ml.Profiles, ax: Axes) -> None:
    plot_profile(small, mission="C", period="2023", ax=ax)
    assert "pol" not in _markers(ax, "C") and "env" in _markers(ax, "C")
    assert all(line.get_xdata()[0] != 0 for line in _markers(ax, "C").values())
    # C rated pol_02 but not pol_01 (a third of pol's weight, below min_share 0.5): the row
    # says "no score", not "no data" (there is data; too little of the weight is rated)
    assert [t.get_text() for t in ax.texts if t.get_gid() == "no-data"] == ["no score"]
    # the stem of the missing score is absent too: only env has one
    stems = [line for line in ax.lines if line.get_gid() is None]
    assert len(stems) == 1


def test_profile_comparisons_are_distinct_and_partial_coverage_is_hollow(
    small: ml.Profiles, ax: Axes
) -> None:
    plot_profile(small, mission="A", compare=["B", "C"], period="2023", ax=ax)
    shapes = {m: next(iter(_markers(ax, m).values())).get_marker() for m in "ABC"}
    assert len(set(shapes.values())) == 3
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()][:3] == ["A", "B", "C"]
    b_pol = _markers(ax, "B")["pol"]  # weight share 1 / 1.5
    assert to_hex(b_pol.get_markerfacecolor()) == "#ffffff"
    assert to_hex(_markers(ax, "A")["pol"].get_markerfacecolor()) == OKABE_ITO[0].lower()
    assert "no score: C" in [t.get_text() for t in ax.texts]


def test_profile_coverage_is_annotated(small: ml.Profiles, ax: Axes) -> None:
    plot_profile(small, mission="B", period="2023", ax=ax)
    # pol_01 (weight 1) rated, pol_02 (weight 0.5) not: 1 / 1.5 of pol's weight
    assert "67% of weight rated" in [t.get_text() for t in ax.texts]


def test_profile_facet_view_and_subdimensions(small: ml.Profiles, ax: Axes) -> None:
    plot_profile(small, mission="A", node_type="level", period="2023", ax=ax)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Strategic", "Operational", "Tactical"]
    _, other = plt.subplots()
    plot_profile(small, mission="A", node_type="subdimension", period="2023", ax=other)
    assert [t.get_text() for t in other.get_yticklabels()] == ["Security"]


def test_profile_accepts_a_tidy_frame(ax: Axes) -> None:
    table = pd.DataFrame({"mission": ["X", "X"], "node": ["alpha", "beta"], "score": [20.0, 90.0]})
    plot_profile(table, ax=ax)
    assert _markers(ax, "X")["beta"].get_xdata()[0] == 90.0


# ---------------------------------------------------------------------------- plot_comparison
def test_comparison_cells_show_rounded_scores_and_dashes(
    small: ml.Profiles, ax: Axes, tmp_path: Path
) -> None:
    out = plot_comparison(small, period="2023", ax=ax)
    assert out is ax
    _render(ax, tmp_path, "comparison")
    grid = small.wide(node_type="dimension").xs("2023", level="period")
    # C's pol has pol_02 rated but too little weight for a score: "no score", not "no data"
    expected = [
        "no score" if np.isnan(v) else str(int(np.floor(v + 0.5))) for v in grid.to_numpy().ravel()
    ]
    assert [t.get_text() for t in ax.texts if t.get_gid() == "cell"] == expected
    assert "no score" in expected  # C's pol
    hatched = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_gid() == "no-data"]
    assert len(hatched) == expected.count("no score") and hatched[0].get_hatch() == "///"
    # B's pol rests on 1 / 1.5 of its weight (pol_02 unrated): a dotted border
    assert len([p for p in ax.patches if p.get_gid() == "partial"]) == 1
    (image,) = ax.images
    assert image.get_cmap().name.startswith("cividis") and image.get_clim() == (0, 100)
    assert [t.get_text() for t in ax.get_yticklabels()] == [f"{m}\n(implementation)" for m in "ABC"]
    assert len(ax.get_figure(root=True).axes) == 2  # heatmap and colorbar


def test_comparison_text_contrasts_with_its_cell(ax: Axes) -> None:
    table = pd.DataFrame({"mission": ["low", "high"], "node": ["n", "n"], "score": [2.0, 98.0]})
    plot_comparison(table, ax=ax)
    low, high = (t for t in ax.texts if t.get_gid() == "cell")
    assert to_hex(low.get_color()) == "#ffffff" and to_hex(high.get_color()) == "#000000"


def test_comparison_of_many_nodes_puts_them_in_rows(whole: ml.Profiles, ax: Axes) -> None:
    plot_comparison(whole, node_type="finding", missions=["UNMISS", "MINUSMA"], ax=ax)
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert len(rows) == 22 and rows[0] == "1. Primacy of politics"
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "UNMISS\n(implementation)",
        "MINUSMA\n(implementation)",
    ]
    assert ax.get_title() == "Cairo 2018 finding, 2023"


# ----------------------------------------------------------------------------- plot_lifecycle
def test_lifecycle_one_line_per_mission_in_time_order(
    small: ml.Profiles, ax: Axes, tmp_path: Path
) -> None:
    out = plot_lifecycle(small, node="env", ax=ax)
    assert out is ax
    _render(ax, tmp_path, "lifecycle")
    lines = [line for line in ax.lines if line.get_label() in {"A", "B", "C"}]
    assert [line.get_label() for line in lines] == ["A", "B", "C"]
    xs = lines[0].get_xdata()
    assert list(xs) == sorted(xs) and len(xs) == 3
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2023", "2024-H1", "2024-H2"]
    assert ax.get_title() == "Operating environment"
    assert {t.get_text() for t in ax.texts if t.get_gid() == "direct-label"} == {"A", "B", "C"}


def test_lifecycle_series_differ_without_colour(whole: ml.Profiles, ax: Axes) -> None:
    frame = pd.DataFrame(
        {
            "mission": [f"M{k}" for k in range(28) for _ in range(2)],
            "period": ["2023", "2024"] * 28,
            "score": np.linspace(5, 95, 56),
        }
    )
    plot_lifecycle(frame, ax=ax)
    # colour aside, every series has its own marker and line style pair (grayscale-safe),
    # and neighbours differ in both
    styles = [(line.get_marker(), line.get_linestyle()) for line in ax.lines]
    assert len(styles) == 28 and len(set(styles)) == 28
    assert all(a[0] != b[0] and a[1] != b[1] for a, b in pairwise(styles))
    assert {to_hex(line.get_color()) for line in ax.lines[:8]} == {c.lower() for c in OKABE_ITO}


def test_lifecycle_missing_score_is_a_gap(small: ml.Profiles, ax: Axes) -> None:
    plot_lifecycle(small, missions=["A", "C"], ax=ax)  # the root: C's is missing in 2023
    (c_line,) = [line for line in ax.lines if line.get_label() == "C"]
    ys = np.asarray(c_line.get_ydata(), dtype=float)
    assert np.isnan(ys[0]) and not np.isnan(ys[1:]).any() and not (ys == 0).any()


def test_lifecycle_absent_period_is_a_gap_not_a_bridge(ax: Axes) -> None:
    frame = pd.DataFrame(
        {
            "mission": ["A", "A", "B", "B", "B"],
            "period": [2019, 2021, 2019, 2020, 2021],
            "score": [10.0, 30.0, 50.0, 60.0, 70.0],
        }
    )
    plot_lifecycle(frame, ax=ax, phase=None)
    ys = np.asarray(ax.lines[0].get_ydata(), dtype=float)
    assert ys[0] == 10 and np.isnan(ys[1]) and ys[2] == 30


def test_lifecycle_connect_absent_joins_the_assessed_periods(ax: Axes) -> None:
    # A was assessed in 2019 and 2021 only: one segment across 2020, spaced by date
    frame = pd.DataFrame(
        {
            "mission": ["A", "A", "A", "B", "B", "B"],
            "period": [2019, 2021, 2022, 2019, 2020, 2021],
            "score": [10.0, 30.0, np.nan, 50.0, 60.0, 70.0],
        }
    )
    plot_lifecycle(frame, ax=ax, phase=None, connect_absent=True)
    a_line = ax.lines[0]
    ys = np.asarray(a_line.get_ydata(), dtype=float)
    xs = np.asarray(a_line.get_xdata(), dtype=float)
    assert ys[0] == 10 and ys[1] == 30 and np.isnan(ys[2])  # a missing score stays a gap
    assert xs[1] - xs[0] == pytest.approx(2 * (xs[2] - xs[1]), rel=0.01)  # two years, then one


def test_lifecycle_single_mission_has_labelled_phase_bands(
    small: ml.Profiles, ax: Axes, tmp_path: Path
) -> None:
    plot_lifecycle(small, missions=["A"], ax=ax)
    _render(ax, tmp_path, "lifecycle-bands")
    bands = [str(p.get_gid()) for p in ax.patches if str(p.get_gid()).startswith("phase:")]
    assert bands == ["phase:implementation", "phase:drawdown", "phase:transition"]
    hatches = [p.get_hatch() for p in ax.patches if str(p.get_gid()).startswith("phase:")]
    assert len(set(hatches)) == 3
    labels = [t.get_text() for t in ax.texts if t.get_gid() == "phase-label"]
    assert [label.replace("\n", " ") for label in labels] == [
        "Implementation",
        "Drawdown",
        "Transition",
    ]


def test_lifecycle_several_missions_have_a_phase_strip(
    small: ml.Profiles, ax: Axes, tmp_path: Path
) -> None:
    plot_lifecycle(small, node="env", ax=ax)
    _render(ax, tmp_path, "lifecycle-strip")
    (strip,) = ax.child_axes
    assert [t.get_text() for t in strip.get_yticklabels()] == ["A", "B", "C"]
    bars = [str(p.get_gid()) for p in strip.patches]
    assert bars.count("phase:B:drawdown") == 1 and len(bars) == 9
    assert not [p for p in ax.patches if str(p.get_gid()).startswith("phase:")]


def test_lifecycle_plain_frame_of_raw_values(ax: Axes) -> None:
    frame = pd.DataFrame(
        {
            "mission": ["UNMIL"] * 3,
            "year": [2005, 2004, 2006],
            "deaths_per_1000": [0.3, 0.1, 0.2],
        }
    )
    plot_lifecycle(frame, x="year", y="deaths_per_1000", ax=ax)
    assert list(ax.lines[0].get_ydata()) == [0.1, 0.3, 0.2]
    assert ax.get_ylabel() == "Deaths per 1000" and ax.get_ylim()[1] < 1
    assert ax.get_xlabel() == "Year"


def test_lifecycle_default_node_is_the_root(whole: ml.Profiles, ax: Axes) -> None:
    plot_lifecycle(whole, ax=ax)
    assert ax.get_title() == "Whole-of-mission performance"
    root = whole.wide(node_type="root")["wom"]
    (line,) = [line for line in ax.lines if line.get_label() == "UNMISS"]
    assert list(line.get_ydata()) == pytest.approx(root.xs("UNMISS").tolist())


def test_lifecycle_facet_value_and_unparsed_periods(ax: Axes) -> None:
    frame = pd.DataFrame(
        {
            "mission": ["A"] * 3,
            "period": ["cycle 2", "cycle 1", "cycle 3"],
            "view": ["level"] * 3,
            "node": ["strategic"] * 3,
            "score": [50.0, 40.0, 60.0],
        }
    )
    plot_lifecycle(frame, node="strategic", ax=ax)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cycle 2", "cycle 1", "cycle 3"]
    assert list(ax.lines[0].get_xdata()) == [0, 1, 2]


# -------------------------------------------------------------------------------- plot_facets
def test_facets_bars_counts_and_a_true_zero(small: ml.Profiles, ax: Axes, tmp_path: Path) -> None:
    out = plot_facets(small, mission="C", view="finding", period="2023", ax=ax)
    assert out is ax
    _render(ax, tmp_path, "facets")
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "1. Primacy of politics",
        "14. Safety and security",
        "16. Comprehensive performance\nassessment",
    ]
    # C lacks pol_01: findings 1 and 16 have no data; finding 14 (env_01 alone) truly scores 0
    bars = {str(p.get_gid()): p for p in ax.patches if str(p.get_gid()).startswith("score:")}
    assert list(bars) == ["score:14"] and bars["score:14"].get_width() == 0
    texts = [(t.get_text(), t.get_position()[1]) for t in ax.texts]
    assert texts == [("no data", 0), ("0 (n = 1)", 1), ("no data", 2)]
    assert ax.get_title() == "C, 2023 (implementation): Cairo finding"


def test_facets_partial_coverage_is_hatched_and_counted(ax: Axes) -> None:
    table = pd.DataFrame(
        {
            "mission": ["A"] * 3,
            "view": ["level"] * 3,
            "node": ["strategic", "operational", "tactical"],
            "score": [70.0, 55.0, np.nan],
            "n_indicators": [4, 2, 0],
            "coverage": [1.0, 0.5, 0.0],
        }
    )
    plot_facets(table, mission="A", ax=ax)
    bars = [p for p in ax.patches if str(p.get_gid()).startswith("score:")]
    assert [b.get_width() for b in bars] == [70.0, 55.0]
    assert [b.get_hatch() for b in bars] == [None, "///"]
    assert [t.get_text() for t in ax.texts] == ["70 (n = 4)", "55 (n = 2 of 4)", "no data"]


@pytest.mark.parametrize(
    ("view", "size"),
    [("finding", (7.5, 10.0)), ("level", (7.5, 3.0)), ("a4p", (7.5, 4.0))],
)
def test_facets_row_labels_do_not_crowd(
    whole: ml.Profiles, view: str, size: tuple[float, float], tmp_path: Path
) -> None:
    """At the sizes of docs/plotting.md the 22 findings (some of 3 lines at the old wrap width
    of 34) overlapped their neighbours; every label now fits its row."""
    fig, ax = plt.subplots(figsize=size, layout="constrained")
    plot_facets(whole, mission="UNMISS", view=view, ax=ax)
    _render(ax, tmp_path, f"facets-{view}")
    renderer = fig.canvas.get_renderer()
    ticks = [t for t in ax.get_yticklabels() if t.get_text()]
    assert len(ticks) == {"finding": 22, "level": 3, "a4p": 9}[view]
    assert all(t.get_text().count("\n") < 2 for t in ticks)  # at most two lines
    boxes = [t.get_window_extent(renderer) for t in ticks]
    for (i, a), (j, b) in itertools.combinations(enumerate(boxes), 2):
        assert not a.overlaps(b), (ticks[i].get_text(), ticks[j].get_text())
    plt.close(fig)


def test_profile_row_labels_do_not_crowd(whole: ml.Profiles, tmp_path: Path) -> None:
    """docs/plotting.md suggests node_type="subdimension" at 7.5 x 4 in: its 14 two-line
    labels overlapped; they now fit their rows."""
    fig, ax = plt.subplots(figsize=(7.5, 4), layout="constrained")
    plot_profile(whole, mission="MINUSMA", compare="UNMISS", node_type="subdimension", ax=ax)
    _render(ax, tmp_path, "profile-subdimensions")
    renderer = fig.canvas.get_renderer()
    ticks = [t for t in ax.get_yticklabels() if t.get_text()]
    assert len(ticks) == 14 and min(t.get_fontsize() for t in ticks) >= 6
    boxes = [t.get_window_extent(renderer) for t in ticks]
    for (i, a), (j, b) in itertools.combinations(enumerate(boxes), 2):
        assert not a.overlaps(b), (ticks[i].get_text(), ticks[j].get_text())
    plt.close(fig)


def test_facets_score_axis_runs_from_0_to_100(ax: Axes, tmp_path: Path) -> None:
    """The axis stops at 100 (it ran to 116 to hold the annotations); an annotation that would
    pass 100 is written inside its bar's end instead."""
    table = pd.DataFrame(
        {"mission": ["A"] * 2, "node": ["x", "y"], "score": [100.0, 40.0], "n_indicators": [3, 1]}
    )
    plot_facets(table, mission="A", ax=ax)
    _render(ax, tmp_path, "facets-axis")
    assert ax.get_xlim() == (0, 100) and max(ax.get_xticks()) == 100
    full, short = ax.texts[:2]
    assert full.get_text() == "100 (n = 3)" and full.get_position()[0] < 100
    assert full.get_ha() == "right" and full.get_color() == "white"
    assert short.get_ha() == "left" and short.get_position()[0] > 40


# -------------------------------------------------------------------------------- behaviour
def test_no_axes_given_uses_a_new_figure_and_never_shows(
    small: ml.Profiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse() -> None:
        raise AssertionError("plt.show() called")

    monkeypatch.setattr(plt, "show", refuse)
    for draw in (
        lambda: plot_profile(small, mission="A"),
        lambda: plot_comparison(small),
        lambda: plot_lifecycle(small),
        lambda: plot_facets(small, mission="A"),
    ):
        plt.close("all")
        ax = draw()
        assert len(plt.get_fignums()) == 1 and ax.get_figure(root=True) is plt.gcf()
    # with a figure open, the current Axes is used (as in seaborn)
    assert plot_profile(small, mission="B") is plt.gca()


def test_style_constants() -> None:
    assert len(OKABE_ITO) == 8 and len(set(OKABE_ITO)) == 8
    assert OKABE_ITO[-1] == "#F0E442"  # yellow, the hardest to see on white, comes last


# ------------------------------------------------------------------------------------ errors
@pytest.mark.parametrize(
    ("call", "error", "pattern"),
    [
        (lambda p: plot_profile(p), ValueError, r"3 missions; choose one with mission=.*A, B, C"),
        (lambda p: plot_profile(p, mission="Z"), KeyError, r"unknown mission 'Z'.*A, B, C"),
        (lambda p: plot_profile(p, mission="A", compare=["Y"]), KeyError, r"'Y'.*A, B, C"),
        (
            lambda p: plot_profile(p, mission="A", period="2030"),
            KeyError,
            r"unknown period '2030'; periods in data: 2023, 2024-H1, 2024-H2",
        ),
        (
            lambda p: plot_profile(p, mission="A", node_type="branch"),
            KeyError,
            r"node_type 'branch'.*dimension.*facet views: level, finding, a4p",
        ),
        (lambda p: plot_comparison(p, missions=["A", "Q"]), KeyError, r"unknown mission 'Q'"),
        (lambda p: plot_lifecycle(p, node="nope"), KeyError, r"unknown node 'nope'.*index, pol"),
        (lambda p: plot_lifecycle(p, phase="stage"), KeyError, r"no phase column 'stage'"),
        (lambda p: plot_facets(p, mission="A", view="colour"), KeyError, r"'colour'.*level"),
        (lambda p: plot_facets(p, mission="Z"), KeyError, r"unknown mission 'Z'"),
        (
            lambda p: plot_profile(p.to_frame().drop(columns="period"), mission="A"),
            ValueError,
            r"one row per mission and node is needed, but data has 3 rows with mission='A'",
        ),
        (lambda p: plot_lifecycle(42), TypeError, r"Profiles object or a pandas DataFrame"),
    ],
)
def test_errors_name_the_problem(
    small: ml.Profiles, call: object, error: type[Exception], pattern: str
) -> None:
    assert callable(call)
    with pytest.raises(error, match=pattern):
        call(small)


def test_missing_columns_are_named() -> None:
    table = pd.DataFrame({"mission": ["A"], "node": ["x"], "value": [1.0]})
    with pytest.raises(KeyError, match=r"no column 'score'; it needs .* has 'mission', 'node'"):
        plot_comparison(table)
    with pytest.raises(KeyError, match=r"no columns 'score', 'n_indicators'"):
        plot_facets(table, mission="A")
    with pytest.raises(KeyError, match=r"no column 'period'"):
        plot_lifecycle(table.rename(columns={"value": "score"}))


def test_text_scores_and_duplicates_are_refused() -> None:
    text = pd.DataFrame({"mission": ["A"], "node": ["x"], "score": ["high"]})
    with pytest.raises(ValueError, match=r"column 'score' must be numeric.*'high'"):
        plot_profile(text)
    dup = pd.DataFrame({"mission": ["A", "A"], "period": [2024, 2024], "score": [1.0, 2.0]})
    with pytest.raises(ValueError, match=r"2 rows with mission='A', period='2024'"):
        plot_lifecycle(dup)
    many = pd.DataFrame(
        {"mission": ["A", "A"], "period": [2024, 2024], "node": ["x", "y"], "score": [1.0, 2.0]}
    )
    with pytest.raises(ValueError, match=r"2 nodes and none is the root.*x, y"):
        plot_lifecycle(many)


def test_lifecycle_mission_without_periods_is_named_not_an_index_error() -> None:
    """A mission whose rows all lack a period used to fail with a bare IndexError."""
    table = pd.DataFrame(
        {"mission": ["A", "A", "B"], "period": ["2023", "2024", None], "score": [50.0, 60.0, 70.0]}
    )
    with pytest.raises(ValueError, match=r"no rows with a 'period' value for mission B; leave"):
        plot_lifecycle(table)


def test_lifecycle_uses_period_start_when_given(ax: Axes) -> None:
    frame = pd.DataFrame(
        {
            "mission": ["A"] * 3,
            "period": ["FY24", "FY22", "FY23"],
            "period_start": pd.to_datetime(["2023-07-01", "2021-07-01", "2022-07-01"]),
            "score": [30.0, 10.0, 20.0],
        }
    )
    plot_lifecycle(frame, ax=ax)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["FY22", "FY23", "FY24"]
    assert list(ax.lines[0].get_ydata()) == [10.0, 20.0, 30.0]
    assert ax.lines[0].get_xdata()[0] == pytest.approx(2021.5, abs=0.01)


def test_lifecycle_refuses_two_starts_for_one_period() -> None:
    """Two missions giving "cycle 1" different starts: one start used to win silently."""
    frame = pd.DataFrame(
        {
            "mission": ["A", "B"],
            "period": ["cycle 1", "cycle 1"],
            "period_start": pd.to_datetime(["2020-01-01", "2021-01-01"]),
            "score": [10.0, 20.0],
        }
    )
    with pytest.raises(ValueError, match=r"'cycle 1' has 2 different period_start values"):
        plot_lifecycle(frame)


def test_lifecycle_financial_years_in_time_order(ax: Axes, tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "mission": ["A"] * 3,
            "period": ["2023/24", "2021/22", "2022/23"],
            "score": [30.0, 10.0, 20.0],
        }
    )
    plot_lifecycle(frame, ax=ax)
    _render(ax, tmp_path, "lifecycle-financial-years")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2021/22", "2022/23", "2023/24"]
    assert list(ax.lines[0].get_ydata()) == [10.0, 20.0, 30.0]
    # a financial year runs July to June: its midpoint is the turn of the calendar year
    xs = np.asarray(ax.lines[0].get_xdata(), dtype=float)
    assert xs.tolist() == pytest.approx([2022.0, 2023.0, 2024.0], abs=0.01)


def test_lifecycle_halves_quarters_and_date_ranges_share_a_time_axis(ax: Axes) -> None:
    frame = pd.DataFrame(
        {
            "mission": ["A"] * 4,
            "period": ["2024-S2", "2024-01-01/2024-03-31", "2023-Q4", "2024-04-01/2024-06-30"],
            "score": [40.0, 20.0, 10.0, 30.0],
        }
    )
    plot_lifecycle(frame, ax=ax)
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "2023-Q4",
        "2024-01-01/2024-03-31",
        "2024-04-01/2024-06-30",
        "2024-S2",
    ]
    assert list(ax.lines[0].get_ydata()) == [10.0, 20.0, 30.0, 40.0]
    xs = np.asarray(ax.lines[0].get_xdata(), dtype=float)
    assert xs[0] == pytest.approx(2023.875, abs=0.01) and xs[3] == pytest.approx(2024.75, abs=0.01)


# ------------------------------------------------------------------------------ direct labels
def _close_ends(values: list[float], periods: tuple[str, ...] = ("2015", "2016")) -> pd.DataFrame:
    """One mission per value, ending on that value in the last period."""
    return pd.DataFrame(
        {
            "mission": [f"Mission {k}" for k in range(len(values)) for _ in periods],
            "period": list(periods) * len(values),
            "score": [v for value in values for v in (50.0,) * (len(periods) - 1) + (value,)],
        }
    )


def _label_boxes(ax: Axes) -> dict[str, Any]:
    figure = ax.get_figure(root=True)
    assert figure is not None
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    return {
        t.get_text(): t.get_window_extent(renderer)
        for t in ax.texts
        if t.get_gid() == "direct-label"
    }


@pytest.mark.parametrize(
    ("values", "layout"),
    [
        ([97.0, 96.5, 98.0, 99.5, 100.0], None),  # crowded at the top of the score axis
        ([50.0, 50.2, 49.9, 50.1, 50.0], None),  # crowded in the middle
        ([0.0, 0.5, 0.2, 1.0, 0.1], "tight"),  # crowded at the bottom, after tight_layout
        ([95.0, 96.0, 95.5, 97.0, 96.5], "constrained"),
    ],
)
def test_lifecycle_direct_labels_do_not_overlap(
    values: list[float], layout: str | None, tmp_path: Path
) -> None:
    fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained" if layout else None)
    plot_lifecycle(_close_ends(values), ax=ax)
    if layout == "tight":
        fig.set_layout_engine("tight")
    _render(ax, tmp_path, "lifecycle-labels")
    boxes = _label_boxes(ax)
    assert len(boxes) == 5
    for (a, box_a), (b, box_b) in itertools.combinations(boxes.items(), 2):
        assert not box_a.overlaps(box_b), (a, b, box_a, box_b)
    # inside the Axes vertically, to the right of the line ends
    inside = ax.get_window_extent()
    assert all(inside.y0 - 0.5 <= box.y0 and box.y1 <= inside.y1 + 0.5 for box in boxes.values())
    last_x = ax.transData.transform((np.asarray(ax.lines[0].get_xdata(), dtype=float)[-1], 0))[0]
    assert all(box.x0 > last_x for box in boxes.values())
    # the labels keep the order of the values they name
    by_value = [f"Mission {k}" for k in np.argsort(values, kind="stable")]
    heights = [boxes[name].y0 for name in by_value]
    assert heights == sorted(heights)
    plt.close(fig)


def test_lifecycle_direct_labels_stay_apart_at_any_dpi(tmp_path: Path) -> None:
    fig, ax = plt.subplots(figsize=(5, 3))
    plot_lifecycle(_close_ends([99.0, 99.5, 100.0, 98.5, 99.2]), ax=ax)
    for dpi in (50, 200):
        fig.set_dpi(dpi)
        boxes = list(_label_boxes(ax).values())
        assert not any(a.overlaps(b) for a, b in itertools.combinations(boxes, 2))
    plt.close(fig)


def test_lifecycle_lone_direct_labels_stay_level_with_their_line(ax: Axes) -> None:
    plot_lifecycle(_close_ends([20.0, 80.0]), ax=ax)
    boxes = _label_boxes(ax)
    for name, value in (("Mission 0", 20.0), ("Mission 1", 80.0)):
        centre = (boxes[name].y0 + boxes[name].y1) / 2
        assert centre == pytest.approx(ax.transData.transform((0, value))[1], abs=1.0)


def test_lifecycle_labels_of_lines_ending_apart_in_time_are_not_pushed(ax: Axes) -> None:
    frame = pd.DataFrame(
        {
            "mission": ["A", "A", "B", "B", "B", "B"],
            "period": ["2010", "2011", "2010", "2011", "2012", "2013"],
            "score": [50.0, 60.0, 50.0, 55.0, 58.0, 60.0],
        }
    )
    plot_lifecycle(frame, ax=ax)
    boxes = _label_boxes(ax)
    level = ax.transData.transform((0, 60.0))[1]
    assert all((b.y0 + b.y1) / 2 == pytest.approx(level, abs=1.0) for b in boxes.values())


@pytest.mark.parametrize(
    "name",
    [
        "theme",
        "labels",
        "time_axis",
        "data",
        "profile",
        "comparison",
        "lifecycle",
        "facets",
        "weights",
        "levels",
        "intervals",
        "waterfall",
        "quadrant",
        "framework_tree",
        "agreement",
        "small_multiples",
    ],
)
def test_module_examples_run(name: str) -> None:
    """The docstring examples of each plot module (sort_periods, the label spreader, ...)."""
    import doctest
    import importlib

    module = importlib.import_module(f"missionlens.plot.{name}")
    result = doctest.testmod(module, extraglobs={"pd": pd, "np": np})
    assert result.failed == 0 and result.attempted > 0
    plt.close("all")


def test_lifecycle_figure_with_direct_labels_can_be_pickled(tmp_path: Path) -> None:
    import pickle

    fig, ax = plt.subplots()
    plot_lifecycle(_close_ends([99.0, 99.5, 100.0]), ax=ax)
    copy = pickle.loads(pickle.dumps(fig))
    boxes = list(_label_boxes(copy.axes[0]).values())
    assert len(boxes) == 3
    assert not any(a.overlaps(b) for a, b in itertools.combinations(boxes, 2))
    plt.close(fig)
    plt.close(copy)


# ------------------------------------------------------------------------------ lazy import
SRC = Path(ml.__file__).parent


def _module_level_imports(path: Path) -> set[str]:
    """Modules imported when ``path`` is imported (not in functions, not under TYPE_CHECKING)."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    # the package a relative import starts from: the module's own for __init__, else its parent
    package = path.relative_to(SRC.parent).with_suffix("").parts[:-1]
    found: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = ".".join(package[: len(package) - node.level + 1]) if node.level else ""
                module = ".".join(p for p in (base, node.module or "") if p)
                found.add(module)
                found.update(f"{module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.If):
                if "TYPE_CHECKING" not in ast.unparse(node.test):
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)

    visit(tree.body)
    return found


def _imported_by_missionlens() -> set[str]:
    """The missionlens modules that ``import missionlens`` loads, and what they import."""
    seen: set[str] = set()
    imported: set[str] = set()
    todo = ["missionlens"]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        base = SRC.parent.joinpath(*name.split("."))
        path = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
        if not path.exists():
            continue
        for module in _module_level_imports(path):
            imported.add(module)
            if module.startswith("missionlens"):
                parts = module.split(".")
                todo += [".".join(parts[:k]) for k in range(1, len(parts) + 1)]
    return imported | seen


def test_import_missionlens_loads_neither_matplotlib_nor_the_plots() -> None:
    """Checked on the source (no subprocess): what ``import missionlens`` imports at module
    level, followed through missionlens' own modules."""
    imported = _imported_by_missionlens()
    assert "missionlens.errors" in imported  # the walk does follow the imports
    # the root loads its public names on first use: not even scoring at import time
    assert "missionlens.scoring.profiles" not in imported
    assert not {m for m in imported if m.split(".")[0] == "matplotlib"}
    assert not {m for m in imported if m.startswith(("missionlens.plot", "missionlens.demo"))}
    # and the plot package itself leaves matplotlib until a plot is drawn
    for path in (SRC / "plot").glob("*.py"):
        assert not {m for m in _module_level_imports(path) if m.startswith("matplotlib")}, path


def test_plot_functions_are_reachable_from_the_root() -> None:
    import missionlens.plot

    names = [n for n in missionlens.plot.__all__ if n.startswith("plot_")]
    assert len(names) == 14
    for name in names:
        assert name in ml.__all__ and name in dir(ml)
        assert getattr(ml, name) is getattr(missionlens.plot, name)
    namespace: dict[str, Any] = {}
    exec("from missionlens import *", namespace)
    assert namespace["plot_facets"] is missionlens.plot.plot_facets
    with pytest.raises(AttributeError, match="has no attribute 'plot_bars'"):
        ml.plot_bars  # noqa: B018
    from missionlens import plotting  # the old module name still works

    assert plotting.plot_profile is missionlens.plot.plot_profile
    assert plotting.plot_levels is missionlens.plot.plot_levels  # the new plots through it too


def test_lifecycle_year_labels_never_overlap_on_a_long_axis() -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 3.5))
    ax = fig.subplots()
    years = [2004, 2005, 2013, 2014, 2015, 2023]
    frame = pd.DataFrame({"mission": "A", "period": years, "score": np.linspace(20, 70, 6)})
    plot_lifecycle(frame, ax=ax, phase=None, connect_absent=True)
    ticks = ax.get_xticks()
    shown = [
        (x, t.get_text()) for x, t in zip(ticks, ax.get_xticklabels(), strict=True) if t.get_text()
    ]
    assert len(ticks) == len(years)  # every assessment keeps its tick mark
    assert shown[0][1] == "2004" and "2005" not in [t for _, t in shown]
    assert "2023" in [t for _, t in shown]
    # shown labels clear each other: 4 characters of about 0.6 em, plus the gap
    low, high = ax.get_xlim()
    per_pt = (high - low) / (ax.get_position().width * fig.get_figwidth() * 72)
    size = ax.get_xticklabels()[0].get_fontsize()
    need = (0.6 * size * 4 + 6.0) * per_pt
    assert all(b[0] - a[0] >= need for a, b in pairwise(shown))
