"""Direct pandas/numpy versions of the entry checks and of consolidation, for the benchmarks.

These are the references that ``ml.validate`` and ``ml.consolidate`` are compared with: the same
checks as :mod:`missionlens.assessments.checks` and the same consolidated figures as
:func:`missionlens.consolidate` (median method), written as directly as we can in pandas and
numpy, without the library's generality (one in-memory table, no files, sheets or wide tables,
no messages beyond a short one per failing row). They are honest references: they do the same
work on the same input, and the benchmarks assert that they find the same failures and the same
values as the library before timing anything.

Checks (each row is checked for all of them, as in ``checks.py``):

``missing_required``   mission, period, phase, indicator, rater empty or missing; value missing
``bad_period``         a period label :func:`missionlens.parse_period` refuses (once per label)
``unknown_phase``      a phase that is not a lifecycle phase of the framework
``unknown_indicator``  an indicator that is not in the framework
``not_numeric``        a value that is not a number
``out_of_scale``       a value of a known indicator outside its levels (rubric, binary) or bounds
``not_applicable_in_phase``  the indicator does not apply in the entry's (known) phase
``bad_confidence``     a confidence other than low, medium, high (case and spaces ignored); an
                       absent confidence column is no confidence
``duplicate_entry``    the same (rater, mission, period, indicator) again, after the first
``inconsistent_phase`` a mission and period put in two phases (reported at its first row)

Keys are read as text and stripped; periods are put in canonical form, as the library does.
The benchmark tables have no ``entered_at``, ``period_start``/``period_end`` or framework
columns, so those checks (which the library skips on absent columns too) are not written here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

import missionlens as ml

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

KEYS = ("mission", "period", "phase", "indicator", "rater")
CONFIDENCE_LEVELS = ("low", "medium", "high")


@dataclass
class Facts:
    """What the reference needs of a framework, computed once (not timed)."""

    ids: pd.Index
    phases: pd.Index
    is_numeric: BoolArray  # per indicator (+1 for unknown)
    lo: NDArray[np.float64]
    hi: NDArray[np.float64]
    union: NDArray[np.float64]  # every level of every rubric and binary scale
    allowed: BoolArray  # (indicator + 1, union level)
    applies: BoolArray  # (indicator, phase)
    levels: list[NDArray[np.float64]]  # per indicator (empty for numeric)


def framework_facts(fw: ml.Framework) -> Facts:
    """Per-indicator scale levels, bounds and applicable phases of ``fw``."""
    phases = tuple(fw.facet("phase").value_ids)
    ids = list(fw.indicator_ids)
    n = len(ids)
    is_numeric = np.zeros(n + 1, dtype=bool)
    lo = np.full(n + 1, -np.inf)
    hi = np.full(n + 1, np.inf)
    levels: list[NDArray[np.float64]] = []
    applies = np.ones((n, len(phases)), dtype=bool)
    for j, ind in enumerate(fw.indicators):
        scale = fw.scale(ind.scale)
        if scale.kind == "numeric":
            is_numeric[j] = True
            lo[j] = -np.inf if scale.minimum is None else float(scale.minimum)
            hi[j] = np.inf if scale.maximum is None else float(scale.maximum)
            levels.append(np.zeros(0))
        elif scale.kind == "binary":
            levels.append(np.array([0.0, 1.0]))
        else:
            levels.append(np.array(scale.values, dtype=np.float64))
        if ind.phases:
            applies[j] = [p in ind.phases for p in phases]
    union = np.unique(np.concatenate([lv for lv in levels if lv.size] or [np.zeros(0)]))
    allowed = np.zeros((n + 1, max(union.size, 1)), dtype=bool)
    for j, lv in enumerate(levels):
        if lv.size:
            allowed[j, np.searchsorted(union, lv)] = True
    return Facts(
        ids=pd.Index(ids),
        phases=pd.Index(phases),
        is_numeric=is_numeric,
        lo=lo,
        hi=hi,
        union=union,
        allowed=allowed,
        applies=applies,
        levels=levels,
    )


def text_codes(column: pd.Series) -> tuple[IntArray, NDArray[np.object_]]:
    """Codes of a key column read as stripped text (-1 missing), and the distinct texts."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    texts = pd.Series(np.asarray(uniques, dtype=object)).astype(str).str.strip()
    merged, names = pd.factorize(texts, use_na_sentinel=True)
    codes = np.append(np.asarray(merged, dtype=np.int64), -1)[codes]
    return codes, np.asarray(names, dtype=object)


@dataclass
class Checked:
    """The reference's checked entries: codes per key, values, and the failure table."""

    failures: pd.DataFrame
    mission: IntArray
    mission_names: NDArray[np.object_]
    period: IntArray  # canonical period codes
    period_names: NDArray[np.object_]
    period_start: NDArray[Any]
    phase: IntArray  # position among the framework's phases (-1 unknown or missing)
    indicator: IntArray  # framework position (-1 unknown)
    values: NDArray[np.float64]
    confidence: IntArray  # 0 low, 1 medium, 2 high, -1 none or bad


def check(table: pd.DataFrame, facts: Facts) -> Checked:
    """Every entry check over a long table, vectorised over factorised codes.

    Returns the codes and a failure table of the failing rows only (columns ``row`` (1-based
    position), ``column``, ``check``, ``value``).
    """
    n = len(table)
    fails: list[pd.DataFrame] = []

    def fail(mask: BoolArray, column: str, name: str, shown: NDArray[Any] | None = None) -> None:
        idx = np.flatnonzero(mask)
        if idx.size:
            fails.append(
                pd.DataFrame(
                    {
                        "row": idx + 1,
                        "column": column,
                        "check": name,
                        "value": np.asarray(shown, dtype=object)[idx] if shown is not None else "",
                    }
                )
            )

    codes: dict[str, IntArray] = {}
    names: dict[str, NDArray[np.object_]] = {}
    for key in KEYS:
        codes[key], names[key] = text_codes(table[key])
        blank = np.append(names[key] == "", True)[codes[key]]
        fail(blank, key, "missing_required")

    # values: numbers as they are; other cells parsed once per distinct value
    raw_values = table["value"]
    if pd.api.types.is_numeric_dtype(raw_values.dtype):
        values = raw_values.to_numpy(dtype=np.float64, na_value=np.nan)
        not_numeric = np.zeros(n, dtype=bool)
    else:
        vcodes, vuniques = pd.factorize(raw_values, use_na_sentinel=True)
        parsed = pd.to_numeric(pd.Series(vuniques, dtype=object), errors="coerce").to_numpy(
            dtype=np.float64
        )
        values = np.append(parsed, np.nan)[vcodes]
        not_numeric = (vcodes >= 0) & np.isnan(values)
    fail(np.isnan(values) & ~not_numeric, "value", "missing_required")
    fail(not_numeric, "value", "not_numeric")

    # periods: each distinct label parsed once, then canonical codes
    labels = names["period"].copy()
    starts = np.full(labels.size, np.datetime64("NaT"), dtype="datetime64[ns]")
    bad_label = np.zeros(labels.size, dtype=bool)
    for k, label in enumerate(labels):
        if label == "":
            continue
        try:
            period = ml.parse_period(label)
        except ValueError:
            bad_label[k] = True
            continue
        labels[k], starts[k] = period.label, period.start
    canon, period_names = pd.factorize(pd.Series(labels, dtype=object))
    first = pd.Series(np.arange(labels.size)).groupby(canon).first().to_numpy()
    period = np.append(np.asarray(canon, dtype=np.int64), -1)[codes["period"]]
    fail(np.append(bad_label, False)[codes["period"]], "period", "bad_period", table["period"])

    # phase and indicator membership
    phase_of_name = facts.phases.get_indexer(names["phase"])
    phase = np.append(phase_of_name, -1)[codes["phase"]]
    given_phase = np.append(names["phase"] != "", False)[codes["phase"]]
    fail(given_phase & (phase < 0), "phase", "unknown_phase", table["phase"])
    ind_of_name = facts.ids.get_indexer(names["indicator"])
    ind = np.append(ind_of_name, -1)[codes["indicator"]]
    given_ind = np.append(names["indicator"] != "", False)[codes["indicator"]]
    fail(given_ind & (ind < 0), "indicator", "unknown_indicator", table["indicator"])

    # value within the indicator's levels or bounds (known indicators, present values)
    known = ind >= 0
    present = known & ~np.isnan(values)
    finite = np.isfinite(values)
    numeric = facts.is_numeric[ind]
    with np.errstate(invalid="ignore"):
        in_bounds = finite & (values >= facts.lo[ind]) & (values <= facts.hi[ind])
    top = facts.union.size - 1
    at = np.clip(np.searchsorted(facts.union, np.where(finite, values, 0.0)), 0, top)
    is_level = finite & (facts.union[at] == values) & facts.allowed[ind, at]
    fail(present & np.where(numeric, ~in_bounds, ~is_level), "value", "out_of_scale", values)

    # applicability of the indicator in the entry's phase
    both = known & (phase >= 0)
    applies = np.ones(n, dtype=bool)
    applies[both] = facts.applies[ind[both], phase[both]]
    fail(~applies, "phase", "not_applicable_in_phase", table["phase"])

    # confidence: empty, or low / medium / high
    no_confidence = pd.Series(np.full(n, np.nan))
    ccodes, cuniques = pd.factorize(table.get("confidence", no_confidence), use_na_sentinel=True)
    clean = pd.Series(np.asarray(cuniques, dtype=object)).astype(str).str.strip().str.lower()
    conf_of_name = pd.Index(CONFIDENCE_LEVELS).get_indexer(clean)
    confidence = np.append(conf_of_name, -1)[ccodes]
    bad_conf = (ccodes >= 0) & (confidence < 0)
    fail(bad_conf, "confidence", "bad_confidence", table.get("confidence", no_confidence))

    # duplicates: (rater, mission, period, indicator) after its first row
    keyed = (codes["rater"] >= 0) & (codes["mission"] >= 0) & (period >= 0)
    keyed &= codes["indicator"] >= 0
    for key in ("rater", "mission", "indicator"):
        keyed &= np.append(names[key] != "", False)[codes[key]]
    sub = np.flatnonzero(keyed)
    key = codes["rater"][sub]
    for part in (codes["mission"][sub], period[sub], codes["indicator"][sub]):
        key = key * (int(part.max()) + 1) + part
    dup = np.zeros(n, dtype=bool)
    dup[sub[pd.Series(key).duplicated().to_numpy()]] = True
    fail(dup, "value", "duplicate_entry", values)

    # one phase per mission and period: report the first row of a unit with two phases
    with_phase = (codes["mission"] >= 0) & (period >= 0) & (phase >= 0)
    sub = np.flatnonzero(with_phase)
    width = int(period.max()) + 1
    unit = codes["mission"][sub] * width + period[sub]
    pairs = np.unique(unit * len(facts.phases) + phase[sub])
    units_with_phases = pairs // len(facts.phases)
    conflicted = np.unique(units_with_phases[1:][units_with_phases[1:] == units_with_phases[:-1]])
    inconsistent = np.zeros(n, dtype=bool)
    if conflicted.size:
        rows = sub[np.isin(unit, conflicted)]
        first_rows = pd.Series(rows).groupby(unit[np.isin(unit, conflicted)]).first()
        inconsistent[first_rows.to_numpy()] = True
    fail(inconsistent, "phase", "inconsistent_phase")

    failures = (
        pd.concat(fails, ignore_index=True)
        if fails
        else pd.DataFrame({c: [] for c in ("row", "column", "check", "value")})
    )
    return Checked(
        failures=failures,
        mission=codes["mission"],
        mission_names=names["mission"],
        period=period,
        period_names=np.asarray(period_names, dtype=object),
        period_start=starts[first],
        phase=phase,
        indicator=ind,
        values=np.where(not_numeric, np.nan, values),
        confidence=confidence,
    )


def consolidate(checked: Checked, facts: Facts, *, steps: int = 2) -> pd.DataFrame:
    """The median consolidation of checked entries, with the figures of ``ml.consolidate``.

    Per (mission, period, indicator) cell: the median (mean of the two middle values for an
    even count), ``n_raters``, ``min``, ``max``, ``std`` (``ddof=1``), ``disagreement`` (rubric
    levels ``steps`` or more apart; binary values not unanimous) and ``confidence`` (the lower
    median of the raters' confidence codes; -1 when nobody gave one). Rows sorted by mission,
    period start and framework indicator order.
    """
    n_ind = len(facts.ids)
    keep = ~np.isnan(checked.values) & (checked.indicator >= 0)
    width = int(checked.period.max()) + 1
    unit_key = checked.mission[keep] * width + checked.period[keep]
    units, unit = np.unique(unit_key, return_inverse=True)
    cell = unit * n_ind + checked.indicator[keep]
    vals = checked.values[keep]
    n_cells = units.size * n_ind

    counts = np.bincount(cell, minlength=n_cells)
    order = np.lexsort((vals, cell))
    sorted_vals = vals[order]
    starts = np.cumsum(counts) - counts
    present = np.flatnonzero(counts)
    n = counts[present]
    s = starts[present]
    median = (sorted_vals[s + (n - 1) // 2] + sorted_vals[s + n // 2]) / 2
    lo = sorted_vals[s]
    hi = sorted_vals[s + n - 1]
    sums = np.bincount(cell, weights=vals, minlength=n_cells)
    dev = vals - (sums / np.maximum(counts, 1))[cell]
    ss = np.bincount(cell, weights=dev * dev, minlength=n_cells)[present]
    with np.errstate(invalid="ignore", divide="ignore"):
        std = np.where(n > 1, np.sqrt(ss / np.maximum(n - 1, 1)), np.nan)

    ind = present % n_ind
    # rubric positions of min and max among the indicator's levels
    level_rank = np.full(facts.allowed.shape, -1, dtype=np.int64)
    level_rank[facts.allowed] = (np.cumsum(facts.allowed, axis=1) - 1)[facts.allowed]
    at_lo = np.searchsorted(facts.union, lo)
    at_hi = np.searchsorted(facts.union, hi)
    numeric = facts.is_numeric[ind]
    binary = np.array([lv.size == 2 and lv[0] == 0 and lv[1] == 1 for lv in facts.levels])[ind]
    steps_apart = (
        level_rank[ind, np.minimum(at_hi, facts.union.size - 1)]
        - level_rank[ind, np.minimum(at_lo, facts.union.size - 1)]
    )
    flag = np.where(binary, hi > lo, steps_apart >= steps)
    flag_na = numeric  # no goalposts in the benchmark frameworks

    conf = checked.confidence[keep]
    rated = conf >= 0
    ccell = cell[rated]
    ccounts = np.bincount(ccell, minlength=n_cells)
    csorted = conf[rated][np.lexsort((conf[rated], ccell))]
    cstarts = np.cumsum(ccounts) - ccounts
    m = ccounts[present]
    pick = np.minimum(cstarts[present] + np.maximum(m - 1, 0) // 2, max(csorted.size - 1, 0))
    confidence = np.where(m > 0, csorted[pick] if csorted.size else -1, -1)

    unit_of = present // n_ind
    mission = units[unit_of] // width
    period = units[unit_of] % width
    out = pd.DataFrame(
        {
            "mission": checked.mission_names[mission],
            "period": checked.period_names[period],
            "period_start": checked.period_start[period],
            "indicator": np.asarray(facts.ids, dtype=object)[ind],
            "value": median,
            "n_raters": n,
            "min": lo,
            "max": hi,
            "std": std,
            "disagreement": pd.array(np.where(flag_na, False, flag), dtype="boolean"),
            "confidence": confidence,
            "_ind": ind,
        }
    )
    out.loc[flag_na, "disagreement"] = pd.NA
    out = out.sort_values(["mission", "period_start", "period", "_ind"], kind="stable")
    return out.drop(columns="_ind").reset_index(drop=True)
