"""``plot_levels``: the finding-15 view, level (strategic, operational, tactical) by dimension.

Cairo finding 15 asks for performance to be read at the strategic, operational and tactical
levels. :func:`level_scores` computes, for each mission, period, dimension and level, the
weighted mean of the normalised indicator scores (the indicator rows of the tree view) with
the effective weights of the framework (as the recipe sets them); :func:`plot_levels` draws
them as grouped bars, one group per dimension.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from missionlens.errors import ArgumentError
from missionlens.framework.elements import LEVELS
from missionlens.framework.translations import check_language
from missionlens.plot.data import check_missions, choose_period, distinct, listing
from missionlens.plot.labels import (
    display_text,
    heading,
    legend_below,
    localise,
    node_labels,
    plot_text,
    score_text,
    wrap,
)
from missionlens.plot.theme import (
    MUTED,
    SCORE_LABEL,
    TOL_BRIGHT,
    add_caption,
    axes_for,
    caption_text,
    score_axis,
)
from missionlens.plot.weights import effective_weights, recipe_weights
from missionlens.scoring.profiles import Profiles

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from missionlens.framework.model import Framework

__all__ = [
    "LEVEL_COLUMNS",
    "PARTIAL_LINESTYLE",
    "PARTIAL_LINEWIDTH",
    "UNASSIGNED",
    "level_of",
    "level_scores",
    "plot_levels",
]

#: Columns of :func:`level_scores`, in order.
LEVEL_COLUMNS: tuple[str, ...] = (
    "mission",
    "period",
    "phase",
    "dimension",
    "level",
    "score",
    "n_indicators",
    "weight_share",
)

#: Level of an indicator for which neither it nor a node above it gives one.
UNASSIGNED = "unassigned"

#: Hatches of the levels (colour is not the only encoding).
_HATCH = {"strategic": "", "operational": "//", "tactical": "..", UNASSIGNED: "xx"}

#: Edge of a bar resting on part of the weight that applies: hollow, with this thick dotted
#: edge, an encoding no level uses (the levels' bars are filled, with a thin solid edge).
PARTIAL_LINESTYLE: Final = ":"
PARTIAL_LINEWIDTH: Final = 1.6


def level_of(framework: Framework) -> dict[str, str]:
    """Each indicator's level: its own ``level``, else the nearest node above it with one.

    Indicators without either get :data:`UNASSIGNED`.

    Examples
    --------
    >>> import missionlens as ml
    >>> fw = ml.load_framework("whole-of-mission")
    >>> sorted(set(level_of(fw).values()))
    ['operational', 'strategic', 'tactical']
    """
    out: dict[str, str] = {}
    for indicator in framework.indicators:
        level = indicator.level
        if level is None:
            level = next(
                (
                    framework.node(a).level
                    for a in framework.ancestors(indicator.id)
                    if framework.node(a).level
                ),
                None,
            )
        out[indicator.id] = level or UNASSIGNED
    return out


def level_scores(profiles: Profiles) -> pd.DataFrame:
    """Scores by level and dimension: weighted means of normalised indicator scores.

    For each mission, period, dimension ``d`` and level ``l`` (:func:`level_of`), with ``I``
    the indicators of ``d`` at level ``l`` that count (they apply in the unit's phase, or have
    a value: ``weight_share`` is not missing in their tree row) and ``w_i`` their effective
    weights (:func:`~missionlens.plot.weights.effective_weights` of the recipe's weights):

    ``score = sum(w_i * s_i) / sum(w_i)`` over the indicators of ``I`` with a normalised score
    ``s_i`` (0-100), and ``weight_share = sum(w_i, rated) / sum(w_i, I)``.

    This is a reading of the indicator scores across the tree, not one of its nodes: it
    applies no missing rule (a cell with any rated weight has a score; ``weight_share`` says
    how much) and no node's aggregation method (an arithmetic mean whatever the dimension's
    method). Within a single sub-dimension and for an arithmetic dimension it equals the
    dimension's score restricted to that level's indicators. (OECD/JRC 2008, *Handbook on
    Constructing Composite Indicators*, step 6: weighted arithmetic aggregation.)

    Parameters
    ----------
    profiles : Profiles

    Returns
    -------
    pandas.DataFrame
        Columns :data:`LEVEL_COLUMNS`: ``mission``, ``period``, ``phase``, ``dimension``,
        ``level``, ``score`` (``NaN`` where nothing is rated), ``n_indicators`` (rated
        indicators), ``weight_share`` (``NaN`` where no indicator counts); one row per unit,
        dimension and level that has at least one indicator in the framework, dimensions in
        framework order and levels strategic, operational, tactical (then unassigned).

    Raises
    ------
    ArgumentError
        If ``profiles`` is not a ``Profiles`` object.
    """
    if not isinstance(profiles, Profiles):
        raise ArgumentError(
            f"level_scores: profiles must be a missionlens Profiles object, not "
            f"{type(profiles).__name__}"
        )
    fw = profiles.framework
    weight = effective_weights(fw, recipe_weights(fw, profiles.recipe))
    levels = level_of(fw)
    table = profiles.to_frame("tree")
    rows = table[table["node_type"] == "indicator"]
    frame = pd.DataFrame(
        {
            "mission": rows["mission"].astype(str).to_numpy(),
            "period": rows["period"].astype(object).to_numpy(),
            "phase": rows["phase"].astype(object).to_numpy(),
            "indicator": rows["node"].astype(str).to_numpy(),
            "score": rows["score"].to_numpy(dtype=np.float64),
            "counts": rows["weight_share"].notna().to_numpy(),
        }
    )
    frame["dimension"] = [fw.dimension_of(i) for i in frame["indicator"]]
    frame["level"] = frame["indicator"].map(levels)
    frame["w"] = frame["indicator"].map(weight).astype(np.float64)
    rated = frame["counts"] & frame["score"].notna()
    frame["w_counted"] = np.where(frame["counts"], frame["w"], 0.0)
    frame["w_rated"] = np.where(rated, frame["w"], 0.0)
    frame["ws"] = np.where(rated, frame["w"] * frame["score"].fillna(0.0), 0.0)
    frame["n"] = rated.astype(np.int64)
    keys = ["mission", "period", "phase", "dimension", "level"]
    sums = frame.groupby(keys, sort=False, dropna=False)[["w_counted", "w_rated", "ws", "n"]].sum()
    out = sums.reset_index()
    with np.errstate(invalid="ignore", divide="ignore"):
        out["score"] = np.where(out["w_rated"] > 0, out["ws"] / out["w_rated"], np.nan)
        out["weight_share"] = np.where(
            out["w_counted"] > 0, out["w_rated"] / out["w_counted"], np.nan
        )
    out["n_indicators"] = out["n"].astype(np.int64)
    dim_order = {d.id: k for k, d in enumerate(fw.dimensions)}
    level_order = {lv: k for k, lv in enumerate((*LEVELS, UNASSIGNED))}
    pairs = list(zip(out["mission"], out["period"], strict=True))
    units = {u: k for k, u in enumerate(dict.fromkeys(pairs))}
    out["_u"] = [units[u] for u in pairs]
    out["_d"] = out["dimension"].map(dim_order)
    out["_l"] = out["level"].map(lambda lv: level_order.get(lv, len(level_order)))
    out = out.sort_values(["_u", "_d", "_l"], kind="stable")
    return out[list(LEVEL_COLUMNS)].reset_index(drop=True)


def plot_levels(
    data: Profiles | pd.DataFrame,
    *,
    mission: str | None = None,
    period: str | None = None,
    caption: str | bool | None = None,
    ax: Axes | None = None,
    lang: str = "en",
    **kwargs: Any,
) -> Axes:
    """Finding 15: each dimension's score at the strategic, operational and tactical levels.

    Grouped horizontal bars, one group per dimension and one bar per level (Paul Tol's
    colours and a hatch per level, so that the levels differ in grayscale too), from
    :func:`level_scores`. A bar resting on part of the weight that applies
    (``weight_share`` < 1) is hollow with a thick dotted edge in its level's colour (still
    hatched as its level), an encoding no level uses, and its value says the share rated
    ("58 (95% of weight rated)"); each bar is annotated with its rounded score, a missing
    one says "no data" (nothing rated) or "n/a" (no indicator of that level applies).

    Parameters
    ----------
    data : Profiles or pandas.DataFrame
        A :class:`~missionlens.Profiles` object, or a table with the columns of
        :func:`level_scores` (``mission``, ``dimension``, ``level``, ``score``; optionally
        ``period``, ``phase``, ``weight_share``).
    mission : str, optional
        The mission; may be omitted only if the data hold one.
    period : str, optional
        By default the mission's latest period.
    caption : str, bool or None
        The caption line (see :func:`plot_profile`); ``False`` for none.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default the current Axes (a new figure if none is open).
    lang : str, default "en"
        Language of the plot's own words (title, level names, legend, axis) and of the
        dimension names (the framework's translation, English where it has none);
        right-to-left text is shaped (:func:`~missionlens.plot.labels.display_text`).
    **kwargs
        Passed to ``Axes.barh``.

    Returns
    -------
    matplotlib.axes.Axes
        Bars have gid ``"level:<dimension>:<level>"``.

    Raises
    ------
    KeyError
        If a needed column, the mission or the period is not in the data.
    ValueError
        If ``mission`` is needed.
    """
    func = "plot_levels"
    check_language(lang)
    framework = data.framework if isinstance(data, Profiles) else None
    if isinstance(data, Profiles):
        table = level_scores(data)
    elif isinstance(data, pd.DataFrame):
        needed = ["mission", "dimension", "level", "score"]
        missing = [c for c in needed if c not in data.columns]
        if missing:
            raise KeyError(
                f"{func}: data has no column(s) {', '.join(map(repr, missing))}; it needs "
                f"{', '.join(map(repr, needed))} (the columns of level_scores)"
            )
        table = data.copy()
        for column in ("mission", "dimension", "level", "period", "phase"):
            if column in table.columns:
                table[column] = table[column].map(lambda v: None if pd.isna(v) else str(v))
    else:
        raise ArgumentError(
            f"{func}: data must be a missionlens Profiles object or a pandas DataFrame, "
            f"not {type(data).__name__}"
        )
    available = distinct(table["mission"])
    if mission is None:
        if len(available) != 1:
            raise ArgumentError(
                f"{func}: the data hold {len(available)} missions; choose one with mission=... "
                f"({listing(available)})"
            )
        mission = available[0]
    (mission,) = check_missions([mission], available, func)
    table = table[table["mission"] == mission]
    table, chosen = choose_period(table, period, [mission], func)
    dimensions = distinct(table["dimension"])
    present = set(table["level"])
    levels = [lv for lv in (*LEVELS, UNASSIGNED) if lv in present]
    levels += [lv for lv in distinct(table["level"]) if lv not in levels]
    labels = node_labels(framework, None, dimensions, lang)
    ax = axes_for(ax, (7.5, 1.9 + 0.25 * len(dimensions) * len(levels)))
    height = 0.8 / max(len(levels), 1)
    from matplotlib.patches import Patch

    keyed = table.set_index(["dimension", "level"])
    handles = []
    any_partial = False
    for k, level in enumerate(levels):
        color = TOL_BRIGHT[k % len(TOL_BRIGHT)]
        hatch = _HATCH.get(level, "++")
        for d, dim in enumerate(dimensions):
            y = d - 0.4 + height * (k + 0.5)
            if (dim, level) not in keyed.index:
                continue
            row = keyed.loc[(dim, level)]
            score = float(row["score"])
            if np.isnan(score):
                share = row.get("weight_share", np.nan)
                ax.text(
                    1,
                    y,
                    plot_text("not_applicable" if pd.isna(share) else "no_data", lang),
                    va="center",
                    fontsize="x-small",
                    fontstyle="italic",
                    color=MUTED,
                    gid="no-data",
                )
                continue
            share = row.get("weight_share", np.nan)
            partial = bool(not pd.isna(share) and share < 1 - 1e-9)
            any_partial |= partial
            # partial: hollow (white), the level's own hatch in its colour, and a thick
            # dotted edge, which no level uses (a level's bar is filled, with a solid edge)
            ax.barh(
                y,
                score,
                height=height * 0.92,
                color="white" if partial else color,
                edgecolor="0.2" if not partial else color,
                hatch=hatch,
                linewidth=0.8 if not partial else PARTIAL_LINEWIDTH,
                linestyle="solid" if not partial else PARTIAL_LINESTYLE,
                zorder=2,
                gid=f"level:{dim}:{level}",
                **kwargs,
            )
            inside = score > 90
            value = score_text(score)
            if partial:
                rated = plot_text("weight_rated", lang, share=f"{share:.0%}")
                value = f"{value} ({rated})"
            ax.text(
                score - 1 if inside else score + 1,
                y,
                value,
                va="center",
                ha="right" if inside else "left",
                fontsize="x-small",
                color="0.1",
                gid="level-value",
                bbox=(
                    {"boxstyle": "square,pad=0.05", "facecolor": "white", "linewidth": 0}
                    if inside
                    else None
                ),
            )
        handles.append(
            Patch(facecolor=color, edgecolor="0.2", hatch=hatch, label=_level_name(level, lang))
        )
    if any_partial:
        handles.append(
            Patch(
                facecolor="white",
                edgecolor=MUTED,
                linewidth=PARTIAL_LINEWIDTH,
                linestyle=PARTIAL_LINESTYLE,
                label=plot_text("part_rated", lang),
            )
        )
    ax.set_yticks(
        range(len(dimensions)), [display_text(wrap(labels[d], 26), lang) for d in dimensions]
    )
    ax.set_ylim(len(dimensions) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    score_axis(ax, "x", SCORE_LABEL if lang == "en" else plot_text("score_axis", lang))
    title = heading(table, mission, chosen, lang, framework)
    ax.set_title(plot_text("levels_title", lang, heading=title))
    legend_below(ax, handles, min(len(handles), 4))
    add_caption(ax, caption_text(data, caption))
    localise(ax, lang)
    return ax


def _level_name(level: str, lang: str) -> str:
    """A level's name ("Strategic") in ``lang``; a level the catalogue lacks as written."""
    if level in (*LEVELS, UNASSIGNED):
        return plot_text("level_" + level, lang)
    return level.capitalize()
