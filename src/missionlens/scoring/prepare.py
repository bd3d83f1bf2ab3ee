"""The scoring engine: indicator values -> normalised scores -> node and facet scores.

:func:`score` prepares one matrix of units (mission, period) by indicators, runs the recipe's
steps over it, and hands the result to :class:`~missionlens.scoring.profiles.Profiles`.
Every step works
on whole arrays: loops run over steps, nodes or indicators, never over missions or rows.
"""

from __future__ import annotations

import difflib
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from missionlens.errors import RecipeError, ScoringInputError
from missionlens.framework.elements import BinaryScale, RubricScale, Scale
from missionlens.framework.model import Framework
from missionlens.scoring.recipe import (
    DenominateParams,
    ImputeParams,
    Recipe,
)

__all__ = ["applicability", "prepare"]

from missionlens.scoring.state import BoolArray, FloatArray, ScoringState

#: Columns of a wide or long input that describe the unit rather than an indicator.
UNIT_COLUMNS: tuple[str, ...] = ("mission", "period", "phase")


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
    from missionlens.periods import parse_period

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
