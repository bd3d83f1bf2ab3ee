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

from missionlens.plot.data import (
    as_list,
    check_missions,
    check_unique,
    distinct,
    fits_score_axis,
    has_column,
    listing,
    period_starts,
    prepare,
    select_node,
)
from missionlens.plot.labels import direct_labels, legend_below, node_labels
from missionlens.plot.theme import axes_for, plain_value_axis, score_axis, series_style
from missionlens.plot.time_axis import (
    PhaseRun,
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
    ax: Axes | None = None,
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
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default the current Axes (a new figure if none is open).

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
    if phase is not None and phase != "phase" and not has_column(data, phase):
        raise KeyError(f"{func}: data has no phase column {phase!r}; pass phase=None to omit")
    table, framework = prepare(
        data,
        func,
        ["mission", x, y],
        ["node", "node_type", "view", "period_start", *([phase] if phase else [])],
        numeric=[y],
    )
    if phase is not None and phase not in table.columns:
        phase = None
    table, chosen_node, node_view = select_node(table, node, framework, func)
    available = distinct(table["mission"])
    lines = available if missions is None else check_missions(as_list(missions), available, func)
    table = table[table["mission"].isin(lines) & table[x].notna()]
    if table.empty:
        raise ValueError(f"{func}: no rows with a {x!r} value for missions {listing(lines)}")
    empty = [m for m in lines if not (table["mission"] == m).any()]
    if empty:
        raise ValueError(
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
    ends: list[tuple[float, float, str, str]] = []
    phase_runs: dict[str, list[PhaseRun]] = {}
    for k, m in enumerate(lines):
        style = series_style(k)
        rows = table[table["mission"] == m].set_index(x)
        own = [p for p in axis.labels if p in rows.index]
        # every period of the plot between the mission's first and last, so that a period
        # without a row is a gap, not a straight line across it
        span = axis.labels[axis.labels.index(own[0]) : axis.labels.index(own[-1]) + 1]
        xs = np.array([axis.position[p] for p in span])
        ys = np.array([rows[y].get(p, np.nan) for p in span], dtype=np.float64)
        (line,) = ax.plot(
            xs,
            ys,
            color=style.color,
            marker=style.marker,
            linestyle=style.linestyle,
            linewidth=2,
            markersize=7,
            label=m,
            zorder=3,
        )
        handles.append(line)
        valid = np.flatnonzero(~np.isnan(ys))
        if valid.size:
            ends.append((xs[valid[-1]], ys[valid[-1]], m, style.color))
        if phase is not None:
            phases = [rows[phase].get(p) if p in rows.index else None for p in span]
            phase_runs[m] = runs(span, phases, axis)

    is_score = y == "score" and fits_score_axis(table[y])
    if is_score:
        score_axis(ax, "y")
    else:
        plain_value_axis(ax, y.replace("_", " ").capitalize())
    period_ticks(ax, axis, x, max((len(e[2]) for e in ends), default=0))
    banded = len(lines) == 1 and any(phase_runs.values())
    if banded:
        phase_bands(ax, phase_runs[lines[0]])
    elif any(phase_runs.values()):
        phase_strip(ax, lines, phase_runs)
    direct_labels(ax, ends)
    if len(lines) > 1:
        legend_below(ax, handles, min(len(handles), 5))
    if chosen_node is not None:
        title = node_labels(framework, node_view, [chosen_node])[chosen_node]
        ax.set_title(title, pad=30 if banded else 6)
    return ax
