"""Imputation kernels for raw indicator values: group mean/median and LOCF.

Both kernels take values of shape ``(..., units, indicators)`` (any number of leading batch
axes, e.g. replications) with ``NaN`` for missing values, and the group or entity code of each
unit (shape ``(units,)``, shared by every replication). Statistics are computed over the unit
axis (``-2``) only, column by column, never across replications: the batch axes are folded into
the column axis, so one pandas group-by handles all replications at once and each replication
gets exactly the values it would get alone.

References
----------
OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User Guide*,
section 1.3 "Imputation of missing data": unconditional mean/median substitution and
cold-deck imputation (here the last observation of the same mission, carried forward).
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray

_T = TypeVar("_T", bound=np.generic)

__all__ = ["fill_group_stat", "fill_locf"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def _as_units_first(x: FloatArray, codes: NDArray[np.int64], name: str) -> tuple[FloatArray, int]:
    """(..., units, cols) -> (units, prod(...) * cols), checking the length of ``codes``."""
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 0:
        raise ValueError("x must be an array of shape (units,) or (..., units, indicators)")
    n_units = arr.shape[0] if arr.ndim == 1 else arr.shape[-2]
    if np.shape(codes) != (n_units,):
        raise ValueError(
            f"{name} must give one code per unit: expected shape ({n_units},), "
            f"got {np.shape(codes)}"
        )
    if arr.ndim == 1:
        return arr[:, None], n_units
    return np.moveaxis(arr, -2, 0).reshape(n_units, -1), n_units


def _back(flat: NDArray[_T], shape: tuple[int, ...]) -> NDArray[_T]:
    if len(shape) == 1:
        return flat[:, 0]
    moved = (shape[-2], *shape[:-2], shape[-1])
    return np.moveaxis(flat.reshape(moved), 0, -2)


def fill_group_stat(
    x: FloatArray, groups: NDArray[np.int64], stat: str = "mean"
) -> tuple[FloatArray, BoolArray]:
    """Fill missing values with the mean or median of the same column within each group.

    Unconditional mean/median substitution within groups (OECD/JRC 2008, 1.3).

    Parameters
    ----------
    x : ndarray, shape (..., n_units, n_indicators)
        Values; leading axes are batch axes (replications), each treated separately.
    groups : ndarray of int, shape (n_units,)
        Group code of each unit (e.g. the period, or a region).
    stat : {"mean", "median"}

    Returns
    -------
    filled, imputed : ndarray, shape of ``x``
        The filled values and a mask of the cells that were filled. Cells whose group has no
        value for that column stay missing.

    Examples
    --------
    >>> filled, mask = fill_group_stat(np.array([[1.0], [np.nan], [3.0]]), np.array([0, 0, 0]))
    >>> filled[:, 0].tolist(), mask[:, 0].tolist()
    ([1.0, 2.0, 3.0], [False, True, False])
    """
    if stat not in ("mean", "median"):
        raise ValueError(f"unknown group statistic {stat!r}; use 'mean' or 'median'")
    shape = np.shape(x)
    flat, _ = _as_units_first(x, groups, "groups")
    frame = pd.DataFrame(flat)
    fill = frame.groupby(np.asarray(groups), sort=False).transform(stat).to_numpy(np.float64)
    missing = np.isnan(flat)
    filled = np.where(missing, fill, flat)
    return _back(filled, shape), _back(missing & ~np.isnan(filled), shape)


def fill_locf(
    x: FloatArray, entity: NDArray[np.int64], order: NDArray[np.int64]
) -> tuple[FloatArray, BoolArray]:
    """Last observation carried forward within each entity (mission), in the given order.

    Parameters
    ----------
    x : ndarray, shape (..., n_units, n_indicators)
        Values; leading axes are batch axes (replications), each treated separately.
    entity : ndarray of int, shape (n_units,)
        Entity code of each unit; values are carried only within an entity.
    order : ndarray of int, shape (n_units,)
        Sort key of each unit in time (e.g. period start as an integer).

    Returns
    -------
    filled, imputed : ndarray, shape of ``x``
        The filled values and a mask of the cells that were filled.

    Examples
    --------
    >>> y = np.array([[np.nan], [5.0], [np.nan]])
    >>> fill_locf(y, np.array([0, 0, 0]), np.array([2, 0, 1]))[0][:, 0].tolist()
    [5.0, 5.0, 5.0]
    """
    shape = np.shape(x)
    flat, _ = _as_units_first(x, entity, "entity")
    if np.shape(order) != np.shape(entity):
        raise ValueError(
            f"order must give one sort key per unit: expected shape {np.shape(entity)}, "
            f"got {np.shape(order)}"
        )
    idx = np.lexsort((np.asarray(order), np.asarray(entity)))
    frame = pd.DataFrame(flat[idx])
    filled_sorted = frame.groupby(np.asarray(entity)[idx], sort=False).ffill().to_numpy()
    filled = np.empty_like(flat)
    filled[idx] = filled_sorted
    missing = np.isnan(flat)
    return _back(filled, shape), _back(missing & ~np.isnan(filled), shape)
