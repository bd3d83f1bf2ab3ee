"""The shared time axis: periods placed in decimal years, ordered, ticked, and phases on them.

Period labels are read by :func:`missionlens.periods.parse_period`, the one period parser of
the library (no second parser here): a period spans from its first day to the day after its
last, in decimal years, so that a half-year sits inside its year and the UN financial year
``2023/24`` between ``2023`` and ``2024``. Labels that do not parse are placed evenly in the
order given.

Phases are drawn on the same axis: runs of consecutive periods of one phase (:func:`runs`),
as background bands (:func:`phase_bands`, one mission) or as a timeline above the plot
(:func:`phase_strip`, several missions).

:func:`sort_periods` is :func:`missionlens.periods.sort_periods`, the one period ordering.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from missionlens.periods import parse_period
from missionlens.periods import sort_periods as periods_sort_periods
from missionlens.plot.labels import LABEL_OFFSET_PT, display_text, phase_label, plot_text
from missionlens.plot.theme import figure_of, phase_style, series_style

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from missionlens.framework.model import Framework

__all__ = [
    "PhaseRun",
    "TimeAxis",
    "decimal_year",
    "period_span",
    "period_ticks",
    "phase_bands",
    "phase_strip",
    "runs",
    "sort_periods",
    "time_axis",
]

#: A run of consecutive periods of one phase: (phase, left edge, right edge, first period).
PhaseRun = tuple[str, float, float, str]


def decimal_year(day: date) -> float:
    """A date as a decimal year: the year plus the share of it elapsed at the day's start.

    Examples
    --------
    >>> decimal_year(date(2024, 7, 1))  # 182 of 366 days of a leap year
    2024.4972677595629
    >>> decimal_year(date(2023, 1, 1))
    2023.0
    """
    start = date(day.year, 1, 1)
    length = (date(day.year + 1, 1, 1) - start).days
    return day.year + (day - start).days / length


def period_span(label: str) -> tuple[float, float] | None:
    """Start and end of a period label in decimal years, or ``None`` if it is not recognised.

    The label is read by :func:`missionlens.parse_period`, the one period parser of
    the library; the span runs from the period's first day to the day after its last.

    Examples
    --------
    >>> period_span("2024")
    (2024.0, 2025.0)
    >>> period_span("cycle 2") is None
    True
    """
    try:
        period = parse_period(label)
    except ValueError:
        return None
    first = period.start.date()
    after = (period.end + pd.Timedelta(days=1)).date()
    return decimal_year(first), decimal_year(after)


def sort_periods(periods: Iterable[Any]) -> list[str]:
    """Period labels in chronological order: :func:`missionlens.periods.sort_periods`.

    The one order of the library (by midpoint, then start, then end; labels returned as
    given; if any label is not a period, the given order is kept). Kept here under its old
    name for the plot modules that import it.

    Examples
    --------
    >>> sort_periods(["2024-H2", "2023-Q4", "2024", "2024-H1", "2023-Q4"])
    ['2023-Q4', '2024-H1', '2024', '2024-H2']
    >>> sort_periods(["cycle 2", "cycle 1"])
    ['cycle 2', 'cycle 1']
    """
    return periods_sort_periods(periods)


@dataclass(frozen=True)
class TimeAxis:
    """Positions of period labels on the x axis: decimal years if they parse, else 0, 1, ...

    Attributes
    ----------
    labels : list of str
        The periods in the order of the axis.
    position : dict
        Each period's x position (its midpoint on a time axis).
    span : dict
        Each period's left and right edge.
    is_time : bool
        Whether the positions are decimal years.
    """

    labels: list[str]
    position: dict[str, float]
    span: dict[str, tuple[float, float]]
    is_time: bool


def time_axis(labels: Iterable[str], starts: dict[str, Any] | None = None) -> TimeAxis:
    """Place period labels: by ``starts`` (dates) if all given, else by their parsed spans.

    Examples
    --------
    >>> axis = time_axis(["2024-H2", "2024", "2024-H1"])
    >>> axis.labels, axis.position["2024"], axis.is_time
    (['2024-H1', '2024', '2024-H2'], 2024.5, True)
    >>> time_axis(["cycle 2", "cycle 1"]).position
    {'cycle 2': 0.0, 'cycle 1': 1.0}
    """
    ordered = sort_periods(labels)
    if starts:
        stamps = pd.to_datetime(pd.Series([starts.get(k) for k in ordered]), errors="coerce")
        if not stamps.isna().any():
            pos = {k: decimal_year(s.date()) for k, s in zip(ordered, stamps, strict=True)}
            ordered = sorted(ordered, key=lambda k: pos[k])
            return TimeAxis(ordered, pos, _spans_from_positions(ordered, pos), True)
    spans = {k: period_span(k) for k in ordered}
    if all(s is not None for s in spans.values()):
        span = {k: s for k, s in spans.items() if s is not None}
        pos = {k: (s[0] + s[1]) / 2 for k, s in span.items()}
        return TimeAxis(ordered, pos, span, True)
    pos = {k: float(i) for i, k in enumerate(ordered)}
    return TimeAxis(ordered, pos, _spans_from_positions(ordered, pos), False)


def _spans_from_positions(
    ordered: list[str], pos: dict[str, float]
) -> dict[str, tuple[float, float]]:
    """Each position's cell: halfway to its neighbours (half a step beyond the ends)."""
    xs = [pos[k] for k in ordered]
    gaps = np.diff(xs) if len(xs) > 1 else np.array([1.0])
    out = {}
    for i, k in enumerate(ordered):
        left = gaps[i - 1] if i > 0 else gaps[0]
        right = gaps[i] if i < len(gaps) and len(xs) > 1 else gaps[-1]
        out[k] = (xs[i] - left / 2, xs[i] + right / 2)
    return out


def _spaced_labels(ax: Axes, positions: list[float], labels: list[str]) -> list[str]:
    """The tick labels with those that would overlap the previous shown one left blank.

    Periods assessed a year apart on a long time axis (2013, 2014, 2015 on 2004-2023) are
    placed by date, so their labels can collide; the tick marks stay, and a label is shown
    only where it clears the last one shown by its own estimated width (about 0.6 em per
    character of the tick font) and a small gap.
    """
    low, high = ax.get_xlim()
    width_pt = ax.get_position().width * figure_of(ax).get_figwidth() * 72
    if high <= low or width_pt <= 0:
        return labels
    size = ax.xaxis.get_ticklabels()[0].get_fontsize() if ax.xaxis.get_ticklabels() else 10.0
    per_pt = (high - low) / width_pt
    out: list[str] = []
    last_end = -math.inf
    for position, label in zip(positions, labels, strict=True):
        half = (0.6 * float(size) * len(label) / 2 + 3.0) * per_pt
        if label and position - half >= last_end:
            out.append(label)
            last_end = position + half
        else:
            out.append("")
    return out


def period_ticks(ax: Axes, axis: TimeAxis, x: str, label_chars: int = 0, lang: str = "en") -> None:
    """Period ticks, and x limits with a right margin wide enough for direct labels.

    ``label_chars`` is the length of the longest direct label; the margin right of the last
    period's position is made to hold it (estimated from the Axes' current width, and at
    most 40% of the Axes), and is never less than 12% of the periods' extent.
    """
    positions = [axis.position[p] for p in axis.labels]
    step = max(1, math.ceil(len(positions) / 12))
    labels = [p if i % step == 0 else "" for i, p in enumerate(axis.labels)]
    ax.set_xticks(positions, labels)
    rotation = 0 if max(map(len, axis.labels), default=0) <= 7 else 30
    ax.tick_params(axis="x", labelrotation=rotation)
    if positions:
        first, last = axis.span[axis.labels[0]][0], axis.span[axis.labels[-1]][1]
        room = (last - first) * 0.12
        if label_chars:
            width_pt = ax.get_position().width * figure_of(ax).get_figwidth() * 72
            needed_pt = LABEL_OFFSET_PT + 6.0 * label_chars + 4.0  # bold "small" text
            share = min(needed_pt / max(width_pt, 1.0), 0.4)
            # the labels start at the last position: right limit R with R - x_last >= share *
            # (R - first)
            right = (positions[-1] - share * first) / (1 - share)
            room = max(room, right - last)
        ax.set_xlim(first, last + room)
        if rotation == 0:
            ax.set_xticks(positions, _spaced_labels(ax, positions, labels))
    if x == "period" and lang != "en":
        ax.set_xlabel(plot_text("period", lang))
    else:
        ax.set_xlabel(x.replace("_", " ").capitalize())


# ----------------------------------------------------------------------------------- phases
def runs(span: list[str], phases: list[Any], axis: TimeAxis) -> list[PhaseRun]:
    """Consecutive periods of one phase: (phase, left edge, right edge, first period).

    Periods without a phase (``None``) are skipped; they do not break a run.

    Examples
    --------
    >>> axis = time_axis(["2021", "2022", "2023"])
    >>> runs(axis.labels, ["start_up", "start_up", "exit"], axis)
    [('start_up', 2021.0, 2023.0, '2021'), ('exit', 2023.0, 2024.0, '2023')]
    """
    out: list[PhaseRun] = []
    for label, value in zip(span, phases, strict=True):
        if value is None:
            continue
        left, right = axis.span[label]
        if out and out[-1][0] == value:
            first = out[-1]
            out[-1] = (value, first[1], right, first[3])
        else:
            out.append((value, left, right, label))
    return out


def phase_bands(
    ax: Axes, phase_runs: list[PhaseRun], lang: str = "en", framework: Framework | None = None
) -> None:
    """Shaded, hatched background bands, labelled above the plot."""
    from matplotlib.colors import to_rgba
    from matplotlib.transforms import blended_transform_factory

    top = blended_transform_factory(ax.transData, ax.transAxes)
    x0, x1 = ax.get_xlim()
    width = x1 - x0
    for value, left, right, _ in phase_runs:
        color, hatch = phase_style(value)
        ax.axvspan(
            left,
            right,
            facecolor=to_rgba(color, 0.13),
            edgecolor=to_rgba(color, 0.3),
            hatch=hatch,
            linewidth=0,
            zorder=0,
            gid=f"phase:{value}",
        )
        ax.axvline(left, color="0.6", linewidth=0.8, linestyle=(0, (2, 2)), zorder=1)
        narrow = (right - left) / width < 0.14
        label = phase_label(value, lang, framework)
        ax.text(
            (left + right) / 2,
            1.01,
            label.replace(" ", "\n") if narrow else label,
            transform=top,
            ha="center",
            va="bottom",
            fontsize="small",
            color="0.2",
            gid="phase-label",
            clip_on=False,
        )
    ax.set_xlim(x0, x1)


def phase_strip(
    ax: Axes,
    missions: list[str],
    phase_runs: dict[str, list[PhaseRun]],
    lang: str = "en",
    framework: Framework | None = None,
) -> Axes:
    """A phase timeline above the plot: one row per mission, phases as labelled, hatched bars."""
    from matplotlib.colors import to_rgba

    n = len(missions)
    height_pt = ax.get_position().height * figure_of(ax).get_figheight() * 72
    width_pt = ax.get_position().width * figure_of(ax).get_figwidth() * 72
    strip = ax.inset_axes((0.0, 1.03, 1.0, min(0.5, (15 * n + 2) / max(height_pt, 1.0))), sharex=ax)
    strip.set_label("phase strip")
    x0, x1 = ax.get_xlim()
    for row, mission in enumerate(missions):
        for value, left, right, _ in phase_runs.get(mission, []):
            color, hatch = phase_style(value)
            strip.barh(
                row,
                right - left,
                left=left,
                height=0.82,
                facecolor=to_rgba(color, 0.16),
                edgecolor=to_rgba(color, 0.55),
                hatch=hatch * 2,  # denser: the bars are thin
                linewidth=0.8,
                gid=f"phase:{mission}:{value}",
            )
            room = (right - left) / (x1 - x0) * width_pt / 4.4  # characters at x-small size
            label = phase_label(value, lang, framework)
            if len(label) > room:
                label = label[: max(int(room) - 1, 1)] + "."
            strip.text(
                (left + right) / 2,
                row,
                display_text(label, lang),
                ha="center",
                va="center",
                fontsize="x-small",
                color="0.1",
                gid="phase-label",
                bbox={
                    "boxstyle": "square,pad=0.1",
                    "facecolor": "white",
                    "alpha": 0.75,
                    "linewidth": 0,
                },
            )
    strip.set_yticks(range(n), missions)
    for tick, k in zip(strip.get_yticklabels(), range(n), strict=True):
        tick.set_color(series_style(k).color)
    strip.set_ylim(n - 0.5, -0.5)
    strip.tick_params(axis="x", which="both", labelbottom=False, bottom=False)
    strip.tick_params(axis="y", length=0, labelsize="small")
    for spine in strip.spines.values():
        spine.set_visible(False)
    strip.set_xlim(x0, x1)
    return strip
