"""``plot_profile`` and ``plot_radar``: one mission's scores node by node, others alongside.

A horizontal dot chart (``kind="dot"``), bars (``kind="bar"``) or a radar (``kind="radar"``,
:func:`plot_radar`): one row (or spoke) per node (dimension by default, or facet value), the
mission's score as a large dot on a stem from 0, each comparison mission as a smaller marker of
its own shape and colour, hollow when the score rests on only part of the node's applicable
weight (``weight_share`` < 1). Intervals (``lower``/``upper`` columns, as the uncertainty
analysis adds them) are drawn as bars through the markers, and the context index (rows of the
``context`` view, or of ``role == "context"``) is drawn apart, below a rule, so that it is
never read as performance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from missionlens.errors import ArgumentError
from missionlens.framework.model import Framework
from missionlens.framework.translations import check_language
from missionlens.plot.data import (
    NUMERIC_COLUMNS,
    as_list,
    check_missions,
    check_unique,
    choose_period,
    distinct,
    interval_label,
    is_partial,
    listing,
    missing_text,
    prepare,
    select_nodes,
)
from missionlens.plot.labels import (
    display_text,
    fit_row_labels,
    heading,
    legend_below,
    localise,
    no_data,
    node_labels,
    plot_text,
    what,
    wrap,
)
from missionlens.plot.theme import (
    MUTED,
    NO_DATA,
    NO_SCORE,
    NOT_APPLICABLE,
    SCORE_TICKS,
    add_caption,
    axes_for,
    caption_text,
    score_axis,
    series_style,
)
from missionlens.scoring.profiles import Profiles

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["CONTEXT_HEADER", "ProfileRows", "plot_profile", "plot_radar", "profile_rows"]

#: Header of the context block of a profile.
CONTEXT_HEADER = "Context (not part of the performance score)"

_OPTIONAL = (
    "period",
    "phase",
    "node_type",
    "view",
    "coverage",
    "weight_share",
    "n_values",
    "role",
)


@dataclass(frozen=True)
class ProfileRows:
    """The rows a profile draws: performance nodes, context nodes, and what they are.

    Attributes
    ----------
    table : pandas.DataFrame
        Performance rows of the chosen missions and period.
    context : pandas.DataFrame
        Context rows (``view == "context"`` or ``role == "context"``), same missions and
        period; empty when the data have none.
    framework : Framework or None
    view : str or None
        The view of ``table``'s rows.
    missions : list of str
        The mission first, then the comparison missions.
    period : str or None
    """

    table: pd.DataFrame
    context: pd.DataFrame
    framework: Framework | None
    view: str | None
    missions: list[str]
    period: str | None


def profile_rows(
    data: Profiles | pd.DataFrame,
    func: str,
    *,
    mission: str | None,
    compare: str | Sequence[str] | None,
    period: str | None,
    node_type: str,
    extra: Sequence[str] = (),
) -> ProfileRows:
    """Select the rows of a profile plot (shared by the profile, the radar, small multiples).

    Raises ``KeyError`` for an unknown column, mission, period or node type and ``ValueError``
    when ``mission`` is needed, a mission has no rows for the period or a node is repeated.
    """
    table, framework = prepare(
        data,
        func,
        ["mission", "node", "score"],
        [*_OPTIONAL, *extra],
        numeric=(*NUMERIC_COLUMNS, *extra),
    )
    context = table.iloc[0:0]
    if "view" in table.columns:
        context = table[table["view"] == "context"]
        table = table[table["view"] != "context"]
        if "node_type" in context.columns and node_type != "indicator":
            context = context[context["node_type"] != "indicator"]
    table, view = select_nodes(table, node_type, func)
    if "role" in table.columns:
        is_context = table["role"] == "context"
        context = pd.concat([table[is_context], context])
        table = table[~is_context]
    available = distinct(table["mission"])
    if mission is None:
        if len(available) != 1:
            raise ArgumentError(
                f"{func}: the data hold {len(available)} missions; choose one with mission=... "
                f"({listing(available)})"
            )
        mission = available[0]
    missions = check_missions([mission, *as_list(compare)], available, func)
    table = table[table["mission"].isin(missions)]
    table, chosen = choose_period(table, period, missions, func)
    for m in missions:
        if not (table["mission"] == m).any():
            raise ArgumentError(
                f"{func}: mission {m!r} has no scores for period {chosen!r}; "
                f"choose a period with period=..."
            )
    check_unique(table, ["mission", "node"], func, "select one period with period=...")
    context = context[context["mission"].isin(missions)]
    if chosen is not None and "period" in context.columns:
        context = context[context["period"] == chosen]
    return ProfileRows(table, context, framework, view, missions, chosen)


def _missing_note(gone: list[tuple[str, str]], n_missions: int) -> str:
    """ "no data" for one mission; "no data: B; n/a: C" for several."""
    if n_missions == 1:
        return gone[0][1]
    by_reason: dict[str, list[str]] = {}
    for m, reason in gone:
        by_reason.setdefault(reason, []).append(m)
    return "; ".join(f"{reason}: {', '.join(ms)}" for reason, ms in by_reason.items())


def plot_profile(
    data: Profiles | pd.DataFrame,
    *,
    mission: str | None = None,
    period: str | None = None,
    node_type: str = "dimension",
    compare: str | Sequence[str] | None = None,
    kind: str = "dot",
    lower: str = "lower",
    upper: str = "upper",
    caption: str | bool | None = None,
    ax: Axes | None = None,
    lang: str = "en",
    **kwargs: Any,
) -> Axes:
    """One mission's scores per node as a dot chart (or bars, or a radar), others alongside.

    Each node (dimension by default) is a row; the mission's score is a large dot on a stem from
    0 (``kind="dot"``) or a bar (``kind="bar"``), and each comparison mission is a smaller
    marker (or a thinner bar) of its own shape and colour. A hollow marker (a hatched bar)
    means the score rests on only part of the node's applicable weight (``weight_share`` < 1;
    a child that does not apply, or weighs 0, does not count), and the mission's own share is
    written at the right ("67% of weight rated"). A missing score is never drawn at 0; the row
    says why: "n/a" (nothing of the node applies in the mission's phase), "no score" (values
    were entered but too little of the node's weight is rated for the missing rule) or
    "no data" (nothing that applies was rated).

    If the data have ``lower`` and ``upper`` columns (an uncertainty analysis adds them), each
    score gets its interval as a bar with end ticks. Rows of the ``context`` view, or with
    ``role == "context"``, are drawn below a rule under the header :data:`CONTEXT_HEADER`:
    context describes the mission's situation and is not a performance score.

    Parameters
    ----------
    data : Profiles or pandas.DataFrame
        A :class:`~missionlens.Profiles` object, or a table with the columns ``mission``,
        ``node`` and ``score`` (0-100) and optionally ``period``, ``phase``, ``node_type``,
        ``view`` (used to select the rows, as in :meth:`Profiles.to_frame`), ``weight_share``
        (0-1, for hollow markers; else ``coverage``), ``n_values`` (for the reason of a missing
        score), ``role`` and the interval columns. A table without ``node_type`` and ``view``
        is drawn whole.
    mission : str, optional
        The mission to profile; may be omitted only if the data hold a single mission.
    period : str, optional
        The period to show; by default the mission's latest period (see :func:`sort_periods`).
    node_type : str, default "dimension"
        ``"root"``, ``"dimension"``, ``"subdimension"`` or ``"indicator"`` for nodes of the
        tree, or a facet view id (``"level"``, ``"finding"``, ``"a4p"``) for its values.
    compare : str or sequence of str, optional
        Missions to show alongside, for the same period.
    kind : {"dot", "bar", "radar"}, default "dot"
        The chart; ``"radar"`` calls :func:`plot_radar` (``ax`` must then be polar).
    lower, upper : str, default "lower", "upper"
        Columns of the interval bounds (0-100); no intervals are drawn without them.
    caption : str, bool or None
        The caption line below the figure: by default built from the ``Profiles`` (framework
        id and version, recipe and data fingerprints, sources; see :func:`caption_text`),
        ``False`` for none, or the text to write.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default the current Axes (a new figure if none is open).
    lang : str, default "en"
        Language of the plot's text (BCP 47 tag): title, axis label, notes, legend, and the
        names of dimensions, facet values and phases from the framework's translations
        (English where one is missing). Arabic is shaped and drawn right to left
        (:func:`~missionlens.plot.labels.display_text`).
    **kwargs
        Passed to matplotlib when drawing the main mission's markers (``Axes.plot``) or bars
        (``Axes.barh``).

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
    ArgumentError
        If ``kind`` is not one of the three.

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
    if kind == "radar":
        return plot_radar(
            data,
            mission=mission,
            period=period,
            node_type=node_type,
            compare=compare,
            lower=lower,
            upper=upper,
            caption=caption,
            ax=ax,
            lang=lang,
            **kwargs,
        )
    check_language(lang)
    if kind not in ("dot", "bar"):
        raise ArgumentError(f"{func}: kind must be 'dot', 'bar' or 'radar', not {kind!r}")
    rows_of = profile_rows(
        data,
        func,
        mission=mission,
        compare=compare,
        period=period,
        node_type=node_type,
        extra=[c for c in dict.fromkeys((lower, upper)) if c not in _OPTIONAL],
    )
    table, context, framework = rows_of.table, rows_of.context, rows_of.framework
    missions, view, chosen = rows_of.missions, rows_of.view, rows_of.period
    has_interval = lower in table.columns and upper in table.columns

    nodes = distinct(table["node"])
    context_nodes = [n for n in distinct(context["node"]) if n not in nodes]
    labels = node_labels(framework, view, nodes, lang)
    labels.update(node_labels(framework, None, context_nodes, lang))
    if framework is not None and framework.root.id in context_nodes:
        # the root of the context view is the context index, not the framework's headline
        labels[framework.root.id] = plot_text("context_index_row", lang)
    n_rows = len(nodes) + (len(context_nodes) + 1 if context_nodes else 0)
    ax = axes_for(ax, (7.5, 1.9 + 0.5 * n_rows))
    row_of = {n: float(i) for i, n in enumerate(nodes)}
    row_of.update({n: float(len(nodes) + 1 + i) for i, n in enumerate(context_nodes)})
    offsets = np.linspace(-0.18, 0.18, len(missions)) if len(missions) > 1 else np.zeros(1)
    bar_height = 0.7 / len(missions)
    handles: list[Any] = []
    any_hollow = False
    any_interval = False
    missing_at: dict[str, list[tuple[str, str]]] = {n: [] for n in row_of}
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    both = pd.concat([table, context[context["node"].isin(context_nodes)]])
    for k, m in enumerate(missions):
        style = series_style(k)
        rows = both[both["mission"] == m].drop_duplicates("node").set_index("node")
        main = k == 0
        size = 11.0 if main else 8.0
        for node in row_of:
            y = row_of[node] + offsets[k]
            if node not in rows.index:
                continue
            row = rows.loc[node]
            value = row["score"]
            if pd.isna(value):
                missing_at[node].append((m, _reason_text(missing_text(row), lang)))
                continue
            hollow = is_partial(row)
            any_hollow |= hollow
            extra = kwargs if main else {}
            if kind == "bar":
                ax.barh(
                    y,
                    value,
                    height=bar_height * (1.0 if main else 0.8),
                    color="white" if hollow else style.color,
                    edgecolor=style.color,
                    hatch="///" if hollow else None,
                    linewidth=1.4,
                    zorder=2,
                    gid=f"score:{m}:{node}",
                    **extra,
                )
            else:
                if main:
                    ax.plot(
                        [0, value], [y, y], color=style.color, linewidth=1.6, alpha=0.6, zorder=2
                    )
                ax.plot(
                    [value],
                    [y],
                    linestyle="none",
                    marker=style.marker,
                    markersize=size,
                    markeredgewidth=1.8,
                    markeredgecolor=style.color,
                    markerfacecolor="white" if hollow else style.color,
                    zorder=3 + main,
                    clip_on=False,
                    gid=f"score:{m}:{node}",
                    **extra,
                )
            if has_interval and node in nodes:
                low, high = row.get(lower, np.nan), row.get(upper, np.nan)
                if not (pd.isna(low) or pd.isna(high)):
                    any_interval = True
                    ax.plot(
                        [low, high],
                        [y, y],
                        color=style.color,
                        linewidth=3.0,
                        alpha=0.45,
                        marker="|",
                        markersize=9,
                        markeredgewidth=1.5,
                        solid_capstyle="butt",
                        zorder=2.5,
                        clip_on=False,
                        gid=f"interval:{m}:{node}",
                    )
            if main and hollow:
                share = row.get("weight_share", np.nan)
                note = (
                    plot_text("weight_rated", lang, share=f"{share:.0%}")
                    if not pd.isna(share)
                    else f"coverage {row.get('coverage', np.nan):.0%}"
                )
                ax.annotate(
                    note,
                    xy=(1.0, y),
                    xycoords=("axes fraction", "data"),
                    xytext=(6, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize="small",
                    color=MUTED,
                    annotation_clip=False,
                    gid="share-note",
                )
        if kind == "bar":
            handles.append(Patch(facecolor=style.color, edgecolor=style.color, label=m))
        else:
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
            no_data(ax, row_of[node], _missing_note(gone, len(missions)))
    if any_hollow:
        if kind == "bar":
            handles.append(
                Patch(
                    facecolor="white",
                    edgecolor=MUTED,
                    hatch="///",
                    label=plot_text("part_rated", lang),
                )
            )
        else:
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
                    label=plot_text("hollow_part_rated", lang),
                )
            )
    if any_interval:
        handles.append(
            Line2D(
                [],
                [],
                color=MUTED,
                linewidth=3.0,
                alpha=0.6,
                marker="|",
                markersize=9,
                label=interval_label(data, lang),
            )
        )
    if context_nodes:
        ax.axhline(len(nodes), color="0.5", linewidth=0.8, linestyle=(0, (3, 2)), zorder=1)
        ax.text(
            0.5,
            len(nodes),
            CONTEXT_HEADER if lang == "en" else plot_text("context_header", lang),
            ha="left",
            va="center",
            fontsize="small",
            fontstyle="italic",
            color="0.25",
            gid="context-header",
            bbox={"boxstyle": "square,pad=0.15", "facecolor": "white", "linewidth": 0},
        )
    # title, x axis and padding take about 62 points, the legend below about 48 more
    order = list(row_of)
    texts, font = fit_row_labels(
        ax,
        [labels[n] for n in order],
        width=26,
        max_width=44,
        reserved_pt=62.0 + 48.0 * (len(handles) > 1),
    )
    ax.set_yticks([row_of[n] for n in order], [display_text(t, lang) for t in texts], fontsize=font)
    ax.set_ylim(n_rows - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    score_axis(ax, "x", plot_text("score_axis", lang))
    title = heading(table, missions[0], chosen, lang, framework)
    ax.set_title(f"{title}: {what(node_type, view, framework, lang=lang)}")
    if len(handles) > 1:
        legend_below(ax, handles, min(len(handles), 4))
    add_caption(ax, caption_text(data, caption))
    localise(ax, lang)
    return ax


def _reason_text(reason: str, lang: str) -> str:
    """The words of a missing score ("no data", "n/a", "no score") in ``lang``."""
    keys = {NO_DATA: "no_data", NOT_APPLICABLE: "not_applicable", NO_SCORE: "no_score"}
    return plot_text(keys[reason], lang) if reason in keys and lang != "en" else reason


def plot_radar(
    data: Profiles | pd.DataFrame,
    *,
    mission: str | None = None,
    period: str | None = None,
    node_type: str = "dimension",
    compare: str | Sequence[str] | None = None,
    lower: str = "lower",
    upper: str = "upper",
    caption: str | bool | None = None,
    ax: Axes | None = None,
    lang: str = "en",
    **kwargs: Any,
) -> Axes:
    """One mission's scores per node as a radar (spider) chart, other missions alongside.

    One spoke per node (three at least), the radius is the score on a fixed 0-100 scale (100
    at the rim). Each mission is a closed line with its own colour, marker and line style; a
    missing score breaks the line and its reason ("no data", "no score", "n/a") is added to the
    spoke's label, never drawn at 0. Intervals (``lower``/``upper`` columns) are shaded bands
    around each line. The context view is not drawn on a radar (its scale is not performance);
    use :func:`plot_profile` to show it apart.

    A radar's area depends on the order of the spokes and exaggerates differences; the dot
    chart (:func:`plot_profile`) reads more accurately and is the default.

    Parameters
    ----------
    data, mission, period, node_type, compare, lower, upper, caption
        As in :func:`plot_profile`.
    ax : matplotlib.axes.Axes, optional
        A polar Axes (``plt.subplots(subplot_kw={"projection": "polar"})``); by default the
        current Axes if it is polar, else a new figure.
    lang : str, default "en"
        Language of the plot's text, as in :func:`plot_profile`.
    **kwargs
        Passed to ``Axes.plot`` for the main mission's line.

    Returns
    -------
    matplotlib.axes.Axes
        The polar Axes; each mission's line has gid ``"radar:<mission>"``. The score circles
        are labelled (20 to 100, gid ``"radial-label"``) halfway between the first two spokes
        (``ax.get_rlabel_position()``), clear of the spoke labels and markers.

    Raises
    ------
    ArgumentError
        If ``ax`` is not polar or there are fewer than three nodes.
    KeyError, ValueError
        As in :func:`plot_profile`.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> table = pd.DataFrame({"mission": "A", "node": ["p", "q", "r"],
    ...                       "score": [80.0, 50.0, 20.0]})
    >>> fig, ax = plt.subplots(subplot_kw={"projection": "polar"})
    >>> ax = plot_radar(table, ax=ax)
    >>> ax.lines[0].get_ydata().tolist()
    [80.0, 50.0, 20.0, 80.0]
    """
    func = "plot_radar"
    if ax is not None and ax.name != "polar":
        raise ArgumentError(
            f"{func}: ax must be a polar Axes (plt.subplots(subplot_kw={{'projection': "
            f"'polar'}})), not a {ax.name!r} one"
        )
    rows_of = profile_rows(
        data,
        func,
        mission=mission,
        compare=compare,
        period=period,
        node_type=node_type,
        extra=[c for c in dict.fromkeys((lower, upper)) if c not in _OPTIONAL],
    )
    table, framework, missions = rows_of.table, rows_of.framework, rows_of.missions
    check_language(lang)
    nodes = distinct(table["node"])
    if len(nodes) < 3:
        raise ArgumentError(
            f"{func}: a radar needs at least three nodes, the data have {len(nodes)} "
            f"({listing(nodes)}); use plot_profile"
        )
    if ax is None:
        import matplotlib.pyplot as plt

        if plt.get_fignums() and plt.gca().name == "polar":
            ax = plt.gca()
        else:
            _, ax = plt.subplots(
                figsize=(6.0, 5.5), layout="constrained", subplot_kw={"projection": "polar"}
            )
    angles = np.linspace(0.0, 2 * np.pi, len(nodes), endpoint=False)
    closed = np.append(angles, angles[0])
    labels = node_labels(framework, rows_of.view, nodes, lang)
    notes: dict[str, list[tuple[str, str]]] = {n: [] for n in nodes}
    has_interval = lower in table.columns and upper in table.columns
    banded = False
    handles: list[Any] = []
    for k, m in enumerate(missions):
        style = series_style(k)
        rows = table[table["mission"] == m].set_index("node").reindex(nodes)
        values = rows["score"].to_numpy(dtype=np.float64)
        for node, value in zip(nodes, values, strict=True):
            if np.isnan(value):
                notes[node].append((m, _reason_text(missing_text(rows.loc[node]), lang)))
        (line,) = ax.plot(
            closed,
            np.append(values, values[0]),
            color=style.color,
            marker=style.marker,
            linestyle=style.linestyle,
            linewidth=2.0 if k == 0 else 1.5,
            markersize=7 if k == 0 else 5,
            label=m,
            zorder=3,
            clip_on=False,
            gid=f"radar:{m}",
            **(kwargs if k == 0 else {}),
        )
        handles.append(line)
        if has_interval:
            low = rows[lower].to_numpy(dtype=np.float64)
            high = rows[upper].to_numpy(dtype=np.float64)
            if np.isfinite(low).any():
                ax.fill_between(
                    closed,
                    np.append(low, low[0]),
                    np.append(high, high[0]),
                    color=style.color,
                    alpha=0.15,
                    linewidth=0,
                    gid=f"interval:{m}",
                )
                banded = True
    spoke = []
    for node in nodes:
        text = wrap(labels[node], 18)
        if notes[node]:
            text += f"\n({_missing_note(notes[node], len(missions))})"
        spoke.append(text)
    ax.set_xticks(angles, [display_text(t, lang) for t in spoke], fontsize="small")
    ax.set_ylim(0, 100)
    # the score circles' labels sit halfway between the first two spokes, away from the
    # spoke labels and the markers, drawn above the lines (zorder 4), small and muted, on a
    # white ground that breaks a grid circle or a line behind them (gid "radial-label")
    between = float(np.degrees(angles[0] + np.pi / len(nodes)))
    ax.set_yticks(list(SCORE_TICKS[1:]), [""] * len(SCORE_TICKS[1:]))
    ax.set_rlabel_position(between)  # type: ignore[attr-defined]  # a PolarAxes
    for tick in SCORE_TICKS[1:]:
        ax.text(
            np.radians(between),
            tick,
            str(tick),
            ha="center",
            va="center",
            fontsize="x-small",
            color=MUTED,
            zorder=4,
            gid="radial-label",
            bbox={
                "boxstyle": "round,pad=0.1",
                "facecolor": "white",
                "edgecolor": "none",
                "alpha": 0.8,
            },
        )
    ax.grid(color="0.85", linewidth=0.8)
    ax.set_title(
        f"{heading(table, missions[0], rows_of.period, lang, framework)}: "
        f"{what(node_type, rows_of.view, framework, lang=lang)} "
        + ("(score 0–100)" if lang == "en" else "(0–100)"),
        pad=16,
    )
    if banded:
        from matplotlib.patches import Patch

        handles.append(Patch(facecolor=MUTED, alpha=0.3, label=interval_label(data, lang)))
    if len(handles) > 1:
        ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(1.02, 1.0),
            frameon=False,
            fontsize="small",
        )
    add_caption(ax, caption_text(data, caption))
    localise(ax, lang)
    return ax
