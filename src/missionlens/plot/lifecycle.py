"""``plot_lifecycle``: score trajectories through the mission's life, one line per mission.

Periods sit on the shared time axis (:mod:`missionlens.plot.time_axis`); each line has its own
colour, marker and line style and a direct label at its end (:mod:`missionlens.plot.labels`);
phases are background bands (one mission) or a timeline above the plot (several missions).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from missionlens.errors import ArgumentError
from missionlens.framework.translations import check_language
from missionlens.plot.data import (
    as_list,
    check_missions,
    check_unique,
    distinct,
    fits_score_axis,
    has_column,
    interval_label,
    listing,
    period_starts,
    prepare,
    select_node,
)
from missionlens.plot.labels import (
    direct_labels,
    legend_below,
    localise,
    node_labels,
    plot_text,
    score_text,
)
from missionlens.plot.theme import (
    MUTED,
    SCORE_LABEL,
    add_caption,
    axes_for,
    caption_text,
    plain_value_axis,
    score_axis,
    series_style,
)
from missionlens.plot.time_axis import (
    PhaseRun,
    TimeAxis,
    period_span,
    period_ticks,
    phase_bands,
    phase_strip,
    runs,
    time_axis,
)
from missionlens.scoring.profiles import Profiles

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_lifecycle"]


def plot_lifecycle(
    data: Profiles | pd.DataFrame,
    *,
    node: str | None = None,
    missions: Sequence[str] | None = None,
    x: str = "period",
    y: str = "score",
    phase: str | None = "phase",
    lower: str = "lower",
    upper: str = "upper",
    benchmarks: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
    connect_absent: bool = False,
    caption: str | bool | None = None,
    ax: Axes | None = None,
    lang: str = "en",
    **kwargs: Any,
) -> Axes:
    """Score trajectories over the mission lifecycle: one line per mission, phases marked.

    Periods are placed on a time axis when their labels are recognised (see
    :func:`sort_periods`; a ``period_start`` column, if present, takes precedence), and
    otherwise evenly in the order given. Each mission gets its own colour, marker and line
    style and a direct label at its last point; labels of nearby line ends are moved apart
    (keeping their order) and kept inside the Axes when the figure is drawn. A missing score
    leaves a gap in the line. With one mission, lifecycle phases are shaded, hatched and
    labelled background bands; with several, a phase timeline with one labelled row per mission
    is drawn above the plot (``ax.child_axes[0]``).

    Intervals (``lower``/``upper`` columns, as an uncertainty analysis adds them) are shaded
    ribbons around each line (gid ``"interval:<mission>"``). ``benchmarks`` draws targets as
    dash-dotted horizontal lines, labelled "target 60 (by 2025)" (a ``deadline`` ends the line
    there with a tick; a ``phase`` is named in the label and, when the plot shows that phase,
    the line spans its periods). ``events`` draws dotted vertical lines
    with a label at the top (mandate renewals, elections, ...).

    Parameters
    ----------
    data : Profiles or pandas.DataFrame
        A :class:`~missionlens.Profiles` object, or a tidy table with the columns ``mission``,
        ``x`` and ``y`` and optionally ``node`` (plus ``node_type`` and ``view``), ``phase``
        and ``period_start``: for example ``mission, period, phase, score`` for a single
        indicator's values over the years.
    node : str, optional
        The node (or indicator, or facet value) to follow; by default the root. Ignored when
        the table has no ``node`` column.
    missions : sequence of str, optional
        Missions to draw, in this order; by default all.
    x : str, default "period"
        Column of period labels (``2024``, ``2024-H1`` or ``2024-S1``, ``2024-Q3``,
        ``2024-03``, ISO dates, UN financial years ``2023/24``, date ranges
        ``2024-01-01/2024-06-30``; see :func:`missionlens.parse_period`) or whole-number years.
    y : str, default "score"
        Column of values. Scores use a fixed 0-100 axis; other values (e.g. a raw indicator)
        get an axis that fits them.
    phase : str or None, default "phase"
        Column of lifecycle phases (``mandate_design``, ``start_up``, ``implementation``,
        ``drawdown``, ``transition``, ``exit``, or any other labels); ``None`` to leave phases
        out. The default is skipped silently when the table has no such column.
    lower, upper : str, default "lower", "upper"
        Columns of the interval bounds; no ribbons are drawn without them.
    benchmarks : pandas.DataFrame, optional
        Targets: columns ``target`` (a value on the ``y`` scale) and optionally ``node`` (rows
        of other nodes are left out), ``deadline`` (a period label or date: the line stops
        there), ``phase`` (the line spans that phase's periods when the plot shows them) and
        ``label``.
    events : pandas.DataFrame, optional
        Events: columns ``label`` and ``date`` or ``period`` (a period label or date), and
        optionally ``mission`` (rows of missions not drawn are left out).
    connect_absent : bool, default False
        ``False``: a period of the plot in which a mission has no row (it was not assessed
        then, though another mission was) is a gap in its line, as for a regular cadence of
        assessments where a missed round should show. ``True``: each mission's line joins the
        periods it was assessed in (for assessments at irregular dates, e.g. the example
        portfolio's mission-years); the time axis still spaces them by date, every
        assessment has its marker, and a row with a missing score is still a gap.
    caption : str, bool or None
        The caption line (see :func:`plot_profile`); ``False`` for none.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default the current Axes (a new figure if none is open).
    lang : str, default "en"
        Language of the plot's own words (axis labels, phase names, the legend) and of the
        node's name (the framework's translation, English where it has none); right-to-left
        text is shaped (:func:`~missionlens.plot.labels.display_text`).
    **kwargs
        Passed to ``Axes.plot`` for every mission's line (``linewidth``, ``alpha``, ...).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    KeyError
        If a needed column, the node or a mission is not in the data.
    ValueError
        If the values are not numeric, if a mission has several rows for one period, or if
        the table holds several nodes and ``node`` was not given and cannot be defaulted.
    ArgumentError
        If ``benchmarks`` or ``events`` lack their columns or hold a date that cannot be
        placed on the time axis (the message names the row).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> table = pd.DataFrame({"mission": ["A"] * 3, "period": ["2024", "2022", "2023"],
    ...                       "phase": ["exit", "implementation", "drawdown"],
    ...                       "score": [70.0, 40.0, None]})
    >>> fig, ax = plt.subplots()
    >>> ax = plot_lifecycle(table, ax=ax)
    >>> ax.lines[0].get_ydata().tolist()
    [40.0, nan, 70.0]
    """
    func = "plot_lifecycle"
    check_language(lang)
    if phase is not None and phase != "phase" and not has_column(data, phase):
        raise KeyError(f"{func}: data has no phase column {phase!r}; pass phase=None to omit")
    table, framework = prepare(
        data,
        func,
        ["mission", x, y],
        ["node", "node_type", "view", "period_start", lower, upper, *([phase] if phase else [])],
        numeric=[y, lower, upper],
    )
    if phase is not None and phase not in table.columns:
        phase = None
    table, chosen_node, node_view = select_node(table, node, framework, func)
    available = distinct(table["mission"])
    lines = available if missions is None else check_missions(as_list(missions), available, func)
    table = table[table["mission"].isin(lines) & table[x].notna()]
    if table.empty:
        raise ArgumentError(f"{func}: no rows with a {x!r} value for missions {listing(lines)}")
    empty = [m for m in lines if not (table["mission"] == m).any()]
    if empty:
        raise ArgumentError(
            f"{func}: no rows with a {x!r} value for mission{'s' if len(empty) > 1 else ''} "
            f"{listing(empty)}; leave them out with missions=... or fill in {x!r}"
        )
    check_unique(
        table,
        ["mission", x],
        func,
        "aggregate first" + ("" if chosen_node is not None else " or pass node=..."),
    )
    axis = time_axis(table[x], period_starts(table, x, func))
    ax = axes_for(ax, (8.5, 4.8))

    handles: list[Any] = []
    any_interval = False
    ends: list[tuple[float, float, str, str]] = []
    phase_runs: dict[str, list[PhaseRun]] = {}
    for k, m in enumerate(lines):
        style = series_style(k)
        rows = table[table["mission"] == m].set_index(x)
        own = [p for p in axis.labels if p in rows.index]
        # every period of the plot between the mission's first and last, so that a period
        # without a row is a gap, not a straight line across it
        span = (
            own
            if connect_absent
            else axis.labels[axis.labels.index(own[0]) : axis.labels.index(own[-1]) + 1]
        )
        xs = np.array([axis.position[p] for p in span])
        ys = np.array([rows[y].get(p, np.nan) for p in span], dtype=np.float64)
        options: dict[str, Any] = {
            "color": style.color,
            "marker": style.marker,
            "linestyle": style.linestyle,
            "linewidth": 2,
            "markersize": 7,
            "label": m,
            "zorder": 3,
            "clip_on": False,
        } | kwargs
        (line,) = ax.plot(xs, ys, **options)
        handles.append(line)
        if lower in rows.columns and upper in rows.columns:
            low = np.array([rows[lower].get(p, np.nan) for p in span], dtype=np.float64)
            high = np.array([rows[upper].get(p, np.nan) for p in span], dtype=np.float64)
            if np.isfinite(low).any() and np.isfinite(high).any():
                any_interval = True
                ax.fill_between(
                    xs,
                    low,
                    high,
                    color=style.color,
                    alpha=0.18,
                    linewidth=0,
                    zorder=2,
                    gid=f"interval:{m}",
                )
        valid = np.flatnonzero(~np.isnan(ys))
        if valid.size:
            ends.append((xs[valid[-1]], ys[valid[-1]], m, style.color))
        if phase is not None:
            phases = [rows[phase].get(p) if p in rows.index else None for p in span]
            phase_runs[m] = runs(span, phases, axis)

    is_score = y == "score" and fits_score_axis(table[y])
    if is_score:
        score_axis(ax, "y", SCORE_LABEL if lang == "en" else plot_text("score_axis", lang))
    else:
        plain_value_axis(ax, y.replace("_", " ").capitalize())
    period_ticks(ax, axis, x, max((len(e[2]) for e in ends), default=0), lang)
    banded = len(lines) == 1 and any(phase_runs.values())
    if banded:
        phase_bands(ax, phase_runs[lines[0]], lang, framework)
    elif any(phase_runs.values()):
        phase_strip(ax, lines, phase_runs, lang, framework)
    if benchmarks is not None:
        spans: dict[str, tuple[float, float]] = {}
        for mission_runs in phase_runs.values():
            for value, left, right, _ in mission_runs:
                first, last = spans.get(value, (left, right))
                spans[value] = (float(min(first, left)), float(max(last, right)))
        _benchmarks(ax, benchmarks, axis, chosen_node, func, spans)
    if events is not None:
        _events(ax, events, axis, lines, func, banded)
    direct_labels(ax, ends)
    if any_interval:
        from matplotlib.patches import Patch

        handles.append(Patch(facecolor=MUTED, alpha=0.3, label=interval_label(data, lang)))
    if len(handles) > 1:
        legend_below(ax, handles, min(len(handles), 5))
    if chosen_node is not None:
        title = node_labels(framework, node_view, [chosen_node], lang)[chosen_node]
        ax.set_title(title, pad=30 if banded or events is not None else 6)
    add_caption(ax, caption_text(data, caption))
    localise(ax, lang)
    return ax


def _position(value: Any, axis: TimeAxis, where: str) -> float:
    """Where a period label or date sits on the time axis (its midpoint; a date's day)."""
    from missionlens.plot.labels import text_value

    label = text_value(value)
    if label is None:
        raise ArgumentError(f"{where}: no date or period given")
    if label in axis.position:
        return axis.position[label]
    if not axis.is_time:
        raise ArgumentError(
            f"{where}: {label!r} is not one of the periods drawn ({', '.join(axis.labels)}), "
            "and they are not on a time axis"
        )
    span = period_span(label)
    if span is None:
        raise ArgumentError(
            f"{where}: {label!r} is not a period or date (e.g. 2024, 2024-H1, 2024-03-15)"
        )
    if span[1] - span[0] < 2 / 365:  # a day: its start
        return span[0]
    return (span[0] + span[1]) / 2


def _benchmarks(
    ax: Axes,
    table: pd.DataFrame,
    axis: TimeAxis,
    node: str | None,
    func: str,
    spans: dict[str, tuple[float, float]],
) -> None:
    """Target lines, labelled "target 60 (by 2025, drawdown)" at their right end.

    A target with a ``phase`` drawn in the plot spans that phase's periods (``spans``); one
    with a ``deadline`` stops there; otherwise it spans the whole axis.
    """
    if not isinstance(table, pd.DataFrame) or "target" not in table.columns:
        raise ArgumentError(
            f"{func}: benchmarks must be a DataFrame with a 'target' column and optionally "
            "'node', 'deadline', 'phase', 'label'"
        )
    rows = table
    if "node" in table.columns and node is not None:
        rows = table[table["node"].astype(str) == node]
    x0, x1 = ax.get_xlim()
    problems: list[str] = []
    for k, (index, row) in enumerate(rows.iterrows()):
        where = f"{func}: benchmarks row {index!r}"
        target = pd.to_numeric(pd.Series([row["target"]]), errors="coerce").iloc[0]
        if pd.isna(target):
            problems.append(f"{where}: target {row['target']!r} is not a number")
            continue
        begin, end = x0, x1
        phase = row.get("phase") if "phase" in rows.columns else None
        if phase is not None and not pd.isna(phase) and str(phase) in spans:
            begin, end = spans[str(phase)]
        deadline = row.get("deadline") if "deadline" in rows.columns else None
        if deadline is not None and not pd.isna(deadline):
            try:
                end = _position(deadline, axis, where)
            except ArgumentError as error:
                problems.append(str(error))
                continue
        label = row.get("label") if "label" in rows.columns else None
        if label is None or pd.isna(label):
            label = f"target {score_text(float(target))}"
            details = []
            if deadline is not None and not pd.isna(deadline):
                details.append(f"by {deadline}")
            if "phase" in rows.columns and not pd.isna(row.get("phase")):
                details.append(str(row["phase"]).replace("_", " "))
            if details:
                label += f" ({', '.join(details)})"
        ax.plot(
            [begin, end],
            [target, target],
            color="0.25",
            linestyle=(0, (5, 2, 1, 2)),
            linewidth=1.2,
            zorder=2.5,
            gid=f"benchmark:{k}",
        )
        if deadline is not None and not pd.isna(deadline):
            ax.plot([end], [target], marker="|", markersize=12, color="0.25", gid="deadline")
        ax.annotate(
            str(label),
            xy=(end, target),
            xytext=(-2, 3),
            textcoords="offset points",
            ha="right",
            va="bottom",
            fontsize="x-small",
            color="0.2",
            gid="benchmark-label",
        )
    ax.set_xlim(x0, x1)
    if problems:
        raise ArgumentError("; ".join(problems))


def _events(
    ax: Axes, table: pd.DataFrame, axis: TimeAxis, missions: list[str], func: str, banded: bool
) -> None:
    """Dotted vertical lines with a label at the top of the plot, one per event."""
    when = next((c for c in ("date", "period") if c in getattr(table, "columns", ())), None)
    if not isinstance(table, pd.DataFrame) or when is None or "label" not in table.columns:
        raise ArgumentError(
            f"{func}: events must be a DataFrame with columns 'label' and 'date' (or 'period'), "
            "and optionally 'mission'"
        )
    from matplotlib.transforms import blended_transform_factory

    rows = table
    if "mission" in table.columns:
        rows = table[table["mission"].isna() | table["mission"].astype(str).isin(missions)]
    top = blended_transform_factory(ax.transData, ax.transAxes)
    x0, x1 = ax.get_xlim()
    problems: list[str] = []
    for index, row in rows.iterrows():
        try:
            x = _position(row[when], axis, f"{func}: events row {index!r}")
        except ArgumentError as error:
            problems.append(str(error))
            continue
        ax.axvline(x, color="0.3", linestyle=":", linewidth=1.2, zorder=1.5, gid="event")
        ax.text(
            x,
            0.99,
            f" {row['label']}",
            transform=top,
            rotation=90,
            ha="left",
            va="top",
            fontsize="x-small",
            color="0.2",
            gid="event-label",
            clip_on=False,
            bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "alpha": 0.8, "linewidth": 0},
        )
    ax.set_xlim(x0, x1)
    if problems:
        raise ArgumentError("; ".join(problems))
