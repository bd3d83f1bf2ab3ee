"""``plot_facets``: one mission's scores by facet value (level, finding, A4P+ priority) as bars.

Each bar is annotated with its rounded score and its number of indicator values
(``62 (n = 4 of 5)``); a bar with partial coverage is hollow and hatched, a missing score is
written "no data" with no bar, and a true 0 keeps its annotation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from missionlens.errors import ArgumentError
from missionlens.framework.translations import check_language
from missionlens.plot.data import (
    check_missions,
    check_unique,
    choose_period,
    distinct,
    is_partial,
    listing,
    missing_text,
    prepare,
)
from missionlens.plot.labels import (
    display_text,
    facet_name,
    fit_row_labels,
    heading,
    legend_below,
    localise,
    no_data,
    node_labels,
    plot_text,
    score_text,
)
from missionlens.plot.theme import (
    OKABE_ITO,
    SCORE_LABEL,
    add_caption,
    axes_for,
    caption_text,
    score_axis,
)
from missionlens.scoring.profiles import Profiles

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_facets"]


def plot_facets(
    data: Profiles | pd.DataFrame,
    *,
    mission: str,
    period: str | None = None,
    view: str = "level",
    caption: str | bool | None = None,
    ax: Axes | None = None,
    lang: str = "en",
    **kwargs: Any,
) -> Axes:
    """One mission's scores by facet value as horizontal bars, with indicator counts.

    Bars are the scores of the facet values (strategic, operational and tactical levels, the
    Cairo findings 1-22, the A4P+ priorities, ...); each is annotated with its rounded score
    and the number of indicator values behind it (``62 (n = 4 of 5)`` when coverage is
    partial; such bars are also hatched and hollow: the score rests on part of the facet
    value's weight, ``weight_share`` < 1, or without that column ``coverage`` < 1). A missing
    score is marked with its reason ("n/a", "no score" or "no data", see
    :func:`plot_profile`), with no bar; a score of 0 has an empty bar but its annotation. The
    score axis runs from 0 to 100 and nothing beyond: an annotation that would pass 100 is
    written inside the end of its bar.

    Parameters
    ----------
    data : Profiles or pandas.DataFrame
        A :class:`~missionlens.Profiles` object, or a table with the columns ``mission``,
        ``node`` (the facet values), ``score`` and ``n_indicators`` and optionally ``view``
        (rows of other views are left out), ``period`` and ``coverage``.
    mission : str
        The mission to show.
    period : str, optional
        The period to show; by default the mission's latest period.
    view : str, default "level"
        The facet: ``"level"``, ``"finding"``, ``"a4p"`` or any facet scored by the recipe.
        Ignored when the table has no ``view`` column.
    caption : str, bool or None
        The caption line (see :func:`plot_profile`); ``False`` for none.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default the current Axes (a new figure if none is open).
    lang : str, default "en"
        Language of the plot's own words and of the facet values' labels (the framework's
        translation, English where it has none); right-to-left text is shaped
        (:func:`~missionlens.plot.labels.display_text`).
    **kwargs
        Passed to ``Axes.barh``.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    KeyError
        If a needed column, the mission, the period or the view is not in the data.
    ValueError
        If the score column is not numeric or a facet value has several rows.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> table = pd.DataFrame({"mission": ["A"] * 3,
    ...                       "node": ["strategic", "operational", "tactical"],
    ...                       "score": [70.0, 55.0, None], "n_indicators": [4, 2, 0],
    ...                       "coverage": [1.0, 0.5, 0.0]})
    >>> fig, ax = plt.subplots()
    >>> ax = plot_facets(table, mission="A", ax=ax)
    >>> [t.get_text() for t in ax.texts]
    ['70 (n = 4)', '55 (n = 2 of 4)', 'no data']
    """
    func = "plot_facets"
    check_language(lang)
    table, framework = prepare(
        data,
        func,
        ["mission", "node", "score", "n_indicators"],
        ["period", "phase", "view", "coverage", "weight_share", "n_values"],
    )
    if "view" in table.columns:
        views = distinct(table["view"])
        if view not in views:
            facets = [v for v in views if v != "tree"]
            raise KeyError(
                f"{func}: no facet view {view!r}; facet views in data: {listing(facets)}"
            )
        table = table[table["view"] == view]
    available = distinct(table["mission"])
    (mission,) = check_missions([mission], available, func)
    table = table[table["mission"] == mission]
    table, chosen = choose_period(table, period, [mission], func)
    if table.empty:
        raise ArgumentError(f"{func}: mission {mission!r} has no scores for period {chosen!r}")
    check_unique(table, ["node"], func, "select one period with period=...")
    values = distinct(table["node"])
    labels = node_labels(framework, view, values, lang)
    rows = table.set_index("node")
    ax = axes_for(ax, (7.5, 1.7 + 0.42 * len(values)))

    from matplotlib.patches import Patch

    color = OKABE_ITO[0]
    any_partial = False
    for i, value in enumerate(values):
        row = rows.loc[value]
        score = row["score"]
        n = row["n_indicators"]
        cov = row["coverage"] if "coverage" in rows.columns else np.nan
        if np.isnan(score):
            no_data(ax, i, _reason_text(missing_text(row), lang))
            continue
        partial = is_partial(row)
        any_partial |= partial
        ax.barh(
            i,
            score,
            height=0.62,
            color=color if not partial else "white",
            edgecolor=color,
            hatch="///" if partial else None,
            linewidth=1.4,
            zorder=2,
            gid=f"score:{value}",
            **kwargs,
        )
        count = f"{n:.0f}"
        if not np.isnan(cov) and cov < 1 and cov > 0:
            count = plot_text("count_of", lang, n=count, total=f"{round(n / cov):.0f}")
        text = f"{score_text(score)} (n = {count})"
        # about 0.9 score points per character at the documented widths: past 100, write the
        # annotation inside the bar's end (white on a full bar, on a white box on a hatched one)
        inside = score + 1.5 + 0.95 * len(text) > 100
        ax.text(
            score - 1.5 if inside else score + 1.5,
            i,
            text,
            va="center",
            ha="right" if inside else "left",
            fontsize="small",
            color="white" if inside and not partial else "0.15",
            gid="count",
            zorder=3,
            bbox=(
                {"boxstyle": "square,pad=0.1", "facecolor": "white", "linewidth": 0}
                if inside and partial
                else None
            ),
        )
    # title, x axis and padding take about 62 points, the legend below about 48 more
    texts, size = fit_row_labels(
        ax, [labels[v] for v in values], width=34, reserved_pt=62.0 + 48.0 * any_partial
    )
    ax.set_yticks(range(len(values)), [display_text(t, lang) for t in texts], fontsize=size)
    ax.set_ylim(len(values) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    score_axis(ax, "x", SCORE_LABEL if lang == "en" else plot_text("score_axis", lang))
    ax.spines["left"].set_visible(True)
    title = heading(table, mission, chosen, lang, framework)
    ax.set_title(f"{title}: {facet_name(framework, view, lang)}")
    handles: list[Any] = [
        Patch(facecolor=color, edgecolor=color, label=plot_text("all_scored", lang))
    ]
    if any_partial:
        handles.append(
            Patch(
                facecolor="white",
                edgecolor=color,
                hatch="///",
                label=plot_text("part_rated", lang),
            )
        )
        legend_below(ax, handles, 2)
    add_caption(ax, caption_text(data, caption))
    localise(ax, lang)
    return ax


def _reason_text(reason: str, lang: str) -> str:
    """The words of a missing score ("no data", "n/a", "no score") in ``lang``."""
    keys = {"no data": "no_data", "n/a": "not_applicable", "no score": "no_score"}
    return plot_text(keys[reason], lang) if reason in keys and lang != "en" else reason
