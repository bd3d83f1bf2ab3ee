"""``plot_agreement`` and ``plot_rater_spread``: how far the raters agree.

:func:`plot_agreement` draws Krippendorff's alpha per indicator (the output of
:func:`missionlens.agreement`) with its bootstrap interval, against Krippendorff's (2004,
*Content Analysis*, 2nd ed., p. 241) thresholds of 0.667 (tentative conclusions) and 0.800
(reliable). :func:`plot_rater_spread` draws, for each indicator, every rater's value as a dot:
the disagreement behind a low alpha.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from missionlens.errors import ArgumentError
from missionlens.framework.translations import check_language
from missionlens.plot.data import check_missions, distinct, prepare
from missionlens.plot.labels import (
    display_text,
    legend_below,
    localise,
    node_labels,
    plot_text,
    wrap,
)
from missionlens.plot.theme import (
    MUTED,
    OKABE_ITO,
    add_caption,
    axes_for,
    caption_text,
    series_style,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from missionlens.framework.model import Framework

__all__ = ["THRESHOLDS", "plot_agreement", "plot_rater_spread"]

#: Krippendorff's thresholds of alpha: tentative conclusions from 0.667, reliable from 0.800.
THRESHOLDS: tuple[float, float] = (0.667, 0.800)


def plot_agreement(
    data: pd.DataFrame,
    *,
    scope: str | None = "indicator",
    item: str = "id",
    alpha: str = "alpha",
    low: str = "alpha_low",
    high: str = "alpha_high",
    caption: str | bool | None = None,
    ax: Axes | None = None,
    lang: str = "en",
    **kwargs: Any,
) -> Axes:
    """Krippendorff's alpha per indicator with its interval, against the thresholds.

    One row per entry of ``data`` (by default its rows of scope ``indicator``), sorted from the
    lowest alpha up, a dot at alpha and, when ``data`` has the bootstrap columns
    (``agreement(..., n_boot=1000)``), a bar over the interval. Dotted lines mark 0.667 and
    0.800; dots below 0.667 are hollow. An undefined alpha (too few pairable values, or all
    equal) is kept as a row marked "undefined".

    Parameters
    ----------
    data : pandas.DataFrame
        The output of :func:`missionlens.agreement`: columns ``scope``, ``id``, ``alpha`` and
        optionally ``alpha_low``, ``alpha_high``.
    scope : str or None, default "indicator"
        Which rows: ``"indicator"``, ``"dimension"``, ``"overall"``, or ``None`` for all (then
        labelled "scope: id").
    item, alpha, low, high : str
        Columns of the row's name, alpha and the interval bounds (those of
        :func:`missionlens.agreement` by default).
    caption : str, bool or None
        The caption line; a table gives its ``attrs["caption"]`` by default.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default the current Axes (a new figure if none is open).
    lang : str, default "en"
        Language of the plot's own words (title, axis, marks); right-to-left text is
        shaped (:func:`~missionlens.plot.labels.display_text`).
    **kwargs
        Passed to ``Axes.plot`` for the alpha markers.

    Returns
    -------
    matplotlib.axes.Axes
        The intervals are a collection with gid ``"interval"``; the markers lines with gid
        ``"alpha"``; the thresholds lines with gid ``"threshold"``.

    Raises
    ------
    KeyError
        If a column is missing or no row has the scope.
    ValueError
        If alpha is not numeric.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> table = pd.DataFrame({"scope": "indicator", "id": ["a", "b"], "alpha": [0.9, 0.5]})
    >>> fig, ax = plt.subplots()
    >>> [t.get_text() for t in plot_agreement(table, ax=ax).get_yticklabels()]
    ['b', 'a']
    """
    func = "plot_agreement"
    check_language(lang)
    if not isinstance(data, pd.DataFrame):
        raise ArgumentError(f"{func}: data must be a pandas DataFrame, not {type(data).__name__}")
    table, _ = prepare(data, func, [item, alpha], ["scope", low, high], numeric=[alpha, low, high])
    if scope is not None and "scope" in table.columns:
        table = table[table["scope"] == scope]
        if table.empty:
            raise KeyError(
                f"{func}: no rows of scope {scope!r}; scopes in data: "
                f"{', '.join(distinct(data['scope'].astype(str)))}"
            )
    names = [
        str(i) if scope is not None or "scope" not in table.columns else f"{s}: {i}"
        for s, i in zip(
            table["scope"] if "scope" in table.columns else [""] * len(table),
            table[item].fillna("").astype(str),
            strict=True,
        )
    ]
    overall = plot_text("overall", lang)
    names = [n if n.strip(": ") else overall for n in names]
    table = table.assign(_name=names)
    order = np.argsort(table[alpha].fillna(np.inf).to_numpy(), kind="stable")
    table = table.iloc[order].reset_index(drop=True)
    n = len(table)
    ax = axes_for(ax, (6.5, 1.6 + 0.3 * n))
    ys = np.arange(n, dtype=np.float64)
    color = OKABE_ITO[0]
    has_interval = low in table.columns and high in table.columns
    values = table[alpha].to_numpy(dtype=np.float64)
    if has_interval:
        ax.hlines(
            ys,
            table[low],
            table[high],
            color=color,
            linewidth=4,
            alpha=0.4,
            zorder=2,
            gid="interval",
        )
    weak = values < THRESHOLDS[0]
    options: dict[str, Any] = {"linestyle": "none", "markersize": 7, "zorder": 3} | kwargs
    ax.plot(
        np.where(weak, np.nan, values),
        ys,
        marker="o",
        color=color,
        gid="alpha",
        **options,
    )
    ax.plot(
        np.where(weak, values, np.nan),
        ys,
        marker="o",
        markerfacecolor="white",
        markeredgecolor=OKABE_ITO[1],
        markeredgewidth=1.6,
        gid="alpha",
        **options,
    )
    for y, v in zip(ys, values, strict=True):
        if np.isnan(v):
            ax.text(
                0.02,
                y,
                plot_text("undefined", lang),
                transform=ax.get_yaxis_transform(),
                va="center",
                fontsize="x-small",
                fontstyle="italic",
                color=MUTED,
                gid="undefined",
            )
    for t, style in zip(THRESHOLDS, (":", "--"), strict=True):
        ax.axvline(t, color="0.35", linestyle=style, linewidth=1, zorder=1, gid="threshold")
        ax.annotate(
            f"{t:.3f}",
            xy=(t, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize="x-small",
            color="0.3",
        )
    finite = [v for v in (*values, *(table[low] if has_interval else [])) if np.isfinite(v)]
    left = min(0.0, float(np.floor(min(finite, default=0.0) * 10) / 10))
    ax.set_xlim(left, 1.0)
    ax.set_yticks(ys, [display_text(t, lang) for t in table["_name"]], fontsize="small")
    ax.set_ylim(n - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel(plot_text("alpha_axis", lang))
    ax.grid(axis="x", color="0.9")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_title(plot_text("agreement_title", lang), pad=14)
    add_caption(ax, caption_text(data, caption))
    localise(ax, lang)
    return ax


def plot_rater_spread(
    entries: pd.DataFrame,
    *,
    indicator: str = "indicator",
    value: str = "value",
    rater: str = "rater",
    mission: str | None = None,
    period: str | None = None,
    framework: Framework | None = None,
    caption: str | bool | None = None,
    ax: Axes | None = None,
    lang: str = "en",
    **kwargs: Any,
) -> Axes:
    """Per indicator, each rater's value as a dot: where the raters disagree.

    One row per indicator (per indicator and unit when the entries hold several missions or
    periods: "pol_01 · MINUSMA 2024"), each rater a marker of its own shape and colour, placed
    slightly apart vertically so that equal values stay visible, and a grey tick at the
    median. Rows are sorted by spread (range of the values), widest first.

    Parameters
    ----------
    entries : pandas.DataFrame
        An assessment table (one row per entry) with the columns ``indicator``, ``value`` and
        ``rater`` and, to select or label units, ``mission`` and ``period``.
    indicator, value, rater : str
        Column names (those of the assessment record by default).
    mission, period : str, optional
        Keep only the entries of this mission and period.
    framework : Framework, optional
        For indicator names and, when every indicator shown is on one rubric scale, its levels
        as the x ticks.
    caption : str, bool or None
        The caption line; a table gives its ``attrs["caption"]`` by default.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default the current Axes (a new figure if none is open).
    lang : str, default "en"
        Language of the plot's own words (title, axis, marks) and, with ``framework``,
        of the indicator and scale names (English where a translation is missing);
        right-to-left text is shaped (:func:`~missionlens.plot.labels.display_text`).
    **kwargs
        Passed to ``Axes.plot`` for the raters' markers.

    Returns
    -------
    matplotlib.axes.Axes
        Each rater's markers are a line with gid ``"rater:<rater>"``.

    Raises
    ------
    KeyError
        If a column, the mission or the period is not in the entries.
    ValueError
        If values are not numeric.
    ArgumentError
        If no entries are left to draw.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> entries = pd.DataFrame({"indicator": ["a", "a", "b", "b"], "rater": ["x", "y"] * 2,
    ...                         "value": [1, 5, 3, 3]})
    >>> fig, ax = plt.subplots()
    >>> [t.get_text() for t in plot_rater_spread(entries, ax=ax).get_yticklabels()]
    ['a', 'b']
    """
    func = "plot_rater_spread"
    check_language(lang)
    if not isinstance(entries, pd.DataFrame):
        raise ArgumentError(
            f"{func}: entries must be a pandas DataFrame, not {type(entries).__name__}"
        )
    table, _ = prepare(
        entries, func, [indicator, value, rater], ["mission", "period"], numeric=[value]
    )
    for column, wanted in (("mission", mission), ("period", period)):
        if wanted is None:
            continue
        if column not in table.columns:
            raise KeyError(f"{func}: {column}={wanted!r} given but entries have no {column!r}")
        check_missions([wanted], distinct(table[column]), func, what=column)
        table = table[table[column] == str(wanted)]
    table = table[table[value].notna()]
    if table.empty:
        raise ArgumentError(f"{func}: no entries with a value to draw")
    unit_cols = [c for c in ("mission", "period") if c in table.columns and table[c].nunique() > 1]
    names = {i.id: i.name for i in framework.indicators} if framework is not None else {}
    if framework is not None and lang != "en":
        names = node_labels(framework, None, list(names), lang)
    keys = [indicator, *unit_cols]
    groups = []
    for key, rows in table.groupby(keys, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        label = names.get(str(key[0]), str(key[0]))
        if unit_cols:
            label += " · " + " ".join(str(k) for k in key[1:])
        spread = float(rows[value].max() - rows[value].min())
        groups.append((spread, wrap(label, 34), rows))
    groups.sort(key=lambda g: -g[0])
    raters = distinct(table[rater])
    n = len(groups)
    ax = axes_for(ax, (6.5, 1.8 + 0.32 * n))
    offsets = np.linspace(-0.25, 0.25, len(raters)) if len(raters) > 1 else np.zeros(1)
    handles = []
    for k, r in enumerate(raters):
        style = series_style(k)
        xs, ys = [], []
        for row_number, (_, _, rows) in enumerate(groups):
            mine = rows[rows[rater] == r][value]
            xs.extend(mine.tolist())
            ys.extend([row_number + offsets[k]] * len(mine))
        (line,) = ax.plot(
            xs,
            ys,
            linestyle="none",
            marker=style.marker,
            color=style.color,
            markersize=6,
            label=r,
            zorder=3,
            clip_on=False,
            gid=f"rater:{r}",
            **kwargs,
        )
        handles.append(line)
    for row_number, (_, _, rows) in enumerate(groups):
        ax.plot(
            [float(rows[value].median())] * 2,
            [row_number - 0.35, row_number + 0.35],
            color="0.5",
            linewidth=2,
            zorder=2,
            gid="median",
        )
    ax.set_yticks(range(n), [display_text(g[1], lang) for g in groups], fontsize="small")
    ax.set_ylim(n - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    shown = {str(g[2][indicator].iloc[0]) for g in groups}
    xlabel = plot_text("value_entered", lang)
    if framework is not None:
        scales = {framework.indicator(i).scale for i in shown if i in framework.indicator_ids}
        if len(scales) == 1:
            scale = framework.scale(next(iter(scales)))
            if scale.kind == "rubric":
                levels = getattr(scale, "levels", ())
                ax.set_xticks([lv.value for lv in levels], [f"{lv.value:g}" for lv in levels])
                scale_name = (
                    scale.name
                    if lang == "en"
                    else framework.text("scales:" + scale.id, "name", lang)
                )
                xlabel = plot_text("value_entered_scale", lang, scale=scale_name or scale.id)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", color="0.9")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_title(plot_text("spread_title", lang))
    legend_below(ax, handles, min(len(handles), 5))
    add_caption(ax, caption_text(entries, caption))
    localise(ax, lang)
    return ax
