"""The scoring engine: indicator values -> normalised scores -> node and facet scores.

:func:`score` prepares one matrix of units (mission, period) by indicators, runs the recipe's
steps over it, and hands the result to :class:`~missionlens.profiles.Profiles`. Every step works
on whole arrays: loops run over steps, nodes or indicators, never over missions or rows.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from missionlens.errors import MissionLensError, format_table
from missionlens.framework import Framework
from missionlens.kernels import aggregate as agg
from missionlens.kernels import normalise as norm
from missionlens.kernels import treat
from missionlens.recipe import (
    AggregateParams,
    DenominateParams,
    ImputeParams,
    NormaliseParams,
    Recipe,
    RecipeError,
    TreatOutliersParams,
    WeightParams,
)
from missionlens.schema import BinaryScale, NumericScale, RubricScale, Scale

__all__ = ["ScoringInputError", "ScoringState", "prepare", "run_recipe"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: Columns of a wide or long input that describe the unit rather than an indicator.
UNIT_COLUMNS: tuple[str, ...] = ("mission", "period", "phase")


class ScoringInputError(MissionLensError):
    """The data given to :func:`missionlens.score` cannot be scored; ``problems`` says why.

    Attributes
    ----------
    problems : pandas.DataFrame
        Columns ``mission``, ``period``, ``indicator``, ``check``, ``value``, ``message``.
    """

    def __init__(self, problems: pd.DataFrame) -> None:
        self.problems = problems.reset_index(drop=True)
        counts = ", ".join(f"{k}: {v}" for k, v in self.problems["check"].value_counts().items())
        super().__init__(
            f"{len(self.problems)} problem(s) in the data to score ({counts})\n"
            + format_table(self.problems, max_rows=20)
        )


@dataclass(frozen=True)
class ScoringState:
    """Everything the steps read and write, as whole arrays (units x indicators)."""

    framework: Framework
    units: pd.DataFrame
    indicators: tuple[str, ...]
    raw: FloatArray
    values: FloatArray
    imputed: BoolArray
    treated: BoolArray
    applicable: BoolArray
    normalised: FloatArray | None = None
    weights: dict[str, float] = field(default_factory=dict)
    node_scores: FloatArray | None = None  # units x nodes, framework node order
    node_share: FloatArray | None = None
    log_treated: frozenset[str] = frozenset()
    log: tuple[dict[str, Any], ...] = ()

    def column(self, indicator: str) -> int:
        """Column position of an indicator."""
        return self.indicators.index(indicator)

    def noted(self, step: str, message: str, **details: Any) -> ScoringState:
        """A copy with one more entry in the step log."""
        return replace(self, log=(*self.log, {"step": step, "message": message, **details}))


# ------------------------------------------------------------------------------- preparation
def data_fingerprint(data: pd.DataFrame) -> str:
    """SHA-256 (16 hex digits) of a table's content: column names and every value.

    Column order does not matter; row order does. The fingerprint does not depend on how a
    value is stored (text as ``object``, ``str`` or categorical; integers or floats), so a table
    read back from Parquet or CSV keeps its fingerprint. Each column becomes one 64-bit hash per
    row (numbers from their float64 bits, dates from nanoseconds, text from pandas' row hash,
    categoricals from their categories' hashes indexed by code); the columns' hashes are mixed
    row by row in column-name order and the result goes through SHA-256.
    """
    digest = hashlib.sha256()
    missing = np.uint64(0x9E3779B97F4A7C15)
    mixed = np.zeros(len(data), dtype=np.uint64)
    for name in sorted(data.columns, key=str):
        digest.update(f"|{name}|".encode())
        hashed = _column_hash(data[name], missing)
        with np.errstate(over="ignore"):
            mixed = (mixed * np.uint64(1_000_003)) ^ hashed
    digest.update(np.ascontiguousarray(mixed).tobytes())
    return digest.hexdigest()[:16]


def _column_hash(column: pd.Series, missing: np.uint64) -> NDArray[np.uint64]:
    """One 64-bit hash per row of a column, independent of how the values are stored."""
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        categories = pd.Series(np.asarray(dtype.categories, dtype=object), dtype=object)
        if categories.map(lambda v: isinstance(v, str)).all():
            cat_hash = pd.util.hash_pandas_object(categories, index=False).to_numpy()
            codes = column.cat.codes.to_numpy()
            return np.where(codes >= 0, cat_hash[np.maximum(codes, 0)], missing)
        column = column.astype(object)
        dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        values = column.to_numpy(dtype=np.float64, na_value=np.nan) + 0.0  # -0.0 -> 0.0
        bits = values.view(np.uint64)
        return np.where(np.isnan(values), missing, bits ^ np.uint64(0x5BD1E995))
    if pd.api.types.is_datetime64_any_dtype(dtype):
        stamps = pd.to_datetime(column)
        if getattr(stamps.dt, "tz", None) is not None:
            stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
        nanos = stamps.astype("datetime64[ns]").to_numpy()
        return np.where(np.isnat(nanos), missing, nanos.astype(np.int64).view(np.uint64))
    as_object = column.astype(object)
    hashed = pd.util.hash_pandas_object(as_object, index=False).to_numpy()
    return np.where(as_object.isna().to_numpy(), missing, hashed)


def _is_long(data: pd.DataFrame) -> bool:
    return {"indicator", "value"} <= set(data.columns)


#: Columns of a long table besides mission, period, indicator and value that scoring reads
#: (the others are kept with the profiles' data but not used).
LONG_USED: tuple[str, ...] = ("phase", "rater", "confidence", "period_start")


def prepare(
    data: pd.DataFrame,
    framework: Framework,
    recipe: Recipe,
    *,
    unknown_columns: str = "error",
) -> tuple[ScoringState, pd.DataFrame]:
    """Turn a long assessment table or a wide indicator table into a :class:`ScoringState`.

    Returns the state and the input table. ``unknown_columns`` (wide tables only): ``"error"``
    refuses columns that are neither indicator ids, unit columns (mission, period, phase,
    period_start, period_end) nor columns a recipe step reads, so that a misspelt indicator
    column is not silently ignored; ``"ignore"`` keeps them as unused data.
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(data).__name__}")
    missing = [c for c in ("mission", "period") if c not in data.columns]
    if missing:
        raise ScoringInputError(
            _problems(
                [
                    {
                        "check": "missing_column",
                        "value": c,
                        "message": f"the data has no '{c}' column; a long table needs mission, "
                        "period, indicator, value; a wide table needs mission, period and one "
                        "column per indicator id",
                    }
                    for c in missing
                ]
            )
        )
    if len(data) == 0:
        raise ScoringInputError(
            _problems([{"check": "empty", "message": "the data has no rows to score"}])
        )
    keys_missing = data["mission"].isna() | data["period"].isna()
    if keys_missing.any():
        rows = np.flatnonzero(keys_missing.to_numpy())
        raise ScoringInputError(
            _problems(
                [
                    {
                        "check": "missing_required",
                        "value": f"row {r + 1}",
                        "message": "mission and period are required in every row",
                    }
                    for r in rows[:50]
                ]
            )
        )
    if _is_long(data):
        units, matrix = _from_long(data, framework, recipe)
    else:
        if unknown_columns not in ("error", "ignore"):
            raise ValueError("unknown_columns must be 'error' or 'ignore'")
        if unknown_columns == "error":
            _check_wide_columns(data, framework, recipe)
        units, matrix = _from_wide(data, framework)
        n_ind = len(framework.indicator_ids)
        _check_values(
            units.iloc[np.repeat(np.arange(len(units)), n_ind)],
            np.tile(np.arange(n_ind), len(units)),
            matrix.reshape(-1),
            framework,
        )
    _check_phases(units, framework)
    state = ScoringState(
        framework=framework,
        units=units,
        indicators=framework.indicator_ids,
        raw=matrix,
        values=matrix.copy(),
        imputed=np.zeros(matrix.shape, dtype=bool),
        treated=np.zeros(matrix.shape, dtype=bool),
        applicable=applicability(units, framework),
        weights=framework.weights(),
    )
    return state, data


def _recipe_columns(recipe: Recipe) -> set[str]:
    """Data columns that the recipe's steps read."""
    used: set[str] = set()
    for step in recipe.steps:
        params = step.parsed()
        if isinstance(params, DenominateParams):
            used.add(params.by)
        elif isinstance(params, ImputeParams) and params.method in ("group_mean", "group_median"):
            used.add(params.group)
    return used


def _check_wide_columns(data: pd.DataFrame, framework: Framework, recipe: Recipe) -> None:
    ids = set(framework.indicator_ids)
    allowed = ids | {"mission", "period", "phase", "period_start", "period_end"}
    allowed |= _recipe_columns(recipe)
    columns = [str(c) for c in data.columns]
    rows: list[dict[str, Any]] = []
    if not ids.intersection(columns):
        rows.append(
            {
                "check": "no_indicators",
                "message": f"no column is an indicator id of framework '{framework.id}' "
                f"(e.g. {', '.join(framework.indicator_ids[:3])})",
            }
        )
    for column in columns:
        if column in allowed:
            continue
        close = difflib.get_close_matches(column, sorted(ids), n=1, cutoff=0.75)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        rows.append(
            {
                "check": "unknown_column",
                "value": column,
                "message": f"column '{column}' is not an indicator of framework "
                f"'{framework.id}' and no recipe step reads it{hint} (pass "
                "unknown_columns='ignore' to keep such columns unused)",
            }
        )
    if rows:
        raise ScoringInputError(_problems(rows))


def _check_phases(units: pd.DataFrame, framework: Framework) -> None:
    allowed = framework.facet("phase").value_ids
    phases = units["phase"]
    bad = phases.notna() & ~phases.isin(allowed)
    if bad.any():
        rows = units.loc[bad, ["mission", "period", "phase"]]
        raise ScoringInputError(
            _problems(
                [
                    {
                        "mission": m,
                        "period": p,
                        "check": "unknown_phase",
                        "value": str(ph),
                        "message": f"phase must be one of {', '.join(allowed)}",
                    }
                    for m, p, ph in rows.itertuples(index=False)
                ]
            )
        )


def _period_codes(column: pd.Series) -> tuple[NDArray[np.int64], NDArray[np.object_], Any]:
    """Codes, canonical labels and start dates (or ``None``) of a period column."""
    codes, uniques = pd.factorize(column)
    canon, starts = _canonical_periods(np.asarray(uniques, dtype=object))
    return np.asarray(codes, dtype=np.int64), canon, starts


def _canonical_periods(labels: NDArray[np.object_]) -> tuple[NDArray[np.object_], Any]:
    """Canonical labels (``2024h1`` -> ``2024-H1``, ``2024.0`` -> ``2024``) and start dates.

    Labels that are not periods (:func:`missionlens.parse_period`) are kept as given, and then
    no start dates are returned.
    """
    from missionlens.assessment import parse_period

    out = np.array([str(label) for label in labels], dtype=object)
    starts: list[pd.Timestamp] = []
    parsed_all = True
    for k, label in enumerate(labels):
        try:
            period = parse_period(label)
        except (ValueError, TypeError):
            parsed_all = False
            continue
        out[k] = period.label
        starts.append(period.start)
    return out, (np.array(starts, dtype="datetime64[ns]") if parsed_all else None)


def applicability(units: pd.DataFrame, framework: Framework) -> BoolArray:
    """Which indicators apply to each unit (units x indicators), from the unit's phase.

    An indicator applies in the phases it lists, and in every phase if it lists none; a unit
    without a phase (or with a phase the framework does not know) gets every indicator.
    """
    phases = units["phase"].astype(object).to_numpy()
    unknown = ~pd.Series(phases).isin(framework.facet("phase").value_ids).to_numpy()
    out = np.ones((len(units), len(framework.indicators)), dtype=bool)
    for j, ind in enumerate(framework.indicators):
        if ind.phases:
            out[:, j] = unknown | np.isin(phases, np.array(ind.phases, dtype=object))
    return out


def node_applicability(state: ScoringState) -> BoolArray:
    """Which nodes apply to each unit (units x nodes): those with an applicable indicator below."""
    below = state.framework.membership()
    return (state.applicable.astype(np.int64) @ below.astype(np.int64)) > 0


def _problems(rows: list[dict[str, Any]]) -> pd.DataFrame:
    cols = ["mission", "period", "indicator", "check", "value", "message"]
    return pd.DataFrame([{c: r.get(c, "") for c in cols} for r in rows], columns=cols)


def _unit_frame(keys: pd.DataFrame) -> pd.DataFrame:
    units = keys.reset_index(drop=True).copy()
    units["mission"] = units["mission"].astype(str)
    units["period"] = units["period"].astype(str)
    if "phase" not in units.columns:
        units["phase"] = pd.Series([None] * len(units), dtype=object)
    return units


def _from_wide(data: pd.DataFrame, framework: Framework) -> tuple[pd.DataFrame, FloatArray]:
    p_codes, canon, starts = _period_codes(data["period"])
    period = pd.Series(canon[p_codes], index=data.index, dtype=object)
    keys = pd.DataFrame({"mission": data["mission"].astype(str), "period": period})
    dup = keys.duplicated(keep=False)
    if dup.any():
        rows = keys.loc[dup].drop_duplicates()
        raise ScoringInputError(
            _problems(
                [
                    {
                        "mission": m,
                        "period": p,
                        "check": "duplicate_unit",
                        "message": "more than one row for this mission and period in a wide table",
                    }
                    for m, p in rows.itertuples(index=False)
                ]
            )
        )
    ids = framework.indicator_ids
    aux = [c for c in data.columns if c not in ids]
    units = _unit_frame(data[aux])
    units["period"] = period.to_numpy()
    if starts is not None and "period_start" not in units.columns:
        units["period_start"] = starts[p_codes]
    matrix = np.full((len(data), len(ids)), np.nan)
    bad: list[dict[str, Any]] = []
    for j, ident in enumerate(ids):
        if ident not in data.columns:
            continue
        column = pd.to_numeric(data[ident], errors="coerce")
        wrong = column.isna() & data[ident].notna()
        if wrong.any():
            for pos in np.flatnonzero(wrong.to_numpy()):
                bad.append(
                    {
                        "mission": units.at[pos, "mission"],
                        "period": units.at[pos, "period"],
                        "indicator": ident,
                        "check": "not_numeric",
                        "value": str(data[ident].iloc[pos]),
                        "message": "values must be numbers",
                    }
                )
        matrix[:, j] = column.to_numpy(dtype=np.float64, na_value=np.nan)
    if bad:
        raise ScoringInputError(_problems(bad))
    return units, matrix


def _factorize(column: pd.Series) -> tuple[NDArray[np.int64], NDArray[np.object_]]:
    """Codes and uniques of a column as text, without converting every row to a string."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    labels = np.array([str(u) for u in uniques], dtype=object)
    return np.asarray(codes, dtype=np.int64), labels


def _from_long(
    data: pd.DataFrame, framework: Framework, recipe: Recipe
) -> tuple[pd.DataFrame, FloatArray]:
    ids = framework.indicator_ids
    n_ind = len(ids)
    raw_codes, raw_names = _factorize(data["indicator"])
    lookup = pd.Index(ids).get_indexer(raw_names)
    unknown_names = [n for n, c in zip(raw_names, lookup, strict=True) if c < 0]
    missing_ind = raw_codes < 0
    if unknown_names or missing_ind.any():
        rows = [
            {
                "indicator": n,
                "check": "unknown_indicator",
                "value": n,
                "message": f"not an indicator of framework '{framework.id}'",
            }
            for n in sorted(unknown_names)
        ]
        if missing_ind.any():
            rows.append({"check": "missing_indicator", "message": "rows without an indicator"})
        raise ScoringInputError(_problems(rows))
    code = lookup[raw_codes]
    values = pd.to_numeric(data["value"], errors="coerce")
    wrong = values.isna() & data["value"].notna()
    if wrong.any():
        sub = data.loc[wrong]
        raise ScoringInputError(
            _problems(
                [
                    {
                        "mission": r.mission,
                        "period": r.period,
                        "indicator": r.indicator,
                        "check": "not_numeric",
                        "value": str(r.value),
                        "message": "values must be numbers",
                    }
                    for r in sub[["mission", "period", "indicator", "value"]].itertuples()
                ]
            )
        )
    vals = values.to_numpy(dtype=np.float64, na_value=np.nan)
    _check_values(data, code, vals, framework)
    m_codes, m_names = _factorize(data["mission"])
    p_codes, canon, label_starts = _period_codes(data["period"])
    remap, p_names_arr = pd.factorize(pd.Series(canon, dtype=object))
    p_codes = np.asarray(remap, dtype=np.int64)[p_codes]
    p_names = np.asarray(p_names_arr, dtype=object)
    if label_starts is not None:
        first_start = pd.Series(label_starts).groupby(np.asarray(remap)).first().to_numpy()
    n_p = len(p_names)
    unit_code = m_codes * n_p + p_codes
    seen = np.zeros(len(m_names) * n_p, dtype=bool)
    seen[unit_code] = True
    present_units = np.flatnonzero(seen)
    position = np.cumsum(seen) - 1
    unit_idx = position[unit_code]
    n_units = present_units.size
    units = pd.DataFrame(
        {
            "mission": m_names[present_units // n_p],
            "period": p_names[present_units % n_p],
        }
    )
    units["phase"] = _per_unit(data, "phase", unit_idx, n_units, units)
    if "period_start" in data.columns:
        start = pd.to_datetime(data["period_start"], errors="coerce")
        first = np.full(n_units, np.iinfo(np.int64).max)
        np.minimum.at(first, unit_idx, start.to_numpy(dtype="datetime64[ns]").astype(np.int64))
        units["period_start"] = pd.to_datetime(first, unit="ns")
    elif label_starts is not None:
        units["period_start"] = first_start[present_units % n_p]
    cell = unit_idx * n_ind + code
    if "rater" in data.columns:
        _check_duplicate_raters(data, cell, n_units * n_ind)
    keep = ~np.isnan(vals)
    weights = (
        _confidence_weights(data, recipe)
        if recipe.settings.consolidate == ("confidence_weighted")
        else None
    )
    matrix = _consolidate_cells(
        cell[keep],
        vals[keep],
        n_units * n_ind,
        recipe.settings.consolidate,
        None if weights is None else weights[keep],
        recipe.settings.trim,
    ).reshape(n_units, n_ind)
    return units, matrix


def _check_duplicate_raters(data: pd.DataFrame, cell: NDArray[np.int64], n_cells: int) -> None:
    """Refuse two entries of the same rater for the same mission, period and indicator."""
    r_codes, r_names = _factorize(data["rater"])
    n_r = len(r_names) + 1  # code 0 for entries without a rater
    key = cell * n_r + (r_codes + 1)
    if n_cells * n_r <= 50_000_000:
        counts = np.bincount(key, minlength=n_cells * n_r)
        repeated = counts[key] > 1
    else:
        _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
        repeated = counts[inverse] > 1
    if repeated.any():
        rows = np.flatnonzero(repeated)
        raise ScoringInputError(
            _problems(
                [
                    {
                        "mission": str(data["mission"].iloc[r]),
                        "period": str(data["period"].iloc[r]),
                        "indicator": str(data["indicator"].iloc[r]),
                        "check": "duplicate_entry",
                        "value": f"row {r + 1}, rater {data['rater'].iloc[r]}",
                        "message": "the same rater entered this mission, period and indicator "
                        "more than once",
                    }
                    for r in rows[:50]
                ]
            )
        )


def _confidence_weights(data: pd.DataFrame, recipe: Recipe) -> FloatArray:
    """Weight of each entry's confidence (case and spaces ignored; missing counts as low)."""
    table = recipe.settings.confidence_weights
    if "confidence" not in data.columns:
        return np.full(len(data), table["low"])
    codes, names = _factorize(data["confidence"])
    canonical = [str(n).strip().lower() for n in names]
    bad = [str(n) for n, c in zip(names, canonical, strict=True) if c not in table]
    if bad:
        raise ScoringInputError(
            _problems(
                [
                    {
                        "check": "bad_confidence",
                        "value": b,
                        "message": "confidence must be low, medium or high (or empty)",
                    }
                    for b in bad
                ]
            )
        )
    per_name = np.array([table[c] for c in canonical] + [table["low"]], dtype=np.float64)
    return per_name[np.where(codes >= 0, codes, len(canonical))]


def _per_unit(
    data: pd.DataFrame,
    column: str,
    unit_idx: NDArray[np.int64],
    n_units: int,
    units: pd.DataFrame,
) -> pd.Series:
    """The one value of a column per unit (e.g. the phase); conflicting values are refused."""
    if column not in data.columns:
        return pd.Series([None] * n_units, dtype=object)
    codes, names = _factorize(data[column])
    low = np.full(n_units, np.iinfo(np.int64).max)
    high = np.full(n_units, -1)
    valid = codes >= 0
    np.minimum.at(low, unit_idx[valid], codes[valid])
    np.maximum.at(high, unit_idx[valid], codes[valid])
    clash = np.flatnonzero((high >= 0) & (low != high))
    if clash.size:
        raise ScoringInputError(
            _problems(
                [
                    {
                        "mission": units.at[i, "mission"],
                        "period": units.at[i, "period"],
                        "check": f"{column}_conflict",
                        "value": ", ".join(sorted({names[low[i]], names[high[i]]})),
                        "message": f"entries for this mission and period name different "
                        f"values of '{column}'",
                    }
                    for i in clash[:50]
                ]
            )
        )
    out = np.full(n_units, None, dtype=object)
    has = high >= 0
    out[has] = names[high[has]]
    return pd.Series(out, dtype=object)


def _consolidate_cells(
    cell: NDArray[np.int64],
    vals: FloatArray,
    size: int,
    method: str,
    weights: FloatArray | None,
    trim: float,
) -> FloatArray:
    """One value per cell from several raters' values, in one vectorised pass.

    The same definitions as :func:`missionlens.consolidate` (and tested equal to it): the
    median (mean of the two middle values for an even count); the mean; the trimmed mean
    cutting ``floor(trim n)`` values from each end (``scipy.stats.trim_mean``); the mean
    weighted by ``weights`` (the entries' confidence weights).
    """
    out = np.full(size, np.nan)
    if cell.size == 0:
        return out
    counts = np.bincount(cell, minlength=size)
    has = counts > 0
    if counts.max() <= 1:
        out[cell] = vals
        return out
    if method in ("mean", "confidence_weighted"):
        if method == "mean" or weights is None:
            weights = np.ones(vals.size)
        sums = np.bincount(cell, weights=vals * weights, minlength=size)
        totals = np.bincount(cell, weights=weights, minlength=size)
        return np.where(has, sums / np.where(has, totals, 1.0), np.nan)
    order = np.lexsort((vals, cell))
    sorted_vals = vals[order]
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    last = sorted_vals.size - 1
    if method == "median":
        lo_v = sorted_vals[np.minimum(starts + (counts - 1) // 2, last)]
        hi_v = sorted_vals[np.minimum(starts + counts // 2, last)]
        return np.where(has, (lo_v + hi_v) / 2.0, np.nan)
    if method == "trimmed_mean":
        cut = np.floor(trim * counts).astype(np.int64)
        csum = np.concatenate(([0.0], np.cumsum(sorted_vals)))
        begin = starts + cut
        end = starts + counts - cut
        kept = np.maximum(end - begin, 1)
        return np.where(has, (csum[end] - csum[begin]) / kept, np.nan)
    raise RecipeError(f"unknown consolidation method {method!r}")


def _out_of_scale(scale: Scale, values: FloatArray) -> tuple[BoolArray, str]:
    """Mask of present values outside a scale, and what was expected."""
    present = ~np.isnan(values)
    if isinstance(scale, RubricScale | BinaryScale):
        wrong = present & ~np.isin(values, np.array(scale.values))
        return wrong, f"one of the levels {[f'{v:g}' for v in scale.values]} of scale '{scale.id}'"
    lo = -np.inf if scale.minimum is None else scale.minimum
    hi = np.inf if scale.maximum is None else scale.maximum
    wrong = present & ((values < lo) | (values > hi) | ~np.isfinite(values))
    return wrong, f"a finite number in [{lo:g}, {hi:g}] (scale '{scale.id}')"


def _check_values(
    rows: pd.DataFrame, codes: NDArray[np.int64], values: FloatArray, framework: Framework
) -> None:
    """Refuse values outside their scale (run :func:`missionlens.validate` for a full report).

    ``codes`` gives the framework position of each value's indicator; ``rows`` holds the
    ``mission`` and ``period`` of each value, for the report. One pass per scale.
    """
    ids = framework.indicator_ids
    scale_ids = list(dict.fromkeys(framework.indicator(i).scale for i in ids))
    scale_of = np.array([scale_ids.index(framework.indicator(i).scale) for i in ids])
    per_value_scale = scale_of[codes]
    wrong = np.zeros(values.shape, dtype=bool)
    expected: dict[str, str] = {}
    for k, sid in enumerate(scale_ids):
        positions = np.flatnonzero(per_value_scale == k) if len(scale_ids) > 1 else None
        sub = values if positions is None else values[positions]
        mask, expected[sid] = _out_of_scale(framework.scale(sid), sub)
        if positions is None:
            wrong |= mask
        else:
            wrong[positions[mask]] = True
    bad = [
        {
            "mission": str(rows["mission"].iloc[pos]),
            "period": str(rows["period"].iloc[pos]),
            "indicator": ids[codes[pos]],
            "check": "out_of_scale",
            "value": f"{values[pos]:g}",
            "message": f"expected {expected[framework.indicator(ids[codes[pos]]).scale]}",
        }
        for pos in np.flatnonzero(wrong)[:200]
    ]
    if bad:
        raise ScoringInputError(_problems(bad))


# ----------------------------------------------------------------------------------- steps
StepFunction = Callable[[ScoringState, Any], ScoringState]


def _targets(state: ScoringState, requested: tuple[str, ...] | None, step: str) -> list[int]:
    if requested is None:
        return list(range(len(state.indicators)))
    unknown = [i for i in requested if i not in state.indicators]
    if unknown:
        raise RecipeError(f"step '{step}': unknown indicator(s) {unknown}")
    return [state.column(i) for i in requested]


def step_denominate(state: ScoringState, params: DenominateParams) -> ScoringState:
    """Divide indicators by a data column: ``value / by * multiplier``."""
    if params.by not in state.units.columns:
        raise RecipeError(
            f"step 'denominate': the data has no column '{params.by}' "
            f"(columns: {', '.join(map(str, state.units.columns))})"
        )
    denom = pd.to_numeric(state.units[params.by], errors="coerce").to_numpy(dtype=np.float64)
    cols = _targets(state, params.indicators, "denominate")
    fw = state.framework
    not_numeric = [
        state.indicators[c]
        for c in cols
        if not isinstance(fw.scale_of(state.indicators[c]), NumericScale)
    ]
    if not_numeric:
        raise RecipeError(
            f"step 'denominate': {not_numeric} are not numeric indicators; only numeric values "
            "can be divided by a denominator"
        )
    values = state.values.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = values[:, cols] / denom[:, None] * params.multiplier
    ratio[~np.isfinite(ratio)] = np.nan
    zero = (denom == 0) | np.isnan(denom)
    values[:, cols] = ratio
    out = replace(state, values=values)
    if zero.any():
        out = out.noted(
            "denominate",
            f"{int(zero.sum())} unit(s) have a zero or missing '{params.by}'; their "
            "denominated values are missing",
        )
    return out


def step_impute(state: ScoringState, params: ImputeParams) -> ScoringState:
    """Fill missing values and flag them (see :class:`~missionlens.recipe.ImputeParams`)."""
    if params.method == "none":
        return state
    cols = _targets(state, params.indicators, "impute")
    if params.method == "sibling_mean":
        if state.normalised is None:
            raise RecipeError("impute sibling_mean must come after normalise")
        current = state.normalised.copy()
        fw = state.framework
        for parent in {fw.indicator(state.indicators[c]).parent for c in cols}:
            siblings = [state.column(i) for i in fw.children(parent) if i in state.indicators]
            block = current[:, siblings]
            with np.errstate(invalid="ignore"):
                import warnings

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    mean = np.nanmean(block, axis=1)
            for c in siblings:
                if c in cols:
                    gap = np.isnan(current[:, c]) & ~np.isnan(mean) & state.applicable[:, c]
                    current[gap, c] = mean[gap]
        filled_mask = np.isnan(state.normalised) & ~np.isnan(current)
        return replace(state, normalised=current, imputed=state.imputed | filled_mask)
    values = state.values.copy()
    if params.method in ("group_mean", "group_median"):
        if params.group not in state.units.columns:
            raise RecipeError(f"step 'impute': the data has no group column '{params.group}'")
        groups = pd.factorize(state.units[params.group].astype(str))[0].astype(np.int64)
        filled, mask = treat.fill_group_stat(
            values[:, cols], groups, "mean" if params.method == "group_mean" else "median"
        )
    else:  # locf
        entity = pd.factorize(state.units["mission"])[0].astype(np.int64)
        order = _period_order(state.units)
        filled, mask = treat.fill_locf(values[:, cols], entity, order)
    mask &= state.applicable[:, cols]  # never fill an indicator that does not apply
    values[:, cols] = np.where(mask, filled, values[:, cols])
    imputed = state.imputed.copy()
    imputed[:, cols] |= mask
    return replace(state, values=values, imputed=imputed).noted(
        "impute", f"{params.method}: {int(mask.sum())} cell(s) imputed"
    )


def _period_order(units: pd.DataFrame) -> NDArray[np.int64]:
    if "period_start" in units.columns:
        start = pd.to_datetime(units["period_start"], errors="coerce")
        if start.notna().all():
            return start.rank(method="dense").to_numpy(dtype=np.int64)
    return pd.factorize(units["period"], sort=True)[0].astype(np.int64)


def step_treat_outliers(state: ScoringState, params: TreatOutliersParams) -> ScoringState:
    """Winsorise skewed numeric indicators, log fallback (COINr ``Treat``)."""
    fw = state.framework
    if params.indicators is None:
        cols = [
            j for j, i in enumerate(state.indicators) if isinstance(fw.scale_of(i), NumericScale)
        ]
    else:
        cols = _targets(state, params.indicators, "treat_outliers")
    values = state.values.copy()
    treated = state.treated.copy()
    out = state
    for j in cols:
        new, changed, info = treat.treat_outliers(
            values[:, j],
            skew_threshold=params.skew_threshold,
            kurtosis_threshold=params.kurtosis_threshold,
            max_points=params.max_points,
            fallback=params.fallback,
        )
        if info.action != "none":
            values[:, j] = new
            treated[:, j] |= changed
            out = out.noted(
                "treat_outliers",
                f"{state.indicators[j]}: {info.action}",
                indicator=state.indicators[j],
                skew_before=info.skew_before,
                kurtosis_before=info.kurtosis_before,
                skew_after=info.skew_after,
                kurtosis_after=info.kurtosis_after,
                winsorised=info.winsorised,
            )
    logged = frozenset(
        entry["indicator"]
        for entry in out.log[len(state.log) :]
        if entry.get("message", "").endswith(": log")
    )
    return replace(out, values=values, treated=treated, log_treated=state.log_treated | logged)


def step_normalise(state: ScoringState, params: NormaliseParams) -> ScoringState:
    """Normalise every indicator to 0-100 with 100 best; direction handled here, once.

    Lower-is-better indicators are negated together with their goalposts, bounds and targets,
    then every method treats higher as better.
    """
    fw = state.framework
    unknown = [k for k in params.overrides if k not in state.indicators]
    if unknown:
        raise RecipeError(f"step 'normalise': overrides name unknown indicator(s) {unknown}")
    out = np.full(state.values.shape, np.nan)
    # group indicators that share a method and parameters so each group is one array operation
    groups: dict[tuple[Any, ...], list[int]] = {}
    for j, ident in enumerate(state.indicators):
        groups.setdefault(_normalise_key(fw, ident, params, state.log_treated), []).append(j)
    for key, cols in groups.items():
        method, direction, transform_name, lo, hi, target, cap, mapping = key
        block = state.values[:, cols]
        if method == "custom":
            # the mapping reads levels from worst to best: mirror lower-is-better rubrics
            levels = block if direction == 1 else (lo + hi) - block
            try:
                out[:, cols] = norm.custom_map(levels, dict(mapping))
            except ValueError as exc:
                names = [state.indicators[c] for c in cols]
                raise RecipeError(f"step 'normalise' on {names}: {exc}") from None
            continue
        try:
            block = norm.transform(block, transform_name)
        except ValueError as exc:
            names = [state.indicators[c] for c in cols]
            raise RecipeError(f"step 'normalise' on {names}: {exc}") from None
        sign = float(direction)
        x = sign * block
        if method in ("linear", "goalposts"):
            bounds = np.array([lo, hi], dtype=np.float64)
            if transform_name is not None:
                bounds = norm.transform(bounds, transform_name)
            low, high = np.sort(sign * bounds)
            if method == "linear":
                out[:, cols] = norm.linear(x, low, high)
            else:
                out[:, cols] = norm.goalposts(x, low, high, cap=cap)
        elif method == "minmax":
            out[:, cols] = norm.minmax(x)
        elif method == "zscore":
            out[:, cols] = norm.zscore(x, centre=params.zscore_centre, scale=params.zscore_scale)
        elif method == "rank":
            out[:, cols] = norm.rank(x)
        elif method == "percentile":
            out[:, cols] = norm.percentile(x)
        elif method == "distance_to_target":
            t = np.array([target], dtype=np.float64)
            if transform_name is not None:
                t = norm.transform(t, transform_name)
            try:
                out[:, cols] = norm.distance_to_target(x, sign * t[0], cap=cap)
            except ValueError as exc:
                names = [state.indicators[c] for c in cols]
                raise RecipeError(f"step 'normalise' on {names}: {exc}") from None
    return replace(state, normalised=out)


def _normalise_key(
    fw: Framework, ident: str, params: NormaliseParams, treated_log: frozenset[str]
) -> tuple[Any, ...]:
    """Method and parameters of one indicator, as a hashable key."""
    indicator = fw.indicator(ident)
    scale = fw.scale(indicator.scale)
    override = params.overrides.get(ident)
    lo: float | None = None
    hi: float | None = None
    target: float | None = None
    mapping: tuple[tuple[float, float], ...] = ()
    transform_name: str | None = None
    method: str
    if isinstance(scale, RubricScale):
        method = params.rubric
        lo, hi = scale.bounds
        if method == "custom" and params.rubric_mapping:
            mapping = tuple(sorted(params.rubric_mapping.items()))
    elif isinstance(scale, BinaryScale):
        method, lo, hi = "linear", 0.0, 1.0
    else:
        goal = fw.goalposts(ident)
        method = params.numeric
        if method == "auto":
            method = "goalposts" if goal is not None else "minmax"
        if goal is not None:
            lo, hi = goal
        transform_name = scale.transform if params.transform == "scale" else params.transform
    if override is not None:
        method = override.method or method
        if override.goalposts is not None:
            lo, hi = override.goalposts
        if override.target is not None:
            target = override.target
        if override.transform is not None:
            transform_name = override.transform
        if override.mapping is not None:
            mapping = tuple(sorted(override.mapping.items()))
    if transform_name == "none":
        transform_name = None
    cap = params.cap if override is None or override.cap is None else override.cap
    if method == "goalposts" and (lo is None or hi is None):
        raise RecipeError(
            f"step 'normalise': indicator '{ident}' has no goalposts; give them in the "
            "framework or in overrides, or use another method"
        )
    if method == "distance_to_target" and target is None:
        raise RecipeError(
            f"step 'normalise': distance_to_target for '{ident}' needs a target in overrides"
        )
    if method == "custom" and not mapping:
        raise RecipeError(f"step 'normalise': custom mapping for '{ident}' is empty")
    if method == "linear" and isinstance(scale, NumericScale):
        if scale.minimum is None or scale.maximum is None:
            raise RecipeError(
                f"step 'normalise': linear scaling of '{ident}' needs the scale's minimum and "
                "maximum"
            )
        lo, hi = scale.minimum, scale.maximum
    if method == "custom":
        if isinstance(scale, NumericScale):
            raise RecipeError(
                f"step 'normalise': the custom mapping of '{ident}' needs a rubric or binary "
                "scale; its scale is numeric"
            )
        transform_name = None
    if ident in treated_log and method == "goalposts":
        if params.numeric == "auto" and (override is None or override.method is None):
            method = "minmax"  # goalposts are in raw units, the values are now logs
        else:
            raise RecipeError(
                f"step 'normalise': '{ident}' was log-transformed by treat_outliers, so its "
                "goalposts (in raw units) no longer apply; use minmax or another data-driven "
                "method for it"
            )
    return (method, indicator.direction, transform_name, lo, hi, target, cap, mapping)


def step_weight(state: ScoringState, params: WeightParams) -> ScoringState:
    """Set the weights of nodes and indicators."""
    fw = state.framework
    known = set(fw.node_ids) | set(fw.indicator_ids)
    unknown = [k for k in params.overrides if k not in known]
    if unknown:
        raise RecipeError(f"step 'weight': overrides name unknown node(s) {unknown}")
    weights = {k: 1.0 for k in known} if params.method == "equal" else fw.weights()
    weights.update(params.overrides)
    for node in fw.node_ids:
        children = fw.children(node)
        if children and all(weights[c] == 0 for c in children):
            raise RecipeError(f"step 'weight': all children of '{node}' would weigh 0")
    return replace(state, weights=weights)


def step_aggregate(state: ScoringState, params: AggregateParams) -> ScoringState:
    """Aggregate bottom-up, node by node, over all units at once."""
    if state.normalised is None:
        raise RecipeError("step 'aggregate' needs a 'normalise' step before it")
    fw = state.framework
    unknown = [k for k in params.overrides if k not in fw.node_ids]
    if unknown:
        raise RecipeError(f"step 'aggregate': overrides name unknown node(s) {unknown}")
    n_units = state.values.shape[0]
    node_pos = {n: k for k, n in enumerate(fw.node_ids)}
    node_applies = node_applicability(state)
    scores = np.full((n_units, len(fw.nodes)), np.nan)
    share = np.full((n_units, len(fw.nodes)), np.nan)
    for node_id in sorted(fw.node_ids, key=lambda n: -fw.depth(n)):
        node = fw.node(node_id)
        children = fw.children(node_id)
        block = np.column_stack(
            [
                scores[:, node_pos[c]] if c in node_pos else state.normalised[:, state.column(c)]
                for c in children
            ]
        )
        applies = np.column_stack(
            [
                node_applies[:, node_pos[c]]
                if c in node_pos
                else state.applicable[:, state.column(c)]
                for c in children
            ]
        )
        w = np.array([state.weights[c] for c in children], dtype=np.float64)
        override = params.overrides.get(node_id)
        method: str = node.aggregation.method if params.method == "framework" else params.method
        p = node.aggregation.p if params.method == "framework" else params.p
        rule = params.rule or node.missing.rule
        min_share = node.missing.min_share if params.min_share is None else params.min_share
        if override is not None:
            method = override.method or method
            p = override.p if override.p is not None else p
            rule = override.rule or rule
            min_share = override.min_share if override.min_share is not None else min_share
        try:
            scores[:, node_pos[node_id]], share[:, node_pos[node_id]] = agg.aggregate(
                block, w, method, p=p, rule=rule, min_share=min_share, applicable=applies
            )
        except ValueError as exc:
            raise RecipeError(f"step 'aggregate' at node '{node_id}': {exc}") from None
    return replace(state, node_scores=scores, node_share=share)


#: The registry: step name -> pure function of (state, parsed parameters).
STEPS: dict[str, StepFunction] = {
    "denominate": step_denominate,
    "impute": step_impute,
    "treat_outliers": step_treat_outliers,
    "normalise": step_normalise,
    "weight": step_weight,
    "aggregate": step_aggregate,
}


def run_recipe(state: ScoringState, recipe: Recipe) -> ScoringState:
    """Apply the recipe's steps in order."""
    for index, step in enumerate(recipe.steps):
        params = step.parsed()
        try:
            state = STEPS[step.step](state, params)
        except RecipeError as exc:
            raise RecipeError(f"recipe '{recipe.name}', steps[{index}]: {exc}") from None
    return state
