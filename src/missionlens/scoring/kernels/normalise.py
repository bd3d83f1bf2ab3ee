"""Normalisation kernels: raw indicator values to a common 0-100 scale where 100 is best.

All functions work column by column on an array ``x`` of shape ``(..., units, indicators)`` with
``NaN`` for missing values, in one vectorised pass; a 1-D array is one column. Leading axes are
batch axes (e.g. replications R): the data-driven methods (:func:`minmax`, :func:`zscore`,
:func:`rank`, :func:`percentile`, :func:`distance_to_target`) reduce over the unit axis (``-2``)
only, never across replications, so a batch of R replications gives, value by value, what R
separate calls give. :func:`linear`, :func:`goalposts` and :func:`custom_map` work element-wise
with their parameters broadcast against the indicator (last) axis, and :func:`transform` is
element-wise. Direction is *not* handled here: the normalise step of the
recipe negates lower-is-better indicators (and their goalposts and targets) once, before calling
these kernels, so every kernel can assume that higher is better.

References
----------
OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User Guide*.
OECD Publishing, section 1.5 "Normalisation of data" (min-max, z-scores, ranking, distance to a
reference, categorical scales).
UNDP (2022). *Human Development Report 2021/2022, Technical notes*: goalposts, capping and the
log transform of income.
Becker, W. (2022). COINr: composite indicator construction and analysis in R, functions
``n_minmax``, ``n_zscore``, ``n_rank``, ``n_prank``, ``n_goalposts``, ``n_dist2targ``.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "TRANSFORMS",
    "custom_map",
    "distance_to_target",
    "goalposts",
    "linear",
    "minmax",
    "percentile",
    "rank",
    "transform",
    "zscore",
]

FloatArray = NDArray[np.float64]

#: Transforms that may be applied before normalisation.
TRANSFORMS: tuple[str, ...] = ("log", "log10", "log1p")


def _columns(x: FloatArray) -> FloatArray:
    """View ``x`` as (..., units, columns): a 1-D array is one column."""
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 0:
        raise ValueError("x must be an array of shape (units,) or (..., units, indicators)")
    return arr.reshape(-1, 1) if arr.ndim == 1 else arr


def _fill_columns(
    out: FloatArray, arr: FloatArray, where: NDArray[np.bool_], value: float
) -> FloatArray:
    """Set the present cells of the columns flagged in ``where`` (shape (..., columns))."""
    return np.where(where[..., None, :], np.where(np.isnan(arr), np.nan, value), out)


def transform(x: FloatArray, name: str | None) -> FloatArray:
    """Apply a transform (``log``, ``log10``, ``log1p`` or ``None``) element-wise.

    Values outside the domain (``x <= 0`` for log and log10, ``x <= -1`` for log1p) raise a
    ``ValueError`` rather than producing ``-inf`` or ``NaN`` silently.
    """
    arr = np.asarray(x, dtype=np.float64)
    if name is None:
        return arr.copy()
    if name not in TRANSFORMS:
        raise ValueError(f"unknown transform {name!r}; use one of {', '.join(TRANSFORMS)}")
    floor = -1.0 if name == "log1p" else 0.0
    bad = ~np.isnan(arr) & (arr <= floor)
    if bad.any():
        raise ValueError(
            f"{name} transform needs values above {floor:g}; found {int(bad.sum())} value(s) "
            f"at or below it (lowest {np.nanmin(arr[bad]):g})"
        )
    return {"log": np.log, "log10": np.log10, "log1p": np.log1p}[name](arr)


def linear(x: FloatArray, low: FloatArray | float, high: FloatArray | float) -> FloatArray:
    """Map ``[low, high]`` linearly onto ``[0, 100]``: ``100 (x - low) / (high - low)``.

    Used for rubric levels (``low``/``high`` are the lowest and highest levels) and binary
    indicators (0 and 1). ``low`` and ``high`` broadcast against the columns of ``x``.

    Examples
    --------
    >>> linear(np.array([1.0, 3.0, 5.0]), 1, 5)
    array([  0.,  50., 100.])
    """
    arr = np.asarray(x, dtype=np.float64)
    lo = np.asarray(low, dtype=np.float64)
    hi = np.asarray(high, dtype=np.float64)
    return 100.0 * (arr - lo) / (hi - lo)


def goalposts(
    x: FloatArray, low: FloatArray | float, high: FloatArray | float, *, cap: bool = True
) -> FloatArray:
    """Goalpost normalisation with capping (UNDP HDI technical notes).

    ``100 (min(max(x, low), high) - low) / (high - low)``; without ``cap`` values beyond the
    goalposts fall outside 0-100.

    Examples
    --------
    HDI life-expectancy index for 73.4 years with goalposts 20 and 85 (UNDP 2022):

    >>> round(float(goalposts(np.array([73.4]), 20, 85)[0]) / 100, 3)
    0.822
    """
    arr = np.asarray(x, dtype=np.float64)
    lo = np.asarray(low, dtype=np.float64)
    hi = np.asarray(high, dtype=np.float64)
    if cap:
        arr = np.clip(arr, lo, hi)
    return 100.0 * (arr - lo) / (hi - lo)


def minmax(x: FloatArray, *, constant: float = 50.0) -> FloatArray:
    """Min-max scaling over the units: ``100 (x - min) / (max - min)`` per column.

    OECD/JRC (2008), eq. for min-max; COINr ``n_minmax``. A column whose present values are all
    equal carries no information to scale; it gets ``constant`` (default 50).
    """
    arr = _columns(x)
    with np.errstate(invalid="ignore"), _quiet_nan():
        lo = np.nanmin(arr, axis=-2, keepdims=True)
        hi = np.nanmax(arr, axis=-2, keepdims=True)
    span = hi - lo
    flat = span == 0
    safe = np.where(flat, 1.0, span)
    out = 100.0 * (arr - lo) / safe
    out = _fill_columns(out, arr, flat[..., 0, :], constant)
    return out.reshape(np.shape(x))


def zscore(x: FloatArray, *, centre: float = 0.0, scale: float = 1.0) -> FloatArray:
    """Standardisation: ``centre + scale (x - mean) / sd`` per column, ``sd`` with ``ddof=1``.

    OECD/JRC (2008), z-scores; COINr ``n_zscore`` (which uses R's ``sd``, i.e. ``ddof=1``).
    Unlike the other methods the result is not bounded to 0-100; ``centre=50, scale=10`` gives
    the familiar T-score. A constant column gets ``centre``.
    """
    arr = _columns(x)
    # units on the last, contiguous axis: each column is summed alone, in the same order
    # whatever the leading axes, so a batch gives exactly the values of separate calls
    units_last = np.ascontiguousarray(np.moveaxis(arr, -2, -1))
    with _quiet_nan():
        mean = np.nanmean(units_last, axis=-1)[..., None, :]
        sd = np.nanstd(units_last, axis=-1, ddof=1)[..., None, :]
    flat = ~(sd > 0)
    safe = np.where(flat, 1.0, sd)
    out = centre + scale * (arr - mean) / safe
    out = _fill_columns(out, arr, flat[..., 0, :], centre)
    return out.reshape(np.shape(x))


def rank(x: FloatArray) -> FloatArray:
    """Rank per column, 1 for the lowest (worst) value, ties sharing the lowest rank.

    OECD/JRC (2008), ranking; COINr ``n_rank`` (R ``rank(ties.method = "min")``). Missing
    values stay missing. Not bounded to 0-100: use :func:`percentile` for that.
    """
    arr = _columns(x)
    missing = np.isnan(arr)
    # sort each column (missing values last, as +inf); in sorted order the "min" rank of a
    # position is 1 + the position where its run of equal values starts
    filled = np.where(missing, np.inf, arr)
    order = np.argsort(filled, axis=-2, kind="stable")
    ordered = np.take_along_axis(filled, order, axis=-2)
    n = arr.shape[-2]
    pos = np.arange(n, dtype=np.float64).reshape((n, 1))
    first = np.ones_like(ordered[..., :1, :], dtype=bool)
    starts = np.concatenate([first, ordered[..., 1:, :] != ordered[..., :-1, :]], axis=-2)
    run_start = np.maximum.accumulate(np.where(starts, pos, 0.0), axis=-2)
    ranks = np.empty(arr.shape, dtype=np.float64)
    np.put_along_axis(ranks, order, run_start + 1.0, axis=-2)
    ranks[missing] = np.nan
    return ranks.reshape(np.shape(x))


def percentile(x: FloatArray) -> FloatArray:
    """Percentile rank per column: ``100 (rank - 1) / (n - 1)`` with ties at the lowest rank.

    The definition of ``dplyr::percent_rank`` used by COINr ``n_prank``: the worst unit scores
    0, the best 100. With a single present value the result is 50.
    """
    arr = _columns(x)
    ranks = _columns(rank(arr))
    n = np.sum(~np.isnan(arr), axis=-2, keepdims=True).astype(np.float64)
    denom = np.where(n > 1, n - 1, 1.0)
    out = 100.0 * (ranks - 1.0) / denom
    out = _fill_columns(out, arr, n[..., 0, :] == 1, 50.0)
    return out.reshape(np.shape(x))


def distance_to_target(
    x: FloatArray, target: FloatArray | float, *, cap: bool = True
) -> FloatArray:
    """Distance to a target: ``100 (x - min) / (target - min)`` per column, capped at 100.

    OECD/JRC (2008), distance to a reference; COINr ``n_dist2targ`` with ``cap_max = TRUE``.
    ``min`` is the lowest present value of the column; a unit at or beyond the target scores
    100 (or more without ``cap``).
    """
    arr = _columns(x)
    with _quiet_nan():
        lo = np.nanmin(arr, axis=-2)
    try:
        tgt = np.broadcast_to(np.asarray(target, dtype=np.float64), lo.shape)
    except ValueError:
        raise ValueError(
            f"target must be a number or one per indicator (shape {lo.shape[-1:]}, or "
            f"{lo.shape} with batch axes), got shape {np.shape(target)}"
        ) from None
    span = tgt - lo
    if np.any(span <= 0):
        raise ValueError(
            "distance to target needs a target above the lowest value of each indicator; "
            f"targets {tgt[span <= 0].tolist()} are not above the minima {lo[span <= 0].tolist()}"
        )
    out = 100.0 * (arr - lo[..., None, :]) / span[..., None, :]
    if cap:
        out = np.minimum(out, 100.0)
    return out.reshape(np.shape(x))


def custom_map(x: FloatArray, mapping: dict[float, float]) -> FloatArray:
    """Map rubric levels to custom scores, e.g. ``{1: 0, 2: 20, 3: 50, 4: 80, 5: 100}``.

    A value between two levels (a consolidated median such as 4.5) is interpolated linearly
    between their scores; a value outside the mapped levels raises a ``ValueError`` naming it.

    Examples
    --------
    >>> custom_map(np.array([1.0, 4.5, 5.0]), {1: 0, 4: 80, 5: 100}).tolist()
    [0.0, 90.0, 100.0]
    """
    arr = np.asarray(x, dtype=np.float64)
    keys = np.array(sorted(mapping), dtype=np.float64)
    vals = np.array([mapping[k] for k in sorted(mapping)], dtype=np.float64)
    outside = (arr < keys[0]) | (arr > keys[-1])  # False for a missing value
    if outside.any():
        missing = sorted(set(arr[outside].tolist()))
        shown = ", ".join(f"{v:g}" for v in missing)
        covered = ", ".join(f"{v:g}" for v in keys.tolist())
        raise ValueError(f"no custom score for level(s) {shown}; the mapping covers {covered}")
    # np.interp maps a missing value to NaN itself: no mask to gather and scatter through
    out: FloatArray = np.asarray(np.interp(arr, keys, vals), dtype=np.float64)
    return out


@contextlib.contextmanager
def _quiet_nan() -> Iterator[None]:
    """Silence numpy's 'All-NaN slice' and 'Mean of empty slice' warnings for empty columns."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield
