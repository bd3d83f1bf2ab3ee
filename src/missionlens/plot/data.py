"""The frame a plot needs, from :class:`~missionlens.Profiles` or a tidy table, and its checks.

:func:`prepare` turns either input into a frame with only the needed columns, text as Python
strings (``None`` when missing) and numbers as ``float64`` (``NaN`` when missing; text in a
numeric column is refused). The other functions select rows (a node type or facet view, a
period, a node) and check arguments, raising ``KeyError`` for something not in the data and
``ValueError`` for data that cannot be plotted as they are, with a message that names the
argument and lists what is available.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from missionlens.errors import ArgumentError
from missionlens.framework.model import Framework
from missionlens.plot.labels import plot_text, text_value
from missionlens.plot.theme import NO_DATA, NO_SCORE, NOT_APPLICABLE
from missionlens.plot.time_axis import sort_periods
from missionlens.scoring.profiles import Profiles

__all__ = [
    "NUMERIC_COLUMNS",
    "TREE_TYPES",
    "as_list",
    "check_missions",
    "check_unique",
    "choose_period",
    "distinct",
    "fits_score_axis",
    "has_column",
    "interval_label",
    "interval_level",
    "is_partial",
    "listing",
    "missing_text",
    "period_starts",
    "prepare",
    "select_node",
    "select_nodes",
]

#: Node types of the framework tree, as in :meth:`Profiles.to_frame`.
TREE_TYPES = ("root", "dimension", "subdimension", "indicator")
#: Columns of :meth:`Profiles.to_frame` read as numbers.
NUMERIC_COLUMNS = (
    "score",
    "n_indicators",
    "coverage",
    "imputed_share",
    "weight_share",
    "n_values",
    "lower",
    "upper",
)


def _as_text(values: pd.Series) -> pd.Series:
    """A column as Python strings (object dtype) with ``None`` for missing values."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        lookup = np.array([None, *(text_value(c) for c in values.cat.categories)], dtype=object)
        out = lookup[values.cat.codes.to_numpy() + 1]
    else:
        out = np.array([text_value(v) for v in values.astype(object)], dtype=object)
    return pd.Series(out, index=values.index, dtype=object)


def _as_float(values: pd.Series, func: str, column: str) -> pd.Series:
    """A numeric column as float64 with NaN for missing values (text is refused)."""
    problem = f"{func}: column {column!r} must be numeric, but its dtype is {values.dtype}"
    if pd.api.types.is_bool_dtype(values):
        raise ArgumentError(problem)
    if not pd.api.types.is_numeric_dtype(values):
        bad = [v for v in values.astype(object) if not _is_number(v)]
        if bad:
            raise ArgumentError(f"{problem} (e.g. the value {bad[0]!r})")
        values = pd.to_numeric(values.astype(object))
    return pd.Series(
        values.to_numpy(dtype=np.float64, na_value=np.nan), index=values.index, dtype=np.float64
    )


def _is_number(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def prepare(
    data: Profiles | pd.DataFrame,
    func: str,
    required: Sequence[str],
    optional: Sequence[str] = (),
    numeric: Sequence[str] = NUMERIC_COLUMNS,
) -> tuple[pd.DataFrame, Framework | None]:
    """The columns a plot needs, text as Python strings and numbers as floats.

    Parameters
    ----------
    data : Profiles or pandas.DataFrame
        What the user passed as ``data``.
    func : str
        The plot's name, for error messages.
    required, optional : sequence of str
        Columns that must be there, and columns kept if they are.
    numeric : sequence of str
        Columns read as numbers; ``period_start`` is kept as given, every other as text.

    Returns
    -------
    tuple
        The frame (a fresh ``RangeIndex``) and the profiles' framework (``None`` for a table).

    Raises
    ------
    TypeError
        If ``data`` is neither ``Profiles`` nor a ``DataFrame``.
    KeyError
        If a required column is missing (the message lists the columns there are).
    ValueError
        If a numeric column holds text or booleans.
    """
    if isinstance(data, Profiles):
        table = data.to_frame(None)
        framework: Framework | None = data.framework
    elif isinstance(data, pd.DataFrame):
        table = data
        framework = None
    else:
        raise ArgumentError(
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


def listing(items: Iterable[Any], limit: int = 30) -> str:
    """Items as a comma-separated list for a message, at most ``limit`` of them shown.

    Examples
    --------
    >>> listing(["A", "B", "C"], limit=2)
    'A, B, ... (1 more)'
    """
    names = [str(i) for i in items]
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names) - limit} more)" if len(names) > limit else "")


def distinct(values: pd.Series) -> list[str]:
    """The distinct values of a text column in order of appearance, missing ones left out."""
    return [v for v in dict.fromkeys(values.tolist()) if v is not None]


def as_list(value: str | Iterable[Any] | None) -> list[Any]:
    """``None`` as ``[]``, one name as ``[name]``, any other iterable as a list."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def has_column(data: Profiles | pd.DataFrame, column: str) -> bool:
    """Whether a tidy table has ``column`` (``Profiles`` have their fixed columns only)."""
    if isinstance(data, pd.DataFrame):
        return column in data.columns
    return False


def fits_score_axis(values: pd.Series) -> bool:
    """Whether every value lies on the 0-100 score axis."""
    finite = values.dropna()
    return bool(finite.empty or (finite.min() >= 0 and finite.max() <= 100))


def select_nodes(table: pd.DataFrame, node_type: str, func: str) -> tuple[pd.DataFrame, str | None]:
    """Rows of one node type of the tree (``dimension``, ...) or of one facet view (``level``).

    Returns the rows and the view they belong to (``tree``, a facet id, or ``None`` if unknown).
    """
    has_type, has_view = "node_type" in table.columns, "view" in table.columns
    if not has_type and not has_view:
        return table, None
    if node_type in TREE_TYPES and has_type:
        rows = table["node_type"] == node_type
        if has_view:
            rows &= table["view"] == "tree"
        if rows.any():
            return table[rows], "tree"
    if node_type in TREE_TYPES and has_view and not has_type:  # a tree without node types
        tree = table["view"] == "tree"
        if tree.any():
            return table[tree], "tree"
    if has_view and node_type != "tree" and (table["view"] == node_type).any():
        return table[table["view"] == node_type], node_type
    types = [t for t in distinct(table["node_type"]) if t != "facet"] if has_type else []
    views = [v for v in distinct(table["view"]) if v != "tree"] if has_view else []
    raise KeyError(
        f"{func}: no rows with node_type {node_type!r}; node types in data: {listing(types)}"
        + (f"; facet views: {listing(views)}" if views else "")
    )


def select_node(
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
            node = distinct(tree.loc[tree["node_type"] == "root", "node"])[0]
        else:
            nodes = distinct(table["node"])
            if len(nodes) != 1:
                raise ArgumentError(
                    f"{func}: the data hold {len(nodes)} nodes and none is the root; "
                    f"choose one with node=... ({listing(nodes)})"
                )
            node = nodes[0]
    rows = tree[tree["node"] == node]
    if rows.empty:
        rows = table[table["node"] == node]
        if "view" in rows.columns and rows["view"].nunique() > 1:
            rows = rows[rows["view"] == distinct(rows["view"])[0]]
    if rows.empty:
        raise KeyError(
            f"{func}: unknown node {node!r}; nodes in data: {listing(distinct(tree['node']))}"
        )
    view = distinct(rows["view"])[0] if "view" in rows.columns else None
    return rows, node, view


def check_missions(
    requested: Iterable[Any], available: list[str], func: str, what: str = "mission"
) -> list[str]:
    """The requested missions as text, without repeats; ``KeyError`` naming unknown ones."""
    names = [str(m) for m in requested]
    unknown = [m for m in names if m not in available]
    if unknown:
        plural = "s" if len(unknown) > 1 else ""
        raise KeyError(
            f"{func}: unknown {what}{plural} {_quoted(unknown)}; "
            f"{what}s in data: {listing(available)}"
        )
    return list(dict.fromkeys(names))


def choose_period(
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
        chosen = str(text_value(period))
        available = sort_periods(table["period"])
        if chosen not in available:
            raise KeyError(
                f"{func}: unknown period {chosen!r}; periods in data: {listing(available)}"
            )
    return table[table["period"] == chosen], chosen


def check_unique(table: pd.DataFrame, keys: list[str], func: str, hint: str) -> None:
    """Refuse several rows for one key: the plot would silently pick one of them."""
    dup = table.duplicated(subset=keys, keep=False)
    if dup.any():
        first = table[dup].iloc[0]
        same = (table[keys] == first[keys]).all(axis=1)
        where = ", ".join(f"{k}={first[k]!r}" for k in keys)
        raise ArgumentError(
            f"{func}: one row per {' and '.join(keys)} is needed, but data has "
            f"{int(same.sum())} rows with {where}; {hint}"
        )


def period_starts(table: pd.DataFrame, x: str, func: str) -> dict[str, Any] | None:
    """Each period label's ``period_start``, or ``None`` without that column (or if ``x`` is
    not ``period``); refuses a label given two different starts (one would be dropped)."""
    if x != "period" or "period_start" not in table.columns:
        return None
    stamps = pd.to_datetime(table["period_start"], errors="coerce")
    distinct_starts = stamps.groupby(table[x].to_numpy(), sort=False).unique()
    for label, values in distinct_starts.items():
        known = [v for v in values if not pd.isna(v)]
        if len(known) > 1:
            shown = ", ".join(str(pd.Timestamp(v).date()) for v in known)
            raise ArgumentError(
                f"{func}: period {label!r} has {len(known)} different period_start values "
                f"({shown}); give each period one start"
            )
    return dict(zip(table[x], table["period_start"], strict=True))


def missing_text(row: pd.Series | dict[str, Any], unknown: str = NO_DATA) -> str:
    """Why a node has no score, in the words the plots write where the score would be.

    ``"n/a"`` where nothing of the node applies (``weight_share`` missing, as in
    :meth:`Profiles.to_frame`); ``"no score"`` where values were entered (``n_values`` > 0)
    but too little of the node's weight is rated for the missing rule to give a score;
    ``"no data"`` where nothing that applies was rated. Without those columns (a plain table)
    the reason is not known and ``unknown`` is returned.

    Examples
    --------
    >>> missing_text({"weight_share": float("nan"), "n_values": 0})
    'n/a'
    >>> missing_text({"weight_share": 0.4, "n_values": 8}), missing_text({"n_values": 0})
    ('no score', 'no data')
    """
    share = row.get("weight_share", None)
    n_values = row.get("n_values", None)
    known_share = share is not None and not pd.isna(share)
    if share is not None and not known_share and (n_values is None or not n_values > 0):
        return NOT_APPLICABLE
    if n_values is not None and not pd.isna(n_values):
        return NO_SCORE if n_values > 0 else NO_DATA
    if share is not None and known_share:
        return NO_SCORE if float(share) > 0 else NO_DATA
    return unknown


def is_partial(row: pd.Series | dict[str, Any]) -> bool:
    """Whether a score rests on only part of what applies: ``weight_share`` < 1.

    ``weight_share`` (the share of the node's applicable weight carried by children with a
    score, :meth:`Profiles.to_frame`) is what the plots mark as partial; a child weighing 0
    (a context companion) or one that does not apply does not make a node partial. A table
    without ``weight_share`` falls back on ``coverage`` < 1.

    Examples
    --------
    >>> is_partial({"weight_share": 1.0, "coverage": 0.8}), is_partial({"coverage": 0.8})
    (False, True)
    """
    share = row.get("weight_share", None)
    if share is not None and not pd.isna(share):
        return bool(float(share) < 1 - 1e-9)
    coverage = row.get("coverage", None)
    return coverage is not None and not pd.isna(coverage) and bool(float(coverage) < 1 - 1e-9)


def interval_level(data: object) -> float | None:
    """The coverage of the intervals in ``data`` (0.9 for 5-95 %), where the data record it.

    :meth:`Profiles.with_intervals <missionlens.Profiles.with_intervals>` and the tables of
    an uncertainty result record it as ``attrs["interval"]`` of the tables they give
    (``Uncertainty.interval``); ``None`` when nothing records it.

    Raises
    ------
    ValueError
        If ``attrs["interval"]`` is there but not a number strictly between 0 and 1.
    """
    if isinstance(data, Profiles):
        data = data.to_frame("tree")
    attrs = getattr(data, "attrs", None)
    if not isinstance(attrs, dict) or attrs.get("interval") is None:
        return None
    level = attrs["interval"]
    if not _is_number(level) or not 0.0 < float(level) < 1.0:
        raise ArgumentError(
            f"the data's attrs['interval'] is {level!r}; expected the intervals' coverage, a "
            "number strictly between 0 and 1 (0.9 for 5-95 % intervals)"
        )
    return float(level)


def interval_label(data: object, lang: str = "en", default: str = "interval") -> str:
    """The legend text of the intervals in ``data``: "5–95 % interval" for a coverage of 0.9.

    The bounds are the quantiles ``(1 - interval) / 2`` and ``(1 + interval) / 2`` of
    :attr:`UncertaintyResult.summary <missionlens.analysis.uncertainty.UncertaintyResult.summary>`,
    in percent (``interval`` from :func:`interval_level`); where nothing records the
    coverage, the catalogue's text ``default`` (``"interval"``, or ``"interval_5_95"`` for a
    plot whose documented default it is).

    Examples
    --------
    >>> table = pd.DataFrame({"lower": [1.0]})
    >>> table.attrs["interval"] = 0.8
    >>> interval_label(table)
    '10–90 % interval'
    >>> interval_label(pd.DataFrame())
    'interval'
    """
    level = interval_level(data)
    if level is None:
        return plot_text(default, lang)
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = f"{round(tail, 6):g}", f"{round(100.0 - tail, 6):g}"
    return plot_text("interval_level", lang, low=low, high=high)
