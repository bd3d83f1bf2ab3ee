"""The one table of normalisation methods: name -> kernel, what it needs, which scales take it.

The recipe's parameter models (:class:`~missionlens.scoring.recipe.NormaliseParams`,
:class:`~missionlens.scoring.recipe.IndicatorNormalisation`) validate method names against
:data:`NORMALISERS` and the normalise step calls the kernel it finds there, so a method cannot
be accepted by the recipe and unknown to the engine, or the other way round.

The aggregation methods have the same arrangement one layer lower: their names are the
``AggregationMethod`` literal of :mod:`missionlens.framework.elements` (framework files are
validated against them) and their kernels are the table ``AGGREGATORS`` of
:mod:`missionlens.scoring.kernels.aggregate`; a test checks that both hold exactly the same
names.

References
----------
OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User Guide*,
section 1.5 "Normalisation of data". Becker, W. (2022). COINr, functions ``n_minmax``,
``n_zscore``, ``n_rank``, ``n_prank``, ``n_goalposts``, ``n_dist2targ``. UNDP (2022), *Human
Development Report 2021/2022, Technical notes* (goalposts, capping). The kernels themselves and
their formulas are documented in :mod:`missionlens.scoring.kernels.normalise`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from missionlens.scoring.kernels import normalise as norm

__all__ = [
    "NORMALISERS",
    "NormaliseInput",
    "Normaliser",
    "normaliser",
    "normaliser_names",
]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class NormaliseInput:
    """What a normalisation kernel receives for one group of indicators (units x columns).

    Attributes
    ----------
    levels : ndarray
        The values as entered, lower-is-better rubrics mirrored (``lo + hi - x``) so that the
        higher level is the better one; used by methods that read levels (``custom``).
    x : ndarray
        The transformed values times the direction (+1 or -1): higher is better.
    low, high : float or None
        Goalposts or scale bounds, transformed and signed like ``x``, ``low <= high``.
    target : float or None
        The target, transformed and signed like ``x``.
    cap : bool
        Whether scores are capped to 0-100.
    mapping : dict
        Level -> score mapping (``custom``).
    zscore_centre, zscore_scale : float
        Centre and scale of the z-score.
    """

    levels: FloatArray
    x: FloatArray
    low: float | None = None
    high: float | None = None
    target: float | None = None
    cap: bool = True
    mapping: Mapping[float, float] = field(default_factory=dict)
    zscore_centre: float = 0.0
    zscore_scale: float = 1.0


@dataclass(frozen=True)
class Normaliser:
    """One normalisation method.

    Attributes
    ----------
    name : str
        The method's name in recipes.
    kernel : callable
        ``NormaliseInput -> ndarray`` of 0-100 scores (``NaN`` where the value is missing).
    needs : frozenset of str
        What the method needs: ``bounds`` (low and high), ``target``, ``mapping``.
    scale_kinds : frozenset of str
        The step-level settings that accept it (``rubric``, ``binary``, ``numeric``); any
        method may be set per indicator in ``overrides``.
    transforms : bool
        Whether the value transform (log, ...) applies before the kernel.
    reference : str
        Where the formula comes from.
    """

    name: str
    kernel: Callable[[NormaliseInput], FloatArray]
    needs: frozenset[str]
    scale_kinds: frozenset[str]
    transforms: bool
    reference: str


def _bounds(data: NormaliseInput) -> tuple[float, float]:
    if data.low is None or data.high is None:  # checked by the step, named there
        raise ValueError("this method needs goalposts or scale bounds")
    return data.low, data.high


def _linear(data: NormaliseInput) -> FloatArray:
    low, high = _bounds(data)
    return norm.linear(data.x, low, high)


def _goalposts(data: NormaliseInput) -> FloatArray:
    low, high = _bounds(data)
    return norm.goalposts(data.x, low, high, cap=data.cap)


def _distance_to_target(data: NormaliseInput) -> FloatArray:
    if data.target is None:  # checked by the step, named there
        raise ValueError("distance_to_target needs a target")
    return norm.distance_to_target(data.x, data.target, cap=data.cap)


def _custom(data: NormaliseInput) -> FloatArray:
    return norm.custom_map(data.levels, dict(data.mapping))


_RUBRIC = frozenset({"rubric"})
_NUMERIC = frozenset({"numeric"})
_TABLE: tuple[Normaliser, ...] = (
    Normaliser(
        "linear",
        _linear,
        frozenset({"bounds"}),
        frozenset({"rubric", "binary"}),
        True,
        "OECD/JRC (2008) 1.5, categorical scales: 100 (x - min) / (max - min) over the scale",
    ),
    Normaliser(
        "custom",
        _custom,
        frozenset({"mapping"}),
        _RUBRIC,
        False,
        "OECD/JRC (2008) 1.5, categorical scales with a chosen score per level",
    ),
    Normaliser(
        "minmax",
        lambda d: norm.minmax(d.x),
        frozenset(),
        _NUMERIC,
        True,
        "OECD/JRC (2008) 1.5 min-max; COINr n_minmax",
    ),
    Normaliser(
        "goalposts",
        _goalposts,
        frozenset({"bounds"}),
        _NUMERIC,
        True,
        "UNDP (2022) HDR technical notes, goalposts with capping; COINr n_goalposts",
    ),
    Normaliser(
        "zscore",
        lambda d: norm.zscore(d.x, centre=d.zscore_centre, scale=d.zscore_scale),
        frozenset(),
        _NUMERIC,
        True,
        "OECD/JRC (2008) 1.5 standardisation; COINr n_zscore",
    ),
    Normaliser(
        "rank",
        lambda d: norm.rank(d.x),
        frozenset(),
        _NUMERIC,
        True,
        "OECD/JRC (2008) 1.5 ranking; COINr n_rank",
    ),
    Normaliser(
        "percentile",
        lambda d: norm.percentile(d.x),
        frozenset(),
        _NUMERIC,
        True,
        "COINr n_prank (percentile ranks)",
    ),
    Normaliser(
        "distance_to_target",
        _distance_to_target,
        frozenset({"target"}),
        _NUMERIC,
        True,
        "OECD/JRC (2008) 1.5 distance to a reference; COINr n_dist2targ",
    ),
)

#: Every normalisation method, by name (read-only).
NORMALISERS: Mapping[str, Normaliser] = MappingProxyType({n.name: n for n in _TABLE})


def normaliser_names(kind: str | None = None) -> tuple[str, ...]:
    """Names of the methods, all of them or those a scale kind's step-level setting accepts."""
    return tuple(n for n, spec in NORMALISERS.items() if kind is None or kind in spec.scale_kinds)


def normaliser(name: str) -> Normaliser:
    """The method called ``name``; ``ValueError`` naming the known methods if there is none."""
    try:
        return NORMALISERS[name]
    except KeyError:
        raise ValueError(
            f"unknown normalisation method {name!r}; use one of {', '.join(NORMALISERS)}"
        ) from None
