"""``plot_profile``: one mission's scores node by node, other missions alongside.

A horizontal dot chart: one row per node (dimension by default, or facet value), the mission's
score as a large dot on a stem from 0, each comparison mission as a smaller marker of its own
shape and colour, hollow when the score rests on only part of the node's indicators.
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
    choose_period,
    distinct,
    listing,
    prepare,
    select_nodes,
)
from missionlens.plot.labels import (
    fit_row_labels,
    heading,
    legend_below,
    no_data,
    node_labels,
    what,
)
from missionlens.plot.theme import MUTED, NO_DATA, axes_for, score_axis, series_style
from missionlens.scoring.profiles import Profiles

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_profile"]


def plot_profile(
    data: Profiles | pd.DataFrame,
    *,
    mission: str | None = None,
    period: str | None = None,
    node_type: str = "dimension",
    compare: str | Sequence[str] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """One mission's scores per node as a horizontal dot chart, with other missions alongside.

    Each node (dimension by default) is a row; the mission's score is a large dot on a stem from
    0, and each comparison mission is a smaller marker of its own shape and colour. A hollow
    marker means the score rests on only part of the node's indicators (coverage below 100%),
    and the mission's own coverage is written at the right. A missing score is marked
    "no data", never drawn at 0.

    Parameters
    ----------
    data : Profiles or pandas.DataFrame
        A :class:`~missionlens.Profiles` object, or a table with the columns ``mission``,
        ``node`` and ``score`` (0-100) and optionally ``period``, ``node_type``, ``view``
        (used to select the rows, as in :meth:`Profiles.to_frame`) and ``coverage``
        (0-1, for hollow markers). A table without ``node_type`` and ``view`` is drawn whole.
    mission : str, optional
        The mission to profile; may be omitted only if the data hold a single mission.
    period : str, optional
        The period to show; by default the mission's latest period (see :func:`sort_periods`).
    node_type : str, default "dimension"
        ``"root"``, ``"dimension"``, ``"subdimension"`` or ``"indicator"`` for nodes of the
        tree, or a facet view id (``"level"``, ``"finding"``, ``"a4p"``) for its values.
    compare : str or sequence of str, optional
        Missions to show alongside, for the same period.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default the current Axes (a new figure if none is open).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    KeyError
        If a needed column, the mission, a comparison mission, the period or the node type is
        not in the data (the message lists what is).
    ValueError
        If ``mission`` is omitted and the data hold several missions, if the score column is
        not numeric, or if a mission has several rows for one node.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> table = pd.DataFrame({"mission": ["A", "A", "B", "B"],
    ...                       "node": ["political", "environment"] * 2,
    ...                       "score": [80.0, None, 62.5, 40.0]})
    >>> fig, ax = plt.subplots()
    >>> ax = plot_profile(table, mission="A", compare="B", ax=ax)
    >>> [t.get_text() for t in ax.texts]
    ['no data: A']
    """
    func = "plot_profile"
    table, framework = prepare(
        data,
        func,
        ["mission", "node", "score"],
        ["period", "phase", "node_type", "view", "coverage"],
    )
    table, view = select_nodes(table, node_type, func)
    available = distinct(table["mission"])
    if mission is None:
        if len(available) != 1:
            raise ValueError(
                f"{func}: the data hold {len(available)} missions; choose one with mission=... "
                f"({listing(available)})"
            )
        mission = available[0]
    missions = check_missions([mission, *as_list(compare)], available, func)
    table = table[table["mission"].isin(missions)]
    table, chosen = choose_period(table, period, missions, func)
    for m in missions:
        if not (table["mission"] == m).any():
            raise ValueError(
                f"{func}: mission {m!r} has no scores for period {chosen!r}; "
                f"choose a period with period=..."
            )
    check_unique(table, ["mission", "node"], func, "select one period with period=...")

    nodes = distinct(table["node"])
    labels = node_labels(framework, view, nodes)
    ax = axes_for(ax, (7.5, 1.9 + 0.5 * len(nodes)))
    row_of = {n: float(i) for i, n in enumerate(nodes)}
    offsets = np.linspace(-0.18, 0.18, len(missions)) if len(missions) > 1 else np.zeros(1)
    handles: list[Any] = []
    any_hollow = False
    missing_at: dict[str, list[str]] = {n: [] for n in nodes}
    from matplotlib.lines import Line2D

    for k, m in enumerate(missions):
        style = series_style(k)
        rows = table[table["mission"] == m].set_index("node")
        main = k == 0
        size = 11.0 if main else 8.0
        for node in nodes:
            y = row_of[node] + offsets[k]
            value = rows["score"].get(node, np.nan)
            if pd.isna(value):
                missing_at[node].append(m)
                continue
            cov = rows["coverage"].get(node, np.nan) if "coverage" in rows.columns else np.nan
            hollow = bool(cov < 1)
            any_hollow |= hollow
            if main:
                ax.plot([0, value], [y, y], color=style.color, linewidth=1.6, alpha=0.6, zorder=2)
            ax.plot(
                [value],
                [y],
                linestyle="none",
                marker=style.marker,
                markersize=size,
                markeredgewidth=1.8,
                markeredgecolor=style.color,
                markerfacecolor="white" if hollow else style.color,
                zorder=3 + (k == 0),
                gid=f"score:{m}:{node}",
            )
            if main and hollow:
                ax.annotate(
                    f"coverage {cov:.0%}",
                    xy=(1.0, y),
                    xycoords=("axes fraction", "data"),
                    xytext=(6, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize="small",
                    color=MUTED,
                    annotation_clip=False,
                )
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker=style.marker,
                markersize=size * 0.8,
                color=style.color,
                label=m,
            )
        )
    for node, gone in missing_at.items():
        if gone:
            text = NO_DATA if len(missions) == 1 else f"{NO_DATA}: {', '.join(gone)}"
            no_data(ax, row_of[node], text)
    if any_hollow:
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=8,
                markerfacecolor="white",
                markeredgecolor=MUTED,
                markeredgewidth=1.5,
                label="hollow: coverage < 100%",
            )
        )
    # title, x axis and padding take about 62 points, the legend below about 48 more
    texts, size = fit_row_labels(
        ax,
        [labels[n] for n in nodes],
        width=26,
        max_width=44,
        reserved_pt=62.0 + 48.0 * (len(handles) > 1),
    )
    ax.set_yticks(list(row_of.values()), texts, fontsize=size)
    ax.set_ylim(len(nodes) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    score_axis(ax, "x")
    ax.set_title(f"{heading(table, missions[0], chosen)}: {what(node_type, view, framework)}")
    if len(handles) > 1:
        legend_below(ax, handles, min(len(handles), 4))
    return ax
