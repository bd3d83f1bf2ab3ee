"""``plot_comparison``: missions by nodes as a heatmap, each score written in its cell.

The colormap is ``cividis`` on a fixed 0-100 scale; cell text is black or white, whichever
contrasts more with the cell (WCAG 2 relative luminance); missing cells are white, hatched and
marked "–".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from missionlens.plot.data import (
    as_list,
    check_missions,
    check_unique,
    choose_period,
    distinct,
    prepare,
    select_nodes,
)
from missionlens.plot.labels import node_labels, score_text, type_label, what, wrap
from missionlens.plot.theme import NAN_TEXT, SCORE_LABEL, SCORE_TICKS, axes_for, figure_of
from missionlens.scoring.profiles import Profiles

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_comparison"]


def plot_comparison(
    data: Profiles | pd.DataFrame,
    *,
    missions: Sequence[str] | None = None,
    period: str | None = None,
    node_type: str = "dimension",
    transpose: bool | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Missions by nodes as a heatmap, with each score written in its cell.

    The colormap is ``cividis`` (sequential, colour-blind-safe, monotonic in lightness) on a
    fixed 0-100 scale, and every cell carries its rounded score as text, so the chart reads the
    same in grayscale. Missing scores are white hatched cells marked "–". A colorbar is added
    next to the Axes.

    Parameters
    ----------
    data : Profiles or pandas.DataFrame
        A :class:`~missionlens.Profiles` object, or a table with the columns ``mission``,
        ``node`` and ``score`` and optionally ``period``, ``node_type`` and ``view``.
    missions : sequence of str, optional
        Missions to compare, in this order; by default every mission in the data, in data
        order.
    period : str, optional
        The period to compare; by default the latest period of the first mission. Missions
        without scores for that period get a row of missing cells.
    node_type : str, default "dimension"
        Nodes of the tree of this type (``"root"``, ``"dimension"``, ``"subdimension"``,
        ``"indicator"``) or the values of a facet view (``"level"``, ``"finding"``,
        ``"a4p"``).
    transpose : bool, optional
        ``False``: one row per mission, one column per node; ``True``: one row per node. By
        default nodes become rows when there are more than eight of them.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default the current Axes (a new figure if none is open).

    Returns
    -------
    matplotlib.axes.Axes
        The heatmap's Axes (the colorbar has its own Axes in the same figure). Cell texts are
        in ``ax.texts``, row by row.

    Raises
    ------
    KeyError
        If a needed column, a mission, the period or the node type is not in the data.
    ValueError
        If the score column is not numeric or a mission has several rows for one node.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> table = pd.DataFrame({"mission": ["A", "A", "B", "B"],
    ...                       "node": ["political", "environment"] * 2,
    ...                       "score": [80.0, None, 62.5, 40.0]})
    >>> fig, ax = plt.subplots()
    >>> ax = plot_comparison(table, ax=ax)
    >>> [t.get_text() for t in ax.texts]
    ['80', '–', '63', '40']
    """
    func = "plot_comparison"
    table, framework = prepare(
        data, func, ["mission", "node", "score"], ["period", "node_type", "view"]
    )
    table, view = select_nodes(table, node_type, func)
    available = distinct(table["mission"])
    names = available if missions is None else check_missions(as_list(missions), available, func)
    if not names:
        raise ValueError(f"{func}: no missions to compare")
    table = table[table["mission"].isin(names)]
    table, chosen = choose_period(table, period, names, func)
    check_unique(table, ["mission", "node"], func, "select one period with period=...")
    nodes = distinct(table["node"])
    grid = (
        table.pivot(index="mission", columns="node", values="score")
        .reindex(index=names, columns=nodes)
        .to_numpy(dtype=np.float64)
    )
    labels = node_labels(framework, view, nodes)
    if transpose is None:
        transpose = len(nodes) > 8
    if transpose:
        grid = grid.T
        row_labels = [wrap(labels[n], 40) for n in nodes]
        col_labels = list(names)
    else:
        row_labels = list(names)
        col_labels = [wrap(labels[n], 14) for n in nodes]
    n_rows, n_cols = grid.shape
    rotate = n_cols > 6 and max(len(c) for c in col_labels) > 5
    if rotate and not transpose:
        col_labels = [wrap(labels[n], 30) for n in nodes]
    longest = max(len(line) for label in row_labels for line in label.splitlines())
    ax = axes_for(
        ax,
        (max(5.0, 1.15 * n_cols + 0.09 * longest + 2.0), max(2.6, 0.5 * n_rows + 2.2)),
    )
    _heatmap(ax, grid)
    ax.set_xticks(
        range(n_cols),
        col_labels,
        rotation=40 if rotate else 0,
        ha="right" if rotate else "center",
        rotation_mode="anchor" if rotate else "default",
    )
    ax.set_yticks(range(n_rows), row_labels)
    rows_are = type_label(node_type, view, framework, heading=True)
    ax.set_xlabel("Mission" if transpose else rows_are)
    ax.set_ylabel(rows_are if transpose else "Mission")
    when = f", {chosen}" if chosen else ""
    ax.set_title(f"{what(node_type, view, framework, heading=True)}{when}")
    return ax


def _prefers_black_text(rgba: tuple[float, float, float, float]) -> bool:
    """Whether black text has more contrast than white on this colour (WCAG 2 luminance)."""
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgba[:3]]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05)


def _heatmap(ax: Axes, grid: np.ndarray) -> None:
    """Cells coloured on 0-100 with cividis, values written in, missing cells hatched "–"."""
    import matplotlib as mpl
    from matplotlib.patches import Rectangle

    n_rows, n_cols = grid.shape
    cmap = mpl.colormaps["cividis"].with_extremes(bad="white")
    norm = mpl.colors.Normalize(vmin=0, vmax=100)
    image = ax.imshow(
        np.ma.masked_invalid(grid), cmap=cmap, norm=norm, aspect="auto", interpolation="nearest"
    )
    for i in range(n_rows):
        for j in range(n_cols):
            value = grid[i, j]
            if np.isnan(value):
                ax.add_patch(
                    Rectangle(
                        (j - 0.5, i - 0.5),
                        1,
                        1,
                        facecolor="white",
                        edgecolor="0.6",
                        hatch="///",
                        linewidth=0,
                        gid="no-data",
                    )
                )
                ax.text(
                    j,
                    i,
                    NAN_TEXT,
                    ha="center",
                    va="center",
                    color="0.1",
                    fontsize="large",
                    fontweight="bold",
                    bbox={"boxstyle": "square,pad=0.15", "facecolor": "white", "linewidth": 0},
                )
                continue
            light = _prefers_black_text(cmap(norm(value)))
            ax.text(
                j,
                i,
                score_text(value),
                ha="center",
                va="center",
                color="black" if light else "white",
                fontweight="bold",
            )
    ax.set_xticks(np.arange(n_cols + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(n_rows + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="white", linewidth=2)
    ax.grid(which="major", visible=False)
    ax.tick_params(which="both", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    colorbar = figure_of(ax).colorbar(image, ax=ax, fraction=0.05, pad=0.03, aspect=25)
    colorbar.set_label(SCORE_LABEL)
    colorbar.set_ticks(list(SCORE_TICKS))
