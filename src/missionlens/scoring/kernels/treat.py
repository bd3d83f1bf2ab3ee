"""Imputation and outlier-treatment kernels for raw indicator values.

References
----------
OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, section 1.3 "Imputation of
missing data" (unconditional mean/median substitution, cold-deck/last observation) and
section 1.5 on outliers.
Becker, W. (2022). COINr, ``Treat`` / ``winsorise`` / ``check_SkewKurt`` / ``log_CT``: the
usual practice of winsorising while ``|skew| > 2`` and ``kurtosis > 3.5``, up to a set number of
points, with a log transform as fallback. Skewness and kurtosis follow ``e1071`` type 2 (the
definitions used by Excel's ``SKEW`` and ``KURT``): ``scipy.stats.skew(bias=False)`` and
``scipy.stats.kurtosis(fisher=True, bias=False)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.stats import kurtosis, skew

__all__ = [
    "OutlierTreatment",
    "fill_group_stat",
    "fill_locf",
    "log_ct",
    "sample_kurtosis",
    "sample_skewness",
    "treat_outliers",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def fill_group_stat(
    x: FloatArray, groups: NDArray[np.int64], stat: str = "mean"
) -> tuple[FloatArray, BoolArray]:
    """Fill missing values with the mean or median of the same column within each group.

    Parameters
    ----------
    x : ndarray, shape (n_units, n_indicators)
    groups : ndarray of int, shape (n_units,)
        Group code of each unit (e.g. the period, or a region).
    stat : {"mean", "median"}

    Returns
    -------
    filled, imputed : ndarray
        The filled values and a mask of the cells that were filled. Cells whose group has no
        value for that column stay missing.
    """
    if stat not in ("mean", "median"):
        raise ValueError(f"unknown group statistic {stat!r}; use 'mean' or 'median'")
    frame = pd.DataFrame(np.asarray(x, dtype=np.float64))
    fill = frame.groupby(np.asarray(groups), sort=False).transform(stat).to_numpy(np.float64)
    missing = np.isnan(frame.to_numpy())
    filled = np.where(missing, fill, frame.to_numpy())
    return filled, missing & ~np.isnan(filled)


def fill_locf(
    x: FloatArray, entity: NDArray[np.int64], order: NDArray[np.int64]
) -> tuple[FloatArray, BoolArray]:
    """Last observation carried forward within each entity (mission), in the given order.

    Parameters
    ----------
    x : ndarray, shape (n_units, n_indicators)
    entity : ndarray of int
        Entity code of each unit; values are carried only within an entity.
    order : ndarray of int
        Sort key of each unit in time (e.g. period start as an integer).

    Returns
    -------
    filled, imputed : ndarray
    """
    arr = np.asarray(x, dtype=np.float64)
    idx = np.lexsort((order, entity))
    frame = pd.DataFrame(arr[idx])
    filled_sorted = frame.groupby(np.asarray(entity)[idx], sort=False).ffill().to_numpy()
    filled = np.empty_like(arr)
    filled[idx] = filled_sorted
    missing = np.isnan(arr)
    return filled, missing & ~np.isnan(filled)


def sample_skewness(x: FloatArray) -> float:
    """Sample skewness, e1071 type 2 / Excel ``SKEW`` (needs at least 3 values)."""
    v = np.asarray(x, dtype=np.float64)
    v = v[~np.isnan(v)]
    if v.size < 3 or np.ptp(v) == 0:
        return 0.0
    return float(skew(v, bias=False))


def sample_kurtosis(x: FloatArray) -> float:
    """Sample excess kurtosis, e1071 type 2 / Excel ``KURT`` (needs at least 4 values)."""
    v = np.asarray(x, dtype=np.float64)
    v = v[~np.isnan(v)]
    if v.size < 4 or np.ptp(v) == 0:
        return 0.0
    return float(kurtosis(v, fisher=True, bias=False))


def log_ct(x: FloatArray) -> FloatArray:
    """COIN Tool log transform: ``ln(x - min(x) + 0.01 (max(x) - min(x)))`` (COINr ``log_CT``)."""
    v = np.asarray(x, dtype=np.float64)
    lo, hi = np.nanmin(v), np.nanmax(v)
    return np.log(v - lo + 0.01 * (hi - lo))


@dataclass(frozen=True)
class OutlierTreatment:
    """What :func:`treat_outliers` did to one column."""

    skew_before: float
    kurtosis_before: float
    skew_after: float
    kurtosis_after: float
    winsorised: int
    action: str  # "none", "winsorised", "log" or "failed"


def _fails(v: FloatArray, skew_threshold: float, kurtosis_threshold: float) -> bool:
    return abs(sample_skewness(v)) > skew_threshold and sample_kurtosis(v) > kurtosis_threshold


def treat_outliers(
    x: FloatArray,
    *,
    skew_threshold: float = 2.0,
    kurtosis_threshold: float = 3.5,
    max_points: int = 5,
    fallback: str = "log",
) -> tuple[FloatArray, BoolArray, OutlierTreatment]:
    """Winsorise one column while ``|skew| > skew_threshold`` and ``kurtosis > kurtosis_threshold``.

    The procedure of COINr ``Treat`` with its defaults: while the column fails the skew and
    kurtosis test and fewer than ``max_points`` points have been winsorised, the most extreme
    value on the side of the skew (the highest if skew >= 0, else the lowest; tied extremes
    together) is set to the next value inward. If the column still fails after ``max_points``
    points, the winsorisation is undone and, with ``fallback="log"``, :func:`log_ct` is applied
    to the original values instead (COINr's default ``combine_treat = FALSE``).

    One difference from COINr 1.x: there the winsorised-point counter is reset at each pass, so
    ``winmax`` does not limit untied points; here ``max_points`` caps the cumulative count, as
    documented in COINr.

    Returns
    -------
    treated : ndarray
        The treated column.
    changed : ndarray of bool
        Cells whose value changed.
    info : OutlierTreatment
    """
    v = np.asarray(x, dtype=np.float64).copy()
    s0, k0 = sample_skewness(v), sample_kurtosis(v)
    if not _fails(v, skew_threshold, kurtosis_threshold):
        return v, np.zeros(v.shape, dtype=bool), OutlierTreatment(s0, k0, s0, k0, 0, "none")
    original = v.copy()
    count = 0
    while count < max_points and _fails(v, skew_threshold, kurtosis_threshold):
        if sample_skewness(v) >= 0:
            extreme = np.nanmax(v)
            hit = v == extreme
            inner = v[~hit & ~np.isnan(v)]
            if inner.size == 0:
                break
            v[hit] = np.max(inner)
        else:
            extreme = np.nanmin(v)
            hit = v == extreme
            inner = v[~hit & ~np.isnan(v)]
            if inner.size == 0:
                break
            v[hit] = np.min(inner)
        count += int(hit.sum())
    if not _fails(v, skew_threshold, kurtosis_threshold):
        changed = ~np.isnan(v) & (v != original)
        return (
            v,
            changed,
            OutlierTreatment(s0, k0, sample_skewness(v), sample_kurtosis(v), count, "winsorised"),
        )
    if fallback == "log":
        logged = log_ct(original)
        return (
            logged,
            ~np.isnan(original),
            OutlierTreatment(s0, k0, sample_skewness(logged), sample_kurtosis(logged), 0, "log"),
        )
    return original, np.zeros(v.shape, dtype=bool), OutlierTreatment(s0, k0, s0, k0, 0, "failed")
