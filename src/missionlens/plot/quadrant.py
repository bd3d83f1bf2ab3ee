"""``plot_quadrant``: performance against context, split at the medians.

A scatter of the missions with the context index on x and the performance score on y,
dashed lines at the two medians and the four quadrants named in their corners. Missions
without one of the two values are not drawn, and are named in a note on the figure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from missionlens.plot.data import check_unique, fits_score_axis, prepare
from missionlens.plot.theme import (
    MUTED,
    OKABE_ITO,
    add_caption,
    axes_for,
    caption_text,
    plain_value_axis,
    score_axis,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_quadrant"]


def plot_quadrant(
    data: pd.DataFrame,
    *,
    x: str = "context",
    y: str = "performance",
    label: str = "mission",
    caption: str | bool | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Performance against context: one labelled point per mission, split at the medians.

    Dashed lines mark the medians of ``x`` and ``y`` over the missions drawn, and each
    quadrant is named in its corner ("higher context, higher performance", ...). Both axes
    are 0-100 when their values fit, else fitted to the values. A row lacking ``x`` or ``y``
    is not drawn and is named in a note below the plot (gid ``"not-shown"``).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per mission with the columns ``label``, ``x`` and ``y``.
    x, y : str, default "context", "performance"
        Columns of the horizontal and vertical values.
    label : str, default "mission"
        Column of the point labels.
    caption : str, bool or None
        The caption line; a table gives its ``attrs["caption"]`` by default.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default the current Axes (a new figure if none is open).
    **kwargs
        Passed to ``Axes.scatter``.

    Returns
    -------
    matplotlib.axes.Axes
        The points are ``ax.collections[0]``; the median lines have gids ``"median-x"`` and
        ``"median-y"``, the quadrant names ``"quadrant"``.

    Raises
    ------
    KeyError
        If a column is missing.
    ValueError
        If a value is not numeric or a label has several rows.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> table = pd.DataFrame({"mission": ["A", "B", "C"], "context": [20.0, 50.0, 80.0],
    ...                       "performance": [70.0, 40.0, 60.0]})
    >>> fig, ax = plt.subplots()
    >>> ax = plot_quadrant(table, ax=ax)
    >>> [float(line.get_xdata()[0]) for line in ax.lines if line.get_gid() == "median-x"]
    [50.0]
    """
    func = "plot_quadrant"
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{func}: data must be a pandas DataFrame, not {type(data).__name__}")
    table, _ = prepare(data, func, [label, x, y], [], numeric=[x, y])
    check_unique(table, [label], func, "give one row per point")
    known = table[x].notna() & table[y].notna()
    left_out = [str(v) for v in table.loc[~known, label]]
    table = table[known]
    ax = axes_for(ax, (6.0, 5.0))
    options: dict[str, Any] = {
        "s": 45,
        "color": OKABE_ITO[0],
        "edgecolor": "white",
        "linewidth": 0.8,
        "zorder": 3,
        "clip_on": False,
    } | kwargs
    ax.scatter(table[x], table[y], **options)
    for name, xv, yv in zip(table[label], table[x], table[y], strict=True):
        ax.annotate(
            str(name),
            xy=(xv, yv),
            xytext=(5, 4),
            textcoords="offset points",
            fontsize="small",
            color="0.15",
            gid="point-label",
        )
    x_name, y_name = x.replace("_", " "), y.replace("_", " ")
    if fits_score_axis(table[x]):
        score_axis(ax, "x", f"{x_name.capitalize()} (0–100)")
    else:
        ax.set_xlabel(x_name.capitalize())
    if fits_score_axis(table[y]):
        score_axis(ax, "y", f"{y_name.capitalize()} (0–100, higher is better)")
    else:
        plain_value_axis(ax, y_name.capitalize())
    if not table.empty:
        mx, my = float(np.median(table[x])), float(np.median(table[y]))
        ax.axvline(mx, color=MUTED, linestyle="--", linewidth=1, zorder=1, gid="median-x")
        ax.axhline(my, color=MUTED, linestyle="--", linewidth=1, zorder=1, gid="median-y")
        corners = [
            (0.02, 0.98, "left", "top", f"lower {x_name},\nhigher {y_name}"),
            (0.98, 0.98, "right", "top", f"higher {x_name},\nhigher {y_name}"),
            (0.02, 0.02, "left", "bottom", f"lower {x_name},\nlower {y_name}"),
            (0.98, 0.02, "right", "bottom", f"higher {x_name},\nlower {y_name}"),
        ]
        for cx, cy, ha, va, text in corners:
            ax.text(
                cx,
                cy,
                text,
                transform=ax.transAxes,
                ha=ha,
                va=va,
                fontsize="x-small",
                fontstyle="italic",
                color=MUTED,
                gid="quadrant",
            )
    ax.set_title(f"{y_name.capitalize()} against {x_name} (lines: medians)")
    if left_out:
        ax.annotate(
            f"Not shown (no {x_name} or {y_name} value): {', '.join(left_out)}",
            xy=(0.0, 0.0),
            xycoords="axes fraction",
            xytext=(0, -30),
            textcoords="offset points",
            ha="left",
            va="top",
            fontsize="x-small",
            color=MUTED,
            gid="not-shown",
            annotation_clip=False,
        )
    add_caption(ax, caption_text(data, caption))
    return ax
