"""``plot_rank_intervals`` and ``plot_score_intervals``: how sure is each mission's place?

Both take a tidy table with one row per mission, as an uncertainty analysis produces it (for
instance a Monte Carlo over the recipe's choices, in the style of COINr's ``get_sensitivity``
and Saisana, Saltelli and Tarantola 2005, "Uncertainty and sensitivity analysis techniques as
tools for the quality assessment of composite indicators", *J. R. Stat. Soc. A* 168(2)):
the median over the runs with its 5-95 % interval as a bar, and the nominal value (the
recipe as given) as a hollow diamond.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from missionlens.errors import ArgumentError
from missionlens.framework.translations import check_language
from missionlens.plot.data import check_unique, interval_label, prepare
from missionlens.plot.labels import legend_below, localise, plot_text
from missionlens.plot.theme import (
    OKABE_ITO,
    SCORE_LABEL,
    add_caption,
    axes_for,
    caption_text,
    score_axis,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_rank_intervals", "plot_score_intervals"]

#: The columns of ``UncertaintyResult.summary`` that stand for each default column name, so
#: that its rows (one node, one period) plot as they are.
_SUMMARY_NAMES: dict[str, str] = {
    "score_median": "median",
    "score_lower": "lower",
    "score_upper": "upper",
    "score_nominal": "nominal",
    "rank_nominal": "nominal_rank",
}


def _summary_name(data: Any, column: str | None) -> str | None:
    """``column``, or its name in an uncertainty summary when ``data`` has that one instead."""
    if column is None or not isinstance(data, pd.DataFrame) or column in data.columns:
        return column
    other = _SUMMARY_NAMES.get(column)
    return other if other is not None and other in data.columns else column


def _intervals(
    data: pd.DataFrame,
    func: str,
    *,
    mission: str,
    centre: str,
    lower: str,
    upper: str,
    nominal: str | None,
    is_rank: bool,
    caption: str | bool | None,
    ax: Axes | None,
    kwargs: dict[str, Any],
    lang: str = "en",
) -> Axes:
    check_language(lang)
    if not isinstance(data, pd.DataFrame):
        raise ArgumentError(f"{func}: data must be a pandas DataFrame, not {type(data).__name__}")
    numbers = [centre, lower, upper, *([nominal] if nominal else [])]
    optional = [nominal] if nominal and nominal in data.columns else []
    table, _ = prepare(data, func, [mission, centre, lower, upper], optional, numeric=numbers)
    check_unique(table, [mission], func, "give one row per mission")
    bad = table[(table[lower] > table[centre]) | (table[centre] > table[upper])]
    if not bad.empty:
        first = bad.iloc[0]
        raise ArgumentError(
            f"{func}: row of {mission}={first[mission]!r}: {lower} <= {centre} <= {upper} is "
            f"needed, got {first[lower]}, {first[centre]}, {first[upper]} "
            f"({len(bad)} such row{'s' if len(bad) > 1 else ''})"
        )
    has_nominal = nominal is not None and nominal in table.columns
    key = table[nominal] if has_nominal else table[centre]
    order = np.argsort(key.to_numpy() if is_rank else -key.to_numpy(), kind="stable")
    table = table.iloc[order].reset_index(drop=True)
    n = len(table)
    ax = axes_for(ax, (6.5, 2.2 + 0.32 * n))
    ys = np.arange(n, dtype=np.float64)
    color = OKABE_ITO[0]
    ax.hlines(
        ys,
        table[lower],
        table[upper],
        color=color,
        linewidth=4,
        alpha=0.45,
        zorder=2,
        gid="interval",
    )
    options: dict[str, Any] = {
        "linestyle": "none",
        "marker": "o",
        "markersize": 7,
        "color": color,
        "zorder": 3,
        "label": plot_text("median", lang),
        "clip_on": False,
        "gid": "median",
    } | kwargs
    ax.plot(table[centre], ys, **options)
    handles: list[Any] = []
    from matplotlib.lines import Line2D

    handles.append(Line2D([], [], **{k: v for k, v in options.items() if k not in ("gid",)}))
    handles.append(
        Line2D(
            [],
            [],
            color=color,
            linewidth=4,
            alpha=0.45,
            label=interval_label(data, lang, "interval_5_95"),
        )
    )
    if has_nominal:
        ax.plot(
            table[nominal],
            ys,
            linestyle="none",
            marker="D",
            markersize=7,
            markerfacecolor="white",
            markeredgecolor=OKABE_ITO[1],
            markeredgewidth=1.6,
            zorder=4,
            clip_on=False,
            gid="nominal",
        )
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="D",
                markerfacecolor="white",
                markeredgecolor=OKABE_ITO[1],
                markeredgewidth=1.6,
                label=plot_text("nominal", lang),
            )
        )
    ax.set_yticks(ys, table[mission].tolist())
    ax.set_ylim(n - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    if is_rank:
        highest = max(float(np.nanmax(table[[lower, upper, centre]].to_numpy())), float(n))
        ax.set_xlim(0.5, highest + 0.5)
        step = max(1, int(np.ceil(highest / 10)))
        ax.set_xticks(np.arange(1, highest + 1, step))
        ax.set_xlabel(plot_text("rank_axis", lang))
        ax.grid(axis="x", color="0.88", linewidth=0.8)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.set_title(plot_text("rank_title", lang))
    else:
        score_axis(ax, "x", SCORE_LABEL if lang == "en" else plot_text("score_axis", lang))
        ax.set_title(plot_text("score_title", lang))
    legend_below(ax, handles, len(handles))
    add_caption(ax, caption_text(data, caption))
    localise(ax, lang)
    return ax


def plot_rank_intervals(
    data: pd.DataFrame,
    *,
    mission: str = "mission",
    rank: str = "rank_median",
    lower: str = "rank_lower",
    upper: str = "rank_upper",
    nominal: str | None = "rank_nominal",
    caption: str | bool | None = None,
    ax: Axes | None = None,
    lang: str = "en",
    **kwargs: Any,
) -> Axes:
    """Each mission's median rank with its 5-95 % interval, against its nominal rank.

    One row per mission, ordered by nominal rank (1 = best, at the top; by median rank
    without a nominal column): a bar from ``lower`` to ``upper``, a dot at the median and a
    hollow diamond at the nominal rank. Wide bars that overlap mean the ranking is not robust
    to the recipe's choices.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per mission, with the columns below; rows of ``UncertaintyResult.summary``
        (one node and period) work as they are, its ``nominal_rank`` standing for an absent
        ``rank_nominal``.
    mission, rank, lower, upper : str
        Columns of the mission, its median rank and the bounds of its interval.
    nominal : str or None, default "rank_nominal"
        Column of the nominal rank; skipped if ``None`` or absent.
    caption : str, bool or None
        The caption line; a table gives its ``attrs["caption"]`` by default.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default the current Axes (a new figure if none is open).
    lang : str, default "en"
        Language of the plot's own words (title, axis, legend); right-to-left text is shaped
        (:func:`~missionlens.plot.labels.display_text`).
    **kwargs
        Passed to ``Axes.plot`` for the median markers.

    Returns
    -------
    matplotlib.axes.Axes
        The interval bars are ``ax.collections`` (gid ``"interval"``); the medians and nominal
        ranks are lines with gids ``"median"`` and ``"nominal"``.

    Raises
    ------
    KeyError
        If a column is missing.
    ValueError
        If a value is not numeric or a mission has several rows.
    ArgumentError
        If ``lower <= rank <= upper`` fails in a row.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> runs = pd.DataFrame({"mission": ["A", "B"], "rank_median": [1.0, 2.0],
    ...                      "rank_lower": [1.0, 1.0], "rank_upper": [2.0, 2.0],
    ...                      "rank_nominal": [2, 1]})
    >>> fig, ax = plt.subplots()
    >>> [t.get_text() for t in plot_rank_intervals(runs, ax=ax).get_yticklabels()]
    ['B', 'A']
    """
    return _intervals(
        data,
        "plot_rank_intervals",
        mission=mission,
        centre=rank,
        lower=lower,
        upper=upper,
        nominal=_summary_name(data, nominal),
        is_rank=True,
        caption=caption,
        ax=ax,
        kwargs=kwargs,
        lang=lang,
    )


def plot_score_intervals(
    data: pd.DataFrame,
    *,
    mission: str = "mission",
    score: str = "score_median",
    lower: str = "score_lower",
    upper: str = "score_upper",
    nominal: str | None = "score_nominal",
    caption: str | bool | None = None,
    ax: Axes | None = None,
    lang: str = "en",
    **kwargs: Any,
) -> Axes:
    """Each mission's median score with its 5-95 % interval, against its nominal score.

    As :func:`plot_rank_intervals`, on the 0-100 score axis, the highest nominal (or median)
    score at the top.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per mission; rows of ``UncertaintyResult.summary`` (one node and period) work
        as they are: its ``median``, ``lower``, ``upper`` and ``nominal`` stand for absent
        ``score_median``, ``score_lower``, ``score_upper`` and ``score_nominal``.
    mission, score, lower, upper : str
        Columns of the mission, its median score and the bounds of its interval.
    nominal : str or None, default "score_nominal"
        Column of the nominal score; skipped if ``None`` or absent.
    caption, ax, lang, **kwargs
        As in :func:`plot_rank_intervals`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> runs = pd.DataFrame({"mission": ["A", "B"], "score_median": [40.0, 70.0],
    ...                      "score_lower": [30.0, 60.0], "score_upper": [55.0, 75.0]})
    >>> fig, ax = plt.subplots()
    >>> plot_score_intervals(runs, ax=ax).get_xlim()
    (np.float64(0.0), np.float64(100.0))
    """
    return _intervals(
        data,
        "plot_score_intervals",
        mission=mission,
        centre=_summary_name(data, score) or score,
        lower=_summary_name(data, lower) or lower,
        upper=_summary_name(data, upper) or upper,
        nominal=_summary_name(data, nominal),
        is_rank=False,
        caption=caption,
        ax=ax,
        kwargs=kwargs,
        lang=lang,
    )
