"""Outlier treatment as COINr ``Treat`` defines it: winsorisation, then a log fallback.

The procedure, for each column of an array of shape ``(..., units, columns)`` (COINr
``Treat.numeric`` with its defaults ``f1 = "winsorise"``, ``f2 = "log_CT"``,
``f_pass = "check_SkewKurt"``, ``combine_treat = FALSE``):

1. **Test** (``check_SkewKurt``): a column passes when ``|skew| < skew_threshold`` *or*
   ``kurtosis < kurtosis_threshold``, so it fails when ``|skew| >= skew_threshold`` and
   ``kurtosis >= kurtosis_threshold`` (COINr's inequalities, ``>=`` on failure). Skewness and
   kurtosis are the bias-corrected sample statistics of :mod:`.moments` (e1071 type 2, which
   COINr's ``skew`` and ``kurt`` copy).
2. **Winsorise** (``winsorise``) a failing column: while it fails and fewer than ``max_points``
   *distinct* points have been winsorised (COINr ``winmax``), the value(s) at the extreme on the
   side of the skew (the maximum when ``skew >= 0``, else the minimum; tied extremes together)
   are set to the next value inward. A point moved again by a later pass is not counted again:
   COINr's counter is ``length(imax) + length(imin)``, where ``imax`` (``imin``) holds every
   position at the current maximum (minimum), i.e. all the high (low) points winsorised so far.
   The limit is tested before each pass, so a pass with ties may take the count past it.
3. If the winsorised column passes, it is kept. Otherwise the winsorisation is discarded and the
   **fallback** is applied to the *original* values (``combine_treat = FALSE``): ``"log"`` (or
   ``"log_ct"``) is COINr ``log_CT``, ``ln(x - min + 0.01 (max - min))``; ``"log_ct_orig"`` is
   COINr ``log_CT_orig``, ``ln(x - min + 1)``; ``"none"`` keeps the original values and reports
   the column as ``"failed"``. The fallback result is kept whether or not it passes the test,
   as in COINr (which records the test but does not act on it). COINr's ``log_GII`` is not
   offered: in COINr 1.x it returns its input unchanged.

Differences from COINr, all at edges where COINr stops with an error or warns:

* a column whose skewness or kurtosis is undefined (fewer than 4 present values, or all equal)
  is left as it is and reported as ``"untested"`` (COINr errors below 4 values and, for a
  constant column, warns and returns it untreated);
* if a winsorisation pass leaves a column whose moments are undefined (every remaining value
  tied), winsorisation stops and counts as failed, so the fallback applies (COINr errors).

Vectorisation: every pass works on all columns (and all leading batch axes) at once; the only
loop is over winsorisation passes, at most ``max_points`` of them (each pass winsorises at
least one new point). Columns are independent: a column's result does not depend on the other
columns or replications in the array.

References
----------
Becker, W., Caperna, G., Del Sorbo, M., Norlén, H., Papadimitriou, E. and Saisana, M. (2022).
COINr: an R package for developing composite indicators. *Journal of Open Source Software*
7(78), 4567; source ``R/treat.R``: ``Treat.numeric``, ``winsorise``, ``check_SkewKurt``,
``log_CT``, ``log_CT_orig``.
OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, section 1.5 on outliers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from missionlens.scoring.kernels.moments import kurtosis, skewness

__all__ = [
    "FALLBACKS",
    "OutlierTreatment",
    "OutlierTreatments",
    "log_ct",
    "log_ct_orig",
    "sample_kurtosis",
    "sample_skewness",
    "treat_outliers",
    "treat_outliers_columns",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: Fallbacks applied to the original values when winsorisation does not pass the test.
FALLBACKS: tuple[str, ...] = ("log", "log_ct", "log_ct_orig", "none")


def sample_skewness(x: FloatArray) -> float:
    """Sample skewness ``G1`` of one vector (e1071 type 2 / Excel ``SKEW``; Joanes & Gill 1998).

    ``NaN`` values are left out; the result is ``NaN`` below 3 values or for a constant vector.
    See :func:`missionlens.scoring.kernels.moments.skewness` for the formula.
    """
    return float(skewness(np.asarray(x, dtype=np.float64).ravel()))


def sample_kurtosis(x: FloatArray) -> float:
    """Sample excess kurtosis ``G2`` of one vector (e1071 type 2 / Excel ``KURT``).

    ``NaN`` values are left out; the result is ``NaN`` below 4 values or for a constant vector.
    See :func:`missionlens.scoring.kernels.moments.kurtosis` for the formula.
    """
    return float(kurtosis(np.asarray(x, dtype=np.float64).ravel()))


def _column_range(x: FloatArray) -> tuple[FloatArray, FloatArray]:
    present = ~np.isnan(x)
    lo = np.where(present, x, np.inf).min(axis=-2, keepdims=True)
    hi = np.where(present, x, -np.inf).max(axis=-2, keepdims=True)
    return lo, hi


def _columns(x: FloatArray) -> tuple[FloatArray, bool]:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 0:
        raise ValueError("x must be an array of shape (units,) or (..., units, columns)")
    return (arr[:, None], True) if arr.ndim == 1 else (arr, False)


def log_ct(x: FloatArray) -> FloatArray:
    """COIN Tool log transform per column: ``ln(x - min + 0.01 (max - min))`` (COINr ``log_CT``).

    ``min`` and ``max`` are taken over the present values of each column (unit axis ``-2``;
    a 1-D array is one column); missing values stay missing.

    Examples
    --------
    >>> np.round(log_ct(np.array([1.0, 101.0])), 6).tolist()  # ln(1), ln(101)
    [0.0, 4.615121]
    """
    arr, one_d = _columns(x)
    lo, hi = _column_range(arr)
    out = np.log(arr - lo + 0.01 * (hi - lo))
    return out[:, 0] if one_d else out


def log_ct_orig(x: FloatArray) -> FloatArray:
    """Original COIN Tool log transform per column: ``ln(x - min + 1)`` (COINr ``log_CT_orig``).

    Examples
    --------
    >>> np.round(log_ct_orig(np.array([1.0, 1.0 + np.e - 1])), 12).tolist()
    [0.0, 1.0]
    """
    arr, one_d = _columns(x)
    lo, _ = _column_range(arr)
    out = np.log(arr - lo + 1.0)
    return out[:, 0] if one_d else out


@dataclass(frozen=True)
class OutlierTreatment:
    """What :func:`treat_outliers` did to one column.

    ``action`` is ``"none"`` (the column passed the test), ``"untested"`` (skewness or kurtosis
    undefined), ``"winsorised"``, ``"log"`` (the fallback transform was applied) or ``"failed"``
    (winsorisation did not pass and the fallback is ``"none"``). ``winsorised`` counts the
    distinct points winsorised when the action is ``"winsorised"``, else 0.
    """

    skew_before: float
    kurtosis_before: float
    skew_after: float
    kurtosis_after: float
    winsorised: int
    action: str


@dataclass(frozen=True)
class OutlierTreatments:
    """What :func:`treat_outliers_columns` did, one entry per column, shape ``(..., columns)``."""

    skew_before: FloatArray
    kurtosis_before: FloatArray
    skew_after: FloatArray
    kurtosis_after: FloatArray
    winsorised: NDArray[np.int64]
    action: NDArray[np.str_]

    def column(self, index: int | tuple[int, ...]) -> OutlierTreatment:
        """The record of one column (``index`` into the ``(..., columns)`` arrays)."""
        return OutlierTreatment(
            float(self.skew_before[index]),
            float(self.kurtosis_before[index]),
            float(self.skew_after[index]),
            float(self.kurtosis_after[index]),
            int(self.winsorised[index]),
            str(self.action[index]),
        )


def _fails(s: FloatArray, k: FloatArray, skew_threshold: float, kurt_threshold: float) -> BoolArray:
    """COINr ``check_SkewKurt`` negated: passes iff ``|s| < skew_thr | k < kurt_thr``."""
    with np.errstate(invalid="ignore"):
        return (np.abs(s) >= skew_threshold) & (k >= kurt_threshold)


def treat_outliers_columns(
    x: FloatArray,
    *,
    skew_threshold: float = 2.0,
    kurtosis_threshold: float = 3.5,
    max_points: int | None = 5,
    fallback: str = "log",
) -> tuple[FloatArray, BoolArray, OutlierTreatments]:
    """Treat every column of ``x`` for outliers as COINr ``Treat`` does (see the module notes).

    Parameters
    ----------
    x : ndarray, shape (..., n_units, n_columns) or (n_units,)
        Values, ``NaN`` where missing; each column (of each replication) is treated on its own,
        over the unit axis.
    skew_threshold, kurtosis_threshold : float
        A column fails when ``|skew| >= skew_threshold`` and ``kurtosis >= kurtosis_threshold``
        (COINr defaults 2 and 3.5).
    max_points : int or None
        Most distinct points to winsorise per column (COINr ``winmax``, default 5); ``None`` for
        no limit.
    fallback : {"log", "log_ct", "log_ct_orig", "none"}
        What to apply to the original values of a column that winsorisation does not fix.

    Returns
    -------
    treated : ndarray, shape of ``x``
    changed : ndarray of bool, shape of ``x``
        Cells whose value the treatment changed (every present cell of a log-transformed column).
    info : OutlierTreatments
        Per-column statistics and action, shape ``(..., n_columns)`` (0-d for a 1-D ``x``).
    """
    if fallback not in FALLBACKS:
        raise ValueError(
            f"unknown outlier fallback {fallback!r}; use one of {', '.join(FALLBACKS)}"
        )
    if max_points is not None and (isinstance(max_points, bool) or int(max_points) != max_points):
        raise ValueError(f"max_points must be a whole number or None, got {max_points!r}")
    if max_points is not None and max_points < 0:
        raise ValueError(f"max_points must be at least 0, got {max_points}")
    original, one_d = _columns(x)
    v = original.copy()
    s0, k0 = skewness(v), kurtosis(v)
    untested = np.isnan(s0) | np.isnan(k0)
    failing = _fails(s0, k0, skew_threshold, kurtosis_threshold)
    high_set = np.zeros(v.shape, dtype=bool)
    low_set = np.zeros(v.shape, dtype=bool)
    count = np.zeros(s0.shape, dtype=np.int64)
    active = failing.copy()
    s = s0
    while True:
        go = active if max_points is None else active & (count < max_points)
        if not go.any():
            break
        present = ~np.isnan(v)
        lo, hi = _column_range(v)
        at_max = present & (v == hi)
        at_min = present & (v == lo)
        next_hi = np.where(present & ~at_max, v, -np.inf).max(axis=-2)
        next_lo = np.where(present & ~at_min, v, np.inf).min(axis=-2)
        high = s >= 0
        new = np.where(high, next_hi, next_lo)
        movable = go & np.isfinite(new)
        hit = np.where(high[..., None, :], at_max, at_min) & movable[..., None, :]
        v = np.where(hit, new[..., None, :], v)
        high_set |= at_max & (movable & high)[..., None, :]
        low_set |= at_min & (movable & ~high)[..., None, :]
        count = high_set.sum(axis=-2) + low_set.sum(axis=-2)
        s = skewness(v)
        k = kurtosis(v)
        active = movable & _fails(s, k, skew_threshold, kurtosis_threshold)
    s1, k1 = skewness(v), kurtosis(v)
    fixed = (
        failing
        & ~_fails(s1, k1, skew_threshold, kurtosis_threshold)
        & ~np.isnan(s1)
        & ~np.isnan(k1)
    )
    unfixed = failing & ~fixed
    if fallback == "none":
        fallen = original
    else:
        # computed for every column but used only for failing ones, which are never constant
        # (a constant column would give log(0) = -inf here)
        with np.errstate(divide="ignore", invalid="ignore"):
            fallen = log_ct_orig(original) if fallback == "log_ct_orig" else log_ct(original)
    use_fallback = unfixed & (fallback != "none")
    present = ~np.isnan(original)
    with np.errstate(invalid="ignore"):
        treated = np.where(
            fixed[..., None, :], v, np.where(use_fallback[..., None, :], fallen, original)
        )
    changed = present & ((fixed[..., None, :] & (v != original)) | use_fallback[..., None, :])
    sf, kf = skewness(fallen), kurtosis(fallen)
    skew_after = np.where(fixed, s1, np.where(use_fallback, sf, s0))
    kurt_after = np.where(fixed, k1, np.where(use_fallback, kf, k0))
    action = np.select(
        [untested, fixed, use_fallback, unfixed],
        ["untested", "winsorised", "log", "failed"],
        default="none",
    )
    winsorised = np.where(fixed, count, 0).astype(np.int64)
    fields = (s0, k0, skew_after, kurt_after, winsorised, action)
    if one_d:
        fields = tuple(f[..., 0] for f in fields)  # type: ignore[assignment]
        treated, changed = treated[:, 0], changed[:, 0]
    return treated, changed, OutlierTreatments(*fields)


def treat_outliers(
    x: FloatArray,
    *,
    skew_threshold: float = 2.0,
    kurtosis_threshold: float = 3.5,
    max_points: int | None = 5,
    fallback: str = "log",
) -> tuple[FloatArray, BoolArray, OutlierTreatment]:
    """Treat one column for outliers as COINr ``Treat`` does (see the module notes).

    Winsorise while ``|skew| >= skew_threshold`` and ``kurtosis >= kurtosis_threshold``, up to
    ``max_points`` distinct points (COINr ``winmax``; a point moved again by a later pass counts
    once, as in COINr), the most extreme value(s) on the side of the skew set to the next value
    inward; if the column still fails, the original values get the ``fallback`` (COINr
    ``log_CT`` by default). :func:`treat_outliers_columns` does the same for every column of a
    ``(..., units, columns)`` array.

    Parameters
    ----------
    x : ndarray, shape (n_units,)
        One column; ``NaN`` where missing.
    skew_threshold, kurtosis_threshold, max_points, fallback
        As in :func:`treat_outliers_columns`.

    Returns
    -------
    treated : ndarray
        The treated column.
    changed : ndarray of bool
        Cells whose value changed.
    info : OutlierTreatment

    Examples
    --------
    COINr's example ``c(1:10, 30, 100)``: one pass sets 100 to 30.

    >>> treated, changed, info = treat_outliers(np.array([*range(1, 11), 30.0, 100.0]))
    >>> float(treated[-1]), info.action, info.winsorised
    (30.0, 'winsorised', 1)
    """
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(
            f"treat_outliers takes one column (1-D), got shape {arr.shape}; "
            "use treat_outliers_columns for (..., units, columns) arrays"
        )
    treated, changed, info = treat_outliers_columns(
        arr,
        skew_threshold=skew_threshold,
        kurtosis_threshold=kurtosis_threshold,
        max_points=max_points,
        fallback=fallback,
    )
    return treated, changed, info.column(())
