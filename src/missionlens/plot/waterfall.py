"""``plot_waterfall``: what moved a score, indicator by indicator.

A waterfall (bridge) chart: from the ``start`` score, each item's contribution to the change
is a floating bar from the running total, up (blue, plain) or down (vermillion, hatched), and
the ``end`` score closes it. If the contributions do not add up to ``end - start``, the
difference is drawn as its own bar, "not explained", never spread silently over the items.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from missionlens.errors import ArgumentError
from missionlens.framework.translations import check_language
from missionlens.plot.data import check_unique, fits_score_axis, prepare
from missionlens.plot.labels import display_text, localise, plot_text, wrap
from missionlens.plot.theme import (
    MUTED,
    OKABE_ITO,
    SCORE_LABEL,
    add_caption,
    axes_for,
    caption_text,
    plain_value_axis,
    score_axis,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["UNEXPLAINED", "plot_waterfall"]

#: Label of the bar holding ``end - start - sum(contributions)`` when it is not 0.
UNEXPLAINED = "not explained"

_TOLERANCE = 1e-6


def plot_waterfall(
    data: pd.DataFrame,
    *,
    item: str = "indicator",
    value: str = "contribution",
    start: float | None = None,
    end: float | None = None,
    caption: str | bool | None = None,
    ax: Axes | None = None,
    lang: str = "en",
    **kwargs: Any,
) -> Axes:
    """A waterfall of the contributions of indicators (or any items) to a change in score.

    Items are drawn in the order given. With ``start``, the chart begins with a bar of the
    start score and the axis is the 0-100 score axis (when every running total fits it);
    without, the running total starts at 0 and the axis is the change in points. ``end``
    defaults to ``start`` plus the sum of the contributions; when given and different, the
    difference is a separate bar labelled :data:`UNEXPLAINED`. An item with a missing
    contribution keeps its place, with no bar and the words "no value".

    Parameters
    ----------
    data : pandas.DataFrame
        One row per item, with the columns ``item`` and ``value`` (points of score).
    item, value : str, default "indicator", "contribution"
        Columns of the item's name and its contribution.
    start, end : float, optional
        The score before and after the change.
    caption : str, bool or None
        The caption line; a table gives its ``attrs["caption"]`` by default.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default the current Axes (a new figure if none is open).
    lang : str, default "en"
        Language of the plot's own words (title, axis, legend, the start, end and
        :data:`UNEXPLAINED` bars); items are written as given. Right-to-left text is shaped
        (:func:`~missionlens.plot.labels.display_text`).
    **kwargs
        Passed to ``Axes.bar`` for the contribution bars.

    Returns
    -------
    matplotlib.axes.Axes
        Bars have gid ``"start"``, ``"end"``, ``"unexplained"`` or ``"step:<item>"``.

    Raises
    ------
    KeyError
        If a column is missing.
    ValueError
        If a contribution is not numeric or an item has several rows.
    ArgumentError
        If ``end`` is given without ``start``, or either is not a finite number.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> moves = pd.DataFrame({"indicator": ["a", "b"], "contribution": [5.0, -2.0]})
    >>> fig, ax = plt.subplots()
    >>> ax = plot_waterfall(moves, start=50.0, ax=ax)
    >>> [(p.get_gid(), float(p.get_y()), float(p.get_height())) for p in ax.patches]
    [('start', 0.0, 50.0), ('step:a', 50.0, 5.0), ('step:b', 55.0, -2.0), ('end', 0.0, 53.0)]
    """
    func = "plot_waterfall"
    check_language(lang)
    if not isinstance(data, pd.DataFrame):
        raise ArgumentError(f"{func}: data must be a pandas DataFrame, not {type(data).__name__}")
    for name, given in (("start", start), ("end", end)):
        if given is not None and not (
            isinstance(given, (int, float, np.integer, np.floating)) and np.isfinite(given)
        ):
            raise ArgumentError(f"{func}: {name} must be a finite number, not {given!r}")
    if end is not None and start is None:
        raise ArgumentError(f"{func}: end={end!r} needs start= (the score before the change)")
    table, _ = prepare(data, func, [item, value], [], numeric=[value])
    check_unique(table, [item], func, "give one contribution per item")
    steps = table[value].to_numpy(dtype=np.float64)
    names = [str(v) for v in table[item]]
    base = 0.0 if start is None else float(start)
    total = base + float(np.nansum(steps))
    gap = 0.0 if end is None else float(end) - total
    ax = axes_for(ax, (max(5.0, 1.0 + 0.55 * (len(names) + 3)), 4.2))
    from matplotlib.patches import Patch

    up, down = OKABE_ITO[0], OKABE_ITO[1]
    unexplained = UNEXPLAINED if lang == "en" else plot_text("unexplained", lang)
    labels: list[str] = []
    x = 0
    tops: list[float] = []
    if start is not None:
        ax.bar(x, base, color="0.55", width=0.7, gid="start", zorder=2)
        labels.append(plot_text("start", lang))
        tops.append(base)
        x += 1
    running = base
    for name, step in zip(names, steps, strict=True):
        if np.isnan(step):
            ax.text(
                x,
                running,
                plot_text("no_value", lang),
                ha="center",
                va="bottom",
                rotation=90,
                fontsize="x-small",
                fontstyle="italic",
                color=MUTED,
                gid="no-value",
            )
        else:
            rising = step >= 0
            ax.bar(
                x,
                step,
                bottom=running,
                width=0.7,
                color=up if rising else "white",
                edgecolor=up if rising else down,
                hatch=None if rising else "///",
                linewidth=1.2,
                zorder=2,
                gid=f"step:{name}",
                **kwargs,
            )
            ax.annotate(
                f"{step:+.1f}".replace("-", "−"),
                xy=(x, running + step if rising else running),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize="x-small",
                color="0.15",
                gid="step-value",
            )
            ax.plot(
                [x + 0.35, x + 0.65],
                [running + step] * 2,
                color="0.5",
                linewidth=0.7,
                zorder=1,
            )
            running += step
        labels.append(name)
        tops.append(running)
        x += 1
    if abs(gap) > _TOLERANCE:
        ax.bar(
            x,
            gap,
            bottom=running,
            width=0.7,
            color="white",
            edgecolor=MUTED,
            hatch="..",
            linewidth=1.2,
            zorder=2,
            gid="unexplained",
        )
        running += gap
        labels.append(unexplained)
        tops.append(running)
        x += 1
    if start is not None:
        ax.bar(x, running, color="0.3", width=0.7, gid="end", zorder=2)
        labels.append(plot_text("end", lang))
        tops.append(running)
        x += 1
    ax.set_xticks(
        range(x), [display_text(wrap(label, 14), lang) for label in labels], fontsize="small"
    )
    ax.set_xlim(-0.6, x - 0.4)
    if start is not None and fits_score_axis(pd.Series([0.0, *tops])):
        score_axis(ax, "y", SCORE_LABEL if lang == "en" else plot_text("score_axis", lang))
    else:
        plain_value_axis(ax, plot_text("change_axis" if start is None else "score", lang))
        ax.axhline(0, color="0.3", linewidth=0.8)
    ax.set_title(plot_text("waterfall_title", lang))
    handles = [
        Patch(facecolor=up, edgecolor=up, label=plot_text("raised", lang)),
        Patch(facecolor="white", edgecolor=down, hatch="///", label=plot_text("lowered", lang)),
    ]
    if abs(gap) > _TOLERANCE:
        handles.append(Patch(facecolor="white", edgecolor=MUTED, hatch="..", label=unexplained))
    ax.legend(handles=handles, loc="best", fontsize="x-small", frameon=False)
    add_caption(ax, caption_text(data, caption))
    localise(ax, lang)
    return ax
