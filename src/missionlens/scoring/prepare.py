"""Preparation: the data to score -> checked entries -> one matrix of units by indicators.

:func:`prepare` runs the one set of entry checks
(:func:`missionlens.assessments.checks.check_entries`, the same as :func:`~missionlens.validate`),
consolidates several raters' values with the one
consolidation kernel (:func:`missionlens.assessments.consolidation.consolidate_cells`), and
returns a :class:`~missionlens.scoring.state.ScoringState` for the recipe's steps. Every step
works on whole arrays: loops run over steps, nodes or indicators, never over missions or rows.

An indicator answered *not applicable* for a unit (every entry of its cell says so; see
:func:`missionlens.assessments.consolidation.not_applicable_cells`) is not applicable to that
unit, like an indicator outside the unit's lifecycle phase: ``ScoringState.applicable`` is false
there, so the cell leaves the applicable weight and the coverage of every node above it (the
``reweight`` rule shares the weight among the applicable children, OECD/JRC 2008 *Handbook on
Constructing Composite Indicators*, section 6), it is never imputed (the ``impute`` step fills
applicable cells only) and it is neither missing nor the worst level. A *disputed* cell (some
raters rated, others answered not applicable) is scored from its ratings and stays applicable.
Both kinds are listed by :func:`not_applicable_table` (``Profiles.not_applicable``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from missionlens.assessments.checks import (
    FAILURE_COLUMNS,
    CheckedEntries,
    canonical_periods,
    check_entries,
    factorize_text,
    failure_dtypes,
    take_or,
)
from missionlens.assessments.consolidation import (
    cell_codes,
    consolidate_cells,
    entry_weights,
    not_applicable_cells,
)
from missionlens.assessments.formats import load_sources
from missionlens.assessments.record import INTERNAL
from missionlens.errors import ArgumentError, ScoringInputError
from missionlens.framework.model import Framework
from missionlens.scoring.recipe import Recipe
from missionlens.scoring.state import BoolArray, FloatArray, ScoringState
from missionlens.text import text_dtype

__all__ = [
    "NOT_APPLICABLE_COLUMNS",
    "EntryArrays",
    "applicability",
    "not_applicable_table",
    "prepare",
]

#: Columns of :func:`not_applicable_table` (``Profiles.not_applicable``), in order.
NOT_APPLICABLE_COLUMNS: tuple[str, ...] = (
    "mission",
    "period",
    "phase",
    "indicator",
    "reason",
    "raters",
    "disputed",
)


@dataclass(frozen=True)
class EntryArrays:
    """The entries a score rests on, kept so that raters can be resampled later.

    ``cell`` is ``unit * n_indicators + indicator`` of each entry with a value, ``value`` its
    value, ``rater`` the rater's code (``-1`` for a wide table, which has no rater) and
    ``weight`` its confidence weight; ``rater_names`` the rater of each code, ``evidence`` the
    evidence text of each entry as entered (``None`` where it has none), for the critical flags
    (``evidence`` is ``None`` when the framework has no critical indicator).
    """

    cell: NDArray[np.int64]
    value: FloatArray
    rater: NDArray[np.int64]
    weight: FloatArray
    n_cells: int
    rater_names: NDArray[np.object_] = field(default_factory=lambda: np.zeros(0, dtype=object))
    evidence: NDArray[np.object_] | None = None


def prepare(
    data: pd.DataFrame,
    framework: Framework,
    recipe: Recipe,
    *,
    unknown_columns: str = "error",
    timelines: Any = None,
) -> tuple[ScoringState, pd.DataFrame]:
    """Turn a long assessment table or a wide indicator table into a :class:`ScoringState`.

    The entries are checked exactly as :func:`~missionlens.validate` checks them (one
    definition, :mod:`missionlens.assessments.checks`): a table ``validate`` accepts is scored,
    and a table it refuses is refused here with the same problem rows, as a
    :class:`~missionlens.ScoringInputError` whose ``problems`` has the columns of
    :data:`~missionlens.assessments.checks.FAILURE_COLUMNS`.

    Returns the state and the input table. ``unknown_columns`` (wide tables only): ``"error"``
    refuses columns that are neither indicator ids, unit columns (mission, period, phase,
    period_start, period_end) nor columns a recipe step reads, so that a misspelt indicator
    column is not silently ignored; ``"ignore"`` keeps them as unused data.
    """
    if not isinstance(data, pd.DataFrame):
        raise ArgumentError(
            f"score: data must be a pandas DataFrame (read files with ml.read_assessments), "
            f"not {type(data).__name__}"
        )
    if unknown_columns not in ("error", "ignore"):
        raise ArgumentError("score: unknown_columns must be 'error' or 'ignore'")
    batches = load_sources(data, framework)
    checked = check_entries(
        batches,
        framework,
        wide_allowed=sorted(recipe.data_columns()),
        unknown_columns=unknown_columns,
        timelines=timelines,
    )
    if not checked.ok:
        raise ScoringInputError(checked.problems)
    if len(data) == 0:
        raise ScoringInputError(_problem("empty", "the data has no rows to score"))
    units, cell_all = _units(data, checked, framework)
    n_ind = len(framework.indicator_ids)
    n_cells = len(units) * n_ind
    keep = ~np.isnan(checked.values) & (checked.indicator >= 0)
    settings = recipe.settings
    weights = entry_weights(checked.confidence[keep], settings.confidence_weights)
    entries = EntryArrays(
        cell=cell_all[keep],
        value=checked.values[keep],
        rater=checked.rater.codes[keep],
        weight=weights,
        n_cells=n_cells,
        rater_names=np.asarray(checked.rater.names, dtype=object),
        evidence=(  # read only for the critical flags
            checked.raw["evidence"].to_numpy(dtype=object)[keep]
            if any(i.critical for i in framework.indicators)
            else None
        ),
    )
    matrix = consolidate_cells(
        entries.cell,
        entries.value,
        n_cells,
        settings.consolidate,
        trim=settings.trim,
        weights=weights,
    ).reshape(len(units), n_ind)
    applicable = applicability(units, framework)
    na_cells = not_applicable_cells(checked, cell_all, n_cells)
    if not na_cells.empty:  # answered not applicable by every rater: out of the weight
        only = na_cells.index.to_numpy(dtype=np.int64)[na_cells["n_rated"].to_numpy() == 0]
        applicable.reshape(-1)[only] = False
    state = ScoringState(
        framework=framework,
        units=units,
        indicators=framework.indicator_ids,
        raw=matrix,
        values=matrix.copy(),
        imputed=np.zeros(matrix.shape, dtype=bool),
        treated=np.zeros(matrix.shape, dtype=bool),
        applicable=applicable,
        weights=framework.weights(),
        entries=entries,
    )
    return state, data


def _units(
    data: pd.DataFrame, checked: CheckedEntries, framework: Framework
) -> tuple[pd.DataFrame, NDArray[np.int64]]:
    if checked.form == "wide":
        return _wide_units(data, checked, framework)
    return _long_units(checked, framework)


def not_applicable_table(
    data: pd.DataFrame,
    framework: Framework,
    recipe: Recipe,
    *,
    unknown_columns: str = "error",
) -> pd.DataFrame:
    """Every cell of scored data answered *not applicable*, with the reasons and the raters.

    The data is checked as :func:`prepare` checks it (it was scored, so nothing fails).

    Returns
    -------
    pandas.DataFrame
        One row per mission, period and indicator with a not-applicable entry, in the order of
        the units and the framework's indicators, columns :data:`NOT_APPLICABLE_COLUMNS`:
        ``mission``, ``period``, ``phase`` (the unit's), ``indicator``; ``reason`` (the
        distinct reasons as entered, in order of entry, joined by `` | ``); ``raters`` (who
        answered not applicable, joined by ``", "``); ``disputed`` (boolean: other raters rated
        the indicator, so the cell is scored from their ratings; ``False``: every rater answered
        not applicable and the indicator is left out of the unit's weight and coverage).
    """
    batches = load_sources(data, framework)
    checked = check_entries(
        batches,
        framework,
        wide_allowed=sorted(recipe.data_columns()),
        unknown_columns=unknown_columns,
    )
    n_ind = len(framework.indicator_ids)
    if not checked.ok or len(data) == 0:
        cells = not_applicable_cells(checked, np.zeros(checked.n, dtype=np.int64), 1).iloc[:0]
        units = pd.DataFrame({c: pd.Series(dtype=object) for c in ("mission", "period", "phase")})
    else:
        units, cell_all = _units(data, checked, framework)
        cells = not_applicable_cells(checked, cell_all, len(units) * n_ind)
    at = cells.index.to_numpy(dtype=np.int64)
    unit = at // n_ind
    out = pd.DataFrame(
        {
            "mission": units["mission"].to_numpy(dtype=object)[unit],
            "period": units["period"].to_numpy(dtype=object)[unit],
            "phase": units["phase"].to_numpy(dtype=object)[unit],
            "indicator": np.asarray(framework.indicator_ids, dtype=object)[at % n_ind],
            "reason": cells["reason"].to_numpy(dtype=object),
            "raters": cells["raters"].to_numpy(dtype=object),
            "disputed": cells["n_rated"].to_numpy(dtype=np.int64) > 0,
        }
    )
    for col in NOT_APPLICABLE_COLUMNS[:-1]:
        values = out[col].astype(object)
        out[col] = values.where(values.notna(), None).astype(text_dtype())
    out["disputed"] = out["disputed"].astype(bool)
    return out.reset_index(drop=True)


def _problem(check: str, message: str) -> pd.DataFrame:
    row = {c: "" for c in FAILURE_COLUMNS}
    row.update({"file": "<DataFrame 1>", "check": check, "message": message})
    return failure_dtypes(pd.DataFrame([row]))


def _long_units(
    checked: CheckedEntries, framework: Framework
) -> tuple[pd.DataFrame, NDArray[np.int64]]:
    """Units (mission, period) of a long table and each entry's cell."""
    n_ind = len(framework.indicator_ids)
    cell, unit_mission, unit_period, n_units = cell_codes(checked, n_ind)
    unit_of_entry = cell // n_ind
    first = np.full(n_units, -1, dtype=np.int64)
    first[unit_of_entry[::-1]] = np.arange(unit_of_entry.size)[::-1]
    units = pd.DataFrame(
        {
            "mission": checked.mission.names[unit_mission],
            "period": checked.period.names[unit_period],
            "phase": take_or(checked.phase.names, checked.phase.codes[first], None),
        }
    )
    units["mission"] = units["mission"].astype(object)
    units["period"] = units["period"].astype(object)
    units["phase"] = units["phase"].astype(object)
    starts = checked.period_start[unit_period]
    if not np.isnat(starts).any():
        units["period_start"] = pd.to_datetime(starts)
    return units, cell


def _wide_units(
    data: pd.DataFrame, checked: CheckedEntries, framework: Framework
) -> tuple[pd.DataFrame, NDArray[np.int64]]:
    """Units of a wide table (one per row, in order, other columns kept) and each entry's cell."""
    ids = set(framework.indicator_ids)
    aux = [c for c in data.columns if c not in ids]
    units = data[aux].reset_index(drop=True).copy()
    mission = factorize_text(units["mission"], strip=True)
    units["mission"] = mission.text(np.arange(len(units))).astype(object)
    periods = canonical_periods(factorize_text(units["period"], strip=True))  # all parse: checked
    units["period"] = periods.codes.text(np.arange(len(units))).astype(object)
    if "phase" in units.columns:
        phase = factorize_text(units["phase"], strip=True)
        shown = take_or(phase.names, phase.codes, None)
        units["phase"] = pd.Series(shown, dtype=object).replace("", None).to_numpy(dtype=object)
    else:
        units["phase"] = pd.Series([None] * len(units), dtype=object)
    # a row without a phase takes the one its entries were given (from a timeline)
    missing = pd.isna(units["phase"]).to_numpy()
    if missing.any() and checked.n:
        entry_row = checked.raw[INTERNAL + "row"].to_numpy(dtype=np.int64) - 1
        has = checked.phase.codes >= 0
        of_row = np.full(len(units), -1, dtype=np.int64)
        of_row[entry_row[has]] = checked.phase.codes[has]
        take = missing & (of_row >= 0)
        if take.any():
            shown = units["phase"].to_numpy(dtype=object).copy()
            shown[take] = checked.phase.names[of_row[take]]
            units["phase"] = shown
    if "period_start" not in units.columns:
        units["period_start"] = pd.to_datetime(periods.start[periods.codes.codes])
    row = checked.raw[INTERNAL + "row"].to_numpy(dtype=np.int64) - 1
    n_ind = len(framework.indicator_ids)
    cell: NDArray[np.int64] = (row * n_ind + checked.indicator).astype(np.int64)
    return units, cell


def applicability(units: pd.DataFrame, framework: Framework) -> BoolArray:
    """Which indicators apply to each unit (units x indicators), from the unit's phase.

    An indicator applies in the phases it lists, and in every phase if it lists none; a unit
    without a phase gets every indicator (phases are checked before: an unknown phase never
    reaches this point).
    """
    phases = units["phase"].astype(object).to_numpy()
    unknown = ~pd.Series(phases).isin(framework.facet("phase").value_ids).to_numpy()
    out = np.ones((len(units), len(framework.indicators)), dtype=bool)
    for j, ind in enumerate(framework.indicators):
        if ind.phases:
            out[:, j] = unknown | np.isin(phases, np.array(ind.phases, dtype=object))
    return out
