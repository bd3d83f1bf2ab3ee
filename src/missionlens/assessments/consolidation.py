"""Several analysts: one consolidated value per mission, period and indicator.

:func:`consolidate` turns the entries of several raters into one value per mission, period and
indicator, with the spread of the raters' values and a flag where they disagree markedly. The
kernel behind it, :func:`consolidate_cells`, is the one consolidation of missionlens: the
scoring engine calls it too, with the recipe's ``consolidate``, ``trim`` and
``confidence_weights`` settings. (Agreement between raters, Krippendorff's alpha, is in
:mod:`missionlens.analysis.agreement`.)

Entries answered *not applicable* (``not_applicable`` true, see
:mod:`missionlens.assessments.record`) are not values: they are never consolidated with the
ratings. A cell (mission, period, indicator) whose every entry is not applicable is *not
applicable*: one row with ``not_applicable`` true, no value, ``n_raters`` 0 and the reasons
given (distinct reasons in order of entry, joined by `` | ``). A cell where some raters rated and
others answered not applicable is *disputed*: the ratings are consolidated as usual (the cell is
scored), and the not-applicable entries are reported on that row (``n_not_applicable``, their
reasons) with ``disagreement`` true, so that a review of disagreements finds it; nothing is
dropped silently. :func:`not_applicable_cells` is the one place that finds such cells (the
scoring engine uses it too).

The entries are first checked with the one set of entry checks (as :func:`~missionlens.validate`,
so that, for instance, an entry repeated by the same rater is never counted twice), and
:class:`~missionlens.ValidationError` is raised if anything is wrong, including raters who put
the same mission and period in different lifecycle phases (check ``inconsistent_phase``).

References
----------
.. [4] Wilcox, R. R. (2012). *Introduction to Robust Estimation and Hypothesis Testing* (3rd ed.).
   Academic Press. (The trimmed mean.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from missionlens.assessments.checks import (
    CheckedEntries,
    check_entries,
    factorize_text,
    take_or,
)
from missionlens.assessments.formats import load_sources
from missionlens.assessments.record import CONFIDENCE_DTYPE, CONFIDENCE_LEVELS
from missionlens.assessments.validation import report_of, resolve_framework
from missionlens.errors import ArgumentError, ValidationError
from missionlens.framework.elements import NumericScale, RubricScale
from missionlens.periods import period_order
from missionlens.text import text_dtype

if TYPE_CHECKING:
    from missionlens.framework.model import Framework

__all__ = [
    "CONSOLIDATED_COLUMNS",
    "DEFAULT_CONFIDENCE_WEIGHTS",
    "NOT_APPLICABLE_CELL_COLUMNS",
    "REASON_SEPARATOR",
    "consolidate",
    "not_applicable_cells",
]

ConsolidationMethod = Literal["median", "mean", "trimmed_mean", "confidence_weighted"]
Method = ConsolidationMethod

#: The consolidation methods (one list for :func:`consolidate` and the scoring recipe).
CONSOLIDATION_METHODS: tuple[str, ...] = get_args(ConsolidationMethod)

#: Columns of :func:`consolidate`'s result, in order.
CONSOLIDATED_COLUMNS: tuple[str, ...] = (
    "mission",
    "period",
    "period_start",
    "period_end",
    "phase",
    "indicator",
    "value",
    "n_raters",
    "min",
    "max",
    "spread",
    "std",
    "disagreement",
    "confidence",
    "method",
    "not_applicable",
    "n_not_applicable",
    "not_applicable_reason",
)

#: Columns of :func:`not_applicable_cells`' result (indexed by cell).
NOT_APPLICABLE_CELL_COLUMNS: tuple[str, ...] = (
    "n_not_applicable",
    "n_rated",
    "reason",
    "raters",
    "first",
)

#: What joins the distinct reasons given for one cell.
REASON_SEPARATOR = " | "


#: Weight of an entry by its confidence in the confidence-weighted mean.
DEFAULT_CONFIDENCE_WEIGHTS: Mapping[str, float] = {"low": 1.0, "medium": 2.0, "high": 3.0}

_KEYS = ["mission", "period", "indicator"]


def _require_table(assessments: object, where: str) -> None:
    """Refuse anything but a DataFrame before it is looked into (ArgumentError)."""
    if not isinstance(assessments, pd.DataFrame):
        raise ArgumentError(
            f"{where}: assessments must be a DataFrame (read files with ml.read_assessments), "
            f"not {type(assessments).__name__}"
        )


def _resolve(table: pd.DataFrame, framework: Framework | None) -> Framework:
    """The framework given, or the built-in one the table was made for."""
    if framework is not None:
        return framework
    from missionlens.framework.registry import list_frameworks, load_framework

    ids: list[object] = (
        list(table["framework_id"].dropna().unique()) if "framework_id" in table else []
    )
    prints: list[object] = (
        list(table["framework_fingerprint"].dropna().unique())
        if "framework_fingerprint" in table
        else []
    )
    if len(ids) == 1 and len(prints) == 1:
        builtins = list_frameworks()
        hit = builtins[builtins["fingerprint"] == prints[0]]
        if not hit.empty:
            return load_framework(str(hit["spec"].iloc[0]))
    raise ArgumentError(
        "pass framework=...: the assessments do not name exactly one built-in framework "
        "(found framework ids: " + (", ".join(map(str, ids)) or "none") + ")"
    )


def checked_entries(
    assessments: pd.DataFrame, framework: Framework, *, where: str, timelines: Any = None
) -> CheckedEntries:
    """Check an assessment table with the shared checks; raise ValidationError if anything fails.

    The same checks as :func:`~missionlens.validate`, :func:`~missionlens.read_assessments` and
    :func:`~missionlens.score` (see :mod:`missionlens.assessments.checks`).
    """
    _require_table(assessments, where)
    batches = load_sources(assessments, framework)
    checked = check_entries(batches, framework, timelines=timelines)
    if not checked.ok:
        raise ValidationError(report_of(checked, batches))
    return checked


def _checked(assessments: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    """The typed table of a checked assessment table (see :func:`checked_entries`)."""
    return checked_entries(assessments, framework, where="agreement").table()


# ------------------------------------------------------------------------------ the kernel
def consolidate_cells(
    cell: NDArray[np.int64],
    values: NDArray[np.float64],
    n_cells: int,
    method: str = "median",
    *,
    trim: float = 0.2,
    weights: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """One value per cell from several raters' values, in one vectorised pass.

    The one consolidation of missionlens, used by :func:`consolidate` and by the scoring engine.

    Parameters
    ----------
    cell : numpy.ndarray of int
        The cell (mission, period and indicator) of each value, ``0 <= cell < n_cells``.
    values : numpy.ndarray of float
        The raters' values (no NaN).
    n_cells : int
        Number of cells; cells without a value get NaN.
    method : {"median", "mean", "trimmed_mean", "confidence_weighted"}
        ``median``: the median, the mean of the two middle values for an even count;
        ``mean``; ``trimmed_mean``: the mean after cutting ``floor(trim * n)`` values from
        each end, as ``scipy.stats.trim_mean`` [4]_; ``confidence_weighted``: the mean weighted
        by ``weights`` (each entry's confidence weight).
    trim : float
        Share cut from each end by ``trimmed_mean``.
    weights : numpy.ndarray, optional
        Weight of each value for ``confidence_weighted``.

    Returns
    -------
    numpy.ndarray
        The consolidated value of each cell.
    """
    if method not in CONSOLIDATION_METHODS:
        raise ArgumentError(
            f"unknown consolidation method {method!r}; use {', '.join(CONSOLIDATION_METHODS)}"
        )
    out = np.full(n_cells, np.nan)
    if cell.size == 0:
        return out
    counts = np.bincount(cell, minlength=n_cells)
    has = counts > 0
    if method in ("mean", "confidence_weighted"):
        w = np.ones(values.size) if method == "mean" or weights is None else weights
        sums = np.bincount(cell, weights=values * w, minlength=n_cells)
        totals = np.bincount(cell, weights=w, minlength=n_cells)
        return np.where(has, sums / np.where(has, totals, 1.0), np.nan)
    if counts.max() <= 1:
        out[cell] = values
        return out
    if method == "median":
        counted = _counting_median(cell, values, counts, n_cells)
        if counted is not None:
            return counted
    order = np.lexsort((values, cell))
    sorted_vals = values[order]
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    last = sorted_vals.size - 1
    if method == "median":
        lo_v = sorted_vals[np.minimum(starts + (counts - 1) // 2, last)]
        hi_v = sorted_vals[np.minimum(starts + counts // 2, last)]
        return np.where(has, (lo_v + hi_v) / 2.0, np.nan)
    cut = np.floor(trim * counts).astype(np.int64)
    csum = np.concatenate(([0.0], np.cumsum(sorted_vals)))
    begin = starts + cut
    end = starts + counts - cut
    kept = np.maximum(end - begin, 1)
    return np.where(has, (csum[end] - csum[begin]) / kept, np.nan)


def not_applicable_cells(
    checked: CheckedEntries, cell: NDArray[np.int64], n_cells: int
) -> pd.DataFrame:
    """The cells with a *not applicable* entry, and what was said about them.

    Parameters
    ----------
    checked : CheckedEntries
        Checked entries (no problems).
    cell : numpy.ndarray of int
        Each entry's cell (``unit * n_indicators + indicator``).
    n_cells : int
        Number of cells.

    Returns
    -------
    pandas.DataFrame
        Indexed by cell (ascending), columns :data:`NOT_APPLICABLE_CELL_COLUMNS`:
        ``n_not_applicable`` (entries answering not applicable), ``n_rated`` (entries of the
        cell with a value: 0 for a not-applicable cell, more for a disputed one), ``reason``
        (the distinct reasons as entered, in order of entry, joined by
        :data:`REASON_SEPARATOR`), ``raters`` (the raters who answered not applicable, in order
        of entry, joined by ``", "``; empty for a wide table, which has no rater) and ``first``
        (the position of the cell's first not-applicable entry).
    """
    na = checked.not_applicable
    if na.size != checked.n:
        na = np.zeros(checked.n, dtype=bool)
    at = np.flatnonzero(na & (checked.indicator >= 0))
    if at.size == 0:
        empty = pd.DataFrame(
            {
                "n_not_applicable": pd.Series(dtype="int64"),
                "n_rated": pd.Series(dtype="int64"),
                "reason": pd.Series(dtype=object),
                "raters": pd.Series(dtype=object),
                "first": pd.Series(dtype="int64"),
            }
        )
        empty.index = pd.Index([], dtype="int64", name="cell")
        return empty
    reasons = factorize_text(
        checked.raw["not_applicable_reason"].iloc[at].reset_index(drop=True), strip=False
    )
    frame = pd.DataFrame(
        {
            "cell": cell[at],
            "reason": reasons.text(np.arange(at.size)),
            "rater": checked.rater.text(at),
            "entry": at,
        }
    )
    grouped = frame.groupby("cell", sort=True)
    rated = ~np.isnan(checked.values) & (checked.indicator >= 0)
    n_rated = np.bincount(cell[rated], minlength=n_cells)
    out = pd.DataFrame(
        {
            "n_not_applicable": grouped.size().astype("int64"),
            "reason": grouped["reason"].agg(
                lambda r: REASON_SEPARATOR.join(dict.fromkeys(str(x) for x in r))
            ),
            "raters": grouped["rater"].agg(
                lambda r: ", ".join(dict.fromkeys(str(x) for x in r if x != ""))
            ),
            "first": grouped["entry"].min().astype("int64"),
        }
    )
    out.insert(1, "n_rated", n_rated[out.index.to_numpy(dtype=np.int64)].astype("int64"))
    out.index = out.index.astype("int64").rename("cell")
    return out[list(NOT_APPLICABLE_CELL_COLUMNS)]


def _counting_median(
    cell: NDArray[np.int64], values: NDArray[np.float64], counts: NDArray[np.int64], n_cells: int
) -> NDArray[np.float64] | None:
    """The median of each cell by counting, when the values are whole numbers in a short range
    (rubric levels): the same value as the sort-based median, without sorting.

    For cell ``c`` with ``n`` values, the value at sorted position ``j`` is the lowest level
    ``k`` whose cumulative count exceeds ``j``, i.e. the number of levels whose cumulative count
    is at most ``j``. Returns ``None`` when counting does not apply.
    """
    low, high = float(values.min()), float(values.max())
    width = int(high - low) + 1 if np.isfinite(high - low) else 0
    if not 0 < width <= 32 or n_cells * width > 50_000_000:
        return None
    level = values - low
    if not np.array_equal(level, np.floor(level)):
        return None
    tally = np.bincount(cell * width + level.astype(np.int64), minlength=n_cells * width)
    cumulative = np.cumsum(tally.reshape(n_cells, width), axis=1)
    lower = (cumulative <= ((counts - 1) // 2)[:, None]).sum(axis=1)
    upper = (cumulative <= (counts // 2)[:, None]).sum(axis=1)
    return np.where(counts > 0, low + (lower + upper) / 2.0, np.nan)


def entry_weights(
    confidence: NDArray[np.int64], confidence_weights: Mapping[str, float] | None
) -> NDArray[np.float64]:
    """Each entry's weight from its confidence code (0 low, 1 medium, 2 high, -1 none = low)."""
    table = checked_confidence_weights(confidence_weights)
    per_code = np.array([table[c] for c in CONFIDENCE_LEVELS] + [table["low"]], dtype=np.float64)
    return per_code[np.where(confidence >= 0, confidence, len(CONFIDENCE_LEVELS))]


def checked_confidence_weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    """The confidence weights, checked: a positive finite weight for each of low, medium, high."""
    w = dict(DEFAULT_CONFIDENCE_WEIGHTS if weights is None else weights)
    unknown = sorted(set(w) - set(CONFIDENCE_LEVELS))
    lacking = sorted(set(CONFIDENCE_LEVELS) - set(w))
    if (
        unknown
        or lacking
        or any(not (isinstance(v, int | float) and v > 0 and np.isfinite(v)) for v in w.values())
    ):
        raise ArgumentError(
            "confidence_weights must give a positive weight to each of low, medium and high"
            + (f" (unknown: {', '.join(unknown)})" if unknown else "")
            + (f" (missing: {', '.join(lacking)})" if lacking else "")
        )
    return {k: float(v) for k, v in w.items()}


def check_consolidation(method: str, trim: float) -> None:
    """Refuse an unknown method or a trim share outside [0, 0.5)."""
    if method not in CONSOLIDATION_METHODS:
        raise ArgumentError(f"unknown method {method!r}; use {', '.join(CONSOLIDATION_METHODS)}")
    if not (isinstance(trim, int | float) and 0.0 <= trim < 0.5):
        raise ArgumentError(f"trim must be at least 0 and below 0.5, not {trim}")


def _scale_facts(framework: Framework, indicators: Sequence[str]) -> pd.DataFrame:
    rows = []
    for ind_id in indicators:
        scale = framework.scale_of(ind_id)
        width = np.nan
        if isinstance(scale, NumericScale):
            goalposts = framework.goalposts(ind_id)
            if goalposts is not None:
                width = abs(goalposts[1] - goalposts[0])
            elif scale.minimum is not None and scale.maximum is not None:
                width = scale.maximum - scale.minimum
        rows.append({"indicator": ind_id, "kind": scale.kind, "width": width})
    return pd.DataFrame(rows, columns=["indicator", "kind", "width"]).set_index("indicator")


def consolidate(
    assessments: pd.DataFrame,
    method: Method | str = "median",
    *,
    framework: Framework | str | None = None,
    trim: float = 0.2,
    confidence_weights: Mapping[str, float] | None = None,
    weights: Mapping[str, float] | None = None,
    steps: int = 2,
    numeric_tolerance: float = 0.25,
    timelines: Any = None,
) -> pd.DataFrame:
    """Consolidate several raters' entries into one value per mission, period and indicator.

    Parameters
    ----------
    assessments : pandas.DataFrame
        An assessment table (see :func:`~missionlens.read_assessments`).
    method : {"median", "mean", "trimmed_mean", "confidence_weighted"}
        How the raters' values are combined:

        * ``median`` (default): the median; with an even number of raters, the mean of the two
          middle values (so it may fall between two rubric levels). Robust to one outlying rater.
        * ``mean``: the arithmetic mean.
        * ``trimmed_mean``: the mean after removing ``floor(trim * n)`` of the lowest and as many
          of the highest values, as in ``scipy.stats.trim_mean`` [4]_; with the default
          ``trim=0.2`` and five raters, the lowest and the highest value are removed; with fewer
          than five, nothing is.
        * ``confidence_weighted``: the mean weighted by each entry's confidence (``weights``,
          by default low 1, medium 2, high 3; an entry without a confidence counts as low).
    framework : Framework or str, optional
        The framework of the entries (an object, or the name or path of one); by default the
        built-in framework whose fingerprint the table records.
    trim : float
        Proportion cut from each end by ``trimmed_mean``, from 0 up to (not including) 0.5.
    confidence_weights : mapping, optional
        Weights of ``low``, ``medium`` and ``high`` confidence for ``confidence_weighted``
        (the same name as the recipe's setting). ``weights`` is its older name, still taken.
    steps : int
        Rubric levels apart at which raters are said to disagree (default 2).
    numeric_tolerance : float
        For numeric indicators, raters disagree when their values are at least this share of the
        indicator's goalpost range apart (default 0.25); without goalposts or bounds the flag is
        missing.
    timelines : optional
        Phase timelines of the missions, as :func:`~missionlens.validate` takes them: an entry
        whose phase contradicts its mission's timeline is refused.

    Returns
    -------
    pandas.DataFrame
        One row per mission, period and indicator (sorted by mission, period in chronological
        order (:func:`missionlens.periods.period_order`) and the framework's indicator
        order), with the columns of :data:`CONSOLIDATED_COLUMNS`:
        ``mission``, ``period``, ``period_start``, ``period_end``, ``phase``, ``indicator``;
        ``value`` (the consolidated value); ``n_raters``; ``min``, ``max`` and ``spread``
        (``max - min``); ``std`` (sample standard deviation, ``ddof=1``, missing for one rater);
        ``disagreement`` (boolean: rubric values ``steps`` or more levels apart, binary values
        not unanimous, numeric values ``numeric_tolerance`` of the range apart); ``confidence``
        (the median of the raters' confidence, the lower one of two middle values; missing when
        nobody gave one); ``method``; ``not_applicable`` (boolean: every entry of the cell
        answered not applicable; ``value`` is then missing and ``n_raters`` 0);
        ``n_not_applicable`` (how many entries answered not applicable: all of them in a
        not-applicable cell, some in a disputed one, where ``disagreement`` is then true);
        ``not_applicable_reason`` (their distinct reasons, joined by `` | ``; missing when
        there is none).

    Raises
    ------
    ValidationError
        If the table has problems (an entry repeated by a rater, values outside the scale, raters
        disagreeing on the phase, entries made for another framework version, ...).
    ValueError
        If an argument is out of range, or no framework is given and none can be found.

    Examples
    --------
    >>> import missionlens as ml
    >>> consolidated = ml.consolidate(table, method="median", framework=fw)  # doctest: +SKIP
    """
    if weights is not None and confidence_weights is not None:
        raise ArgumentError("give confidence_weights (weights is its older name), not both")
    check_consolidation(method, trim)
    if isinstance(steps, bool) or not (isinstance(steps, int) and steps >= 1):
        raise ArgumentError(f"steps must be a whole number of at least 1, not {steps!r}")
    if (
        isinstance(numeric_tolerance, bool)
        or not isinstance(numeric_tolerance, int | float)
        or not numeric_tolerance > 0
        or not np.isfinite(numeric_tolerance)
    ):
        raise ArgumentError(f"numeric_tolerance must be positive, not {numeric_tolerance}")
    table_weights = checked_confidence_weights(
        confidence_weights if confidence_weights is not None else weights
    )
    _require_table(assessments, "consolidate")
    fw = _resolve(assessments, resolve_framework(framework, "consolidate"))
    checked = checked_entries(assessments, fw, where="consolidate", timelines=timelines)
    return consolidated_table(
        checked,
        fw,
        method=method,
        trim=trim,
        confidence_weights=table_weights,
        steps=steps,
        numeric_tolerance=numeric_tolerance,
    )


def cell_codes(
    checked: CheckedEntries, n_indicators: int
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], int]:
    """Units and cells of checked entries.

    Returns ``(cell, unit_mission, unit_period, n_units)``: each entry's cell
    (``unit * n_indicators + indicator``) and, per unit, its mission and period codes. Units
    are the (mission, period) pairs present, ordered by mission (by the mission codes of the
    checked entries), then by period in chronological order
    (:func:`missionlens.periods.period_order`; labels of the same period in order of first
    appearance), so that every mission's periods run from
    the earliest to the latest whichever mission named a period first.
    """
    mission = np.maximum(checked.mission.codes, 0)
    period = np.maximum(checked.period.codes, 0)
    names = list(checked.period.names)
    width = max(len(names), int(period.max()) + 1 if period.size else 1)
    # the chronological position of each period code (ties kept apart, first seen first)
    chronological = np.full(width, width, dtype=np.int64)
    if names:
        ranks = period_order(names)
        by_time = np.lexsort((np.arange(len(names)), ranks))
        chronological[by_time] = np.arange(len(names))
    code_at = np.argsort(chronological, kind="stable")
    unit_key = mission * width + chronological[period]
    keys, unit_idx = np.unique(unit_key, return_inverse=True)
    cell = unit_idx.reshape(-1) * n_indicators + checked.indicator
    return cell.astype(np.int64), keys // width, code_at[keys % width], int(keys.size)


def consolidated_table(
    checked: CheckedEntries,
    fw: Framework,
    *,
    method: str = "median",
    trim: float = 0.2,
    confidence_weights: Mapping[str, float] | None = None,
    steps: int = 2,
    numeric_tolerance: float = 0.25,
) -> pd.DataFrame:
    """The consolidated table of checked entries (see :func:`consolidate`)."""
    columns = list(CONSOLIDATED_COLUMNS)
    keep = ~np.isnan(checked.values) & (checked.indicator >= 0)
    has_na = checked.not_applicable.size == checked.n and bool(
        (checked.not_applicable & (checked.indicator >= 0)).any()
    )
    if not keep.any() and not has_na:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        return _consolidated_dtypes(empty)
    n_ind = len(fw.indicator_ids)
    cell_all, unit_mission, unit_period, n_units = cell_codes(checked, n_ind)
    na_cells = not_applicable_cells(checked, cell_all, n_units * n_ind)
    rated = _rated_rows(
        checked,
        fw,
        keep,
        cell_all,
        unit_mission,
        unit_period,
        n_units,
        method=method,
        trim=trim,
        confidence_weights=confidence_weights,
        steps=steps,
        numeric_tolerance=numeric_tolerance,
    )
    rated["not_applicable"] = False
    rated["n_not_applicable"] = np.zeros(len(rated), dtype=np.int64)
    rated["not_applicable_reason"] = pd.Series([None] * len(rated), dtype=object)
    pieces = [rated]
    if not na_cells.empty:
        disputed = rated["_cell"].isin(na_cells.index).to_numpy()
        if disputed.any():
            info = na_cells.loc[rated["_cell"].to_numpy()[disputed]]
            rated.loc[disputed, "n_not_applicable"] = info["n_not_applicable"].to_numpy()
            rated.loc[disputed, "not_applicable_reason"] = info["reason"].to_numpy(dtype=object)
            flags = rated["disagreement"].astype("boolean").to_numpy(dtype=object)
            flags[disputed] = True
            rated["disagreement"] = pd.array(flags, dtype="boolean")
        only = na_cells[na_cells["n_rated"] == 0]
        if not only.empty:
            cells = only.index.to_numpy(dtype=np.int64)
            unit = cells // n_ind
            ind = cells % n_ind
            first = only["first"].to_numpy(dtype=np.int64)
            pieces.append(
                pd.DataFrame(
                    {
                        "mission": checked.mission.names[unit_mission[unit]],
                        "period": checked.period.names[unit_period[unit]],
                        "period_start": checked.period_start[unit_period[unit]],
                        "period_end": checked.period_end[unit_period[unit]],
                        "phase": _phase_names(checked, first),
                        "indicator": np.asarray(fw.indicator_ids, dtype=object)[ind],
                        "value": np.nan,
                        "n_raters": np.zeros(cells.size, dtype=np.int64),
                        "min": np.nan,
                        "max": np.nan,
                        "spread": np.nan,
                        "std": np.nan,
                        "disagreement": pd.array([pd.NA] * cells.size, dtype="boolean"),
                        "confidence": pd.Categorical.from_codes(
                            np.full(cells.size, -1), dtype=CONFIDENCE_DTYPE
                        ),
                        "method": method,
                        "_order": ind,
                        "_cell": cells,
                        "not_applicable": True,
                        "n_not_applicable": only["n_not_applicable"].to_numpy(dtype=np.int64),
                        "not_applicable_reason": only["reason"].to_numpy(dtype=object),
                    }
                )
            )
    filled = [p for p in pieces if not p.empty]
    out = pd.concat(filled, ignore_index=True) if filled else rated
    out = (
        out.assign(_period=period_order(out["period"]))
        .sort_values(["mission", "_period", "_order"], kind="stable")
        .drop(columns="_period")
    )
    return _consolidated_dtypes(out[columns].reset_index(drop=True))


def _rated_rows(
    checked: CheckedEntries,
    fw: Framework,
    keep: NDArray[np.bool_],
    cell_all: NDArray[np.int64],
    unit_mission: NDArray[np.int64],
    unit_period: NDArray[np.int64],
    n_units: int,
    *,
    method: str,
    trim: float,
    confidence_weights: Mapping[str, float] | None,
    steps: int,
    numeric_tolerance: float,
) -> pd.DataFrame:
    """The consolidated rows of the cells with a value (columns of :data:`CONSOLIDATED_COLUMNS`
    up to ``method``, then ``_order`` and ``_cell``), unsorted."""
    n_ind = len(fw.indicator_ids)
    if not keep.any():
        rated_columns = CONSOLIDATED_COLUMNS[: CONSOLIDATED_COLUMNS.index("method") + 1]
        return pd.DataFrame(
            {c: pd.Series(dtype=object) for c in (*rated_columns, "_order", "_cell")}
        )
    cell = cell_all[keep]
    vals = checked.values[keep]
    n_cells = n_units * n_ind
    w = entry_weights(checked.confidence[keep], confidence_weights)
    value = consolidate_cells(cell, vals, n_cells, method, trim=trim, weights=w)

    counts = np.bincount(cell, minlength=n_cells)
    present = np.flatnonzero(counts > 0)
    order = np.lexsort((vals, cell))
    sorted_vals = vals[order]
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    lo = sorted_vals[starts[present]]
    hi = sorted_vals[starts[present] + counts[present] - 1]
    n = counts[present]
    mean = np.bincount(cell, weights=vals, minlength=n_cells)[present] / n
    dev = vals - np.bincount(cell, weights=vals, minlength=n_cells)[cell] / counts[cell]
    ss = np.bincount(cell, weights=dev * dev, minlength=n_cells)[present]
    with np.errstate(invalid="ignore", divide="ignore"):
        std = np.where(n > 1, np.sqrt(ss / np.maximum(n - 1, 1)), np.nan)
    del mean

    ind = present % n_ind
    unit = present // n_ind
    first_entry = np.flatnonzero(keep)[order[starts[present]]]

    # disagreement: rubric levels `steps` or more apart, binary not unanimous, numeric values
    # `numeric_tolerance` of the goalpost (or scale) range apart
    facts = _scale_facts(fw, list(fw.indicator_ids))
    kind = facts["kind"].to_numpy(dtype=object)[ind]
    width = facts["width"].to_numpy(dtype=np.float64)[ind]
    level_lo = _level_positions(fw, ind, lo)
    level_hi = _level_positions(fw, ind, hi)
    spread = hi - lo
    flag = pd.array([pd.NA] * present.size, dtype="boolean")
    rubric = kind == "rubric"
    binary = kind == "binary"
    numeric = (kind == "numeric") & ~np.isnan(width)
    flag[rubric] = (level_hi - level_lo >= steps)[rubric]
    flag[binary] = (spread > 0)[binary]
    flag[numeric] = (spread >= numeric_tolerance * width)[numeric]

    # confidence: the lower median of the raters' confidence
    conf = checked.confidence[keep]
    rated = conf >= 0
    conf_cell = cell[rated]
    conf_counts = np.bincount(conf_cell, minlength=n_cells)
    conf_sorted = conf[rated][np.lexsort((conf[rated], conf_cell))]
    conf_starts = np.concatenate(([0], np.cumsum(conf_counts)[:-1]))
    m = conf_counts[present]
    pick = np.minimum(
        conf_starts[present] + np.maximum(m - 1, 0) // 2, max(conf_sorted.size - 1, 0)
    )
    median_conf = np.where(m > 0, conf_sorted[pick] if conf_sorted.size else -1, -1)

    names = checked.mission.names
    periods = checked.period.names
    out = pd.DataFrame(
        {
            "mission": names[unit_mission[unit]],
            "period": periods[unit_period[unit]],
            "period_start": checked.period_start[unit_period[unit]],
            "period_end": checked.period_end[unit_period[unit]],
            "phase": _phase_names(checked, first_entry),
            "indicator": np.asarray(fw.indicator_ids, dtype=object)[ind],
            "value": value[present],
            "n_raters": n,
            "min": lo,
            "max": hi,
            "spread": spread,
            "std": std,
            "disagreement": flag,
            "confidence": pd.Categorical.from_codes(median_conf, dtype=CONFIDENCE_DTYPE),
            "method": method,
            "_order": ind,
            "_cell": present,
        }
    )
    return out


def _phase_names(checked: CheckedEntries, rows: NDArray[np.int64]) -> NDArray[np.object_]:
    return take_or(checked.phase.names, checked.phase.codes[rows], None)


def _level_positions(
    fw: Framework, ind: NDArray[np.int64], values: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Position of each rubric value among its scale's levels (NaN for other scales)."""
    out = np.full(values.size, np.nan)
    by_scale: dict[str, list[int]] = {}
    for j, indicator in enumerate(fw.indicators):
        by_scale.setdefault(indicator.scale, []).append(j)
    for scale_id, members in by_scale.items():
        scale = fw.scale(scale_id)
        if not isinstance(scale, RubricScale):
            continue
        rows = np.isin(ind, np.array(members, dtype=np.int64))
        if not rows.any():
            continue
        levels = np.array(scale.values, dtype=np.float64)
        order = np.argsort(levels)
        pos = np.searchsorted(levels[order], values[rows])
        pos = np.clip(pos, 0, levels.size - 1)
        exact = levels[order][pos] == values[rows]
        out[rows] = np.where(exact, order[pos], np.nan)
    return out


def _consolidated_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    for col in ("mission", "period", "phase", "indicator", "method"):
        frame[col] = frame[col].astype(text_dtype())
    for col in ("period_start", "period_end"):
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[ns]")
    for col in ("value", "min", "max", "spread", "std"):
        frame[col] = frame[col].astype("float64")
    frame["n_raters"] = frame["n_raters"].astype("int64")
    frame["disagreement"] = frame["disagreement"].astype("boolean")
    frame["confidence"] = frame["confidence"].astype(CONFIDENCE_DTYPE)
    frame["not_applicable"] = frame["not_applicable"].astype(bool)
    frame["n_not_applicable"] = frame["n_not_applicable"].astype("int64")
    reason = frame["not_applicable_reason"].astype(object)
    frame["not_applicable_reason"] = reason.where(reason.notna(), None).astype(text_dtype())
    return frame
