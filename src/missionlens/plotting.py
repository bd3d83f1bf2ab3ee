"""Plots of mission profiles: one mission's profile, missions side by side, trajectories over the
mission lifecycle, and scores by facet.

Every function follows the seaborn convention ``plot_x(data, *, options..., ax=None) -> Axes``:
``data`` is a :class:`~missionlens.Profiles` object or a tidy :class:`pandas.DataFrame` with the
columns named in each docstring (those of :meth:`Profiles.to_frame` are the reference), the plot
is drawn on ``ax`` (or the current Axes, or a new figure sized for the content if no figure is
open) and the Axes is returned. Nothing calls ``plt.show()``.

Accessibility rules followed by every plot:

* colours come from the Okabe-Ito palette (:data:`OKABE_ITO`), which stays distinct for the
  common forms of colour-vision deficiency, and the heatmap uses the ``cividis`` colormap, which
  is designed to be perceptually uniform for those readers and in grayscale;
* colour is never the only encoding: series also differ by marker shape and line style, lines
  carry direct labels, heatmap cells carry their value as text, phases carry text labels and
  hatches;
* a missing score is drawn as missing (a gap in a line, a hatched cell marked "–", or the words
  "no data"), never as zero;
* score axes run from 0 to 100 (100 best).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from missionlens.framework.model import Framework
from missionlens.periods import parse_period
from missionlens.scoring.profiles import Profiles

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "OKABE_ITO",
    "plot_comparison",
    "plot_facets",
    "plot_lifecycle",
    "plot_profile",
    "sort_periods",
]

#: The Okabe-Ito colour-blind-safe palette, in the order the plots use it (yellow last: it is
#: hard to see on white). Okabe, M. and Ito, K. (2008), "Color Universal Design (CUD): How to
#: make figures and presentations that are friendly to colorblind people",
#: https://jfly.uni-koeln.de/color/.
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow
)

#: Marker shapes and line styles paired with the colours, so that series stay distinct in
#: grayscale. Their cycle lengths (7 and 4) are coprime: 28 series get distinct pairs.
_MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X")
_LINESTYLES: tuple[str, ...] = ("-", "--", ":", "-.")

#: Background fill and hatch of each lifecycle phase (the text label is the primary encoding).
_PHASE_STYLE: dict[str, tuple[str, str]] = {
    "mandate_design": ("#56B4E9", "\\"),
    "start_up": ("#009E73", "."),
    "implementation": ("#999999", ""),
    "drawdown": ("#E69F00", "/"),
    "transition": ("#CC79A7", "x"),
    "exit": ("#D55E00", "|"),
}
_EXTRA_HATCHES: tuple[str, ...] = ("+", "o", "*", "-")

_SCORE_LABEL = "Score (0–100, higher is better)"
_NO_DATA = "no data"
_NAN_TEXT = "–"
_TREE_TYPES = ("root", "dimension", "subdimension", "indicator")
_NUMERIC_COLUMNS = ("score", "n_indicators", "coverage", "imputed_share")
_MUTED = "0.35"


# ---------------------------------------------------------------------------------- periods
def _decimal_year(day: date) -> float:
    start = date(day.year, 1, 1)
    length = (date(day.year + 1, 1, 1) - start).days
    return day.year + (day - start).days / length


def _period_span(label: str) -> tuple[float, float] | None:
    """Start and end of a period label in decimal years, or ``None`` if it is not recognised.

    The label is read by :func:`missionlens.parse_period`, the one period parser of
    the library; the span runs from the period's first day to the day after its last.
    """
    try:
        period = parse_period(label)
    except ValueError:
        return None
    first = period.start.date()
    after = (period.end + pd.Timedelta(days=1)).date()
    return _decimal_year(first), _decimal_year(after)


def sort_periods(periods: Iterable[Any]) -> list[str]:
    """Period labels in chronological order.

    Labels are read by :func:`missionlens.parse_period`: years (``2024``), halves
    (``2024-H1``, or ``2024-S1`` for semester), quarters (``2024-Q3``), months (``2024-03``),
    ISO dates (``2024-03-15``), UN peacekeeping financial years running July to June
    (``2023/24``) and ranges of dates (``2024-01-01/2024-06-30``). Periods of different
    lengths are ordered by their midpoints (``2024-H1``, ``2024``, ``2024-H2``), then by their
    starts. If any label is not recognised, all labels keep the order in which they were
    given. The labels themselves are returned as given, not in canonical form.

    Parameters
    ----------
    periods : iterable
        Period labels (text or whole numbers); repeats and missing values are dropped.

    Returns
    -------
    list of str
        The distinct labels, as text.

    Examples
    --------
    >>> sort_periods(["2024-H2", "2023-Q4", "2024", "2024-H1", "2023-Q4"])
    ['2023-Q4', '2024-H1', '2024', '2024-H2']
    >>> sort_periods(["2023/24", "2021/22", "2022/23"])
    ['2021/22', '2022/23', '2023/24']
    >>> sort_periods(["cycle 2", "cycle 1"])
    ['cycle 2', 'cycle 1']
    """
    labels = [v for v in dict.fromkeys(_text_value(p) for p in periods) if v is not None]
    spans = [_period_span(label) for label in labels]
    known = [(label, span) for label, span in zip(labels, spans, strict=True) if span]
    if len(known) < len(labels):
        return labels
    known.sort(key=lambda item: ((item[1][0] + item[1][1]) / 2, item[1][0]))
    return [label for label, _ in known]


@dataclass(frozen=True)
class _TimeAxis:
    """Positions of period labels on the x axis: decimal years if they parse, else 0, 1, ..."""

    labels: list[str]
    position: dict[str, float]
    span: dict[str, tuple[float, float]]
    is_time: bool


def _time_axis(labels: Iterable[str], starts: dict[str, Any] | None = None) -> _TimeAxis:
    ordered = sort_periods(labels)
    if starts:
        stamps = pd.to_datetime(pd.Series([starts.get(k) for k in ordered]), errors="coerce")
        if not stamps.isna().any():
            pos = {k: _decimal_year(s.date()) for k, s in zip(ordered, stamps, strict=True)}
            ordered = sorted(ordered, key=lambda k: pos[k])
            return _TimeAxis(ordered, pos, _spans_from_positions(ordered, pos), True)
    spans = {k: _period_span(k) for k in ordered}
    if all(s is not None for s in spans.values()):
        span = {k: s for k, s in spans.items() if s is not None}
        pos = {k: (s[0] + s[1]) / 2 for k, s in span.items()}
        return _TimeAxis(ordered, pos, span, True)
    pos = {k: float(i) for i, k in enumerate(ordered)}
    return _TimeAxis(ordered, pos, _spans_from_positions(ordered, pos), False)


def _spans_from_positions(
    ordered: list[str], pos: dict[str, float]
) -> dict[str, tuple[float, float]]:
    """Each position's cell: halfway to its neighbours (half a step beyond the ends)."""
    xs = [pos[k] for k in ordered]
    gaps = np.diff(xs) if len(xs) > 1 else np.array([1.0])
    out = {}
    for i, k in enumerate(ordered):
        left = gaps[i - 1] if i > 0 else gaps[0]
        right = gaps[i] if i < len(gaps) and len(xs) > 1 else gaps[-1]
        out[k] = (xs[i] - left / 2, xs[i] + right / 2)
    return out


# ------------------------------------------------------------------------------ input tables
def _text_value(value: Any) -> str | None:
    """A label as text: ``None`` for missing values, ``2024`` for 2024.0, dates as ISO dates."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, np.floating):
        return _text_value(float(value))
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    return str(value)


def _as_text(values: pd.Series) -> pd.Series:
    """A column as Python strings (object dtype) with ``None`` for missing values."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        lookup = np.array([None, *(_text_value(c) for c in values.cat.categories)], dtype=object)
        out = lookup[values.cat.codes.to_numpy() + 1]
    else:
        out = np.array([_text_value(v) for v in values.astype(object)], dtype=object)
    return pd.Series(out, index=values.index, dtype=object)


def _as_float(values: pd.Series, func: str, column: str) -> pd.Series:
    """A numeric column as float64 with NaN for missing values (text is refused)."""
    problem = f"{func}: column {column!r} must be numeric, but its dtype is {values.dtype}"
    if pd.api.types.is_bool_dtype(values):
        raise ValueError(problem)
    if not pd.api.types.is_numeric_dtype(values):
        bad = [v for v in values.astype(object) if not _is_number(v)]
        if bad:
            raise ValueError(f"{problem} (e.g. the value {bad[0]!r})")
        values = pd.to_numeric(values.astype(object))
    return pd.Series(
        values.to_numpy(dtype=np.float64, na_value=np.nan), index=values.index, dtype=np.float64
    )


def _is_number(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _prepare(
    data: Profiles | pd.DataFrame,
    func: str,
    required: Sequence[str],
    optional: Sequence[str] = (),
    numeric: Sequence[str] = _NUMERIC_COLUMNS,
) -> tuple[pd.DataFrame, Framework | None]:
    """The columns a plot needs, text as Python strings and numbers as floats."""
    if isinstance(data, Profiles):
        table = data.to_frame(None)
        framework: Framework | None = data.framework
    elif isinstance(data, pd.DataFrame):
        table = data
        framework = None
    else:
        raise TypeError(
            f"{func}: data must be a missionlens Profiles object or a pandas DataFrame, "
            f"not {type(data).__name__}"
        )
    missing = [c for c in required if c not in table.columns]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        raise KeyError(
            f"{func}: data has no column{plural} {_quoted(missing)}; it needs "
            f"{_quoted(required)} and has {_quoted(table.columns)}"
        )
    columns = [c for c in dict.fromkeys([*required, *optional]) if c in table.columns]
    out: dict[str, pd.Series] = {}
    for column in columns:
        values = table[column].reset_index(drop=True)
        if column in numeric:
            out[column] = _as_float(values, func, column)
        elif column == "period_start":
            out[column] = values
        else:
            out[column] = _as_text(values)
    return pd.DataFrame(out, index=pd.RangeIndex(len(table))), framework


def _quoted(items: Iterable[Any]) -> str:
    names = [repr(str(i)) for i in items]
    return ", ".join(names) if names else "(none)"


def _listing(items: Iterable[Any], limit: int = 30) -> str:
    names = [str(i) for i in items]
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names) - limit} more)" if len(names) > limit else "")


def _distinct(values: pd.Series) -> list[str]:
    return [v for v in dict.fromkeys(values.tolist()) if v is not None]


def _select_nodes(
    table: pd.DataFrame, node_type: str, func: str
) -> tuple[pd.DataFrame, str | None]:
    """Rows of one node type of the tree (``dimension``, ...) or of one facet view (``level``).

    Returns the rows and the view they belong to (``tree``, a facet id, or ``None`` if unknown).
    """
    has_type, has_view = "node_type" in table.columns, "view" in table.columns
    if not has_type and not has_view:
        return table, None
    if node_type in _TREE_TYPES and has_type:
        rows = table["node_type"] == node_type
        if has_view:
            rows &= table["view"] == "tree"
        if rows.any():
            return table[rows], "tree"
    if has_view and node_type != "tree" and (table["view"] == node_type).any():
        return table[table["view"] == node_type], node_type
    types = [t for t in _distinct(table["node_type"]) if t != "facet"] if has_type else []
    views = [v for v in _distinct(table["view"]) if v != "tree"] if has_view else []
    raise KeyError(
        f"{func}: no rows with node_type {node_type!r}; node types in data: {_listing(types)}"
        + (f"; facet views: {_listing(views)}" if views else "")
    )


def _check_missions(
    requested: Iterable[Any], available: list[str], func: str, what: str = "mission"
) -> list[str]:
    names = [str(m) for m in requested]
    unknown = [m for m in names if m not in available]
    if unknown:
        plural = "s" if len(unknown) > 1 else ""
        raise KeyError(
            f"{func}: unknown {what}{plural} {_quoted(unknown)}; "
            f"{what}s in data: {_listing(available)}"
        )
    return list(dict.fromkeys(names))


def _as_list(value: str | Iterable[Any] | None) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def _choose_period(
    table: pd.DataFrame, period: Any, missions: list[str], func: str
) -> tuple[pd.DataFrame, str | None]:
    """Rows of one period: the given one, or the latest one of the first mission."""
    if "period" not in table.columns:
        if period is not None:
            raise KeyError(f"{func}: period={period!r} given but data has no column 'period'")
        return table, None
    if period is None:
        own = table[table["mission"] == missions[0]]["period"]
        periods = sort_periods(own)
        if not periods:
            return table, None
        chosen = periods[-1]
    else:
        chosen = str(_text_value(period))
        available = sort_periods(table["period"])
        if chosen not in available:
            raise KeyError(
                f"{func}: unknown period {chosen!r}; periods in data: {_listing(available)}"
            )
    return table[table["period"] == chosen], chosen


def _check_unique(table: pd.DataFrame, keys: list[str], func: str, hint: str) -> None:
    """Refuse several rows for one key: the plot would silently pick one of them."""
    dup = table.duplicated(subset=keys, keep=False)
    if dup.any():
        first = table[dup].iloc[0]
        same = (table[keys] == first[keys]).all(axis=1)
        where = ", ".join(f"{k}={first[k]!r}" for k in keys)
        raise ValueError(
            f"{func}: one row per {' and '.join(keys)} is needed, but data has "
            f"{int(same.sum())} rows with {where}; {hint}"
        )


# ----------------------------------------------------------------------------------- labels
def _node_labels(framework: Framework | None, view: str | None, ids: list[str]) -> dict[str, str]:
    """Display names: framework names of nodes and indicators, labels of facet values."""
    out = {i: i for i in ids}
    if framework is None:
        return out
    if view in (None, "tree"):
        names = {n.id: n.name for n in framework.nodes}
        names.update({i.id: i.name for i in framework.indicators})
        out.update({i: names[i] for i in ids if i in names})
        return out
    try:
        facet = framework.facet(view)
    except KeyError:
        return out
    for value in facet.values:
        if value.id in out and value.label:
            out[value.id] = f"{value.id}. {value.label}" if view == "finding" else value.label
    return out


def _facet_name(framework: Framework | None, view: str | None) -> str:
    if view is None or view == "tree":
        return "node"
    if framework is not None:
        try:
            name = framework.facet(view).name
        except KeyError:
            name = ""
        if name:
            return name
    return view.replace("_", " ")


def _phase_label(phase: str) -> str:
    return phase.replace("_", " ").capitalize().replace("Start up", "Start-up")


def _wrap(text: str, width: int) -> str:
    return textwrap.fill(text, width=width, break_long_words=False, break_on_hyphens=False)


# ------------------------------------------------------------------------------------ styles
@dataclass(frozen=True)
class _Style:
    color: str
    marker: str
    linestyle: str


def _style(i: int) -> _Style:
    """The i-th series style: colour, marker and line style all differ between neighbours."""
    return _Style(
        OKABE_ITO[i % len(OKABE_ITO)],
        _MARKERS[i % len(_MARKERS)],
        _LINESTYLES[i % len(_LINESTYLES)],
    )


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    """The given Axes, else the current one, else a new figure of the given size."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    if plt.get_fignums():
        return plt.gca()
    _, new = plt.subplots(figsize=size, layout="constrained")
    return new


def _figure(ax: Axes) -> Figure:
    figure = ax.get_figure(root=True)
    if figure is None:
        raise ValueError("the Axes to draw on is not part of a figure")
    return figure


def _legend_below(ax: Axes, handles: list[Any], ncol: int) -> None:
    """A legend under the x-axis label, whatever the size of the Axes."""
    from matplotlib.transforms import offset_copy

    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        bbox_transform=offset_copy(ax.transAxes, fig=_figure(ax), y=-34, units="points"),
        ncol=max(1, ncol),
        frameon=False,
        fontsize="small",
        handlelength=2.6,
    )


def _score_axis(ax: Axes, axis: str) -> None:
    ticks = list(range(0, 101, 20))
    if axis == "x":
        ax.set_xlim(-3, 103)
        ax.set_xticks(ticks)
        ax.set_xlabel(_SCORE_LABEL)
        ax.grid(axis="x", color="0.88", linewidth=0.8)
    else:
        ax.set_ylim(-3, 103)
        ax.set_yticks(ticks)
        ax.set_ylabel(_SCORE_LABEL)
        ax.grid(axis="y", color="0.88", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _no_data(ax: Axes, y: float, text: str = _NO_DATA) -> None:
    ax.text(
        1,
        y,
        text,
        ha="left",
        va="center",
        fontsize="small",
        fontstyle="italic",
        color=_MUTED,
        gid="no-data",
    )


# ------------------------------------------------------------------------------ plot_profile
def plot_profile(
    data: Profiles | pd.DataFrame,
    *,
    mission: str | None = None,
    period: str | None = None,
    node_type: str = "dimension",
    compare: str | Sequence[str] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """One mission's scores per node as a horizontal dot chart, with other missions alongside.

    Each node (dimension by default) is a row; the mission's score is a large dot on a stem from
    0, and each comparison mission is a smaller marker of its own shape and colour. A hollow
    marker means the score rests on only part of the node's indicators (coverage below 100%),
    and the mission's own coverage is written at the right. A missing score is marked
    "no data", never drawn at 0.

    Parameters
    ----------
    data : Profiles or pandas.DataFrame
        A :class:`~missionlens.Profiles` object, or a table with the columns ``mission``,
        ``node`` and ``score`` (0-100) and optionally ``period``, ``node_type``, ``view``
        (used to select the rows, as in :meth:`Profiles.to_frame`) and ``coverage``
        (0-1, for hollow markers). A table without ``node_type`` and ``view`` is drawn whole.
    mission : str, optional
        The mission to profile; may be omitted only if the data hold a single mission.
    period : str, optional
        The period to show; by default the mission's latest period (see :func:`sort_periods`).
    node_type : str, default "dimension"
        ``"root"``, ``"dimension"``, ``"subdimension"`` or ``"indicator"`` for nodes of the
        tree, or a facet view id (``"level"``, ``"finding"``, ``"a4p"``) for its values.
    compare : str or sequence of str, optional
        Missions to show alongside, for the same period.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default the current Axes (a new figure if none is open).

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
    table, framework = _prepare(
        data,
        func,
        ["mission", "node", "score"],
        ["period", "phase", "node_type", "view", "coverage"],
    )
    table, view = _select_nodes(table, node_type, func)
    available = _distinct(table["mission"])
    if mission is None:
        if len(available) != 1:
            raise ValueError(
                f"{func}: the data hold {len(available)} missions; choose one with mission=... "
                f"({_listing(available)})"
            )
        mission = available[0]
    missions = _check_missions([mission, *_as_list(compare)], available, func)
    table = table[table["mission"].isin(missions)]
    table, chosen = _choose_period(table, period, missions, func)
    for m in missions:
        if not (table["mission"] == m).any():
            raise ValueError(
                f"{func}: mission {m!r} has no scores for period {chosen!r}; "
                f"choose a period with period=..."
            )
    _check_unique(table, ["mission", "node"], func, "select one period with period=...")

    nodes = _distinct(table["node"])
    labels = _node_labels(framework, view, nodes)
    ax = _axes(ax, (7.5, 1.9 + 0.5 * len(nodes)))
    row_of = {n: float(i) for i, n in enumerate(nodes)}
    offsets = np.linspace(-0.18, 0.18, len(missions)) if len(missions) > 1 else np.zeros(1)
    handles: list[Any] = []
    any_hollow = False
    missing_at: dict[str, list[str]] = {n: [] for n in nodes}
    from matplotlib.lines import Line2D

    for k, m in enumerate(missions):
        style = _style(k)
        rows = table[table["mission"] == m].set_index("node")
        main = k == 0
        size = 11.0 if main else 8.0
        for node in nodes:
            y = row_of[node] + offsets[k]
            value = rows["score"].get(node, np.nan)
            if pd.isna(value):
                missing_at[node].append(m)
                continue
            cov = rows["coverage"].get(node, np.nan) if "coverage" in rows.columns else np.nan
            hollow = bool(cov < 1)
            any_hollow |= hollow
            if main:
                ax.plot([0, value], [y, y], color=style.color, linewidth=1.6, alpha=0.6, zorder=2)
            ax.plot(
                [value],
                [y],
                linestyle="none",
                marker=style.marker,
                markersize=size,
                markeredgewidth=1.8,
                markeredgecolor=style.color,
                markerfacecolor="white" if hollow else style.color,
                zorder=3 + (k == 0),
                gid=f"score:{m}:{node}",
            )
            if main and hollow:
                ax.annotate(
                    f"coverage {cov:.0%}",
                    xy=(1.0, y),
                    xycoords=("axes fraction", "data"),
                    xytext=(6, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize="small",
                    color=_MUTED,
                    annotation_clip=False,
                )
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
            text = _NO_DATA if len(missions) == 1 else f"{_NO_DATA}: {', '.join(gone)}"
            _no_data(ax, row_of[node], text)
    if any_hollow:
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=8,
                markerfacecolor="white",
                markeredgecolor=_MUTED,
                markeredgewidth=1.5,
                label="hollow: coverage < 100%",
            )
        )
    ax.set_yticks(list(row_of.values()), [_wrap(labels[n], 26) for n in nodes])
    ax.set_ylim(len(nodes) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    _score_axis(ax, "x")
    ax.set_title(f"{_heading(table, missions[0], chosen)}: {_what(node_type, view, framework)}")
    if len(handles) > 1:
        _legend_below(ax, handles, min(len(handles), 4))
    return ax


def _heading(table: pd.DataFrame, mission: str, period: str | None) -> str:
    """ "MINUSMA, 2023 (drawdown)": the mission, its period and its phase then, if known."""
    text = f"{mission}, {period}" if period else str(mission)
    if "phase" in table.columns:
        phases = _distinct(table.loc[table["mission"] == mission, "phase"])
        text += f" ({_phase_label(phases[0]).lower()})" if len(phases) == 1 else ""
    return text


def _what(
    node_type: str, view: str | None, framework: Framework | None, *, heading: bool = False
) -> str:
    """Title text: "scores by dimension" for the tree, the facet's own name for a facet."""
    if view not in (None, "tree"):
        return _facet_name(framework, view)
    text = f"scores by {_type_label(node_type, view, framework)}"
    return text[:1].upper() + text[1:] if heading else text


def _type_label(
    node_type: str, view: str | None, framework: Framework | None, *, heading: bool = False
) -> str:
    """What the rows are: "dimension", "sub-dimension", or the facet's own name (as written)."""
    if view not in (None, "tree"):
        return _facet_name(framework, view)
    text = {"subdimension": "sub-dimension", "root": "overall score"}.get(node_type, node_type)
    return text[:1].upper() + text[1:] if heading else text


# --------------------------------------------------------------------------- plot_comparison
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
    table, framework = _prepare(
        data, func, ["mission", "node", "score"], ["period", "node_type", "view"]
    )
    table, view = _select_nodes(table, node_type, func)
    available = _distinct(table["mission"])
    names = available if missions is None else _check_missions(_as_list(missions), available, func)
    if not names:
        raise ValueError(f"{func}: no missions to compare")
    table = table[table["mission"].isin(names)]
    table, chosen = _choose_period(table, period, names, func)
    _check_unique(table, ["mission", "node"], func, "select one period with period=...")
    nodes = _distinct(table["node"])
    grid = (
        table.pivot(index="mission", columns="node", values="score")
        .reindex(index=names, columns=nodes)
        .to_numpy(dtype=np.float64)
    )
    labels = _node_labels(framework, view, nodes)
    if transpose is None:
        transpose = len(nodes) > 8
    if transpose:
        grid = grid.T
        row_labels = [_wrap(labels[n], 40) for n in nodes]
        col_labels = list(names)
    else:
        row_labels = list(names)
        col_labels = [_wrap(labels[n], 14) for n in nodes]
    n_rows, n_cols = grid.shape
    rotate = n_cols > 6 and max(len(c) for c in col_labels) > 5
    if rotate and not transpose:
        col_labels = [_wrap(labels[n], 30) for n in nodes]
    longest = max(len(line) for label in row_labels for line in label.splitlines())
    ax = _axes(
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
    what = _type_label(node_type, view, framework, heading=True)
    ax.set_xlabel("Mission" if transpose else what)
    ax.set_ylabel(what if transpose else "Mission")
    when = f", {chosen}" if chosen else ""
    ax.set_title(f"{_what(node_type, view, framework, heading=True)}{when}")
    return ax


def _score_text(value: float) -> str:
    """A score rounded half up to a whole number, as text (62.5 -> "63")."""
    return str(math.floor(value + 0.5))


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
                    _NAN_TEXT,
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
                _score_text(value),
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
    colorbar = _figure(ax).colorbar(image, ax=ax, fraction=0.05, pad=0.03, aspect=25)
    colorbar.set_label(_SCORE_LABEL)
    colorbar.set_ticks(list(range(0, 101, 20)))


# ---------------------------------------------------------------------------- plot_lifecycle
def plot_lifecycle(
    data: Profiles | pd.DataFrame,
    *,
    node: str | None = None,
    missions: Sequence[str] | None = None,
    x: str = "period",
    y: str = "score",
    phase: str | None = "phase",
    ax: Axes | None = None,
) -> Axes:
    """Score trajectories over the mission lifecycle: one line per mission, phases marked.

    Periods are placed on a time axis when their labels are recognised (see
    :func:`sort_periods`; a ``period_start`` column, if present, takes precedence), and
    otherwise evenly in the order given. Each mission gets its own colour, marker and line
    style and a direct label at its last point; labels of nearby line ends are moved apart
    (keeping their order) and kept inside the Axes when the figure is drawn. A missing score
    leaves a gap in the line. With one mission, lifecycle phases are shaded, hatched and
    labelled background bands; with several, a phase timeline with one labelled row per mission
    is drawn above the plot (``ax.child_axes[0]``).

    Parameters
    ----------
    data : Profiles or pandas.DataFrame
        A :class:`~missionlens.Profiles` object, or a tidy table with the columns ``mission``,
        ``x`` and ``y`` and optionally ``node`` (plus ``node_type`` and ``view``), ``phase``
        and ``period_start``: for example ``mission, period, phase, score`` for a single
        indicator's values over the years.
    node : str, optional
        The node (or indicator, or facet value) to follow; by default the root. Ignored when
        the table has no ``node`` column.
    missions : sequence of str, optional
        Missions to draw, in this order; by default all.
    x : str, default "period"
        Column of period labels (``2024``, ``2024-H1`` or ``2024-S1``, ``2024-Q3``,
        ``2024-03``, ISO dates, UN financial years ``2023/24``, date ranges
        ``2024-01-01/2024-06-30``; see :func:`missionlens.parse_period`) or whole-number years.
    y : str, default "score"
        Column of values. Scores use a fixed 0-100 axis; other values (e.g. a raw indicator)
        get an axis that fits them.
    phase : str or None, default "phase"
        Column of lifecycle phases (``mandate_design``, ``start_up``, ``implementation``,
        ``drawdown``, ``transition``, ``exit``, or any other labels); ``None`` to leave phases
        out. The default is skipped silently when the table has no such column.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default the current Axes (a new figure if none is open).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    KeyError
        If a needed column, the node or a mission is not in the data.
    ValueError
        If the values are not numeric, if a mission has several rows for one period, or if
        the table holds several nodes and ``node`` was not given and cannot be defaulted.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> table = pd.DataFrame({"mission": ["A"] * 3, "period": ["2024", "2022", "2023"],
    ...                       "phase": ["exit", "implementation", "drawdown"],
    ...                       "score": [70.0, 40.0, None]})
    >>> fig, ax = plt.subplots()
    >>> ax = plot_lifecycle(table, ax=ax)
    >>> ax.lines[0].get_ydata().tolist()
    [40.0, nan, 70.0]
    """
    func = "plot_lifecycle"
    if phase is not None and phase != "phase" and not _has_column(data, phase):
        raise KeyError(f"{func}: data has no phase column {phase!r}; pass phase=None to omit")
    table, framework = _prepare(
        data,
        func,
        ["mission", x, y],
        ["node", "node_type", "view", "period_start", *([phase] if phase else [])],
        numeric=[y],
    )
    if phase is not None and phase not in table.columns:
        phase = None
    table, chosen_node, node_view = _select_lifecycle_node(table, node, framework, func)
    available = _distinct(table["mission"])
    lines = available if missions is None else _check_missions(_as_list(missions), available, func)
    table = table[table["mission"].isin(lines) & table[x].notna()]
    if table.empty:
        raise ValueError(f"{func}: no rows with a {x!r} value for missions {_listing(lines)}")
    _check_unique(
        table,
        ["mission", x],
        func,
        "aggregate first" + ("" if chosen_node is not None else " or pass node=..."),
    )
    starts = None
    if x == "period" and "period_start" in table.columns:
        starts = dict(zip(table[x], table["period_start"], strict=True))
    axis = _time_axis(table[x], starts)
    ax = _axes(ax, (8.5, 4.8))

    handles: list[Any] = []
    ends: list[tuple[float, float, str, str]] = []
    phase_runs: dict[str, list[tuple[str, float, float, str]]] = {}
    for k, m in enumerate(lines):
        style = _style(k)
        rows = table[table["mission"] == m].set_index(x)
        own = [p for p in axis.labels if p in rows.index]
        # every period of the plot between the mission's first and last, so that a period
        # without a row is a gap, not a straight line across it
        span = axis.labels[axis.labels.index(own[0]) : axis.labels.index(own[-1]) + 1]
        xs = np.array([axis.position[p] for p in span])
        ys = np.array([rows[y].get(p, np.nan) for p in span], dtype=np.float64)
        (line,) = ax.plot(
            xs,
            ys,
            color=style.color,
            marker=style.marker,
            linestyle=style.linestyle,
            linewidth=2,
            markersize=7,
            label=m,
            zorder=3,
        )
        handles.append(line)
        valid = np.flatnonzero(~np.isnan(ys))
        if valid.size:
            ends.append((xs[valid[-1]], ys[valid[-1]], m, style.color))
        if phase is not None:
            phases = [rows[phase].get(p) if p in rows.index else None for p in span]
            phase_runs[m] = _runs(span, phases, axis)

    is_score = y == "score" and _fits_score_axis(table[y])
    if is_score:
        _score_axis(ax, "y")
    else:
        ax.set_ylabel(y.replace("_", " ").capitalize())
        ax.grid(axis="y", color="0.88", linewidth=0.8)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    _period_ticks(ax, axis, x, max((len(e[2]) for e in ends), default=0))
    banded = len(lines) == 1 and any(phase_runs.values())
    if banded:
        _phase_bands(ax, phase_runs[lines[0]])
    elif any(phase_runs.values()):
        _phase_strip(ax, lines, phase_runs)
    _direct_labels(ax, ends)
    if len(lines) > 1:
        _legend_below(ax, handles, min(len(handles), 5))
    if chosen_node is not None:
        title = _node_labels(framework, node_view, [chosen_node])[chosen_node]
        ax.set_title(title, pad=30 if banded else 6)
    return ax


def _has_column(data: Profiles | pd.DataFrame, column: str) -> bool:
    if isinstance(data, pd.DataFrame):
        return column in data.columns
    return False


def _fits_score_axis(values: pd.Series) -> bool:
    finite = values.dropna()
    return bool(finite.empty or (finite.min() >= 0 and finite.max() <= 100))


def _select_lifecycle_node(
    table: pd.DataFrame, node: str | None, framework: Framework | None, func: str
) -> tuple[pd.DataFrame, str | None, str | None]:
    """Rows of one node: the given one (tree first, then facet views), else the root.

    Returns the rows, the node and its view (``None`` if the table has no ``view`` column).
    """
    if "node" not in table.columns:
        if node is not None:
            raise KeyError(f"{func}: node={node!r} given but data has no column 'node'")
        return table, None, None
    tree = table
    if "view" in table.columns:
        tree = table[table["view"] == "tree"]
    if node is None:
        if framework is not None:
            node = framework.root.id
        elif "node_type" in tree.columns and (tree["node_type"] == "root").any():
            node = _distinct(tree.loc[tree["node_type"] == "root", "node"])[0]
        else:
            nodes = _distinct(table["node"])
            if len(nodes) != 1:
                raise ValueError(
                    f"{func}: the data hold {len(nodes)} nodes and none is the root; "
                    f"choose one with node=... ({_listing(nodes)})"
                )
            node = nodes[0]
    rows = tree[tree["node"] == node]
    if rows.empty:
        rows = table[table["node"] == node]
        if "view" in rows.columns and rows["view"].nunique() > 1:
            rows = rows[rows["view"] == _distinct(rows["view"])[0]]
    if rows.empty:
        raise KeyError(
            f"{func}: unknown node {node!r}; nodes in data: {_listing(_distinct(tree['node']))}"
        )
    view = _distinct(rows["view"])[0] if "view" in rows.columns else None
    return rows, node, view


def _runs(
    span: list[str], phases: list[Any], axis: _TimeAxis
) -> list[tuple[str, float, float, str]]:
    """Consecutive periods of one phase: (phase, left edge, right edge, first period)."""
    runs: list[tuple[str, float, float, str]] = []
    for label, value in zip(span, phases, strict=True):
        if value is None:
            continue
        left, right = axis.span[label]
        if runs and runs[-1][0] == value:
            first = runs[-1]
            runs[-1] = (value, first[1], right, first[3])
        else:
            runs.append((value, left, right, label))
    return runs


def _phase_style(phase: str) -> tuple[str, str]:
    if phase in _PHASE_STYLE:
        return _PHASE_STYLE[phase]
    return "#BBBBBB", _EXTRA_HATCHES[sum(map(ord, phase)) % len(_EXTRA_HATCHES)]


def _phase_bands(ax: Axes, runs: list[tuple[str, float, float, str]]) -> None:
    """Shaded, hatched background bands, labelled above the plot."""
    from matplotlib.colors import to_rgba
    from matplotlib.transforms import blended_transform_factory

    top = blended_transform_factory(ax.transData, ax.transAxes)
    x0, x1 = ax.get_xlim()
    width = x1 - x0
    for value, left, right, _ in runs:
        color, hatch = _phase_style(value)
        ax.axvspan(
            left,
            right,
            facecolor=to_rgba(color, 0.13),
            edgecolor=to_rgba(color, 0.3),
            hatch=hatch,
            linewidth=0,
            zorder=0,
            gid=f"phase:{value}",
        )
        ax.axvline(left, color="0.6", linewidth=0.8, linestyle=(0, (2, 2)), zorder=1)
        narrow = (right - left) / width < 0.14
        label = _phase_label(value)
        ax.text(
            (left + right) / 2,
            1.01,
            label.replace(" ", "\n") if narrow else label,
            transform=top,
            ha="center",
            va="bottom",
            fontsize="small",
            color="0.2",
            gid="phase-label",
            clip_on=False,
        )
    ax.set_xlim(x0, x1)


def _phase_strip(
    ax: Axes, missions: list[str], runs: dict[str, list[tuple[str, float, float, str]]]
) -> Axes:
    """A phase timeline above the plot: one row per mission, phases as labelled, hatched bars."""
    from matplotlib.colors import to_rgba

    n = len(missions)
    height_pt = ax.get_position().height * _figure(ax).get_figheight() * 72
    width_pt = ax.get_position().width * _figure(ax).get_figwidth() * 72
    strip = ax.inset_axes((0.0, 1.03, 1.0, min(0.5, (15 * n + 2) / max(height_pt, 1.0))), sharex=ax)
    strip.set_label("phase strip")
    x0, x1 = ax.get_xlim()
    for row, mission in enumerate(missions):
        for value, left, right, _ in runs.get(mission, []):
            color, hatch = _phase_style(value)
            strip.barh(
                row,
                right - left,
                left=left,
                height=0.82,
                facecolor=to_rgba(color, 0.16),
                edgecolor=to_rgba(color, 0.55),
                hatch=hatch * 2,  # denser: the bars are thin
                linewidth=0.8,
                gid=f"phase:{mission}:{value}",
            )
            room = (right - left) / (x1 - x0) * width_pt / 4.4  # characters at x-small size
            label = _phase_label(value)
            if len(label) > room:
                label = label[: max(int(room) - 1, 1)] + "."
            strip.text(
                (left + right) / 2,
                row,
                label,
                ha="center",
                va="center",
                fontsize="x-small",
                color="0.1",
                gid="phase-label",
                bbox={
                    "boxstyle": "square,pad=0.1",
                    "facecolor": "white",
                    "alpha": 0.75,
                    "linewidth": 0,
                },
            )
    strip.set_yticks(range(n), missions)
    for tick, k in zip(strip.get_yticklabels(), range(n), strict=True):
        tick.set_color(_style(k).color)
    strip.set_ylim(n - 0.5, -0.5)
    strip.tick_params(axis="x", which="both", labelbottom=False, bottom=False)
    strip.tick_params(axis="y", length=0, labelsize="small")
    for spine in strip.spines.values():
        spine.set_visible(False)
    strip.set_xlim(x0, x1)
    return strip


def _period_ticks(ax: Axes, axis: _TimeAxis, x: str, label_chars: int = 0) -> None:
    """Period ticks, and x limits with a right margin wide enough for direct labels.

    ``label_chars`` is the length of the longest direct label; the margin right of the last
    period's position is made to hold it (estimated from the Axes' current width, and at
    most 40% of the Axes), and is never less than 12% of the periods' extent.
    """
    positions = [axis.position[p] for p in axis.labels]
    step = max(1, math.ceil(len(positions) / 12))
    labels = [p if i % step == 0 else "" for i, p in enumerate(axis.labels)]
    ax.set_xticks(positions, labels)
    ax.tick_params(axis="x", labelrotation=0 if max(map(len, axis.labels)) <= 7 else 30)
    if positions:
        first, last = axis.span[axis.labels[0]][0], axis.span[axis.labels[-1]][1]
        room = (last - first) * 0.12
        if label_chars:
            width_pt = ax.get_position().width * _figure(ax).get_figwidth() * 72
            needed_pt = _LABEL_OFFSET_PT + 6.0 * label_chars + 4.0  # bold "small" text
            share = min(needed_pt / max(width_pt, 1.0), 0.4)
            # the labels start at the last position: right limit R with R - x_last >= share *
            # (R - first)
            right = (positions[-1] - share * first) / (1 - share)
            room = max(room, right - last)
        ax.set_xlim(first, last + room)
    ax.set_xlabel(x.replace("_", " ").capitalize())


#: Offset of a direct label from the end of its line, in points.
_LABEL_OFFSET_PT = 8.0
#: Smallest distance between the centres of two direct labels, in text heights.
_LABEL_GAP = 1.15


def _direct_labels(ax: Axes, ends: list[tuple[float, float, str, str]]) -> None:
    """Mission names at the last point of each line, kept apart when the plot is drawn.

    The labels' positions are worked out in display units at draw time (see
    :class:`_LabelLayout`), so they stay apart whatever the figure's size, dpi or layout engine.
    """
    if not ends:
        return
    layout = _LabelLayout(ax)
    for xv, yv, name, color in ends:
        label = ax.annotate(
            name,
            xy=(xv, yv),
            xytext=(0.0, 0.0),
            textcoords=layout.transform_for(len(layout.labels)),
            va="center",
            ha="left",
            color=color,
            fontsize="small",
            fontweight="bold",
            gid="direct-label",
            annotation_clip=False,
        )
        layout.labels.append(label)


class _LabelLayout:
    """Vertical placement of the direct labels of one Axes, computed when they are drawn.

    Each label wants to sit level with the end of its line, :data:`_LABEL_OFFSET_PT` points to
    its right. Labels whose horizontal extents overlap form a group; within a group the label
    centres are moved as little as possible (least squares) so that neighbours are at least
    :data:`_LABEL_GAP` text heights apart and every label lies inside the Axes vertically,
    keeping the labels' order. The labels extend into the Axes' right margin, which
    :func:`_period_ticks` widens to hold them.
    """

    def __init__(self, ax: Axes) -> None:
        self.ax = ax
        self.labels: list[Any] = []

    def transform_for(self, index: int) -> _LabelCoords:
        """The ``textcoords`` callable of the label at ``index``: renderer -> Transform."""
        return _LabelCoords(self, index)

    def positions(self, renderer: Any) -> list[tuple[float, float]]:
        """Display position (left edge, vertical centre) of every label."""
        from matplotlib.text import Text

        offset = renderer.points_to_pixels(_LABEL_OFFSET_PT)
        anchors = [self.ax.transData.transform(label.xy) for label in self.labels]
        # Text's own extent, not the Annotation's: the latter would ask for these positions
        sizes = [Text.get_window_extent(label, renderer).size for label in self.labels]
        lefts = [float(a[0]) + offset for a in anchors]
        out = [(left, float(a[1])) for left, a in zip(lefts, anchors, strict=True)]
        box = self.ax.bbox
        for group in _overlapping(lefts, [float(w) for w, _ in sizes]):
            height = max(float(sizes[i][1]) for i in group)
            wanted = np.array([out[i][1] for i in group], dtype=np.float64)
            placed = _spread(wanted, _LABEL_GAP * height, box.y0 + height / 2, box.y1 - height / 2)
            for i, y in zip(group, placed, strict=True):
                out[i] = (out[i][0], float(y))
        return out


class _LabelCoords:
    """Coordinates of one direct label: a translation to its place in display units.

    A class rather than a closure, so that figures holding the labels can be pickled.
    """

    def __init__(self, layout: _LabelLayout, index: int) -> None:
        self.layout = layout
        self.index = index

    def __call__(self, renderer: Any) -> Any:
        from matplotlib.transforms import Affine2D

        x, y = self.layout.positions(renderer)[self.index]
        return Affine2D().translate(x, y)


def _overlapping(lefts: list[float], widths: list[float]) -> list[list[int]]:
    """Groups of the intervals ``[left, left + width]`` that overlap, directly or in a chain."""
    order = sorted(range(len(lefts)), key=lambda i: lefts[i])
    groups: list[list[int]] = []
    reach = -math.inf
    for i in order:
        if groups and lefts[i] <= reach:
            groups[-1].append(i)
            reach = max(reach, lefts[i] + widths[i])
        else:
            groups.append([i])
            reach = lefts[i] + widths[i]
    return groups


def _spread(wanted: np.ndarray, gap: float, low: float, high: float) -> np.ndarray:
    """Positions closest to ``wanted`` (least squares) at least ``gap`` apart in ``[low, high]``.

    The order of the positions is that of ``wanted`` (ties keep their given order). If the
    interval cannot hold them all ``gap`` apart, the gap shrinks to fit.

    Parameters
    ----------
    wanted : numpy.ndarray
        Desired positions, in any order.
    gap : float
        Smallest distance between neighbouring positions.
    low, high : float
        Bounds of the positions.

    Returns
    -------
    numpy.ndarray
        The positions, in the order of ``wanted``.

    Examples
    --------
    >>> _spread(np.array([10.0, 10.0, 50.0]), 4.0, 0.0, 100.0).tolist()
    [8.0, 12.0, 50.0]
    >>> _spread(np.array([99.0, 100.0]), 4.0, 0.0, 100.0).tolist()
    [96.0, 100.0]
    """
    n = len(wanted)
    if n == 0:
        return wanted.astype(np.float64)
    high = max(high, low)
    if n > 1:
        gap = min(gap, (high - low) / (n - 1))
    order = np.argsort(wanted, kind="stable")
    steps = gap * np.arange(n)
    # with q_i = p_i - i * gap the constraints p_(i+1) - p_i >= gap become q non-decreasing:
    # an isotonic regression (pool adjacent violators), then clipped to the bounds
    shifted = wanted[order] - steps
    blocks: list[list[float]] = []  # [sum, count] of each pooled run
    for value in shifted:
        blocks.append([float(value), 1.0])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            total, count = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += count
    fitted = np.concatenate([np.full(int(c), t / c) for t, c in blocks])
    fitted = np.clip(fitted, low, high - gap * (n - 1))
    out = np.empty(n, dtype=np.float64)
    out[order] = fitted + steps
    return out


# ------------------------------------------------------------------------------- plot_facets
def plot_facets(
    data: Profiles | pd.DataFrame,
    *,
    mission: str,
    period: str | None = None,
    view: str = "level",
    ax: Axes | None = None,
) -> Axes:
    """One mission's scores by facet value as horizontal bars, with indicator counts.

    Bars are the scores of the facet values (strategic, operational and tactical levels, the
    Cairo findings 1-22, the A4P+ priorities, ...); each is annotated with its rounded score
    and the number of indicator values behind it (``62 (n = 4 of 5)`` when coverage is
    partial; such bars are also hatched and hollow). A missing score is marked "no data", with
    no bar; a score of 0 has an empty bar but its annotation.

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
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default the current Axes (a new figure if none is open).

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
    table, framework = _prepare(
        data,
        func,
        ["mission", "node", "score", "n_indicators"],
        ["period", "phase", "view", "coverage"],
    )
    if "view" in table.columns:
        views = _distinct(table["view"])
        if view not in views:
            facets = [v for v in views if v != "tree"]
            raise KeyError(
                f"{func}: no facet view {view!r}; facet views in data: {_listing(facets)}"
            )
        table = table[table["view"] == view]
    available = _distinct(table["mission"])
    (mission,) = _check_missions([mission], available, func)
    table = table[table["mission"] == mission]
    table, chosen = _choose_period(table, period, [mission], func)
    if table.empty:
        raise ValueError(f"{func}: mission {mission!r} has no scores for period {chosen!r}")
    _check_unique(table, ["node"], func, "select one period with period=...")
    values = _distinct(table["node"])
    labels = _node_labels(framework, view, values)
    rows = table.set_index("node")
    ax = _axes(ax, (7.5, 1.7 + 0.42 * len(values)))

    from matplotlib.patches import Patch

    color = OKABE_ITO[0]
    any_partial = False
    for i, value in enumerate(values):
        score = rows.at[value, "score"]
        n = rows.at[value, "n_indicators"]
        cov = rows.at[value, "coverage"] if "coverage" in rows.columns else np.nan
        if np.isnan(score):
            _no_data(ax, i)
            continue
        partial = bool(cov < 1)
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
        )
        count = f"{n:.0f}"
        if partial and cov > 0:
            count += f" of {round(n / cov):.0f}"
        ax.text(
            score + 1.5,
            i,
            f"{_score_text(score)} (n = {count})",
            va="center",
            ha="left",
            fontsize="small",
            color="0.15",
            gid="count",
        )
    ax.set_yticks(range(len(values)), [_wrap(labels[v], 34) for v in values])
    ax.set_ylim(len(values) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    _score_axis(ax, "x")
    ax.set_xlim(0, 116)
    ax.spines["left"].set_visible(True)
    ax.set_title(f"{_heading(table, mission, chosen)}: {_facet_name(framework, view)}")
    handles: list[Any] = [Patch(facecolor=color, edgecolor=color, label="all indicators scored")]
    if any_partial:
        handles.append(
            Patch(facecolor="white", edgecolor=color, hatch="///", label="coverage < 100%")
        )
        _legend_below(ax, handles, 2)
    return ax
