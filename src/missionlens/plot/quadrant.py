"""``plot_quadrant``: performance against context, split at the medians.

A scatter of the missions with the context index on x and the performance score on y,
dashed lines at the two medians and the four quadrants named in their corners. Missions
without one of the two values are not drawn, and are named in a note on the figure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from missionlens.errors import ArgumentError
from missionlens.framework.translations import check_language
from missionlens.plot.data import check_unique, distinct, fits_score_axis, listing, prepare
from missionlens.plot.labels import localise, plot_text
from missionlens.plot.placement import point_labels
from missionlens.plot.theme import (
    MUTED,
    OKABE_ITO,
    add_caption,
    axes_for,
    caption_text,
    plain_value_axis,
    score_axis,
)
from missionlens.plot.time_axis import sort_periods
from missionlens.scoring.profiles import Profiles

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.text import Text

__all__ = ["context_performance", "plot_quadrant"]


def context_performance(profiles: Profiles, period: str | None = None) -> pd.DataFrame:
    """One row per mission: its root performance score and its context index, one period.

    The context index is the score of the ``context`` view's root (its ``node_type`` is
    ``root``, or the view's only node), as the profile table has it when the recipe scores
    context; ``period`` by default is each mission's latest period.

    Returns
    -------
    pandas.DataFrame
        Columns ``mission``, ``period``, ``phase``, ``context``, ``performance``.

    Raises
    ------
    KeyError
        If the profiles have no ``context`` view, or the period is unknown.
    """
    table = profiles.to_frame(None)
    views = set(table["view"].astype(str))
    if "context" not in views:
        raise KeyError(
            "plot_quadrant: these profiles have no 'context' view (views: "
            f"{', '.join(sorted(views))}); pass a table with columns mission, context and "
            "performance"
        )
    text = {c: table[c].astype(object) for c in ("mission", "period", "phase", "view", "node")}
    frame = pd.DataFrame(text | {"node_type": table["node_type"].astype(object)})
    frame["score"] = table["score"].to_numpy()
    perf = frame[(frame["view"] == "tree") & (frame["node_type"] == "root")]
    ctx = frame[frame["view"] == "context"]
    if (ctx["node_type"] == "root").any():
        ctx = ctx[ctx["node_type"] == "root"]
    elif len(distinct(ctx["node"].astype(str))) > 1:
        raise KeyError(
            "plot_quadrant: the context view has several nodes "
            f"({listing(distinct(ctx['node'].astype(str)))}) and no root; pass a table"
        )
    keys = ["mission", "period", "phase"]
    both = (
        perf[[*keys, "score"]]
        .rename(columns={"score": "performance"})
        .merge(ctx[[*keys, "score"]].rename(columns={"score": "context"}), on=keys, how="outer")
    )
    if period is not None:
        if str(period) not in set(both["period"].astype(str)):
            raise KeyError(
                f"plot_quadrant: unknown period {period!r}; periods in data: "
                f"{listing(sort_periods(both['period']))}"
            )
        both = both[both["period"].astype(str) == str(period)]
    else:
        latest = {
            m: sort_periods(rows["period"])[-1] for m, rows in both.groupby("mission", sort=False)
        }
        both = both[
            [latest[m] == str(p) for m, p in zip(both["mission"], both["period"], strict=True)]
        ]
    return both[["mission", "period", "phase", "context", "performance"]].reset_index(drop=True)


def plot_quadrant(
    data: Profiles | pd.DataFrame,
    *,
    x: str = "context",
    y: str = "performance",
    label: str = "mission",
    period: str | None = None,
    caption: str | bool | None = None,
    ax: Axes | None = None,
    lang: str = "en",
    **kwargs: Any,
) -> Axes:
    """Performance against context: one labelled point per mission, split at the medians.

    Dashed lines mark the medians of ``x`` and ``y`` over the missions drawn, and each
    quadrant is named in its corner ("higher context, higher performance", ...). Each point's
    label is placed when the figure is drawn beside its point (right, left, above, below or
    diagonally: :mod:`missionlens.plot.placement`) where it overlaps no other label, point or
    quadrant name, if such a place exists. Both axes
    are 0-100 when their values fit, else fitted to the values. A row lacking ``x`` or ``y``
    is not drawn and is named in a note below the plot (gid ``"not-shown"``).

    Parameters
    ----------
    data : Profiles or pandas.DataFrame
        One row per mission with the columns ``label``, ``x`` and ``y``; or profiles with a
        ``context`` view, read by :func:`context_performance`.
    x, y : str, default "context", "performance"
        Columns of the horizontal and vertical values.
    label : str, default "mission"
        Column of the point labels.
    period : str, optional
        With ``Profiles``: the period (by default each mission's latest).
    caption : str, bool or None
        The caption line; a table gives its ``attrs["caption"]`` by default.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default the current Axes (a new figure if none is open).
    lang : str, default "en"
        Language of the plot's own words (axis labels, quadrant names, title); the columns
        ``context`` and ``performance`` are named in it too, other columns as written.
        Right-to-left text is shaped (:func:`~missionlens.plot.labels.display_text`).
    **kwargs
        Passed to ``Axes.scatter``.

    Returns
    -------
    matplotlib.axes.Axes
        The points are ``ax.collections[0]``; the median lines have gids ``"median-x"`` and
        ``"median-y"``, the quadrant names ``"quadrant"``, the point labels ``"point-label"``.

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
    check_language(lang)
    source = data
    if isinstance(data, Profiles):
        data = context_performance(data, period)
    if not isinstance(data, pd.DataFrame):
        raise ArgumentError(
            f"{func}: data must be a missionlens Profiles object or a pandas DataFrame, "
            f"not {type(data).__name__}"
        )
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
    points = ax.scatter(table[x], table[y], **options)
    corner_names: list[Text] = []
    x_name, y_name = _column_name(x, lang), _column_name(y, lang)
    x_cap, y_cap = x_name[:1].upper() + x_name[1:], y_name[:1].upper() + y_name[1:]
    if fits_score_axis(table[x]):
        score_axis(ax, "x", plot_text("quadrant_x", lang, x=x_cap))
    else:
        ax.set_xlabel(x_cap)
    if fits_score_axis(table[y]):
        score_axis(ax, "y", plot_text("quadrant_y", lang, y=y_cap))
    else:
        plain_value_axis(ax, y_cap)
    if not table.empty:
        mx, my = float(np.median(table[x])), float(np.median(table[y]))
        ax.axvline(mx, color=MUTED, linestyle="--", linewidth=1, zorder=1, gid="median-x")
        ax.axhline(my, color=MUTED, linestyle="--", linewidth=1, zorder=1, gid="median-y")
        names = {"x": x_name, "y": y_name}
        corners = [
            (0.02, 0.98, "left", "top", plot_text("quadrant_lower_higher", lang, **names)),
            (0.98, 0.98, "right", "top", plot_text("quadrant_higher_higher", lang, **names)),
            (0.02, 0.02, "left", "bottom", plot_text("quadrant_lower_lower", lang, **names)),
            (0.98, 0.02, "right", "bottom", plot_text("quadrant_higher_lower", lang, **names)),
        ]
        for cx, cy, ha, va, text in corners:
            corner_text = ax.text(
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
            corner_names.append(corner_text)
    # placed when drawn, apart from each other, the points and the quadrant names
    point_labels(
        ax,
        points,
        [str(name) for name in table[label]],
        obstacles=corner_names,
        fontsize="small",
        color="0.15",
        gid="point-label",
        # a light ground, so that a median or grid line behind a label does not cross it
        bbox={
            "boxstyle": "square,pad=0.05",
            "facecolor": "white",
            "edgecolor": "none",
            "alpha": 0.75,
        },
    )
    ax.set_title(plot_text("quadrant_title", lang, Y=y_cap, x=x_name))
    if left_out:
        comma = "، " if lang.split("-")[0] == "ar" else ", "
        ax.annotate(
            plot_text("quadrant_not_shown", lang, names=comma.join(left_out), **names),
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
    add_caption(ax, caption_text(source, caption))
    localise(ax, lang)
    return ax


def _column_name(column: str, lang: str) -> str:
    """A column as words: ``context`` and ``performance`` in ``lang``, others as written."""
    if column in ("context", "performance"):
        return plot_text("column_" + column, lang)
    return column.replace("_", " ")
