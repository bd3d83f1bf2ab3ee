"""Aggregation kernels: children's normalised scores to one score per unit.

:func:`aggregate` takes children's scores of shape ``(..., units, children)`` (``NaN``
missing; leading axes are batch axes such as replications) and their weights, applies the
missing-children rule, and combines the children present with one of the methods below, for all
units (and replications) in one vectorised pass. Every unit is aggregated on its own, so a batch
of R replications gives, value by value, what R separate calls give.
:func:`aggregate_with_weights` also returns the effective weights it used, from which a score
decomposes into contributions (for the arithmetic mean, ``score = sum_j w_eff_j x_j``).

Weights may be shared, ``(children,)``; one set per replication, ``(..., children)`` with the
same leading axes as the scores (a units axis is inserted before broadcasting); or one set per
unit, ``(..., units, children)`` with as many axes as the scores (ordinary broadcasting, so
``(1, units, children)`` shares per-unit weights across replications).

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

import warnings
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Literal

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "AGGREGATION_METHODS",
    "AGGREGATORS",
    "Aggregator",
    "aggregate",
    "aggregate_with_weights",
    "weighted_power_mean",
]

FloatArray = NDArray[np.float64]


def _broadcast_weights(w: FloatArray | float, shape: tuple[int, ...]) -> FloatArray:
    """Weights of shape (c,), (..., c) or (..., units, c) broadcast to the scores' ``shape``."""
    weights = np.asarray(w, dtype=np.float64)
    if weights.ndim == 0 or weights.shape[-1] != shape[-1]:
        got = weights.shape[-1] if weights.ndim else weights.size
        raise ValueError(f"{shape[-1]} children but {got} weights")
    if weights.ndim < len(shape):
        weights = weights[..., None, :]  # (..., children): one set per replication
    try:
        return np.broadcast_to(weights, shape)
    except ValueError:
        raise ValueError(
            f"weights of shape {np.shape(w)} do not fit scores of shape {shape}: give "
            "(children,), (..., children) with the scores' leading axes, or "
            "(..., units, children) with as many axes as the scores"
        ) from None


def _unit_position(mask: NDArray[np.bool_]) -> str:
    """Position of the first unit flagged in ``mask`` (shape (..., units)), as text."""
    first = np.argwhere(mask)[0]
    return str(int(first[0])) if first.size == 1 else str(tuple(int(i) for i in first))


def weighted_power_mean(x: FloatArray, w: FloatArray, p: float) -> FloatArray:
    """Weighted power mean over the last axis of the non-missing entries of ``x`` (Bullen 2003).

    ``M_p = (sum_j w_j x_j^p / sum_j w_j)^(1/p)`` over the present entries of each unit;
    ``p = 0`` gives the weighted geometric mean ``exp(sum w ln x / sum w)``.

    ``x`` has shape ``(..., units, children)``; ``w`` is ``(children,)``, ``(..., children)`` or
    ``(..., units, children)`` (see the module notes); the result has shape ``(..., units)``.

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
    if arr.ndim < 2:
        raise ValueError(f"x must be (..., units, children), got shape {arr.shape}")
    weights = _broadcast_weights(w, arr.shape)
    present = ~np.isnan(arr)
    wp = np.where(present, weights, 0.0)
    return _power_mean(arr, weights > 0, present, wp, wp.sum(axis=-1), p)


def _power_mean(
    arr: FloatArray,
    active: NDArray[np.bool_],
    present: NDArray[np.bool_],
    wp: FloatArray,
    wsum: FloatArray,
    p: float,
) -> FloatArray:
    """:func:`weighted_power_mean` given ``active`` (``weights > 0``), ``present``
    (``~isnan(arr)``), ``wp`` (the weights of the children present, 0 elsewhere) and ``wsum``
    (their sum over the last axis)."""
    if p == 1:
        with np.errstate(invalid="ignore", divide="ignore"):
            out1: FloatArray = (np.where(present, arr, 0.0) * wp).sum(axis=-1) / wsum
        return out1
    vals = np.where(present, arr, 1.0)
    used = present & active
    negative = used & (arr < 0)
    if negative.any():
        units = np.asarray(negative.any(axis=-1), dtype=bool)
        raise ValueError(
            f"the {_name(p)} mean is undefined for negative values; {int(negative.sum())} "
            f"negative child score(s) in {int(units.sum())} unit(s) (first unit position "
            f"{_unit_position(units)}). "
            "Normalise to 0-100 (min-max or goalposts) before this aggregation"
        )
    zero = (used & (arr == 0)).any(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if p == 0:
            logs = np.log(np.where(vals > 0, vals, 1.0))
            out: FloatArray = np.exp((logs * wp).sum(axis=-1) / wsum)
        else:
            powered = np.where(vals > 0, vals, 1.0) ** p
            out = ((powered * wp).sum(axis=-1) / wsum) ** (1.0 / p)
    if p <= 0:
        out = np.where(zero, 0.0, out)
    elif zero.any():
        # for p > 0 zeros contribute 0 ** p = 0 to the sum
        with np.errstate(invalid="ignore", divide="ignore"):
            powered = np.where(present, arr, 0.0) ** p
            out = ((powered * wp).sum(axis=-1) / wsum) ** (1.0 / p)
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
    """Aggregate children's scores unit by unit, applying the missing-children rule.

    Parameters
    ----------
    x : ndarray, shape (..., n_units, n_children)
        Children's scores; ``NaN`` where a child is missing. Leading axes are batch axes
        (replications), each aggregated on its own.
    w : ndarray, shape (n_children,), (..., n_children) or (..., n_units, n_children)
        Non-negative weights (only ratios matter: scaling all weights changes nothing); see
        the module notes for how each shape broadcasts. Every unit needs a positive weight.
    method : str
        ``arithmetic`` (weighted mean, OECD/JRC 2008 linear aggregation), ``geometric``
        (weighted geometric mean, OECD/JRC 2008 geometric aggregation), ``harmonic`` (weighted
        harmonic mean), ``generalised`` (weighted power mean with exponent ``p``, Bullen 2003),
        ``minimum`` (weakest link: the lowest child with positive weight) or ``median``
        (median of the children with positive weight; weights only select children).
    p : float, optional
        Exponent of the generalised mean.
    rule : {"reweight", "propagate"}
        ``reweight``: combine the children present, their weights rescaled, when their share of
        the total weight is at least ``min_share``, else the result is missing. ``propagate``:
        a missing child with positive weight makes the result missing.
    min_share : float
        Threshold of the ``reweight`` rule, in [0, 1].
    applicable : ndarray of bool, broadcastable to the shape of ``x``, optional
        Which children apply to each unit (e.g. indicators that apply in the unit's lifecycle
        phase); ``(n_units, n_children)`` is shared by every replication. Missing children that
        do not apply are left out of the total weight, so they neither lower the share nor make
        the node missing; a value present for a child that does not apply is still used. By
        default all children apply.

    Returns
    -------
    score : ndarray, shape (..., n_units)
        The aggregate, ``NaN`` where the rule leaves it missing.
    share : ndarray, shape (..., n_units)
        Share of the applicable weight carried by the children present (``NaN`` where no
        child applies).

    Examples
    --------
    >>> x = np.array([[50.0, np.nan, 100.0]])
    >>> score, share = aggregate(x, np.array([1.0, 1.0, 2.0]))
    >>> round(float(score[0]), 6), float(share[0])
    (83.333333, 0.75)
    """
    score, share, _ = _aggregate(x, w, method, p, rule, min_share, applicable, effective=False)
    return score, share


def aggregate_with_weights(
    x: FloatArray,
    w: FloatArray,
    method: str = "arithmetic",
    *,
    p: float | None = None,
    rule: Literal["reweight", "propagate"] = "reweight",
    min_share: float = 0.5,
    applicable: NDArray[np.bool_] | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """:func:`aggregate`, also returning the effective weights used for each unit.

    Parameters are those of :func:`aggregate`.

    Returns
    -------
    score, share : ndarray, shape (..., n_units)
        As :func:`aggregate`.
    effective : ndarray, shape (..., n_units, n_children)
        The weights actually used: each child's weight divided by the total weight of the
        children present, so they sum to 1 over a unit; 0 for a child that is missing (which
        covers children that do not apply, unless a value was entered for them, in which case
        the value is used and weighted) or has weight 0, and 0 for the whole unit where the
        score is missing. For the power means they give the score directly:
        ``score = sum_j e_j x_j`` (arithmetic), ``prod_j x_j^e_j`` (geometric),
        ``1 / sum_j (e_j / x_j)`` (harmonic), ``(sum_j e_j x_j^p)^(1/p)`` (generalised); so
        ``e_j x_j`` is child j's contribution to an arithmetic score (OECD/JRC 2008, 1.7, on
        weights as trade-offs). For ``minimum`` and ``median`` the weights only select the
        children taken into account; the effective weights are then those of the power means,
        not a decomposition of the score.

    Examples
    --------
    >>> x = np.array([[50.0, np.nan, 100.0]])
    >>> score, share, eff = aggregate_with_weights(x, np.array([1.0, 1.0, 2.0]))
    >>> np.round(eff, 6).tolist(), bool(np.isclose((eff * np.nan_to_num(x)).sum(), score[0]))
    ([[0.333333, 0.0, 0.666667]], True)
    """
    return _aggregate(x, w, method, p, rule, min_share, applicable, effective=True)


def _aggregate(
    x: FloatArray,
    w: FloatArray,
    method: str,
    p: float | None,
    rule: str,
    min_share: float,
    applicable: NDArray[np.bool_] | None,
    *,
    effective: bool,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The work of :func:`aggregate_with_weights`; the effective weights only if asked for
    (``aggregate`` does not need them: an empty array is returned instead)."""
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim < 2:
        raise ValueError(f"x must be (..., units, children), got shape {arr.shape}")
    given = np.asarray(w, dtype=np.float64)
    weights = _broadcast_weights(given, arr.shape)
    # the checks read the weights as given: broadcasting only repeats them
    if (given < 0).any() or not np.isfinite(given).all():
        bad = np.unique(given[(given < 0) | ~np.isfinite(given)])
        raise ValueError(f"weights must be finite and >= 0, got {bad.tolist()[:5]}")
    if not (given.sum(axis=-1) > 0).all():
        if np.ndim(w) <= 1:
            raise ValueError("at least one weight must be positive")
        none = np.asarray(~(weights.sum(axis=-1) > 0), dtype=bool)
        raise ValueError(
            f"at least one weight must be positive for every unit; {int(none.sum())} unit(s) "
            f"have none (first unit position {_unit_position(none)})"
        )
    if not 0.0 <= min_share <= 1.0:
        raise ValueError(f"min_share must be between 0 and 1, got {min_share}")
    present = ~np.isnan(arr)
    # computed on the weights as given, then broadcast (a view): the same values
    lifted = given[..., None, :] if given.ndim < arr.ndim else given
    active = np.broadcast_to(lifted > 0, arr.shape)
    wp = np.where(present, weights, 0.0)  # weights of the children present
    present_weight = wp.sum(axis=-1)
    if applicable is None:  # every child applies: the total weight of each unit
        applicable_weight = np.broadcast_to(lifted.sum(axis=-1), present_weight.shape)
        applies: NDArray[np.bool_] | None = None
    else:
        try:
            applies = np.broadcast_to(np.asarray(applicable, dtype=bool), arr.shape)
        except ValueError:
            raise ValueError(
                f"applicable has shape {np.shape(applicable)}, expected {arr.shape} "
                "(or broadcastable to it)"
            ) from None
        applies = applies | present  # a value entered for a child that does not apply counts
        applicable_weight = np.where(applies, weights, 0.0).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = present_weight / applicable_weight
    used_children = present & active
    any_used = np.asarray(used_children.any(axis=-1), dtype=bool)
    if rule == "propagate":
        ok = present | ~active if applies is None else present | ~active | ~applies
        valid = np.asarray(ok.all(axis=-1), dtype=bool) & any_used
    elif rule == "reweight":
        valid = np.asarray(share >= min_share - 1e-12, dtype=bool) & any_used
    else:
        raise ValueError(f"unknown missing rule {rule!r}; use 'reweight' or 'propagate'")

    try:
        combine = AGGREGATORS[method]
    except KeyError:
        raise ValueError(
            f"unknown aggregation method {method!r}; use one of {', '.join(AGGREGATION_METHODS)}"
        ) from None
    exponent = _POWERS.get(method)
    if method == "generalised" and p is not None:
        exponent = float(p)
    if exponent is not None:  # the power means, from the sums already at hand
        out = _power_mean(arr, active, present, wp, present_weight, exponent)
    else:
        out = combine(arr, weights, used_children, p)
    score = np.where(valid, out, np.nan)
    if not effective:
        return score, share, np.empty(0)
    used = used_children & valid[..., None]
    with np.errstate(invalid="ignore", divide="ignore"):
        eff = np.where(used, weights / present_weight[..., None], 0.0)
    return score, share, eff


#: ``(x, w, used, p) -> scores`` over the last axis: ``used`` marks the present children with
#: positive weight.
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
    out: FloatArray = np.where(used, x, np.inf).min(axis=-1)
    return out


def _median(x: FloatArray, w: FloatArray, used: NDArray[np.bool_], p: float | None) -> FloatArray:
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out: FloatArray = np.nanmedian(np.where(used, x, np.nan), axis=-1)
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

#: The exponent of each power-mean method (``generalised`` takes its own ``p``).
_POWERS: Mapping[str, float] = MappingProxyType(
    {"arithmetic": 1.0, "geometric": 0.0, "harmonic": -1.0}
)

#: Names of the aggregation methods, in table order.
AGGREGATION_METHODS: tuple[str, ...] = tuple(AGGREGATORS)
