"""``plot_comparison``: missions by nodes as a heatmap, each score written in its cell.

The colormap is ``cividis`` on a fixed 0-100 scale (or, relative to the peer median, the
diverging ``PuOr`` on a symmetric scale); cell text is black or white, whichever contrasts more
with the cell (WCAG 2 relative luminance). A missing cell is white, hatched and says why ("n/a",
"no score", "no data"); a score resting on part of the node's weight has a dotted border and a
small corner triangle. Each mission's phase is in its label, and missions in different phases
raise :class:`~missionlens.errors.MixedPhasesWarning` and a note on the figure.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from missionlens.errors import ArgumentError, MixedPhasesWarning
from missionlens.framework.translations import check_language
from missionlens.plot.data import (
    as_list,
    check_missions,
    check_unique,
    choose_period,
    distinct,
    is_partial,
    missing_text,
    prepare,
    select_nodes,
)
from missionlens.plot.labels import (
    display_text,
    localise,
    node_labels,
    phase_label,
    plot_text,
    score_text,
    type_label,
    what,
    wrap,
)
from missionlens.plot.theme import (
    MUTED,
    NAN_TEXT,
    NO_DATA,
    NO_SCORE,
    NOT_APPLICABLE,
    SCORE_LABEL,
    SCORE_TICKS,
    add_caption,
    axes_for,
    caption_text,
    figure_of,
)
from missionlens.scoring.profiles import Profiles

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["peer_relative", "plot_comparison"]


def peer_relative(grid: np.ndarray) -> np.ndarray:
    """Each score less the median of its node's scores across the missions shown.

    ``grid`` is missions x nodes; missing scores are left out of the median (and stay missing);
    a node with no score at all stays missing.

    Examples
    --------
    >>> peer_relative(np.array([[80.0, 10.0], [60.0, np.nan], [40.0, 30.0]])).tolist()
    [[20.0, -10.0], [0.0, nan], [-20.0, 10.0]]
    """
    out = np.full_like(grid, np.nan, dtype=np.float64)
    for j in range(grid.shape[1]):
        column = grid[:, j]
        known = column[~np.isnan(column)]
        if known.size:
            out[:, j] = column - float(np.median(known))
    return out


def plot_comparison(
    data: Profiles | pd.DataFrame,
    *,
    missions: Sequence[str] | None = None,
    period: str | None = None,
    node_type: str = "dimension",
    transpose: bool | None = None,
    relative: str | None = None,
    caption: str | bool | None = None,
    ax: Axes | None = None,
    lang: str = "en",
    **kwargs: Any,
) -> Axes:
    """Missions by nodes as a heatmap, with each score written in its cell.

    The colormap is ``cividis`` (sequential, colour-blind-safe, monotonic in lightness) on a
    fixed 0-100 scale, and every cell carries its rounded score as text, so the chart reads the
    same in grayscale. With ``relative="median"`` each cell shows the score less the median of
    the missions shown for that node ("+12", "-5"), on the diverging ``PuOr`` colormap
    (ColorBrewer, colour-blind safe) centred on 0. A colorbar is added next to the Axes.

    What a cell says when it has no score: "n/a" where nothing of the node applies in the
    mission's phase, "no score" where values were entered but too little of the node's weight
    is rated, "no data" where nothing that applies was rated (see :func:`plot_profile`), and
    "–" in a table without the columns that tell (``weight_share``, ``n_values``). A score
    resting on part of the node's applicable weight (``weight_share`` < 1) has a dotted border
    and a small triangle in its top right corner.

    Each mission's lifecycle phase (if the data have a ``phase`` column) is written under its
    name. When the missions shown are in different phases, a
    :class:`~missionlens.errors.MixedPhasesWarning` is raised and a note is written above the
    heatmap: missions in exit and in implementation are scored on different indicators.

    Parameters
    ----------
    data : Profiles or pandas.DataFrame
        A :class:`~missionlens.Profiles` object, or a table with the columns ``mission``,
        ``node`` and ``score`` and optionally ``period``, ``phase``, ``node_type``, ``view``,
        ``weight_share`` (or ``coverage``) and ``n_values``.
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
    relative : {None, "median"}
        ``"median"`` to show each score relative to the peer median (:func:`peer_relative`).
    caption : str, bool or None
        The caption line (see :func:`plot_profile`); ``False`` for none.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default the current Axes (a new figure if none is open).
    lang : str, default "en"
        Language of the text, as in :func:`~missionlens.plot_profile`: title, axis and colorbar
        labels, cell notes, node and phase names; Arabic shaped and right to left.
    **kwargs
        Passed to ``Axes.imshow``.

    Returns
    -------
    matplotlib.axes.Axes
        The heatmap's Axes (the colorbar has its own Axes in the same figure). Cell texts have
        gid ``"cell"``, row by row; partial cells a patch with gid ``"partial"``; the phase
        note gid ``"phase-warning"``.

    Raises
    ------
    KeyError
        If a needed column, a mission, the period or the node type is not in the data.
    ValueError
        If the score column is not numeric or a mission has several rows for one node.
    ArgumentError
        If ``relative`` is not ``None`` or ``"median"``.

    Warns
    -----
    MixedPhasesWarning
        If the missions shown are in different lifecycle phases.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> table = pd.DataFrame({"mission": ["A", "A", "B", "B"],
    ...                       "node": ["political", "environment"] * 2,
    ...                       "score": [80.0, None, 62.5, 40.0]})
    >>> fig, ax = plt.subplots()
    >>> ax = plot_comparison(table, ax=ax)
    >>> [t.get_text() for t in ax.texts if t.get_gid() == "cell"]
    ['80', '–', '63', '40']
    """
    func = "plot_comparison"
    if relative not in (None, "median"):
        raise ArgumentError(f"{func}: relative must be None or 'median', not {relative!r}")
    table, framework = prepare(
        data,
        func,
        ["mission", "node", "score"],
        ["period", "phase", "node_type", "view", "weight_share", "coverage", "n_values"],
    )
    table, view = select_nodes(table, node_type, func)
    available = distinct(table["mission"])
    names = available if missions is None else check_missions(as_list(missions), available, func)
    if not names:
        raise ArgumentError(f"{func}: no missions to compare")
    table = table[table["mission"].isin(names)]
    table, chosen = choose_period(table, period, names, func)
    check_unique(table, ["mission", "node"], func, "select one period with period=...")
    nodes = distinct(table["node"])
    keyed = table.set_index(["mission", "node"])
    grid = (
        table.pivot(index="mission", columns="node", values="score")
        .reindex(index=names, columns=nodes)
        .to_numpy(dtype=np.float64)
    )
    shown = peer_relative(grid) if relative == "median" else grid
    missing = np.full(grid.shape, NAN_TEXT, dtype=object)
    partial = np.zeros(grid.shape, dtype=bool)
    for i, m in enumerate(names):
        for j, n in enumerate(nodes):
            if (m, n) not in keyed.index:
                continue
            row = keyed.loc[(m, n)]
            if np.isnan(grid[i, j]):
                missing[i, j] = missing_text(row, unknown=NAN_TEXT)
            else:
                partial[i, j] = is_partial(row)

    phases: dict[str, str] = {}
    if "phase" in table.columns:
        for m in names:
            found = distinct(table.loc[table["mission"] == m, "phase"])
            if len(found) == 1:
                phases[m] = found[0]
    check_language(lang)
    mission_labels = [
        f"{m}\n({phase_label(phases[m], lang, framework).lower()})" if m in phases else m
        for m in names
    ]
    mixed = sorted(set(phases.values()))
    if lang != "en":
        reasons = {NO_DATA: "no_data", NOT_APPLICABLE: "not_applicable", NO_SCORE: "no_score"}
        for cell in np.ndindex(*missing.shape):
            if missing[cell] in reasons:
                missing[cell] = plot_text(reasons[missing[cell]], lang)

    labels = node_labels(framework, view, nodes, lang)
    if transpose is None:
        transpose = len(nodes) > 8
    if transpose:
        shown, missing, partial = shown.T, missing.T, partial.T
        row_labels = [wrap(labels[n], 40) for n in nodes]
        col_labels = list(mission_labels)
    else:
        row_labels = list(mission_labels)
        col_labels = [wrap(labels[n], 14) for n in nodes]
    n_rows, n_cols = shown.shape
    rotate = n_cols > 6 and max(len(c) for c in col_labels) > 5
    if rotate and not transpose:
        col_labels = [wrap(labels[n], 30) for n in nodes]
    longest = max(len(line) for label in row_labels for line in label.splitlines())
    ax = axes_for(
        ax,
        (max(5.0, 1.15 * n_cols + 0.09 * longest + 2.0), max(2.6, 0.5 * n_rows + 2.2)),
    )
    _heatmap(ax, shown, missing, partial, relative, kwargs, lang)
    ax.set_xticks(
        range(n_cols),
        [display_text(c, lang) for c in col_labels],
        rotation=40 if rotate else 0,
        ha="right" if rotate else "center",
        rotation_mode="anchor" if rotate else "default",
    )
    ax.set_yticks(range(n_rows), [display_text(r, lang) for r in row_labels])
    rows_are = type_label(node_type, view, framework, heading=True, lang=lang)
    mission_word = plot_text("mission", lang)
    ax.set_xlabel(mission_word if transpose else rows_are)
    ax.set_ylabel(rows_are if transpose else mission_word)
    when = f", {chosen}" if chosen else ""
    title = f"{what(node_type, view, framework, heading=True, lang=lang)}{when}"
    if relative == "median":
        title += plot_text("relative_median", lang)
    ax.set_title(title, pad=18 if len(mixed) > 1 else 6)
    if len(mixed) > 1:
        shown_phases = ", ".join(phase_label(p).lower() for p in mixed)
        note = f"Missions in different phases ({shown_phases}): not scored on the same indicators"
        warnings.warn(f"{func}: {note}", MixedPhasesWarning, stacklevel=2)
        ax.annotate(
            f"Note: {note}",
            xy=(0.5, 1.0),
            xycoords="axes fraction",
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize="small",
            fontstyle="italic",
            color="#D55E00",
            gid="phase-warning",
            annotation_clip=False,
        )
    if partial.any():
        ax.annotate(
            plot_text("partial_note", lang),
            # under the axis label (placed when drawn), so never over the tick labels
            xy=(0.5, 0.0),
            xycoords=ax.xaxis.label,
            xytext=(0, -2),
            textcoords=("offset points"),
            ha="center",
            va="top",
            fontsize="x-small",
            color=MUTED,
            gid="partial-note",
            annotation_clip=False,
        )
    add_caption(ax, caption_text(data, caption))
    localise(ax, lang)
    return ax


def _prefers_black_text(rgba: tuple[float, float, float, float]) -> bool:
    """Whether black text has more contrast than white on this colour (WCAG 2 luminance)."""
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgba[:3]]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05)


def _heatmap(
    ax: Axes,
    grid: np.ndarray,
    missing: np.ndarray,
    partial: np.ndarray,
    relative: str | None,
    kwargs: dict[str, Any],
    lang: str = "en",
) -> None:
    """Cells coloured with their value, values written in, missing cells hatched with why."""
    import matplotlib as mpl
    from matplotlib.patches import Polygon, Rectangle

    n_rows, n_cols = grid.shape
    if relative == "median":
        finite = np.abs(grid[np.isfinite(grid)])
        reach = max(10.0, 10.0 * math.ceil(float(finite.max()) / 10.0)) if finite.size else 10.0
        cmap = mpl.colormaps["PuOr"].with_extremes(bad="white")
        norm: Any = mpl.colors.Normalize(vmin=-reach, vmax=reach)
    else:
        cmap = mpl.colormaps["cividis"].with_extremes(bad="white")
        norm = mpl.colors.Normalize(vmin=0, vmax=100)
    image = ax.imshow(
        np.ma.masked_invalid(grid),
        cmap=cmap,
        norm=norm,
        aspect="auto",
        interpolation="nearest",
        **kwargs,
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
                text = str(missing[i, j])
                ax.text(
                    j,
                    i,
                    text,
                    ha="center",
                    va="center",
                    color="0.1",
                    fontsize="large" if text == NAN_TEXT else "small",
                    fontweight="bold" if text == NAN_TEXT else "normal",
                    fontstyle="normal" if text == NAN_TEXT else "italic",
                    bbox={"boxstyle": "square,pad=0.15", "facecolor": "white", "linewidth": 0},
                    gid="cell",
                )
                continue
            black = _prefers_black_text(cmap(norm(value)))
            ink = "black" if black else "white"
            if relative == "median":
                rounded = math.floor(value + 0.5)
                text = f"{rounded:+d}" if rounded else "0"
                text = text.replace("-", "−")
            else:
                text = score_text(value)
            ax.text(j, i, text, ha="center", va="center", color=ink, fontweight="bold", gid="cell")
            if partial[i, j]:
                ax.add_patch(
                    Rectangle(
                        (j - 0.42, i - 0.42),
                        0.84,
                        0.84,
                        fill=False,
                        edgecolor=ink,
                        linestyle=(0, (1, 1.5)),
                        linewidth=1.2,
                        gid="partial",
                    )
                )
                ax.add_patch(
                    Polygon(
                        [(j + 0.5, i - 0.5), (j + 0.5, i - 0.2), (j + 0.2, i - 0.5)],
                        closed=True,
                        facecolor=ink,
                        edgecolor="none",
                        gid="partial-corner",
                    )
                )
    ax.set_xticks(np.arange(n_cols + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(n_rows + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="white", linewidth=2)
    ax.grid(which="major", visible=False)
    ax.tick_params(which="both", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    colorbar = figure_of(ax).colorbar(image, ax=ax, fraction=0.05, pad=0.03, aspect=25)
    if relative == "median":
        colorbar.set_label(display_text(plot_text("relative_axis", lang), lang))
    else:
        colorbar.set_label(
            SCORE_LABEL if lang == "en" else display_text(plot_text("score_axis", lang), lang)
        )
        colorbar.set_ticks(list(SCORE_TICKS))
