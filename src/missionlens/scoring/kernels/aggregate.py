"""Aggregation kernels: children's normalised scores to one score per unit.

:func:`aggregate` takes a 2-D array of children's scores (units x children, ``NaN`` missing)
and their weights, applies the missing-children rule, and combines the children present with one
of the methods below, for all units in one vectorised pass.

References
----------
OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, section 1.7 "Aggregation":
linear (weighted arithmetic) and geometric aggregation, compensability.
Bullen, P. S. (2003). *Handbook of Means and Their Inequalities*, Kluwer, ch. III: the weighted
power (generalised) mean ``M_p = (sum w x^p / sum w)^(1/p)``, with ``M_0`` the geometric mean,
``M_-1`` the harmonic mean and ``M_-inf`` the minimum.
UNDP (2022). *Human Development Report 2021/2022, Technical notes*: the HDI as the geometric mean
of its dimension indices.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Literal

import numpy as np
from numpy.typing import NDArray

__all__ = ["AGGREGATION_METHODS", "AGGREGATORS", "Aggregator", "aggregate", "weighted_power_mean"]

FloatArray = NDArray[np.float64]


def weighted_power_mean(x: FloatArray, w: FloatArray, p: float) -> FloatArray:
    """Row-wise weighted power mean of the non-missing entries of ``x`` (Bullen 2003).

    ``M_p = (sum_j w_j x_j^p / sum_j w_j)^(1/p)`` over the present entries of each row;
    ``p = 0`` gives the weighted geometric mean ``exp(sum w ln x / sum w)``.

    Zeros: for ``p <= 0`` a zero child gives 0 (the limit of ``M_p`` as that child tends to 0),
    which makes geometric and harmonic aggregation non-compensatory. Negative values raise a
    ``ValueError`` for every ``p`` other than 1 (the mean of negative numbers under a power or
    log is undefined); use a 0-100 normalisation before such methods.

    Examples
    --------
    Equal-weight geometric mean of 1 and 4 is 2:

    >>> float(weighted_power_mean(np.array([[1.0, 4.0]]), np.array([1.0, 1.0]), 0.0)[0])
    2.0
    """
    arr = np.asarray(x, dtype=np.float64)
    weights = np.asarray(w, dtype=np.float64)
    present = ~np.isnan(arr)
    wp = np.where(present, weights, 0.0)
    wsum = wp.sum(axis=1)
    vals = np.where(present, arr, 1.0)
    if p == 1:
        with np.errstate(invalid="ignore", divide="ignore"):
            return (np.where(present, arr, 0.0) * wp).sum(axis=1) / wsum
    negative = present & (arr < 0) & (weights > 0)
    if negative.any():
        rows = np.unique(np.nonzero(negative)[0])
        raise ValueError(
            f"the {_name(p)} mean is undefined for negative values; {int(negative.sum())} "
            f"negative child score(s) in {rows.size} unit(s) (first unit position {rows[0]}). "
            "Normalise to 0-100 (min-max or goalposts) before this aggregation"
        )
    zero = (present & (arr == 0) & (weights > 0)).any(axis=1)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if p == 0:
            logs = np.log(np.where(vals > 0, vals, 1.0))
            out = np.exp((logs * wp).sum(axis=1) / wsum)
        else:
            powered = np.where(vals > 0, vals, 1.0) ** p
            out = ((powered * wp).sum(axis=1) / wsum) ** (1.0 / p)
    if p <= 0:
        out = np.where(zero, 0.0, out)
    elif zero.any():
        # for p > 0 zeros contribute 0 ** p = 0 to the sum
        with np.errstate(invalid="ignore", divide="ignore"):
            powered = np.where(present, arr, 0.0) ** p
            out = ((powered * wp).sum(axis=1) / wsum) ** (1.0 / p)
    return out


def _name(p: float) -> str:
    return {0.0: "geometric", -1.0: "harmonic"}.get(float(p), f"generalised (p={p:g})")


def aggregate(
    x: FloatArray,
    w: FloatArray,
    method: str = "arithmetic",
    *,
    p: float | None = None,
    rule: Literal["reweight", "propagate"] = "reweight",
    min_share: float = 0.5,
    applicable: NDArray[np.bool_] | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Aggregate children's scores row by row, applying the missing-children rule.

    Parameters
    ----------
    x : ndarray, shape (n_units, n_children)
        Children's scores; ``NaN`` where a child is missing.
    w : ndarray, shape (n_children,)
        Non-negative weights (only ratios matter: scaling all weights changes nothing).
    method : str
        ``arithmetic`` (weighted mean, OECD/JRC 2008 linear aggregation), ``geometric``
        (weighted geometric mean), ``harmonic`` (weighted harmonic mean), ``generalised``
        (weighted power mean with exponent ``p``, Bullen 2003), ``minimum`` (weakest link:
        the lowest child with positive weight) or ``median`` (median of the children with
        positive weight; weights only select children).
    p : float, optional
        Exponent of the generalised mean.
    rule : {"reweight", "propagate"}
        ``reweight``: combine the children present, their weights rescaled, when their share of
        the total weight is at least ``min_share``, else the result is missing. ``propagate``:
        a missing child with positive weight makes the result missing.
    min_share : float
        Threshold of the ``reweight`` rule, in [0, 1].
    applicable : ndarray of bool, shape (n_units, n_children), optional
        Which children apply to each unit (e.g. indicators that apply in the unit's lifecycle
        phase). Missing children that do not apply are left out of the total weight, so they
        neither lower the share nor make the node missing; a value present for a child that
        does not apply is still used. By default all children apply.

    Returns
    -------
    score : ndarray, shape (n_units,)
        The aggregate, ``NaN`` where the rule leaves it missing.
    share : ndarray, shape (n_units,)
        Share of the applicable weight carried by the children present (``NaN`` where no
        child applies).

    Examples
    --------
    >>> x = np.array([[50.0, np.nan, 100.0]])
    >>> score, share = aggregate(x, np.array([1.0, 1.0, 2.0]))
    >>> round(float(score[0]), 6), float(share[0])
    (83.333333, 0.75)
    """
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"x must be 2-D (units x children), got shape {arr.shape}")
    weights = np.asarray(w, dtype=np.float64)
    if weights.shape != (arr.shape[1],):
        raise ValueError(f"{arr.shape[1]} children but {weights.size} weights")
    if (weights < 0).any() or not np.isfinite(weights).all():
        raise ValueError(f"weights must be finite and >= 0, got {weights.tolist()}")
    total = weights.sum()
    if total <= 0:
        raise ValueError("at least one weight must be positive")
    present = ~np.isnan(arr)
    active = weights > 0
    if applicable is None:
        applies = np.ones(arr.shape, dtype=bool)
    else:
        applies = np.asarray(applicable, dtype=bool)
        if applies.shape != arr.shape:
            raise ValueError(f"applicable has shape {applies.shape}, expected {arr.shape}")
    applies = applies | present  # a value entered for a child that does not apply still counts
    applicable_weight = np.where(applies, weights, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(present, weights, 0.0).sum(axis=1) / applicable_weight
    if rule == "propagate":
        valid = (present | ~active | ~applies).all(axis=1) & (present & active).any(axis=1)
    elif rule == "reweight":
        valid = (share >= min_share - 1e-12) & (present & active).any(axis=1)
    else:
        raise ValueError(f"unknown missing rule {rule!r}; use 'reweight' or 'propagate'")

    try:
        combine = AGGREGATORS[method]
    except KeyError:
        raise ValueError(
            f"unknown aggregation method {method!r}; use one of {', '.join(AGGREGATION_METHODS)}"
        ) from None
    out = combine(arr, weights, present & active, p)
    return np.where(valid, out, np.nan), share


#: ``(x, w, used, p) -> scores``: ``used`` marks the present children with positive weight.
Aggregator = Callable[[FloatArray, FloatArray, NDArray[np.bool_], float | None], FloatArray]


def _power(p: float) -> Aggregator:
    def combine(
        x: FloatArray, w: FloatArray, used: NDArray[np.bool_], _p: float | None
    ) -> FloatArray:
        return weighted_power_mean(x, w, p)

    return combine


def _generalised(
    x: FloatArray, w: FloatArray, used: NDArray[np.bool_], p: float | None
) -> FloatArray:
    if p is None:
        raise ValueError("the generalised mean needs an exponent p")
    return weighted_power_mean(x, w, float(p))


def _minimum(x: FloatArray, w: FloatArray, used: NDArray[np.bool_], p: float | None) -> FloatArray:
    out: FloatArray = np.where(used, x, np.inf).min(axis=1)
    return out


def _median(x: FloatArray, w: FloatArray, used: NDArray[np.bool_], p: float | None) -> FloatArray:
    import warnings

    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out: FloatArray = np.nanmedian(np.where(used, x, np.nan), axis=1)
    return out


#: The kernel of every aggregation method, by name (read-only). The names are those of
#: :data:`missionlens.framework.elements.AggregationMethod` (a test checks both agree exactly).
AGGREGATORS: Mapping[str, Aggregator] = MappingProxyType(
    {
        "arithmetic": _power(1.0),  # OECD/JRC (2008) 1.7 linear aggregation
        "geometric": _power(0.0),  # OECD/JRC (2008) 1.7; UNDP HDI
        "harmonic": _power(-1.0),  # Bullen (2003) M_-1
        "minimum": _minimum,  # Bullen (2003) M_-inf, the weakest link
        "median": _median,
        "generalised": _generalised,  # Bullen (2003) M_p
    }
)

#: Names of the aggregation methods, in table order.
AGGREGATION_METHODS: tuple[str, ...] = tuple(AGGREGATORS)
